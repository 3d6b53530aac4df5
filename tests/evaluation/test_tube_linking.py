"""Tube linking: hand-made cases and agreement with a transcription of the
ACT detector's linking loop (tubelets of K = 1 frame)."""
import numpy as np
import pytest

from mmssl.evaluation.functional import frame_nms, link_tubes


def rows(video, frame, label, score, box):
    return [video, frame, label, score, *box]


def test_two_actors_give_two_tubes():
    dets = []
    for frame in range(1, 6):
        dets.append(rows(0, frame, 0, 0.9, [frame, 0, frame + 10, 10]))
        dets.append(rows(0, frame, 0, 0.6, [50, 50, 60, 60]))
    tubes = link_tubes(np.array(dets), ['v'], min_length=1)
    assert set(tubes) == {'v'} and set(tubes['v']) == {0}
    found = sorted(tubes['v'][0], key=lambda t: -t[1])
    assert [score for _, score in found] == pytest.approx([0.9, 0.6])
    np.testing.assert_array_equal(found[0][0][:, 0], np.arange(1, 6))
    np.testing.assert_array_equal(found[0][0][:, 1], np.arange(1, 6))
    np.testing.assert_array_equal(found[1][0][:, 1:],
                                  np.tile([50, 50, 60, 60], (5, 1)))


def test_gap_jump_and_filters():
    dets = [rows(0, f, 1, 0.5, [0, 0, 10, 10]) for f in (1, 2, 3, 5, 6)]
    # A frame without a box ends the tube (K = 1 has no gap to bridge).
    tubes = link_tubes(np.array(dets), ['v'], min_length=1)['v'][1]
    assert sorted(len(t) for t, _ in tubes) == [2, 3]
    # A jump with IoU < 0.2 ends the tube too.
    dets = [rows(0, 1, 0, 0.5, [0, 0, 10, 10]),
            rows(0, 2, 0, 0.5, [8, 8, 18, 18])]
    assert len(link_tubes(np.array(dets), ['v'], min_length=1)['v'][0]) == 2
    assert len(link_tubes(np.array(dets), ['v'], min_length=1,
                          link_iou_thr=0.0)['v'][0]) == 1
    # min_length and min_score drop tubes; videos without tubes stay keys.
    dets = [rows(1, f, 0, 0.005, [0, 0, 10, 10]) for f in range(1, 20)]
    assert link_tubes(np.array(dets), ['a', 'b']) == {'a': {}, 'b': {}}
    assert len(link_tubes(np.array(dets), ['a', 'b'],
                          min_score=0.001)['b'][0]) == 1
    assert link_tubes(np.zeros((0, 8)), ['a']) == {'a': {}}


def test_frame_nms_decays_overlapping_boxes():
    dets = np.array([
        rows(0, 1, 0, 0.9, [0, 0, 9, 9]),
        rows(0, 1, 0, 0.8, [0, 0, 9, 8]),  # IoU 0.9 with the first
        rows(0, 1, 0, 0.7, [30, 30, 39, 39]),
        rows(0, 1, 1, 0.8, [0, 0, 9, 8]),  # other class: untouched
    ])
    kept = frame_nms(dets, nms_thr=0.6, top_k=10, plus_one=True)
    scores = {(int(r[2]), r[7]): r[3] for r in kept}
    assert scores[(0, 9)] == pytest.approx(0.9)
    assert scores[(0, 8)] == pytest.approx(0.8 * (1 - 0.9))
    assert scores[(0, 39)] == pytest.approx(0.7)
    assert scores[(1, 8)] == pytest.approx(0.8)
    top = frame_nms(dets, nms_thr=0.6, top_k=2, plus_one=True)
    assert sorted(top[top[:, 2] == 0, 3]) == pytest.approx([0.7, 0.9])


# ----------------------------------------------- ACT linking transcription


def act_iou2d(boxes, box):
    xmin = np.maximum(boxes[:, 0], box[0])
    ymin = np.maximum(boxes[:, 1], box[1])
    xmax = np.minimum(boxes[:, 2] + 1, box[2] + 1)
    ymax = np.minimum(boxes[:, 3] + 1, box[3] + 1)
    inter = np.maximum(0, xmax - xmin) * np.maximum(0, ymax - ymin)
    area = (boxes[:, 2] - boxes[:, 0] + 1) * (boxes[:, 3] - boxes[:, 1] + 1)
    return inter / (area + (box[2] - box[0] + 1) *
                    (box[3] - box[1] + 1) - inter)


def act_nms_tubelets(dets, overlap, top_k):
    """``nms_tubelets`` of the ACT detector for K = 1 (rows x1..y2, score),
    with stable sorting."""
    if len(dets) == 0:
        return dets
    dets = dets.copy()
    order = np.argsort(-dets[:, -1], kind='stable')
    weight = np.ones(len(dets))
    while order.size > 0:
        i = order[0]
        ious = act_iou2d(dets[order[1:], :4], dets[i, :4])
        weight[order[1:][ious > overlap]] = 1 - ious[ious > overlap]
        order = order[1:][ious <= overlap]
    dets[:, -1] *= weight
    return dets[np.argsort(-dets[:, -1], kind='stable')][:top_k]


def act_link(frame_dets, nframes, min_length):
    """``link_tubelets`` of the ACT detector for one video and class, K = 1.

    ``frame_dets[frame]`` is an (n, 5) array ``x1, y1, x2, y2, score``.
    """
    current, finished = [], []

    def score(tube):
        return np.mean([t[1][-1] for t in tube])

    for frame in range(1, nframes + 1):
        boxes = act_nms_tubelets(frame_dets.get(frame, np.zeros((0, 5))),
                                 0.6, 10)
        if frame == 1:
            current = [[(1, b)] for b in boxes]
            continue
        order = np.argsort(-np.array([score(t) for t in current]),
                           kind='stable')
        current = [current[i] for i in order]
        ended = []
        for it, tube in enumerate(current):
            ious = act_iou2d(boxes[:, :4], tube[-1][1][:4])
            valid = np.flatnonzero(ious >= 0.2)
            if valid.size:
                idx = valid[np.argmax(boxes[valid, -1])]
                tube.append((frame, boxes[idx]))
                boxes = np.delete(boxes, idx, axis=0)
            else:
                ended.append(it)
        for it in ended[::-1]:
            finished.append(current[it])
            del current[it]
        current += [[(frame, b)] for b in boxes]
    output = []
    for tube in finished + current:
        if score(tube) < 0.01 or len(tube) < min_length:
            continue
        array = np.array([[f, *b[:4]] for f, b in tube])
        output.append((array, score(tube)))
    return output


@pytest.mark.parametrize('seed', [0, 1, 2, 3])
def test_link_tubes_matches_act_transcription(seed):
    rng = np.random.default_rng(seed)
    nframes, num_labels = 25, 2
    dets, per_group = [], {}
    for video in range(2):
        for label in range(num_labels):
            tracks = rng.uniform(0, 80, (3, 2))
            for frame in range(1, nframes + 1):
                if rng.random() < 0.08:
                    continue  # a frame without boxes
                boxes = []
                for track in tracks[:rng.integers(1, 4)]:
                    corner = track + frame * 0.7 + rng.normal(0, 3, 2)
                    box = np.r_[corner, corner + [20, 25]]
                    boxes.append(np.r_[box, rng.random()])
                    if rng.random() < 0.3:  # a near-duplicate for NMS
                        boxes.append(np.r_[box + rng.normal(0, 1, 4),
                                           rng.random()])
                boxes = np.array(boxes)
                per_group.setdefault((video, label), {})[frame] = boxes
                for b in boxes:
                    dets.append(rows(video, frame, label, b[4], b[:4]))
    ours = link_tubes(np.array(dets), ['a', 'b'], min_length=3)
    for (video, label), frame_dets in per_group.items():
        expected = act_link(frame_dets, nframes, min_length=3)
        got = ours[['a', 'b'][video]].get(label, [])
        key = lambda item: (item[0][0, 0], item[0][0, 1])  # noqa: E731
        expected, got = sorted(expected, key=key), sorted(got, key=key)
        assert len(got) == len(expected) > 0
        for (tube, score), (ref_tube, ref_score) in zip(got, expected):
            np.testing.assert_allclose(tube, ref_tube)
            assert score == pytest.approx(ref_score)


def test_max_gap_bridges_missing_frames():
    dets = [rows(0, f, 0, 0.5, [f, 0, f + 10, 10]) for f in (1, 2, 5, 6)]
    dets.append(rows(0, 9, 0, 0.5, [9, 0, 19, 10]))
    # Gaps of 2 frames (3, 4) and 2 frames (7, 8): bridged with max_gap=2,
    # boxes interpolated; a score counts detected boxes only.
    tubes = link_tubes(np.array(dets), ['v'], min_length=1, max_gap=2)
    (tube, score), = tubes['v'][0]
    np.testing.assert_array_equal(tube[:, 0], np.arange(1, 10))
    np.testing.assert_allclose(tube[:, 1], np.arange(1, 10))
    assert score == pytest.approx(0.5)
    # max_gap=1 cannot bridge two frames.
    tubes = link_tubes(np.array(dets), ['v'], min_length=1, max_gap=1)
    assert sorted(len(t) for t, _ in tubes['v'][0]) == [1, 2, 2]
    # min_length counts the bridged span.
    assert len(link_tubes(np.array(dets), ['v'], min_length=9,
                          max_gap=2)['v'][0]) == 1
    with pytest.raises(ValueError, match='max_gap'):
        link_tubes(np.array(dets), ['v'], max_gap=-1)
