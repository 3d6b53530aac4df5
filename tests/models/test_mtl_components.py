"""Known-answer tests of the Multi-scale Temporal Learning blocks."""
import pytest
import torch
import torch.nn.functional as F

import mmssl  # noqa: F401
from mmssl.models.heads import TemporalCalibration
from mmssl.models.losses import TemporalAlignmentLoss
from mmssl.models.utils import temporal_features


@pytest.mark.parametrize('hidden', [None, 6])
@pytest.mark.parametrize('fusion', ['mean', 'attention'])
def test_calibration_weights_sum_to_one_over_time(hidden, fusion):
    torch.manual_seed(0)
    calib = TemporalCalibration(8, hidden_channels=hidden,
                                scale_fusion=fusion)
    out = calib(torch.randn(3, 8), torch.randn(3, 2, 5, 8))
    assert out.time_weights.shape == (3, 2, 5)
    assert torch.allclose(out.time_weights.sum(-1), torch.ones(3, 2))
    assert (out.time_weights >= 0).all()
    assert torch.allclose(out.scale_weights.sum(-1), torch.ones(3))
    assert out.feature.shape == (3, 8)
    assert calib.learnable == bool(hidden)


def test_calibration_highlights_the_segment_that_matches_the_query():
    basis = torch.eye(4)
    keys = basis[[1, 2, 0, 3]].view(1, 1, 4, 4)  # the query's match at t=2
    out = TemporalCalibration(4, temperature=0.05)(basis[0:1], keys)
    assert out.time_weights[0, 0].argmax() == 2
    assert out.time_weights[0, 0, 2] > 0.99
    assert torch.allclose(out.feature, basis[0:1], atol=1e-2)


def test_calibrated_feature_is_a_convex_combination():
    torch.manual_seed(1)
    keys = torch.randn(2, 3, 4, 5)
    out = TemporalCalibration(5, scale_fusion='attention')(
        torch.randn(2, 5), keys)
    weights = out.scale_weights[..., None] * out.time_weights
    expect = torch.einsum('bst,bstc->bc', weights, keys)
    assert torch.allclose(out.feature, expect, atol=1e-6)
    with pytest.raises(ValueError, match='keys'):
        TemporalCalibration(5)(torch.randn(2, 5), torch.randn(2, 4, 5))


def test_alignment_loss_values_and_stop_gradient():
    student = torch.tensor([[1., 0.], [0., 1.]], requires_grad=True)
    target = torch.tensor([[2., 0.], [0., -1.]], requires_grad=True)
    loss = TemporalAlignmentLoss()(student, target)
    assert loss.item() == pytest.approx((0 + 2) / 2)
    loss.backward()
    assert student.grad is not None and target.grad is None
    weighted = TemporalAlignmentLoss(loss_weight=2.0)(
        student, target, weight=torch.tensor([1., 0.]))
    assert weighted.item() == pytest.approx(0.0)

    target = torch.tensor([[1., 1.], [1., -1.]], requires_grad=True)
    both = TemporalAlignmentLoss(train_target=True)(student, target)
    both.backward()
    assert target.grad is not None and target.grad.abs().sum() > 0


def test_alignment_lower_for_matching_pairs():
    torch.manual_seed(0)
    feats = F.normalize(torch.randn(16, 32), dim=1)
    noisy = feats + 0.1 * torch.randn(16, 32)
    loss = TemporalAlignmentLoss()
    assert loss(noisy, feats) < loss(noisy, feats[torch.randperm(16)])


def test_temporal_features_of_each_backbone_layout():
    x3d = torch.arange(2 * 3 * 4 * 2 * 2, dtype=torch.float).view(
        2, 3, 4, 2, 2)
    out = temporal_features(x3d)
    assert out.shape == (2, 4, 3)
    assert torch.equal(out[1, 2], x3d[1, :, 2].mean(dim=(1, 2)))
    frames = torch.randn(2 * 5, 7, 3, 3)  # 2-D backbone, 5 segments
    out = temporal_features(frames, num_segs=5)
    assert out.shape == (2, 5, 7)
    assert torch.allclose(out[1, 4], frames[9].mean(dim=(1, 2)))
    with pytest.raises(ValueError, match='num_segs'):
        temporal_features(frames)
    assert temporal_features(torch.randn(2, 9)).shape == (2, 1, 9)
    slow, fast = torch.randn(2, 8, 2, 3, 3), torch.randn(2, 4, 8, 3, 3)
    out = temporal_features((slow, fast))
    assert out.shape == (2, 2, 12)  # fast (4) then slow (8) channels
    assert torch.allclose(out[..., 4:], slow.mean(dim=(3, 4)).transpose(1, 2))
