"""The pixel protocol (f-mAP / v-mAP) and mask-to-box conversion on
hand-made masks."""
import numpy as np
import pytest

from mmssl.evaluation.functional import (DEFAULT_THRESHOLDS, masks_to_boxes,
                                         mask_frame_video_map,
                                         mask_iou_counts)


def square_masks():
    """Three videos of 4x4 frames with known IoUs.

    video 0 (class 0): frame IoU 1 and 2/4; video IoU 6/8.
    video 1 (class 0): frame IoU 1/7.
    video 2 (class 1): frame IoU 0 (nothing predicted).
    """
    gt = np.zeros((4, 4, 4), np.uint8)
    gt[:, :2, :2] = 1
    pred = np.zeros((4, 4, 4), np.float32)
    pred[0, :2, :2] = 0.9
    pred[1, 0, :2] = 0.6
    pred[1, 1, :2] = 0.4  # below 0.5: background
    pred[2, 0, 0] = 0.5  # exactly the threshold counts as foreground
    pred[2, 3, :3] = 0.7  # three pixels outside the ground truth
    return pred, gt


def test_mask_iou_counts():
    pred, gt = square_masks()
    inter, union = mask_iou_counts(pred, gt)
    np.testing.assert_array_equal(inter, [4, 2, 1, 0])
    np.testing.assert_array_equal(union, [4, 4, 7, 4])
    with pytest.raises(ValueError, match='shape'):
        mask_iou_counts(pred[:, :3], gt)


def test_frame_and_video_map_hand_computed():
    pred, gt = square_masks()
    inter, union = mask_iou_counts(pred, gt)
    result = mask_frame_video_map(inter, union, [0, 0, 1, 2], [0, 0, 1],
                                  num_classes=3)
    thresholds = result['thresholds']
    np.testing.assert_allclose(thresholds, DEFAULT_THRESHOLDS)
    at = {round(t, 2): i for i, t in enumerate(thresholds)}
    np.testing.assert_allclose(result['frame_iou'], [1, 0.5, 1 / 7, 0])
    np.testing.assert_allclose(result['video_iou'], [0.75, 1 / 7, 0])
    # class 0: frames [1, .5, 1/7]; class 1: [0]; class 2: no videos.
    f_ap = result['f-AP']
    assert f_ap[at[0.2], 0] == pytest.approx(200 / 3)
    assert f_ap[at[0.5], 0] == pytest.approx(200 / 3)
    assert f_ap[at[0.55], 0] == pytest.approx(100 / 3)
    assert f_ap[at[0.1], 0] == pytest.approx(100.0)
    assert f_ap[at[0.2], 1] == 0.0
    assert np.all(np.isnan(f_ap[:, 2]))
    assert result['f-mAP'][at[0.5]] == pytest.approx(100 / 3)
    assert result['f-mAP'][at[0.0]] == pytest.approx(100.0)
    # videos: class 0 [0.75, 1/7], class 1 [0].
    assert result['v-AP'][at[0.5], 0] == pytest.approx(50.0)
    assert result['v-AP'][at[0.8], 0] == 0.0
    assert result['v-mAP'][at[0.2]] == pytest.approx(25.0)
    assert result['v-mAP'][at[0.1]] == pytest.approx(50.0)


def test_ground_truth_against_itself_and_empty_frames():
    _, gt = square_masks()
    inter, union = mask_iou_counts(gt.astype(np.float32), gt)
    result = mask_frame_video_map(inter, union, [0, 0, 1, 1], [0, 1])
    np.testing.assert_allclose(result['f-mAP'], 100.0)
    np.testing.assert_allclose(result['v-mAP'], 100.0)
    # An empty prediction on an empty ground truth is a perfect frame.
    empty = mask_frame_video_map([0], [0], [0], [0])
    assert empty['f-mAP'][-1] == 100.0
    # Videos without evaluated frames are NaN and ignored.
    result = mask_frame_video_map([2], [4], [0], [0, 1], thresholds=[0.5])
    assert np.isnan(result['video_iou'][1])
    assert result['v-mAP'][0] == pytest.approx(100.0)
    assert np.isnan(result['v-AP'][0, 1])


def test_bad_counts_are_refused():
    with pytest.raises(ValueError, match='exceeds'):
        mask_frame_video_map([3], [2], [0], [0])
    with pytest.raises(ValueError, match='index'):
        mask_frame_video_map([1], [2], [1], [0])


def test_masks_to_boxes_modes():
    probs = np.zeros((3, 10, 12), np.float32)
    probs[0, 1:3, 2:5] = 0.8  # 6 px, left component
    probs[0, 5:9, 7:11] = 0.6  # 16 px, largest component
    probs[2, 4, 4] = 0.5  # a single pixel at the threshold
    frames, boxes, scores = masks_to_boxes(probs)
    np.testing.assert_array_equal(frames, [0, 2])
    np.testing.assert_array_equal(boxes, [[7, 5, 10, 8], [4, 4, 4, 4]])
    np.testing.assert_allclose(scores, [0.6, 0.5])

    frames, boxes, scores = masks_to_boxes(probs, box_mode='components')
    np.testing.assert_array_equal(frames, [0, 0, 2])
    np.testing.assert_array_equal(
        boxes, [[2, 1, 4, 2], [7, 5, 10, 8], [4, 4, 4, 4]])
    np.testing.assert_allclose(scores, [0.8, 0.6, 0.5])
    frames, _, _ = masks_to_boxes(probs, box_mode='components', min_area=7)
    np.testing.assert_array_equal(frames, [0])

    frames, boxes, scores = masks_to_boxes(probs, box_mode='extent')
    np.testing.assert_array_equal(frames, [0, 2])
    np.testing.assert_array_equal(boxes, [[2, 1, 10, 8], [4, 4, 4, 4]])
    np.testing.assert_allclose(scores, [(6 * 0.8 + 16 * 0.6) / 22, 0.5])
    with pytest.raises(ValueError, match='box_mode'):
        masks_to_boxes(probs, box_mode='hull')
