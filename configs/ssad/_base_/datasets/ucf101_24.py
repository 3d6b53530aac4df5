# UCF101-24 (corrected annotations, ACT format) laid out as in
# docs/data_preparation.md. Paper recipe: 8 frames with stride 2 around an
# annotated frame, 224 x 224 random crops of the 320 x 240 frames, whole
# frames at test time. Labeled subset per class with seed 47.
dataset_type = 'UCF101_24Dataset'
data_root = 'data/ucf101_24'
ann_file = f'{data_root}/annotations/UCF101v2-GT.pkl'
labeled_percent = 20
clip_len, frame_interval = 8, 2
# Checkpoints are selected on a validation set held out from the training
# videos: 10% of each class's non-labeled videos (the labeled subset is the
# paper's; the unlabeled subset loses these videos). Never the test split.
val_percent = 10

shared_views = [
    dict(type='SampleActionClip'),
    dict(type='DecodeActionClip'),
    dict(type='LoadActionTargets'),
    dict(type='ActionRandomCrop', size=224),
]
train_pipeline = shared_views + [
    dict(type='ActionFlip', flip_ratio=0.5),
    dict(type='PackDetectionInputs')]
two_view_pipeline = shared_views + [
    dict(type='MarkReferenceView'),
    dict(type='MultiBranch', branch_field=['orig', 'aug'],
         orig=[dict(type='PackDetectionInputs')],
         aug=[dict(type='ActionFlip', flip_ratio=1.0),
              dict(type='PackDetectionInputs')])]
test_pipeline = [
    dict(type='SampleActionClip'),
    dict(type='DecodeActionClip'),
    dict(type='LoadActionTargets'),
    dict(type='PackDetectionInputs')]

labeled_dataset = dict(
    type=dataset_type, ann_file=ann_file,
    data_prefix=dict(video=f'{data_root}/videos'), split=1,
    subset='labeled', labeled_percent=labeled_percent,
    val_percent=val_percent, clip_len=clip_len,
    frame_interval=frame_interval, pipeline=train_pipeline)
labeled_two_view = dict(labeled_dataset, pipeline=two_view_pipeline)
unlabeled_two_view = dict(labeled_dataset, subset='unlabeled',
                          pipeline=two_view_pipeline)
test_dataset = dict(
    type=dataset_type, ann_file=ann_file,
    data_prefix=dict(video=f'{data_root}/videos'), split=1,
    clip_len=clip_len, frame_interval=frame_interval,
    pipeline=test_pipeline, test_mode=True)
val_dataset = dict(test_dataset, subset='val',
                   labeled_percent=labeled_percent, val_percent=val_percent)

train_dataloader = dict(
    batch_size=8, num_workers=8, persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=labeled_dataset)
test_dataloader = dict(
    batch_size=8, num_workers=8, persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=test_dataset)
test_evaluator = dict(type='ActionDetectionMetric', ann_file=ann_file)
test_cfg = dict(type='TestLoop')
val_dataloader = dict(test_dataloader, dataset=val_dataset)
val_evaluator = dict(type='ActionDetectionMetric', ann_file=ann_file)
# teacher and student of semi-supervised models; plain ValLoop otherwise
val_cfg = dict(type='TeacherStudentValLoop')
