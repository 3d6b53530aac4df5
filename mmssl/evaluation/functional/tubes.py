"""Spatio-temporal IoU and non-maximum suppression of tubes.

A tube is an (n, 5) array of rows ``[frame, x1, y1, x2, y2]``, one box per
frame. The spatio-temporal IoU of two tubes with frame sets F1 and F2 is

    ST-IoU = |F1 & F2| / |F1 | F2|  x  mean IoU over the frames F1 & F2
           = sum of box IoUs over F1 & F2 / |F1 | F2|,

which for tubes without gaps is exactly the ACT detector's ``iou3dt``
(temporal IoU of the frame ranges, +1 frame counts, times the mean box IoU on
the temporal intersection).
"""
from typing import List, Sequence, Tuple

import numpy as np

from .act_gt import check_tube
from .boxes import box_iou


def dense_tubes(
        tubes: Sequence[np.ndarray]) -> Tuple[np.ndarray, np.ndarray]:
    """Lay tubes out on a common frame axis.

    Args:
        tubes (Sequence[np.ndarray]): n validated tubes (see
            :func:`~mmssl.evaluation.functional.act_gt.check_tube`).

    Returns:
        tuple[np.ndarray, np.ndarray]: boxes (n, F, 4) (NaN where absent) and
        presence (n, F) bool, F spanning the first to the last frame of all
        tubes.
    """
    lengths = np.array([tube.shape[0] for tube in tubes])
    rows = np.concatenate(tubes)
    frames = rows[:, 0].astype(np.int64)
    offset = frames - frames.min()
    owner = np.repeat(np.arange(len(tubes)), lengths)
    boxes = np.full((len(tubes), int(offset.max()) + 1, 4), np.nan)
    present = np.zeros(boxes.shape[:2], dtype=bool)
    boxes[owner, offset] = rows[:, 1:5]
    present[owner, offset] = True
    return boxes, present


def pairwise_st_iou(boxes: np.ndarray,
                    present: np.ndarray,
                    first: np.ndarray,
                    second: np.ndarray,
                    plus_one: bool = True) -> np.ndarray:
    """ST-IoU of tube pairs laid out by :func:`dense_tubes`.

    Args:
        boxes (np.ndarray): (n, F, 4) dense boxes.
        present (np.ndarray): (n, F) presence of each tube in each frame.
        first (np.ndarray): (P,) int index of the first tube of each pair.
        second (np.ndarray): (P,) int index of the second tube.
        plus_one (bool): inclusive pixel areas (ACT). Defaults to True.

    Returns:
        np.ndarray: (P,) ST-IoUs.
    """
    both = present[first] & present[second]
    either = present[first] | present[second]
    ious = box_iou(boxes[first], boxes[second], plus_one)
    overlap = np.where(both, ious, 0.0).sum(1)
    return overlap / np.maximum(either.sum(1), 1)


def tube_iou(tube1: np.ndarray,
             tube2: np.ndarray,
             plus_one: bool = True) -> float:
    """Spatio-temporal IoU of two tubes.

    Args:
        tube1 (np.ndarray): (n1, 5) rows ``[frame, x1, y1, x2, y2]``.
        tube2 (np.ndarray): (n2, 5) rows ``[frame, x1, y1, x2, y2]``.
        plus_one (bool): inclusive pixel areas (ACT). Defaults to True.

    Returns:
        float: ST-IoU in ``[0, 1]``.
    """
    boxes, present = dense_tubes(
        [check_tube(tube1, 'tube1'),
         check_tube(tube2, 'tube2')])
    return float(
        pairwise_st_iou(boxes, present, np.array([0]), np.array([1]),
                        plus_one)[0])


def same_label_pairs(labels: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """All index pairs ``i < j`` with ``labels[i] == labels[j]``.

    Args:
        labels (np.ndarray): (n,) int labels.

    Returns:
        tuple[np.ndarray, np.ndarray]: (P,) first and second indices.
    """
    same = labels[:, None] == labels[None, :]
    return np.nonzero(np.triu(same, 1))


def tube_nms(labels: np.ndarray, scores: np.ndarray, ious: np.ndarray,
             nms_thr: float) -> List[int]:
    """Greedy per-class NMS of tubes with precomputed ST-IoUs.

    Args:
        labels (np.ndarray): (n,) int class of each tube.
        scores (np.ndarray): (n,) tube scores.
        ious (np.ndarray): (n, n) symmetric ST-IoUs, 0 across classes.
        nms_thr (float): a tube is suppressed by a kept higher-scored tube
            of its class when their ST-IoU is ``> nms_thr`` (ACT keeps
            ``<= 0.3``).

    Returns:
        list[int]: kept indices, by class then descending score (ties keep
        input order).
    """
    suppressed = np.zeros(labels.size, dtype=bool)
    keep = []
    for index in np.lexsort((-scores, labels)):
        if suppressed[index]:
            continue
        keep.append(int(index))
        suppressed |= ious[index] > nms_thr
    return keep
