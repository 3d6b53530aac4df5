"""Reduce one predicted test clip to the few numbers the metrics need.

A whole-video test set has far too many mask pixels to keep: per clip only
per-frame intersection/union counts, per-frame predicted boxes with scores,
the class scores and the ground-truth boxes are kept (a few hundred bytes per
frame), so results are cheap to collect from several ranks and to dump.
"""
from typing import Any, Dict, Mapping

import numpy as np
import torch

from ..functional.mask_boxes import masks_to_boxes

REQUIRED_KEYS = ('video_name', 'frame_inds', 'pred_score', 'pred_mask',
                 'gt_mask', 'gt_frame_valid', 'gt_label')
GT_BOX_KEYS = ('gt_bboxes', 'gt_bbox_frames', 'gt_bbox_labels')


def summarise_clip(sample: Mapping[str, Any],
                   pred_thr: float = 0.5,
                   box_mode: str = 'largest_component',
                   min_box_area: int = 1,
                   need_gt_boxes: bool = False) -> Dict[str, Any]:
    """Compact per-clip result of a predicted detection sample.

    Args:
        sample (Mapping): a predicted ``ActionDataSample`` as a dict (fields
            of ``docs/design/detection_sample.md``): ``video_name``,
            ``frame_inds`` (T,), ``pred_score`` (C,), ``pred_mask`` (T, H, W)
            probabilities, ``gt_mask`` (T, H, W), ``gt_frame_valid`` (T,),
            ``gt_label`` (1,) and optionally ``gt_bboxes`` (N, 4),
            ``gt_bbox_frames`` (N,), ``gt_bbox_labels`` (N,).
        pred_thr (float): foreground probability threshold. Defaults to 0.5.
        box_mode (str): how masks become boxes, see
            :func:`~mmssl.evaluation.functional.masks_to_boxes`.
        min_box_area (int): smallest region giving a box, in pixels.
        need_gt_boxes (bool): fail when the ground-truth box fields are
            missing. Defaults to False (they are kept when present).

    Returns:
        dict: ``video_name`` (str), ``frame_inds`` (T,) int64,
        ``gt_frame_valid`` (T,) bool, ``intersections`` / ``unions`` (T,)
        int64 pixel counts, ``pred_boxes`` (M, 6) float32 rows ``[t, score,
        x1, y1, x2, y2]`` with ``t`` in ``0..T-1``, ``pred_score`` (C,)
        float32, ``gt_label`` int and ``gt_boxes`` (K, 6) float32 rows ``[t,
        label, x1, y1, x2, y2]``.
    """
    video = sample.get('video_name', '<unknown video>')
    for key in REQUIRED_KEYS + (GT_BOX_KEYS if need_gt_boxes else ()):
        if key not in sample:
            raise KeyError(f'video {video!r}: predicted sample has no '
                           f'{key!r}')
    frame_inds = np.asarray(sample['frame_inds'], dtype=np.int64).reshape(-1)
    pred_mask = torch.as_tensor(sample['pred_mask'])
    gt_mask = torch.as_tensor(sample['gt_mask'], device=pred_mask.device)
    valid = torch.as_tensor(sample['gt_frame_valid']).reshape(-1)
    _check_shapes(video, frame_inds, pred_mask, gt_mask, valid)
    if np.unique(frame_inds).size != frame_inds.size:
        raise ValueError(f'video {video!r}: frame_inds of a clip repeat a '
                         f'frame: {frame_inds.tolist()}')

    foreground = pred_mask >= pred_thr
    target = gt_mask > 0
    intersections = (foreground & target).sum((1, 2))
    unions = (foreground | target).sum((1, 2))
    frames, boxes, scores = masks_to_boxes(
        pred_mask.detach().float().cpu().numpy(), pred_thr, box_mode,
        min_box_area)
    gt_label = torch.as_tensor(sample['gt_label']).reshape(-1)
    if gt_label.numel() != 1 or int(gt_label[0]) < 0:
        raise ValueError(f'video {video!r}: test clips need one class label '
                         f'>= 0, got gt_label {gt_label.tolist()}')
    return dict(
        video_name=str(video),
        frame_inds=frame_inds,
        gt_frame_valid=valid.bool().cpu().numpy(),
        intersections=intersections.cpu().numpy().astype(np.int64),
        unions=unions.cpu().numpy().astype(np.int64),
        pred_boxes=np.column_stack([frames, scores,
                                    boxes]).astype(np.float32),
        pred_score=torch.as_tensor(
            sample['pred_score']).detach().float().cpu().numpy().reshape(-1),
        gt_label=int(gt_label[0]),
        gt_boxes=_gt_boxes(sample, video, frame_inds.size))


def _check_shapes(video: str, frame_inds: np.ndarray,
                  pred_mask: torch.Tensor, gt_mask: torch.Tensor,
                  valid: torch.Tensor) -> None:
    """Refuse samples whose per-frame fields disagree."""
    num_frames = frame_inds.size
    if pred_mask.ndim != 3 or pred_mask.shape[0] != num_frames:
        raise ValueError(
            f'video {video!r}: pred_mask must be (T, H, W) with T = '
            f'len(frame_inds) = {num_frames}, got {tuple(pred_mask.shape)}')
    if gt_mask.shape != pred_mask.shape:
        raise ValueError(
            f'video {video!r}: gt_mask shape {tuple(gt_mask.shape)} differs '
            f'from pred_mask shape {tuple(pred_mask.shape)} (predictions '
            'must be at the original resolution)')
    if valid.numel() != num_frames:
        raise ValueError(f'video {video!r}: gt_frame_valid has '
                         f'{valid.numel()} entries for {num_frames} frames')


def _gt_boxes(sample: Mapping[str, Any], video: str,
              num_frames: int) -> np.ndarray:
    """(K, 6) rows ``[t, label, x1, y1, x2, y2]``; empty without boxes."""
    if not all(key in sample for key in GT_BOX_KEYS):
        return np.zeros((0, 6), dtype=np.float32)
    boxes = torch.as_tensor(sample['gt_bboxes']).float().cpu().reshape(-1, 4)
    frames = torch.as_tensor(sample['gt_bbox_frames']).cpu().reshape(-1)
    labels = torch.as_tensor(sample['gt_bbox_labels']).cpu().reshape(-1)
    if not boxes.shape[0] == frames.numel() == labels.numel():
        raise ValueError(f'video {video!r}: gt_bboxes, gt_bbox_frames and '
                         'gt_bbox_labels have different lengths')
    if frames.numel() and (frames.min() < 0 or frames.max() >= num_frames):
        raise ValueError(f'video {video!r}: gt_bbox_frames must lie in '
                         f'[0, {num_frames})')
    return torch.cat([frames[:, None].float(), labels[:, None].float(),
                      boxes], 1).numpy()
