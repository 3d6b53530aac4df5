# E2E-SSL on the synthetic set with a stronger second view: the flip plus a
# random zoom (x1.2) and shift (resize, then a 64 x 48 crop) and colour
# jitter, undone by the view's affine before the consistency losses. Note
# that the supervised term then also sees the strong view of each labeled
# clip (sup_views='both'), unlike the supervised baseline's.
_base_ = ['tiny_synthetic_semi.py']

strong_view = [
    dict(type='ActionFlip', flip_ratio=1.0),
    dict(type='ActionResize', scale=1.2),
    dict(type='ActionRandomCrop', size=(64, 48)),
    dict(type='ClipColorJitter', brightness=0.4, contrast=0.4,
         saturation=0.4, hue=0.1, prob=0.8),
    dict(type='PackDetectionInputs')]
two_view_pipeline = _base_.decode_and_crop + [
    dict(type='MarkReferenceView'),
    dict(type='MultiBranch', branch_field=['orig', 'aug'],
         orig=[dict(type='PackDetectionInputs')], aug=strong_view)]
train_dataloader = dict(dataset=dict(
    labeled=dict(pipeline=two_view_pipeline),
    unlabeled=dict(pipeline=two_view_pipeline)))
