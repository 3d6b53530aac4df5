"""Binary cross-entropy plus Dice loss on localization logits."""
from typing import Optional

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from mmaction.registry import MODELS
from .masked_mean import masked_mean


@MODELS.register_module()
class BCEDiceLoss(nn.Module):
    """``bce_weight * BCE-with-logits + dice_weight * Dice`` on pixel maps.

    Dice is ``1 - (2 sum(p y) + s) / (sum p + sum y + s)`` with ``p`` the
    sigmoid of the logits, summed over the whole batch as in the released
    E2E-SSL code (``per_clip=False``) or per clip and averaged.

    Args:
        bce_weight (float): weight of the BCE term.
        dice_weight (float): weight of the Dice term.
        smooth (float): the Dice smoothing ``s``.
        per_clip (bool): Dice per clip, then the mean over clips.
        loss_weight (float): multiplies the sum.
    """

    def __init__(self,
                 bce_weight: float = 1.0,
                 dice_weight: float = 1.0,
                 smooth: float = 1.0,
                 per_clip: bool = False,
                 loss_weight: float = 1.0) -> None:
        super().__init__()
        self.bce_weight = bce_weight
        self.dice_weight = dice_weight
        self.smooth = smooth
        self.per_clip = per_clip
        self.loss_weight = loss_weight

    def dice(self, prob: Tensor, target: Tensor) -> Tensor:
        """Dice loss of probabilities against a binary target.

        Args:
            prob (Tensor): ``B x ...`` probabilities (masked pixels zeroed).
            target (Tensor): same shape, in ``{0, 1}`` (masked pixels zeroed).

        Returns:
            Tensor: scalar.
        """
        dims = tuple(range(1, prob.dim())) if self.per_clip else None
        if dims is None:
            inter, total = (prob * target).sum(), prob.sum() + target.sum()
        else:
            inter = (prob * target).sum(dims)
            total = prob.sum(dims) + target.sum(dims)
        dice = 1 - (2 * inter + self.smooth) / (total + self.smooth)
        return dice.mean()

    def forward(self,
                logits: Tensor,
                target: Tensor,
                weight: Optional[Tensor] = None) -> Tensor:
        """Compute the loss.

        Args:
            logits (Tensor): ``B x 1 x T x H x W`` localization logits.
            target (Tensor): same shape, foreground in ``{0, 1}``.
            weight (Tensor, optional): broadcastable bool/float mask of the
                pixels (or frames, e.g. ``B x 1 x T x 1 x 1``) that count.

        Returns:
            Tensor: scalar loss (0 for an empty batch).
        """
        if logits.shape != target.shape:
            raise ValueError(f'logits {tuple(logits.shape)} and target '
                             f'{tuple(target.shape)} differ in shape')
        if logits.shape[0] == 0:
            return logits.sum() * 0.
        target = target.to(logits.dtype)
        bce = F.binary_cross_entropy_with_logits(
            logits, target, reduction='none')
        bce = masked_mean(bce, weight)
        prob = torch.sigmoid(logits)
        if weight is not None:
            keep = weight.to(logits.dtype)
            prob, target = prob * keep, target * keep
        loss = self.bce_weight * bce + \
            self.dice_weight * self.dice(prob, target)
        return self.loss_weight * loss
