"""SemiRecognizer around 2-D (segment-based) recognizers such as TSN: the
head gets ``num_segs``, through the helper ACLMTLRecognizer shares."""
import torch
from mmaction.structures import ActionDataSample

import mmssl  # noqa: F401
from mmaction.registry import MODELS

TSN = dict(
    type='Recognizer2D',
    backbone=dict(type='ResNet', depth=18, pretrained=None, norm_eval=False),
    cls_head=dict(type='TSNHead', num_classes=3, in_channels=512,
                  average_clips='prob'),
    data_preprocessor=dict(type='ActionDataPreprocessor',
                           format_shape='NCHW'))


def samples(n, label=0):
    return [ActionDataSample().set_gt_label(label) for _ in range(n)]


def build(type='SemiRecognizer', **kwargs):
    torch.manual_seed(0)
    return MODELS.build(dict(type=type, recognizer=TSN, **kwargs))


def test_clip_logits_average_the_segments_as_tsn_predicts():
    model = build()
    model.eval()
    segments = torch.randn(2, 3, 3, 32, 32)  # B, segments, C, H, W
    with torch.no_grad():
        logits = model.clip_logits(model.student, segments)
        scores = model.student.predict(segments, samples(2))
        feats = model.student.backbone(segments.flatten(0, 1))
    assert logits.shape == (2, 3)
    expected = torch.stack([s.pred_score for s in scores])
    torch.testing.assert_close(logits.softmax(-1), expected)
    # TSN consensus: the mean of the per-segment head outputs
    pooled = feats.mean(dim=(2, 3)).view(2, 3, -1).mean(1)
    head = model.student.cls_head.fc_cls
    torch.testing.assert_close(logits, head(pooled), rtol=1e-4, atol=1e-5)


def test_fixmatch_loss_trains_a_2d_recognizer():
    model = build(semi_train_cfg=dict(pseudo_threshold=0.0))
    model.train()
    segments = torch.randn(2, 3, 3, 32, 32)
    losses = model.loss(
        dict(sup=segments, unsup_teacher=segments,
             unsup_student=segments + 0.1),
        dict(sup=samples(2, 1), unsup_teacher=samples(2, -1),
             unsup_student=samples(2, -1)))
    assert losses['unsup_mask_ratio'] == 1.0
    loss = losses['sup_loss_cls'] + losses['unsup_loss_cls']
    assert torch.isfinite(loss) and losses['unsup_loss_cls'] > 0
    loss.backward()
    grad = model.student.cls_head.fc_cls.weight.grad
    assert grad is not None and grad.abs().sum() > 0
    assert model.teacher.cls_head.fc_cls.weight.grad is None


def test_acl_mtl_grouped_forward_shares_the_helper():
    model = build('ACLMTLRecognizer', acl=None, mtl=None)
    model.eval()
    segments = torch.randn(2, 4, 3, 32, 32)
    with torch.no_grad():
        grouped, feats = model.forward_clip_groups(model.student, segments)
        plain = model.clip_logits(model.student, segments)
    torch.testing.assert_close(grouped[:, 0], plain)
    assert feats.shape == (2, 1, 4, 512)  # B, groups, segments, C
