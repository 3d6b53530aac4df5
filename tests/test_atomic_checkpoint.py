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
