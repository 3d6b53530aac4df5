"""TemporalDifferencePreprocessor: normalised frame differences per clip."""
import pytest
import torch

import mmssl  # noqa: F401
from mmaction.registry import MODELS
from mmssl.models.data_preprocessors import temporal_difference


def build(**kwargs):
    cfg = dict(type='TemporalDifferencePreprocessor', mean=[10., 20., 30.],
               std=[2., 4., 8.], format_shape='NCTHW')
    cfg.update(kwargs)
    return MODELS.build(cfg)


def test_differences_of_normalised_frames_per_clip():
    # two clips of 3 frames; frame t of clip c has value 100 * c + t ** 2
    t = torch.arange(3.).view(1, 1, 3, 1, 1)
    clips = (100 * torch.arange(2.).view(2, 1, 1, 1, 1) + t ** 2).expand(
        2, 3, 3, 2, 2)
    out = build()(dict(inputs=[clips, clips + 7], data_samples=[None, None]))
    diffs = out['inputs']
    assert diffs.shape == (2, 2, 3, 2, 2, 2)  # B, clips, C, T - 1, H, W
    std = torch.tensor([2., 4., 8.]).view(3, 1, 1, 1)
    expected = torch.tensor([1., 3.]).view(1, 2, 1, 1) / std
    # the mean and a constant offset (static content) cancel; no leak
    # between clips (clip 1 starts 100 above clip 0)
    for sample in diffs:
        for clip in sample:
            torch.testing.assert_close(clip, expected.expand(3, 2, 2, 2))


def test_with_rgb_keeps_frames_and_length():
    t = torch.arange(3.).view(1, 3, 1, 1)
    clip = (t ** 2).expand(3, 3, 2, 2) + 10.
    out = build(with_rgb=True)(dict(inputs=[clip[None]],
                                    data_samples=[None]))['inputs']
    assert out.shape == (1, 1, 6, 3, 2, 2)  # B, clips, 2C, T, H, W
    std = torch.tensor([2., 4., 8.]).view(3, 1, 1, 1)
    mean = torch.tensor([10., 20., 30.]).view(3, 1, 1, 1)
    torch.testing.assert_close(out[0, 0, :3], (clip - mean) / std)
    expected_diff = torch.tensor([0., 1., 3.]).view(1, 3, 1, 1) / std
    torch.testing.assert_close(out[0, 0, 3:], expected_diff.expand(3, 3, 2, 2))


def test_bad_shapes_are_errors():
    with pytest.raises(ValueError, match='NCTHW'):
        build(format_shape='NCHW')
    with pytest.raises(ValueError, match='T >= 2'):
        temporal_difference(torch.zeros(1, 3, 1, 4, 4))


def test_recognizer3d_trains_on_differences():
    recognizer = MODELS.build(
        dict(type='Recognizer3D',
             backbone=dict(type='ResNet3d', depth=18, base_channels=4,
                           pretrained=None, pretrained2d=False,
                           conv1_kernel=(3, 3, 3), conv1_stride_t=1,
                           pool1_stride_t=1, inflate=(1, 1, 1, 1)),
             cls_head=dict(type='I3DHead', num_classes=2, in_channels=32),
             data_preprocessor=dict(type='TemporalDifferencePreprocessor',
                                    mean=[0., 0., 0.], std=[1., 1., 1.],
                                    format_shape='NCTHW')))
    from mmaction.structures import ActionDataSample
    data = dict(inputs=[torch.rand(1, 3, 4, 16, 16) * 255] * 2,
                data_samples=[ActionDataSample().set_gt_label(i)
                              for i in range(2)])
    data = recognizer.data_preprocessor(data, training=True)
    assert data['inputs'].shape == (2, 1, 3, 3, 16, 16)
    losses = recognizer(**data, mode='loss')
    assert torch.isfinite(losses['loss_cls'])
