"""Batches with a fixed number of samples from each source dataset."""
import itertools
from typing import Iterator, List, Sequence, Sized

import numpy as np
from mmengine.dist import get_dist_info, sync_random_seed
from torch.utils.data import Sampler

from mmaction.registry import DATA_SAMPLERS
from ..sample_seeding import SampleIndex


@DATA_SAMPLERS.register_module()
class MultiSourceSampler(Sampler):
    """Infinite sampler whose every batch mixes the sources in fixed numbers.

    Use it over a :class:`~mmengine.dataset.ConcatDataset` (e.g. labeled +
    unlabeled) with an iteration-based loop, and give the dataloader the same
    ``batch_size``. Each batch of ``batch_size`` consecutive indices holds
    ``batch_size * r_i / sum(source_ratio)`` samples of source ``i``, sources
    in order (the model tells them apart by their branches or fields).

    Each source has its own infinite stream: a seeded permutation of the
    source per pass, passes concatenated. Rank ``r`` of ``W`` takes the
    elements ``r, r + W, r + 2W, ...`` of every stream, so within a pass each
    sample goes to exactly one rank, and every rank keeps the ratio. The
    stream is a pure function of ``(seed, position)``: :meth:`skip` jumps to
    any batch in O(1), which a resumed run uses to continue the same stream.

    With ``seed_samples`` (the default) the indices are
    :class:`~mmssl.datasets.sample_seeding.SampleIndex` objects carrying the
    seed and their position in the stream, so that the mmssl training loops
    draw each sample's augmentations from ``(seed, position)``: the same
    after a resume and in whichever data-loader worker loads it.

    Args:
        dataset (ConcatDataset): the sources (MMEngine's or torch's
            ``ConcatDataset``).
        batch_size (int): samples per batch on each rank; must equal the
            dataloader's ``batch_size``.
        source_ratio (list[int]): relative share of each source in a batch,
            e.g. ``[1, 1]``; ``batch_size * r_i / sum(source_ratio)`` must be
            a positive integer for every source.
        shuffle (bool): permute each pass; otherwise the natural order.
        seed (int, optional): random seed; synchronised across ranks when
            ``None``.
        seed_samples (bool): yield indices that carry their stream
            position, for per-sample augmentation seeds. Defaults to True.
    """

    def __init__(self,
                 dataset: Sized,
                 batch_size: int,
                 source_ratio: List[int],
                 shuffle: bool = True,
                 seed: int = None,
                 seed_samples: bool = True) -> None:
        if not hasattr(dataset, 'cumulative_sizes'):
            raise TypeError(
                'MultiSourceSampler needs a ConcatDataset of the sources '
                f'(train_dataloader.dataset), got {type(dataset).__name__}')
        if len(source_ratio) != len(dataset.cumulative_sizes):
            raise ValueError(
                f'train_dataloader.sampler.source_ratio {source_ratio} has '
                f'{len(source_ratio)} entries for '
                f'{len(dataset.cumulative_sizes)} source datasets')
        self.num_per_source = self._split_batch(batch_size, source_ratio)
        self.rank, self.world_size = get_dist_info()
        self.dataset = dataset
        self.batch_size = batch_size
        self.source_ratio = list(source_ratio)
        self.shuffle = shuffle
        self.seed = sync_random_seed() if seed is None else seed
        self.seed_samples = seed_samples
        self.offsets = [0] + list(dataset.cumulative_sizes[:-1])
        self.source_sizes = [
            end - start
            for start, end in zip(self.offsets, dataset.cumulative_sizes)
        ]
        for i, size in enumerate(self.source_sizes):
            if size == 0:
                raise ValueError(f'source dataset {i} of the MultiSource'
                                 'Sampler is empty')
        self._start_batch = 0

    @staticmethod
    def _split_batch(batch_size: int, source_ratio: Sequence[int]
                     ) -> List[int]:
        total = sum(source_ratio)
        if any(r <= 0 for r in source_ratio) or any(
                batch_size * r % total for r in source_ratio):
            raise ValueError(
                f'train_dataloader.sampler.source_ratio {list(source_ratio)} '
                f'does not fit batch_size {batch_size}: every '
                'batch_size * ratio / sum(ratio) must be a positive integer')
        return [batch_size * r // total for r in source_ratio]

    def _permutation(self, source: int, pass_index: int) -> np.ndarray:
        size = self.source_sizes[source]
        if not self.shuffle:
            return np.arange(size)
        rng = np.random.default_rng([self.seed, source, pass_index])
        return rng.permutation(size)

    def _source_stream(self, source: int, start: int) -> Iterator[int]:
        """Global indices of one source for this rank, from its ``start``-th
        element on."""
        size = self.source_sizes[source]
        cached_pass, permutation = -1, None
        for j in itertools.count(start):
            position = self.rank + j * self.world_size
            pass_index = position // size
            if pass_index != cached_pass:
                cached_pass = pass_index
                permutation = self._permutation(source, pass_index)
            yield self.offsets[source] + int(permutation[position % size])

    def _mixed_stream(self) -> Iterator[int]:
        """Global indices of this rank, batch after batch, from batch
        ``_start_batch`` on."""
        streams = [
            self._source_stream(s, self._start_batch * n)
            for s, n in enumerate(self.num_per_source)
        ]
        while True:
            for stream, n in zip(streams, self.num_per_source):
                yield from itertools.islice(stream, n)

    def _with_positions(self, indices: Iterator[int]) -> Iterator[int]:
        """``indices`` as :class:`SampleIndex` objects with their position
        in the stream (unique over ranks: rank ``r`` of ``W`` holds
        ``r, r + W, r + 2W, ...``)."""
        start = self._start_batch * self.batch_size
        for step, index in enumerate(indices, start):
            position = step * self.world_size + self.rank
            yield SampleIndex(index, self.seed, position)

    def __iter__(self) -> Iterator[int]:
        indices = self._mixed_stream()
        return self._with_positions(indices) if self.seed_samples \
            else indices

    def skip(self, num_batches: int) -> None:
        """Make the next iteration start at batch ``num_batches`` of this
        rank's stream (used to resume)."""
        self._start_batch = int(num_batches)

    def epoch_length(self, source: int = -1) -> int:
        """Batches (per rank) in one pass over ``source``.

        Args:
            source (int): index of the source; the last one (the unlabeled
                set in the usual ``[labeled, unlabeled]`` order) by default.

        Returns:
            int: ``ceil(len(source) / (num_per_batch * world_size))``.
        """
        per_step = self.num_per_source[source] * self.world_size
        return -(-self.source_sizes[source] // per_step)

    def __len__(self) -> int:
        # Infinite; the length of one pass over the largest source is what
        # progress displays need.
        return max(
            self.epoch_length(s)
            for s in range(len(self.source_sizes))) * self.batch_size
