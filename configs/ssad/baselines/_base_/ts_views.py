# Branches of the teacher-student baselines (pseudo-label, Mean Teacher):
# labeled clips fill 'sup'; each unlabeled clip gives the teacher a weak
# view and the student a view with the same geometry, either strong
# (photometric, Stable Mean Teacher's list) or the weak view itself.
ts_branches = ['sup', 'unsup_teacher', 'unsup_student']
strong_photometric = [
    dict(type='ClipColorJitter', brightness=0.4, contrast=0.4,
         saturation=0.4, hue=0.1, prob=0.8),
    dict(type='ClipGrayscale', prob=0.2),
    dict(type='ClipGaussianBlur', sigma=(0.1, 2.0), prob=0.5)]
ts_sup_views = [
    dict(type='ActionFlip', flip_ratio=0.5),
    dict(type='MultiBranch', branch_field=ts_branches,
         sup=[dict(type='PackDetectionInputs')])]
ts_weak_strong_views = [
    dict(type='ActionFlip', flip_ratio=0.5),
    dict(type='MarkReferenceView'),
    dict(type='MultiBranch', branch_field=ts_branches,
         unsup_teacher=[dict(type='PackDetectionInputs')],
         unsup_student=strong_photometric + [
             dict(type='PackDetectionInputs')])]
ts_weak_weak_views = [
    dict(type='ActionFlip', flip_ratio=0.5),
    dict(type='MarkReferenceView'),
    dict(type='MultiBranch', branch_field=ts_branches,
         unsup_teacher=[dict(type='PackDetectionInputs')],
         unsup_student=[dict(type='PackDetectionInputs')])]
