"""Box areas and IoUs in the two pixel conventions of the detection metrics.

Boxes are ``x1, y1, x2, y2`` arrays. With ``plus_one=True`` (ACT detector,
UCF101-24 / JHMDB-21 ground truth) coordinates are inclusive pixel indices and
a box covers ``(x2 - x1 + 1) * (y2 - y1 + 1)`` pixels; with ``plus_one=False``
(PASCAL VOC style as in MMAction2's MultiSports evaluator) the area is
``(x2 - x1) * (y2 - y1)``.
"""
import numpy as np


def box_area(boxes: np.ndarray, plus_one: bool = True) -> np.ndarray:
    """Areas of boxes.

    Args:
        boxes (np.ndarray): (..., 4) boxes ``x1, y1, x2, y2``.
        plus_one (bool): inclusive pixel coordinates (ACT). Defaults to True.

    Returns:
        np.ndarray: (...) areas.
    """
    offset = 1.0 if plus_one else 0.0
    return ((boxes[..., 2] - boxes[..., 0] + offset) *
            (boxes[..., 3] - boxes[..., 1] + offset))


def box_iou(boxes1: np.ndarray,
            boxes2: np.ndarray,
            plus_one: bool = True) -> np.ndarray:
    """IoU of boxes that broadcast against each other.

    ``box_iou(a[:, None], b[None])`` gives the (N, M) pairwise matrix,
    ``box_iou(a, b)`` with equal shapes the element-wise IoUs.

    Args:
        boxes1 (np.ndarray): (..., 4) boxes.
        boxes2 (np.ndarray): (..., 4) boxes, broadcastable with ``boxes1``.
        plus_one (bool): inclusive pixel coordinates (ACT). Defaults to True.

    Returns:
        np.ndarray: IoUs of the broadcast shape (without the last axis);
        0 where the union is empty.
    """
    boxes1 = np.asarray(boxes1, dtype=np.float64)
    boxes2 = np.asarray(boxes2, dtype=np.float64)
    offset = 1.0 if plus_one else 0.0
    width = (np.minimum(boxes1[..., 2], boxes2[..., 2]) -
             np.maximum(boxes1[..., 0], boxes2[..., 0]) + offset)
    height = (np.minimum(boxes1[..., 3], boxes2[..., 3]) -
              np.maximum(boxes1[..., 1], boxes2[..., 1]) + offset)
    inter = np.clip(width, 0, None) * np.clip(height, 0, None)
    union = (box_area(boxes1, plus_one) + box_area(boxes2, plus_one) -
             inter)
    safe_union = np.where(union > 0, union, 1.0)
    return np.where(union > 0, inter / safe_union, 0.0)
