"""Supervised-contrastive (InfoNCE) loss against a memory bank, with
reliability-weighted positives and anchors."""
from typing import Optional

import torch
from mmengine.model import BaseModule
from torch import Tensor

from mmaction.registry import MODELS


@MODELS.register_module()
class AdaptiveContrastiveLoss(BaseModule):
    """SupCon loss of anchors against bank entries.

    For anchor ``i`` with positives ``P(i)`` (weights ``w_ij``) and negatives
    ``N(i)``::

        l_i = - sum_{j in P(i)} w_ij * log( exp(s_ij / t) /
                  sum_{k in P(i) u N(i)} exp(s_ik / t) ) / sum_j w_ij

    with ``s`` the cosine similarity. The loss is the anchor-weighted mean of
    ``l_i`` over anchors that have at least one positive; it is 0 (with a
    gradient path) when no anchor has one.

    Args:
        temperature (float): softmax temperature. Defaults to 0.1.
        loss_weight (float): multiplies the loss. Defaults to 1.0.
    """

    def __init__(self, temperature: float = 0.1,
                 loss_weight: float = 1.0) -> None:
        super().__init__()
        if temperature <= 0:
            raise ValueError('AdaptiveContrastiveLoss.temperature must be '
                             f'> 0, got {temperature}')
        self.temperature = temperature
        self.loss_weight = loss_weight

    def forward(self,
                anchors: Tensor,
                keys: Tensor,
                pos_weight: Tensor,
                neg_mask: Tensor,
                anchor_weight: Optional[Tensor] = None) -> Tensor:
        """Compute the loss.

        Args:
            anchors (Tensor): ``(B, D)`` unit-norm anchor projections.
            keys (Tensor): ``(K, D)`` unit-norm bank projections.
            pos_weight (Tensor): ``(B, K)`` positive weights (0 = not a
                positive).
            neg_mask (Tensor): ``(B, K)`` bool negatives.
            anchor_weight (Tensor, optional): ``(B,)`` weight of each anchor;
                defaults to 1.

        Returns:
            Tensor: scalar loss.
        """
        logits = anchors @ keys.detach().t() / self.temperature
        pos_weight = pos_weight.to(logits.dtype)
        in_denominator = (pos_weight > 0) | neg_mask
        masked = logits.masked_fill(~in_denominator, float('-inf'))
        log_norm = torch.logsumexp(masked, dim=1, keepdim=True)
        # Rows without any pair would be -inf; they carry no positive anyway.
        log_norm = torch.where(torch.isfinite(log_norm), log_norm,
                               torch.zeros_like(log_norm))
        log_prob = logits - log_norm
        pos_total = pos_weight.sum(1)
        per_anchor = -(pos_weight * log_prob).sum(1) / pos_total.clamp(
            min=1e-12)
        if anchor_weight is None:
            anchor_weight = torch.ones_like(pos_total)
        weight = anchor_weight.to(logits.dtype) * (pos_total > 0)
        loss = (per_anchor * weight).sum() / weight.sum().clamp(min=1e-12)
        return self.loss_weight * loss
