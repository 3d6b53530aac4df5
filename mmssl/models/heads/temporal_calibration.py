"""Cross-scale temporal calibration of long-term clip features."""
import math
from typing import NamedTuple, Optional

import torch
import torch.nn.functional as F
from mmengine.model import BaseModule
from torch import Tensor, nn

from mmaction.registry import MODELS
from mmaction.utils import OptConfigType


class CalibrationOutput(NamedTuple):
    """Result of :class:`TemporalCalibration`.

    Attributes:
        feature (Tensor): ``(B, C)`` calibrated long-term embedding.
        time_weights (Tensor): ``(B, S, T)`` attention over the segments of
            each long clip; sums to 1 over ``T``.
        scale_weights (Tensor): ``(B, S)`` weight of each scale; sums to 1.
    """
    feature: Tensor
    time_weights: Tensor
    scale_weights: Tensor


@MODELS.register_module()
class TemporalCalibration(BaseModule):
    """Attention of the short clip over the segments of long-term clips.

    For every long clip (one per temporal scale), each time segment gets a
    weight from its agreement with the short clip's embedding, a softmax over
    the time axis; the clip's calibrated feature is the weighted sum of its
    segment features, so segments unrelated to the action (the "noise" of a
    long span) are suppressed. The per-scale features are then fused, either
    equally (``'mean'``) or by a softmax over scales of their agreement with
    the short clip (``'attention'``).

    Values are the segment features themselves (no value projection): the
    calibrated feature is a convex combination of real long-term features,
    which keeps it from collapsing onto the short clip.

    Args:
        in_channels (int): feature size ``C``.
        hidden_channels (int, optional): if given, query and keys are first
            projected by learnable linear maps to this size (scaled dot
            product); otherwise the agreement is the cosine similarity
            divided by ``temperature`` and the module has no parameters.
        temperature (float): softmax temperature of the cosine agreement
            (and of the scale attention). Defaults to 0.1.
        scale_fusion (str): ``'mean'`` or ``'attention'``. Defaults to
            ``'mean'``.
        init_cfg (dict, optional): weight initialisation config.
    """

    def __init__(self,
                 in_channels: int,
                 hidden_channels: Optional[int] = None,
                 temperature: float = 0.1,
                 scale_fusion: str = 'mean',
                 init_cfg: OptConfigType = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if scale_fusion not in ('mean', 'attention'):
            raise ValueError("TemporalCalibration.scale_fusion must be 'mean' "
                             f"or 'attention', got {scale_fusion!r}")
        if temperature <= 0:
            raise ValueError('TemporalCalibration.temperature must be > 0, '
                             f'got {temperature}')
        self.in_channels = in_channels
        self.temperature = temperature
        self.scale_fusion = scale_fusion
        self.hidden_channels = hidden_channels
        if hidden_channels:
            self.query_proj = nn.Linear(in_channels, hidden_channels)
            self.key_proj = nn.Linear(in_channels, hidden_channels)

    @property
    def learnable(self) -> bool:
        """bool: the attention has trainable parameters."""
        return bool(self.hidden_channels)

    def time_logits(self, query: Tensor, keys: Tensor) -> Tensor:
        """Agreement of the query with every segment.

        Args:
            query (Tensor): ``(B, C)``.
            keys (Tensor): ``(B, S, T, C)``.

        Returns:
            Tensor: ``(B, S, T)`` attention logits.
        """
        if self.learnable:
            q = self.query_proj(query)
            k = self.key_proj(keys)
            return torch.einsum('bc,bstc->bst', q, k) / math.sqrt(q.shape[1])
        q = F.normalize(query, dim=-1)
        k = F.normalize(keys, dim=-1)
        return torch.einsum('bc,bstc->bst', q, k) / self.temperature

    def forward(self, query: Tensor, keys: Tensor) -> CalibrationOutput:
        """Calibrate long-term clip features with the short clip.

        Args:
            query (Tensor): ``(B, C)`` short-clip embedding.
            keys (Tensor): ``(B, S, T, C)`` per-segment features of ``S``
                long-term clips.

        Returns:
            CalibrationOutput: ``(B, C)`` feature and the attention weights.
        """
        if keys.dim() != 4 or keys.shape[-1] != query.shape[-1]:
            raise ValueError(
                'TemporalCalibration expects query (B, C) and keys '
                f'(B, S, T, C), got {tuple(query.shape)} and '
                f'{tuple(keys.shape)}')
        time_weights = self.time_logits(query, keys).softmax(dim=-1)
        per_scale = torch.einsum('bst,bstc->bsc', time_weights, keys)
        if self.scale_fusion == 'mean':
            scale_weights = per_scale.new_full(per_scale.shape[:2],
                                               1.0 / per_scale.shape[1])
        else:
            agreement = torch.einsum('bc,bsc->bs', F.normalize(query, dim=-1),
                                     F.normalize(per_scale, dim=-1))
            scale_weights = (agreement / self.temperature).softmax(dim=-1)
        feature = torch.einsum('bs,bsc->bc', scale_weights, per_scale)
        return CalibrationOutput(feature, time_weights, scale_weights)
