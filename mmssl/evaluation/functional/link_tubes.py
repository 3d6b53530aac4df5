"""Linking per-frame detections into action tubes, as the ACT detector.

The ACT detector links tubelets of K frames; per-frame boxes are its K = 1
case, which this module implements for every (video, class) at once:

1. Per frame and class: score-decaying NMS (a box overlapping a kept,
   higher-scored box by IoU ``> nms_thr`` keeps ``score * (1 - IoU)``), then
   the ``top_k`` highest scores.
2. Frame by frame, the live tubes of a class, in order of descending mean
   score, each take the highest-scored unclaimed box with IoU ``>=
   link_iou_thr`` to the tube's last box (ties between tubes: the older
   one chooses first); a tube that takes none ends (K = 1 leaves no gap to
   bridge). Unclaimed boxes start new tubes.
3. A tube's score is the mean of its box scores; tubes scoring below
   ``min_score`` or shorter than ``min_length`` frames are dropped.

``max_gap > 0`` (not in ACT; the analogue of its K-frame tubelets bridging
``K - 1`` frames) keeps a tube that found no box alive for up to ``max_gap``
frames; the boxes of bridged frames are interpolated linearly and do not
count in the tube's score.

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
    max_gap: int = 0,
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
        max_gap (int): frames without a box a tube may bridge. Defaults to
            0 (ACT with K = 1).
        plus_one (bool): inclusive pixel areas (ACT). Defaults to True.

    Returns:
        dict: ``{video: {label: [(tube, score), ...]}}`` for every video in
        ``videos`` (an empty dict when it has no tube), ``tube`` an (n, 5)
        float64 array ``[frame, x1, y1, x2, y2]`` over consecutive frames.
    """
    if max_gap < 0:
        raise ValueError(f'max_gap must be >= 0, got {max_gap}')
    dets = check_frame_detections(detections, len(videos), np.inf)
    output = {video: {} for video in videos}
    if dets.shape[0] == 0:
        return output
    dets = frame_nms(dets, nms_thr, top_k, plus_one)
    num_labels = int(dets[:, 2].max()) + 1
    groups = dets[:, 0].astype(np.int64) * num_labels + dets[:, 2].astype(
        np.int64)
    frames = dets[:, 1].astype(np.int64)
    tube_of_box, tube_group = _link(groups, frames, dets[:, 3], dets[:, 4:8],
                                    link_iou_thr, max_gap, plus_one)
    num_tubes = tube_group.size
    first = np.full(num_tubes, frames.max())
    last = np.zeros(num_tubes, dtype=np.int64)
    np.minimum.at(first, tube_of_box, frames)
    np.maximum.at(last, tube_of_box, frames)
    scores = np.bincount(tube_of_box, dets[:, 3], num_tubes) / np.bincount(
        tube_of_box, minlength=num_tubes)
    kept = (last - first + 1 >= min_length) & (scores >= min_score)
    # Rows of one tube are in frame order: detections are sorted by video,
    # frame and label.
    rows = np.flatnonzero(kept[tube_of_box])
    rows = rows[np.argsort(tube_of_box[rows], kind='stable')]
    kept_tubes = np.flatnonzero(kept)
    filled = _fill_gaps(dets[rows][:, [1, 4, 5, 6, 7]],
                        np.bincount(tube_of_box[rows])[kept_tubes])
    for tube, tube_rows in zip(kept_tubes, filled):
        video, label = divmod(int(tube_group[tube]), num_labels)
        output[videos[video]].setdefault(label, []).append(
            (tube_rows, float(scores[tube])))
    return output


def _fill_gaps(rows: np.ndarray, counts: np.ndarray) -> List[np.ndarray]:
    """Tubes on every frame from their first to their last, boxes of
    missing frames interpolated linearly.

    Args:
        rows (np.ndarray): (R, 5) rows ``[frame, x1, y1, x2, y2]`` of
            several tubes, sorted by tube and frame.
        counts (np.ndarray): (T,) number of rows of each tube.

    Returns:
        list[np.ndarray]: T arrays (n_t, 5) over consecutive frames.
    """
    if counts.size == 0:
        return []
    starts = np.cumsum(counts) - counts
    first, last = rows[starts, 0], rows[starts + counts - 1, 0]
    lengths = (last - first + 1).astype(np.int64)
    # One increasing axis for all tubes: tube t's frame f at t * span + f.
    span = rows[:, 0].max() + 2
    axis = np.repeat(np.arange(counts.size), counts) * span + rows[:, 0]
    frames = np.arange(lengths.sum()) - np.repeat(
        np.cumsum(lengths) - lengths, lengths) + np.repeat(first, lengths)
    query = np.repeat(np.arange(counts.size), lengths) * span + frames
    filled = np.column_stack([frames] + [
        np.interp(query, axis, rows[:, column]) for column in range(1, 5)
    ])
    return np.split(filled, np.cumsum(lengths)[:-1])


def _run_starts(values: np.ndarray) -> np.ndarray:
    """Start index of each run of equal values in a sorted array."""
    if values.size == 0:
        return np.zeros(0, dtype=np.int64)
    return np.r_[0, np.flatnonzero(values[1:] != values[:-1]) + 1]


def frame_nms(detections: np.ndarray, nms_thr: float, top_k: int,
              plus_one: bool) -> np.ndarray:
    """Score-decaying NMS and top-k per (video, frame, label), as ACT.

    Only groups with several boxes need work; they are found after one
    stable sort by group.

    Args:
        detections (np.ndarray): (N, 8) validated detections.
        nms_thr (float): IoU above which a box is decayed by a kept one.
        top_k (int): boxes kept per group, by decayed score.
        plus_one (bool): inclusive pixel areas.

    Returns:
        np.ndarray: (N', 8) kept detections with decayed scores, sorted by
        video, frame, label and descending score.
    """
    ints = detections[:, :3].astype(np.int64)
    keys = (ints[:, 0] * (ints[:, 1].max() + 1) + ints[:, 1]) * (
        ints[:, 2].max() + 1) + ints[:, 2]
    order = np.argsort(keys, kind='stable')
    keys = keys[order]
    starts = _run_starts(keys)
    sizes = np.diff(np.r_[starts, keys.size])
    multi = np.flatnonzero(np.repeat(sizes, sizes) > 1)
    scores = detections[order, 3]
    keep = np.ones(keys.size, dtype=bool)
    if multi.size:
        multi_keys = keys[multi]
        by_score = multi[_sort_within_groups(scores[multi], multi_keys)]
        order[multi], scores[multi] = order[by_score], scores[by_score]
        ranks = rank_in_group(multi_keys)
        scores[multi] *= _decay_weights(detections[order[multi], 4:8], ranks,
                                        nms_thr, plus_one)
        by_score = multi[_sort_within_groups(scores[multi], multi_keys)]
        order[multi], scores[multi] = order[by_score], scores[by_score]
        keep[multi] = ranks < top_k
    kept = detections[order[keep]]
    kept[:, 3] = scores[keep]
    return kept


def _sort_within_groups(scores: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Stable descending sort of scores inside runs of equal keys.

    Pairs (the common case) are ordered by one comparison; longer runs by a
    lexsort of just their elements.

    Args:
        scores (np.ndarray): (n,) scores.
        keys (np.ndarray): (n,) sorted group keys.

    Returns:
        np.ndarray: (n,) permutation; groups keep their positions.
    """
    perm = np.arange(keys.size)
    starts = _run_starts(keys)
    sizes = np.diff(np.r_[starts, keys.size])
    pairs = starts[sizes == 2]
    swap = pairs[scores[pairs + 1] > scores[pairs]]
    perm[swap], perm[swap + 1] = swap + 1, swap
    longer = np.flatnonzero(np.repeat(sizes, sizes) > 2)
    if longer.size:
        perm[longer] = longer[np.lexsort((-scores[longer], keys[longer]))]
    return perm


def _decay_weights(boxes: np.ndarray, ranks: np.ndarray, nms_thr: float,
                   plus_one: bool) -> np.ndarray:
    """Greedy NMS within groups, suppressed boxes weighted ``1 - IoU``.

    Args:
        boxes (np.ndarray): (n, 4) boxes sorted by group and descending
            score.
        ranks (np.ndarray): (n,) rank of each box in its group.
        nms_thr (float): IoU above which a kept box suppresses another.
        plus_one (bool): inclusive pixel areas.

    Returns:
        np.ndarray: (n,) weights, 1 for kept boxes.
    """
    weight = np.ones(ranks.size)
    suppressed = np.zeros(ranks.size, dtype=bool)
    first, second = _pairs_within_groups(np.arange(ranks.size) - ranks,
                                         ranks)
    ious = box_iou(boxes[first], boxes[second], plus_one)
    by_rank = np.argsort(ranks[first], kind='stable')
    first, second, ious = first[by_rank], second[by_rank], ious[by_rank]
    bounds = np.searchsorted(ranks[first], np.arange(ranks.max() + 1))
    for rank in range(ranks.max()):
        sl = slice(bounds[rank], bounds[rank + 1])
        hit = (~suppressed[first[sl]] & ~suppressed[second[sl]] &
               (ious[sl] > nms_thr))
        suppressed[second[sl][hit]] = True
        weight[second[sl][hit]] = 1.0 - ious[sl][hit]
    return weight


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
          boxes: np.ndarray, link_iou_thr: float, max_gap: int,
          plus_one: bool) -> Tuple[np.ndarray, np.ndarray]:
    """Greedy frame-by-frame linking of every group at once.

    Args:
        groups (np.ndarray): (N,) int (video, label) group of each box.
        frames (np.ndarray): (N,) int frame of each box; boxes sorted by
            video, frame, label and descending score, so that within a
            frame they are sorted by group and descending score.
        scores (np.ndarray): (N,) box scores.
        boxes (np.ndarray): (N, 4) boxes.
        link_iou_thr (float): IoU needed to extend a tube.
        max_gap (int): frames without a box a tube may bridge.
        plus_one (bool): inclusive pixel areas.

    Returns:
        tuple[np.ndarray, np.ndarray]: the tube of each box (N,) and the
        group of each tube (T,).
    """
    frame_type = np.uint16 if frames.max() < 2**16 else np.int64
    order = np.argsort(frames.astype(frame_type), kind='stable')
    groups, frames = groups[order], frames[order]
    scores, boxes = scores[order], boxes[order]
    starts = _run_starts(frames)
    live = _Tubes.empty()
    tube_of_box = np.full(frames.size, -1, dtype=np.int64)
    tube_group = []
    for start, end in zip(starts, np.r_[starts[1:], frames.size]):
        frame = frames[start]
        live = live.select(frame - live.last_frames <= max_gap + 1)
        box_ids = np.arange(start, end)
        taken = _extend(live, box_ids, groups, boxes, link_iou_thr, plus_one)
        extended = taken >= 0
        chosen = box_ids[taken[extended]]
        tube_of_box[chosen] = live.ids[extended]
        live.extend(extended, chosen, frame, boxes, scores)
        live = live.select(extended |
                           (frame - live.last_frames <= max_gap))
        unclaimed = np.ones(box_ids.size, dtype=bool)
        unclaimed[taken[extended]] = False
        new = box_ids[unclaimed]
        new_ids = np.arange(len(tube_group), len(tube_group) + new.size)
        tube_group.extend(groups[new].tolist())
        tube_of_box[new] = new_ids
        live = live.append(new_ids, groups[new], frame, boxes[new],
                           scores[new])
    unsorted = np.empty_like(tube_of_box)
    unsorted[order] = tube_of_box
    return unsorted, np.array(tube_group, dtype=np.int64)


def _extend(live: '_Tubes', box_ids: np.ndarray, groups: np.ndarray,
            boxes: np.ndarray, link_iou_thr: float,
            plus_one: bool) -> np.ndarray:
    """Let live tubes claim this frame's boxes.

    Args:
        live (_Tubes): live tubes.
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
    box_groups = groups[box_ids]  # sorted
    group_starts = _run_starts(box_groups)
    frame_groups = box_groups[group_starts]
    box_slot_group = np.cumsum(
        np.r_[False, box_groups[1:] != box_groups[:-1]])
    slots = np.arange(box_ids.size) - group_starts[box_slot_group]
    table = np.full((frame_groups.size, int(slots.max()) + 1), -1)
    table[box_slot_group, slots] = np.arange(box_ids.size)
    row = np.minimum(np.searchsorted(frame_groups, live.groups),
                     frame_groups.size - 1)
    has_boxes = frame_groups[row] == live.groups
    candidates = np.where(has_boxes[:, None], table[row], -1)
    tube_index, slot = np.nonzero(candidates >= 0)
    valid = np.zeros(candidates.shape, dtype=bool)
    pair_boxes = boxes[box_ids[candidates[tube_index, slot]]]
    valid[tube_index, slot] = box_iou(live.last_boxes[tube_index],
                                      pair_boxes, plus_one) >= link_iou_thr
    # Tubes without a valid box cannot claim one; ranking the others among
    # themselves keeps ACT's order of choosing.
    active = np.flatnonzero(valid.any(1))
    ranks = live.rank_by_score(active)
    active = active[np.argsort(ranks[active], kind='stable')]
    bounds = np.searchsorted(ranks[active], np.arange(ranks.max() + 2))
    claimed = np.zeros(box_ids.size, dtype=bool)
    for rank in range(ranks.max() + 1):
        tubes = active[bounds[rank]:bounds[rank + 1]]
        free = valid[tubes] & ~claimed[candidates[tubes]]
        hit = free.any(1)
        choice = candidates[tubes[hit], np.argmax(free[hit], 1)]
        taken[tubes[hit]] = choice
        claimed[choice] = True
    return taken


class _Tubes:
    """Live tubes: id, group, last frame, last box, score sum and number of
    boxes per tube. Ids increase along the arrays (tubes are only removed,
    or appended with new, larger ids)."""

    def __init__(self, ids: np.ndarray, groups: np.ndarray,
                 last_frames: np.ndarray, last_boxes: np.ndarray,
                 score_sums: np.ndarray, counts: np.ndarray):
        self.ids, self.groups = ids, groups
        self.last_frames, self.last_boxes = last_frames, last_boxes
        self.score_sums, self.counts = score_sums, counts

    @classmethod
    def empty(cls) -> '_Tubes':
        return cls(
            np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64),
            np.zeros(0, dtype=np.int64), np.zeros((0, 4)), np.zeros(0),
            np.zeros(0, dtype=np.int64))

    @property
    def size(self) -> int:
        return self.ids.size

    def select(self, index: np.ndarray) -> '_Tubes':
        """The tubes at ``index`` (bool mask or indices), in that order."""
        if index.dtype == bool and index.all():
            return self
        return _Tubes(self.ids[index], self.groups[index],
                      self.last_frames[index], self.last_boxes[index],
                      self.score_sums[index], self.counts[index])

    def rank_by_score(self, subset: np.ndarray) -> np.ndarray:
        """Rank of tubes in their group by descending mean score.

        ACT lets the tubes of a class choose boxes in this order. Ties go to
        the older tube (ACT breaks them by its list order, which differs
        only when two tubes of a class have exactly equal mean scores).

        Args:
            subset (np.ndarray): indices of the tubes to rank among
                themselves.

        Returns:
            np.ndarray: (A,) int64 ranks within ``subset``; 0 elsewhere.
        """
        ranks = np.zeros(self.size, dtype=np.int64)
        if subset.size == 0:
            return ranks
        # ids grow along the live order, so a stable sort puts older tubes
        # first on ties.
        means = self.score_sums[subset] / self.counts[subset]
        order = subset[np.lexsort((-means, self.groups[subset]))]
        ranks[order] = rank_in_group(self.groups[order])
        return ranks

    def extend(self, extended: np.ndarray, box_ids: np.ndarray, frame: int,
               boxes: np.ndarray, scores: np.ndarray) -> None:
        """Append box ``box_ids[i]`` of ``frame`` to the i-th tube of
        ``extended`` (a bool mask)."""
        self.last_frames = np.where(extended, frame, self.last_frames)
        self.last_boxes = self.last_boxes.copy()
        self.last_boxes[extended] = boxes[box_ids]
        self.score_sums = self.score_sums.copy()
        self.score_sums[extended] += scores[box_ids]
        self.counts = self.counts + extended

    def append(self, ids: np.ndarray, groups: np.ndarray, frame: int,
               boxes: np.ndarray, scores: np.ndarray) -> '_Tubes':
        """The tubes followed by new one-box tubes."""
        return _Tubes(
            np.r_[self.ids, ids], np.r_[self.groups, groups],
            np.r_[self.last_frames,
                  np.full(ids.size, frame, dtype=np.int64)],
            np.concatenate([self.last_boxes, boxes]),
            np.r_[self.score_sums, scores],
            np.r_[self.counts, np.ones(ids.size, dtype=np.int64)])
