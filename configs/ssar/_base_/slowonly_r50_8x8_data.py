# Pipelines of the SlowOnly-R50 8x8 recognizers (8 frames, stride 8, 224 px).
# The datasets themselves (lists and roots) are set by each config.
#
# Labeled clips: one `sup` view. Unlabeled clips: a weak `unsup_teacher`
# view and a strong `unsup_student` view of the same decoded clip (video
# RandAugment with the same ops on every frame + cutout). For ACL+MTL the
# unlabeled clip also brings two long-term clips of the same video (2x and 4x
# the span, 8 frames each) that only the teacher sees.
branches = ['sup', 'unsup_teacher', 'unsup_student']
clip_len, frame_interval = 8, 8
long_clip_scales = (2, 4)

sample = dict(
    type='SampleFrames',
    clip_len=clip_len,
    frame_interval=frame_interval,
    num_clips=1)
crop = [
    dict(type='Resize', scale=(-1, 256)),
    dict(type='RandomResizedCrop'),
    dict(type='Resize', scale=(224, 224), keep_ratio=False),
]
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

# supervised-only baseline: the same view as the semi-supervised `sup`
supervised_pipeline = [dict(type='DecordInit'), sample,
                       dict(type='DecordDecode')] + crop + weak + pack
labeled_pipeline = [dict(type='DecordInit'), sample,
                    dict(type='DecordDecode')] + crop + [
                        dict(
                            type='MultiBranch',
                            branch_field=branches,
                            sup=weak + pack)
                    ]
unlabeled_fixmatch_pipeline = [
    dict(type='DecordInit'), sample,
    dict(type='DecordDecode')
] + crop + [
    dict(
        type='MultiBranch',
        branch_field=branches,
        unsup_teacher=weak + pack,
        unsup_student=strong + pack)
]
unlabeled_acl_mtl_pipeline = [
    dict(type='DecordInit'), sample,
    dict(type='MultiScaleClips', scales=long_clip_scales),
    dict(type='DecordDecode')
] + crop + [
    dict(
        type='MultiBranch',
        branch_field=branches,
        unsup_teacher=weak + pack,
        unsup_student=[dict(type='SelectShortClip')] + strong + pack)
]
val_pipeline = [
    dict(type='DecordInit'),
    dict(
        type='SampleFrames',
        clip_len=clip_len,
        frame_interval=frame_interval,
        num_clips=1,
        test_mode=True),
    dict(type='DecordDecode'),
    dict(type='Resize', scale=(-1, 256)),
    dict(type='CenterCrop', crop_size=224)
] + pack
test_pipeline = [
    dict(type='DecordInit'),
    dict(
        type='SampleFrames',
        clip_len=clip_len,
        frame_interval=frame_interval,
        num_clips=10,
        test_mode=True),
    dict(type='DecordDecode'),
    dict(type='Resize', scale=(-1, 256)),
    dict(type='ThreeCrop', crop_size=256)
] + pack

# 8 GPUs x (4 labeled + 4 unlabeled) clips. Each config sets the lists and
# roots of both sets (see slowonly_r50_8x8_semi_data.py); the ACL+MTL configs
# also set the unlabeled pipeline to unlabeled_acl_mtl_pipeline.
semi_train_dataloader = dict(
    batch_size=8,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='MultiSourceSampler', batch_size=8,
                 source_ratio=[1, 1]),
    dataset=dict(
        type='LabeledUnlabeledDataset',
        labeled=dict(type='VideoDataset', pipeline=labeled_pipeline),
        unlabeled=dict(
            type='VideoDataset', pipeline=unlabeled_fixmatch_pipeline)))
# 8 GPUs x 4 labeled clips: the labeled clips per step of the semi configs
supervised_train_dataloader = dict(
    batch_size=4,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(type='VideoDataset', pipeline=supervised_pipeline))
val_dataloader = dict(
    batch_size=8,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type='VideoDataset', pipeline=val_pipeline, test_mode=True))
test_dataloader = dict(
    batch_size=1,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type='VideoDataset', pipeline=test_pipeline, test_mode=True))
val_evaluator = dict(type='AccMetric')
test_evaluator = val_evaluator
