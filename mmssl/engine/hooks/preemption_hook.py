"""Save a checkpoint and stop when the job is told it will be pre-empted.

Slurm (``--signal=USR1@120``, pre-emption, ``scancel``) and most cluster
schedulers send a signal some time before killing a job. The signal handler
only records the signal; after the current training iteration every rank
learns whether any rank got it (an all-reduce), they save one checkpoint
together through the run's checkpoint hook, so ``last_checkpoint`` names it
and ``--resume`` continues from it, and exit with :data:`PREEMPTION_EXIT_CODE`.

Slurm signals every process of the job step, data-loader workers included.
Workers forked after the hook is built inherit its handler and ignore
SIGUSR1. PyTorch gives its workers a SIGTERM handler of its own that kills
them; the hook then keeps the main process from aborting on that worker's
exit, which is enough unless the main process was waiting for that
worker's batch at that moment. Hence ``--signal=USR1@...`` for the early
notice in ``tools/slurm_train.sh``.
"""
import os
import os.path as osp
import signal
import threading
from typing import Dict, Optional, Sequence

import torch
from mmengine.dist import all_reduce, barrier, is_distributed, \
    is_main_process
from mmengine.hooks import CheckpointHook, Hook
from mmengine.logging import print_log
from mmengine.runner import Runner

from mmaction.registry import HOOKS
from .atomic_checkpoint_hook import (save_checkpoint_atomically,
                                     write_text_atomically)

# EX_TEMPFAIL of sysexits.h: "temporary failure, the user is invited to
# retry"; tools/slurm_train.sh resubmits on it.
PREEMPTION_EXIT_CODE = 75


def _signal_number(name) -> int:
    """``'SIGTERM'``, ``'TERM'`` or ``15`` -> the signal's number."""
    if isinstance(name, int):
        return int(name)
    name = str(name).upper()
    name = name if name.startswith('SIG') else 'SIG' + name
    if not hasattr(signal, name):
        raise ValueError(f'PreemptionHook: unknown signal {name!r}')
    return int(getattr(signal, name))


@HOOKS.register_module()
class PreemptionHook(Hook):
    """Checkpoint-and-exit on SIGTERM and SIGUSR1.

    The handlers are installed when the hook is built, before the data
    loaders fork their workers, so that workers inherit them and ignore
    SIGUSR1 (the main process decides; PyTorch replaces the workers' SIGTERM
    handler with one that kills them). Outside training (building, testing,
    after the last iteration) a signal goes to the handler that was
    installed before, i.e. it terminates the process as usual. During
    training, once a signal has been received, the exit of a child process
    (a data-loader worker killed by the same SIGTERM) no longer aborts the
    run. The previous handlers are put back after the run.

    After each training iteration (every ``check_interval``), the ranks
    all-reduce their flags; if any rank got a signal, all of them save a
    checkpoint of the iteration just finished through the run's
    iteration-based :class:`~mmengine.hooks.CheckpointHook` (unless it has
    just saved that iteration), wait for each other and raise
    ``SystemExit(exit_code)``. Without such a hook the checkpoint
    ``iter_<n>.pth`` is written to the work directory and named in its
    ``last_checkpoint``. A signal received during validation is acted on
    after the next training iteration.

    Args:
        signals (Sequence[str | int]): signals that request the stop.
            Defaults to ``('SIGTERM', 'SIGUSR1')``.
        exit_code (int): exit status after the checkpoint is written.
            Defaults to :data:`PREEMPTION_EXIT_CODE` (75).
        check_interval (int): iterations between checks of the flag (each
            check is one all-reduce of a scalar in distributed runs).
    """

    priority = 'LOWEST'

    def __init__(self,
                 signals: Sequence = ('SIGTERM', 'SIGUSR1'),
                 exit_code: int = PREEMPTION_EXIT_CODE,
                 check_interval: int = 1) -> None:
        if check_interval < 1:
            raise ValueError('PreemptionHook.check_interval must be >= 1, '
                             f'got {check_interval}')
        self.signals = [_signal_number(s) for s in signals]
        self.exit_code = int(exit_code)
        self.check_interval = check_interval
        self.received: Optional[int] = None
        self._armed = False
        self._owner_pid = os.getpid()
        self._previous: Dict[int, object] = {}
        self._previous_sigchld = None
        self._install()

    # signal handling -----------------------------------------------------
    def _install(self) -> None:
        """Install the handler for :attr:`signals` (main thread only)."""
        if threading.current_thread() is not threading.main_thread():
            print_log(
                'PreemptionHook: not in the main thread, signal handlers '
                'not installed; pre-emption will not save a checkpoint',
                logger='current')
            return
        for signum in self.signals:
            self._previous[signum] = signal.signal(signum, self._handle)

    def _restore(self) -> None:
        """Put back the handlers found at installation."""
        for signum, previous in self._previous.items():
            if signal.getsignal(signum) == self._handle:
                signal.signal(signum, previous)
        self._previous = {}
        if self._previous_sigchld is not None and \
                signal.getsignal(signal.SIGCHLD) == self._on_child_exit:
            signal.signal(signal.SIGCHLD, self._previous_sigchld)
        self._previous_sigchld = None

    def _handle(self, signum: int, frame) -> None:
        if os.getpid() != self._owner_pid:
            return  # a forked data-loader worker: the main process decides
        if self._armed:
            self.received = signum
            return
        self._delegate(signum, frame)

    def _delegate(self, signum: int, frame) -> None:
        """Act on ``signum`` as the previously installed handler would."""
        previous = self._previous.get(signum, signal.SIG_DFL)
        if callable(previous):
            previous(signum, frame)
        elif previous != signal.SIG_IGN:
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)

    # hook points ----------------------------------------------------------
    def _on_child_exit(self, signum: int, frame) -> None:
        """SIGCHLD: after a stop signal, a worker that died of it must not
        abort the iteration that is about to be saved."""
        if self.received is not None:
            return
        previous = self._previous_sigchld
        if callable(previous):
            previous(signum, frame)

    def before_train(self, runner: Runner) -> None:
        self.received = None
        self._armed = True
        if self._previous and self._previous_sigchld is None:
            # after the train loop's workers exist, so on top of PyTorch's
            # SIGCHLD handler (which raises if a worker died)
            self._previous_sigchld = signal.signal(signal.SIGCHLD,
                                                   self._on_child_exit)

    def after_train_iter(self,
                         runner: Runner,
                         batch_idx: int,
                         data_batch: Optional[dict] = None,
                         outputs: Optional[dict] = None) -> None:
        if (runner.iter + 1) % self.check_interval:
            return
        if not self.stop_requested():
            return
        step = runner.iter + 1
        print_log(
            f'PreemptionHook: signal received, saving a checkpoint of '
            f'iteration {step} and exiting with status {self.exit_code}',
            logger='current')
        self._armed = False
        self.save(runner)
        barrier()
        raise SystemExit(self.exit_code)

    def after_train(self, runner: Runner) -> None:
        self._armed = False

    def after_run(self, runner: Runner) -> None:
        self._armed = False
        self._restore()

    # actions ----------------------------------------------------------------
    def stop_requested(self) -> bool:
        """Whether this or any other rank received a signal (collective in
        distributed runs: every rank must call it)."""
        flag = torch.tensor(0 if self.received is None else 1)
        if is_distributed():
            all_reduce(flag, op='max')
        return bool(flag.item())

    def save(self, runner: Runner) -> None:
        """Checkpoint the iteration just finished, on every rank."""
        step = runner.iter + 1
        hook = self._checkpoint_hook(runner)
        if hook is not None:
            if hook.last_ckpt is None or osp.basename(
                    hook.last_ckpt) != hook.filename_tmpl.format(step):
                hook._save_checkpoint(runner)
            return
        filename = f'iter_{step}.pth'
        save_checkpoint_atomically(
            runner, runner.work_dir, filename,
            meta=dict(epoch=runner.epoch, iter=step), by_epoch=False)
        if is_main_process():
            write_text_atomically(
                osp.join(runner.work_dir, 'last_checkpoint'),
                osp.join(runner.work_dir, filename))

    @staticmethod
    def _checkpoint_hook(runner: Runner) -> Optional[CheckpointHook]:
        """The run's iteration-based checkpoint hook, if any."""
        for hook in runner.hooks:
            if isinstance(hook, CheckpointHook) and not hook.by_epoch:
                return hook
        return None
