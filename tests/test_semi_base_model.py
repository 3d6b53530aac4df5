import pytest
import torch
from mmaction.structures import ActionDataSample

import mmssl  # noqa: F401
from mmaction.registry import MODELS

RECOGNIZER = dict(
    type='Recognizer3D',
    backbone=dict(type='ResNet3d', depth=18, base_channels=4,
                  pretrained=None, pretrained2d=False,
                  conv1_kernel=(1, 3, 3), conv1_stride_t=1,
                  pool1_stride_t=1, inflate=(0, 0, 0, 0)),
    cls_head=dict(type='I3DHead', num_classes=3, in_channels=32,
                  average_clips='prob'),
    data_preprocessor=dict(type='ActionDataPreprocessor',
                           format_shape='NCTHW'))


def build(**kwargs):
    return MODELS.build(dict(type='SemiRecognizer', recognizer=RECOGNIZER,
                             **kwargs))


def samples(n, label=0):
    return [ActionDataSample().set_gt_label(label) for _ in range(n)]


def test_teacher_frozen_and_predict_on():
    model = build(semi_test_cfg=dict(predict_on='student'))
    assert not any(p.requires_grad for p in model.teacher.parameters())
    assert all(p.requires_grad for p in model.student.parameters())
    assert model.predicting_model is model.student
    with pytest.raises(ValueError, match='predict_on'):
        build(semi_test_cfg=dict(predict_on='both'))


def test_loss_keys_and_pseudo_label_mask():
    torch.manual_seed(0)
    model = build(semi_train_cfg=dict(pseudo_threshold=0.0,
                                      unsup_weight=2.0))
    model.train()
    clips = torch.randn(2, 1, 3, 4, 16, 16)
    losses = model.loss(
        dict(sup=clips, unsup_teacher=clips, unsup_student=clips),
        dict(sup=samples(2), unsup_teacher=samples(2, -1),
             unsup_student=samples(2, -1)))
    assert {'sup_loss_cls', 'unsup_loss_cls', 'unsup_mask_ratio'} <= \
        set(losses)
    assert losses['unsup_mask_ratio'] == 1.0  # threshold 0 keeps all
    assert not model.teacher.training  # pseudo-labels from an eval teacher

    model.ramp_weight = 0.0
    losses = model.loss(
        dict(unsup_teacher=clips, unsup_student=clips),
        dict(unsup_teacher=samples(2, -1), unsup_student=samples(2, -1)))
    assert set(losses) == {'unsup_loss_cls', 'unsup_mask_ratio'}
    assert losses['unsup_loss_cls'] == 0.0

    strict = build(semi_train_cfg=dict(pseudo_threshold=1.01))
    losses = strict.loss(
        dict(unsup_teacher=clips, unsup_student=clips),
        dict(unsup_teacher=samples(2, -1), unsup_student=samples(2, -1)))
    assert losses['unsup_mask_ratio'] == 0.0
    assert losses['unsup_loss_cls'] == 0.0


def test_plain_checkpoint_loads_into_both_networks():
    plain = MODELS.build(RECOGNIZER)
    with torch.no_grad():
        for p in plain.parameters():
            p.fill_(0.5)
    model = build()
    model.load_state_dict(plain.state_dict())
    for net in (model.teacher, model.student):
        for p in net.parameters():
            assert torch.all(p == 0.5)
    # a teacher-student checkpoint loads as it is
    model.student.cls_head.fc_cls.bias.data.fill_(3.0)
    again = build()
    again.load_state_dict(model.state_dict())
    assert torch.all(again.student.cls_head.fc_cls.bias == 3.0)
    assert torch.all(again.teacher.cls_head.fc_cls.bias == 0.5)


def test_predict_returns_scores():
    model = build().eval()
    out = model(torch.randn(2, 1, 3, 4, 16, 16), samples(2), mode='predict')
    assert len(out) == 2 and out[0].pred_score.shape == (3,)
