"""Ramp a consistency weight from 0 to 1 over training."""
import math
from typing import Optional

from mmengine.hooks import Hook
from mmengine.runner import Runner

from mmaction.registry import HOOKS
from .mean_teacher_hook import unwrap_model

RAMP_MODES = ('exp', 'linear', 'cosine')


def ramp_up(progress: float, mode: str = 'exp') -> float:
    """Value in ``[0, 1]`` of a ramp-up at ``progress`` in ``[0, 1]``.

    Args:
        progress (float): fraction of the ramp done; clipped to ``[0, 1]``.
        mode (str): ``'exp'`` (``exp(-5 (1 - t)^2)``, Laine & Aila, used by
            the E2E-SSL paper), ``'linear'`` (``t``) or ``'cosine'``
            (``(1 - cos(pi t)) / 2``).

    Returns:
        float: the ramp weight; 1 at ``progress >= 1``.
    """
    t = min(max(float(progress), 0.0), 1.0)
    if mode == 'exp':
        return math.exp(-5.0 * (1.0 - t)**2)
    if mode == 'linear':
        return t
    if mode == 'cosine':
        return 0.5 * (1.0 - math.cos(math.pi * t))
    raise ValueError(f'ramp mode must be one of {RAMP_MODES}, got {mode!r}')


@HOOKS.register_module()
class RampUpHook(Hook):
    """Set ``model.ramp_weight`` before every training iteration.

    Progress is counted in iterations or in epochs. With ``by_epoch=True``,
    epochs are numbered from 1 as in the E2E-SSL code (``w(e) = exp(-5 (1 -
    e / N)^2)``); under an iteration-based loop an epoch is one pass over the
    unlabeled source as the :class:`MultiSourceSampler` defines it (or
    ``epoch_length`` iterations). The weight is logged as ``ramp_weight``.
    The model decides what the weight means (:class:`SemiBaseModel` scales
    its unsupervised losses by it).

    Args:
        length (int): iterations (or epochs) until the weight reaches 1.
        mode (str): ``'exp'``, ``'linear'`` or ``'cosine'``.
        begin (int): iteration (or epoch) at which the ramp starts; the
            weight is 0 before.
        by_epoch (bool): count epochs instead of iterations.
        epoch_length (int, optional): iterations per epoch for
            ``by_epoch=True`` under an iteration-based loop; taken from the
            sampler's ``epoch_length()`` when omitted.
    """

    priority = 'NORMAL'

    def __init__(self,
                 length: int,
                 mode: str = 'exp',
                 begin: int = 0,
                 by_epoch: bool = False,
                 epoch_length: Optional[int] = None) -> None:
        if length <= 0:
            raise ValueError(f'RampUpHook.length must be > 0, got {length}')
        ramp_up(0.0, mode)  # validates the mode at start-up
        self.length = length
        self.mode = mode
        self.begin = begin
        self.by_epoch = by_epoch
        self.epoch_length = epoch_length

    def before_train(self, runner: Runner) -> None:
        if self.by_epoch and self.epoch_length is None and \
                runner.train_loop.__class__.__name__ != 'EpochBasedTrainLoop':
            sampler = runner.train_dataloader.sampler
            if not hasattr(sampler, 'epoch_length'):
                raise ValueError(
                    'RampUpHook(by_epoch=True) under an iteration-based loop '
                    'needs `epoch_length`, or a sampler with epoch_length() '
                    f'(MultiSourceSampler); got {type(sampler).__name__}')
            self.epoch_length = sampler.epoch_length()

    def progress(self, runner: Runner) -> float:
        """Fraction of the ramp done at the coming iteration."""
        if not self.by_epoch:
            return (runner.iter - self.begin) / self.length
        if self.epoch_length is None:
            epoch = runner.epoch + 1
        else:
            epoch = runner.iter // self.epoch_length + 1
        return (epoch - self.begin) / self.length

    def before_train_iter(self,
                          runner: Runner,
                          batch_idx: int,
                          data_batch: Optional[dict] = None) -> None:
        progress = self.progress(runner)
        weight = ramp_up(progress, self.mode) if progress >= 0 else 0.0
        unwrap_model(runner).ramp_weight = weight
        runner.message_hub.update_scalar('train/ramp_weight', weight)
