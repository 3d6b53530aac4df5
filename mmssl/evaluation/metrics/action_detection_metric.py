"""One MMEngine metric for whole-video action detection.

It reports, in one evaluation, the pixel protocol of VideoCapsuleNet /
E2E-SSL (``mask/...``), the box metrics of the ACT detector (``det/...``) and
video classification accuracy (``cls/...``); see ``docs/evaluation.md``.
"""
import logging
from typing import Any, Dict, List, Optional, Sequence

import numpy as np
from mmengine.evaluator import BaseMetric
from mmengine.fileio import dump
from mmengine.logging import print_log

from mmaction.registry import METRICS
from mmssl.utils import safe_load_pickle
from ..functional.act_gt import class_names as gt_class_names
from ..functional.act_gt import gt_frame_boxes
from ..functional.average_precision import check_protocol
from ..functional.frame_ap import frame_ap
from ..functional.link_tubes import link_tubes
from ..functional.mask_boxes import BOX_MODES
from ..functional.mask_protocol import mask_frame_video_map
from ..functional.video_ap import RANGE_THRESHOLDS, video_ap_per_threshold
from .clip_summary import summarise_clip
from .gt_from_samples import gt_from_boxes
from .video_stitching import StitchedVideos, stitch_clips

MASK_THRESHOLDS = (0.2, 0.5)
VIDEO_AP_THRESHOLDS = (0.2, 0.5, 0.75)
DEFAULT_LINK_CFG = dict(
    nms_thr=0.6,
    top_k=10,
    link_iou_thr=0.2,
    min_length=15,
    min_score=0.01,
    max_gap=5)


@METRICS.register_module()
class ActionDetectionMetric(BaseMetric):
    """Mask protocol, frame-AP, video-AP and video accuracy of a detector.

    Takes the detector's per-clip predictions (``pred_score``, ``pred_mask``
    at the original resolution, ``gt_mask``, ``gt_frame_valid``, ground-truth
    boxes, ``video_name``, ``frame_inds``, ``gt_label``; see
    ``docs/design/detection_sample.md``), keeps a compact summary per clip,
    stitches the clips of each video (each frame from the clip whose centre
    is nearest) and reports ``mask/f-mAP@0.2``, ``mask/f-mAP@0.5``,
    ``mask/v-mAP@0.2``, ``mask/v-mAP@0.5``, ``det/frame-AP@0.5``,
    ``det/video-AP@0.2``, ``det/video-AP@0.5``, ``det/video-AP@0.75``,
    ``det/video-AP@0.5:0.95``, ``cls/video-acc`` and ``cls/clip-acc``, all in
    percent.

    Predicted boxes: each frame's mask gives boxes (``box_mode``), each box
    is a detection of every class with score ``box score x clip class
    probability`` (``box_labels='all'``) or of the clip's top class only
    (``'top1'``). Boxes of each video are linked into tubes
    (:func:`~mmssl.evaluation.functional.link_tubes`, ``link_cfg``).

    Ground truth of the box metrics: the ACT-format ``ann_file`` when given
    (exact tubes; its ``labels`` name the classes), else the boxes carried by
    the samples, rebuilt into tubes per video and class (see
    :mod:`~mmssl.evaluation.metrics.gt_from_samples`). Only the videos that
    have predictions are evaluated. Classes without ground truth among them
    are NaN in the per-class log and left out of every mean.

    Args:
        ann_file (str, optional): ACT-format ground-truth pickle
            (``UCF101v2-GT.pkl``, ``JHMDB-GT.pkl``). Defaults to None.
        pred_thr (float): foreground probability threshold. Defaults to 0.5.
        box_mode (str): ``'largest_component'``, ``'components'`` or
            ``'extent'`` (see
            :func:`~mmssl.evaluation.functional.masks_to_boxes`). Defaults to
            ``'largest_component'``.
        min_box_area (int): smallest foreground region giving a box, in
            pixels. Defaults to 1.
        box_labels (str): ``'all'`` or ``'top1'``. Defaults to ``'all'``.
        protocol (str): box metric conventions, ``'act'`` (+1 pixel areas,
            trapezoid AP) or ``'voc'`` (no +1, interpolated AP). Defaults to
            ``'act'``.
        link_cfg (dict, optional): overrides of the tube linking parameters
            ``nms_thr`` (0.6), ``top_k`` (10), ``link_iou_thr`` (0.2),
            ``min_length`` (15), ``min_score`` (0.01), ``max_gap`` (5: a
            tube bridges up to 5 frames without a box, as ACT's 6-frame
            tubelets do; 0 is ACT's linking of single-frame boxes).
        tube_nms_thr (float): tube NMS threshold of video-AP. Defaults to
            0.3.
        out_file_path (str, optional): also dump the compact per-clip
            results here (``.pkl``); ``compute_metrics(mmengine.load(path))``
            evaluates them offline. Defaults to None.
        collect_device (str): ``'cpu'`` or ``'gpu'``. Defaults to ``'cpu'``.
        prefix (str, optional): prefix of the metric keys. Defaults to none,
            so keys read ``mask/f-mAP@0.5`` etc.
        collect_dir (str, optional): directory to collect results through.
    """
    default_prefix: Optional[str] = ''

    def __init__(self,
                 ann_file: Optional[str] = None,
                 pred_thr: float = 0.5,
                 box_mode: str = 'largest_component',
                 min_box_area: int = 1,
                 box_labels: str = 'all',
                 protocol: str = 'act',
                 link_cfg: Optional[dict] = None,
                 tube_nms_thr: float = 0.3,
                 out_file_path: Optional[str] = None,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None,
                 collect_dir: Optional[str] = None) -> None:
        super().__init__(
            collect_device=collect_device,
            prefix=prefix,
            collect_dir=collect_dir)
        if box_mode not in BOX_MODES:
            raise ValueError(f'box_mode must be one of {BOX_MODES}, '
                             f'got {box_mode!r}')
        if box_labels not in ('all', 'top1'):
            raise ValueError("box_labels must be 'all' or 'top1', got "
                             f'{box_labels!r}')
        check_protocol(protocol)
        unknown = set(link_cfg or {}) - set(DEFAULT_LINK_CFG)
        if unknown:
            raise ValueError(f'link_cfg has unknown keys {sorted(unknown)}; '
                             f'known: {sorted(DEFAULT_LINK_CFG)}')
        if out_file_path is not None and not out_file_path.endswith(
            ('.pkl', '.pickle')):
            raise ValueError(f'out_file_path must end with .pkl or .pickle, '
                             f'got {out_file_path!r}')
        self.ann_file = ann_file
        self.gt = self._load_ann_file(ann_file) if ann_file else None
        self.pred_thr = pred_thr
        self.box_mode = box_mode
        self.min_box_area = min_box_area
        self.box_labels = box_labels
        self.protocol = protocol
        self.link_cfg = {**DEFAULT_LINK_CFG, **(link_cfg or {})}
        self.tube_nms_thr = tube_nms_thr
        self.out_file_path = out_file_path

    @staticmethod
    def _load_ann_file(ann_file: str) -> dict:
        """Load and check an ACT-format ground-truth pickle."""
        gt = safe_load_pickle(ann_file)
        if not isinstance(gt, dict) or not {'labels', 'gttubes'} <= set(gt):
            raise ValueError(f'{ann_file}: expected an ACT-format dict with '
                             "'labels' and 'gttubes'")
        return gt

    def process(self, data_batch: Any, data_samples: Sequence[dict]) -> None:
        """Keep a compact summary of every predicted clip.

        Args:
            data_batch (Any): the batch (unused).
            data_samples (Sequence[dict]): predicted samples as dicts.
        """
        for sample in data_samples:
            self.results.append(
                summarise_clip(
                    sample,
                    pred_thr=self.pred_thr,
                    box_mode=self.box_mode,
                    min_box_area=self.min_box_area,
                    need_gt_boxes=self.gt is None))

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        """Stitch the clips per video and compute every metric.

        Args:
            results (list[dict]): compact clip results of the whole set.

        Returns:
            dict[str, float]: the metric values in percent.
        """
        if self.out_file_path is not None:
            dump(results, self.out_file_path)
            print_log(f'Compact detection results saved to '
                      f'{self.out_file_path}.', logger='current')
        stitched = stitch_clips(results)
        names = self._class_names(stitched.clip_scores.shape[1])
        gt = self._ground_truth(stitched, names)
        metrics, per_class = {}, {}
        metrics.update(self._mask_metrics(stitched, names, per_class))
        metrics.update(self._box_metrics(stitched, gt, per_class))
        metrics.update(self._accuracy(stitched))
        self._log_per_class(names, per_class)
        return metrics

    def _class_names(self, num_classes: int) -> List[str]:
        """Names from the ann file, else dataset_meta, else indices."""
        if self.gt is not None:
            names = gt_class_names(self.gt)
            source = self.ann_file
        elif self.dataset_meta and self.dataset_meta.get('classes'):
            names = [str(name) for name in self.dataset_meta['classes']]
            source = "dataset_meta['classes']"
        else:
            return [str(i) for i in range(num_classes)]
        if len(names) != num_classes:
            raise ValueError(f'{source} names {len(names)} classes but '
                             f'pred_score has {num_classes}')
        return names

    def _ground_truth(self, stitched: StitchedVideos,
                      names: List[str]) -> dict:
        """ACT-format ground truth of the evaluated videos."""
        if self.gt is None:
            return gt_from_boxes(stitched.gt_boxes, stitched.videos, names)
        missing = [v for v in stitched.videos if v not in self.gt['gttubes']]
        if missing:
            raise KeyError(f'{self.ann_file}: no ground truth for predicted '
                           f'videos {missing[:5]}')
        self._warn_uncovered(stitched, names)
        return self.gt

    def _warn_uncovered(self, stitched: StitchedVideos,
                        names: List[str]) -> None:
        """Warn about annotated frames that no clip covered (they count as
        missed boxes)."""
        boxes = gt_frame_boxes(self.gt, stitched.videos, len(names))
        num_frames = int(max(boxes['frame'].max(initial=0),
                             stitched.frames['frame'].max())) + 1
        annotated = np.unique(boxes['video'] * num_frames + boxes['frame'])
        covered = stitched.frames['video'] * num_frames + \
            stitched.frames['frame']
        uncovered = np.setdiff1d(annotated, covered).size
        if uncovered:
            print_log(
                f'{uncovered} annotated frames of {self.ann_file} are not '
                'covered by any predicted clip; their boxes count as missed.',
                logger='current',
                level=logging.WARNING)

    def _mask_metrics(self, stitched: StitchedVideos, names: List[str],
                      per_class: dict) -> Dict[str, float]:
        """f-mAP / v-mAP of the pixel protocol on annotated frames."""
        frames = stitched.frames
        valid = frames['gt_valid']
        result = mask_frame_video_map(
            frames['intersections'][valid],
            frames['unions'][valid],
            frames['video'][valid],
            stitched.video_labels,
            num_classes=len(names),
            thresholds=MASK_THRESHOLDS)
        metrics = {}
        for index, thr in enumerate(MASK_THRESHOLDS):
            metrics[f'mask/f-mAP@{thr}'] = float(result['f-mAP'][index])
            metrics[f'mask/v-mAP@{thr}'] = float(result['v-mAP'][index])
        per_class['f-AP@0.5'] = result['f-AP'][MASK_THRESHOLDS.index(0.5)]
        per_class['v-AP@0.5'] = result['v-AP'][MASK_THRESHOLDS.index(0.5)]
        return metrics

    def _box_metrics(self, stitched: StitchedVideos, gt: dict,
                     per_class: dict) -> Dict[str, float]:
        """frame-AP@0.5 and video-AP at 0.2, 0.5, 0.75 and 0.5:0.95."""
        detections = self._frame_detections(stitched)
        frame_map, frame_per_class = frame_ap(
            gt, stitched.videos, detections, 0.5, self.protocol)
        tubes = link_tubes(
            detections,
            stitched.videos,
            plus_one=self.protocol == 'act',
            **self.link_cfg)
        thresholds = sorted(set(VIDEO_AP_THRESHOLDS + RANGE_THRESHOLDS))
        video_results = dict(
            zip(
                thresholds,
                video_ap_per_threshold(gt, stitched.videos, tubes,
                                       thresholds, self.protocol,
                                       self.tube_nms_thr)))
        metrics = {'det/frame-AP@0.5': frame_map}
        for thr in VIDEO_AP_THRESHOLDS:
            metrics[f'det/video-AP@{thr}'] = video_results[thr][0]
        metrics['det/video-AP@0.5:0.95'] = float(
            np.mean([video_results[thr][0] for thr in RANGE_THRESHOLDS]))
        per_class['frame-AP@0.5'] = np.array(list(frame_per_class.values()))
        per_class['video-AP@0.5'] = np.array(
            list(video_results[0.5][1].values()))
        return metrics

    def _frame_detections(self, stitched: StitchedVideos) -> np.ndarray:
        """(N, 8) rows ``[video, frame, label, score, x1, y1, x2, y2]``."""
        boxes = stitched.pred_boxes
        clip_scores = stitched.clip_scores[boxes[:, 2].astype(np.int64)]
        if self.box_labels == 'top1':
            labels = clip_scores.argmax(1)[:, None]
        else:
            labels = np.broadcast_to(
                np.arange(clip_scores.shape[1]), clip_scores.shape)
        detections = np.empty(labels.shape + (8, ))
        detections[..., :2] = boxes[:, None, :2]
        detections[..., 2] = labels
        detections[..., 3] = boxes[:, 3:4] * np.take_along_axis(
            clip_scores, labels, 1)
        detections[..., 4:] = boxes[:, None, 4:8]
        return detections.reshape(-1, 8)

    @staticmethod
    def _accuracy(stitched: StitchedVideos) -> Dict[str, float]:
        """Video accuracy (clip scores averaged) and clip accuracy."""
        video_correct = stitched.video_scores.argmax(1) == \
            stitched.video_labels
        clip_correct = stitched.clip_scores.argmax(1) == stitched.clip_labels
        return {
            'cls/video-acc': 100.0 * float(video_correct.mean()),
            'cls/clip-acc': 100.0 * float(clip_correct.mean()),
        }

    @staticmethod
    def _log_per_class(names: List[str], per_class: Dict[str,
                                                         np.ndarray]) -> None:
        """Log a per-class table of the @0.5 metrics."""
        width = max(len(name) for name in names + ['class'])
        header = f'{"class":<{width}} ' + ' '.join(
            f'{key:>13}' for key in per_class)
        lines = [header]
        for index, name in enumerate(names):
            lines.append(f'{name:<{width}} ' + ' '.join(
                f'{values[index]:>13.2f}' for values in per_class.values()))
        print_log('Per-class results (NaN: no ground truth):\n' +
                  '\n'.join(lines), logger='current')
