"""Known answers of frame-AP, video-AP and ST-IoU (ACT and VOC protocols),
and agreement with a line-by-line transcription of the ACT detector's loops
on random data."""
import numpy as np
import pytest

from mmssl.evaluation.functional import (average_precision, box_iou,
                                         frame_ap, tube_iou, video_ap,
                                         video_ap_per_threshold,
                                         video_ap_range)


def make_tube(start, length, box, shift=(0, 0)):
    """(length, 5) tube starting at ``start``, box moving by ``shift``."""
    frames = np.arange(start, start + length)
    steps = np.arange(length)[:, None]
    boxes = np.asarray(box, float) + steps * np.r_[shift, shift]
    return np.column_stack([frames, boxes])


def simple_gt():
    return dict(
        labels=['run', 'jump', 'swim'],
        gttubes={
            'v0': {0: [make_tube(1, 6, [10, 10, 40, 60], (1, 0))]},
            'v1': {1: [make_tube(3, 5, [0, 0, 20, 30]),
                       make_tube(4, 4, [50, 50, 80, 90])]},
            'v2': {0: [make_tube(1, 4, [5, 5, 25, 25])]},
        })


def gt_as_detections(gt, videos, score=0.9):
    rows = []
    for index, video in enumerate(videos):
        for label, tubes in gt['gttubes'][video].items():
            for tube in tubes:
                for row in tube:
                    rows.append([index, row[0], label, score, *row[1:]])
    return np.array(rows)


# ----------------------------------------------------------------- basics


def test_box_iou_conventions():
    a, b = np.array([0, 0, 9, 9]), np.array([5, 0, 14, 9])
    assert box_iou(a, b, plus_one=True) == pytest.approx(50 / 150)
    assert box_iou(a, b, plus_one=False) == pytest.approx(36 / 126)
    pairwise = box_iou(np.stack([a, b])[:, None], np.stack([a, b])[None])
    np.testing.assert_allclose(pairwise, [[1, 1 / 3], [1 / 3, 1]])


def test_average_precision_act_and_voc():
    # One false positive ranked first, then the only true positive.
    flags = np.array([False, True])
    # ACT: (R, P) = (0, 1), (0, 0), (1, 1/2) -> trapezoid 0.5 * 0.5 = 0.25.
    assert average_precision(flags, 1, 'act') == pytest.approx(0.25)
    # VOC: interpolated precision 1/2 over recall [0, 1].
    assert average_precision(flags, 1, 'voc') == pytest.approx(0.5)
    assert average_precision(np.zeros(0, bool), 3, 'act') == 0.0
    assert average_precision(np.zeros(0, bool), 3, 'voc') == 0.0
    assert np.isnan(average_precision(flags, 0))
    with pytest.raises(ValueError, match='protocol'):
        average_precision(flags, 1, 'coco')


# ---------------------------------------------------------------- frame-AP


@pytest.mark.parametrize('protocol', ['act', 'voc'])
def test_frame_ap_gt_against_itself_is_100(protocol):
    gt = simple_gt()
    videos = ['v0', 'v1', 'v2']
    mean, per_class = frame_ap(gt, videos, gt_as_detections(gt, videos),
                               protocol=protocol)
    assert mean == pytest.approx(100.0)
    # 'swim' has no test video: undefined, reported NaN, left out.
    assert np.isnan(per_class['swim'])
    assert per_class['run'] == per_class['jump'] == pytest.approx(100.0)


def test_frame_ap_false_positive_ranked_first():
    gt = dict(labels=['a'], gttubes={'v': {0: [make_tube(1, 2, [0, 0, 9,
                                                                 9])]}})
    dets = np.array([
        [0, 1, 0, 0.9, 50, 50, 60, 60],  # false positive, ranked first
        [0, 1, 0, 0.8, 0, 0, 9, 9],
        [0, 2, 0, 0.7, 0, 0, 9, 9],
    ])
    # PR points (R, P): (0, 1), (0, 0), (1/2, 1/2), (1, 2/3).
    act = 0.5 * (0 + 0.5) / 2 + 0.5 * (0.5 + 2 / 3) / 2
    assert frame_ap(gt, ['v'], dets)[0] == pytest.approx(100 * act)
    # VOC: interpolated precision 2/3 over the whole recall range.
    assert frame_ap(gt, ['v'], dets, protocol='voc')[0] == pytest.approx(
        100 * 2 / 3)


def test_frame_ap_duplicate_detection_is_false_positive():
    gt = dict(labels=['a'], gttubes={'v': {0: [make_tube(1, 1, [0, 0, 9,
                                                                 9])]}})
    dets = np.array([[0, 1, 0, 0.9, 0, 0, 9, 9], [0, 1, 0, 0.8, 0, 0, 9,
                                                    9]])
    assert frame_ap(gt, ['v'], dets)[0] == pytest.approx(100.0)
    # The duplicate ranked first steals nothing: same box, matched first.
    dets[1, 3] = 0.95
    assert frame_ap(gt, ['v'], dets)[0] == pytest.approx(100.0)
    # Wrong frame or wrong class never match.
    wrong = np.array([[0, 2, 0, 0.9, 0, 0, 9, 9]])
    assert frame_ap(gt, ['v'], wrong)[0] == 0.0


def test_frame_ap_iou_threshold_uses_plus_one_areas():
    gt = dict(labels=['a'], gttubes={'v': {0: [make_tube(1, 1, [0, 0, 9,
                                                                 9])]}})
    # IoU = 50 / 150 with +1 areas, 36 / 126 without.
    det = np.array([[0, 1, 0, 0.9, 5, 0, 14, 9]])
    assert frame_ap(gt, ['v'], det, iou_thr=0.3)[0] == pytest.approx(100.0)
    assert frame_ap(gt, ['v'], det, iou_thr=0.3, protocol='voc')[0] == 0.0


def test_frame_ap_empty_detections_give_zero():
    gt = simple_gt()
    mean, per_class = frame_ap(gt, ['v0', 'v1'], np.zeros((0, 8)))
    assert mean == 0.0
    assert per_class['run'] == per_class['jump'] == 0.0
    assert np.isnan(per_class['swim'])


def test_frame_ap_bad_input_is_named():
    gt = simple_gt()
    with pytest.raises(KeyError, match='v9'):
        frame_ap(gt, ['v0', 'v9'], np.zeros((0, 8)))
    with pytest.raises(ValueError, match='label'):
        frame_ap(gt, ['v0'], np.array([[0, 1, 7, 0.5, 0, 0, 1, 1]]))
    with pytest.raises(ValueError, match='video_index'):
        frame_ap(gt, ['v0'], np.array([[1, 1, 0, 0.5, 0, 0, 1, 1]]))
    with pytest.raises(ValueError, match=r'\(N, 8\)'):
        frame_ap(gt, ['v0'], np.zeros((3, 7)))
    with pytest.raises(ValueError, match='no ground-truth'):
        frame_ap(dict(labels=['a'], gttubes={'v': {}}), ['v'],
                 np.zeros((0, 8)))


# ------------------------------------------------------------ ST-IoU, video


def test_tube_iou_of_shifted_tubes():
    tube = make_tube(1, 10, [0, 0, 9, 9])
    for k in range(0, 12):
        shifted = tube + np.array([k, 0, 0, 0, 0])
        expected = max(10 - k, 0) / (10 + k)
        assert tube_iou(tube, shifted) == pytest.approx(expected)
    # Shift by 3 frames and 5 pixels: 7/13 temporal x 1/3 spatial (+1
    # areas), x 2/7 spatial without +1.
    moved = tube + np.array([3, 5, 0, 5, 0])
    assert tube_iou(tube, moved) == pytest.approx(7 / 13 / 3)
    assert tube_iou(tube, moved, plus_one=False) == pytest.approx(7 / 13 *
                                                                  2 / 7)


def test_tube_iou_with_gaps_uses_frame_sets():
    tube = make_tube(1, 6, [0, 0, 9, 9])
    gappy = tube[[0, 1, 4, 5]]  # frames 1, 2, 5, 6
    assert tube_iou(tube, gappy) == pytest.approx(4 / 6)


def as_tubes(gt, videos, score=0.9):
    return {
        video: {
            label: [(tube, score) for tube in tubes]
            for label, tubes in gt['gttubes'][video].items()
        }
        for video in videos
    }


@pytest.mark.parametrize('protocol', ['act', 'voc'])
def test_video_ap_gt_against_itself_is_100(protocol):
    gt = simple_gt()
    videos = ['v0', 'v1', 'v2']
    tubes = as_tubes(gt, videos)
    for thr in (0.2, 0.5, 0.75, 0.95):
        mean, per_class = video_ap(gt, videos, tubes, thr, protocol)
        assert mean == pytest.approx(100.0)
        assert np.isnan(per_class['swim'])
    assert video_ap_range(gt, videos, tubes,
                          protocol=protocol)[0] == pytest.approx(100.0)


def test_video_ap_of_shifted_tube():
    tube = make_tube(1, 10, [0, 0, 9, 9])
    gt = dict(labels=['a'], gttubes={'v': {0: [tube]}})
    # Shifted by 3 frames: ST-IoU 7/13 = 0.538.
    tubes = {'v': {0: [(tube + np.array([3, 0, 0, 0, 0]), 0.8)]}}
    assert video_ap(gt, ['v'], tubes, 0.5)[0] == pytest.approx(100.0)
    assert video_ap(gt, ['v'], tubes, 0.75)[0] == 0.0
    # Of 0.50, 0.55, ..., 0.95 only 0.50 is passed.
    assert video_ap_range(gt, ['v'], tubes)[0] == pytest.approx(10.0)
    results = video_ap_per_threshold(gt, ['v'], tubes, [0.5, 0.53, 0.55])
    assert [r[0] for r in results] == pytest.approx([100.0, 100.0, 0.0])


def test_video_ap_false_positive_first_and_tube_nms():
    tube = make_tube(1, 10, [0, 0, 9, 9])
    gt = dict(labels=['a'], gttubes={'v': {0: [tube]}, 'w': {}})
    far = make_tube(1, 10, [50, 50, 60, 60])
    tubes = {'v': {0: [(far, 0.9), (tube, 0.5)]}}
    # (R, P): (0, 1), (0, 0), (1, 1/2) -> 25 (ACT), 50 (VOC).
    assert video_ap(gt, ['v', 'w'], tubes)[0] == pytest.approx(25.0)
    assert video_ap(gt, ['v', 'w'], tubes,
                    protocol='voc')[0] == pytest.approx(50.0)
    # A near-duplicate of the far tube (ST-IoU > 0.3) is suppressed by tube
    # NMS and costs nothing; in another video it is one more false positive.
    near = far + np.array([0, 1, 0, 1, 0])
    tubes['v'][0].append((near, 0.8))
    assert video_ap(gt, ['v', 'w'], tubes)[0] == pytest.approx(25.0)
    tubes['w'] = {0: [(near, 0.8)]}
    # (0, 1), (0, 0), (0, 0), (1, 1/3) -> 1/6.
    assert video_ap(gt, ['v', 'w'], tubes)[0] == pytest.approx(100 / 6)


def test_video_ap_empty_detections_and_bad_input():
    gt = simple_gt()
    assert video_ap(gt, ['v0', 'v1'], {})[0] == 0.0
    with pytest.raises(ValueError, match='v2'):
        video_ap(gt, ['v0'], {'v2': {}})
    with pytest.raises(ValueError, match="'v0' detected class 0"):
        video_ap(gt, ['v0'], {'v0': {0: [(np.zeros((0, 5)), 1.0)]}})
    bad = make_tube(1, 2, [0, 0, 1, 1])
    bad[1, 0] = 1
    with pytest.raises(ValueError, match='two boxes in one frame'):
        video_ap(gt, ['v0'], {'v0': {0: [(bad, 1.0)]}})


# ------------------------------------------------ ACT transcription checks


def act_iou2d(boxes, box):
    """The ACT detector's ``iou2d`` (areas with +1)."""
    xmin = np.maximum(boxes[:, 0], box[0])
    ymin = np.maximum(boxes[:, 1], box[1])
    xmax = np.minimum(boxes[:, 2] + 1, box[2] + 1)
    ymax = np.minimum(boxes[:, 3] + 1, box[3] + 1)
    inter = np.maximum(0, xmax - xmin) * np.maximum(0, ymax - ymin)
    area = (boxes[:, 2] - boxes[:, 0] + 1) * (boxes[:, 3] - boxes[:, 1] + 1)
    return inter / (area + (box[2] - box[0] + 1) *
                    (box[3] - box[1] + 1) - inter)


def act_iou3dt(b1, b2):
    """The ACT detector's ``iou3dt`` for contiguous tubes."""
    tmin, tmax = max(b1[0, 0], b2[0, 0]), min(b1[-1, 0], b2[-1, 0])
    if tmax < tmin:
        return 0.0
    inter = tmax - tmin + 1
    union = max(b1[-1, 0], b2[-1, 0]) - min(b1[0, 0], b2[0, 0]) + 1
    t1 = b1[(b1[:, 0] >= tmin) & (b1[:, 0] <= tmax)]
    t2 = b2[(b2[:, 0] >= tmin) & (b2[:, 0] <= tmax)]
    spatial = np.mean([act_iou2d(t1[i:i + 1, 1:5], t2[i, 1:5])[0]
                       for i in range(len(t1))])
    return spatial * inter / union


def act_pr_to_ap(pr):
    return np.sum((pr[1:, 1] - pr[:-1, 1]) * (pr[1:, 0] + pr[:-1, 0]) * 0.5)


def act_frame_ap(gt, videos, dets, th):
    aps = []
    for ilabel in range(len(gt['labels'])):
        detections = dets[dets[:, 2] == ilabel]
        gtb = {}
        for iv, v in enumerate(videos):
            for tube in gt['gttubes'][v].get(ilabel, []):
                for row in tube:
                    gtb.setdefault((iv, int(row[0])), []).append(row[1:5])
        gtb = {k: np.array(v) for k, v in gtb.items()}
        fn = sum(g.shape[0] for g in gtb.values())
        if fn == 0:
            continue
        pr = [[1.0, 0.0]]
        tp = fp = 0
        for j in np.argsort(-detections[:, 3], kind='stable'):
            k = (int(detections[j, 0]), int(detections[j, 1]))
            positive = False
            if k in gtb:
                ious = act_iou2d(gtb[k], detections[j, 4:8])
                amax = np.argmax(ious)
                if ious[amax] >= th:
                    positive = True
                    gtb[k] = np.delete(gtb[k], amax, 0)
                    if gtb[k].size == 0:
                        del gtb[k]
            tp, fp, fn = tp + positive, fp + (not positive), fn - positive
            pr.append([tp / (tp + fp), tp / (tp + fn)])
        aps.append(100 * act_pr_to_ap(np.array(pr)))
    return np.mean(aps)


def act_video_ap(gt, videos, tubes, th, nms=0.3):
    aps = []
    for ilabel in range(len(gt['labels'])):
        dets = []
        for v in videos:
            lt = tubes.get(v, {}).get(ilabel, [])
            order = list(np.argsort([-t[1] for t in lt], kind='stable'))
            while order:  # nms3dt
                i = order.pop(0)
                dets.append((v, lt[i][1], lt[i][0]))
                order = [o for o in order
                         if act_iou3dt(lt[o][0], lt[i][0]) <= nms]
        gtt = {v: list(gt['gttubes'][v].get(ilabel, [])) for v in videos}
        gtt = {v: t for v, t in gtt.items() if t}
        fn = sum(len(t) for t in gtt.values())
        if fn == 0:
            continue
        pr = [[1.0, 0.0]]
        tp = fp = 0
        for j in np.argsort(-np.array([d[1] for d in dets]), kind='stable'):
            v, _, tube = dets[j]
            positive = False
            if v in gtt:
                ious = [act_iou3dt(g, tube) for g in gtt[v]]
                amax = int(np.argmax(ious))
                if ious[amax] >= th:
                    positive = True
                    del gtt[v][amax]
                    if not gtt[v]:
                        del gtt[v]
            tp, fp, fn = tp + positive, fp + (not positive), fn - positive
            pr.append([tp / (tp + fp), tp / (tp + fn)])
        aps.append(100 * act_pr_to_ap(np.array(pr)))
    return np.mean(aps)


def random_problem(rng, num_videos=4, num_classes=3):
    """Ground truth with one or two actors per class, noisy detections."""
    videos = [f'vid{i}' for i in range(num_videos)]
    gttubes = {}
    det_rows, det_tubes = [], {}
    for iv, v in enumerate(videos):
        gttubes[v], det_tubes[v] = {}, {}
        for label in rng.choice(num_classes, 2, replace=False):
            tubes = []
            for _ in range(rng.integers(1, 3)):
                start, length = rng.integers(1, 6), rng.integers(4, 10)
                box = np.r_[rng.integers(0, 60, 2), 0, 0]
                box[2:] = box[:2] + rng.integers(10, 40, 2)
                tubes.append(make_tube(start, length, box,
                                       rng.integers(-2, 3, 2)))
            gttubes[v][int(label)] = tubes
        for label in range(num_classes):
            det_tubes[v][label] = []
            sources = gttubes[v].get(label, []) + [
                make_tube(rng.integers(1, 5), 6, [10, 10, 50, 50])
            ]
            for tube in sources:
                for _ in range(rng.integers(1, 4)):
                    noisy = tube.copy()
                    noisy[:, 1:] += rng.normal(0, 4, noisy[:, 1:].shape)
                    cut = rng.integers(0, 3)
                    noisy = noisy[cut:] if len(noisy) - cut > 1 else noisy
                    det_tubes[v][label].append((noisy, float(rng.random())))
                    for row in noisy:
                        det_rows.append([iv, row[0], label, rng.random(),
                                         *row[1:]])
    gt = dict(labels=[f'c{i}' for i in range(num_classes)], gttubes=gttubes)
    return gt, videos, np.array(det_rows), det_tubes


@pytest.mark.parametrize('seed', [0, 1, 2])
def test_frame_ap_matches_act_transcription(seed):
    gt, videos, dets, _ = random_problem(np.random.default_rng(seed))
    for th in (0.3, 0.5, 0.7):
        assert frame_ap(gt, videos, dets, th)[0] == pytest.approx(
            act_frame_ap(gt, videos, dets, th), abs=1e-9)


@pytest.mark.parametrize('seed', [0, 1, 2])
def test_video_ap_matches_act_transcription(seed):
    gt, videos, _, tubes = random_problem(np.random.default_rng(seed))
    for th in (0.2, 0.5, 0.75):
        assert video_ap(gt, videos, tubes, th)[0] == pytest.approx(
            act_video_ap(gt, videos, tubes, th), abs=1e-9)
