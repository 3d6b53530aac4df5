# Online pseudo-labeling on UCF101-24, 20% labeled + 80% unlabeled: the
# current student (MeanTeacherHook momentum 1.0) labels each unlabeled clip;
# its confident class and pixels train the student, 100 epochs.
_base_ = ['../_base_/models/capsule_i3d.py', '_base_/ts_ucf101_24.py',
          '../_base_/schedules/semi_adam_plateau.py']

model = dict(_delete_=True, type='PseudoLabelDetector',
             detector={{_base_.model}},
             semi_train_cfg=dict(mask_warmup_iters=4600,
                                 cls_threshold=0.5, mask_pos_threshold=0.8,
                                 mask_neg_threshold=0.2))
train_dataloader = dict(
    sampler=dict(_delete_=True, type='MultiSourceSampler', batch_size=8,
                 source_ratio=[1, 1]),
    dataset=dict(_delete_=True, type='ConcatDataset',
                 datasets=[{{_base_.ts_labeled}},
                           {{_base_.ts_unlabeled_weak}}]))
custom_hooks = [
    dict(type='EvalProgressBarHook'),
    dict(type='TrainLossPlateauHook', factor=0.1, patience=5),
    dict(type='RampUpHook', length=30, mode='exp', by_epoch=True),
    dict(type='MeanTeacherHook', momentum=1.0)]
