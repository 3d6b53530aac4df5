"""Known-answer tests of the detection transforms (no video files)."""
import copy

import numpy as np
import pytest
import torch

import mmssl  # noqa: F401
from mmaction.registry import TRANSFORMS
from mmssl.datasets.transforms import (ActionCenterCrop, ActionFlip,
                                       ActionRandomCrop, ActionResize,
                                       ClipColorJitter, ClipGaussianBlur,
                                       ClipGrayscale, LoadActionTargets,
                                       MarkReferenceView, PackDetectionInputs,
                                       SampleActionClip, restore_view)
from mmssl.datasets.transforms.targets import boxes_to_mask


def view(num_frames=3, height=7, width=9, seed=0, test_mode=False) -> dict:
    """A decoded clip with random frames and two integer boxes."""
    rng = np.random.default_rng(seed)
    boxes = np.array([[1, 1, 4, 5], [5, 2, 9, 6]], np.float32)
    frames = np.array([0, 2])
    results = dict(
        imgs=list(rng.integers(0, 256, (num_frames, height, width, 3),
                               np.uint8)),
        img_shape=(height, width),
        ori_shape=(height, width),
        view_affine=np.eye(3)[:2],
        gt_bboxes=boxes,
        gt_bbox_frames=frames,
        gt_bbox_labels=np.array([1, 1]),
        gt_mask=boxes_to_mask(boxes, frames, num_frames, (height, width)),
        gt_frame_valid=np.array([True, False, True]),
        label=1,
        is_labeled=True,
        video_name='Class/video',
        target_frame_inds=np.array([5, 7, 9]),
        test_mode=test_mode)
    return results


def as_pred(mask: np.ndarray) -> torch.Tensor:
    """(T, H, W) mask as a 1 x 1 x T x H x W float prediction."""
    return torch.from_numpy(mask.astype(np.float32))[None, None]


def test_mask_from_box_has_exactly_the_box_pixels():
    mask = boxes_to_mask(np.array([[3, 2, 9, 7]]), np.array([0]), 2, (10, 12))
    expected = np.zeros((2, 10, 12), np.uint8)
    expected[0, 2:7, 3:9] = 1
    np.testing.assert_array_equal(mask, expected)
    # a fractional box covers the pixels whose centres lie inside it
    mask = boxes_to_mask(np.array([[2.4, 1.6, 5.5, 3.5]]), np.array([1]), 2,
                         (6, 8))
    assert mask.sum() == 3 and mask[1, 2, 2:5].all()
    # boxes reaching outside the frame are cut at its border
    mask = boxes_to_mask(np.array([[-3, -1, 2, 2]]), np.array([0]), 1, (4, 4))
    assert mask.sum() == 4 and mask[0, :2, :2].all()


def test_targets_of_the_clip_frames():
    tubes = [
        dict(label=1, frames=np.array([3, 4, 5]),
             boxes=np.array([[0, 0, 2, 2], [1, 0, 3, 2], [2, 0, 4, 2]],
                            np.float32)),
        dict(label=1, frames=np.array([5, 6]),
             boxes=np.array([[4, 4, 6, 6], [5, 4, 7, 6]], np.float32)),
    ]
    results = dict(target_frame_inds=np.array([1, 3, 5, 7]), ori_shape=(8, 8),
                   tubes=tubes, label=1, is_labeled=True, mask_file=None)
    out = LoadActionTargets()(results)
    np.testing.assert_array_equal(out['gt_bbox_frames'], [1, 2, 2])
    np.testing.assert_array_equal(out['gt_bboxes'],
                                  [[0, 0, 2, 2], [2, 0, 4, 2], [4, 4, 6, 6]])
    np.testing.assert_array_equal(out['gt_frame_valid'],
                                  [False, True, True, False])
    assert out['gt_mask'].shape == (4, 8, 8)
    np.testing.assert_array_equal(out['gt_mask'].sum((1, 2)), [0, 4, 8, 0])
    # an unlabeled clip has no targets and label -1
    results = dict(results, is_labeled=False)
    out = LoadActionTargets()(results)
    assert out['label'] == -1 and out['gt_mask'].sum() == 0
    assert len(out['gt_bboxes']) == 0 and not out['gt_frame_valid'].any()


def test_flip_then_restore_is_exact():
    results = view()
    original = results['gt_mask'].copy()
    out = ActionFlip(flip_ratio=1.0)(results)
    np.testing.assert_array_equal(out['view_affine'],
                                  [[-1, 0, 0], [0, 1, 0]])
    np.testing.assert_array_equal(out['gt_mask'], original[:, :, ::-1])
    np.testing.assert_array_equal(
        boxes_to_mask(out['gt_bboxes'], out['gt_bbox_frames'], 3, (7, 9)),
        out['gt_mask'])
    restored, valid = restore_view(
        as_pred(out['gt_mask']), out['view_affine'][None], (7, 9))
    assert valid.all()
    assert torch.equal(restored[0, 0], torch.from_numpy(original).float())


def test_crop_then_restore_restores_the_cropped_region():
    np.random.seed(3)
    results = view(height=9, width=11)
    original = results['gt_mask'].copy()
    out = ActionRandomCrop(size=(6, 5))(results)
    x0, y0, x1, y1 = out['crop_bbox']
    assert (x1 - x0, y1 - y0) == (6, 5)
    np.testing.assert_array_equal(
        boxes_to_mask(out['gt_bboxes'], out['gt_bbox_frames'], 3, (5, 6)),
        out['gt_mask'])
    restored, valid = restore_view(
        as_pred(out['gt_mask']), out['view_affine'], (9, 11))
    expected_valid = np.zeros((9, 11), bool)
    expected_valid[y0:y1, x0:x1] = True
    np.testing.assert_array_equal(valid[0, 0, 0].numpy(), expected_valid)
    expected = np.zeros_like(original)
    expected[:, y0:y1, x0:x1] = original[:, y0:y1, x0:x1]
    assert torch.equal(restored[0, 0], torch.from_numpy(expected).float())


def test_resize_crop_flip_chain_restores_exactly():
    np.random.seed(0)
    results = view(height=8, width=10)
    original = results['gt_mask'].copy()
    for transform in (ActionResize(scale=2.0), ActionCenterCrop(size=(12, 10)),
                      ActionFlip(flip_ratio=1.0)):
        results = transform(results)
    assert results['img_shape'] == (10, 12)
    assert results['imgs'][0].shape == (10, 12, 3)
    np.testing.assert_array_equal(
        boxes_to_mask(results['gt_bboxes'], results['gt_bbox_frames'], 3,
                      (10, 12)), results['gt_mask'])
    restored, valid = restore_view(
        as_pred(results['gt_mask']), results['view_affine'], (8, 10))
    # the centre crop of the 2x view sees the centres of original columns
    # 2..7 and rows 1..6 (rows 1 and 6 on its border)
    expected_valid = np.zeros((8, 10), bool)
    expected_valid[1:7, 2:8] = True
    np.testing.assert_array_equal(valid[0, 0, 0].numpy(), expected_valid)
    inside = torch.from_numpy(expected_valid)
    assert torch.equal(restored[0, 0][:, inside],
                       torch.from_numpy(original).float()[:, inside])


def test_restore_view_batched_and_differentiable():
    torch.manual_seed(0)
    reference = torch.rand(2, 2, 3, 6, 8)
    views = torch.stack([reference[0].flip(-1), reference[1]])
    views.requires_grad_(True)
    affines = [np.array([[-1., 0, 0], [0, 1, 0]]), np.eye(3)[:2]]
    restored, valid = restore_view(views, affines, (6, 8))
    assert torch.equal(restored, reference) and valid.all()
    restored.sum().backward()
    assert torch.equal(views.grad, torch.ones_like(views))
    # a 2x upsampled view restores bilinearly onto the reference grid
    up = torch.nn.functional.interpolate(
        reference.flatten(1, 2), scale_factor=2, mode='nearest')
    restored, valid = restore_view(up.view(2, 2, 3, 12, 16), np.eye(3)[:2],
                                   (6, 8))
    assert torch.equal(restored, reference) and valid.all()
    with pytest.raises(TypeError, match='nearest'):
        restore_view(torch.zeros(1, 1, 1, 4, 4, dtype=torch.uint8),
                     np.eye(3)[:2], (4, 4))
    out, _ = restore_view(torch.ones(1, 1, 1, 4, 4, dtype=torch.uint8),
                          np.array([[-1., 0, 0], [0, 1, 0]]), (4, 4),
                          mode='nearest')
    assert out.dtype == torch.uint8 and out.sum() == 16


def test_test_mode_keeps_targets_in_original_pixels():
    results = view(test_mode=True)
    original = copy.deepcopy(results)
    for transform in (ActionResize(scale=(18, 14), keep_ratio=False),
                      ActionFlip(flip_ratio=1.0)):
        results = transform(results)
    assert results['imgs'][0].shape == (14, 18, 3)
    np.testing.assert_array_equal(results['gt_mask'], original['gt_mask'])
    np.testing.assert_array_equal(results['gt_bboxes'], original['gt_bboxes'])
    # the prediction of the test view goes back to the original frame
    np.testing.assert_array_equal(results['view_affine'],
                                  [[-1, 0, 0], [0, 1, 0]])


def test_crop_drops_boxes_outside_and_rejects_large_crops():
    results = view(height=9, width=11)
    results['gt_bboxes'] = np.array([[0, 0, 2, 2], [5, 5, 9, 8]], np.float32)
    results['gt_mask'] = boxes_to_mask(results['gt_bboxes'],
                                       results['gt_bbox_frames'], 3, (9, 11))
    transform = ActionCenterCrop(size=5)  # x 3..8, y 2..7
    out = transform(results)
    np.testing.assert_array_equal(out['gt_bboxes'], [[2, 3, 5, 5]])
    np.testing.assert_array_equal(out['gt_bbox_frames'], [2])
    with pytest.raises(ValueError, match='larger than'):
        ActionCenterCrop(size=20)(view())


def test_photometric_ops_are_consistent_across_frames():
    np.random.seed(0)
    frame = np.random.randint(0, 256, (6, 7, 3), np.uint8)
    for transform in (ClipColorJitter(prob=1.0), ClipGrayscale(prob=1.0),
                      ClipGaussianBlur(prob=1.0)):
        out = transform(dict(imgs=[frame.copy() for _ in range(4)]))
        assert all(np.array_equal(img, out['imgs'][0]) for img in out['imgs'])
        assert out['imgs'][0].dtype == np.uint8
        assert not np.array_equal(out['imgs'][0], frame)


def test_photometric_known_answers():
    red = np.zeros((2, 2, 3), np.uint8)
    red[..., 0] = 255
    gray = ClipGrayscale(prob=1.0)(dict(imgs=[red]))['imgs'][0]
    assert (gray == 76).all()  # 0.299 * 255
    bright = ClipColorJitter(brightness=(2, 2), contrast=0, saturation=0,
                             hue=0, prob=1.0)
    out = bright(dict(imgs=[np.full((2, 2, 3), 100, np.uint8),
                            np.full((2, 2, 3), 200, np.uint8)]))['imgs']
    assert (out[0] == 200).all() and (out[1] == 255).all()
    hue = ClipColorJitter(brightness=0, contrast=0, saturation=0,
                          hue=(1 / 3, 1 / 3), prob=1.0)
    green = hue(dict(imgs=[red]))['imgs'][0]
    assert (green[..., 1] == 255).all() and (green[..., [0, 2]] == 0).all()
    with pytest.raises(ValueError, match='hue'):
        ClipColorJitter(hue=0.7)


def test_pack_detection_inputs_fields():
    results = view()
    results = MarkReferenceView()(ActionFlip(flip_ratio=1.0)(results))
    packed = PackDetectionInputs()(results)
    inputs, sample = packed['inputs'], packed['data_samples']
    assert inputs.shape == (1, 3, 3, 7, 9) and inputs.dtype == torch.uint8
    assert torch.equal(inputs[0, :, 1], torch.from_numpy(
        results['imgs'][1]).permute(2, 0, 1))
    assert sample.gt_label.tolist() == [1]
    assert sample.gt_mask.shape == (3, 7, 9)
    assert sample.gt_mask.dtype == torch.uint8
    assert sample.gt_frame_valid.dtype == torch.bool
    assert sample.gt_bboxes.shape == (2, 4)
    assert sample.gt_bboxes.dtype == torch.float32
    assert sample.gt_bbox_frames.tolist() == [0, 2]
    assert sample.gt_bbox_labels.tolist() == [1, 1]
    meta = sample.metainfo
    assert meta['is_labeled'] is True and meta['video_name'] == 'Class/video'
    assert meta['frame_inds'].tolist() == [5, 7, 9]
    assert meta['ori_shape'] == (7, 9) and meta['img_shape'] == (7, 9)
    assert meta['frame_interval'] == 1  # no SampleActionClip in this test
    np.testing.assert_array_equal(meta['view_affine'], np.eye(3)[:2])


@pytest.mark.parametrize('key,total,expected_first', [
    (10, 40, 1),   # centred: key frame is the 5th of 8 frames, stride 2
    (2, 40, 1),    # moved right by whole strides at the start
    (40, 40, 25),  # moved left at its end
])
def test_training_clip_placement(key, total, expected_first):
    np.random.seed(0)
    results = dict(total_frames=total, clip_len=8, frame_interval=2,
                   key_frames=np.array([key]), test_mode=False)
    out = SampleActionClip()(results)
    expected = expected_first + 2 * np.arange(8)
    np.testing.assert_array_equal(out['frame_inds'], expected)
    np.testing.assert_array_equal(out['target_frame_inds'], expected + 1)
    assert key - 1 in out['frame_inds']


def test_released_boundary_placement():
    sample = SampleActionClip(released_boundary=True)
    results = dict(total_frames=40, clip_len=8, frame_interval=2,
                   key_frames=np.array([3]), test_mode=False)
    out = sample(dict(results))  # centre 2 (0-based): stride 1 from 0
    np.testing.assert_array_equal(out['frame_inds'], np.arange(8))
    assert out['frame_interval'] == 1
    out = sample(dict(results, key_frames=np.array([21])))
    np.testing.assert_array_equal(out['frame_inds'], 12 + 2 * np.arange(8))
    out = sample(dict(results, key_frames=np.array([39])))
    np.testing.assert_array_equal(out['frame_inds'], 24 + 2 * np.arange(8))
    assert out['frame_interval'] == 2


def test_short_video_and_test_window():
    out = SampleActionClip()(dict(total_frames=10, clip_len=8,
                                  frame_interval=2,
                                  key_frames=np.array([5]), test_mode=False))
    np.testing.assert_array_equal(out['frame_inds'],
                                  [0, 2, 4, 6, 8, 9, 9, 9])
    np.testing.assert_array_equal(out['target_frame_inds'],
                                  [1, 3, 5, 7, 9, 10, 10, 10])
    out = SampleActionClip()(dict(total_frames=20, clip_len=8,
                                  frame_interval=2, window_start=17,
                                  test_mode=True))
    np.testing.assert_array_equal(out['frame_inds'],
                                  [16, 18, 19, 19, 19, 19, 19, 19])
    np.testing.assert_array_equal(out['target_frame_inds'], [17, 18, 19, 20])


def test_two_view_pipeline_with_multi_branch():
    np.random.seed(1)
    pipeline = TRANSFORMS.build(
        dict(type='MultiBranch',
             branch_field=['orig', 'aug'],
             orig=[dict(type='PackDetectionInputs')],
             aug=[
                 dict(type='ActionFlip', flip_ratio=1.0),
                 dict(type='ClipColorJitter', prob=1.0),
                 dict(type='PackDetectionInputs')
             ]))
    results = MarkReferenceView()(ActionRandomCrop(size=6)(view()))
    out = pipeline(results)
    orig, aug = out['data_samples']['orig'], out['data_samples']['aug']
    assert out['inputs']['orig'].shape == out['inputs']['aug'].shape
    np.testing.assert_array_equal(orig.view_affine, np.eye(3)[:2])
    np.testing.assert_array_equal(aug.view_affine, [[-1, 0, 0], [0, 1, 0]])
    assert torch.equal(aug.gt_mask, orig.gt_mask.flip(-1))
    restored, valid = restore_view(
        aug.gt_mask.float()[None, None], [aug.view_affine], orig.img_shape)
    assert valid.all() and torch.equal(restored[0, 0], orig.gt_mask.float())
    # unlabeled branch samples keep their flag
    unlabeled = dict(results, is_labeled=False, label=-1)
    out = pipeline(unlabeled)
    assert out['data_samples']['aug'].is_labeled is False
    assert out['data_samples']['aug'].gt_label.tolist() == [-1]
