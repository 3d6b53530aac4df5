"""ActionDetectionMetric end to end on hand-made predicted data samples."""
import pickle

import mmengine
import numpy as np
import pytest
import torch
from mmengine.evaluator import DumpResults, Evaluator

from mmaction.registry import METRICS
from mmaction.structures import ActionDataSample
from mmssl.evaluation.metrics import ActionDetectionMetric

H, W, C = 24, 32, 3
KEYS = {
    'mask/f-mAP@0.2', 'mask/f-mAP@0.5', 'mask/v-mAP@0.2', 'mask/v-mAP@0.5',
    'det/frame-AP@0.5', 'det/video-AP@0.2', 'det/video-AP@0.5',
    'det/video-AP@0.75', 'det/video-AP@0.5:0.95', 'cls/video-acc',
    'cls/clip-acc'
}
SHORT_TUBES = dict(link_cfg=dict(min_length=3))


def gt_box(frame):
    """Inclusive box of the actor in a 1-based frame (moves right)."""
    x1 = 2 + frame // 2
    return [x1, 4, x1 + 10, 16]


def make_sample(video, frames, label, predict='perfect', pred_label=None):
    """A predicted test clip as the detector returns it.

    ``predict``: 'perfect' (mask = ground truth), 'empty' (nothing).
    """
    frames = list(frames)
    gt = torch.zeros(len(frames), H, W, dtype=torch.uint8)
    boxes = torch.tensor([gt_box(f) for f in frames], dtype=torch.float32)
    for t, (x1, y1, x2, y2) in enumerate(boxes.long().tolist()):
        gt[t, y1:y2 + 1, x1:x2 + 1] = 1
    sample = ActionDataSample()
    sample.set_gt_label(label)
    score = torch.full((C, ), 0.1)
    score[label if pred_label is None else pred_label] = 0.8
    sample.set_pred_score(score)
    sample.pred_mask = (gt.float() * 0.9 if predict == 'perfect' else
                        torch.zeros(len(frames), H, W))
    sample.gt_mask = gt
    sample.gt_frame_valid = torch.ones(len(frames), dtype=torch.bool)
    sample.gt_bboxes = boxes
    sample.gt_bbox_frames = torch.arange(len(frames))
    sample.gt_bbox_labels = torch.full((len(frames), ), label)
    sample.set_metainfo(
        dict(video_name=video, frame_inds=np.array(frames),
             ori_shape=(H, W)))
    return sample


def act_gt(videos):
    """ACT-format ground truth of ``{video: (label, nframes)}``."""
    return dict(
        labels=['walk', 'run', 'swim'],
        nframes={v: n for v, (_, n) in videos.items()},
        gttubes={
            v: {
                label: [
                    np.array([[f, *gt_box(f)] for f in range(1, n + 1)],
                             dtype=np.float32)
                ]
            }
            for v, (label, n) in videos.items()
        })


def evaluate(samples, **kwargs):
    metric = ActionDetectionMetric(**{**SHORT_TUBES, **kwargs})
    metric.process(None, [s.to_dict() for s in samples])
    return metric.compute_metrics(metric.results)


def two_videos(second='perfect', second_label=None):
    return [
        make_sample('walk/v1', range(1, 9), 0),
        make_sample('walk/v1', range(9, 17), 0),
        make_sample('run/v2', range(1, 9), 1, second, second_label),
        make_sample('run/v2', range(9, 13), 1, second, second_label),
    ]


def test_ground_truth_against_itself_is_100():
    metrics = evaluate(two_videos())
    assert set(metrics) == KEYS
    for key, value in metrics.items():
        assert value == pytest.approx(100.0), key


def test_one_video_missed_and_misclassified():
    metrics = evaluate(two_videos('empty', second_label=2))
    # 'swim' has no test video: left out of every mean.
    for key in ('mask/f-mAP@0.5', 'mask/v-mAP@0.2', 'det/frame-AP@0.5',
                'det/video-AP@0.5', 'cls/video-acc', 'cls/clip-acc'):
        assert metrics[key] == pytest.approx(50.0), key


def test_overlapping_clips_take_the_nearest_centre():
    # Clip A covers 1..8 (centre 4.5) and is perfect; clip B covers 5..12
    # (centre 8.5) and is empty. Frames 1..6 come from A, 7..12 from B.
    samples = [
        make_sample('walk/v1', range(1, 9), 0),
        make_sample('walk/v1', range(5, 13), 0, 'empty'),
    ]
    metrics = evaluate(samples)
    assert metrics['mask/f-mAP@0.5'] == pytest.approx(50.0)
    # Video IoU = 6 perfect frames / 12 frames of union.
    assert metrics['mask/v-mAP@0.5'] == pytest.approx(100.0)
    assert metrics['mask/v-mAP@0.2'] == pytest.approx(100.0)
    # Frame-AP: 6 of 12 boxes found, all ranked detections correct.
    assert metrics['det/frame-AP@0.5'] == pytest.approx(50.0)
    # The 6-frame tube has ST-IoU 6/12 with the 12-frame ground truth.
    assert metrics['det/video-AP@0.5'] == pytest.approx(100.0)
    assert metrics['det/video-AP@0.75'] == 0.0
    # Results arriving in another order (other ranks) change nothing.
    metric = ActionDetectionMetric(**SHORT_TUBES)
    metric.process(None, [s.to_dict() for s in samples[::-1]])
    assert metric.compute_metrics(metric.results) == metrics


def test_ann_file_ground_truth(tmp_path):
    path = tmp_path / 'GT.pkl'
    gt = act_gt({'walk/v1': (0, 16), 'run/v2': (1, 12), 'swim/v3': (2, 9)})
    with open(path, 'wb') as f:
        pickle.dump(gt, f)
    samples = two_videos()
    for sample in samples:  # boxes of samples are not needed with ann_file
        del sample.gt_bboxes
    metrics = evaluate(samples, ann_file=str(path))
    assert metrics['det/frame-AP@0.5'] == pytest.approx(100.0)
    assert metrics['det/video-AP@0.5:0.95'] == pytest.approx(100.0)
    # A clip missing: its annotated frames count as missed boxes.
    metrics = evaluate(samples[:3], ann_file=str(path))
    assert metrics['det/frame-AP@0.5'] == pytest.approx(
        (100 + 100 * 8 / 12) / 2)
    unknown = make_sample('jump/v9', range(1, 5), 0)
    with pytest.raises(KeyError, match='jump/v9'):
        evaluate(samples + [unknown], ann_file=str(path))
    with pytest.raises(KeyError, match="'gt_bboxes'"):
        evaluate(samples)  # no ann_file: samples must carry boxes


def test_class_names_must_agree(tmp_path):
    metric = ActionDetectionMetric(**SHORT_TUBES)
    metric.dataset_meta = dict(classes=['a', 'b'])
    metric.process(None, [s.to_dict() for s in two_videos()])
    with pytest.raises(ValueError, match='2 classes'):
        metric.compute_metrics(metric.results)


def test_bad_samples_are_named():
    sample = make_sample('walk/v1', range(1, 5), 0).to_dict()
    metric = ActionDetectionMetric()
    del sample['gt_mask']
    with pytest.raises(KeyError, match="'walk/v1'.*'gt_mask'"):
        metric.process(None, [sample])
    sample = make_sample('walk/v1', range(1, 5), 0)
    sample.pred_mask = torch.zeros(4, H // 2, W // 2)
    with pytest.raises(ValueError, match='walk/v1.*original resolution'):
        metric.process(None, [sample.to_dict()])
    mixed = [
        make_sample('walk/v1', range(1, 5), 0),
        make_sample('walk/v1', range(5, 9), 1)
    ]
    with pytest.raises(ValueError, match='walk/v1.*different gt_label'):
        evaluate(mixed)
    with pytest.raises(ValueError, match='box_mode'):
        ActionDetectionMetric(box_mode='hull')
    with pytest.raises(ValueError, match='link_cfg'):
        ActionDetectionMetric(link_cfg=dict(min_len=3))


def test_evaluator_with_dump_results(tmp_path):
    """As ``tools/test.py --dump``: mmengine's DumpResults next to the
    metric; the dumped samples and the compact dump evaluate offline to the
    same numbers."""
    full_dump = str(tmp_path / 'samples.pkl')
    compact_dump = str(tmp_path / 'compact.pkl')
    metric_cfg = dict(
        type='ActionDetectionMetric', out_file_path=compact_dump,
        **SHORT_TUBES)
    evaluator = Evaluator(
        [METRICS.build(metric_cfg),
         DumpResults(out_file_path=full_dump)])
    samples = two_videos('empty', second_label=2)
    evaluator.process(data_samples=samples[:2], data_batch=None)
    evaluator.process(data_samples=samples[2:], data_batch=None)
    metrics = evaluator.evaluate(len(samples))
    assert set(metrics) == KEYS

    offline = ActionDetectionMetric(**SHORT_TUBES)
    offline.process(None, mmengine.load(full_dump))
    assert offline.compute_metrics(offline.results) == metrics
    compact = mmengine.load(compact_dump)
    assert offline.compute_metrics(compact) == metrics
    # The compact results are far smaller than the masks they summarise.
    assert len(pickle.dumps(compact)) < 0.1 * sum(
        s.pred_mask.numel() * 4 for s in samples)


@pytest.mark.parametrize('box_mode', ['components', 'extent'])
@pytest.mark.parametrize('box_labels', ['all', 'top1'])
@pytest.mark.parametrize('protocol', ['act', 'voc'])
def test_options_keep_perfect_scores(box_mode, box_labels, protocol):
    metrics = evaluate(
        two_videos(),
        box_mode=box_mode,
        box_labels=box_labels,
        protocol=protocol)
    for key, value in metrics.items():
        assert value == pytest.approx(100.0), key


def test_default_linking_bridges_a_missed_frame():
    samples = [make_sample('walk/v1', range(1, 9), 0),
               make_sample('walk/v1', range(9, 17), 0)]
    samples[0].pred_mask[5] = 0  # nothing found in frame 6
    bridged = evaluate(samples)
    assert bridged['det/video-AP@0.75'] == pytest.approx(100.0)
    # ACT's single-frame linking splits the tube at the gap: the longer
    # half (frames 7..16) has ST-IoU 10/16 with the ground truth.
    split = evaluate(samples, link_cfg=dict(min_length=3, max_gap=0))
    assert split['det/video-AP@0.5'] > 0
    assert split['det/video-AP@0.75'] == 0.0
