"""Capsule layers, EM routing, class masking and the mask decoder."""
import mmssl  # noqa: F401  (before mmaction.models)
import pytest
import torch

from mmssl.models.heads import (CapsuleHead, CapsuleMaskDecoder, ConvCapsules,
                                PrimaryCapsules, class_mask, em_routing,
                                mask_poses)
from mmssl.models.heads.capsule_mask_decoder import upsampling_conv
from mmssl.models.heads.em_routing import inverse_temperatures


def routing_params(num_classes: int, dim: int = 16):
    return torch.zeros(num_classes, dim), torch.zeros(num_classes)


class TestEMRouting:

    def test_shapes_and_activation_range(self):
        gen = torch.Generator().manual_seed(0)
        votes = torch.randn(6, 8, 5, 16, generator=gen)
        a_in = torch.rand(6, 8, generator=gen)
        for released in (False, True):
            mu, a_out = em_routing(votes, a_in, *routing_params(5),
                                   released=released)
            assert mu.shape == (6, 5, 16) and a_out.shape == (6, 5)
            assert bool(((a_out > 0) & (a_out < 1)).all())

    def test_agreeing_votes_win_and_released_sign_is_flipped(self):
        gen = torch.Generator().manual_seed(1)
        votes = torch.randn(1, 8, 2, 16, generator=gen)
        votes[:, :, 0] = votes[:, :1, 0]  # every input agrees on class 0
        a_in = torch.ones(1, 8)
        _, a_out = em_routing(votes, a_in, *routing_params(2))
        assert a_out[0, 0] > a_out[0, 1]
        _, a_released = em_routing(votes, a_in, *routing_params(2),
                                   released=True)
        assert a_released[0, 0] < a_released[0, 1]

    def test_input_activations_weight_the_poses(self):
        votes = torch.arange(4.).view(1, 4, 1, 1).expand(1, 4, 1, 16)
        a_in = torch.tensor([[1., 1., 0.01, 0.01]])
        mu, _ = em_routing(votes, a_in, *routing_params(1))
        expected = (0. + 1. + 0.02 + 0.03) / 2.02
        assert torch.allclose(mu, torch.full_like(mu, expected), atol=1e-5)
        # released: r * a_in re-normalised over the classes cancels a_in
        mu_released, _ = em_routing(votes, a_in, *routing_params(1),
                                    released=True)
        assert torch.allclose(mu_released, torch.full_like(mu, 1.5),
                              atol=1e-5)

    def test_inverse_temperature_schedule(self):
        assert inverse_temperatures((1.0, 3.0), 3) == (1.0, 2.0, 3.0)
        assert inverse_temperatures(0.5, 2) == (0.5, 0.5)

    def test_bad_shapes_are_reported(self):
        with pytest.raises(ValueError, match='M x N x C x D'):
            em_routing(torch.zeros(2, 3, 4), torch.zeros(2, 3),
                       *routing_params(4))


class TestCapsuleLayers:

    def test_primary_capsules(self):
        caps = PrimaryCapsules(6, num_caps=4, kernel_size=3, pose_size=4)
        poses, acts = caps(torch.randn(2, 6, 7, 8))
        assert poses.shape == (2, 5, 6, 4, 16)
        assert acts.shape == (2, 5, 6, 4)
        assert bool(((acts > 0) & (acts < 1)).all())

    def test_windowed_routing_equals_routing_one_window(self):
        torch.manual_seed(0)
        layer = ConvCapsules(3, 4, kernel_size=3, pose_size=2)
        poses = torch.randn(2, 5, 6, 3, 4)
        acts = torch.rand(2, 5, 6, 3)
        out_poses, out_acts = layer(poses, acts)
        assert out_poses.shape == (2, 3, 4, 4, 4)
        assert out_acts.shape == (2, 3, 4, 4)
        # position (1, 2) of clip 1: window rows 1..3, cols 2..4
        win_p = poses[1, 1:4, 2:5].reshape(27, 2, 2)
        win_a = acts[1, 1:4, 2:5].reshape(1, 27)
        votes = torch.einsum('nij,ncjk->ncik', win_p, layer.weight)
        mu, a_out = em_routing(
            votes.reshape(1, 27, 4, 4), win_a, layer.beta_u, layer.beta_a)
        assert torch.allclose(out_poses[1, 1, 2], mu[0], atol=1e-5)
        assert torch.allclose(out_acts[1, 1, 2], a_out[0], atol=1e-6)

    def test_head_scores_are_grid_means(self):
        head = CapsuleHead(16, num_classes=3, num_primary_caps=4,
                           primary_kernel=3)
        out = head(torch.randn(2, 16, 6, 6))
        assert out.poses.shape == (2, 4, 4, 3, 16)
        assert torch.allclose(out.scores, out.activations.mean((1, 2)))
        with pytest.raises(ValueError, match='too small'):
            head(torch.randn(1, 16, 2, 2))


class TestClassMask:

    def test_ground_truth_predicted_and_all(self):
        scores = torch.tensor([[0.1, 0.9, 0.2], [0.8, 0.1, 0.3],
                               [0.2, 0.3, 0.7]])
        labels = torch.tensor([2, -1, -1])
        use_all = torch.tensor([False, False, True])
        mask = class_mask(scores, labels, use_all)
        expected = torch.tensor([[0., 0., 1.], [1., 0., 0.], [1., 1., 1.]])
        assert torch.equal(mask, expected)
        assert torch.equal(class_mask(scores),
                           torch.eye(3)[torch.tensor([1, 0, 2])])

    def test_mask_poses_zeroes_other_classes(self):
        poses = torch.ones(2, 3, 3, 4, 16)
        mask = torch.tensor([[0., 1., 0., 0.], [1., 1., 1., 1.]])
        masked = mask_poses(poses, mask)
        assert masked[0, :, :, 1].eq(1).all()
        assert masked[0, :, :, 0].eq(0).all()
        assert masked[1].eq(1).all()

    def test_out_of_range_label_is_reported(self):
        with pytest.raises(ValueError, match='do not fit'):
            class_mask(torch.rand(2, 3), torch.tensor([0, 3]))


class TestDecoder:

    @pytest.mark.parametrize('stride', [(1, 1, 1), (2, 2, 2), (8, 2, 4)])
    def test_upsampling_conv_multiplies_by_stride(self, stride):
        conv = upsampling_conv(2, 3, stride)
        out = conv(torch.zeros(1, 2, 1, 3, 5))
        assert out.shape == (1, 3, stride[0], 3 * stride[1], 5 * stride[2])

    def test_decodes_to_clip_size_with_skips(self):
        dec = CapsuleMaskDecoder(num_classes=3, deep_channels=10,
                                 skip_channels=(4, 6), primary_kernel=3,
                                 channels=8)
        poses = torch.randn(2, 6, 6, 3, 16)
        deep = torch.randn(2, 10, 8, 8)
        skips = [torch.randn(2, 4, 4, 32, 32), torch.randn(2, 6, 2, 16, 16)]
        out = dec(poses, deep, skips, (8, 64, 64))
        assert out.shape == (2, 1, 8, 64, 64)

    def test_odd_sizes_are_resized_and_wrong_strides_reported(self):
        dec = CapsuleMaskDecoder(num_classes=2, deep_channels=5,
                                 skip_channels=(3, ), strides=((2, 2, 2),
                                                               (2, 2, 2)),
                                 primary_kernel=3, channels=4)
        poses = torch.randn(1, 4, 4, 2, 16)
        deep = torch.randn(1, 5, 6, 6)
        out = dec(poses, deep, [torch.randn(1, 3, 2, 11, 12)], (4, 22, 23))
        assert out.shape == (1, 1, 4, 22, 23)
        with pytest.raises(ValueError, match='decoder stage 0'):
            dec(poses, deep, [torch.randn(1, 3, 2, 24, 24)], (4, 48, 48))
        with pytest.raises(ValueError, match='primary_kernel'):
            dec(poses, torch.randn(1, 5, 9, 9),
                [torch.randn(1, 3, 2, 18, 18)], (4, 36, 36))
