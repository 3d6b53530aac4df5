"""Ground-truth tubes rebuilt from the boxes carried by test samples.

Used when the metric has no ACT-format ``ann_file``. Samples carry boxes per
frame but no actor identities, so tubes are rebuilt per video and class:

- when every frame has at most one box of the class, all of them form one
  tube (gaps allowed);
- otherwise (several actors of one class), frame by frame each box joins the
  tube whose last box overlaps it most (IoU > 0, greedy by IoU); a box that
  overlaps none starts a new tube. Crossing actors may swap tubes: use the
  ACT annotation file for exact multi-actor video-AP.
"""
from typing import Dict, List, Sequence

import numpy as np

from ..functional.boxes import box_iou


def gt_from_boxes(gt_boxes: np.ndarray, videos: Sequence[str],
                  class_names: Sequence[str]) -> dict:
    """An ACT-format ground-truth dict from per-frame boxes.

    Args:
        gt_boxes (np.ndarray): (K, 7) rows ``[video_index, frame, label, x1,
            y1, x2, y2]``.
        videos (Sequence[str]): video names indexed by ``video_index``.
        class_names (Sequence[str]): class names.

    Returns:
        dict: ``labels`` and ``gttubes`` (``{video: {label: [tube]}}``, every
        video present, tubes (n, 5) ``[frame, x1, y1, x2, y2]``).
    """
    gttubes: Dict[str, Dict[int, List[np.ndarray]]] = {v: {} for v in videos}
    if gt_boxes.size:
        order = np.lexsort((gt_boxes[:, 1], gt_boxes[:, 2], gt_boxes[:, 0]))
        rows = gt_boxes[order]
        keys = rows[:, [0, 2]].astype(np.int64)
        starts = np.r_[0, np.flatnonzero(np.any(np.diff(keys, axis=0), 1)) +
                       1, rows.shape[0]]
        for start, end in zip(starts[:-1], starts[1:]):
            video, label = keys[start]
            gttubes[videos[video]][int(label)] = _tubes_of_group(
                rows[start:end, 1], rows[start:end, 3:7])
    return dict(labels=list(class_names), gttubes=gttubes)


def _tubes_of_group(frames: np.ndarray,
                    boxes: np.ndarray) -> List[np.ndarray]:
    """Tubes of one (video, class) from boxes sorted by frame."""
    if np.unique(frames).size == frames.size:
        return [np.column_stack([frames, boxes])]
    tubes: List[List[np.ndarray]] = []
    last_boxes = np.zeros((0, 4))
    live = np.zeros(0, dtype=np.int64)
    for frame in np.unique(frames):
        frame_boxes = boxes[frames == frame]
        ious = box_iou(frame_boxes[:, None], last_boxes[None])
        owner = np.full(len(frame_boxes), -1)
        while ious.size and ious.max() > 0:
            box, tube = np.unravel_index(np.argmax(ious), ious.shape)
            owner[box] = live[tube]
            ious[box, :] = 0
            ious[:, tube] = 0
        for box in np.flatnonzero(owner < 0):
            owner[box] = len(tubes)
            tubes.append([])
        for box, tube in enumerate(owner):
            tubes[tube].append(np.r_[frame, frame_boxes[box]])
        live = owner
        last_boxes = frame_boxes
    return [np.stack(tube) for tube in tubes]
