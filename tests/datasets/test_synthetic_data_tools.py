"""tools/data/make_synthetic.py and tools/data/check_data.py."""
import hashlib
import importlib.util
import os.path as osp
import pickle

import numpy as np
import pytest

import mmssl  # noqa: F401
from mmaction.registry import DATASETS
from mmssl.datasets.transforms import restore_view

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def load_tool(name):
    spec = importlib.util.spec_from_file_location(
        name, osp.join(REPO, 'tools', 'data', name + '.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope='module')
def synthetic(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('synthetic'))
    tool = load_tool('make_synthetic')
    # the generator's design layout (8 + 4 videos per class, 160 x 120,
    # at which these tests were written); the shipped defaults are tested
    # by test_default_layout_and_options
    tool.TRAIN_PER_CLASS, tool.TEST_PER_CLASS = 8, 4
    tool.WIDTH, tool.HEIGHT, tool.ACTOR_SCALE = 160, 120, 1.0
    tool.RECOGNITION_CLIPS_PER_GROUP = 2  # the detection part is all there
    gt = tool.make_dataset(root, seed=0)
    return root, gt


def test_default_layout_and_options(tmp_path, monkeypatch):
    import decord
    tool = load_tool('make_synthetic')
    # the evidence set: labels are the bottleneck, one test video < 1 point
    assert (tool.TRAIN_PER_CLASS, tool.TEST_PER_CLASS) == (24, 24)
    assert (tool.WIDTH, tool.HEIGHT) == (64, 48)
    for size, argv in (((48, 64), []), ((60, 80), ['--size', '80x60'])):
        out = tmp_path / f'{size[1]}x{size[0]}'
        tool = load_tool('make_synthetic')
        tool.main([str(out), '--train-per-class', '2', '--test-per-class',
                   '1', '--recognition-clips', '2'] + argv)
        with open(out / 'annotations' / 'UCF101v2-GT.pkl', 'rb') as f:
            gt = pickle.load(f)
        assert len(gt['train_videos'][0]) == 10
        assert len(gt['test_videos'][0]) == 5
        for name, tubes in gt['gttubes'].items():
            assert gt['resolution'][name] == size
            reader = decord.VideoReader(str(out / 'videos' / f'{name}.avi'))
            assert reader[0].shape == (*size, 3)
            for tube in next(iter(tubes.values())):
                assert (tube[:, 1:3] >= 0).all()
                assert (tube[:, 3] <= size[1]).all()
                assert (tube[:, 4] <= size[0]).all()
                # actors are large: at least a tenth of the frame's width
                assert np.median(tube[:, 3] - tube[:, 1]) >= size[1] / 10
        with open(out / 'recognition' / 'test.txt') as f:
            assert len(f.readlines()) == 10
    with pytest.raises(SystemExit, match='--size'):
        load_tool('make_synthetic').main([str(tmp_path / 'x'), '--size',
                                          '64'])


def test_recognition_lists(synthetic, tmp_path):
    import decord
    root, gt = synthetic
    lists = {}
    for split in ('train', 'test'):
        with open(osp.join(root, 'recognition', f'{split}.txt')) as f:
            lists[split] = [line.split() for line in f]
    assert len(lists['train']) == 80 and len(lists['test']) == 40
    classes = gt['labels']
    for split, key in (('train', 'train_videos'), ('test', 'test_videos')):
        paths = [p for p, _ in lists[split]]
        # every detection video of the split, plus its second clip
        assert [p for p in paths if p.endswith('_c01.avi')] == [
            n + '.avi' for n in gt[key][0]]
        for path, label in lists[split]:
            assert classes[int(label)] == path.split('/')[0]
            assert osp.isfile(osp.join(root, 'videos', path))
    extra = decord.VideoReader(
        osp.join(root, 'videos', 'Pulse/v_Pulse_g12_c02.avi'))
    assert 32 <= len(extra) <= 48 and extra[0].shape == (120, 160, 3)
    # the labeled subset tool reads the list
    split_tool = load_tool('split_labeled')
    split_tool.main([osp.join(root, 'recognition', 'train.txt'),
                     '--per-class', '2', '--out-dir', str(tmp_path)])
    with open(tmp_path / 'labeled.txt') as f:
        labeled = [line.split() for line in f]
    assert sorted(int(label) for _, label in labeled) == [0, 0, 1, 1, 2, 2,
                                                          3, 3, 4, 4]


def test_recognition_clips_leave_detection_videos_unchanged(tmp_path,
                                                            monkeypatch):
    tool = load_tool('make_synthetic')
    monkeypatch.setattr(tool, 'TRAIN_PER_CLASS', 1)
    monkeypatch.setattr(tool, 'TEST_PER_CLASS', 0)
    digests = {}
    for clips in (1, 2):
        monkeypatch.setattr(tool, 'RECOGNITION_CLIPS_PER_GROUP', clips)
        root = tmp_path / str(clips)
        tool.make_dataset(str(root), seed=0)
        digests[clips] = {
            str(p.relative_to(root)): hashlib.sha256(
                p.read_bytes()).hexdigest()
            for p in root.rglob('*') if p.suffix in ('.avi', '.pkl')}
    assert len(digests[2]) == len(digests[1]) + 5
    assert all(digests[2][k] == v for k, v in digests[1].items())


def test_synthetic_layout_and_annotations(synthetic):
    import decord
    root, gt = synthetic
    with open(osp.join(root, 'annotations', 'UCF101v2-GT.pkl'), 'rb') as f:
        saved = pickle.load(f)
    assert saved['labels'] == ['Walk', 'Climb', 'Jump', 'Circle', 'Pulse']
    assert len(saved['train_videos'][0]) == 40
    assert len(saved['test_videos'][0]) == 20
    assert not set(saved['train_videos'][0]) & set(saved['test_videos'][0])
    multi = partial = 0
    for name, num_frames in saved['nframes'].items():
        cls = name.split('/')[0]
        assert name.startswith(f'{cls}/v_{cls}_g')
        reader = decord.VideoReader(osp.join(root, 'videos', name + '.avi'))
        assert len(reader) == num_frames and 32 <= num_frames <= 48
        assert reader[0].shape == (120, 160, 3)
        (label, tubes), = saved['gttubes'][name].items()
        assert saved['labels'][label] == cls
        multi += len(tubes) > 1
        covered = set()
        for tube in tubes:
            frames = tube[:, 0]
            assert np.all(np.diff(frames) == 1)  # one box per frame
            assert (tube[:, 1:3] >= 0).all() and (tube[:, 3] <= 160).all()
            assert (tube[:, 4] <= 120).all()
            covered.update(frames.tolist())
        partial += len(covered) < num_frames
    assert multi > 0
    # untrimmed: the actions of most videos cover only part of them
    assert partial >= 0.8 * len(saved['nframes'])
    # textured backgrounds, and the actor differs from them
    reader = decord.VideoReader(
        osp.join(root, 'videos', 'Walk/v_Walk_g05_c01.avi'))
    tube = saved['gttubes']['Walk/v_Walk_g05_c01'][0][0]
    frame = reader[int(tube[0, 0]) - 1].asnumpy().astype(float)
    assert frame.std(axis=(0, 1)).min() > 10


def test_synthetic_is_deterministic(tmp_path, monkeypatch):
    tool = load_tool('make_synthetic')
    monkeypatch.setattr(tool, 'TRAIN_PER_CLASS', 1)
    monkeypatch.setattr(tool, 'TEST_PER_CLASS', 1)
    monkeypatch.setattr(tool, 'RECOGNITION_CLIPS_PER_GROUP', 2)
    digests = []
    for run, seed in (('a', 3), ('b', 3), ('c', 4)):
        tool.make_dataset(str(tmp_path / run), seed=seed)
        digest = hashlib.sha256()
        for path in sorted((tmp_path / run).rglob('*.*')):
            digest.update(path.read_bytes())
        digests.append(digest.hexdigest())
    assert digests[0] == digests[1] != digests[2]


def test_recommended_pipelines_on_synthetic(synthetic):
    root, _ = synthetic
    common = dict(
        type='UCF101_24Dataset',
        ann_file=osp.join(root, 'annotations', 'UCF101v2-GT.pkl'),
        data_prefix=dict(video=osp.join(root, 'videos')))
    shared = [
        dict(type='SampleActionClip'),
        dict(type='DecodeActionClip'),
        dict(type='LoadActionTargets'),
        dict(type='ActionResize', scale=(-1, 104)),
        dict(type='ActionRandomCrop', size=(128, 96)),
        dict(type='MarkReferenceView'),
    ]
    two_views = dict(
        type='MultiBranch',
        branch_field=['orig', 'aug'],
        orig=[dict(type='PackDetectionInputs')],
        aug=[
            dict(type='ActionFlip', flip_ratio=1.0),
            dict(type='PackDetectionInputs')
        ])
    labeled = DATASETS.build(
        dict(common, subset='labeled', labeled_percent=20,
             pipeline=shared + [two_views]))
    unlabeled = DATASETS.build(
        dict(common, subset='unlabeled', labeled_percent=20,
             pipeline=shared + [two_views]))
    assert len(labeled) == 5 and len(unlabeled) == 35
    assert labeled.metainfo['classes'][0] == 'Walk'
    for dataset, is_labeled in ((labeled, True), (unlabeled, False)):
        out = dataset[0]
        orig, aug = out['data_samples']['orig'], out['data_samples']['aug']
        assert out['inputs']['orig'].shape == (1, 3, 8, 96, 128)
        assert orig.is_labeled is is_labeled
        assert bool(orig.gt_mask.sum() > 0) is is_labeled
        restored, valid = restore_view(
            out['inputs']['aug'].float(), [aug.view_affine], orig.img_shape)
        assert valid.all()
        assert restored.equal(out['inputs']['orig'].float())
    test = DATASETS.build(
        dict(common, test_mode=True, pipeline=[
            dict(type='SampleActionClip'),
            dict(type='DecodeActionClip'),
            dict(type='LoadActionTargets'),
            dict(type='ActionResize', scale=(128, 96), keep_ratio=False),
            dict(type='PackDetectionInputs'),
        ]))
    out = test[0]
    sample = out['data_samples']
    assert out['inputs'].shape == (1, 3, 8, 96, 128)
    assert sample.gt_mask.shape == (16, 120, 160)
    assert sample.frame_inds.tolist() == list(range(1, 17))
    assert sample.frame_interval == 2


def test_check_data_reports_and_fails_on_problems(synthetic, tmp_path,
                                                   capsys):
    root, gt = synthetic
    tool = load_tool('check_data')
    ann = osp.join(root, 'annotations', 'UCF101v2-GT.pkl')
    code = tool.main([ann, '--videos', osp.join(root, 'videos'), '--decode'])
    out = capsys.readouterr().out
    assert code == 0 and out.rstrip().endswith('OK')
    assert 'train: 40 videos' in out and 'test: 20 videos' in out
    assert ' test windows' in out

    broken = dict(gt, nframes=dict(gt['nframes']))
    name = gt['train_videos'][0][0]
    broken['nframes'][name] += 5
    with open(tmp_path / 'broken.pkl', 'wb') as f:
        pickle.dump(broken, f)
    code = tool.main([str(tmp_path / 'broken.pkl'), '--videos',
                      osp.join(root, 'videos')])
    err = capsys.readouterr().err
    assert code == 1 and name in err and 'truncated' in err
