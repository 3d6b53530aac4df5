"""Cosine alignment of short-clip embeddings with calibrated long-term
embeddings."""
from typing import Optional

import torch.nn.functional as F
from mmengine.model import BaseModule
from torch import Tensor

from mmaction.registry import MODELS


@MODELS.register_module()
class TemporalAlignmentLoss(BaseModule):
    """``1 - cos(student, stop_grad(target))``, weighted mean over clips.

    With ``train_target=True`` a second term ``1 - cos(stop_grad(student),
    target)`` is added, whose gradient reaches only the module that produced
    ``target`` (a learnable temporal calibration); the student is still pulled
    towards a fixed target.

    Args:
        loss_weight (float): multiplies the loss. Defaults to 1.0.
        train_target (bool): add the target-side term. Defaults to False.
    """

    def __init__(self, loss_weight: float = 1.0,
                 train_target: bool = False) -> None:
        super().__init__()
        self.loss_weight = loss_weight
        self.train_target = train_target

    @staticmethod
    def _weighted_mean(values: Tensor, weight: Optional[Tensor]) -> Tensor:
        if weight is None:
            return values.mean()
        weight = weight.to(values.dtype)
        return (values * weight).sum() / weight.sum().clamp(min=1e-12)

    def forward(self,
                student: Tensor,
                target: Tensor,
                weight: Optional[Tensor] = None) -> Tensor:
        """Compute the loss.

        Args:
            student (Tensor): ``(B, C)`` student short-clip embeddings.
            target (Tensor): ``(B, C)`` calibrated long-term embeddings.
            weight (Tensor, optional): ``(B,)`` per-clip weights.

        Returns:
            Tensor: scalar loss.
        """
        loss = 1 - F.cosine_similarity(student, target.detach(), dim=1)
        loss = self._weighted_mean(loss, weight)
        if self.train_target:
            target_side = 1 - F.cosine_similarity(
                student.detach(), target, dim=1)
            loss = loss + self._weighted_mean(target_side, weight)
        return self.loss_weight * loss
