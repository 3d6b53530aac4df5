"""tools/train.py flags merged into a config: --seed, --deterministic and
--diff-rank-seed override the config's randomness; --auto-scale-lr on a
config without auto_scale_lr says what to add."""
import os.path as osp
import sys

import pytest
from mmengine.config import Config

from conftest import REPO_ROOT, load_script

CONFIG = osp.join(REPO_ROOT, 'configs/ssad/tiny_synthetic_sup.py')


def load_train():
    return load_script('tools/train.py', 'train_tool')


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


def test_max_iters_scales_the_whole_schedule(monkeypatch, tmp_path):
    semi = osp.join(REPO_ROOT, 'configs/ssad/tiny_synthetic_semi.py')
    original = Config.fromfile(semi)
    tool = load_train()
    monkeypatch.setattr(sys, 'argv', ['train.py', semi, '--work-dir',
                                      str(tmp_path), '--max-iters', '200'])
    cfg = tool.merge_args(Config.fromfile(semi), tool.parse_args())
    ratio = 200 / original.train_cfg.max_iters
    assert cfg.train_cfg.max_iters == 200
    assert cfg.param_scheduler[0].end == 200
    assert cfg.model.semi_train_cfg.sup_warmup_iters == round(
        original.model.semi_train_cfg.sup_warmup_iters * ratio)
    assert cfg.custom_hooks[-1].begin == round(
        original.custom_hooks[-1].begin * ratio)
