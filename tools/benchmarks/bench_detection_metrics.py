"""Time the detection metrics on a synthetic UCF101-24-sized test set.

900 videos, about 150k frames, 24 classes, one or two actors per video and
tens of detections per frame (every predicted box scored for every class,
as :class:`ActionDetectionMetric` does with ``box_labels='all'``). Writes the
``detection_metrics`` section of ``docs/benchmarks.md``.

Usage::

    python tools/benchmarks/bench_detection_metrics.py [--no-write]
"""
import argparse
import os
import os.path as osp
import pickle
import platform
import sys
import tempfile
import time
from typing import Callable, Dict, List, Tuple

import numpy as np
import torch

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from report import update_section  # noqa: E402

import mmssl  # noqa: E402,F401
from mmssl.evaluation.functional import (frame_ap, link_tubes,  # noqa: E402
                                         mask_frame_video_map,
                                         video_ap_per_threshold)
from mmssl.evaluation.metrics import ActionDetectionMetric  # noqa: E402
from mmssl.evaluation.metrics.action_detection_metric import \
    DEFAULT_LINK_CFG  # noqa: E402

NUM_CLASSES = 24
CLIP_LEN = 16
HEIGHT, WIDTH = 240, 320


def synthetic_gt(rng: np.random.Generator,
                 num_videos: int) -> Tuple[dict, List[str], np.ndarray]:
    """ACT-format ground truth: 60..274 frames per video, an action over
    about 70 % of it, a second actor in one video of five."""
    videos = [f'class{v % NUM_CLASSES:02d}/video{v:04d}'
              for v in range(num_videos)]
    nframes = rng.integers(60, 275, num_videos)
    gttubes = {}
    for index, video in enumerate(videos):
        length = int(nframes[index] * rng.uniform(0.5, 0.9))
        start = int(rng.integers(1, nframes[index] - length + 2))
        tubes = []
        for _ in range(1 + (rng.random() < 0.2)):
            size = rng.uniform(40, 120, 2)
            corner = rng.uniform(0, [WIDTH - size[0], HEIGHT - size[1]])
            walk = np.cumsum(rng.normal(0, 1.0, (length, 2)), 0)
            top_left = np.clip(corner + walk, 0, [WIDTH - size[0],
                                                  HEIGHT - size[1]])
            tubes.append(np.column_stack([
                np.arange(start, start + length), top_left,
                top_left + size
            ]).astype(np.float32))
        gttubes[video] = {index % NUM_CLASSES: tubes}
    gt = dict(
        labels=[f'class{c:02d}' for c in range(NUM_CLASSES)],
        nframes=dict(zip(videos, nframes.tolist())),
        gttubes=gttubes)
    return gt, videos, nframes


def synthetic_boxes(rng: np.random.Generator, gt: dict,
                    videos: List[str]) -> np.ndarray:
    """Per-frame predicted boxes ``[video, frame, score, x1, y1, x2, y2]``:
    each ground-truth box jittered (missed 10 % of the time) plus a false
    box in 30 % of the frames."""
    rows = []
    for index, video in enumerate(videos):
        nframes = gt['nframes'][video]
        for tubes in gt['gttubes'][video].values():
            for tube in tubes:
                found = rng.random(len(tube)) > 0.1
                jitter = rng.normal(0, 6, (len(tube), 4))
                rows.append(np.column_stack([
                    np.full(found.sum(), index), tube[found, 0],
                    rng.uniform(0.5, 1.0, found.sum()),
                    tube[found, 1:] + jitter[found]
                ]))
        false = np.flatnonzero(rng.random(nframes) < 0.3) + 1
        corner = rng.uniform(0, [WIDTH - 60, HEIGHT - 60], (false.size, 2))
        rows.append(np.column_stack([
            np.full(false.size, index), false,
            rng.uniform(0.3, 0.8, false.size), corner, corner + 60
        ]))
    return np.concatenate(rows)


def class_probs(rng: np.random.Generator, num_videos: int) -> np.ndarray:
    """(V, C) clip class probabilities, right class on top in ~80 %."""
    logits = rng.normal(0, 1, (num_videos, NUM_CLASSES))
    logits[np.arange(num_videos), np.arange(num_videos) % NUM_CLASSES] += 3
    probs = np.exp(logits)
    return probs / probs.sum(1, keepdims=True)


def all_class_detections(boxes: np.ndarray,
                         probs: np.ndarray) -> np.ndarray:
    """(N * C, 8) frame-AP detections of every box for every class."""
    video = boxes[:, 0].astype(np.int64)
    scores = boxes[:, 2:3] * probs[video]
    return np.column_stack([
        np.repeat(boxes[:, :2], NUM_CLASSES, 0),
        np.tile(np.arange(NUM_CLASSES), boxes.shape[0]),
        scores.reshape(-1),
        np.repeat(boxes[:, 3:7], NUM_CLASSES, 0)
    ])


def clip_results(rng: np.random.Generator, gt: dict, videos: List[str],
                 nframes: np.ndarray, boxes: np.ndarray,
                 probs: np.ndarray) -> List[dict]:
    """Compact per-clip results as ``ActionDetectionMetric.process`` keeps
    them, for 16-frame clips covering every frame."""
    results = []
    by_video = np.split(boxes, np.searchsorted(boxes[:, 0],
                                               np.arange(1, len(videos))))
    for index, video in enumerate(videos):
        gt_rows = np.concatenate([
            np.column_stack([tube[:, 0], np.full(len(tube), label),
                             tube[:, 1:]])
            for label, tubes in gt['gttubes'][video].items()
            for tube in tubes
        ])
        annotated = np.zeros(nframes[index] + 1, dtype=bool)
        annotated[gt_rows[:, 0].astype(np.int64)] = True
        pred = by_video[index]
        for start in range(1, nframes[index] + 1, CLIP_LEN):
            frames = np.arange(start, min(start + CLIP_LEN,
                                          nframes[index] + 1))
            union = rng.integers(2000, 9000, frames.size)
            in_clip = (pred[:, 1] >= start) & (pred[:, 1] <= frames[-1])
            gt_in_clip = (gt_rows[:, 0] >= start) & (gt_rows[:, 0] <=
                                                     frames[-1])
            results.append(
                dict(
                    video_name=video,
                    frame_inds=frames,
                    gt_frame_valid=annotated[frames],
                    intersections=(union * rng.uniform(0.2, 1.0,
                                                       frames.size)).astype(
                                                           np.int64),
                    unions=union.astype(np.int64),
                    pred_boxes=np.column_stack([
                        pred[in_clip, 1] - start, pred[in_clip, 2:]
                    ]).astype(np.float32),
                    pred_score=probs[index].astype(np.float32),
                    gt_label=index % NUM_CLASSES,
                    gt_boxes=np.column_stack([
                        gt_rows[gt_in_clip, 0] - start, gt_rows[gt_in_clip,
                                                                1:]
                    ]).astype(np.float32)))
    return results


def timed(fn: Callable) -> Tuple[Tuple[float, float], object]:
    """((wall seconds, CPU seconds of this process), fn())."""
    wall, cpu = time.perf_counter(), time.process_time()
    value = fn()
    return (time.perf_counter() - wall, time.process_time() - cpu), value


def time_process(num_clips: int = 20) -> float:
    """Wall and CPU seconds of ``process()`` per 16-frame 320x240 clip (mask
    counts and mask-to-box conversion)."""
    from mmaction.structures import ActionDataSample
    metric = ActionDetectionMetric()
    gt = torch.zeros(CLIP_LEN, HEIGHT, WIDTH, dtype=torch.uint8)
    gt[:, 60:180, 100:200] = 1
    samples = []
    for i in range(num_clips):
        sample = ActionDataSample().set_gt_label(0)
        sample.set_pred_score(torch.full((NUM_CLASSES, ), 1 / NUM_CLASSES))
        sample.pred_mask = torch.rand(CLIP_LEN, HEIGHT, WIDTH) * 0.4 + \
            gt.float() * 0.5
        sample.gt_mask = gt
        sample.gt_frame_valid = torch.ones(CLIP_LEN, dtype=torch.bool)
        sample.gt_bboxes = torch.tensor([[100., 60., 199., 179.]] * CLIP_LEN)
        sample.gt_bbox_frames = torch.arange(CLIP_LEN)
        sample.gt_bbox_labels = torch.zeros(CLIP_LEN, dtype=torch.long)
        sample.set_metainfo(dict(video_name='v', frame_inds=np.arange(
            1, CLIP_LEN + 1) + i * CLIP_LEN))
        samples.append(sample.to_dict())
    (wall, cpu), _ = timed(lambda: metric.process(None, samples))
    return wall / num_clips, cpu / num_clips


def cpu_name() -> str:
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('model name'):
                    return line.split(':', 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or 'unknown CPU'


def run(num_videos: int) -> Dict[str, object]:
    rng = np.random.default_rng(0)
    gt, videos, nframes = synthetic_gt(rng, num_videos)
    boxes = synthetic_boxes(rng, gt, videos)
    probs = class_probs(rng, num_videos)
    detections = all_class_detections(boxes, probs)
    stats = dict(
        videos=num_videos,
        frames=int(nframes.sum()),
        boxes=boxes.shape[0],
        detections=detections.shape[0])
    stats['frame_ap'], (stats['frame_map'], _) = timed(
        lambda: frame_ap(gt, videos, detections, 0.5))
    stats['link'], tubes = timed(
        lambda: link_tubes(detections, videos, **DEFAULT_LINK_CFG))
    stats['tubes'] = sum(
        len(t) for per_video in tubes.values() for t in per_video.values())
    thresholds = [0.2] + [round(0.5 + 0.05 * k, 2) for k in range(10)]
    stats['video_ap'], video_results = timed(
        lambda: video_ap_per_threshold(gt, videos, tubes, thresholds))
    stats['video_map'] = video_results[1][0]
    frames = int(nframes.sum())
    union = rng.integers(1000, 9000, frames)
    stats['mask'], _ = timed(lambda: mask_frame_video_map(
        (union * rng.random(frames)).astype(np.int64), union,
        np.repeat(np.arange(num_videos), nframes),
        np.arange(num_videos) % NUM_CLASSES))
    results = clip_results(rng, gt, videos, nframes, boxes, probs)
    stats['clips'] = len(results)
    stats['result_mb'] = len(pickle.dumps(results)) / 2**20
    with tempfile.TemporaryDirectory() as tmp:
        ann_file = osp.join(tmp, 'GT.pkl')
        with open(ann_file, 'wb') as f:
            pickle.dump(gt, f)
        metric = ActionDetectionMetric(ann_file=ann_file)
        stats['metric'], stats['metrics'] = timed(
            lambda: metric.compute_metrics(results))
    stats['process'] = time_process()
    stats['load'] = os.getloadavg()[0]
    return stats


def markdown(stats: Dict[str, object]) -> str:
    """The benchmark's section of ``docs/benchmarks.md``."""
    metrics = stats['metrics']

    def row(key: str, digits: int = 2) -> str:
        wall, cpu = stats[key]
        return f'{wall:.{digits}f} | {cpu:.{digits}f}'

    per_frame = stats['detections'] / stats['frames']
    lines = [
        '## Detection metrics',
        '',
        'Written by `python tools/benchmarks/bench_detection_metrics.py`. '
        f"Synthetic UCF101-24-sized test set: {stats['videos']} videos, "
        f"{stats['frames']:,} frames, 24 classes, "
        f"{stats['boxes']:,} predicted boxes, each scored for every class: "
        f"{stats['detections']:,} frame detections "
        f'(about {per_frame:.0f} per frame), '
        f"{stats['clips']:,} clips of 16 frames.",
        '',
        f'Machine: {os.cpu_count()} CPU cores ({cpu_name()}), no GPU; '
        f'numpy {np.__version__}, Python {platform.python_version()}.',
        '',
        '| step | wall s | CPU s |',
        '|---|---|---|',
        f"| `frame_ap` at IoU 0.5 | {row('frame_ap')} |",
        '| `link_tubes` (all videos and classes, the metric\'s defaults; '
        f"{stats['tubes']:,} tubes) | {row('link')} |",
        '| `video_ap_per_threshold` (11 thresholds: 0.2, 0.5:0.95) | '
        f"{row('video_ap')} |",
        f"| `mask_frame_video_map` | {row('mask')} |",
        '| `ActionDetectionMetric.compute_metrics` (all of the above, '
        f"from compact clip results, ACT ann file) | {row('metric')} |",
        '| `ActionDetectionMetric.process`, per 16 x 240 x 320 clip | '
        f"{row('process', 3)} |",
        '',
        'Wall times depend on what else runs on the machine (shared; load '
        f"average {stats['load']:.1f} at the end of the run); CPU times are "
        'the process\'s own. The compact per-clip results of the whole set '
        f"take {stats['result_mb']:.0f} MiB pickled (what ranks exchange). "
        'Values on this synthetic set (not a model result): '
        f"frame-AP@0.5 {metrics['det/frame-AP@0.5']:.1f}, "
        f"video-AP@0.5 {metrics['det/video-AP@0.5']:.1f}.",
    ]
    return '\n'.join(lines) + '\n'


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--videos', type=int, default=900)
    parser.add_argument(
        '--no-write', action='store_true', help='print, do not write docs')
    args = parser.parse_args()
    stats = run(args.videos)
    text = markdown(stats)
    print(text)
    if not args.no_write:
        root = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
        update_section('detection_metrics', text,
                       osp.join(root, 'docs', 'benchmarks.md'))


if __name__ == '__main__':
    main()
