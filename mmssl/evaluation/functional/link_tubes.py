"""Linking per-frame detections into action tubes, as the ACT detector.

The ACT detector links tubelets of K frames; per-frame boxes are its K = 1
case, which this module implements for every (video, class) at once:

1. Per frame and class: score-decaying NMS (a box overlapping a kept,
   higher-scored box by IoU ``> nms_thr`` keeps ``score * (1 - IoU)``), then
   the ``top_k`` highest scores.
2. Frame by frame, the live tubes of a class, in order of descending mean
   score, each take the highest-scored unclaimed box with IoU ``>=
   link_iou_thr`` to the tube's last box; a tube that takes none ends
   (K = 1 leaves no gap to bridge). Unclaimed boxes start new tubes.
3. A tube's score is the mean of its box scores; tubes scoring below
   ``min_score`` or shorter than ``min_length`` frames are dropped.

The loop runs over frame numbers, shared by all videos; each step handles
every (video, class) in a few array operations.
"""
from typing import Dict, List, Sequence, Tuple

import numpy as np

from .boxes import box_iou
from .frame_detections import check_frame_detections
from .matching import rank_in_group


def link_tubes(
    detections: np.ndarray,
    videos: Sequence[str],
    nms_thr: float = 0.6,
    top_k: int = 10,
    link_iou_thr: float = 0.2,
    min_length: int = 15,
    min_score: float = 0.01,
    plus_one: bool = True
) -> Dict[str, Dict[int, List[Tuple[np.ndarray, float]]]]:
    """Link per-frame detections into scored tubes per video and class.

    Args:
        detections (np.ndarray): (N, 8) rows ``[video_index, frame, label,
            score, x1, y1, x2, y2]`` (the format of
            :func:`~mmssl.evaluation.functional.frame_ap`).
        videos (Sequence[str]): video names indexed by ``video_index``.
        nms_thr (float): per-frame NMS IoU threshold. Defaults to 0.6 (ACT).
        top_k (int): boxes kept per frame and class. Defaults to 10 (ACT).
        link_iou_thr (float): IoU to extend a tube. Defaults to 0.2 (ACT).
        min_length (int): shortest kept tube in frames. Defaults to 15 (ACT).
        min_score (float): lowest kept tube score. Defaults to 0.01 (ACT).
        plus_one (bool): inclusive pixel areas (ACT). Defaults to True.

    Returns:
        dict: ``{video: {label: [(tube, score), ...]}}`` for every video in
        ``videos`` (an empty dict when it has no tube), ``tube`` an (n, 5)
        float64 array ``[frame, x1, y1, x2, y2]`` over consecutive frames.
    """
    dets = check_frame_detections(detections, len(videos), np.inf)
    output = {video: {} for video in videos}
    if dets.shape[0] == 0:
        return output
    dets = frame_nms(dets, nms_thr, top_k, plus_one)
    keys = dets[:, 0].astype(np.int64) * (int(dets[:, 2].max()) + 1) + \
        dets[:, 2].astype(np.int64)
    unique_keys, groups = np.unique(keys, return_inverse=True)
    tube_group, rows = _link(groups, dets[:, 1].astype(np.int64), dets[:, 3],
                             dets[:, 4:8], link_iou_thr, plus_one)
    num_labels = int(dets[:, 2].max()) + 1
    for tube_id, tube_rows in enumerate(rows):
        length, score = tube_rows.shape[0], float(tube_rows[:, 5].mean())
        if length < min_length or score < min_score:
            continue
        video, label = divmod(int(unique_keys[tube_group[tube_id]]),
                              num_labels)
        output[videos[video]].setdefault(label, []).append(
            (tube_rows[:, :5].copy(), score))
    return output


def frame_nms(detections: np.ndarray, nms_thr: float, top_k: int,
              plus_one: bool) -> np.ndarray:
    """Score-decaying NMS and top-k per (video, frame, label), as ACT.

    Args:
        detections (np.ndarray): (N, 8) validated detections.
        nms_thr (float): IoU above which a box is decayed by a kept one.
        top_k (int): boxes kept per group, by decayed score.
        plus_one (bool): inclusive pixel areas.

    Returns:
        np.ndarray: (N', 8) kept detections with decayed scores, sorted by
        group and descending score.
    """
    ints = detections[:, :3].astype(np.int64)
    groups = np.unique(ints, axis=0, return_inverse=True)[1].reshape(-1)
    order = np.lexsort((-detections[:, 3], groups))
    dets, groups = detections[order], groups[order]
    ranks = rank_in_group(groups)
    group_start = np.arange(groups.size) - ranks
    weight = np.ones(groups.size)
    suppressed = np.zeros(groups.size, dtype=bool)
    first, second = _pairs_within_groups(group_start, ranks)
    if first.size:
        ious = box_iou(dets[first, 4:8], dets[second, 4:8], plus_one)
        by_rank = np.argsort(ranks[first], kind='stable')
        first, second, ious = first[by_rank], second[by_rank], ious[by_rank]
        bounds = np.searchsorted(ranks[first], np.arange(ranks.max() + 1))
        for rank in range(ranks.max()):
            sl = slice(bounds[rank], bounds[rank + 1])
            hit = (~suppressed[first[sl]] & ~suppressed[second[sl]] &
                   (ious[sl] > nms_thr))
            suppressed[second[sl][hit]] = True
            weight[second[sl][hit]] = 1.0 - ious[sl][hit]
    dets[:, 3] *= weight
    order = np.lexsort((-dets[:, 3], groups))
    dets, groups = dets[order], groups[order]
    return dets[rank_in_group(groups) < top_k]


def _pairs_within_groups(group_start: np.ndarray,
                         ranks: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """All (i, j) with i ranked before j in the same group.

    Args:
        group_start (np.ndarray): (N,) index of each element's group start
            (elements sorted by group).
        ranks (np.ndarray): (N,) rank of each element in its group.

    Returns:
        tuple[np.ndarray, np.ndarray]: (P,) indices i and j.
    """
    second = np.repeat(np.arange(ranks.size), ranks)
    offsets = np.arange(second.size) - np.repeat(np.cumsum(ranks) - ranks,
                                                 ranks)
    first = group_start[second] + offsets
    return first, second


def _link(groups: np.ndarray, frames: np.ndarray, scores: np.ndarray,
          boxes: np.ndarray, link_iou_thr: float,
          plus_one: bool) -> Tuple[np.ndarray, List[np.ndarray]]:
    """Greedy frame-by-frame linking of every group at once.

    Args:
        groups (np.ndarray): (N,) int (video, label) group of each box.
        frames (np.ndarray): (N,) int frame of each box.
        scores (np.ndarray): (N,) box scores.
        boxes (np.ndarray): (N, 4) boxes.
        link_iou_thr (float): IoU needed to extend a tube.
        plus_one (bool): inclusive pixel areas.

    Returns:
        tuple[np.ndarray, list[np.ndarray]]: group of each tube (T,) and the
        rows ``[frame, x1, y1, x2, y2, score]`` of each tube.
    """
    order = np.lexsort((-scores, groups, frames))
    groups, frames = groups[order], frames[order]
    scores, boxes = scores[order], boxes[order]
    unique_frames, starts = np.unique(frames, return_index=True)
    ends = np.r_[starts[1:], frames.size]
    live = _Tubes.empty()
    tube_of_box = np.full(frames.size, -1, dtype=np.int64)
    tube_group = []
    prev_frame = None
    for frame, start, end in zip(unique_frames, starts, ends):
        if prev_frame is not None and frame != prev_frame + 1:
            live = _Tubes.empty()
        prev_frame = frame
        box_ids = np.arange(start, end)
        taken = _extend(live, box_ids, groups, boxes, link_iou_thr, plus_one)
        extended = taken >= 0
        chosen = box_ids[taken[extended]]
        live = live.select(extended)
        live.extend(chosen, boxes, scores)
        tube_of_box[chosen] = live.ids
        unclaimed = np.ones(box_ids.size, dtype=bool)
        unclaimed[taken[extended]] = False
        new = box_ids[unclaimed]
        new_ids = np.arange(len(tube_group), len(tube_group) + new.size)
        tube_group.extend(groups[new].tolist())
        tube_of_box[new] = new_ids
        live = live.append(new_ids, groups[new], boxes[new], scores[new])
    by_tube = np.argsort(tube_of_box, kind='stable')
    rows = np.column_stack([frames, boxes, scores])[by_tube]
    bounds = np.searchsorted(tube_of_box[by_tube],
                             np.arange(len(tube_group) + 1))
    return np.array(tube_group, dtype=np.int64), [
        rows[bounds[i]:bounds[i + 1]] for i in range(len(tube_group))
    ]


def _extend(live: '_Tubes', box_ids: np.ndarray, groups: np.ndarray,
            boxes: np.ndarray, link_iou_thr: float,
            plus_one: bool) -> np.ndarray:
    """Let live tubes claim this frame's boxes; sorts ``live`` in place.

    Args:
        live (_Tubes): live tubes; reordered by group and descending mean
            score (the order in which ACT lets them choose).
        box_ids (np.ndarray): (D,) indices of this frame's boxes, sorted by
            group and descending score.
        groups, boxes: per-box arrays of all detections.
        link_iou_thr (float): IoU needed to extend a tube.
        plus_one (bool): inclusive pixel areas.

    Returns:
        np.ndarray: (A,) position in ``box_ids`` of the box each live tube
        takes, -1 for tubes that end.
    """
    taken = np.full(live.size, -1, dtype=np.int64)
    if live.size == 0:
        return taken
    live.sort()
    box_groups = groups[box_ids]
    frame_groups, box_slot_group = np.unique(box_groups, return_inverse=True)
    slots = rank_in_group(box_slot_group)
    table = np.full((frame_groups.size, int(slots.max()) + 1), -1)
    table[box_slot_group, slots] = np.arange(box_ids.size)
    row = np.minimum(np.searchsorted(frame_groups, live.groups),
                     frame_groups.size - 1)
    has_boxes = frame_groups[row] == live.groups
    candidates = table[row]
    ious = box_iou(live.last_boxes[:, None], boxes[box_ids[candidates]],
                   plus_one)
    valid = (ious >= link_iou_thr) & (candidates >= 0) & has_boxes[:, None]
    claimed = np.zeros(box_ids.size, dtype=bool)
    tube_ranks = rank_in_group(live.groups)
    for rank in range(int(tube_ranks.max()) + 1):
        tubes = np.flatnonzero(tube_ranks == rank)
        free = valid[tubes] & ~claimed[candidates[tubes]]
        hit = free.any(1)
        choice = candidates[tubes[hit], np.argmax(free[hit], 1)]
        taken[tubes[hit]] = choice
        claimed[choice] = True
    return taken


class _Tubes:
    """Live tubes: id, group, last box, score sum and length per tube."""

    def __init__(self, ids: np.ndarray, groups: np.ndarray,
                 last_boxes: np.ndarray, score_sums: np.ndarray,
                 lengths: np.ndarray):
        self.ids, self.groups = ids, groups
        self.last_boxes, self.score_sums = last_boxes, score_sums
        self.lengths = lengths

    @classmethod
    def empty(cls) -> '_Tubes':
        return cls(
            np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64),
            np.zeros((0, 4)), np.zeros(0), np.zeros(0, dtype=np.int64))

    @property
    def size(self) -> int:
        return self.ids.size

    def _take(self, index: np.ndarray) -> '_Tubes':
        return _Tubes(self.ids[index], self.groups[index],
                      self.last_boxes[index], self.score_sums[index],
                      self.lengths[index])

    def sort(self) -> None:
        """Order by group, then descending mean score (stable)."""
        order = np.argsort(-self.score_sums / self.lengths, kind='stable')
        order = order[np.argsort(self.groups[order], kind='stable')]
        self.__dict__.update(self._take(order).__dict__)

    def select(self, keep: np.ndarray) -> '_Tubes':
        return self._take(keep)

    def extend(self, box_ids: np.ndarray, boxes: np.ndarray,
               scores: np.ndarray) -> None:
        """Append one box to every tube (aligned with ``box_ids``)."""
        self.last_boxes = boxes[box_ids]
        self.score_sums = self.score_sums + scores[box_ids]
        self.lengths = self.lengths + 1

    def append(self, ids: np.ndarray, groups: np.ndarray, boxes: np.ndarray,
               scores: np.ndarray) -> '_Tubes':
        return _Tubes(
            np.r_[self.ids, ids], np.r_[self.groups, groups],
            np.concatenate([self.last_boxes, boxes]),
            np.r_[self.score_sums, scores],
            np.r_[self.lengths, np.ones(ids.size, dtype=np.int64)])
