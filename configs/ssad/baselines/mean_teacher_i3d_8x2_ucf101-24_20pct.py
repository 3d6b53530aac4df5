# Mean Teacher on UCF101-24, 20% labeled + 80% unlabeled: EMA teacher
# (decay 0.999) on the weak view, student on a strong photometric view, L2 +
# difference-of-pixels consistency (Stable Mean Teacher without its
# error-recovery module), 100 epochs.
_base_ = ['../_base_/models/capsule_i3d.py', '_base_/ts_ucf101_24.py',
          '../_base_/schedules/semi_adam_plateau.py']

model = dict(_delete_=True, type='MeanTeacherDetector',
             detector={{_base_.model}},
             semi_train_cfg=dict(mask_warmup_iters=4600))
train_dataloader = dict(
    sampler=dict(_delete_=True, type='MultiSourceSampler', batch_size=8,
                 source_ratio=[1, 1]),
    dataset=dict(_delete_=True, type='ConcatDataset',
                 datasets=[{{_base_.ts_labeled}},
                           {{_base_.ts_unlabeled_strong}}]))
custom_hooks = [
    dict(type='EvalProgressBarHook'),
    dict(type='TrainLossPlateauHook', factor=0.1, patience=5),
    dict(type='RampUpHook', length=30, mode='exp', by_epoch=True),
    dict(type='MeanTeacherHook', momentum=0.001)]
