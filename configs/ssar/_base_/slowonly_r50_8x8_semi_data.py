# Data of the semi-supervised SlowOnly-R50 8x8 configs: the SlowOnly data
# with `semi_train_dataloader` (a LabeledUnlabeledDataset over the labeled and
# unlabeled VideoDatasets, MultiSourceSampler) as the training dataloader.
# Its two datasets are dicts, which MMEngine merges key by key, so a config
# states only its lists and video roots:
#   train_dataloader = dict(
#       dataset=dict(
#           labeled=dict(ann_file=..., data_prefix=dict(video=...)),
#           unlabeled=dict(ann_file=..., data_prefix=dict(video=...))))
_base_ = './slowonly_r50_8x8_data.py'

train_dataloader = _base_.semi_train_dataloader
