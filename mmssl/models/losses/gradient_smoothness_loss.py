"""Gradient smoothness: L2 consistency weighted by the second temporal
derivative of the localization."""
from typing import Optional

from torch import Tensor, nn

from mmaction.registry import MODELS
from .attention_masks import gradient_attention
from .localization_consistency_loss import check_pair
from .masked_mean import masked_mean


@MODELS.register_module()
class GradientSmoothnessLoss(nn.Module):
    """Gradient smoothness (paper Eq. 5): ``mean(M_grad * d^2)`` with ``d``
    the difference of the two views' maps and ``M_grad`` from
    :func:`gradient_attention` of the original view's probabilities; with
    plain L2, ``w * mean(M_grad * d^2) + (1 - w) * mean(d^2)``.

    Args:
        absolute (bool): attention on ``|d2/dt2|`` (paper's reading);
            ``False`` is the released code's signed variant.
        with_plain_l2 (bool): blend in the non-attentive L2 with ``1 - w``
            (paper Table 2, "G + L2").
        loss_weight (float): multiplies the loss.
    """

    def __init__(self,
                 absolute: bool = True,
                 with_plain_l2: bool = False,
                 loss_weight: float = 1.0) -> None:
        super().__init__()
        self.absolute = absolute
        self.with_plain_l2 = with_plain_l2
        self.loss_weight = loss_weight

    def forward(self,
                pred: Tensor,
                restored_aug_pred: Tensor,
                valid: Optional[Tensor] = None,
                ramp_weight: float = 1.0,
                prob: Optional[Tensor] = None,
                **kwargs) -> Tensor:
        """Compute the loss.

        Args:
            pred (Tensor): ``B x 1 x T x H x W`` maps of the original view.
            restored_aug_pred (Tensor): the augmented view's maps in the
                original pixels, same shape.
            valid (Tensor, optional): ``B x 1 x 1 x H x W`` mask of the
                original pixels the augmented view saw.
            ramp_weight (float): ``w``, used only with plain L2.
            prob (Tensor, optional): the original view's probabilities for
                the mask; ``pred`` is used when omitted (then it must hold
                probabilities).
            **kwargs: ignored.

        Returns:
            Tensor: scalar loss.
        """
        check_pair(pred, restored_aug_pred)
        mask = gradient_attention(pred if prob is None else prob,
                                  self.absolute)
        squared = (pred - restored_aug_pred)**2
        attentive = masked_mean(mask * squared, valid)
        if not self.with_plain_l2:
            return self.loss_weight * attentive
        plain = masked_mean(squared, valid)
        loss = ramp_weight * attentive + (1 - ramp_weight) * plain
        return self.loss_weight * loss
