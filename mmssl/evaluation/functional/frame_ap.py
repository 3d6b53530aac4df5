"""Frame-level average precision (frame-AP) of per-frame box detections."""
from typing import Dict, Sequence, Tuple

import numpy as np

from .act_gt import class_names, gt_frame_boxes
from .average_precision import average_precision, check_protocol
from .boxes import box_iou
from .frame_detections import check_frame_detections
from .matching import greedy_match, pad_by_group


def frame_ap(gt: dict,
             videos: Sequence[str],
             detections: np.ndarray,
             iou_thr: float = 0.5,
             protocol: str = 'act') -> Tuple[float, Dict[str, float]]:
    """Frame-AP as computed by the ACT detector.

    Per class, all detections of the evaluated videos are ranked by
    descending score (ties keep input order); each is a true positive when
    its IoU with the best still-unmatched ground-truth box of that class in
    that frame is ``>= iou_thr`` (that box is then used up). AP follows
    ``protocol``: ``'act'`` uses inclusive pixel areas (+1) and the trapezoid
    under the raw PR curve from ``(R=0, P=1)``; ``'voc'`` uses areas without
    +1 and all-point interpolated AP.

    Classes without any ground-truth box in ``videos`` have an undefined AP:
    they are reported as NaN and left out of the mean.

    Args:
        gt (dict): ACT-format ground truth (``labels``, ``gttubes``).
        videos (Sequence[str]): evaluated videos, keys of ``gt['gttubes']``.
        detections (np.ndarray): (N, 8) rows ``[video_index, frame, label,
            score, x1, y1, x2, y2]``, ``video_index`` indexing ``videos``.
        iou_thr (float): IoU for a true positive. Defaults to 0.5.
        protocol (str): ``'act'`` or ``'voc'``. Defaults to ``'act'``.

    Returns:
        tuple[float, dict[str, float]]: mAP and per-class AP, in percent.
    """
    check_protocol(protocol)
    names = class_names(gt)
    num_classes, num_videos = len(names), len(videos)
    dets = check_frame_detections(detections, num_videos, num_classes)
    gt_boxes = gt_frame_boxes(gt, videos, num_classes)
    num_gt = np.bincount(gt_boxes['label'], minlength=num_classes)
    if num_gt.sum() == 0:
        raise ValueError('frame_ap: the evaluated videos have no '
                         'ground-truth boxes')
    order = rank_by_class(dets[:, 2], dets[:, 3], num_classes)
    labels = dets[order, 2].astype(np.int64)
    videos_idx = dets[order, 0].astype(np.int64)
    frames = dets[order, 1].astype(np.int64)

    num_frames = int(max(gt_boxes['frame'].max(), frames.max(initial=0))) + 1
    gt_keys = _frame_keys(gt_boxes['label'], gt_boxes['video'],
                          gt_boxes['frame'], num_videos, num_frames)
    det_keys = _frame_keys(labels, videos_idx, frames, num_videos,
                           num_frames)
    unique_keys, gt_groups = np.unique(gt_keys, return_inverse=True)
    gt_table, gt_filled = pad_by_group(gt_groups, gt_boxes['box'],
                                       unique_keys.size)

    pos = np.minimum(np.searchsorted(unique_keys, det_keys),
                     unique_keys.size - 1)
    with_gt = np.flatnonzero(unique_keys[pos] == det_keys)
    groups = pos[with_gt]
    ious = box_iou(dets[order[with_gt], None, 4:8], gt_table[groups],
                   plus_one=protocol == 'act')
    ious = np.where(gt_filled[groups], ious, -np.inf)
    is_tp = np.zeros(order.size, dtype=bool)
    is_tp[with_gt] = greedy_match(groups, ious, iou_thr)[0]
    return per_class_map(is_tp, labels, num_gt, names, protocol)


def rank_by_class(labels: np.ndarray, scores: np.ndarray,
                  num_classes: int) -> np.ndarray:
    """Order detections by class, then by descending score (ties keep input
    order).

    Args:
        labels (np.ndarray): (N,) class of each detection (integer valued).
        scores (np.ndarray): (N,) scores.
        num_classes (int): number of classes.

    Returns:
        np.ndarray: (N,) int64 permutation.
    """
    small = np.int16 if num_classes < 2**15 else np.int64
    by_label = np.argsort(labels.astype(small), kind='stable')  # radix
    bounds = np.searchsorted(labels[by_label], np.arange(num_classes + 1))
    chunks = [by_label[bounds[c]:bounds[c + 1]] for c in range(num_classes)]
    return np.concatenate([np.zeros(0, dtype=np.int64)] + [
        chunk[np.argsort(-scores[chunk], kind='stable')] for chunk in chunks
    ])


def _frame_keys(labels: np.ndarray, videos: np.ndarray, frames: np.ndarray,
                num_videos: int, num_frames: int) -> np.ndarray:
    """One int64 key per (label, video, frame)."""
    return (labels * num_videos + videos) * num_frames + frames


def per_class_map(is_tp: np.ndarray, labels: np.ndarray, num_gt: np.ndarray,
                  names: Sequence[str],
                  protocol: str) -> Tuple[float, Dict[str, float]]:
    """Per-class AP and their mean over classes with ground truth.

    Args:
        is_tp (np.ndarray): (N,) bool flags of detections, ranked by
            descending score within each class.
        labels (np.ndarray): (N,) int class of each detection.
        num_gt (np.ndarray): (C,) ground-truth count per class.
        names (Sequence[str]): C class names.
        protocol (str): ``'act'`` or ``'voc'``.

    Returns:
        tuple[float, dict[str, float]]: mAP and per-class AP in percent; NaN
        for classes without ground truth (left out of the mean).
    """
    by_label = np.argsort(labels, kind='stable')
    bounds = np.searchsorted(labels[by_label], np.arange(len(names) + 1))
    per_class = {}
    for label, name in enumerate(names):
        ranked = by_label[bounds[label]:bounds[label + 1]]
        per_class[name] = 100.0 * average_precision(
            is_tp[ranked], int(num_gt[label]), protocol)
    values = np.array(list(per_class.values()))
    return float(np.nanmean(values)), per_class
