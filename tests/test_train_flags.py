"""tools/train.py flags merged into a config: --seed, --deterministic and
--diff-rank-seed override the config's randomness; --auto-scale-lr on a
config without auto_scale_lr says what to add."""
import importlib.util
import os.path as osp
import sys

import pytest
from mmengine.config import Config

from conftest import REPO_ROOT

CONFIG = osp.join(REPO_ROOT, 'configs/ssad/tiny_synthetic_sup.py')


def load_train():
    spec = importlib.util.spec_from_file_location(
        'train_tool', osp.join(REPO_ROOT, 'tools', 'train.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def merged(monkeypatch, *flags):
    tool = load_train()
    monkeypatch.setattr(sys, 'argv', ['train.py', CONFIG, *flags])
    args = tool.parse_args()
    return tool.merge_args(Config.fromfile(CONFIG), args)


def test_seed_flags_override_the_config(monkeypatch, tmp_path):
    assert Config.fromfile(CONFIG).randomness.seed == 0
    cfg = merged(monkeypatch, '--work-dir', str(tmp_path), '--seed', '5',
                 '--deterministic', '--diff-rank-seed')
    assert cfg.randomness == dict(seed=5, deterministic=True,
                                  diff_rank_seed=True)
    cfg = merged(monkeypatch, '--work-dir', str(tmp_path))
    assert cfg.randomness == dict(seed=0)


def test_auto_scale_lr_without_the_config_key_says_what_to_add(monkeypatch,
                                                               tmp_path):
    with pytest.raises(SystemExit, match='has no auto_scale_lr'):
        merged(monkeypatch, '--work-dir', str(tmp_path), '--auto-scale-lr')
