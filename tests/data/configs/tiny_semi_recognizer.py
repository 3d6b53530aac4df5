# A teacher-student recognizer small enough to train in seconds on CPU.
# Reads the tiny video set written by tests/conftest.py into `data_root`.
default_scope = 'mmaction'
custom_imports = dict(imports=['mmssl'], allow_failed_imports=False)
data_root = 'data'

recognizer = dict(
    type='Recognizer3D',
    backbone=dict(
        type='ResNet3d', depth=18, base_channels=4, pretrained=None,
        pretrained2d=False, conv1_kernel=(1, 3, 3), conv1_stride_t=1,
        pool1_stride_t=1, inflate=(0, 0, 0, 0), norm_eval=False),
    cls_head=dict(type='I3DHead', num_classes=2, in_channels=32,
                  dropout_ratio=0.0, average_clips='prob'),
    data_preprocessor=dict(
        type='ActionDataPreprocessor', mean=[114.75, 114.75, 114.75],
        std=[57.375, 57.375, 57.375], format_shape='NCTHW'))
model = dict(
    type='SemiRecognizer', recognizer=recognizer,
    semi_train_cfg=dict(pseudo_threshold=0.5, unsup_weight=1.0),
    semi_test_cfg=dict(predict_on='teacher'))

branches = ['sup', 'unsup_teacher', 'unsup_student']
decode = [
    dict(type='DecordInit'),
    dict(type='SampleFrames', clip_len=4, frame_interval=2, num_clips=1),
    dict(type='DecordDecode'),
    dict(type='Resize', scale=(32, 32), keep_ratio=False),
]
pack = [dict(type='FormatShape', input_format='NCTHW'),
        dict(type='PackActionInputs')]
labeled_pipeline = decode + [
    dict(type='MultiBranch', branch_field=branches,
         sup=[dict(type='Flip', flip_ratio=0.5)] + pack)]
unlabeled_pipeline = decode + [
    dict(type='MultiBranch', branch_field=branches,
         unsup_teacher=pack,
         unsup_student=[dict(type='Flip', flip_ratio=0.5),
                        dict(type='ColorJitter', hue=0.0)] + pack)]
test_pipeline = [
    dict(type='DecordInit'),
    dict(type='SampleFrames', clip_len=4, frame_interval=2, num_clips=1,
         test_mode=True),
    dict(type='DecordDecode'),
    dict(type='Resize', scale=(32, 32), keep_ratio=False),
] + pack

train_dataloader = dict(
    batch_size=4, num_workers=0,
    sampler=dict(type='MultiSourceSampler', batch_size=4,
                 source_ratio=[1, 1], seed=0),
    dataset=dict(
        type='ConcatDataset',
        datasets=[
            dict(type='VideoDataset', ann_file=f'{data_root}/labeled.txt',
                 data_prefix=dict(video=f'{data_root}/videos'),
                 pipeline=labeled_pipeline),
            dict(type='VideoDataset', ann_file=f'{data_root}/unlabeled.txt',
                 data_prefix=dict(video=f'{data_root}/videos'),
                 pipeline=unlabeled_pipeline),
        ]))
val_dataloader = dict(
    batch_size=4, num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type='VideoDataset', ann_file=f'{data_root}/val.txt',
                 data_prefix=dict(video=f'{data_root}/videos'),
                 pipeline=test_pipeline, test_mode=True))
test_dataloader = val_dataloader
val_evaluator = dict(type='AccMetric')
test_evaluator = val_evaluator

train_cfg = dict(type='SemiIterBasedTrainLoop', max_iters=6, val_interval=3)
val_cfg = dict(type='TeacherStudentValLoop')
test_cfg = dict(type='TestLoop')
optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.05, momentum=0.9))
param_scheduler = []

custom_hooks = [dict(type='MeanTeacherHook', momentum=0.1),
                dict(type='RampUpHook', length=4, mode='linear')]
default_hooks = dict(
    runtime_info=dict(type='RuntimeInfoHook'),
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=1),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(type='CheckpointHook', interval=3, by_epoch=False,
                    max_keep_ckpts=2),
    sampler_seed=dict(type='DistSamplerSeedHook'))
env_cfg = dict(cudnn_benchmark=False, mp_cfg=dict(mp_start_method='fork'),
               dist_cfg=dict(backend='nccl'))
log_processor = dict(type='LogProcessor', window_size=1, by_epoch=False)
log_level = 'INFO'
load_from = None
resume = False
randomness = dict(seed=0)
