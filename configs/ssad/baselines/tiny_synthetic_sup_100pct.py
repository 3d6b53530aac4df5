# Supervised upper bound on the synthetic set: every training video labeled.
_base_ = ['../tiny_synthetic_sup.py']
train_dataloader = dict(dataset=dict(subset=None, labeled_percent=None))
