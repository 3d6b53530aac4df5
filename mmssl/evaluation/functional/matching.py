"""Greedy matching of ranked detections to ground truth, vectorised.

The ACT detector matches each detection, in order of descending score, to the
unmatched ground-truth instance of its group (same class, and same frame or
video) with the highest IoU, and counts it as a true positive when that IoU
reaches the threshold. Groups are independent, so the k-th ranked detection of
every group can be matched at once: the loop runs over ranks within a group
(tens), not over detections (millions).
"""
from typing import Tuple

import numpy as np


def rank_in_group(groups: np.ndarray) -> np.ndarray:
    """Position of each element among the earlier elements of its group.

    Args:
        groups (np.ndarray): (N,) int group ids.

    Returns:
        np.ndarray: (N,) int64, ``rank[i]`` = number of ``j < i`` with
        ``groups[j] == groups[i]``.
    """
    groups = np.asarray(groups)
    if groups.size == 0:
        return np.zeros(0, dtype=np.int64)
    if np.all(groups[1:] >= groups[:-1]):
        order = np.arange(groups.size)
    else:
        order = np.argsort(groups, kind='stable')
    sorted_groups = groups[order]
    starts = np.r_[0, np.flatnonzero(sorted_groups[1:] != sorted_groups[:-1])
                   + 1]
    group_start = np.repeat(starts, np.diff(np.r_[starts, groups.size]))
    ranks = np.empty(groups.size, dtype=np.int64)
    ranks[order] = np.arange(groups.size) - group_start
    return ranks


def pad_by_group(groups: np.ndarray, values: np.ndarray,
                 num_groups: int) -> Tuple[np.ndarray, np.ndarray]:
    """Scatter per-element values into a padded (group, slot) table.

    Args:
        groups (np.ndarray): (K,) int group ids in ``[0, num_groups)``.
        values (np.ndarray): (K, ...) values; slots follow input order.
        num_groups (int): number of groups G.

    Returns:
        tuple[np.ndarray, np.ndarray]: the (G, M, ...) table (padding NaN)
        and the (G, M) bool mask of filled slots, M the largest group size.
    """
    slots = rank_in_group(groups)
    num_slots = int(slots.max()) + 1 if slots.size else 1
    table = np.full((num_groups, num_slots) + values.shape[1:], np.nan)
    filled = np.zeros((num_groups, num_slots), dtype=bool)
    table[groups, slots] = values
    filled[groups, slots] = True
    return table, filled


def greedy_match(groups: np.ndarray, ious: np.ndarray,
                 iou_thr: float) -> Tuple[np.ndarray, np.ndarray]:
    """Match ranked detections to the ground truth of their group.

    Detections must be given in processing order (descending score). Each
    one takes the unmatched ground truth of its group with the highest IoU
    (first one on ties) if that IoU is ``>= iou_thr``.

    Args:
        groups (np.ndarray): (N,) int, index of each detection's ground-truth
            group in ``[0, G)``, or -1 when its group has no ground truth.
        ious (np.ndarray): (N, M) IoU of each detection with the M padded
            ground-truth slots of its group; padding slots hold ``-inf``.
            Rows of detections with ``groups == -1`` are ignored.
        iou_thr (float): IoU needed for a true positive.

    Returns:
        tuple[np.ndarray, np.ndarray]: ``is_tp`` (N,) bool and ``matched``
        (N,) int64, the ground-truth slot taken by each true positive (-1
        otherwise).
    """
    groups = np.asarray(groups, dtype=np.int64)
    num_det = groups.size
    is_tp = np.zeros(num_det, dtype=bool)
    matched = np.full(num_det, -1, dtype=np.int64)
    has_gt = np.flatnonzero(groups >= 0)
    if has_gt.size == 0:
        return is_tp, matched
    num_slots = ious.shape[1]
    taken = np.zeros((int(groups.max()) + 1, num_slots), dtype=bool)
    ranks = rank_in_group(groups[has_gt])
    by_rank = np.argsort(ranks, kind='stable')
    bounds = np.searchsorted(ranks[by_rank], np.arange(ranks.max() + 2))
    for rank in range(ranks.max() + 1):
        dets = has_gt[by_rank[bounds[rank]:bounds[rank + 1]]]
        det_groups = groups[dets]
        cand = np.where(taken[det_groups], -np.inf, ious[dets])
        best = np.argmax(cand, axis=1)
        hit = cand[np.arange(dets.size), best] >= iou_thr
        is_tp[dets[hit]] = True
        matched[dets[hit]] = best[hit]
        taken[det_groups[hit], best[hit]] = True
    return is_tp, matched
