"""Training loops that watch for non-finite losses and unreadable videos.

:class:`TrainStepGuardMixin` is shared by :class:`GuardedIterBasedTrainLoop`,
:class:`GuardedEpochBasedTrainLoop` (drop-in replacements of MMEngine's
loops for supervised configs) and
:class:`~mmssl.engine.runner.SemiIterBasedTrainLoop`. It works with any
MMEngine / MMAction2 model, wrapped for distributed training or not.
"""
import logging
from typing import Dict, List, Sequence, Union

import torch
from mmengine.dist import all_gather_object, all_reduce, get_rank, \
    is_distributed
from mmengine.logging import print_log
from mmengine.model import is_model_wrapper
from mmengine.runner import EpochBasedTrainLoop, IterBasedTrainLoop
from torch.utils.data import DataLoader

from mmaction.registry import LOOPS
from mmssl.datasets.sample_seeding import seed_samples_by_position
from mmssl.datasets.sample_source import (NAME_KEYS, SKIPPED_VIDEOS_KEY,
                                          data_samples_of, name_sample_sources)
from .loss_check import NonFiniteLossError, install_loss_check

#: Message hub keys (``train/<key>``) of the running counts; they appear in
#: every training log line once non-zero.
SKIPPED_STEPS_KEY = 'nonfinite_skipped'
SKIPPED_VIDEOS_LOG_KEY = 'skipped_videos'
NONFINITE_MODES = ('raise', 'skip')


def batch_video_names(data_batch: Union[dict, Sequence]) -> List[str]:
    """Names of the videos in a batch, each once, in batch order.

    Args:
        data_batch (dict | Sequence): a collated batch.

    Returns:
        list[str]: ``video_name`` (detection), else ``filename`` /
        ``frame_dir`` / ``video_id`` of each data sample;
        ``'<unnamed sample>'`` for a sample with none.
    """
    names = []
    for sample in data_samples_of(data_batch):
        meta = sample.metainfo
        name = next((str(meta[k]) for k in NAME_KEYS if k in meta),
                    '<unnamed sample>')
        if name not in names:
            names.append(name)
    return names


def batch_skipped_videos(data_batch: Union[dict, Sequence]) -> List[str]:
    """Unreadable videos that samples of this batch replaced.

    Args:
        data_batch (dict | Sequence): a collated batch.

    Returns:
        list[str]: their paths (see ``skip_bad_videos``).
    """
    return [
        path for sample in data_samples_of(data_batch)
        for path in sample.metainfo.get(SKIPPED_VIDEOS_KEY, ())
    ]


class TrainStepGuardMixin:
    """Checks around each training step.

    - Non-finite losses: a NaN or Inf loss term (checked on the parsed loss
      dict before backward) raises :class:`NonFiniteLossError` naming the
      iteration, the terms, the rank and the batch's videos
      (``nonfinite_loss='raise'``), or skips the step
      (``nonfinite_loss='skip'``: no backward, no optimizer step, the
      model's buffers such as BatchNorm statistics restored; the iteration
      still counts, hooks run with empty outputs, and a warning with the
      same details is logged). The number of skipped steps is logged as
      ``nonfinite_skipped``. All ranks decide together.
    - Augmentations: indices that carry their stream position
      (:class:`~mmssl.datasets.samplers.MultiSourceSampler`) seed each sample's
      pipeline from it, for exact resumes with data-loader workers.
    - Unreadable videos: a loading error names the sample's file; videos
      replaced by datasets with ``skip_bad_videos`` are counted over all
      ranks and workers, logged with their paths and as
      ``skipped_videos``.

    Args:
        nonfinite_loss (str): ``'raise'`` or ``'skip'``. Defaults to
            ``'raise'``.
    """

    def __init__(self, runner, dataloader: Union[DataLoader, Dict], *args,
                 nonfinite_loss: str = 'raise', **kwargs) -> None:
        if nonfinite_loss not in NONFINITE_MODES:
            raise ValueError(f'train_cfg.nonfinite_loss must be one of '
                             f'{NONFINITE_MODES}, got {nonfinite_loss!r}')
        self.nonfinite_loss = nonfinite_loss
        self.num_skipped_steps = 0
        self.num_skipped_videos = 0
        # The dataloader's workers are forked when its iterator is created
        # (in IterBasedTrainLoop.__init__): wrap the pipelines before that.
        if isinstance(dataloader, dict):
            diff_rank_seed = runner._randomness_cfg.get(
                'diff_rank_seed', False)
            dataloader = runner.build_dataloader(
                dataloader, seed=runner.seed, diff_rank_seed=diff_rank_seed)
        seed_samples_by_position(dataloader.dataset)
        name_sample_sources(dataloader.dataset)
        super().__init__(runner, dataloader, *args, **kwargs)

    def run(self):
        """Install the loss check and restore the counts, then train."""
        model = self.runner.model
        install_loss_check(model.module if is_model_wrapper(model) else model)
        hub = self.runner.message_hub
        self.num_skipped_steps = self._logged_count(hub, SKIPPED_STEPS_KEY)
        self.num_skipped_videos = self._logged_count(hub,
                                                     SKIPPED_VIDEOS_LOG_KEY)
        return super().run()

    @staticmethod
    def _logged_count(hub, key: str) -> int:
        """A count saved in the message hub (restored on resume)."""
        buffer = hub.log_scalars.get(f'train/{key}')
        return int(buffer.current()) if buffer is not None else 0

    def guarded_train_step(self, data_batch) -> dict:
        """``model.train_step`` with the checks above.

        Args:
            data_batch (dict | Sequence): the collated batch.

        Returns:
            dict: the step's log variables; empty for a skipped step.
        """
        self._count_skipped_videos(data_batch)
        model = self.runner.model
        module = model.module if is_model_wrapper(model) else model
        snapshot = ([b.detach().clone() for b in module.buffers()]
                    if self.nonfinite_loss == 'skip' else None)
        try:
            return model.train_step(
                data_batch, optim_wrapper=self.runner.optim_wrapper)
        except NonFiniteLossError as err:
            message = self._describe_nonfinite(err, data_batch)
            if self.nonfinite_loss == 'raise':
                raise NonFiniteLossError(
                    message + ' (train_cfg.nonfinite_loss=\'skip\' skips '
                    'such steps instead)', err.terms) from None
        with torch.no_grad():
            for buffer, saved in zip(module.buffers(), snapshot):
                buffer.copy_(saved)
        self.num_skipped_steps += 1
        print_log(
            f'{message}; step skipped (no backward, no optimizer step), '
            f'{self.num_skipped_steps} skipped so far',
            logger='current',
            level=logging.WARNING)
        self.runner.message_hub.update_scalar(f'train/{SKIPPED_STEPS_KEY}',
                                              self.num_skipped_steps)
        return {}

    def _describe_nonfinite(self, err: NonFiniteLossError,
                            data_batch) -> str:
        """Iteration, terms, rank and videos of a non-finite step; the
        reports of all ranks in a distributed run."""
        report = dict(
            rank=get_rank(),
            terms={k: v
                   for k, v in err.terms.items() if k != '<another rank>'},
            videos=batch_video_names(data_batch))
        reports = all_gather_object(report) if is_distributed() else [report]
        parts = []
        for item in reports:
            if not item['terms']:
                continue
            terms = ', '.join(f'{k}={v}' for k, v in item['terms'].items())
            where = f' on rank {item["rank"]}' if len(reports) > 1 else ''
            parts.append(f'{terms}{where}; batch videos: '
                         f'{", ".join(item["videos"])}')
        return (f'Non-finite loss at iteration {self.runner.iter + 1}: ' +
                ' | '.join(parts))

    def _count_skipped_videos(self, data_batch) -> None:
        """Add the videos this batch's samples replaced (all ranks) to the
        running count and log them."""
        paths = batch_skipped_videos(data_batch)
        count = len(paths)
        if is_distributed():
            total = torch.tensor([count], dtype=torch.int64)
            all_reduce(total)
            count = int(total.item())
        if count == 0:
            return
        self.num_skipped_videos += count
        where = f' on rank {get_rank()}' if is_distributed() else ''
        if paths:
            print_log(
                f'skip_bad_videos: iteration {self.runner.iter + 1}{where} '
                f'replaced unreadable video(s) {", ".join(paths)}; '
                f'{self.num_skipped_videos} replaced so far',
                logger='current',
                level=logging.WARNING)
        self.runner.message_hub.update_scalar(
            f'train/{SKIPPED_VIDEOS_LOG_KEY}', self.num_skipped_videos)


@LOOPS.register_module()
class GuardedIterBasedTrainLoop(TrainStepGuardMixin, IterBasedTrainLoop):
    """MMEngine's :class:`IterBasedTrainLoop` with the checks of
    :class:`TrainStepGuardMixin`.

    Args:
        runner (Runner): the runner.
        dataloader (DataLoader | dict): the training dataloader.
        max_iters (int): total iterations.
        val_begin (int): iteration of the first validation.
        val_interval (int): iterations between validations.
        dynamic_intervals (list[tuple[int, int]], optional): as MMEngine.
        nonfinite_loss (str): ``'raise'`` or ``'skip'``.
    """

    def run_iter(self, data_batch: Sequence[dict]) -> None:
        """One guarded training step (as MMEngine's, with the checks)."""
        self.runner.call_hook(
            'before_train_iter', batch_idx=self._iter, data_batch=data_batch)
        outputs = self.guarded_train_step(data_batch)
        self.runner.call_hook(
            'after_train_iter',
            batch_idx=self._iter,
            data_batch=data_batch,
            outputs=outputs)
        self._iter += 1


@LOOPS.register_module()
class GuardedEpochBasedTrainLoop(TrainStepGuardMixin, EpochBasedTrainLoop):
    """MMEngine's :class:`EpochBasedTrainLoop` with the checks of
    :class:`TrainStepGuardMixin`.

    Args:
        runner (Runner): the runner.
        dataloader (DataLoader | dict): the training dataloader.
        max_epochs (int): total epochs.
        val_begin (int): epoch of the first validation.
        val_interval (int): epochs between validations.
        dynamic_intervals (list[tuple[int, int]], optional): as MMEngine.
        nonfinite_loss (str): ``'raise'`` or ``'skip'``.
    """

    def run_iter(self, idx: int, data_batch: Sequence[dict]) -> None:
        """One guarded training step (as MMEngine's, with the checks)."""
        self.runner.call_hook(
            'before_train_iter', batch_idx=idx, data_batch=data_batch)
        outputs = self.guarded_train_step(data_batch)
        self.runner.call_hook(
            'after_train_iter',
            batch_idx=idx,
            data_batch=data_batch,
            outputs=outputs)
        self._iter += 1
