# The tiny teacher-student recognizer of tiny_semi_recognizer.py made
# deterministic per sample, so a 2-rank run (2 x 4 clips) and a 1-rank run
# (8 clips) of the same global batches must agree: centre clips, no random
# augmentation, no dropout, BatchNorm frozen (norm_eval: running statistics,
# never batch statistics, which would differ between 4- and 8-clip batches),
# every pseudo-label used (threshold 0), plain SGD.
_base_ = ['tiny_semi_recognizer.py']
custom_imports = dict(imports=['mmssl', 'batch_recorder'],
                      allow_failed_imports=False)

model = dict(
    recognizer=dict(backbone=dict(norm_eval=True)),
    semi_train_cfg=dict(pseudo_threshold=0.0))
decode = [
    dict(type='DecordInit'),
    dict(type='SampleFrames', clip_len=4, frame_interval=2, num_clips=1,
         test_mode=True),
    dict(type='DecordDecode'),
    dict(type='Resize', scale=(32, 32), keep_ratio=False),
]
pack = [dict(type='FormatShape', input_format='NCTHW'),
        dict(type='PackActionInputs')]
branches = ['sup', 'unsup_teacher', 'unsup_student']
train_dataloader = dict(
    batch_size=4,
    sampler=dict(batch_size=4, seed=0),
    dataset=dict(datasets=[
        dict(type='VideoDataset', ann_file='data/labeled.txt',
             data_prefix=dict(video='data/videos'),
             pipeline=decode + [dict(type='MultiBranch',
                                     branch_field=branches, sup=pack)]),
        dict(type='VideoDataset', ann_file='data/unlabeled.txt',
             data_prefix=dict(video='data/videos'),
             pipeline=decode + [dict(type='MultiBranch',
                                     branch_field=branches,
                                     unsup_teacher=pack,
                                     unsup_student=pack)]),
    ]))
optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.05, momentum=0.0))
train_cfg = dict(max_iters=3, val_interval=100)
val_cfg = None
val_dataloader = None
val_evaluator = None
custom_hooks = [dict(type='MeanTeacherHook', momentum=0.5),
                dict(type='RampUpHook', length=2, mode='linear'),
                dict(type='BatchRecorderHook')]
default_hooks = dict(checkpoint=dict(interval=3, max_keep_ckpts=1))
