"""Known answers of the semi-supervised detection baselines' pieces:
pseudo-label thresholding, MixMatch sharpening and mixing, the
difference-of-pixels loss, view transfer, and one loss step of each
baseline model on a tiny detector."""
import math

import numpy as np
import pytest
import torch
from mmaction.registry import MODELS
from mmaction.structures import ActionDataSample

from mmssl.models.detectors.view_transfer import transfer_view
from mmssl.models.losses import DifferenceOfPixelsLoss
from mmssl.models.utils import (mixup, sharpen, sharpen_binary,
                                threshold_pseudo_labels)


# ----------------------------------------------------------- pseudo-labels
def test_threshold_keeps_confident_clips_and_pixels():
    probs = torch.tensor([[0.7, 0.2, 0.1], [0.4, 0.35, 0.25],
                          [0.1, 0.1, 0.8]])
    masks = torch.tensor([0.95, 0.5, 0.05, 0.8]).view(1, 1, 4, 1, 1)
    masks = masks.repeat(3, 1, 1, 1, 1)
    out = threshold_pseudo_labels(probs, masks, cls_threshold=0.6,
                                  pos_threshold=0.8, neg_threshold=0.1)
    assert out.labels.tolist() == [0, 0, 2]
    assert out.clip_keep.tolist() == [True, False, True]
    # 0.95 and 0.8 (>= 0.8) foreground, 0.05 background, 0.5 ignored
    assert out.masks[0].view(-1).tolist() == [1., 0., 0., 1.]
    assert out.pixel_keep[0].view(-1).tolist() == [True, False, True, True]
    assert not out.pixel_keep[1].any()  # the clip is dropped
    assert out.pixel_keep[2].view(-1).tolist() == [True, False, True, True]


def test_threshold_rejects_crossed_thresholds():
    with pytest.raises(ValueError, match='neg_threshold'):
        threshold_pseudo_labels(torch.ones(1, 2), torch.ones(1, 1, 1, 1, 1),
                                0.5, pos_threshold=0.3, neg_threshold=0.6)


# ---------------------------------------------------------------- MixMatch
def test_sharpen_known_answers():
    p = torch.tensor([[0.5, 0.3, 0.2], [0.1, 0.1, 0.8]])
    assert torch.allclose(sharpen(p, 1.0), p)
    assert torch.equal(sharpen(p, 0.0), torch.tensor([[1., 0., 0.],
                                                      [0., 0., 1.]]))
    assert torch.allclose(sharpen(p, 1e-3), sharpen(p, 0.0), atol=1e-6)
    half = sharpen(p, 0.5)
    assert torch.allclose(half.sum(1), torch.ones(2))
    assert torch.allclose(half[0], torch.tensor([25., 9., 4.]) / 38.)
    # binary maps: (p, 1 - p) sharpened
    m = torch.tensor([0.5, 0.75, 0.2])
    assert torch.allclose(sharpen_binary(m, 0.5),
                          torch.tensor([0.5, 0.9, 0.04 / 0.68]))
    assert torch.allclose(sharpen_binary(m, 1.0), m)


def test_mixup_uses_dominant_lambda_for_clips_and_masks():
    clips = torch.arange(2 * 3, dtype=torch.float32).view(2, 1, 3)
    masks = torch.tensor([[1., 1.], [0., 0.]]).view(2, 1, 2)
    targets = torch.tensor([[1., 0.], [0., 1.]])
    partner = torch.tensor([1, 0])
    (mc, mt, mm), lam = mixup([clips, targets, masks], partner,
                              torch.tensor([0.3, 0.9]))
    assert torch.allclose(lam, torch.tensor([0.7, 0.9]))
    assert torch.allclose(mc[0], 0.7 * clips[0] + 0.3 * clips[1])
    assert torch.allclose(mc[1], 0.9 * clips[1] + 0.1 * clips[0])
    assert torch.allclose(mm.view(2, 2), torch.tensor([[0.7, 0.7],
                                                       [0.1, 0.1]]))
    assert torch.allclose(mt, torch.tensor([[0.7, 0.3], [0.1, 0.9]]))


# ----------------------------------------------------- difference of pixels
def test_difference_of_pixels_known_answers():
    loss = DifferenceOfPixelsLoss()
    pred = torch.rand(2, 1, 4, 3, 3)
    assert loss(pred, pred.clone()).item() == 0
    assert loss(pred, pred + 0.25).item() == pytest.approx(0, abs=1e-12)
    a = torch.tensor([0., 1., 3.]).view(1, 1, 3, 1, 1)
    b = torch.tensor([0., 0., 0.]).view(1, 1, 3, 1, 1)
    # differences (1, 2) vs (0, 0): (1 + 4) / 2
    assert loss(a, b).item() == pytest.approx(2.5)
    valid = torch.tensor([True, False]).view(1, 1, 1, 1, 2)
    c = torch.cat([a, a], dim=-1)
    d = torch.cat([b, a], dim=-1)
    assert loss(c, d, valid).item() == pytest.approx(2.5)
    assert DifferenceOfPixelsLoss(step=2)(a, b).item() == pytest.approx(9.)


def test_transfer_view_flips_between_views():
    maps = torch.arange(6, dtype=torch.float32).view(1, 1, 1, 2, 3)
    ident = torch.tensor([[[1., 0., 0.], [0., 1., 0.]]])
    flip = torch.tensor([[[-1., 0., 0.], [0., 1., 0.]]])
    same, valid = transfer_view(maps, ident, ident, (2, 3))
    assert torch.equal(same, maps) and bool(valid.all())
    flipped, _ = transfer_view(maps, ident, flip, (2, 3))
    assert torch.equal(flipped, maps.flip(-1))


# ------------------------------------------------------------------ models
NUM_CLASSES = 3
TINY_DETECTOR = dict(
    type='CapsuleDetector',
    backbone=dict(type='InceptionI3d', width=0.125, bn_momentum=0.1),
    cls_head=dict(type='CapsuleHead', in_channels=104,
                  num_classes=NUM_CLASSES, num_primary_caps=4,
                  primary_kernel=3),
    loc_head=dict(type='CapsuleMaskDecoder', num_classes=NUM_CLASSES,
                  deep_channels=104, skip_channels=(8, 24), primary_kernel=3,
                  channels=8),
    data_preprocessor=dict(type='ActionDataPreprocessor',
                           format_shape='NCTHW'))
T, H, W = 8, 32, 32


def sample(labeled: bool, label: int, affine=((1., 0., 0.), (0., 1., 0.))):
    s = ActionDataSample()
    s.set_gt_label(label if labeled else -1)
    mask = torch.zeros(T, H, W, dtype=torch.uint8)
    mask[:, 8:20, 8:20] = 1
    s.set_field(mask, 'gt_mask')
    s.set_metainfo(dict(is_labeled=labeled, video_name=f'v{label}',
                        view_affine=np.asarray(affine)))
    return s


def clips(num):
    return torch.randn(num, 1, 3, T, H, W)


def check_losses(losses, expected):
    assert expected <= set(losses)
    for key, value in losses.items():
        assert torch.isfinite(value).all(), key
    total = sum(v for k, v in losses.items() if 'loss' in k)
    total.backward()


def test_mixmatch_detector_loss_step():
    torch.manual_seed(0)
    model = MODELS.build(dict(type='MixMatchDetector',
                              detector=TINY_DETECTOR))
    flags = [True, False, False]
    flip = ((-1., 0., 0.), (0., 1., 0.))
    inputs = dict(orig=clips(3), aug=clips(3))
    samples = dict(orig=[sample(f, i) for i, f in enumerate(flags)],
                   aug=[sample(f, i, flip) for i, f in enumerate(flags)])
    check_losses(model.loss(inputs, samples),
                 {'sup_loss_cls', 'sup_loss_loc', 'unsup_loss_cls',
                  'unsup_loss_loc', 'mixup_lambda'})


@pytest.mark.parametrize('algo', ['MeanTeacherDetector',
                                  'PseudoLabelDetector'])
def test_teacher_student_detector_loss_step(algo):
    torch.manual_seed(0)
    model = MODELS.build(dict(type=algo, detector=TINY_DETECTOR,
                              semi_train_cfg=dict(cls_threshold=0.0)
                              if algo == 'PseudoLabelDetector' else None))
    inputs = dict(sup=clips(2), unsup_teacher=clips(2),
                  unsup_student=clips(2))
    samples = dict(sup=[sample(True, 0), sample(True, 1)],
                   unsup_teacher=[sample(False, 0), sample(False, 1)],
                   unsup_student=[sample(False, 0), sample(False, 1)])
    losses = model.loss(inputs, samples)
    expected = {'sup_loss_cls', 'sup_loss_loc'} | (
        {'unsup_loss_l2', 'unsup_loss_dop'} if algo == 'MeanTeacherDetector'
        else {'unsup_loss_cls', 'unsup_loss_loc', 'unsup_clip_keep_ratio'})
    check_losses(losses, expected)
    assert all(p.grad is None for p in model.teacher.parameters())
    if algo == 'PseudoLabelDetector':
        assert math.isclose(losses['unsup_clip_keep_ratio'].item(), 1.0)


def test_mixmatch_guesses_sharpened_average_over_k_views(monkeypatch):
    """K = 3 views (the clip, its flip, the clip again): the guessed class is
    the sharpened mean distribution and the guessed mask the sharpened mean
    of the three maps after the flip is undone."""
    from mmssl.models.detectors.capsule_detector import DetectionOutput
    model = MODELS.build(dict(type='MixMatchDetector', detector=TINY_DETECTOR,
                              semi_train_cfg=dict(
                                  views=('a', 'b', 'c'), temperature=0.5)))
    num = 2
    base = torch.rand(num, 1, T, H, W) * 0.8 + 0.1
    other = torch.rand(num, 1, T, H, W) * 0.8 + 0.1
    maps = torch.cat([base, base.flip(-1), other])  # view-major, K*N
    scores = torch.tensor([[0.6, 0.2, 0.2], [0.1, 0.1, 0.3]]).repeat(3, 1)
    scores[num:2 * num] = torch.tensor([[0.2, 0.2, 0.6], [0.1, 0.1, 0.3]])

    def fake_forward(inputs, labels=None, use_all=None):
        assert inputs.shape[0] == 3 * num
        return DetectionOutput(torch.logit(maps), scores, None, (1., 1.))

    monkeypatch.setattr(model.detector, 'forward_detection', fake_forward)
    flip = ((-1., 0., 0.), (0., 1., 0.))
    view_samples = [[sample(False, i) for i in range(num)],
                    [sample(False, i, flip) for i in range(num)],
                    [sample(False, i) for i in range(num)]]
    cls_guess, mask_guess = model.guess_labels(
        [clips(num)[:, 0] for _ in range(3)], view_samples)

    # (0.6+0.2+0.6)/3 = 7/15, (0.2+0.2+0.2)/3 = 3/15, (0.2+0.6+0.2)/3 = 5/15;
    # sharpened with T = 0.5: squares over their sum (49, 9, 25) / 83.
    expected_first = torch.tensor([49., 9., 25.]) / 83.
    assert torch.allclose(cls_guess[0], expected_first, atol=1e-5)
    # The second clip's views agree: [1, 1, 3]/5 -> squares (1, 1, 9) / 11.
    assert torch.allclose(cls_guess[1], torch.tensor([1., 1., 9.]) / 11.,
                          atol=1e-5)
    mean_map = (2 * base + other) / 3
    expected_mask = mean_map**2 / (mean_map**2 + (1 - mean_map)**2)
    assert torch.allclose(mask_guess, expected_mask, atol=1e-4)
