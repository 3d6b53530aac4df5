# Supervised upper bound: every UCF101-24 training video labeled.
_base_ = ['sup_i3d_8x2_ucf101-24_20pct.py']
train_dataloader = dict(dataset=dict(subset=None, labeled_percent=None))
