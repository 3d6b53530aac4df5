"""Scaling an iteration-based schedule: every iteration-timed setting moves
with ``max_iters``, and the ``--cfg-options`` strings merge back through
mmengine's own parser into the expected config."""
import argparse
import os.path as osp

import pytest
from mmengine.config import Config, DictAction

from mmssl.utils import (as_cfg_options, scale_schedule_options,
                         scaled_schedule_args)

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))


def toy_config() -> Config:
    return Config(
        dict(
            model=dict(type='E2ESSLDetector',
                       semi_train_cfg=dict(mask_warmup_iters=100)),
            train_cfg=dict(type='SemiIterBasedTrainLoop', max_iters=600,
                           val_interval=200),
            param_scheduler=[
                dict(type='LinearLR', by_epoch=False, begin=0, end=60),
                dict(type='CosineAnnealingLR', by_epoch=False, begin=60,
                     end=600, T_max=540),
                dict(type='MultiStepLR', by_epoch=False,
                     milestones=[300, 450]),
                dict(type='ConstantLR', by_epoch=True, begin=0, end=3),
            ],
            custom_hooks=[
                dict(type='MeanTeacherHook', momentum=0.01),
                dict(type='RampUpHook', begin=100, length=200),
                dict(type='RampUpHook', by_epoch=True, length=2),
            ],
            default_hooks=dict(
                checkpoint=dict(type='CheckpointHook', by_epoch=False,
                                interval=200))))


def apply(cfg: Config, args: list) -> Config:
    """Merge ``--cfg-options`` the way ``tools/train.py`` does."""
    parser = argparse.ArgumentParser()
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    cfg.merge_from_dict(parser.parse_args(args).cfg_options)
    return cfg


def test_halving_scales_every_iteration_setting():
    cfg = apply(toy_config(),
                as_cfg_options(scale_schedule_options(toy_config(), 300)))
    assert cfg.train_cfg.max_iters == 300
    assert cfg.train_cfg.val_interval == 100
    linear, cosine, steps, per_epoch = cfg.param_scheduler
    assert (linear.begin, linear.end) == (0, 30)
    assert (cosine.begin, cosine.end, cosine.T_max) == (30, 300, 270)
    assert steps.milestones == [150, 225]
    assert (per_epoch.begin, per_epoch.end) == (0, 3)  # epochs: untouched
    teacher, ramp, epoch_ramp = cfg.custom_hooks
    assert teacher.momentum == 0.01
    assert (ramp.begin, ramp.length) == (50, 100)
    assert epoch_ramp.length == 2
    assert cfg.model.semi_train_cfg.mask_warmup_iters == 50
    assert cfg.default_hooks.checkpoint.interval == 100
    assert cfg.model.type == 'E2ESSLDetector'  # the rest is kept


def test_same_length_changes_nothing():
    before = toy_config()
    after = apply(toy_config(),
                  as_cfg_options(scale_schedule_options(toy_config(), 600)))
    assert after.to_dict() == before.to_dict()


def test_intervals_never_exceed_the_run():
    cfg = toy_config()
    cfg.default_hooks.checkpoint.interval = 1000
    options = scale_schedule_options(cfg, 2)
    assert options['train_cfg.val_interval'] == 1
    assert options['default_hooks.checkpoint.interval'] == 2
    assert options['custom_hooks.1.length'] == 1  # a ramp is never 0 long


def test_epoch_based_and_bad_lengths_are_refused():
    with pytest.raises(ValueError, match='train_cfg has no max_iters'):
        scale_schedule_options(
            Config(dict(train_cfg=dict(type='EpochBasedTrainLoop',
                                       max_epochs=5))), 10)
    with pytest.raises(ValueError, match='max_iters must be >= 1'):
        scale_schedule_options(toy_config(), 0)


def test_tiny_synthetic_semi_config_file():
    path = osp.join(ROOT, 'configs/ssad/tiny_synthetic_semi.py')
    original = Config.fromfile(path)
    ratio = 150 / original.train_cfg.max_iters
    cfg = apply(Config.fromfile(path), scaled_schedule_args(path, 150))
    assert cfg.train_cfg.max_iters == 150
    # the config's cosine schedule and ramp-up span the whole run
    assert cfg.param_scheduler[0].end == 150
    ramp, = [h for h in cfg.custom_hooks if h.type == 'RampUpHook']
    assert ramp.length == round(original.custom_hooks[-1].length * ratio)
    assert ramp.begin == round(original.custom_hooks[-1].begin * ratio)
    assert cfg.model.semi_train_cfg.mask_warmup_iters == round(
        original.model.semi_train_cfg.mask_warmup_iters * ratio)
    # the supervised phase keeps its share of the run
    assert cfg.model.semi_train_cfg.sup_warmup_iters == round(
        original.model.semi_train_cfg.sup_warmup_iters * ratio)
