# Supervised upper bound on JHMDB-21: every training video of split 1.
_base_ = ['sup_i3d_8x2_jhmdb21_30pct.py']
train_dataloader = dict(dataset=dict(subset=None, labeled_percent=None))
