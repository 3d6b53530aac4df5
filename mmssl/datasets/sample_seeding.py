"""Augmentation randomness as a function of a sample's stream position.

Data-loader workers draw augmentations from their own generators, seeded by
MMEngine when the workers start. After a resume they start again from that
seed, so the batches after the resume are augmented differently from those
of an uninterrupted run, and which worker loads a sample changes what it
draws.

Instead, a sampler that knows where each index stands in its stream
(:class:`~mmssl.datasets.samplers.MultiSourceSampler`) yields
:class:`SampleIndex` objects: ints that also carry the sampler's seed and
the position. The DataLoader hands them unchanged to ``dataset[idx]``;
dataset wrappers map them to the inner dataset's index by arithmetic
(MMEngine's ``ConcatDataset`` subtracts an offset, ``RepeatDataset`` takes
a remainder), which :class:`SampleIndex` survives, and MMEngine's
``BaseDataset.get_data_info`` stores the index as ``sample_idx`` in the data
info. :class:`SampleSeedingPipeline`, installed around each dataset's
pipeline by the mmssl training loops, re-seeds Python's ``random``, NumPy
and torch from ``(seed, position)`` before the pipeline runs. What a
sample draws then depends on neither the history nor the worker.

Plain int indices (other samplers, or wrappers that map indices through a
lookup table) leave the generators alone: unchanged behaviour.
"""
import random
from typing import Any, Callable, Optional

import numpy as np
import torch

from .sample_source import leaf_datasets

#: Mixed into the seed so that sample ``p``'s stream differs from the one
#: :class:`~mmssl.engine.hooks.RandomStateHook` uses for iteration ``p``.
_SAMPLE_STREAM_TAG = 0x53414D50  # 'SAMP'


class SampleIndex(int):
    """A dataset index that knows its position in the sampler's stream.

    Arithmetic with plain ints (``+``, ``-``, ``%``), as dataset wrappers do
    to find the inner index, keeps ``seed`` and ``position``.

    Args:
        value (int): the index.
        seed (int): the sampler's seed.
        position (int): the position in the sampler's stream, unique over
            ranks and independent of the data-loader workers.
    """

    seed: int
    position: int

    def __new__(cls, value: int, seed: int, position: int) -> 'SampleIndex':
        index = super().__new__(cls, value)
        index.seed = int(seed)
        index.position = int(position)
        return index

    def _keep(self, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            return SampleIndex(value, self.seed, self.position)
        return value

    def __add__(self, other: Any) -> Any:
        return self._keep(int.__add__(self, other))

    def __radd__(self, other: Any) -> Any:
        return self._keep(int.__radd__(self, other))

    def __sub__(self, other: Any) -> Any:
        return self._keep(int.__sub__(self, other))

    def __mod__(self, other: Any) -> Any:
        return self._keep(int.__mod__(self, other))

    def __reduce__(self):
        # Sent to the workers through a pickling queue.
        return SampleIndex, (int(self), self.seed, self.position)

    def __repr__(self) -> str:
        return (f'SampleIndex({int(self)}, seed={self.seed}, '
                f'position={self.position})')


def seed_sample(seed: int, position: int) -> None:
    """Seed Python's ``random``, NumPy's global generator and torch from
    ``(seed, position)``.

    Args:
        seed (int): the sampler's seed.
        position (int): the sample's position in the sampler's stream.
    """
    state = np.random.SeedSequence(
        [seed % 2**63, int(position),
         _SAMPLE_STREAM_TAG]).generate_state(3, np.uint64)
    random.seed(int(state[0]))
    np.random.seed(int(state[1] >> np.uint64(32)))
    torch.manual_seed(int(state[2] >> np.uint64(1)))


class SampleSeedingPipeline:
    """A dataset pipeline that first re-seeds the generators from the
    sample's stream position, when its ``sample_idx`` carries one.

    Args:
        pipeline (Callable): the dataset's pipeline.
    """

    def __init__(self, pipeline: Callable[[dict], Any]) -> None:
        self.pipeline = pipeline

    def __call__(self, results: dict) -> Any:
        index = results.get('sample_idx')
        if isinstance(index, SampleIndex):
            seed_sample(index.seed, index.position)
        return self.pipeline(results)

    def __getattr__(self, name: str) -> Any:
        # Delegate e.g. ``dataset.pipeline.transforms``; never for
        # ``pipeline`` itself (absent while unpickling in a worker).
        if name == 'pipeline':
            raise AttributeError(name)
        return getattr(self.pipeline, name)

    def __repr__(self) -> str:
        return f'{type(self).__name__}({self.pipeline!r})'


def _find_wrapper(pipeline: Any, cls: type) -> Optional[Any]:
    """The ``cls`` instance in a chain of pipeline wrappers, if any."""
    while pipeline is not None:
        if isinstance(pipeline, cls):
            return pipeline
        pipeline = pipeline.__dict__.get('pipeline') if hasattr(
            pipeline, '__dict__') else None
    return None


def seed_samples_by_position(dataset: Any) -> None:
    """Wrap the pipeline of every dataset in ``dataset`` (wrappers
    included) in :class:`SampleSeedingPipeline`, once.

    Args:
        dataset (Dataset): a training dataset, possibly a wrapper.
    """
    for leaf in leaf_datasets(dataset):
        if _find_wrapper(leaf.pipeline, SampleSeedingPipeline) is None:
            leaf.pipeline = SampleSeedingPipeline(leaf.pipeline)
