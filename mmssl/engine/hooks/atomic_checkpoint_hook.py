"""Checkpoints that are never half-written.

MMEngine's :class:`~mmengine.hooks.CheckpointHook` writes ``iter_N.pth``
under its final name, deletes the oldest checkpoint *before* writing the new
one and rewrites ``last_checkpoint`` in place. A job killed during the write
(pre-emption, out of memory, node failure) can therefore leave a truncated
``iter_N.pth``, a ``last_checkpoint`` naming it, and, with
``max_keep_ckpts=1``, no usable checkpoint at all.

:class:`AtomicCheckpointHook` writes every checkpoint to ``<name>.tmp`` in the
same directory, flushes it to disk and ``os.replace``s it into place (an
atomic rename on POSIX file systems), then updates ``last_checkpoint`` the
same way, and only then deletes checkpoints beyond ``max_keep_ckpts``.

A subclass was chosen over wrapping ``mmengine.runner.checkpoint
.save_checkpoint`` because only the hook knows the order of
write / ``last_checkpoint`` / delete that has to change, and because it
changes nothing for runs that do not name it (no global patch).
"""
import os
import os.path as osp
from typing import Container, Optional

from mmengine.dist import is_main_process
from mmengine.fileio import LocalBackend
from mmengine.hooks import CheckpointHook
from mmengine.runner import Runner

from mmaction.registry import HOOKS

TMP_SUFFIX = '.tmp'


def _fsync_file(path: str) -> None:
    """Flush ``path``'s data to the disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: str) -> None:
    """Make a rename inside directory ``path`` durable; file systems that
    cannot fsync a directory are left as they are."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def replace_atomically(tmp_path: str, path: str) -> None:
    """Flush ``tmp_path`` and rename it to ``path`` in one step.

    Args:
        tmp_path (str): a complete file in the directory of ``path``.
        path (str): the final name; an existing file is replaced.
    """
    _fsync_file(tmp_path)
    os.replace(tmp_path, path)
    _fsync_dir(osp.dirname(osp.abspath(path)))


def write_text_atomically(path: str, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and a rename, so
    readers see either the old or the new content, never a mix."""
    tmp_path = path + TMP_SUFFIX
    with open(tmp_path, 'w') as f:
        f.write(text)
    replace_atomically(tmp_path, path)


def save_checkpoint_atomically(runner: Runner, out_dir: str, filename: str,
                               **kwargs) -> None:
    """``runner.save_checkpoint`` into ``<filename>.tmp``, then rename.

    Every rank must call it (as ``runner.save_checkpoint``); the main process
    writes. If writing fails, the temporary file is removed and the error
    re-raised: the final name is untouched.

    Args:
        runner (Runner): the runner.
        out_dir (str): a local directory.
        filename (str): the checkpoint's final file name.
        **kwargs: passed to :meth:`Runner.save_checkpoint`.
    """
    path = osp.join(out_dir, filename)
    tmp_path = path + TMP_SUFFIX
    try:
        runner.save_checkpoint(out_dir, filename + TMP_SUFFIX, **kwargs)
        if is_main_process():
            replace_atomically(tmp_path, path)
    except BaseException:
        if is_main_process() and osp.exists(tmp_path):
            os.remove(tmp_path)
        raise


class _AtomicSavingRunner:
    """A runner whose ``save_checkpoint`` is :func:`save_checkpoint_atomically`
    (handed to MMEngine's ``save_best`` code).

    Args:
        runner (Runner): the runner; every other attribute is its own.
    """

    def __init__(self, runner: Runner) -> None:
        self.runner = runner

    def save_checkpoint(self, out_dir: str, filename: str, **kwargs) -> None:
        save_checkpoint_atomically(self.runner, out_dir, filename, **kwargs)

    def __getattr__(self, name: str):
        return getattr(self.runner, name)


class _DeferredRemovalBackend(LocalBackend):
    """A local file backend that only records ``remove`` and ``rmtree``
    until :meth:`remove_pending`."""

    def __init__(self) -> None:
        super().__init__()
        self.pending = []

    def remove(self, filepath) -> None:
        self.pending.append(filepath)

    def rmtree(self, dir_path) -> None:
        self.pending.append(dir_path)

    def remove_pending(self, keep: Container = ()) -> None:
        """Delete the recorded files and directories that still exist,
        except those in ``keep``."""
        for path in self.pending:
            if path in keep:
                continue
            if self.isfile(path):
                super().remove(path)
            elif self.isdir(path):
                super().rmtree(path)
        self.pending = []


@HOOKS.register_module()
class AtomicCheckpointHook(CheckpointHook):
    """:class:`~mmengine.hooks.CheckpointHook` with crash-safe files.

    Same arguments and behaviour as MMEngine's hook (``interval``,
    ``max_keep_ckpts``, ``save_best``, ...); for local ``out_dir``:

    - ``iter_N.pth`` appears only complete (temporary file + rename);
    - ``last_checkpoint`` is replaced the same way, after the checkpoint;
    - outdated checkpoints are deleted after the new one is in place, so
      ``max_keep_ckpts`` files remain even if the write fails.

    - the best checkpoints of ``save_best`` are written the same way, and
      the previous best is deleted only after the new one is in place.

    Remote ``out_dir`` (object stores, whose uploads are atomic) keep
    MMEngine's behaviour.
    """

    def _save_best_checkpoint(self, runner: Runner, metrics: dict) -> None:
        """MMEngine's choice of the best checkpoint, with atomic writes and
        the deletion of the previous best deferred until after them."""
        if not isinstance(self.file_backend, LocalBackend):
            super()._save_best_checkpoint(runner, metrics)
            return
        backend = self.file_backend
        deferred = _DeferredRemovalBackend()
        self.file_backend = deferred
        try:
            super()._save_best_checkpoint(_AtomicSavingRunner(runner),
                                          metrics)
        finally:
            self.file_backend = backend
        # a best checkpoint rewritten under the same name stays
        # (one key indicator sets best_ckpt_path, several the dict)
        current = {getattr(self, 'best_ckpt_path', None),
                   *getattr(self, 'best_ckpt_path_dict', {}).values()}
        deferred.remove_pending(keep=current)

    def _save_checkpoint_with_step(self, runner: Runner, step: int,
                                   meta: dict) -> None:
        if not isinstance(self.file_backend, LocalBackend):
            super()._save_checkpoint_with_step(runner, step, meta)
            return
        if isinstance(runner, _AtomicSavingRunner):  # from save_best
            runner = runner.runner
        outdated = self._track_step(runner, step)
        filename = self.filename_tmpl.format(step)
        self.last_ckpt = self.file_backend.join_path(self.out_dir, filename)
        runner.message_hub.update_info('last_ckpt', self.last_ckpt)
        save_checkpoint_atomically(
            runner,
            self.out_dir,
            filename,
            file_client_args=self.file_client_args,
            save_optimizer=self.save_optimizer,
            save_param_scheduler=self.save_param_scheduler,
            meta=meta,
            by_epoch=self.by_epoch,
            backend_args=self.backend_args,
            **self.args)
        if not is_main_process():
            return
        write_text_atomically(
            osp.join(runner.work_dir, 'last_checkpoint'), self.last_ckpt)
        if outdated is not None:
            self._remove_step(outdated)

    def _track_step(self, runner: Runner, step: int) -> Optional[int]:
        """Record ``step`` among the kept checkpoints (in the message hub, so
        the checkpoint about to be written knows it).

        Returns:
            int | None: the step whose checkpoint falls out of
            ``max_keep_ckpts`` and is to be deleted once ``step`` is written.
        """
        if self.max_keep_ckpts <= 0 or (self.keep_ckpt_ids
                                        and self.keep_ckpt_ids[-1] == step):
            return None
        outdated = None
        if len(self.keep_ckpt_ids) == self.max_keep_ckpts:
            outdated = self.keep_ckpt_ids.popleft()
        self.keep_ckpt_ids.append(step)
        runner.message_hub.update_info('keep_ckpt_ids',
                                       list(self.keep_ckpt_ids))
        return outdated

    def _remove_step(self, step: int) -> None:
        """Delete the checkpoint file (or directory) of ``step``."""
        path = self.file_backend.join_path(self.out_dir,
                                           self.filename_tmpl.format(step))
        if self.file_backend.isfile(path):
            self.file_backend.remove(path)
        elif self.file_backend.isdir(path):
            self.file_backend.rmtree(path)
