"""Video-level average precision (video-AP) of scored action tubes."""
from typing import Dict, List, Mapping, Sequence, Tuple

import numpy as np

from .act_gt import check_tube, class_names, video_gt_tubes
from .average_precision import check_protocol
from .frame_ap import per_class_map
from .matching import greedy_match
from .tubes import dense_tubes, pairwise_st_iou, same_label_pairs, tube_nms

# 0.5:0.95 in steps of 0.05, as reported by ACT, MOC and TubeR.
RANGE_THRESHOLDS = tuple(np.round(np.linspace(0.5, 0.95, 10), 2).tolist())

TubeDict = Mapping[str, Mapping[int, Sequence[Tuple[np.ndarray, float]]]]


def video_ap(gt: dict,
             videos: Sequence[str],
             tubes: TubeDict,
             iou_thr: float = 0.5,
             protocol: str = 'act',
             nms_thr: float = 0.3) -> Tuple[float, Dict[str, float]]:
    """Video-AP as computed by the ACT detector.

    Per video and class, detected tubes go through tube NMS (ST-IoU
    ``> nms_thr`` suppresses); then per class all tubes are ranked by
    descending score, and each is a true positive when its ST-IoU (see
    :mod:`~mmssl.evaluation.functional.tubes`) with the best still-unmatched
    ground-truth tube of that class in that video is ``>= iou_thr``. AP as in
    :func:`~mmssl.evaluation.functional.frame_ap`: ``'act'`` = +1 pixel areas
    and trapezoid AP, ``'voc'`` = no +1 and all-point interpolated AP.
    Classes without ground-truth tubes in ``videos`` are NaN and left out of
    the mean.

    Args:
        gt (dict): ACT-format ground truth (``labels``, ``gttubes``).
        videos (Sequence[str]): evaluated videos, keys of ``gt['gttubes']``.
        tubes (dict): ``{video: {label: [(tube, score), ...]}}``, ``tube``
            an (n, 5) array ``[frame, x1, y1, x2, y2]`` (an (n, 6) array with
            per-frame scores last is accepted). Videos may be missing (no
            detections); videos not in ``videos`` are an error.
        iou_thr (float): ST-IoU for a true positive. Defaults to 0.5.
        protocol (str): ``'act'`` or ``'voc'``. Defaults to ``'act'``.
        nms_thr (float): tube NMS threshold. Defaults to 0.3.

    Returns:
        tuple[float, dict[str, float]]: mAP and per-class AP, in percent.
    """
    return video_ap_per_threshold(gt, videos, tubes, [iou_thr], protocol,
                                  nms_thr)[0]


def video_ap_range(
        gt: dict,
        videos: Sequence[str],
        tubes: TubeDict,
        iou_thrs: Sequence[float] = RANGE_THRESHOLDS,
        protocol: str = 'act',
        nms_thr: float = 0.3) -> Tuple[float, Dict[str, float]]:
    """Video-AP averaged over ST-IoU thresholds (default 0.5:0.95).

    Args:
        gt, videos, tubes, protocol, nms_thr: as in :func:`video_ap`.
        iou_thrs (Sequence[float]): thresholds; defaults to 0.50, 0.55, ...,
            0.95.

    Returns:
        tuple[float, dict[str, float]]: mAP and per-class AP, in percent,
        each the mean over the thresholds.
    """
    results = video_ap_per_threshold(gt, videos, tubes, iou_thrs, protocol,
                                     nms_thr)
    per_class = {
        name: float(np.mean([result[1][name] for result in results]))
        for name in results[0][1]
    }
    return float(np.mean([result[0] for result in results])), per_class


def video_ap_per_threshold(
        gt: dict,
        videos: Sequence[str],
        tubes: TubeDict,
        iou_thrs: Sequence[float],
        protocol: str = 'act',
        nms_thr: float = 0.3) -> List[Tuple[float, Dict[str, float]]]:
    """Video-AP at several thresholds, sharing the NMS and ST-IoUs.

    Args:
        gt, videos, tubes, protocol, nms_thr: as in :func:`video_ap`.
        iou_thrs (Sequence[float]): ST-IoU thresholds.

    Returns:
        list[tuple[float, dict[str, float]]]: ``(mAP, per-class AP)`` in
        percent for each threshold.
    """
    check_protocol(protocol)
    names = class_names(gt)
    num_classes = len(names)
    _check_tube_videos(tubes, videos)
    plus_one = protocol == 'act'
    labels, scores, groups, ious, num_gt = [], [], [], [], np.zeros(
        num_classes, dtype=np.int64)
    num_groups = 0
    for video in videos:
        gt_tubes = video_gt_tubes(gt, video, num_classes)
        for label, _ in gt_tubes:
            num_gt[label] += 1
        det = _video_detections(tubes.get(video, {}), video, num_classes)
        if not det:
            continue
        video_result = _match_inputs(det, gt_tubes, nms_thr, plus_one)
        labels.append(video_result[0])
        scores.append(video_result[1])
        groups.append(np.where(video_result[2] >= 0,
                               video_result[2] + num_groups, -1))
        ious.append(video_result[3])
        num_groups += len(gt_tubes)
    if num_gt.sum() == 0:
        raise ValueError('video_ap: the evaluated videos have no '
                         'ground-truth tubes')
    labels, scores, groups, ious = _concatenate(labels, scores, groups, ious)
    order = np.argsort(-scores, kind='stable')
    results = []
    for iou_thr in iou_thrs:
        is_tp = greedy_match(groups[order], ious[order], iou_thr)[0]
        results.append(
            per_class_map(is_tp, labels[order], num_gt, names, protocol))
    return results


def _check_tube_videos(tubes: TubeDict, videos: Sequence[str]) -> None:
    """Refuse tubes of videos outside the evaluated list."""
    unknown = sorted(set(tubes) - set(videos))
    if unknown:
        raise ValueError(f'tubes given for videos that are not evaluated: '
                         f'{unknown[:5]}{" ..." if len(unknown) > 5 else ""}')


def _video_detections(video_tubes: Mapping, video: str,
                      num_classes: int) -> List[Tuple[int, float, np.ndarray]]:
    """Validated ``(label, score, tube)`` detections of one video."""
    detections = []
    for label, label_tubes in video_tubes.items():
        if not 0 <= int(label) < num_classes:
            raise ValueError(f'video {video!r}: detected tube label {label} '
                             f'outside [0, {num_classes})')
        for tube, score in label_tubes:
            where = f'video {video!r} detected class {label}'
            detections.append((int(label), float(score),
                               check_tube(tube, where)))
    return detections


def _match_inputs(
    detections: List[Tuple[int, float, np.ndarray]],
    gt_tubes: List[Tuple[int, np.ndarray]], nms_thr: float, plus_one: bool
) -> Tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Tube NMS and ST-IoUs with the ground truth, for one video.

    Returns:
        tuple: kept detections' labels (K,), scores (K,), local ground-truth
        group (K,) (-1 without ground truth of their class; a group is one
        class's ground-truth tubes, numbered from 0 in order of appearance,
        fewer groups than ground-truth tubes),
        and (K, n_gt) ST-IoUs with the video's ground-truth tubes in slots of
        their group (``-inf`` elsewhere).
    """
    labels = np.array([det[0] for det in detections], dtype=np.int64)
    scores = np.array([det[1] for det in detections])
    gt_labels = np.array([tube[0] for tube in gt_tubes], dtype=np.int64)
    boxes, present = dense_tubes([det[2] for det in detections] +
                                 [tube[1] for tube in gt_tubes])
    num_det = labels.size

    first, second = same_label_pairs(labels)
    det_ious = np.zeros((num_det, num_det))
    det_ious[first, second] = pairwise_st_iou(boxes, present, first, second,
                                              plus_one)
    det_ious = det_ious + det_ious.T
    keep = np.array(tube_nms(labels, scores, det_ious, nms_thr),
                    dtype=np.int64)
    labels, scores = labels[keep], scores[keep]

    # Ground truth of class c forms one group whose slots are its tubes in
    # input order; columns of the IoU matrix are slots.
    slot_of = np.zeros(gt_labels.size, dtype=np.int64)
    group_of_label = {}
    for index, label in enumerate(gt_labels.tolist()):
        slot_of[index] = sum(gt_labels[:index] == label)
        group_of_label.setdefault(label, len(group_of_label))
    groups = np.array([group_of_label.get(label, -1) for label in labels],
                      dtype=np.int64)
    num_slots = int(slot_of.max()) + 1 if gt_labels.size else 1
    ious = np.full((keep.size, num_slots), -np.inf)
    det_index, gt_index = np.nonzero(labels[:, None] == gt_labels[None, :])
    ious[det_index, slot_of[gt_index]] = pairwise_st_iou(
        boxes, present, keep[det_index], num_det + gt_index, plus_one)
    return labels, scores, groups, ious


def _concatenate(labels: list, scores: list, groups: list,
                 ious: list) -> Tuple[np.ndarray, ...]:
    """Join per-video arrays, padding IoU slots with ``-inf``."""
    if not labels:
        return (np.zeros(0, dtype=np.int64), np.zeros(0),
                np.zeros(0, dtype=np.int64), np.zeros((0, 1)))
    num_slots = max(block.shape[1] for block in ious)
    padded = [
        np.pad(block, ((0, 0), (0, num_slots - block.shape[1])),
               constant_values=-np.inf) for block in ious
    ]
    return (np.concatenate(labels), np.concatenate(scores),
            np.concatenate(groups), np.concatenate(padded))
