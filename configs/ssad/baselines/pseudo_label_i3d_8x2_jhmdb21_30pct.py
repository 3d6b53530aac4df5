# Online pseudo-labeling on JHMDB-21 (split 1), 30% labeled + 70% unlabeled,
# 50 epochs (see pseudo_label_i3d_8x2_ucf101-24_20pct.py).
_base_ = ['_base_/ts_jhmdb21.py']

model = dict(type='PseudoLabelDetector',
             semi_train_cfg=dict(cls_threshold=0.5, mask_pos_threshold=0.8,
                                 mask_neg_threshold=0.2))
train_dataloader = dict(dataset=dict(
    datasets=[{{_base_.ts_labeled}}, {{_base_.ts_unlabeled_weak}}]))
custom_hooks = _base_.custom_hooks + [
    dict(type='MeanTeacherHook', momentum=1.0)]
