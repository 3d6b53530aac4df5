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

    With ``with_rgb=True`` the frames are kept and the differences appended
    as channels (``2C x T``, the first frame's difference 0), so per-frame
    outputs such as detection masks keep the clip's length; the network's
    first layer then takes ``2C`` channels.

    Args:
        with_rgb (bool): keep the frames, append the differences.
        **kwargs: see :class:`ActionDataPreprocessor`.
    """

    def __init__(self, with_rgb: bool = False, **kwargs) -> None:
        super().__init__(**kwargs)
        self.with_rgb = with_rgb
        if self.format_shape != 'NCTHW':
            raise ValueError('TemporalDifferencePreprocessor needs '
                             f"format_shape='NCTHW', got {self.format_shape!r}")

    def preprocess(self,
                   inputs: List[Tensor],
                   data_samples: SampleList,
                   training: bool = False) -> Tuple[Tensor, SampleList]:
        """Normalise as :class:`ActionDataPreprocessor`, then difference.

        Returns:
            tuple: ``B x L x C x (T - 1) x H x W`` differences (``B x L x 2C
            x T x H x W`` frames and differences with ``with_rgb``) and the
            data samples.
        """
        batch, data_samples = super().preprocess(inputs, data_samples,
                                                 training)
        diff = temporal_difference(batch)
        if not self.with_rgb:
            return diff, data_samples
        first = torch.zeros_like(diff[..., :1, :, :])
        return torch.cat([batch, torch.cat([first, diff], dim=-3)],
                         dim=-4), data_samples


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
