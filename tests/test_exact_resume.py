"""A run interrupted at iteration k and resumed equals an uninterrupted run.

Tiny teacher-student recognizers (SemiRecognizer, and ACLMTLRecognizer with
its memory bank, prototypes and GMM) train 6 iterations with random
augmentations (Flip, ColorJitter), SGD with momentum, a step scheduler, a
ramp-up, the train-loss plateau schedule and validation every 2 iterations.
A second run crashes after iteration 4 (its checkpoint written, its
validation not run) and is resumed from ``last_checkpoint``: iterations 5
and 6 must give the same losses, and iteration 6 the same weights (teacher
and student), buffers, optimiser and scheduler state, bit for bit on CPU.
"""
import os
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.hooks import Hook
from mmengine.runner import Runner

from conftest import REPO_ROOT
from mmssl.engine.hooks import RandomStateHook, unwrap_model, \
    reseed_generators

CONFIG = osp.join(REPO_ROOT, 'tests/data/configs/tiny_semi_recognizer.py')
MAX_ITERS, CRASH_AT = 6, 4

ACL_MTL_MODEL = dict(
    type='ACLMTLRecognizer',
    acl=dict(bank_size=16, gmm_min_samples=4, gmm_interval=2,
             proj_channels=8),
    mtl=None,
    semi_train_cfg=dict(pseudo_threshold=0.5, unsup_weight=1.0),
    semi_test_cfg=dict(predict_on='teacher'))


class _Crash(Exception):
    pass


class _CrashAfter(Hook):
    """Raise after iteration ``step``'s hooks (checkpoint included)."""

    def __init__(self, step: int) -> None:
        self.step = step

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None) -> None:
        if runner.iter + 1 == self.step:
            raise _Crash()


class _Recorder(Hook):
    """Logged values of every iteration: ``{iter: {key: float}}``."""

    def __init__(self) -> None:
        self.values = {}

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None) -> None:
        self.values[runner.iter + 1] = {
            key: float(value.detach()) for key, value in outputs.items()
        }
        self.values[runner.iter + 1]['lr'] = \
            runner.optim_wrapper.get_lr()['lr'][0]


def _config(work_dir: str, name: str, model: dict = None) -> Config:
    cfg = Config.fromfile(CONFIG)
    if model is not None:
        cfg.model = dict(model, recognizer=cfg.recognizer)
    cfg.work_dir = work_dir
    cfg.experiment_name = name
    cfg.log_level = 'WARNING'
    cfg.train_cfg.max_iters = MAX_ITERS
    cfg.train_cfg.val_interval = 2
    cfg.param_scheduler = [
        dict(type='MultiStepLR', milestones=[3, 5], gamma=0.5,
             by_epoch=False)
    ]
    cfg.custom_hooks = cfg.custom_hooks + [
        dict(type='TrainLossPlateauHook', factor=0.5, patience=0,
             epoch_length=2)
    ]
    cfg.default_hooks.checkpoint = dict(
        type='AtomicCheckpointHook', interval=2, by_epoch=False,
        max_keep_ckpts=2)
    cfg.default_hooks.random_state = dict(type='RandomStateHook')
    return cfg


def _train(cfg: Config, resume: bool = False, crash_at: int = None):
    cfg.resume = resume
    runner = Runner.from_cfg(cfg)
    recorder = _Recorder()
    runner.register_hook(recorder, priority='VERY_HIGH')
    if crash_at is not None:
        runner.register_hook(_CrashAfter(crash_at), priority='LOWEST')
    try:
        runner.train()
    except _Crash:
        pass
    return runner, recorder.values


def _assert_same_state(runner_a: Runner, runner_b: Runner) -> None:
    state_a = unwrap_model(runner_a).state_dict()
    state_b = unwrap_model(runner_b).state_dict()
    assert state_a.keys() == state_b.keys()
    for key, value in state_a.items():
        assert torch.equal(value, state_b[key]), key
    optim_a = runner_a.optim_wrapper.state_dict()['state']
    optim_b = runner_b.optim_wrapper.state_dict()['state']
    assert optim_a.keys() == optim_b.keys()
    for key, value in optim_a.items():
        assert torch.equal(value['momentum_buffer'],
                           optim_b[key]['momentum_buffer'])
    assert runner_a.param_schedulers[0].state_dict() == \
        runner_b.param_schedulers[0].state_dict()


def _interrupted_and_full_runs(tmp_path, monkeypatch, tag: str,
                               model: dict = None, num_workers: int = 0,
                               seed_samples: bool = True):
    """An uninterrupted run and a run crashed at ``CRASH_AT`` and resumed.

    Returns:
        tuple: ``(full runner, full log, crashed log, resumed runner,
        resumed log)``.
    """
    monkeypatch.chdir(tmp_path)
    # yapf-formatting the config for every checkpoint's meta takes ~1.5 s;
    # the raw text does as well here
    monkeypatch.setattr(Config, 'pretty_text', property(lambda c: c.text))

    def config(work_dir: str, name: str) -> Config:
        cfg = _config(work_dir, f'{name}_{tag}', model)
        cfg.train_dataloader.num_workers = num_workers
        cfg.train_dataloader.sampler.seed_samples = seed_samples
        return cfg

    full, full_log = _train(config(f'full_{tag}', 'full'))
    _, crashed_log = _train(config(f'split_{tag}', 'part1'),
                            crash_at=CRASH_AT)
    assert max(crashed_log) == CRASH_AT
    with open(tmp_path / f'split_{tag}' / 'last_checkpoint') as f:
        assert f.read().endswith(f'iter_{CRASH_AT}.pth')
    resumed, resumed_log = _train(
        config(f'split_{tag}', 'part2'), resume=True)
    assert sorted(resumed_log) == list(range(CRASH_AT + 1, MAX_ITERS + 1))
    for step in range(1, CRASH_AT + 1):
        assert crashed_log[step] == full_log[step], step
    return full, full_log, crashed_log, resumed, resumed_log


@pytest.mark.parametrize('model', [None, ACL_MTL_MODEL],
                         ids=['semi_recognizer', 'acl_mtl'])
def test_resumed_run_equals_uninterrupted(model, tiny_recognition_data,
                                          tmp_path, monkeypatch):
    os.symlink(tiny_recognition_data, tmp_path / 'data')
    full, full_log, _, resumed, resumed_log = _interrupted_and_full_runs(
        tmp_path, monkeypatch, str(id(model)), model)

    for step in resumed_log:
        assert resumed_log[step] == full_log[step], step
    # the run is random enough for the comparison to mean something
    assert len({log['loss'] for log in full_log.values()}) == MAX_ITERS
    _assert_same_state(full, resumed)
    if model is not None:
        # bank, prototypes and GMM were in use when the run was interrupted
        state = unwrap_model(resumed)
        assert bool(state.memory_bank.valid.any())
        assert bool(state.reliability_gmm.group_fitted.all())
        assert full_log[CRASH_AT + 1]['unsup_loss_acl'] > 0


def test_resume_with_dataloader_workers(tiny_recognition_data, tmp_path,
                                        monkeypatch):
    """With 2 workers, per-sample seeds from the sampler's stream position
    make the resumed run exact; the workers' own generators (restarted from
    their worker seeds after the resume) do not."""
    os.symlink(tiny_recognition_data, tmp_path / 'data')
    full, full_log, _, resumed, resumed_log = _interrupted_and_full_runs(
        tmp_path, monkeypatch, 'seeded', num_workers=2)
    for step in resumed_log:
        assert resumed_log[step] == full_log[step], step
    _assert_same_state(full, resumed)

    _, full_log, _, _, resumed_log = _interrupted_and_full_runs(
        tmp_path, monkeypatch, 'unseeded', num_workers=2,
        seed_samples=False)
    assert resumed_log[CRASH_AT + 1]['loss'] != \
        full_log[CRASH_AT + 1]['loss']


def test_reseed_depends_only_on_seed_and_step():
    import random

    import numpy as np

    def draw():
        return (random.random(), float(np.random.rand()),
                float(torch.rand(())))

    reseed_generators(7, 3)
    first = draw()
    draw()  # history in between
    reseed_generators(7, 3)
    assert draw() == first
    reseed_generators(7, 4)
    assert draw() != first
    reseed_generators(8, 3)
    assert draw() != first


def test_validation_leaves_training_stream_alone():
    """after_val puts back the state of the iteration boundary."""

    class _Runner:
        seed, iter = 5, 2

    hook = RandomStateHook()
    hook._training = True
    reseed_generators(5, 2)
    expected = float(torch.rand(()))
    reseed_generators(5, 2)
    torch.rand(10)  # validation draws
    hook.after_val(_Runner())
    assert float(torch.rand(())) == expected


def test_sample_index_survives_wrappers_and_pickling():
    import pickle

    from mmssl.datasets.sample_seeding import SampleIndex, seed_sample

    index = SampleIndex(7, seed=3, position=11)
    for inner in (index - 5, index % 4, 2 + index, pickle.loads(
            pickle.dumps(index))):
        assert isinstance(inner, SampleIndex)
        assert (inner.seed, inner.position) == (3, 11)
    assert (index - 5, index % 4, int(pickle.loads(pickle.dumps(index)))) \
        == (2, 3, 7)
    seed_sample(3, 11)
    first = float(torch.rand(()))
    seed_sample(3, 11)
    assert float(torch.rand(())) == first
    seed_sample(3, 12)
    assert float(torch.rand(())) != first
