"""An unreadable video met mid-training is named, and with
``skip_bad_videos`` replaced and counted in the log, also when it was read
in a dataloader worker."""
import glob
import json
import os.path as osp
import re
import shutil

import pytest
from detection_fixtures import make_act, save_pickle
from mmengine.config import Config
from mmengine.runner import Runner

import mmssl  # noqa: F401
from mmaction.registry import DATASETS

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def corrupt(path: str) -> None:
    with open(path, 'wb') as f:
        f.write(b'not a video' * 100)


@pytest.fixture
def detection_project(tmp_path, monkeypatch):
    """A tiny copy of the synthetic set whose first labeled video is
    corrupt (after the annotation was written, so only decoding finds it);
    returns the path of that video."""
    data = tmp_path / 'data' / 'synthetic'
    gt = make_act(str(data))
    ann_file = save_pickle(str(data / 'annotations' / 'UCF101v2-GT.pkl'), gt)
    labeled = DATASETS.build(dict(
        type='UCF101_24Dataset', ann_file=ann_file,
        data_prefix=dict(video=str(data / 'videos')), subset='labeled',
        labeled_percent=25, pipeline=[]))
    bad = labeled.get_data_info(0)['filename']
    corrupt(bad)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(Config, 'pretty_text', property(lambda c: c.text))
    return osp.relpath(bad, str(tmp_path))


def detection_cfg(tmp_path, skip: bool) -> Config:
    cfg = Config.fromfile(
        osp.join(REPO_ROOT, 'configs/ssad/tiny_synthetic_sup.py'))
    cfg.work_dir = str(tmp_path / 'work')
    cfg.model.cls_head.num_classes = 2  # make_act's classes
    cfg.model.loc_head.num_classes = 2
    cfg.train_dataloader.update(batch_size=2, num_workers=1)
    cfg.train_dataloader.dataset.update(check_videos=False,
                                        skip_bad_videos=skip)
    cfg.train_cfg.max_iters = 3
    cfg.default_hooks.logger.interval = 1
    cfg.default_hooks.checkpoint.interval = 100
    return cfg


def test_bad_video_stops_the_run_naming_it(detection_project, tmp_path):
    runner = Runner.from_cfg(detection_cfg(tmp_path, skip=False))
    with pytest.raises(Exception) as info:
        runner.train()
    assert detection_project in str(info.value)
    assert 'VideoDecodeError' in str(info.value)


def test_skipped_bad_videos_are_counted_in_the_log(detection_project,
                                                   tmp_path):
    runner = Runner.from_cfg(detection_cfg(tmp_path, skip=True))
    runner.train()
    # the skips happened in the worker process, not in this one
    assert runner.train_dataloader.dataset.num_skipped == 0
    log, = glob.glob(str(tmp_path / 'work' / '*' / '*.log'))
    text = open(log).read()
    reports = re.findall(r'replaced unreadable video\(s\) (.*?); (\d+) '
                         r'replaced so far', text)
    # the corrupt video is one of the two labeled videos of every batch
    paths = [p for listed, _ in reports for p in listed.split(', ')]
    assert len(paths) >= 3 and set(paths) == {detection_project}, reports
    assert int(reports[-1][1]) == len(paths)
    scalars, = glob.glob(str(tmp_path / 'work' / '*' / 'vis_data' /
                             'scalars.json'))
    records = [json.loads(line) for line in open(scalars)]
    assert [r['iter'] for r in records] == [1, 2, 3]
    assert records[-1]['skipped_videos'] == len(paths)


def test_unreadable_recognition_video_is_named(tiny_recognition_data,
                                               tmp_path, monkeypatch):
    data = tmp_path / 'data' / 'synthetic'
    shutil.copytree(osp.join(tiny_recognition_data, 'videos'),
                    data / 'videos')
    (data / 'recognition').mkdir()
    for src, dst in (('labeled', 'labeled'), ('unlabeled', 'unlabeled'),
                     ('val', 'test')):
        shutil.copy(osp.join(tiny_recognition_data, f'{src}.txt'),
                    data / 'recognition' / f'{dst}.txt')
    first = open(data / 'recognition' / 'labeled.txt').readline().split()[0]
    corrupt(str(data / 'videos' / first))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(Config, 'pretty_text', property(lambda c: c.text))
    cfg = Config.fromfile(osp.join(
        REPO_ROOT, 'configs/ssar/synthetic/supervised_tiny-r3d_synthetic.py'))
    cfg.work_dir = str(tmp_path / 'work')
    cfg.train_dataloader.update(num_workers=1, persistent_workers=False)
    cfg.train_dataloader.sampler.shuffle = False
    cfg.train_cfg.max_iters = 2
    cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None
    runner = Runner.from_cfg(cfg)
    with pytest.raises(Exception) as info:
        runner.train()
    assert f'data/synthetic/videos/{first}' in str(info.value)
    assert 'SampleLoadError' in str(info.value)
