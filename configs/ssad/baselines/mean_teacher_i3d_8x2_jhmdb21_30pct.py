# Mean Teacher on JHMDB-21 (split 1), 30% labeled + 70% unlabeled, 50 epochs
# (see mean_teacher_i3d_8x2_ucf101-24_20pct.py).
_base_ = ['_base_/ts_jhmdb21.py']

model = dict(type='MeanTeacherDetector')
train_dataloader = dict(dataset=dict(
    datasets=[{{_base_.ts_labeled}}, {{_base_.ts_unlabeled_strong}}]))
custom_hooks = _base_.custom_hooks + [
    dict(type='MeanTeacherHook', momentum=0.001)]
