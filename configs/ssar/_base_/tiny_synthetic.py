# A small 3-D CNN and pipelines for the synthetic recognition set, sized to
# train in minutes on a CPU. The set (five motion classes, one class per
# video, 72 training and 72 test clips per class) is written by
#   python tools/data/make_synthetic.py data/synthetic
# with its lists recognition/train.txt and recognition/test.txt (MMAction2
# video lists, `Class/v_Class_gNN_cNN.avi label`). The labeled subset is
# 2 videos per class (per-class-count convention, seed 47):
#   python tools/data/split_labeled.py data/synthetic/recognition/train.txt \
#       --per-class 2 --seed 47 --out-dir data/synthetic/recognition
# which writes recognition/labeled.txt, recognition/unlabeled.txt (the other
# 350 training clips) and recognition/split.json.
default_scope = 'mmaction'
custom_imports = dict(imports=['mmssl'], allow_failed_imports=False)

data_root = 'data/synthetic'
video_root = f'{data_root}/videos'
labeled_list = f'{data_root}/recognition/labeled.txt'
unlabeled_list = f'{data_root}/recognition/unlabeled.txt'
test_list = f'{data_root}/recognition/test.txt'
num_classes = 5

# 3x3x3 convolutions everywhere, on differences of consecutive frames (TSN's
# RGB-diff modality): the classes differ only by their motion, and from raw
# RGB this network memorises each video's random background and actor
# colours instead (100 % train, chance on test after 900 iterations), while
# the differences cancel everything static.
recognizer = dict(
    type='Recognizer3D',
    backbone=dict(
        type='ResNet3d',
        depth=18,
        base_channels=8,
        pretrained=None,
        pretrained2d=False,
        conv1_kernel=(3, 3, 3),
        conv1_stride_t=1,
        pool1_stride_t=1,
        inflate=(1, 1, 1, 1),
        norm_eval=False),
    cls_head=dict(
        type='I3DHead',
        num_classes=num_classes,
        in_channels=64,
        dropout_ratio=0.2,
        average_clips='prob'),
    data_preprocessor=dict(
        type='TemporalDifferencePreprocessor',
        mean=[114.75, 114.75, 114.75],
        std=[19.125, 19.125, 19.125],  # sets the scale of the differences
        format_shape='NCTHW'))

branches = ['sup', 'unsup_teacher', 'unsup_student']
sample = dict(type='SampleFrames', clip_len=8, frame_interval=2, num_clips=1)
# 160 x 120 frames -> 64 x 48, uncropped: the actors are small and may be
# anywhere in the frame, a random crop would often cut them out
crop = [dict(type='Resize', scale=(64, 48), keep_ratio=False)]
pack = [
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]
weak = [dict(type='Flip', flip_ratio=0.5)]
strong = [
    dict(type='Flip', flip_ratio=0.5),
    dict(type='VideoRandAugment', num_ops=2, magnitude=9),
    dict(type='VideoCutout', ratio=0.5),
]
decode = [dict(type='DecordInit'), sample, dict(type='DecordDecode')]
supervised_pipeline = decode + crop + weak + pack
labeled_pipeline = decode + crop + [
    dict(type='MultiBranch', branch_field=branches, sup=weak + pack)
]
unlabeled_fixmatch_pipeline = decode + crop + [
    dict(
        type='MultiBranch',
        branch_field=branches,
        unsup_teacher=weak + pack,
        unsup_student=strong + pack)
]
unlabeled_acl_mtl_pipeline = [
    dict(type='DecordInit'), sample,
    dict(type='MultiScaleClips', scales=(2, 4)),
    dict(type='DecordDecode')
] + crop + [
    dict(
        type='MultiBranch',
        branch_field=branches,
        unsup_teacher=weak + pack,
        unsup_student=[dict(type='SelectShortClip')] + strong + pack)
]
test_pipeline = [
    dict(type='DecordInit'),
    dict(type='SampleFrames', clip_len=8, frame_interval=2, num_clips=3,
         test_mode=True),
    dict(type='DecordDecode'),
    dict(type='Resize', scale=(64, 48), keep_ratio=False)
] + pack

labeled_dataset = dict(
    type='VideoDataset',
    ann_file=labeled_list,
    data_prefix=dict(video=video_root),
    pipeline=labeled_pipeline)
semi_train_dataloader = dict(
    batch_size=8,
    num_workers=2,
    persistent_workers=False,
    sampler=dict(type='MultiSourceSampler', batch_size=8,
                 source_ratio=[1, 1], seed=0),
    dataset=dict(type='ConcatDataset', datasets=[]))
val_dataloader = dict(
    batch_size=8,
    num_workers=2,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='VideoDataset',
        ann_file=test_list,
        data_prefix=dict(video=video_root),
        pipeline=test_pipeline,
        test_mode=True))
test_dataloader = val_dataloader
val_evaluator = dict(type='AccMetric')
test_evaluator = val_evaluator

max_iters = 600
train_cfg = dict(
    type='SemiIterBasedTrainLoop', max_iters=max_iters, val_interval=100)
val_cfg = dict(type='TeacherStudentValLoop')
test_cfg = dict(type='TestLoop')
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.05, momentum=0.9, weight_decay=1e-4),
    clip_grad=dict(max_norm=40, norm_type=2))
param_scheduler = [
    dict(type='CosineAnnealingLR', T_max=max_iters, eta_min=0,
         by_epoch=False, begin=0, end=max_iters)
]
# labeled warm-up of 100 iterations, then a 100-iteration ramp; a faster
# teacher (decay 0.99) than the full configs for such a short run
custom_hooks = [
    dict(type='MeanTeacherHook', momentum=0.01),
    dict(type='RampUpHook', begin=100, length=100, mode='linear')
]

default_hooks = dict(
    runtime_info=dict(type='RuntimeInfoHook'),
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=20),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(type='AtomicCheckpointHook', interval=100,
                    by_epoch=False, max_keep_ckpts=1, save_best='auto'),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    preemption=dict(type='PreemptionHook'),
    random_state=dict(type='RandomStateHook'))
env_cfg = dict(
    cudnn_benchmark=False,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    dist_cfg=dict(backend='nccl'))
log_processor = dict(type='LogProcessor', window_size=20, by_epoch=False)
vis_backends = [dict(type='LocalVisBackend')]
visualizer = dict(type='ActionVisualizer', vis_backends=vis_backends)
log_level = 'INFO'
load_from = None
resume = False
randomness = dict(seed=0)
