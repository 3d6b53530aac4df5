# MMAction2's own I3D config made semi-supervised: its network, pipelines and
# runtime, wrapped in SemiRecognizer (FixMatch + EMA teacher), 10% labeled.
_base_ = ('mmaction::recognition/i3d/'
          'i3d_imagenet-pretrained-r50_8xb8-32x2x1-100e_kinetics400-rgb.py')
custom_imports = dict(imports=['mmssl'], allow_failed_imports=False)
model = dict(_delete_=True, type='SemiRecognizer', recognizer=_base_.model)
# the base pipeline split before its Flip: weak view = Flip, Format, Pack
decode, weak = _base_.train_pipeline[:-3], _base_.train_pipeline[-3:]
strong = weak[:1] + [dict(type='VideoRandAugment'),
                     dict(type='VideoCutout')] + weak[1:]
views = dict(type='MultiBranch',
             branch_field=['sup', 'unsup_teacher', 'unsup_student'])
labeled = dict(_base_.train_dataloader.dataset, ann_file='splits/lab.txt',
               pipeline=decode + [dict(views, sup=weak)])
unlabeled = dict(labeled, ann_file='splits/unlab.txt', pipeline=decode + [
    dict(views, unsup_teacher=weak, unsup_student=strong)])
train_dataloader = dict(dataset=dict(_delete_=True, type='ConcatDataset',
                                     datasets=[labeled, unlabeled]),
                        sampler=dict(_delete_=True, type='MultiSourceSampler',
                                     batch_size=8, source_ratio=[1, 1]))
# iterations instead of epochs, teacher and student validated, EMA teacher
train_cfg = dict(_delete_=True, type='SemiIterBasedTrainLoop',
                 max_iters=30000, val_interval=1000)
val_cfg = dict(type='TeacherStudentValLoop')
param_scheduler = [dict(type='MultiStepLR', by_epoch=False,
                        milestones=[12000, 24000])]
default_hooks = dict(checkpoint=dict(interval=1000, by_epoch=False))
log_processor = dict(by_epoch=False)
custom_hooks = [dict(type='MeanTeacherHook', momentum=0.001)]
