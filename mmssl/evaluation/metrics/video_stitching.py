"""Stitch compact per-clip results back into whole videos.

Test clips of a video may overlap (and a distributed sampler may repeat a
clip). Every frame takes its prediction and ground truth from exactly one
clip: the one whose centre is nearest to the frame (ties: the clip that comes
first in the results).
"""
from dataclasses import dataclass
from typing import Dict, List, Sequence

import numpy as np


@dataclass
class StitchedVideos:
    """Per-frame tables of a set of videos.

    Attributes:
        videos (list[str]): V video names, sorted.
        video_labels (np.ndarray): (V,) int class of each video.
        video_scores (np.ndarray): (V, C) class scores averaged over the
            video's clips.
        clip_scores (np.ndarray): (R, C) class scores of each clip.
        clip_labels (np.ndarray): (R,) int class of each clip.
        frames (dict[str, np.ndarray]): one entry per stitched frame (F):
            ``video`` and ``frame`` (1-based) int64, ``clip`` int64 (the
            clip it comes from), ``gt_valid`` bool, ``intersections`` and
            ``unions`` int64.
        pred_boxes (np.ndarray): (M, 8) rows ``[video, frame, clip, score,
            x1, y1, x2, y2]`` of the stitched frames.
        gt_boxes (np.ndarray): (K, 7) rows ``[video, frame, label, x1, y1,
            x2, y2]``.
    """
    videos: List[str]
    video_labels: np.ndarray
    video_scores: np.ndarray
    clip_scores: np.ndarray
    clip_labels: np.ndarray
    frames: Dict[str, np.ndarray]
    pred_boxes: np.ndarray
    gt_boxes: np.ndarray


def stitch_clips(results: Sequence[dict]) -> StitchedVideos:
    """Group clip results by video and pick one clip per frame.

    Args:
        results (Sequence[dict]): outputs of
            :func:`~mmssl.evaluation.metrics.clip_summary.summarise_clip`.

    Returns:
        StitchedVideos: the per-video and per-frame tables.
    """
    if not results:
        raise ValueError('no predicted clips to evaluate')
    videos = sorted({result['video_name'] for result in results})
    video_index = {video: i for i, video in enumerate(videos)}
    clip_video = np.array(
        [video_index[result['video_name']] for result in results])
    clip_scores = _stack_scores(results)
    clip_labels = np.array([result['gt_label'] for result in results])
    video_labels = _video_labels(videos, clip_video, clip_labels)
    video_scores = np.zeros((len(videos), clip_scores.shape[1]))
    np.add.at(video_scores, clip_video, clip_scores)
    video_scores /= np.bincount(clip_video, minlength=len(videos))[:, None]

    lengths = np.array([result['frame_inds'].size for result in results])
    record_clip = np.repeat(np.arange(len(results)), lengths)
    frame = np.concatenate([result['frame_inds'] for result in results])
    centre = np.array([(r['frame_inds'].min() + r['frame_inds'].max()) / 2
                       for r in results])
    record_video = clip_video[record_clip]
    order = np.lexsort((record_clip, np.abs(frame - centre[record_clip]),
                        frame, record_video))
    first = np.r_[True, (np.diff(record_video[order]) != 0) |
                  (np.diff(frame[order]) != 0)]
    selected = np.zeros(frame.size, dtype=bool)
    selected[order[first]] = True

    frames = dict(
        video=record_video[selected],
        frame=frame[selected],
        clip=record_clip[selected],
        gt_valid=np.concatenate([r['gt_frame_valid']
                                 for r in results])[selected],
        intersections=np.concatenate([r['intersections']
                                      for r in results])[selected],
        unions=np.concatenate([r['unions'] for r in results])[selected])
    pred_boxes = _select_rows(results, 'pred_boxes', selected, frame,
                              clip_video)
    gt_boxes = _select_rows(results, 'gt_boxes', selected, frame, clip_video)
    return StitchedVideos(
        videos=videos,
        video_labels=video_labels,
        video_scores=video_scores,
        clip_scores=clip_scores,
        clip_labels=clip_labels,
        frames=frames,
        pred_boxes=pred_boxes,
        gt_boxes=np.delete(gt_boxes, 2, axis=1))


def _stack_scores(results: Sequence[dict]) -> np.ndarray:
    """(R, C) class scores; all clips must have the same C."""
    sizes = {result['pred_score'].size for result in results}
    if len(sizes) != 1:
        raise ValueError(f'clips have pred_score of different lengths '
                         f'{sorted(sizes)}')
    return np.stack([result['pred_score'] for result in results]).astype(
        np.float64)


def _video_labels(videos: List[str], clip_video: np.ndarray,
                  clip_labels: np.ndarray) -> np.ndarray:
    """One label per video; clips of a video must agree."""
    labels = np.full(len(videos), -1, dtype=np.int64)
    labels[clip_video] = clip_labels
    disagree = np.flatnonzero(labels[clip_video] != clip_labels)
    if disagree.size:
        video = videos[clip_video[disagree[0]]]
        raise ValueError(f'video {video!r}: its clips have different '
                         f'gt_label values')
    return labels


def _select_rows(results: Sequence[dict], key: str, selected: np.ndarray,
                 frame: np.ndarray, clip_video: np.ndarray) -> np.ndarray:
    """Per-clip rows of the frames that were taken from their clip.

    Args:
        results (Sequence[dict]): clip results; ``result[key]`` is (n, 6)
            with the clip's frame position ``t`` in column 0.
        key (str): ``'pred_boxes'`` or ``'gt_boxes'``.
        selected (np.ndarray): (total frames,) bool, frame records kept.
        frame (np.ndarray): (total frames,) 1-based frame of each record.
        clip_video (np.ndarray): (R,) video of each clip.

    Returns:
        np.ndarray: (n', 8) float64 rows ``[video, frame, clip, *row[1:]]``.
    """
    counts = np.array([result[key].shape[0] for result in results])
    rows = np.concatenate([
        np.asarray(result[key], dtype=np.float64).reshape(-1, 6)
        for result in results
    ])
    clip = np.repeat(np.arange(len(results)), counts)
    lengths = np.array([result['frame_inds'].size for result in results])
    record = (np.cumsum(lengths) - lengths)[clip] + rows[:, 0].astype(
        np.int64)
    keep = selected[record]
    return np.column_stack([
        clip_video[clip[keep]], frame[record[keep]], clip[keep],
        rows[keep, 1:]
    ])
