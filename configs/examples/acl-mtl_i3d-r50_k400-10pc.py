# ACL + MTL on top of the FixMatch example: the recognizer becomes
# ACLMTLRecognizer and each unlabeled clip brings two long-term clips of its
# video (2x and 4x the span) that only the teacher sees.
_base_ = ['fixmatch_i3d-r50_k400-10pc.py']
model = dict(type='ACLMTLRecognizer', mtl=dict(num_long_clips=2))
decode, weak, strong = _base_.decode, _base_.weak, _base_.strong
unlabeled = dict(_base_.unlabeled, pipeline=decode[:2] + [
    dict(type='MultiScaleClips', scales=(2, 4))] + decode[2:] + [
    dict(_base_.views, unsup_teacher=weak,
         unsup_student=[dict(type='SelectShortClip')] + strong)])
train_dataloader = dict(dataset=dict(datasets=[_base_.labeled, unlabeled]))
