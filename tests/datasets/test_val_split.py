"""The validation subset: held out from the training videos, disjoint from
labeled and unlabeled, deterministic; a tiny run with validation keeps the
best checkpoint."""
import glob
import os.path as osp

import pytest
from detection_fixtures import make_act, save_pickle
from mmengine.config import Config
from mmengine.runner import Runner

import mmssl  # noqa: F401
from mmaction.registry import DATASETS
from mmssl.datasets import DatasetError

def video_names(dataset) -> set:
    return {dataset.get_data_info(i)['video_name']
            for i in range(len(dataset))}


REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


@pytest.fixture(scope='module')
def act10(tmp_path_factory):
    """``(root, gt, ann_file)``: 10 training videos per class."""
    root = str(tmp_path_factory.mktemp('act10'))
    gt = make_act(root, train_per_class=10)
    return root, gt, save_pickle(osp.join(root, 'GT.pkl'), gt)


def names(ann_file, root, subset, test_mode=False, **kwargs):
    dataset = DATASETS.build(
        dict(type='ActionDetectionDataset', ann_file=ann_file,
             data_prefix=dict(video=osp.join(root, 'videos')),
             subset=subset, pipeline=[], check_videos=False,
             test_mode=test_mode, **kwargs))
    return [dataset.get_data_info(i) for i in range(len(dataset))]


def test_val_subset_is_held_out_and_deterministic(act10):
    root, gt, ann_file = act10
    split = dict(labeled_percent=20, val_percent=50)
    labeled = {i['video_name'] for i in names(ann_file, root, 'labeled',
                                               **split)}
    unlabeled = {i['video_name'] for i in names(ann_file, root, 'unlabeled',
                                                 **split)}
    val_infos = names(ann_file, root, 'val', **split)
    val = {i['video_name'] for i in val_infos}
    train = set(gt['train_videos'][0])
    assert labeled | unlabeled | val == train
    assert not (labeled & unlabeled or labeled & val or unlabeled & val)
    # per class: 2 of 10 labeled, half of the other 8 held out
    for cls in ('Run', 'Jump'):
        assert sum(v.startswith(cls) for v in labeled) == 2
        assert sum(v.startswith(cls) for v in val) == 4
    # the labeled subset is the one of the split without validation
    assert labeled == {i['video_name'] for i in names(
        ann_file, root, 'labeled', labeled_percent=20)}
    assert all(i['is_labeled'] and i['tubes'] for i in val_infos)
    assert val == {i['video_name'] for i in names(ann_file, root, 'val',
                                                   **split)}
    assert val != {i['video_name'] for i in names(
        ann_file, root, 'val', val_seed=1, **split)}
    # test mode: windows of the held-out training videos, never test videos
    windows = names(ann_file, root, 'val', test_mode=True, **split)
    assert {w['video_name'] for w in windows} == val
    assert len(windows) == len(val) * 2  # 20 frames, windows of 16
    assert not val & set(gt['test_videos'][0])


def test_val_options_are_checked(act10):
    root, _, ann_file = act10
    with pytest.raises(DatasetError, match='val_percent'):
        names(ann_file, root, 'val', labeled_percent=20)
    with pytest.raises(ValueError, match='labeled_percent'):
        names(ann_file, root, 'val', val_percent=20)


@pytest.mark.parametrize('config', ['sup_i3d_8x2_ucf101-24_20pct.py',
                                    'e2e_ssl_i3d_8x2_jhmdb21_30pct.py'])
def test_real_configs_select_on_held_out_videos(config, act10):
    root, gt, ann_file = act10
    cfg = Config.fromfile(osp.join(REPO_ROOT, 'configs', 'ssad', config))
    assert cfg.default_hooks.checkpoint.save_best == 'mask/f-mAP@0.5'
    assert cfg.default_hooks.checkpoint.rule == 'greater'
    assert cfg.val_evaluator.type == 'ActionDetectionMetric'
    media = dict(data_prefix=dict(video=osp.join(root, 'videos')),
                 ann_file=ann_file, pipeline=[], check_videos=False,
                 type='ActionDetectionDataset')
    val = DATASETS.build(dict(cfg.val_dataloader.dataset, **media))
    train_cfgs = cfg.train_dataloader.dataset.get(
        'datasets', [cfg.train_dataloader.dataset])
    train = set()
    for train_cfg in train_cfgs:
        dataset = DATASETS.build(dict(train_cfg, **media))
        train |= video_names(dataset)
    val_names = video_names(val)
    assert val.test_mode and val_names
    assert not val_names & train
    assert val_names <= set(gt['train_videos'][0])


def test_tiny_run_keeps_the_best_checkpoint(tmp_path, monkeypatch):
    data = tmp_path / 'data' / 'synthetic'
    gt = make_act(str(data))
    save_pickle(str(data / 'annotations' / 'UCF101v2-GT.pkl'), gt)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(Config, 'pretty_text', property(lambda c: c.text))
    cfg = Config.fromfile(
        osp.join(REPO_ROOT, 'configs/ssad/tiny_synthetic_sup.py'))
    cfg.work_dir = str(tmp_path / 'work')
    cfg.model.cls_head.num_classes = 2  # make_act's classes
    cfg.model.loc_head.num_classes = 2
    split = dict(labeled_percent=25, val_percent=50)
    cfg.train_dataloader.dataset.update(split)
    cfg.train_dataloader.update(batch_size=2, num_workers=0)
    cfg.val_dataloader = dict(
        cfg.test_dataloader, num_workers=0,
        dataset=dict(cfg.test_dataloader.dataset, subset='val', **split))
    cfg.val_evaluator = cfg.test_evaluator
    cfg.val_cfg = dict(type='TeacherStudentValLoop')
    cfg.train_cfg.update(max_iters=2, val_interval=1)
    cfg.default_hooks.checkpoint.update(
        interval=100, save_best='mask/f-mAP@0.5', rule='greater')
    runner = Runner.from_cfg(cfg)
    runner.train()
    best = glob.glob(str(tmp_path / 'work' / 'best_mask_f-mAP@0.5_iter_*.pth'))
    assert len(best) == 1, sorted(glob.glob(str(tmp_path / 'work' / '*')))
    val_names = video_names(runner.val_loop.dataloader.dataset)
    train_names = video_names(runner.train_dataloader.dataset)
    assert val_names and not val_names & train_names
