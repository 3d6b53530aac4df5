# FixMatch-style teacher-student (EMA teacher, thresholded pseudo-labels of the
# weak view for the strong view) around MMAction2's SlowOnly-R50.
_base_ = 'mmaction::_base_/models/slowonly_r50.py'

model = dict(
    _delete_=True,
    type='SemiRecognizer',
    recognizer=_base_.model,
    semi_train_cfg=dict(
        pseudo_threshold=0.95,
        sup_weight=1.0,
        unsup_weight=1.0,
        distribution_alignment=False),
    semi_test_cfg=dict(predict_on='teacher'))
