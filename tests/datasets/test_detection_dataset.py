"""UCF101_24Dataset / JHMDB21Dataset on tiny generated videos."""
import logging
import os
import os.path as osp
import pickle
import shutil

import cv2
import numpy as np
import pytest
import scipy.io
import torch
from detection_fixtures import (CLASSES, HEIGHT, NUM_FRAMES, WIDTH,
                                act_to_e2e, save_pickle)
from detection_fixtures import tiny_act  # noqa: F401 (fixture)

import mmssl  # noqa: F401
from mmaction.registry import DATASETS
from mmengine.logging import MMLogger
from mmssl.datasets import DatasetError, VideoDecodeError
from mmssl.datasets.transforms.targets import boxes_to_mask
from mmssl.utils import UnsafePickleError

PIPELINE = [
    dict(type='SampleActionClip'),
    dict(type='DecodeActionClip'),
    dict(type='LoadActionTargets'),
    dict(type='PackDetectionInputs'),
]


def build(ann_file, root, type='UCF101_24Dataset', pipeline=PIPELINE,
          **kwargs):
    kwargs.setdefault('data_prefix', dict(video=osp.join(root, 'videos')))
    kwargs.setdefault('metainfo', dict(classes=CLASSES))
    return DATASETS.build(
        dict(type=type, ann_file=ann_file, pipeline=pipeline, **kwargs))


def fetch(dataset, index, seed=0):
    np.random.seed(seed)
    out = dataset[index]
    return out['inputs'], out['data_samples']


def test_act_and_e2e_formats_give_the_same_targets(tiny_act, tmp_path):
    root, gt, ann_file = tiny_act
    e2e_train = save_pickle(str(tmp_path / 'train_annots.pkl'),
                            act_to_e2e(gt, gt['train_videos'][0]))
    e2e_test = save_pickle(str(tmp_path / 'testing_annots.pkl'),
                           act_to_e2e(gt, gt['test_videos'][0]))
    for act_ds, e2e_ds in [
        (build(ann_file, root), build(e2e_train, root)),
        (build(ann_file, root, test_mode=True),
         build(e2e_test, root, test_mode=True)),
    ]:
        assert len(act_ds) == len(e2e_ds) > 0
        for i in range(len(act_ds)):
            act_in, act = fetch(act_ds, i, seed=i)
            e2e_in, e2e = fetch(e2e_ds, i, seed=i)
            assert torch.equal(act_in, e2e_in)
            assert act.video_name == e2e.video_name
            np.testing.assert_array_equal(act.frame_inds, e2e.frame_inds)
            for key in ('gt_label', 'gt_mask', 'gt_frame_valid', 'gt_bboxes',
                        'gt_bbox_frames', 'gt_bbox_labels'):
                assert torch.equal(act.get(key), e2e.get(key)), key
            assert act.gt_mask.sum() > 0


def test_training_sample_fields(tiny_act):
    root, gt, ann_file = tiny_act
    dataset = build(ann_file, root)
    assert dataset.metainfo['classes'] == tuple(CLASSES)
    assert len(dataset) == len(gt['train_videos'][0])
    inputs, sample = fetch(dataset, 0)
    assert inputs.shape == (1, 3, 8, HEIGHT, WIDTH)
    assert sample.is_labeled and sample.gt_label.tolist() == [0]
    # clips are centred on annotated frames (3..17): all frames annotated
    frames = sample.frame_inds
    assert np.all(np.diff(frames) == 2) and frames[0] >= 1
    assert sample.video_name == 'Run/v_Run_g01'  # two actors
    rows = np.concatenate(gt['gttubes'][sample.video_name][0])
    keep = np.isin(rows[:, 0], frames)
    expected = boxes_to_mask(rows[keep, 1:],
                             np.searchsorted(frames, rows[keep, 0]), 8,
                             (HEIGHT, WIDTH))
    assert len(sample.gt_bboxes) == keep.sum() > 8
    np.testing.assert_array_equal(sample.gt_mask.numpy(), expected)
    np.testing.assert_array_equal(sample.gt_frame_valid.numpy(),
                                  expected.any((1, 2)))
    # the painted square is where the mask says (MJPG keeps it bright)
    frame = inputs[0, :, 4].float().mean(0)
    inside = sample.gt_mask[4].bool()
    assert frame[inside].mean() > 200 and frame[~inside].mean() < 100


def test_test_windows_cover_every_frame_once(tiny_act):
    root, gt, ann_file = tiny_act
    dataset = build(ann_file, root, test_mode=True)
    covered = {}
    for i in range(len(dataset)):
        _, sample = fetch(dataset, i)
        covered.setdefault(sample.video_name, []).extend(sample.frame_inds)
        assert sample.gt_mask.shape == (len(sample.frame_inds), HEIGHT, WIDTH)
        for label, tubes in gt['gttubes'][sample.video_name].items():
            rows = np.concatenate(tubes)
            keep = np.isin(rows[:, 0], sample.frame_inds)
            positions = np.searchsorted(sample.frame_inds, rows[keep, 0])
            expected = boxes_to_mask(rows[keep, 1:], positions,
                                     len(sample.frame_inds), (HEIGHT, WIDTH))
            np.testing.assert_array_equal(sample.gt_mask.numpy(), expected)
    assert sorted(covered) == sorted(gt['test_videos'][0])
    for frames in covered.values():
        assert sorted(frames) == list(range(1, NUM_FRAMES + 1))
    assert len(dataset) == 2 * 2  # 20 frames -> windows of 16 + 4


def test_percent_and_list_subsets(tiny_act, tmp_path):
    root, gt, ann_file = tiny_act
    labeled = build(ann_file, root, subset='labeled', labeled_percent=50)
    unlabeled = build(ann_file, root, subset='unlabeled', labeled_percent=50)
    names_l = {labeled.get_data_info(i)['video_name']
               for i in range(len(labeled))}
    names_u = {unlabeled.get_data_info(i)['video_name']
               for i in range(len(unlabeled))}
    assert len(names_l) == 2 and len(names_u) == 4  # 1 of 3 per class
    assert names_l | names_u == set(gt['train_videos'][0])
    assert {n.split('/')[0] for n in names_l} == set(CLASSES)
    _, sample = fetch(unlabeled, 0)
    assert not sample.is_labeled and sample.gt_label.tolist() == [-1]
    assert sample.gt_mask.sum() == 0 and len(sample.gt_bboxes) == 0

    split_file = tmp_path / 'labeled.txt'
    split_file.write_text('\n'.join(sorted(names_l)) + '\n')
    from_list = build(ann_file, root, subset='labeled',
                      video_list=str(split_file))
    assert {from_list.get_data_info(i)['video_name']
            for i in range(len(from_list))} == names_l

    split_file.write_text('Run/v_Run_g01\nRun/v_Run_g77\n')
    with pytest.raises(DatasetError, match='v_Run_g77'):
        build(ann_file, root, subset='labeled', video_list=str(split_file))
    with pytest.raises(DatasetError, match='exactly one'):
        build(ann_file, root, subset='labeled')
    with pytest.raises(ValueError, match='labeled_percent'):
        build(ann_file, root, subset='labeled', labeled_percent=120)


def test_unlabeled_video_list_and_uniform_sampling(tiny_act, tmp_path):
    root, gt, _ = tiny_act
    listing = tmp_path / 'extra.txt'
    listing.write_text(''.join(f'{n}.avi 7\n' for n in gt['train_videos'][0]))
    dataset = build(str(listing), root, subset='unlabeled')
    assert len(dataset) == len(gt['train_videos'][0])
    info = dataset.get_data_info(0)
    assert info['total_frames'] == NUM_FRAMES and len(info['key_frames']) == 0
    starts = set()
    for seed in range(30):
        _, sample = fetch(dataset, 0, seed)
        assert not sample.is_labeled and sample.gt_label.tolist() == [-1]
        starts.add(int(sample.frame_inds[0]))
    assert len(starts) > 2  # anywhere in the video, not at key frames
    with pytest.raises(DatasetError, match="subset='unlabeled'"):
        build(str(listing), root)


class Records(logging.Handler):
    """Collects the messages of mmengine's current logger."""

    def __init__(self):
        super().__init__()
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def test_frame_folders_and_puppet_masks(tiny_act, tmp_path):
    root, gt, ann_file = tiny_act
    frames_root, masks_root = tmp_path / 'frames', tmp_path / 'masks'
    for name in gt['train_videos'][0]:
        import decord
        clip = decord.VideoReader(osp.join(root, 'videos',
                                           name + '.avi')).get_batch(
                                               list(range(NUM_FRAMES)))
        os.makedirs(frames_root / name)
        for i, frame in enumerate(clip.asnumpy(), 1):
            cv2.imwrite(str(frames_root / name / f'{i:05d}.png'),
                        frame[..., ::-1])
    masked = gt['train_videos'][0][0]
    part_mask = np.zeros((HEIGHT, WIDTH, NUM_FRAMES), np.uint8)
    part_mask[2:5, 3:9, :] = 7  # a puppet part id
    os.makedirs(masks_root / masked)
    scipy.io.savemat(str(masks_root / masked / 'puppet_mask.mat'),
                     dict(part_mask=part_mask))
    records = Records()
    logger = MMLogger.get_current_instance()
    logger.addHandler(records)
    try:
        dataset = build(
            ann_file, root, type='JHMDB21Dataset',
            data_prefix=dict(img=str(frames_root), mask=str(masks_root)),
            filename_tmpl='{:05d}.png')
    finally:
        logger.removeHandler(records)
    assert any('5 of 6 labeled videos have no puppet_mask.mat' in m
               for m in records.messages)
    assert len(dataset) == len(gt['train_videos'][0])
    inputs, sample = fetch(dataset, 0)
    assert sample.video_name == masked
    assert inputs.shape == (1, 3, 8, HEIGHT, WIDTH)
    expected = np.zeros((8, HEIGHT, WIDTH), np.uint8)
    expected[:, 2:5, 3:9] = 1
    np.testing.assert_array_equal(sample.gt_mask.numpy(), expected)
    _, other = fetch(dataset, 1)  # no mask file: filled boxes
    assert other.gt_mask.sum() > 0
    assert other.gt_mask.sum() == boxes_to_mask(
        other.gt_bboxes.numpy(), other.gt_bbox_frames.numpy(), 8,
        (HEIGHT, WIDTH)).sum()


def bad_gt(gt, name, **changes):
    """A copy of ``gt`` whose first training video is replaced by ``name``
    with the given entries."""
    bad = pickle.loads(pickle.dumps(gt))
    bad['train_videos'][0].append(name)
    bad['nframes'][name] = changes.get('nframes', NUM_FRAMES)
    bad['resolution'][name] = (HEIGHT, WIDTH)
    bad['gttubes'][name] = changes.get(
        'gttubes', {0: [np.array([[1, 2, 2, 8, 8]], np.float32)]})
    return bad


def test_bad_input_errors_name_video_and_problem(tiny_act, tmp_path):
    root, gt, _ = tiny_act
    videos = tmp_path / 'videos'
    shutil.copytree(osp.join(root, 'videos'), videos)
    good = 'Run/v_Run_g01'
    shutil.copy(videos / (good + '.avi'), videos / 'Run' / 'v_Run_g90.avi')
    (videos / 'Run' / 'v_Run_g91.avi').write_bytes(b'not a video' * 100)
    cases = [
        ('Run/v_Run_g99', {}, 'does not exist'),
        ('Run/v_Run_g91', {}, 'cannot be read'),
        ('Run/v_Run_g90', dict(nframes=30), 'truncated'),
        ('Run/v_Run_g90', dict(gttubes={0: [np.array(
            [[19, 2, 2, 8, 8], [25, 2, 2, 8, 8]], np.float32)]}),
         'beyond'),
        ('Run/v_Run_g90', dict(gttubes={0: [np.array(
            [[3, 70, 5, 80, 10]], np.float32)]}), 'outside'),
        ('Run/v_Run_g90', dict(gttubes={5: [np.array(
            [[3, 1, 1, 5, 5]], np.float32)]}), 'class index 5'),
    ]
    for name, changes, problem in cases:
        ann = save_pickle(str(tmp_path / 'bad.pkl'), bad_gt(gt, name,
                                                            **changes))
        with pytest.raises(DatasetError) as err:
            build(ann, root, data_prefix=dict(video=str(videos)))
        assert name in str(err.value) and problem in str(err.value)

    # boxes partly outside the frame are clipped to it
    ann = save_pickle(str(tmp_path / 'clip.pkl'), bad_gt(
        gt, 'Run/v_Run_g90',
        gttubes={0: [np.array([[3, -4, 2, 8, 50]], np.float32)]}))
    dataset = build(ann, root, data_prefix=dict(video=str(videos)))
    info = dataset.get_data_info(len(dataset) - 1)
    np.testing.assert_array_equal(info['tubes'][0]['boxes'],
                                  [[0, 2, 8, HEIGHT]])


def test_malicious_pickle_is_refused(tiny_act, tmp_path):
    root, _, _ = tiny_act
    marker = tmp_path / 'executed'

    class Evil:

        def __reduce__(self):
            return (os.mkdir, (str(marker), ))

    ann = str(tmp_path / 'evil.pkl')
    with open(ann, 'wb') as f:
        pickle.dump({'labels': Evil()}, f)
    with pytest.raises(UnsafePickleError, match='evil.pkl.*posix.mkdir'):
        build(ann, root)
    assert not marker.exists()


def test_decode_failure_raises_or_is_skipped(tiny_act, tmp_path):
    root, gt, ann_file = tiny_act
    videos = tmp_path / 'videos'
    shutil.copytree(osp.join(root, 'videos'), videos)
    prefix = dict(video=str(videos))
    strict = build(ann_file, root, data_prefix=prefix)
    skipping = build(ann_file, root, data_prefix=prefix, skip_bad_videos=True)
    broken = gt['train_videos'][0][0]
    path = videos / (broken + '.avi')
    path.write_bytes(path.read_bytes()[:200])  # truncated after loading
    with pytest.raises(VideoDecodeError, match=str(path)):
        fetch(strict, 0)
    records = Records()
    logger = MMLogger.get_current_instance()
    logger.addHandler(records)
    try:
        _, sample = fetch(skipping, 0)
    finally:
        logger.removeHandler(records)
    assert sample.video_name != broken
    assert skipping.num_skipped >= 1
    assert any(str(path) in m and '1 sample(s) skipped so far' in m
               for m in records.messages)


def test_e2e_file_with_unlabeled_entries(tiny_act, tmp_path):
    root, gt, _ = tiny_act
    entries = act_to_e2e(gt, gt['train_videos'][0])
    # the E2E-SSL release marks extra videos with label -1 and flag 0
    extra = gt['test_videos'][0][0]
    entries.append((extra, [(0, NUM_FRAMES - 1, -1, np.zeros((1, 4)),
                             list(range(NUM_FRAMES)), 0)]))
    name, tubes = entries[0]
    entries[0] = (name, [t[:5] + (0, ) for t in tubes])  # flagged unlabeled
    ann = save_pickle(str(tmp_path / 'train_annots.pkl'), entries)
    dataset = build(ann, root)
    flags = {dataset.get_data_info(i)['video_name']:
             dataset.get_data_info(i)['is_labeled']
             for i in range(len(dataset))}
    assert flags[extra] is False and flags[name] is False
    assert sum(flags.values()) == len(entries) - 2
    labeled = build(ann, root, subset='labeled', labeled_percent=100)
    names = {labeled.get_data_info(i)['video_name']
             for i in range(len(labeled))}
    assert extra not in names and len(names) == len(entries) - 1
    unlabeled = build(ann, root, subset='unlabeled', labeled_percent=100)
    assert [unlabeled.get_data_info(i)['video_name']
            for i in range(len(unlabeled))] == [extra]
    split_file = tmp_path / 'labeled.txt'
    split_file.write_text(extra + '\n')
    with pytest.raises(DatasetError, match='has no boxes'):
        build(ann, root, subset='labeled', video_list=str(split_file))
