"""PreemptionHook: SIGTERM -> checkpoint of the finished iteration -> exit 75
-> ``--resume`` continues from it."""
import os
import os.path as osp
import re
import signal
import socket
import subprocess
import sys
import time

import pytest
import torch
import torch.distributed as torch_dist
import torch.multiprocessing as mp
from mmengine.hooks import Hook

from conftest import REPO_ROOT, run_tool
from mmssl.engine.hooks import PREEMPTION_EXIT_CODE, PreemptionHook
from test_atomic_checkpoint import build_runner, checkpoint_iter, \
    last_checkpoint

CONFIG = osp.join(REPO_ROOT, 'tests/data/configs/tiny_semi_recognizer.py')


class _SignalAt(Hook):
    """Send ``signum`` to this process during iteration ``step``."""

    priority = 'VERY_HIGH'

    def __init__(self, step: int, signum: int = signal.SIGTERM) -> None:
        self.step = step
        self.signum = signum

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None) -> None:
        if runner.iter + 1 == self.step:
            os.kill(os.getpid(), self.signum)


def _train_until_signal(work_dir, step, checkpoint, signum=signal.SIGTERM):
    previous = signal.getsignal(signum)
    runner = build_runner(work_dir, 10, checkpoint, f'preempt_{step}')
    hook = PreemptionHook()
    runner.register_hook(hook)
    runner.register_hook(_SignalAt(step, signum))
    saves = []
    save = runner.save_checkpoint

    def counting_save(out_dir, filename, *args, **kwargs):
        saves.append(filename)
        return save(out_dir, filename, *args, **kwargs)

    runner.save_checkpoint = counting_save
    with pytest.raises(SystemExit) as exit_info:
        runner.train()
    assert exit_info.value.code == PREEMPTION_EXIT_CODE
    hook.after_run(runner)
    assert signal.getsignal(signum) == previous
    return saves


@pytest.mark.parametrize('signum', [signal.SIGTERM, signal.SIGUSR1])
def test_signal_saves_the_finished_iteration(signum, tmp_path):
    work_dir = str(tmp_path)
    saves = _train_until_signal(
        work_dir, 3,
        dict(type='AtomicCheckpointHook', interval=4, by_epoch=False),
        signum)
    assert saves == ['iter_3.pth.tmp']
    assert last_checkpoint(work_dir) == osp.join(work_dir, 'iter_3.pth')
    assert checkpoint_iter(osp.join(work_dir, 'iter_3.pth')) == 3


def test_no_second_save_when_the_checkpoint_hook_just_saved(tmp_path):
    saves = _train_until_signal(
        str(tmp_path), 4,
        dict(type='AtomicCheckpointHook', interval=4, by_epoch=False))
    assert saves == ['iter_4.pth.tmp']


def test_without_checkpoint_hook_saves_to_work_dir(tmp_path):
    work_dir = str(tmp_path)
    _train_until_signal(work_dir, 2, None)
    assert last_checkpoint(work_dir) == osp.join(work_dir, 'iter_2.pth')
    assert checkpoint_iter(osp.join(work_dir, 'iter_2.pth')) == 2


def test_outside_training_the_previous_handler_runs():
    calls = []
    previous = signal.signal(signal.SIGUSR1, lambda *a: calls.append(a[0]))
    try:
        hook = PreemptionHook(signals=['USR1'])
        os.kill(os.getpid(), signal.SIGUSR1)
        assert calls == [signal.SIGUSR1] and hook.received is None
        hook.before_train(None)
        os.kill(os.getpid(), signal.SIGUSR1)
        assert calls == [signal.SIGUSR1]
        assert hook.received == signal.SIGUSR1
        hook.after_run(None)
    finally:
        signal.signal(signal.SIGUSR1, previous)


def _process_state(pid: int) -> str:
    """``'Z'`` for a dead, unreaped process (read from /proc, without
    reaping it as ``Process.is_alive`` would)."""
    with open(f'/proc/{pid}/stat') as f:
        return f.read().rsplit(')', 1)[1].split()[0]


class _SignalWorkersAt(Hook):
    """During iteration ``step``: send ``signum`` to this process, then to
    the data-loader workers, and give them time to handle it."""

    priority = 'VERY_HIGH'

    def __init__(self, step: int, signum: int) -> None:
        self.step = step
        self.signum = signum
        self.alive = None

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None) -> None:
        if runner.iter + 1 != self.step:
            return
        os.kill(os.getpid(), self.signum)
        pids = [worker.pid for worker in
                runner.train_loop.dataloader_iterator._iterator._workers]
        # from another process, as Slurm's (PyTorch's workers exit quietly
        # on a SIGTERM from their parent)
        subprocess.run(['kill', f'-{self.signum}'] + [str(p) for p in pids],
                       check=True)
        deadline = time.time() + 2
        while time.time() < deadline and \
                any(_process_state(pid) != 'Z' for pid in pids):
            time.sleep(0.05)
        self.alive = [_process_state(pid) != 'Z' for pid in pids]


@pytest.mark.parametrize('signum', [signal.SIGUSR1, signal.SIGTERM])
def test_signalled_workers(signum, tmp_path):
    """Slurm signals the workers too. They ignore SIGUSR1 (inherited
    handler); PyTorch's SIGTERM handler kills them, which must not abort the
    iteration being saved."""
    runner = build_runner(
        str(tmp_path), 10,
        dict(type='AtomicCheckpointHook', interval=100, by_epoch=False),
        f'workers_{signum}', num_workers=1)
    hook = PreemptionHook()
    signaller = _SignalWorkersAt(2, signum)
    runner.register_hook(hook)
    runner.register_hook(signaller)
    try:
        with pytest.raises(SystemExit) as exit_info:
            runner.train()
    finally:
        # what the exiting process would do: stop the workers
        runner.train_loop.dataloader_iterator._iterator._shutdown_workers()
        hook.after_run(runner)
    assert exit_info.value.code == PREEMPTION_EXIT_CODE
    assert signaller.alive == [signum == signal.SIGUSR1]
    assert checkpoint_iter(last_checkpoint(str(tmp_path))) == 2


def _rank_main(rank: int, port: int, results) -> None:
    torch_dist.init_process_group(
        'gloo', init_method=f'tcp://127.0.0.1:{port}', rank=rank,
        world_size=2)
    hook = PreemptionHook(signals=[])
    first = hook.stop_requested()
    if rank == 1:
        hook.received = signal.SIGTERM
    results.put((rank, first, hook.stop_requested()))
    torch_dist.destroy_process_group()


def test_ranks_agree_when_one_rank_is_signalled():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        port = s.getsockname()[1]
    ctx = mp.get_context('fork')
    results = ctx.Queue()
    procs = [
        ctx.Process(target=_rank_main, args=(rank, port, results))
        for rank in range(2)
    ]
    for proc in procs:
        proc.start()
    outcome = sorted(results.get(timeout=60) for _ in procs)
    for proc in procs:
        proc.join(timeout=30)
        assert proc.exitcode == 0
    assert outcome == [(0, False, True), (1, False, True)]


def test_sigterm_to_train_tool_then_resume(tiny_recognition_data, tmp_path):
    """The process group gets SIGTERM (as from Slurm); the run saves, exits
    75, and ``--resume`` continues from the saved iteration."""
    os.symlink(tiny_recognition_data, tmp_path / 'data')
    work_dir = str(tmp_path / 'work')
    train = osp.join(REPO_ROOT, 'tools/train.py')
    options = [
        'default_hooks.checkpoint.type=AtomicCheckpointHook',
        'default_hooks.checkpoint.interval=1000',
        'default_hooks.preemption.type=PreemptionHook'
    ]
    env = dict(os.environ, PYTHONPATH=REPO_ROOT, OMP_NUM_THREADS='1',
               PYTHONUNBUFFERED='1')
    proc = subprocess.Popen(
        [sys.executable, train, CONFIG, '--work-dir', work_dir,
         '--no-validate', '--cfg-options', 'train_cfg.max_iters=500'] +
        options,
        cwd=str(tmp_path), env=env, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True, start_new_session=True)
    log = []
    deadline = time.time() + 300
    try:
        for line in proc.stdout:
            log.append(line)
            match = re.search(r'Iter\(train\)\s*\[\s*(\d+)/500\]', line)
            if match and int(match.group(1)) >= 2:
                os.killpg(proc.pid, signal.SIGTERM)
                break
            assert time.time() < deadline, ''.join(log[-50:])
        out, _ = proc.communicate(timeout=300)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    log = ''.join(log) + out
    assert proc.returncode == PREEMPTION_EXIT_CODE, log[-4000:]
    assert 'PreemptionHook: signal received' in log
    checkpoint = last_checkpoint(work_dir)
    step = checkpoint_iter(checkpoint)
    assert step >= 2 and checkpoint == osp.join(work_dir, f'iter_{step}.pth')

    proc = run_tool(
        [train, CONFIG, '--work-dir', work_dir, '--no-validate', '--resume',
         '--cfg-options', f'train_cfg.max_iters={step + 1}'] + options,
        cwd=str(tmp_path))
    log = proc.stdout + proc.stderr
    assert f'Resuming the sampler at batch {step}' in log
    assert checkpoint_iter(osp.join(work_dir, f'iter_{step + 1}.pth')) == \
        step + 1


FAKE_SRUN = """#!/usr/bin/env bash
# records its arguments; exits with the next code of $FAKE_CODES
echo "$*" >> "$FAKE_LOG"
n=$(wc -l < "$FAKE_LOG")
code=$(echo $FAKE_CODES | cut -d' ' -f"$n")
mkdir -p "$FAKE_WORK_DIR" && touch "$FAKE_WORK_DIR/last_checkpoint"
exit "$code"
"""
FAKE_SCONTROL = """#!/usr/bin/env bash
echo "scontrol $*" >> "$FAKE_LOG"
"""


def _slurm_train(tmp_path, codes, extra_env=None, args=()):
    bin_dir = tmp_path / 'bin'
    bin_dir.mkdir()
    for name, text in (('srun', FAKE_SRUN), ('scontrol', FAKE_SCONTROL)):
        (bin_dir / name).write_text(text)
        (bin_dir / name).chmod(0o755)
    work_dir = str(tmp_path / 'work')
    log = tmp_path / 'calls.log'
    env = dict(os.environ, PATH=f'{bin_dir}:{os.environ["PATH"]}',
               FAKE_LOG=str(log), FAKE_CODES=' '.join(map(str, codes)),
               FAKE_WORK_DIR=work_dir)
    env.pop('SLURM_JOB_ID', None)
    env.update(extra_env or {})
    proc = subprocess.run(
        ['bash', osp.join(REPO_ROOT, 'tools/slurm_train.sh'), 'part', 'job',
         'cfg.py', work_dir, *args], env=env, capture_output=True,
        text=True, timeout=60)
    return proc.returncode, log.read_text().splitlines()


def test_slurm_train_runs_again_with_resume_after_preemption(tmp_path):
    code, calls = _slurm_train(tmp_path, [75, 75, 0], args=['--amp'])
    assert code == 0 and len(calls) == 3
    assert all('--signal=USR1@120' in c and '--launcher=slurm' in c
               and c.endswith('--amp') for c in calls)
    assert '--resume' not in calls[0]
    assert all('--resume --amp' in c for c in calls[1:])


def test_slurm_train_requeues_a_batch_job(tmp_path):
    code, calls = _slurm_train(tmp_path, [75],
                               extra_env=dict(SLURM_JOB_ID='4242'))
    assert code == 0
    assert calls[1:] == ['scontrol requeue 4242']


def test_slurm_train_passes_other_failures_on(tmp_path):
    code, calls = _slurm_train(tmp_path, [3, 0])
    assert code == 3 and len(calls) == 1
