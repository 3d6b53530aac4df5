"""Turn the feature maps of any MMAction2 recognizer into per-time vectors."""
from typing import Optional, Sequence, Union

import torch
import torch.nn.functional as F
from torch import Tensor

Feats = Union[Tensor, Sequence[Tensor]]


def _single_temporal(feat: Tensor, num_segs: Optional[int]) -> Tensor:
    """``(N, T, C)`` vectors from one feature tensor.

    Args:
        feat (Tensor): ``(N, C, T, H, W)`` (3-D backbones), ``(N * S, C, H,
            W)`` (2-D backbones, ``S = num_segs``), ``(N, C, T)`` or
            ``(N, C)`` (transformers that pool their tokens).
        num_segs (int, optional): segments per clip of a 2-D backbone.

    Returns:
        Tensor: ``(N, T, C)``.
    """
    if feat.dim() == 5:
        return feat.mean(dim=(3, 4)).transpose(1, 2)
    if feat.dim() == 4:
        if not num_segs:
            raise ValueError('4-D (N * segments, C, H, W) features need '
                             'num_segs to recover the time axis')
        pooled = feat.mean(dim=(2, 3))
        return pooled.reshape(-1, num_segs, pooled.shape[1])
    if feat.dim() == 3:
        return feat.transpose(1, 2)
    if feat.dim() == 2:
        return feat.unsqueeze(1)
    raise ValueError(f'cannot read a time axis from features of shape '
                     f'{tuple(feat.shape)}')


def temporal_features(feats: Feats, num_segs: Optional[int] = None) -> Tensor:
    """Spatially pooled per-time features of a recognizer's backbone/neck.

    Tuples (SlowFast pathways) are pooled to the shortest time axis and
    concatenated along channels in the order of ``SlowFastHead``
    (fast, slow), so the channel count equals the head's ``in_channels``.

    Args:
        feats (Tensor | Sequence[Tensor]): output of ``extract_feat``.
        num_segs (int, optional): segments per clip (2-D recognizers).

    Returns:
        Tensor: ``(N, T, C)``.
    """
    if isinstance(feats, Tensor):
        return _single_temporal(feats, num_segs)
    parts = [_single_temporal(f, num_segs) for f in feats]
    length = min(p.shape[1] for p in parts)
    parts = [
        F.adaptive_avg_pool1d(p.transpose(1, 2), length).transpose(1, 2)
        for p in parts
    ]
    return torch.cat(parts[::-1], dim=2)
