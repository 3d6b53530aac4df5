"""Per-frame boxes with scores from predicted foreground masks.

Three modes (``box_mode``):

- ``'largest_component'``: the bounding box of the largest 8-connected
  foreground region of each frame (ties: the one found first in raster
  order); one box per frame with foreground.
- ``'components'``: one box per 8-connected foreground region with at least
  ``min_area`` pixels (several actors give several boxes).
- ``'extent'``: the bounding box of all foreground pixels of the frame.

Foreground is probability ``>= pred_thr``. A box's score is the mean
probability over the pixels of its region (for ``'extent'``: over all
foreground pixels). Boxes are inclusive pixel coordinates ``x1, y1, x2, y2``
(the ACT convention: a single pixel at column 3 is ``x1 = x2 = 3``).
"""
from typing import Tuple

import cv2
import numpy as np

BOX_MODES = ('largest_component', 'components', 'extent')


def masks_to_boxes(
        probs: np.ndarray,
        pred_thr: float = 0.5,
        box_mode: str = 'largest_component',
        min_area: int = 1) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Boxes of the foreground of each frame.

    Args:
        probs (np.ndarray): (T, H, W) foreground probabilities.
        pred_thr (float): foreground threshold. Defaults to 0.5.
        box_mode (str): one of :data:`BOX_MODES`. Defaults to
            ``'largest_component'``.
        min_area (int): smallest region (pixels) that gives a box. Defaults
            to 1.

    Returns:
        tuple[np.ndarray, np.ndarray, np.ndarray]: frame index in ``0..T-1``
        (M,) int64, boxes (M, 4) float64, scores (M,) float64; frames without
        foreground give no box.
    """
    if box_mode not in BOX_MODES:
        raise ValueError(f'box_mode must be one of {BOX_MODES}, '
                         f'got {box_mode!r}')
    probs = np.asarray(probs, dtype=np.float32)
    if probs.ndim != 3:
        raise ValueError(f'probs must be (T, H, W), got {probs.shape}')
    foreground = probs >= pred_thr
    if box_mode == 'extent':
        return _extent_boxes(probs, foreground, min_area)
    frames, boxes, scores = [], [], []
    for index in np.flatnonzero(foreground.any((1, 2))):
        frame_boxes, frame_scores = _component_boxes(
            probs[index], foreground[index], box_mode == 'components',
            min_area)
        frames.append(np.full(frame_scores.size, index, dtype=np.int64))
        boxes.append(frame_boxes)
        scores.append(frame_scores)
    if not frames:
        return np.zeros(0, dtype=np.int64), np.zeros((0, 4)), np.zeros(0)
    return (np.concatenate(frames), np.concatenate(boxes),
            np.concatenate(scores))


def _extent_boxes(
        probs: np.ndarray, foreground: np.ndarray,
        min_area: int) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Bounding box of all foreground pixels of each frame, vectorised."""
    area = foreground.sum((1, 2))
    frames = np.flatnonzero((area >= min_area) & (area > 0))
    fg = foreground[frames]
    cols, rows = fg.any(1), fg.any(2)
    width, height = cols.shape[1], rows.shape[1]
    boxes = np.stack([
        cols.argmax(1), rows.argmax(1), width - 1 - cols[:, ::-1].argmax(1),
        height - 1 - rows[:, ::-1].argmax(1)
    ], 1).astype(np.float64)
    scores = (probs[frames] * fg).sum((1, 2), dtype=np.float64) / area[frames]
    return frames.astype(np.int64), boxes, scores


def _component_boxes(prob: np.ndarray, foreground: np.ndarray,
                     all_components: bool,
                     min_area: int) -> Tuple[np.ndarray, np.ndarray]:
    """Boxes and mean probabilities of connected regions of one frame."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(
        foreground.astype(np.uint8), connectivity=8)
    stats = stats[1:].astype(np.int64)  # drop the background component
    score_sums = np.bincount(
        labels.ravel(), prob.ravel().astype(np.float64), minlength=count)[1:]
    area = stats[:, cv2.CC_STAT_AREA]
    if all_components:
        keep = np.flatnonzero(area >= min_area)
    else:
        largest = int(np.argmax(area))
        keep = np.array([largest] if area[largest] >= min_area else [],
                        dtype=np.int64)
    x1 = stats[keep, cv2.CC_STAT_LEFT]
    y1 = stats[keep, cv2.CC_STAT_TOP]
    boxes = np.stack([
        x1, y1, x1 + stats[keep, cv2.CC_STAT_WIDTH] - 1,
        y1 + stats[keep, cv2.CC_STAT_HEIGHT] - 1
    ], 1).astype(np.float64)
    return boxes, score_sums[keep] / area[keep]
