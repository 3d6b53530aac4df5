# The embedded synthetic set (`python tools/data/make_synthetic.py
# data/synthetic`) and a capsule detector small enough for a CPU: 8 frames of
# 64 x 48, I3D at 1/8 width, a decoder of 8 channels (its full-resolution
# layers dominate the step), trained on the labeled 25% alone. The
# semi-supervised config changes the model and the training data only.
_base_ = ['default_runtime.py']

data_root = 'data/synthetic'
ann_file = f'{data_root}/annotations/UCF101v2-GT.pkl'
num_classes = 5  # make_synthetic.py's default classes
labeled_percent = 25  # per class, split seed 47: 6 of 24 training videos
clip_len, frame_interval = 8, 2
# iterations of every tiny config (the semi-supervised ones spend the first
# `sup_phase_iters` on their labeled clips alone)
max_iters = 800
sup_phase_iters = 400

model = dict(
    type='CapsuleDetector',
    # BN momentum 0.1 (pytorch-i3d: 0.01) for short trainings from scratch
    # 3 RGB + 3 frame-difference channels: the classes differ only by motion
    # and a 1/8-width I3D trained from scratch on a CPU does not pick motion
    # up from RGB alone (docs/methods/e2e_ssl.md, "Synthetic set")
    backbone=dict(type='InceptionI3d', in_channels=6, width=0.125,
                  bn_momentum=0.1),
    # at 1.0 the spread loss's gradient through EM routing is ~10^4 times
    # the localization loss's on the encoder and classification noise
    # trains it (docs/methods/e2e_ssl.md); 0.5 dropout on a 104-channel
    # feature slowed the short trainings
    cls_grad_scale=1e-3,
    feature_dropout=0.1,
    cls_head=dict(type='CapsuleHead', in_channels=104,
                  num_classes=num_classes, num_primary_caps=8,
                  primary_kernel=3),
    loc_head=dict(type='CapsuleMaskDecoder', num_classes=num_classes,
                  deep_channels=104, skip_channels=(8, 24),
                  primary_kernel=3, channels=8),
    data_preprocessor=dict(type='TemporalDifferencePreprocessor',
                           with_rgb=True, mean=[127.5, 127.5, 127.5],
                           std=[127.5, 127.5, 127.5], format_shape='NCTHW'))


decode_and_crop = [
    dict(type='SampleActionClip'),
    dict(type='DecodeActionClip'),
    dict(type='LoadActionTargets'),
    # 64 x 48 frames (the synthetic set's size; larger ones are scaled down)
    dict(type='ActionResize', scale=(-1, 48)),
    dict(type='ActionRandomCrop', size=(64, 48)),
]
train_pipeline = decode_and_crop + [
    dict(type='ActionFlip', flip_ratio=0.5),
    dict(type='PackDetectionInputs'),
]
two_view_pipeline = decode_and_crop + [
    dict(type='MarkReferenceView'),
    dict(type='MultiBranch', branch_field=['orig', 'aug'],
         orig=[dict(type='PackDetectionInputs')],
         aug=[dict(type='ActionFlip', flip_ratio=1.0),
              dict(type='PackDetectionInputs')]),
]
test_pipeline = [
    dict(type='SampleActionClip'),
    dict(type='DecodeActionClip'),
    dict(type='LoadActionTargets'),
    # the whole frame at the training scale: the detector is fully
    # convolutional, and a squeezed frame changes sizes and speeds
    dict(type='ActionResize', scale=(-1, 48)),
    dict(type='PackDetectionInputs'),
]
labeled_dataset = dict(
    type='UCF101_24Dataset', ann_file=ann_file,
    data_prefix=dict(video=f'{data_root}/videos'), split=1,
    subset='labeled', labeled_percent=labeled_percent, clip_len=clip_len,
    frame_interval=frame_interval, pipeline=train_pipeline)
# The two sources of the semi-supervised config, each clip with its
# flipped view.
labeled_two_view = dict(labeled_dataset, pipeline=two_view_pipeline)
unlabeled_two_view = dict(labeled_dataset, subset='unlabeled',
                          pipeline=two_view_pipeline)
train_dataloader = dict(
    batch_size=8, num_workers=1, persistent_workers=False,
    sampler=dict(type='InfiniteSampler', shuffle=True, seed=0),
    dataset=labeled_dataset)
train_cfg = dict(type='GuardedIterBasedTrainLoop', max_iters=max_iters,
                 val_interval=max_iters)

test_dataloader = dict(
    batch_size=4, num_workers=1, persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='UCF101_24Dataset', ann_file=ann_file,
        data_prefix=dict(video=f'{data_root}/videos'), split=1,
        clip_len=clip_len, frame_interval=frame_interval,
        pipeline=test_pipeline, test_mode=True))
test_evaluator = dict(type='ActionDetectionMetric', ann_file=ann_file)
test_cfg = dict(type='TestLoop')
# The synthetic set has no validation split; the final checkpoint is tested.
val_dataloader = None
val_evaluator = None
val_cfg = None

optim_wrapper = dict(optimizer=dict(type='Adam', lr=1e-3, eps=1e-6))
param_scheduler = [
    dict(type='CosineAnnealingLR', by_epoch=False, begin=0, end=max_iters,
         eta_min=1e-5)]
randomness = dict(seed=0)
