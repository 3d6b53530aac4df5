"""Random state as a function of the iteration, for exact resumption.

MMEngine seeds ``random``, NumPy and torch once, when the runner is built,
and saves no generator state in checkpoints: a resumed run draws different
augmentations, dropout masks and random crops from an uninterrupted one.
Instead of saving generator states (checkpoints are written by the main
process only, so other ranks' states would be lost),
:class:`RandomStateHook` re-seeds every generator at each iteration boundary
from ``(seed, iteration)``. What is drawn from then until the next boundary
(the model's dropout, validation, the next batch's augmentations when the
data loader has no workers and the sampler gives no per-sample seeds)
depends on nothing that came before, and a run resumed at iteration ``k``
starts from the very state the uninterrupted run had there.
"""
import random
from typing import Optional

import numpy as np
import torch
from mmengine.hooks import Hook
from mmengine.runner import Runner

from mmaction.registry import HOOKS


def reseed_generators(seed: int, step: int) -> None:
    """Seed Python's ``random``, NumPy's global generator and torch (CPU and
    every CUDA device) from ``(seed, step)``.

    The three seeds are drawn from one :class:`numpy.random.SeedSequence`, so
    different steps give independent streams.

    Args:
        seed (int): the run's seed.
        step (int): the iteration about to start.
    """
    state = np.random.SeedSequence([seed % 2**63,
                                    int(step)]).generate_state(3, np.uint64)
    random.seed(int(state[0]))
    np.random.seed(int(state[1] >> np.uint64(32)))
    # seeds all CUDA devices too (lazily, so no CUDA is needed)
    torch.manual_seed(int(state[2] >> np.uint64(1)))


@HOOKS.register_module()
class RandomStateHook(Hook):
    """Re-seed all random generators from ``(runner.seed, iteration)``.

    Re-seeds at the start of training (iteration 0, or the resumed
    iteration ``k``), after every training iteration (for iteration
    ``k + 1``) and after every validation during training (with the same
    key as before it, so validation leaves the training stream as it found
    it). Together with a sampler that resumes its stream
    (:class:`MultiSourceSampler` under :class:`SemiIterBasedTrainLoop`),
    a resumed run continues exactly like an uninterrupted one: on CPU the
    losses are equal bit for bit.

    Data-loader workers have their own generators, seeded by MMEngine from
    the worker's id when the iterator starts; after a resume they start
    again from that seed. With ``num_workers > 0`` exact augmentations need
    per-sample seeds: :class:`~mmssl.datasets.samplers.MultiSourceSampler`
    (``seed_samples=True``) lets the mmssl loops seed each sample's
    pipeline from its stream position
    (:mod:`mmssl.datasets.sample_seeding`).

    ``runner.seed`` includes the rank when ``randomness.diff_rank_seed`` is
    set, as in MMEngine; otherwise every rank draws the same stream.
    """

    priority = 'LOWEST'

    def __init__(self) -> None:
        self._training = False

    def before_train(self, runner: Runner) -> None:
        # After `Runner.resume` (which may re-seed) and after the train loop
        # has made its data iterators.
        self._training = True
        self._reseed(runner, runner.iter)

    def after_train_iter(self,
                         runner: Runner,
                         batch_idx: int,
                         data_batch: Optional[dict] = None,
                         outputs: Optional[dict] = None) -> None:
        self._reseed(runner, runner.iter + 1)

    def after_val(self, runner: Runner) -> None:
        if self._training:
            self._reseed(runner, runner.iter)

    def after_train(self, runner: Runner) -> None:
        self._training = False

    @staticmethod
    def _reseed(runner: Runner, step: int) -> None:
        reseed_generators(runner.seed, step)
