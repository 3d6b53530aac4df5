"""The pixel protocol of VideoCapsuleNet / E2E-SSL ("f-mAP" and "v-mAP").

Not a detection AP: for every test frame that has a ground-truth annotation,
the IoU of the binarised predicted foreground (probability ``>= 0.5``) with
the ground-truth mask of all actors is computed.

- f-mAP@theta: per class, the fraction of its annotated frames with
  IoU ``>= theta``; mean over classes.
- v-mAP@theta: per video, IoU = (sum of intersections) / (sum of unions) over
  its annotated frames; per class, the fraction of its videos with IoU
  ``>= theta``; mean over classes.

Thresholds are k/20 for k = 0..19 (the VideoCapsuleNet set); papers report
0.2 and 0.5. A frame whose prediction and ground truth are both empty counts
as IoU 1. Classes without evaluated frames are NaN and left out of the means.
Values are percentages.
"""
from typing import Dict, Optional, Sequence, Tuple

import numpy as np

DEFAULT_THRESHOLDS = tuple(k / 20 for k in range(20))


def mask_iou_counts(pred: np.ndarray,
                    gt: np.ndarray,
                    pred_thr: float = 0.5) -> Tuple[np.ndarray, np.ndarray]:
    """Per-frame intersection and union pixel counts.

    Args:
        pred (np.ndarray): (T, H, W) foreground probabilities.
        gt (np.ndarray): (T, H, W) ground-truth masks (non-zero = actor).
        pred_thr (float): probability at which a pixel is foreground.
            Defaults to 0.5.

    Returns:
        tuple[np.ndarray, np.ndarray]: (T,) int64 intersections and unions.
    """
    pred = np.asarray(pred) >= pred_thr
    gt = np.asarray(gt) > 0
    if pred.shape != gt.shape:
        raise ValueError(f'prediction shape {pred.shape} differs from '
                         f'ground-truth shape {gt.shape}')
    axes = tuple(range(1, pred.ndim))
    return ((pred & gt).sum(axes, dtype=np.int64),
            (pred | gt).sum(axes, dtype=np.int64))


def mask_frame_video_map(
        intersections: np.ndarray,
        unions: np.ndarray,
        frame_videos: np.ndarray,
        video_labels: np.ndarray,
        num_classes: Optional[int] = None,
        thresholds: Sequence[float] = DEFAULT_THRESHOLDS
) -> Dict[str, np.ndarray]:
    """f-mAP and v-mAP of the pixel protocol at every threshold.

    Args:
        intersections (np.ndarray): (F,) intersection pixel counts of the
            annotated frames (see :func:`mask_iou_counts`).
        unions (np.ndarray): (F,) union pixel counts.
        frame_videos (np.ndarray): (F,) int index of each frame's video.
        video_labels (np.ndarray): (V,) int class of each video.
        num_classes (int, optional): number of classes C; defaults to
            ``max(video_labels) + 1``.
        thresholds (Sequence[float]): IoU thresholds theta (K of them);
            defaults to k/20, k = 0..19.

    Returns:
        dict[str, np.ndarray]: ``thresholds`` (K,); ``f-mAP`` and ``v-mAP``
        (K,) in percent; ``f-AP`` and ``v-AP`` (K, C) per class in percent
        (NaN for classes without evaluated frames); ``frame_iou`` (F,) and
        ``video_iou`` (V,) (NaN for videos without frames).
    """
    inter = np.asarray(intersections, dtype=np.float64)
    union = np.asarray(unions, dtype=np.float64)
    frame_videos = np.asarray(frame_videos, dtype=np.int64)
    video_labels = np.asarray(video_labels, dtype=np.int64)
    if not inter.shape == union.shape == frame_videos.shape:
        raise ValueError('intersections, unions and frame_videos must have '
                         'the same (F,) shape')
    if np.any(inter > union):
        raise ValueError('an intersection exceeds its union')
    if frame_videos.size and (frame_videos.min() < 0 or
                              frame_videos.max() >= video_labels.size):
        raise ValueError('frame_videos must index video_labels')
    if num_classes is None:
        num_classes = int(video_labels.max()) + 1 if video_labels.size else 0
    thresholds = np.asarray(thresholds, dtype=np.float64)

    frame_iou = _iou(inter, union)
    num_videos = video_labels.size
    video_iou = _iou(
        np.bincount(frame_videos, inter, minlength=num_videos),
        np.bincount(frame_videos, union, minlength=num_videos))
    has_frames = np.bincount(frame_videos, minlength=num_videos) > 0
    video_iou[~has_frames] = np.nan

    frame_ap = _fraction_per_class(frame_iou, video_labels[frame_videos],
                                   num_classes, thresholds)
    video_ap = _fraction_per_class(video_iou[has_frames],
                                   video_labels[has_frames], num_classes,
                                   thresholds)
    return {
        'thresholds': thresholds,
        'f-mAP': _nanmean_rows(frame_ap),
        'v-mAP': _nanmean_rows(video_ap),
        'f-AP': frame_ap,
        'v-AP': video_ap,
        'frame_iou': frame_iou,
        'video_iou': video_iou,
    }


def _iou(inter: np.ndarray, union: np.ndarray) -> np.ndarray:
    """Intersection over union, 1 where both are empty."""
    return np.where(union > 0, inter / np.maximum(union, 1.0), 1.0)


def _fraction_per_class(ious: np.ndarray, labels: np.ndarray,
                        num_classes: int,
                        thresholds: np.ndarray) -> np.ndarray:
    """(K, C) percentage of items of each class with IoU >= threshold."""
    counts = np.bincount(labels, minlength=num_classes).astype(np.float64)
    hits = np.stack([
        np.bincount(labels, ious >= thr, minlength=num_classes)
        for thr in thresholds
    ]) if thresholds.size else np.zeros((0, num_classes))
    with np.errstate(invalid='ignore', divide='ignore'):
        return np.where(counts > 0, 100.0 * hits / counts, np.nan)


def _nanmean_rows(values: np.ndarray) -> np.ndarray:
    """Mean over classes with a defined value (NaN if none)."""
    defined = ~np.isnan(values)
    total = np.where(defined, values, 0.0).sum(1)
    count = defined.sum(1)
    return np.where(count > 0, total / np.maximum(count, 1), np.nan)
