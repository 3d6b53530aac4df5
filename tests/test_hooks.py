import math
from types import SimpleNamespace

import pytest
import torch
from torch import nn

from mmssl.engine.hooks import MeanTeacherHook, RampUpHook, ramp_up


class TeacherStudent(nn.Module):

    def __init__(self):
        super().__init__()
        self.student = nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2))
        self.teacher = nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2))


def fake_runner(model, iteration=0, **kwargs):
    hub = SimpleNamespace(scalars={})
    hub.update_scalar = lambda k, v: hub.scalars.__setitem__(k, v)
    return SimpleNamespace(model=model, iter=iteration, message_hub=hub,
                           **kwargs)


def test_ema_arithmetic_and_copy_at_start():
    model = TeacherStudent()
    hook = MeanTeacherHook(momentum=0.25)
    hook.before_train(fake_runner(model, 0))
    for t, s in zip(model.teacher.state_dict().values(),
                    model.student.state_dict().values()):
        assert torch.equal(t, s)
    old_teacher = model.teacher[0].weight.detach().clone()
    with torch.no_grad():
        model.student[0].weight.add_(4.0)
        model.student[1].running_mean.fill_(8.0)
        model.student[1].num_batches_tracked.fill_(7)
    old_mean = model.teacher[1].running_mean.clone()
    hook.after_train_iter(fake_runner(model, 0), 0)
    expected = 0.75 * old_teacher + 0.25 * model.student[0].weight
    assert torch.allclose(model.teacher[0].weight, expected)
    assert torch.allclose(model.teacher[1].running_mean,
                          0.75 * old_mean + 0.25 * 8.0)
    assert model.teacher[1].num_batches_tracked.item() == 7


def test_resumed_run_keeps_its_teacher():
    model = TeacherStudent()
    before = model.teacher[0].weight.detach().clone()
    MeanTeacherHook().before_train(fake_runner(model, iteration=10))
    assert torch.equal(model.teacher[0].weight, before)


def test_skip_buffers_and_interval():
    model = TeacherStudent()
    hook = MeanTeacherHook(momentum=0.5, interval=2, skip_buffers=True)
    with torch.no_grad():
        model.student[1].running_mean.fill_(3.0)
    teacher_weight = model.teacher[0].weight.detach().clone()
    hook.after_train_iter(fake_runner(model, 0), 0)  # iteration 1: skipped
    assert torch.equal(model.teacher[0].weight, teacher_weight)
    hook.after_train_iter(fake_runner(model, 1), 1)  # iteration 2: update
    assert not torch.equal(model.teacher[0].weight, teacher_weight)
    assert torch.all(model.teacher[1].running_mean == 0)


def test_step_skipped_by_the_loop_leaves_the_teacher():
    model = TeacherStudent()
    hook = MeanTeacherHook(momentum=0.5)
    with torch.no_grad():
        model.student[0].weight.add_(1.0)
    teacher_weight = model.teacher[0].weight.detach().clone()
    hook.after_train_iter(fake_runner(model, 0), 0, outputs={})
    assert torch.equal(model.teacher[0].weight, teacher_weight)
    hook.after_train_iter(fake_runner(model, 0), 0,
                          outputs=dict(loss=torch.tensor(1.0)))
    assert not torch.equal(model.teacher[0].weight, teacher_weight)


def test_needs_teacher_and_student():
    with pytest.raises(AttributeError, match='teacher'):
        MeanTeacherHook().before_train(fake_runner(nn.Linear(1, 1)))
    with pytest.raises(ValueError, match='momentum'):
        MeanTeacherHook(momentum=0)


def test_ramp_values():
    assert ramp_up(0.0, 'exp') == pytest.approx(math.exp(-5))
    assert ramp_up(0.5, 'exp') == pytest.approx(math.exp(-1.25))
    assert ramp_up(1.0, 'exp') == 1.0
    assert ramp_up(2.0, 'exp') == 1.0
    assert ramp_up(0.25, 'linear') == 0.25
    assert ramp_up(0.5, 'cosine') == pytest.approx(0.5)
    assert ramp_up(0.0, 'cosine') == 0.0
    with pytest.raises(ValueError, match='ramp mode'):
        ramp_up(0.5, 'step')


def test_ramp_hook_by_iteration_and_by_epoch():
    model = nn.Linear(1, 1)
    hook = RampUpHook(length=10, mode='linear', begin=2)
    runner = fake_runner(model, iteration=7)
    hook.before_train_iter(runner, 0)
    assert model.ramp_weight == pytest.approx(0.5)
    assert runner.message_hub.scalars['train/ramp_weight'] == \
        pytest.approx(0.5)
    hook.before_train_iter(fake_runner(model, iteration=1), 0)
    assert model.ramp_weight == 0.0

    # E2E-SSL: w(e) = exp(-5 (1 - e/N)^2), e counted from 1, N = 100 epochs
    hook = RampUpHook(length=100, mode='exp', by_epoch=True, epoch_length=4)
    hook.before_train_iter(fake_runner(model, iteration=4 * 49 + 3), 0)
    assert model.ramp_weight == pytest.approx(math.exp(-5 * 0.5**2))


def test_train_loss_plateau_lowers_lr_after_patience():
    from mmssl.engine.hooks import TrainLossPlateauHook
    group = dict(lr=1.0)
    runner = fake_runner(nn.Linear(1, 1),
                         optim_wrapper=SimpleNamespace(param_groups=[group]))
    hook = TrainLossPlateauHook(factor=0.1, patience=2, epoch_length=2)
    # epoch losses: 5, 4 (better), then 4, 4 (no better: 1, 2), 4 -> lower
    losses = [5, 5, 4, 4, 4, 4, 4, 4, 4, 4]
    lrs = []
    for i, loss in enumerate(losses):
        runner.iter = i
        hook.after_train_iter(runner, i, outputs=dict(loss=torch.tensor(
            float(loss))))
        lrs.append(group['lr'])
    assert lrs[:9] == [1.0] * 9
    assert lrs[9] == pytest.approx(0.1)
    checkpoint = {}
    hook.before_save_checkpoint(runner, checkpoint)
    resumed = TrainLossPlateauHook(patience=2, epoch_length=2)
    resumed.after_load_checkpoint(runner, checkpoint)
    assert resumed.state == hook.state and resumed.state['best'] == 4.0
