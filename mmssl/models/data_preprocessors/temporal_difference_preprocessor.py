"""RGB-difference input (the "RGB diff" modality of TSN) for 3-D
recognizers."""
from typing import List, Tuple

import torch
from torch import Tensor

from mmaction.models import ActionDataPreprocessor
from mmaction.registry import MODELS
from mmaction.utils import SampleList


@MODELS.register_module()
class TemporalDifferencePreprocessor(ActionDataPreprocessor):
    """:class:`ActionDataPreprocessor` that feeds the network the
    differences of consecutive normalised frames of each clip.

    Static content (background, colours) cancels, so a small network trained
    from scratch sees motion first; with ``T`` frames per clip the network
    gets ``T - 1``. The normalisation ``mean`` cancels in the difference and
    ``std`` sets its scale. Only ``format_shape='NCTHW'``.

    Args:
        **kwargs: see :class:`ActionDataPreprocessor`.
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        if self.format_shape != 'NCTHW':
            raise ValueError('TemporalDifferencePreprocessor needs '
                             f"format_shape='NCTHW', got {self.format_shape!r}")

    def preprocess(self,
                   inputs: List[Tensor],
                   data_samples: SampleList,
                   training: bool = False) -> Tuple[Tensor, SampleList]:
        """Normalise as :class:`ActionDataPreprocessor`, then difference.

        Returns:
            tuple: ``B x L x C x (T - 1) x H x W`` differences and the data
            samples.
        """
        batch, data_samples = super().preprocess(inputs, data_samples,
                                                 training)
        return temporal_difference(batch), data_samples


def temporal_difference(clips: Tensor) -> Tensor:
    """Differences of consecutive frames along the time axis.

    Args:
        clips (Tensor): ``... x C x T x H x W`` with ``T >= 2``.

    Returns:
        Tensor: ``... x C x (T - 1) x H x W``, frame ``t + 1`` minus frame
        ``t``.
    """
    if clips.dim() < 4 or clips.shape[-3] < 2:
        raise ValueError('temporal differences need clips of shape '
                         '(..., C, T, H, W) with T >= 2, got '
                         f'{tuple(clips.shape)}')
    return torch.diff(clips, dim=-3)
