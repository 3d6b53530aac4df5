"""Spread (margin) loss of capsule networks on class scores."""
import torch
from torch import Tensor, nn

from mmaction.registry import MODELS


@MODELS.register_module()
class SpreadLoss(nn.Module):
    """Spread loss ``sum_{i != t} max(0, m - (a_t - a_i))^2``, averaged over
    the batch (Hinton et al. 2018; VideoCapsuleNet's margin loss).

    It is 0 when the target score exceeds every other score by at least the
    margin.

    Args:
        margin (float): the margin ``m`` (0.2 in E2E-SSL).
        released_double_division (bool): divide by the batch size a second
            time, as the released E2E-SSL code does (a defect: it shrinks the
            classification loss by the batch size).
        loss_weight (float): multiplies the loss.
    """

    def __init__(self,
                 margin: float = 0.2,
                 released_double_division: bool = False,
                 loss_weight: float = 1.0) -> None:
        super().__init__()
        self.margin = margin
        self.released_double_division = released_double_division
        self.loss_weight = loss_weight

    def forward(self, scores: Tensor, labels: Tensor) -> Tensor:
        """Compute the loss.

        Args:
            scores (Tensor): ``B x C`` class scores (capsule activations).
            labels (Tensor): ``B`` class indices.

        Returns:
            Tensor: scalar loss (0 for an empty batch).
        """
        if scores.dim() != 2:
            raise ValueError(
                f'scores must be B x C, got {tuple(scores.shape)}')
        labels = labels.long().view(-1)
        if labels.numel() != scores.shape[0]:
            raise ValueError(f'{labels.numel()} labels for {scores.shape[0]} '
                             'score rows')
        if scores.shape[0] == 0:
            return scores.sum() * 0.
        target = scores.gather(1, labels[:, None])
        spread = (self.margin - (target - scores)).clamp_min(0)**2
        others = torch.ones_like(spread).scatter_(1, labels[:, None], 0.)
        loss = (spread * others).sum(dim=1).mean()
        if self.released_double_division:
            loss = loss / scores.shape[0]
        return self.loss_weight * loss
