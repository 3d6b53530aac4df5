"""Iteration-based training loop for multi-source semi-supervised batches."""
from typing import Dict, List, Optional, Tuple, Union

from mmengine.logging import print_log
from mmengine.runner.loops import _InfiniteDataloaderIterator
from torch.utils.data import DataLoader

from mmaction.registry import LOOPS
from .guarded_loops import GuardedIterBasedTrainLoop


class _SkipFirst:
    """Iterator that answers its first ``count`` calls with ``None`` and then
    delegates; stands in for batches a resumed run has already trained on."""

    def __init__(self, iterator, count: int) -> None:
        self._iterator = iterator
        self._count = count

    def __iter__(self):
        return self

    def __next__(self):
        if self._count > 0:
            self._count -= 1
            return None
        return next(self._iterator)


@LOOPS.register_module()
class SemiIterBasedTrainLoop(GuardedIterBasedTrainLoop):
    """:class:`IterBasedTrainLoop` that knows the semi-supervised sampler.

    On top of MMEngine's loop:

    - The checks of :class:`~mmssl.engine.runner.TrainStepGuardMixin`:
      non-finite losses stop the run (or skip the step) naming the
      iteration, the loss terms and the batch's videos; unreadable videos
      are named and, with ``skip_bad_videos``, counted in the log.

    - ``max_epochs`` may replace ``max_iters``: an epoch is one pass over the
      reference source of the sampler (the last, unlabeled, by default), as
      the E2E-SSL code counts them.
    - The dataloader's ``batch_size`` must equal the sampler's; a mismatch
      would silently break the per-source proportions.
    - On resume, a sampler with ``skip()`` (:class:`MultiSourceSampler`)
      jumps straight to the next unseen batch instead of decoding every
      batch already trained on; the stream is the same either way.

    Args:
        runner (Runner): the runner.
        dataloader (DataLoader | dict): the training dataloader.
        max_iters (int, optional): total iterations.
        max_epochs (int, optional): total passes over the sampler's
            reference source; exactly one of the two must be given.
        val_begin (int): iteration of the first validation.
        val_interval (int): iterations between validations.
        dynamic_intervals (list[tuple[int, int]], optional): as MMEngine.
        nonfinite_loss (str): ``'raise'`` (default) or ``'skip'`` a step
            whose loss is NaN or infinite.
    """

    def __init__(self,
                 runner,
                 dataloader: Union[DataLoader, Dict],
                 max_iters: Optional[int] = None,
                 max_epochs: Optional[int] = None,
                 val_begin: int = 1,
                 val_interval: int = 1000,
                 dynamic_intervals: Optional[List[Tuple[int, int]]] = None,
                 nonfinite_loss: str = 'raise') -> None:
        if (max_iters is None) == (max_epochs is None):
            raise ValueError('train_cfg: give exactly one of `max_iters` and '
                             f'`max_epochs` (got {max_iters}, {max_epochs})')
        super().__init__(runner, dataloader, max_iters or 1, val_begin,
                         val_interval, dynamic_intervals,
                         nonfinite_loss=nonfinite_loss)
        sampler = self.dataloader.sampler
        sampler_batch = getattr(sampler, 'batch_size', None)
        if sampler_batch is not None and \
                sampler_batch != self.dataloader.batch_size:
            raise ValueError(
                f'train_dataloader.batch_size ({self.dataloader.batch_size}) '
                f'must equal train_dataloader.sampler.batch_size '
                f'({sampler_batch})')
        if max_epochs is not None:
            if not hasattr(sampler, 'epoch_length'):
                raise ValueError(
                    'train_cfg.max_epochs needs a sampler with epoch_length() '
                    f'(MultiSourceSampler); got {type(sampler).__name__}')
            self._max_iters = int(max_epochs) * sampler.epoch_length()

    def run(self):
        """Fast-forward a resumed run's sampler, then train."""
        sampler = self.dataloader.sampler
        if self._iter > 0 and hasattr(sampler, 'skip'):
            print_log(f'Resuming the sampler at batch {self._iter}',
                      logger='current')
            sampler.skip(self._iter)
            self.dataloader_iterator = _SkipFirst(
                _InfiniteDataloaderIterator(self.dataloader), self._iter)
        return super().run()
