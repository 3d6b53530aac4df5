"""A few CPU iterations, with validation, of each synthetic-set config of
configs/ssar/synthetic (ACL+MTL, FixMatch, supervised)."""
import glob
import json
import os
import os.path as osp

import numpy as np
import pytest
from mmengine.config import Config
from mmengine.runner import Runner

import mmssl  # noqa: F401
from conftest import REPO_ROOT

SYNTHETIC = sorted(
    glob.glob(osp.join(REPO_ROOT, 'configs', 'ssar', 'synthetic', '*.py')))


@pytest.fixture(scope='module')
def synthetic_root(tiny_recognition_data, tmp_path_factory) -> str:
    """A working directory whose data/synthetic looks like the synthetic
    set: videos/ and recognition/{train,labeled,unlabeled,test}.txt."""
    work = tmp_path_factory.mktemp('ssar_synthetic')
    root = work / 'data' / 'synthetic'
    (root / 'recognition').mkdir(parents=True)
    os.symlink(osp.join(tiny_recognition_data, 'videos'), root / 'videos')
    for src, dst in (('labeled', 'labeled'), ('unlabeled', 'unlabeled'),
                     ('val', 'test'), ('val', 'train')):
        with open(osp.join(tiny_recognition_data, f'{src}.txt')) as f:
            (root / 'recognition' / f'{dst}.txt').write_text(f.read())
    return str(work)


@pytest.mark.parametrize('config', SYNTHETIC, ids=osp.basename)
def test_synthetic_config_trains_and_validates(config, synthetic_root,
                                               monkeypatch):
    monkeypatch.chdir(synthetic_root)  # the configs read data/synthetic
    # yapf-formatting the config for the logs takes ~10 s per run on two
    # cores and is not under test: log the config file's own text instead
    monkeypatch.setattr(Config, 'pretty_text', property(lambda c: c.text))
    name = osp.splitext(osp.basename(config))[0]
    cfg = Config.fromfile(config)
    cfg.work_dir = osp.join(synthetic_root, 'work', name)
    cfg.train_cfg.max_iters = 4
    cfg.train_cfg.val_interval = 4
    cfg.train_dataloader.num_workers = 0
    cfg.val_dataloader.num_workers = 0
    cfg.test_dataloader.num_workers = 0
    cfg.default_hooks.logger.interval = 1
    cfg.default_hooks.checkpoint.interval = 4
    cfg.experiment_name = name
    Runner.from_cfg(cfg).train()

    records = []
    for path in glob.glob(osp.join(cfg.work_dir, '*', 'vis_data',
                                   'scalars.json')):
        with open(path) as f:
            records += [json.loads(line) for line in f]
    train = [r for r in records if 'loss' in r]
    assert {r['iter'] for r in train} >= {1, 2, 3, 4}
    assert all(np.isfinite(r['loss']) for r in train)
    assert any('acc/top1' in r for r in records)
    assert osp.isfile(osp.join(cfg.work_dir, 'iter_4.pth'))
    if 'acl-mtl' in name:
        assert all('unsup_loss_acl' in r and 'unsup_loss_mtl' in r
                   for r in train)
        assert train[-1]['unsup_acl_bank_fill'] > 0
