# Mean Teacher on JHMDB-21 (split 1), 30% labeled + 70% unlabeled, 50 epochs
# (see mean_teacher_i3d_8x2_ucf101-24_20pct.py).
_base_ = ['../_base_/models/capsule_i3d_jhmdb21.py', '_base_/ts_jhmdb21.py',
          '../_base_/schedules/semi_adam_plateau.py']

max_epochs = 50
train_cfg = dict(max_epochs=max_epochs)
model = dict(_delete_=True, type='MeanTeacherDetector',
             detector={{_base_.model}},
             semi_train_cfg=dict(mask_warmup_iters=1180))
train_dataloader = dict(
    sampler=dict(_delete_=True, type='MultiSourceSampler', batch_size=8,
                 source_ratio=[1, 1]),
    dataset=dict(_delete_=True, type='ConcatDataset',
                 datasets=[{{_base_.ts_labeled}},
                           {{_base_.ts_unlabeled_strong}}]))
custom_hooks = [
    dict(type='EvalProgressBarHook'),
    dict(type='TrainLossPlateauHook', factor=0.1, patience=5),
    dict(type='RampUpHook', length=15, mode='exp', by_epoch=True),
    dict(type='MeanTeacherHook', momentum=0.001)]
