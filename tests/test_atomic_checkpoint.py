"""AtomicCheckpointHook: no half-written checkpoint, max_keep_ckpts kept."""
import os
import os.path as osp

import pytest
import torch
from mmengine.fileio import LocalBackend
from mmengine.model import BaseModel
from mmengine.runner import Runner
from torch.utils.data import Dataset

from mmssl.engine.hooks.atomic_checkpoint_hook import write_text_atomically


class ToyDataset(Dataset):

    def __len__(self) -> int:
        return 8

    def __getitem__(self, index: int) -> dict:
        x = torch.tensor([float(index), 1.0])
        return dict(inputs=x, labels=x.sum(0, keepdim=True))


class ToyModel(BaseModel):

    def __init__(self) -> None:
        super().__init__()
        self.linear = torch.nn.Linear(2, 1)

    def forward(self, inputs, labels=None, mode='tensor'):
        out = self.linear(inputs)
        if mode == 'loss':
            return dict(loss=((out - labels)**2).mean())
        return out


def build_runner(work_dir: str, max_iters: int, checkpoint: dict,
                 name: str, num_workers: int = 0) -> Runner:
    return Runner(
        model=ToyModel(),
        work_dir=work_dir,
        experiment_name=name,
        train_dataloader=dict(
            dataset=ToyDataset(),
            sampler=dict(type='InfiniteSampler', shuffle=False),
            batch_size=2,
            num_workers=num_workers,
            persistent_workers=num_workers > 0,
            collate_fn=dict(type='default_collate')),
        train_cfg=dict(by_epoch=False, max_iters=max_iters),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.01)),
        default_hooks=dict(checkpoint=checkpoint),
        default_scope='mmaction',
        log_level='WARNING')


def last_checkpoint(work_dir: str) -> str:
    with open(osp.join(work_dir, 'last_checkpoint')) as f:
        return f.read()


def checkpoint_iter(path: str) -> int:
    return torch.load(path, weights_only=False)['meta']['iter']


def crash_on_iter_4(mode: str, monkeypatch) -> None:
    """Make the write of the iteration-4 checkpoint fail half-way: while
    serialising (``'torch.save'``: some bytes written, then an error) or
    while writing to disk (``'disk'``: half the file, then an error)."""
    if mode == 'torch.save':
        save = torch.save

        def failing_save(obj, f, *args, **kwargs):
            if isinstance(obj, dict) and obj.get('meta', {}).get('iter') == 4:
                f.write(b'\x80\x02partial')
                raise RuntimeError('killed while serialising')
            return save(obj, f, *args, **kwargs)

        monkeypatch.setattr(torch, 'save', failing_save)
    else:
        put = LocalBackend.put

        def failing_put(self, obj, filepath):
            if 'iter_4' in str(filepath):
                with open(filepath, 'wb') as f:
                    f.write(obj[:len(obj) // 2])
                raise OSError('killed while writing')
            return put(self, obj, filepath)

        monkeypatch.setattr(LocalBackend, 'put', failing_put)


def test_max_keep_ckpts_and_last_checkpoint(tmp_path):
    work_dir = str(tmp_path)
    build_runner(
        work_dir, 5,
        dict(type='AtomicCheckpointHook', interval=1, by_epoch=False,
             max_keep_ckpts=2), 'keep').train()
    assert sorted(f for f in os.listdir(work_dir) if f.endswith('.pth')) \
        == ['iter_4.pth', 'iter_5.pth']
    assert not [f for f in os.listdir(work_dir) if f.endswith('.tmp')]
    assert last_checkpoint(work_dir) == osp.join(work_dir, 'iter_5.pth')
    assert checkpoint_iter(osp.join(work_dir, 'iter_5.pth')) == 5


@pytest.mark.parametrize('mode', ['torch.save', 'disk'])
def test_crash_during_write_keeps_previous_checkpoint(mode, tmp_path,
                                                      monkeypatch):
    work_dir = str(tmp_path)
    crash_on_iter_4(mode, monkeypatch)
    runner = build_runner(
        work_dir, 6,
        dict(type='AtomicCheckpointHook', interval=2, by_epoch=False,
             max_keep_ckpts=1), f'crash_{mode}')
    with pytest.raises((RuntimeError, OSError), match='killed'):
        runner.train()
    previous = osp.join(work_dir, 'iter_2.pth')
    assert last_checkpoint(work_dir) == previous
    assert checkpoint_iter(previous) == 2
    assert not osp.exists(osp.join(work_dir, 'iter_4.pth'))
    assert not osp.exists(osp.join(work_dir, 'iter_4.pth.tmp'))

    # the previous checkpoint resumes
    monkeypatch.undo()
    resumed = build_runner(
        work_dir, 6,
        dict(type='AtomicCheckpointHook', interval=2, by_epoch=False,
             max_keep_ckpts=1), f'resume_{mode}')
    resumed._resume = True
    resumed.train()
    assert checkpoint_iter(osp.join(work_dir, 'iter_6.pth')) == 6
    assert sorted(f for f in os.listdir(work_dir) if f.endswith('.pth')) \
        == ['iter_6.pth']


def test_mmengine_hook_loses_the_checkpoint_on_the_same_crash(
        tmp_path, monkeypatch):
    """Why the hook exists: MMEngine's hook deletes the previous checkpoint
    before writing and leaves the truncated file under its final name."""
    work_dir = str(tmp_path)
    crash_on_iter_4('disk', monkeypatch)
    runner = build_runner(
        work_dir, 6,
        dict(type='CheckpointHook', interval=2, by_epoch=False,
             max_keep_ckpts=1), 'plain')
    with pytest.raises(OSError):
        runner.train()
    assert not osp.exists(osp.join(work_dir, 'iter_2.pth'))
    assert osp.exists(osp.join(work_dir, 'iter_4.pth'))


def test_write_text_atomically_replaces_whole_file(tmp_path):
    path = str(tmp_path / 'last_checkpoint')
    write_text_atomically(path, 'a' * 100)
    write_text_atomically(path, 'b')
    with open(path) as f:
        assert f.read() == 'b'
    assert os.listdir(tmp_path) == ['last_checkpoint']


def _save_best(runner: Runner, hook, step: int, acc: float) -> None:
    """Validation at iteration ``step`` with accuracy ``acc``."""
    runner.train_loop._iter = step
    hook.after_val_epoch(runner, dict(acc=acc))


def _best_hook_runner(work_dir: str, hook_type: str, name: str):
    runner = build_runner(
        work_dir, 1,
        dict(type=hook_type, interval=100, by_epoch=False, save_best='acc',
             rule='greater'), name)
    hook = next(h for h in runner.hooks if type(h).__name__ == hook_type)
    hook.before_train(runner)
    return runner, hook


def test_save_best_is_atomic(tmp_path):
    work_dir = str(tmp_path)
    runner, hook = _best_hook_runner(work_dir, 'AtomicCheckpointHook',
                                     'best')
    def best_files():
        return [f for f in os.listdir(work_dir) if f.startswith('best')]

    _save_best(runner, hook, 2, 0.5)
    _save_best(runner, hook, 4, 0.4)  # worse: the best stays
    assert best_files() == ['best_acc_iter_2.pth']
    _save_best(runner, hook, 6, 0.7)
    assert best_files() == ['best_acc_iter_6.pth']
    assert checkpoint_iter(osp.join(work_dir, 'best_acc_iter_6.pth')) == 6
    assert not [f for f in os.listdir(work_dir) if f.endswith('.tmp')]


@pytest.mark.parametrize('hook_type',
                         ['AtomicCheckpointHook', 'CheckpointHook'])
def test_crash_during_best_write(hook_type, tmp_path, monkeypatch):
    """A failed write of a new best keeps the previous best (MMEngine's
    hook deletes it first and leaves a truncated file)."""
    work_dir = str(tmp_path)
    runner, hook = _best_hook_runner(work_dir, hook_type, hook_type)
    _save_best(runner, hook, 2, 0.5)
    put = LocalBackend.put

    def failing_put(self, obj, filepath):
        if 'best_acc_iter_4' in str(filepath):
            with open(filepath, 'wb') as f:
                f.write(obj[:len(obj) // 2])
            raise OSError('killed while writing')
        return put(self, obj, filepath)

    monkeypatch.setattr(LocalBackend, 'put', failing_put)
    with pytest.raises(OSError, match='killed'):
        _save_best(runner, hook, 4, 0.7)
    files = sorted(f for f in os.listdir(work_dir) if f.startswith('best'))
    if hook_type == 'CheckpointHook':
        assert files == ['best_acc_iter_4.pth']
        return
    assert files == ['best_acc_iter_2.pth']
    assert checkpoint_iter(osp.join(work_dir, 'best_acc_iter_2.pth')) == 2
