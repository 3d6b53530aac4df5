"""Reading the ground truth of ACT-format annotation dicts.

The ACT detector's ``UCF101v2-GT.pkl`` / ``JHMDB-GT.pkl`` hold a dict with
``labels`` (class names), ``gttubes`` (``{video: {label: [tube, ...]}}``,
each tube an (n, 5) array of rows ``[frame (1-based), x1, y1, x2, y2]``),
``nframes``, ``resolution``, ``train_videos`` and ``test_videos``. The
metrics need only ``labels`` and ``gttubes`` of the evaluated videos.
"""
from typing import Dict, List, Sequence, Tuple

import numpy as np


def class_names(gt: dict) -> List[str]:
    """Class names of an ACT ground-truth dict.

    Args:
        gt (dict): ACT-format ground truth.

    Returns:
        list[str]: ``gt['labels']``.
    """
    if 'labels' not in gt:
        raise KeyError("ground truth dict has no 'labels' (class names)")
    return [str(name) for name in gt['labels']]


def video_gt_tubes(gt: dict, video: str,
                   num_classes: int) -> List[Tuple[int, np.ndarray]]:
    """Validated ground-truth tubes of one video.

    Args:
        gt (dict): ACT-format ground truth.
        video (str): video name, a key of ``gt['gttubes']``.
        num_classes (int): number of classes, labels must lie in
            ``[0, num_classes)``.

    Returns:
        list[tuple[int, np.ndarray]]: ``(label, tube)`` pairs, ``tube`` an
        (n, 5) float64 array ``[frame, x1, y1, x2, y2]`` sorted by frame.
    """
    if 'gttubes' not in gt:
        raise KeyError("ground truth dict has no 'gttubes'")
    if video not in gt['gttubes']:
        raise KeyError(f'video {video!r} has no entry in the ground truth '
                       "'gttubes'")
    tubes = []
    for label, label_tubes in gt['gttubes'][video].items():
        if not 0 <= int(label) < num_classes:
            raise ValueError(f'video {video!r}: ground-truth label {label} '
                             f'outside [0, {num_classes})')
        for tube in label_tubes:
            tubes.append((int(label), check_tube(tube, f'video {video!r} '
                                                 f'ground-truth class '
                                                 f'{label}')))
    return tubes


def check_tube(tube: np.ndarray, where: str) -> np.ndarray:
    """Validate a tube and sort it by frame.

    Args:
        tube (np.ndarray): (n, 5) rows ``[frame, x1, y1, x2, y2]``, or an
            (n, 6) array whose last column (per-frame score) is dropped.
        where (str): description of the tube's origin for error messages.

    Returns:
        np.ndarray: (n, 5) float64, sorted by frame, frames unique.
    """
    tube = np.asarray(tube, dtype=np.float64)
    if tube.ndim != 2 or tube.shape[1] not in (5, 6) or tube.shape[0] == 0:
        raise ValueError(f'{where}: a tube must be a non-empty (n, 5) array '
                         f'[frame, x1, y1, x2, y2], got shape {tube.shape}')
    tube = tube[:, :5]
    if np.any(tube[1:, 0] <= tube[:-1, 0]):
        tube = tube[np.argsort(tube[:, 0], kind='stable')]
        if np.any(tube[1:, 0] == tube[:-1, 0]):
            raise ValueError(f'{where}: a tube has two boxes in one frame')
    return tube


def gt_frame_boxes(gt: dict, videos: Sequence[str],
                   num_classes: int) -> Dict[str, np.ndarray]:
    """All ground-truth boxes of the given videos, one row per box.

    Args:
        gt (dict): ACT-format ground truth.
        videos (Sequence[str]): evaluated video names.
        num_classes (int): number of classes.

    Returns:
        dict[str, np.ndarray]: ``label``, ``video`` (index into ``videos``),
        ``frame`` (int64, (K,) each) and ``box`` (K, 4).
    """
    rows = []
    for video_index, video in enumerate(videos):
        for label, tube in video_gt_tubes(gt, video, num_classes):
            block = np.empty((tube.shape[0], 7))
            block[:, 0] = label
            block[:, 1] = video_index
            block[:, 2:] = tube
            rows.append(block)
    rows = np.concatenate(rows) if rows else np.zeros((0, 7))
    return dict(
        label=rows[:, 0].astype(np.int64),
        video=rows[:, 1].astype(np.int64),
        frame=rows[:, 2].astype(np.int64),
        box=rows[:, 3:7])
