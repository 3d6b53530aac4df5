# Supervised upper bound: every UCF101-24 training video labeled.
_base_ = ['sup_i3d_8x2_ucf101-24_20pct.py']
# No held-out videos: the final checkpoint is tested.
train_dataloader = dict(
    dataset=dict(subset=None, labeled_percent=None, val_percent=None))
val_dataloader = None
val_evaluator = None
val_cfg = None
default_hooks = dict(checkpoint=dict(save_best=None))
