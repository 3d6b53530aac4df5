"""Per-frame detections of one video from the detector's predicted clips.

Takes what :meth:`CapsuleDetector.predict` gives (as dicts, the format of a
``tools/test.py --dump`` file) or the compact clip results of
``ActionDetectionMetric(out_file_path=...)`` (boxes only, no masks), stitches
the clips of the video as the metric does (each frame from the clip whose
centre is nearest) and turns each frame into what
:func:`~mmssl.visualization.draw_detection_frame` draws.
"""
from dataclasses import dataclass, field
from typing import List, Mapping, Optional, Sequence

import numpy as np
import torch

from ..evaluation.metrics.clip_summary import summarise_clip
from ..evaluation.metrics.video_stitching import stitch_clips

COMPACT_KEYS = ('video_name', 'frame_inds', 'pred_boxes', 'pred_score',
                'gt_boxes', 'gt_label', 'gt_frame_valid', 'intersections',
                'unions')


@dataclass
class FrameDetections:
    """What is drawn on one frame.

    Attributes:
        frame (int): 1-based frame number in the video.
        pred_boxes (np.ndarray): ``M x 4`` inclusive ``x1, y1, x2, y2``.
        pred_texts (list[str]): ``M`` labels, ``'<class> <score>'`` with the
            clip's top class and ``box score x class probability``.
        gt_boxes (np.ndarray): ``K x 4`` ``x1, y1, x2, y2``.
        gt_texts (list[str]): ``K`` class names.
        pred_mask (np.ndarray, optional): ``H x W`` bool predicted
            foreground (None for compact results).
        gt_mask (np.ndarray, optional): ``H x W`` bool ground truth (None
            for compact results or frames without annotation).
    """
    frame: int
    pred_boxes: np.ndarray
    pred_texts: List[str]
    gt_boxes: np.ndarray
    gt_texts: List[str]
    pred_mask: Optional[np.ndarray] = field(default=None, repr=False)
    gt_mask: Optional[np.ndarray] = field(default=None, repr=False)


def is_compact(clip: Mapping) -> bool:
    """Whether ``clip`` is a compact metric result (no masks)."""
    return 'pred_mask' not in clip and all(k in clip for k in COMPACT_KEYS)


def _as_numpy(value) -> np.ndarray:
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy()
    return np.asarray(value)


def video_frame_detections(clips: Sequence[Mapping],
                           class_names: Sequence[str],
                           pred_thr: float = 0.5,
                           box_mode: str = 'largest_component',
                           min_box_area: int = 1) -> List[FrameDetections]:
    """Stitch the predicted clips of one video into per-frame detections.

    Args:
        clips (Sequence[Mapping]): the video's predicted clips, each either a
            predicted sample as a dict (``video_name``, ``frame_inds`` (T,),
            ``pred_score`` (C,), ``pred_mask`` (T, H, W) probabilities,
            ``gt_mask`` (T, H, W), ``gt_frame_valid``, ``gt_label``, boxes)
            or a compact result of ``ActionDetectionMetric``.
        class_names (Sequence[str]): the ``C`` class names.
        pred_thr (float): foreground probability threshold.
        box_mode (str): how masks become boxes (see
            :func:`~mmssl.evaluation.functional.masks_to_boxes`).
        min_box_area (int): smallest foreground region giving a box.

    Returns:
        list[FrameDetections]: one per covered frame, in frame order.

    Raises:
        ValueError: no clips, clips of several videos, or a class count that
            differs from ``class_names``.
    """
    if not clips:
        raise ValueError('no predicted clips to draw')
    videos = sorted({str(clip.get('video_name')) for clip in clips})
    if len(videos) != 1:
        raise ValueError(f'clips of several videos {videos[:5]}; pass the '
                         'clips of one video')
    compact = [
        dict(clip) if is_compact(clip) else summarise_clip(
            clip, pred_thr, box_mode, min_box_area) for clip in clips
    ]
    num_classes = compact[0]['pred_score'].size
    if num_classes != len(class_names):
        raise ValueError(f'video {videos[0]!r}: pred_score has '
                         f'{num_classes} classes, the dataset names '
                         f'{len(class_names)}')
    stitched = stitch_clips(compact)
    top = stitched.clip_scores.argmax(1)
    frames = []
    for row in np.argsort(stitched.frames['frame'], kind='stable'):
        frame = int(stitched.frames['frame'][row])
        clip = int(stitched.frames['clip'][row])
        preds = stitched.pred_boxes[stitched.pred_boxes[:, 1] == frame]
        gts = stitched.gt_boxes[stitched.gt_boxes[:, 1] == frame]
        label = int(top[clip])
        scores = preds[:, 3] * stitched.clip_scores[clip, label]
        frames.append(
            FrameDetections(
                frame=frame,
                pred_boxes=preds[:, 4:8],
                pred_texts=[f'{class_names[label]} {s:.2f}' for s in scores],
                gt_boxes=gts[:, 3:7],
                gt_texts=[class_names[int(c)] for c in gts[:, 2]],
                **_frame_masks(clips[clip], compact[clip], frame, pred_thr)))
    return frames


def _frame_masks(clip: Mapping, summary: Mapping, frame: int,
                 pred_thr: float) -> dict:
    """``pred_mask`` / ``gt_mask`` of one frame of a full predicted clip
    (the ground truth only on annotated frames)."""
    if 'pred_mask' not in clip:
        return {}
    index = int(np.flatnonzero(summary['frame_inds'] == frame)[0])
    masks = dict(pred_mask=_as_numpy(clip['pred_mask'][index]) >= pred_thr)
    if 'gt_mask' in clip and summary['gt_frame_valid'][index]:
        masks['gt_mask'] = _as_numpy(clip['gt_mask'][index]) > 0
    return masks
