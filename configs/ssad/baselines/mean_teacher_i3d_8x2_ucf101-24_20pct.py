# Mean Teacher on UCF101-24, 20% labeled + 80% unlabeled: EMA teacher
# (decay 0.999) on the weak view, student on a strong photometric view, L2 +
# difference-of-pixels consistency (Stable Mean Teacher without its
# error-recovery module), 100 epochs.
_base_ = ['_base_/ts_ucf101_24.py']

model = dict(type='MeanTeacherDetector')
train_dataloader = dict(dataset=dict(
    datasets=[{{_base_.ts_labeled}}, {{_base_.ts_unlabeled_strong}}]))
custom_hooks = _base_.custom_hooks + [
    dict(type='MeanTeacherHook', momentum=0.001)]
