"""Known-answer tests of the E2E-SSL detection losses and attention masks."""
import math

import mmssl  # noqa: F401  (before mmaction.models)
import numpy as np
import pytest
import torch
from mmaction.registry import MODELS

from mmssl.models.losses import (BCEDiceLoss, GradientSmoothnessLoss,
                                 JSDConsistencyLoss,
                                 LocalizationConsistencyLoss, SpreadLoss,
                                 TemporalCoherenceLoss, gradient_attention,
                                 variance_attention)
from mmssl.models.losses.attention_masks import cyclic_variance


def flip_restore(maps: torch.Tensor) -> torch.Tensor:
    """Undo a horizontal flip of ``B x C x T x H x W`` maps."""
    return maps.flip(-1)


def reference_cyclic_variance(pred: np.ndarray, aug: np.ndarray,
                              window: int) -> np.ndarray:
    """The released per-clip numpy loop (T x H x W in, T x H x W out,
    unnormalised), written out for comparison."""
    num_frames = pred.shape[0]
    cycle = np.concatenate([pred, aug[::-1][1:num_frames - 1]], axis=0)
    length = cycle.shape[0]
    half = window // 2
    var = np.stack([
        np.var(np.take(cycle, [(t + k) % length
                               for k in range(-half, half + 1)], axis=0),
               axis=0) for t in range(length)
    ])
    out = var[:num_frames].copy()
    for t in range(num_frames):
        out[t] = 2 * var[t] if t in (0, num_frames - 1) else \
            var[t] + var[length - t]
    return out


class TestAttentionMasks:

    def test_variance_mask_of_constant_prediction_is_zero(self):
        pred = torch.full((2, 1, 8, 5, 6), 0.3)
        pred[1] = 0.7
        for cyclic in (True, False):
            mask = variance_attention(pred, pred.clone(), cyclic=cyclic)
            assert mask.shape == pred.shape
            assert torch.allclose(mask, torch.zeros_like(mask), atol=1e-6)

    def test_cyclic_variance_matches_released_loop(self):
        gen = torch.Generator().manual_seed(0)
        pred = torch.rand(2, 1, 8, 3, 4, generator=gen, dtype=torch.float64)
        aug = torch.rand(2, 1, 8, 3, 4, generator=gen, dtype=torch.float64)
        ours = cyclic_variance(pred, aug, window=5)
        for b in range(2):
            expected = reference_cyclic_variance(pred[b, 0].numpy(),
                                                 aug[b, 0].numpy(), 5)
            np.testing.assert_allclose(ours[b, 0].numpy(), expected,
                                       rtol=1e-10)

    def test_variance_mask_is_normalised_per_clip_and_detached(self):
        pred = torch.rand(3, 1, 6, 4, 4, requires_grad=True)
        aug = torch.rand(3, 1, 6, 4, 4)
        mask = variance_attention(pred, aug)
        assert not mask.requires_grad
        flat = mask.flatten(1)
        assert torch.allclose(flat.min(1).values, torch.zeros(3), atol=1e-6)
        assert torch.allclose(flat.max(1).values, torch.ones(3), atol=1e-5)

    def test_plain_variance_truncates_window_at_clip_ends(self):
        # one pixel, values 0..4 over 5 frames, window 3
        pred = torch.arange(5.).view(1, 1, 5, 1, 1)
        mask = variance_attention(pred, cyclic=False, window=3)
        # variances: [0.25, 2/3, 2/3, 2/3, 0.25] -> min-max
        expected = torch.tensor([0., 1., 1., 1., 0.])
        assert torch.allclose(mask.flatten(), expected, atol=1e-5)

    def test_invalid_pixels_take_the_original_prediction(self):
        pred = torch.full((1, 1, 6, 2, 2), 0.5)
        aug = torch.rand(1, 1, 6, 2, 2)
        valid = torch.zeros(1, 1, 1, 2, 2, dtype=torch.bool)
        mask = variance_attention(pred, aug, valid=valid)
        assert torch.allclose(mask, torch.zeros_like(mask), atol=1e-6)

    def test_gradient_mask_of_linear_in_time_prediction_is_zero(self):
        # exactly representable values: the second derivative is exactly 0
        t = torch.arange(8.).view(1, 1, 8, 1, 1)
        prob = 0.25 + 0.0625 * t * torch.ones(2, 1, 8, 3, 3)
        mask = gradient_attention(prob)
        assert torch.equal(mask, torch.zeros_like(mask))

    def test_gradient_mask_marks_a_temporal_spike(self):
        prob = torch.zeros(1, 1, 8, 2, 2)
        prob[:, :, 4, 0, 0] = 1.
        mask = gradient_attention(prob)
        assert mask[0, 0, 4, 0, 0] == pytest.approx(1.0, abs=1e-5)
        assert mask[0, 0, :, 1, 1].abs().max() == 0
        signed = gradient_attention(prob, absolute=False)
        # signed: flat pixels sit in the middle, not at 0
        assert 0 < signed[0, 0, 0, 1, 1] < 1

    def test_gradient_mask_matches_numpy_gradient(self):
        prob = torch.rand(2, 1, 7, 3, 3, dtype=torch.float64)
        second = np.gradient(np.gradient(prob.numpy(), axis=2), axis=2)
        second = np.abs(second)
        low = second.reshape(2, -1).min(1).reshape(2, 1, 1, 1, 1)
        high = second.reshape(2, -1).max(1).reshape(2, 1, 1, 1, 1)
        expected = (second - low) / (high - low + 1e-7)
        np.testing.assert_allclose(gradient_attention(prob).numpy(),
                                   expected, rtol=1e-9)

    def test_bad_shapes_are_reported(self):
        with pytest.raises(ValueError, match='B x 1 x T x H x W'):
            variance_attention(torch.zeros(2, 8, 4, 4))
        with pytest.raises(ValueError, match='odd'):
            variance_attention(torch.zeros(1, 1, 8, 2, 2), window=4)
        with pytest.raises(ValueError, match='restored_aug_pred'):
            variance_attention(torch.zeros(1, 1, 8, 2, 2))


class TestSpreadLoss:

    def test_perfect_prediction_is_zero(self):
        scores = torch.tensor([[0.9, 0.1, 0.3], [0.0, 0.05, 0.8]])
        labels = torch.tensor([0, 2])
        assert SpreadLoss(margin=0.2)(scores, labels).item() == 0.0

    def test_known_value_and_released_double_division(self):
        scores = torch.tensor([[0.5, 0.5, 0.0], [0.2, 0.9, 0.4]])
        labels = torch.tensor([0, 0])
        # clip 0: (0.2 - 0)^2 + 0 = 0.04; clip 1: (0.2+0.7)^2 + (0.2+0.2)^2
        expected = (0.04 + 0.81 + 0.16) / 2
        loss = SpreadLoss(margin=0.2)(scores, labels)
        assert loss.item() == pytest.approx(expected, rel=1e-6)
        released = SpreadLoss(margin=0.2, released_double_division=True)
        assert released(scores, labels).item() == pytest.approx(
            expected / 2, rel=1e-6)

    def test_empty_batch_keeps_graph(self):
        scores = torch.zeros(0, 3, requires_grad=True)
        loss = SpreadLoss()(scores, torch.zeros(0, dtype=torch.long))
        loss.backward()
        assert loss.item() == 0


class TestBCEDice:

    def test_confident_correct_logits_give_near_zero(self):
        target = torch.zeros(2, 1, 4, 6, 6)
        target[:, :, :, 2:4, 2:4] = 1
        logits = (target * 2 - 1) * 30
        assert BCEDiceLoss()(logits, target).item() < 1e-6

    def test_dice_of_disjoint_masks(self):
        target = torch.zeros(1, 1, 1, 2, 2)
        target[..., 0, 0] = 1
        logits = torch.full_like(target, -50.)
        logits[..., 1, 1] = 50.
        loss = BCEDiceLoss(bce_weight=0., smooth=0.)(logits, target)
        assert loss.item() == pytest.approx(1.0, abs=1e-6)

    def test_weight_drops_unannotated_frames(self):
        target = torch.zeros(1, 1, 2, 3, 3)
        logits = torch.full_like(target, -30.)
        logits[:, :, 1] = 30.  # frame 1 wrong, but not annotated
        weight = torch.tensor([True, False]).view(1, 1, 2, 1, 1)
        loss = BCEDiceLoss(dice_weight=0.)(logits, target, weight)
        assert loss.item() < 1e-6
        assert BCEDiceLoss(dice_weight=0.)(logits, target).item() > 1


class TestJSD:

    def test_identical_is_zero_and_divergence_is_symmetric(self):
        gen = torch.Generator().manual_seed(1)
        a = torch.rand(2, 5, 3, 3, generator=gen)
        b = torch.rand(2, 5, 3, 3, generator=gen)
        loss = JSDConsistencyLoss()
        assert loss(a, a.clone()).item() == pytest.approx(0., abs=1e-7)
        assert loss(a, b).item() == pytest.approx(loss(b, a).item(),
                                                  rel=1e-6)
        assert loss(a, b).item() > 0

    def test_disjoint_distributions_give_ln2(self):
        a = torch.tensor([[1., 0.]])
        b = torch.tensor([[0., 1.]])
        loss = JSDConsistencyLoss(eps=0.)
        assert loss(a, b).item() == pytest.approx(math.log(2), rel=1e-6)

    def test_valid_mask_and_symmetric_kl(self):
        a = torch.rand(1, 4, 2, 2)
        b = a.clone()
        b[..., 1, 1] = torch.rand(4)
        valid = torch.ones(1, 1, 2, 2, dtype=torch.bool)
        valid[..., 1, 1] = False
        assert JSDConsistencyLoss()(a, b, valid).item() == pytest.approx(
            0., abs=1e-7)
        kl = JSDConsistencyLoss(divergence='symmetric_kl')
        assert kl(a, a.clone()).item() == pytest.approx(0., abs=1e-7)
        with pytest.raises(ValueError, match='divergence'):
            JSDConsistencyLoss(divergence='l2')


class TestLocalizationConsistency:

    def setup_method(self):
        gen = torch.Generator().manual_seed(2)
        self.pred = torch.rand(2, 1, 8, 6, 7, generator=gen)
        self.other = torch.rand(2, 1, 8, 6, 7, generator=gen)

    @pytest.mark.parametrize('cfg', [
        dict(type='LocalizationConsistencyLoss'),
        dict(type='TemporalCoherenceLoss'),
        dict(type='TemporalCoherenceLoss', cyclic=False,
             with_plain_l2=False),
        dict(type='GradientSmoothnessLoss'),
        dict(type='GradientSmoothnessLoss', absolute=False,
             with_plain_l2=True),
    ])
    def test_exactly_flipped_and_restored_copy_is_zero(self, cfg):
        loss = MODELS.build(cfg)
        aug_view_pred = self.pred.flip(-1)  # what the flipped view predicts
        restored = flip_restore(aug_view_pred)
        value = loss(self.pred, restored, ramp_weight=0.5)
        assert value.item() == 0.0
        assert loss(self.pred, self.other, ramp_weight=0.5).item() > 0

    def test_plain_l2_value_and_valid_pixels(self):
        pred = torch.zeros(1, 1, 2, 2, 2)
        other = torch.zeros(1, 1, 2, 2, 2)
        other[..., 0, 0] = 2.
        loss = LocalizationConsistencyLoss()
        assert loss(pred, other).item() == pytest.approx(1.0)
        valid = torch.ones(1, 1, 1, 2, 2, dtype=torch.bool)
        valid[..., 0, 0] = False
        assert loss(pred, other, valid).item() == 0.0

    def test_ramp_weight_blends_attention_and_plain_l2(self):
        loss = TemporalCoherenceLoss()
        plain = LocalizationConsistencyLoss()(self.pred, self.other)
        at_zero = loss(self.pred, self.other, ramp_weight=0.)
        assert at_zero.item() == pytest.approx(plain.item(), rel=1e-6)
        mask = variance_attention(self.pred, self.other)
        attentive = (mask * (self.pred - self.other)**2).mean()
        at_one = loss(self.pred, self.other, ramp_weight=1.)
        assert at_one.item() == pytest.approx(attentive.item(), rel=1e-6)
        doubled = TemporalCoherenceLoss(released_double_attention=True)
        assert doubled(self.pred, self.other, ramp_weight=1.).item() == \
            pytest.approx(2 * attentive.item(), rel=1e-6)

    def test_gradients_reach_both_views(self):
        pred = self.pred.clone().requires_grad_()
        other = self.other.clone().requires_grad_()
        loss = TemporalCoherenceLoss()(pred, other, ramp_weight=0.5) + \
            GradientSmoothnessLoss()(pred, other)
        loss.backward()
        assert pred.grad.abs().sum() > 0 and other.grad.abs().sum() > 0

    def test_shape_mismatch_is_reported(self):
        with pytest.raises(ValueError, match='differ in shape'):
            LocalizationConsistencyLoss()(self.pred, self.pred[:, :, :4])
