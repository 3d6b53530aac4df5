# Supervised upper bound on JHMDB-21: every training video of split 1.
_base_ = ['sup_i3d_8x2_jhmdb21_30pct.py']
# No held-out videos: the final checkpoint is tested.
train_dataloader = dict(
    dataset=dict(subset=None, labeled_percent=None, val_percent=None))
val_dataloader = None
val_evaluator = None
val_cfg = None
default_hooks = dict(checkpoint=dict(save_best=None))
