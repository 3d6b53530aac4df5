# Online pseudo-labeling on UCF101-24, 20% labeled + 80% unlabeled: the
# current student (MeanTeacherHook momentum 1.0) labels each unlabeled clip;
# its confident class and pixels train the student, 100 epochs.
_base_ = ['_base_/ts_ucf101_24.py']

model = dict(type='PseudoLabelDetector',
             semi_train_cfg=dict(cls_threshold=0.5, mask_pos_threshold=0.8,
                                 mask_neg_threshold=0.2))
train_dataloader = dict(dataset=dict(
    datasets=[{{_base_.ts_labeled}}, {{_base_.ts_unlabeled_weak}}]))
custom_hooks = _base_.custom_hooks + [
    dict(type='MeanTeacherHook', momentum=1.0)]
