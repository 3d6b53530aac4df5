"""Temporal coherence: L2 consistency weighted by the variance
attention."""
from typing import Optional

from torch import Tensor, nn

from mmaction.registry import MODELS
from .attention_masks import variance_attention
from .localization_consistency_loss import check_pair
from .masked_mean import masked_mean


@MODELS.register_module()
class TemporalCoherenceLoss(nn.Module):
    """Temporal coherence (paper Eq. 3):
    ``w * mean(M_var * d^2) + (1 - w) * mean(d^2)`` with ``d`` the difference
    of the two views' maps, ``M_var`` from :func:`variance_attention` and
    ``w`` the ramped weight; without plain L2 it is ``mean(M_var * d^2)``.

    Args:
        window (int): frames in the variance window (5: +-2 frames).
        cyclic (bool): cyclic variance over the original and time-reversed
            augmented view (paper's best), else variance of the original
            view alone.
        with_plain_l2 (bool): blend in the non-attentive L2 with ``1 - w``.
        released_double_attention (bool): count the attention term twice, as
            the released code does (it adds the "clockwise" and
            "anticlockwise" cyclic-variance losses, which are equal).
        loss_weight (float): multiplies the loss.
    """

    def __init__(self,
                 window: int = 5,
                 cyclic: bool = True,
                 with_plain_l2: bool = True,
                 released_double_attention: bool = False,
                 loss_weight: float = 1.0) -> None:
        super().__init__()
        self.window = window
        self.cyclic = cyclic
        self.with_plain_l2 = with_plain_l2
        self.released_double_attention = released_double_attention
        self.loss_weight = loss_weight

    def forward(self,
                pred: Tensor,
                restored_aug_pred: Tensor,
                valid: Optional[Tensor] = None,
                ramp_weight: float = 1.0,
                **kwargs) -> Tensor:
        """Compute the loss.

        Args:
            pred (Tensor): ``B x 1 x T x H x W`` maps of the original view;
                the mask is computed on these maps (logits or
                probabilities).
            restored_aug_pred (Tensor): the augmented view's maps in the
                original pixels and time order, same shape.
            valid (Tensor, optional): ``B x 1 x 1 x H x W`` mask of the
                original pixels the augmented view saw.
            ramp_weight (float): ``w`` in ``[0, 1]``.
            **kwargs: ignored (``prob``).

        Returns:
            Tensor: scalar loss.
        """
        check_pair(pred, restored_aug_pred)
        mask = variance_attention(pred, restored_aug_pred, self.window,
                                  self.cyclic, valid)
        squared = (pred - restored_aug_pred)**2
        attentive = masked_mean(mask * squared, valid)
        if self.released_double_attention:
            attentive = 2 * attentive
        if not self.with_plain_l2:
            return self.loss_weight * attentive
        plain = masked_mean(squared, valid)
        loss = ramp_weight * attentive + (1 - ramp_weight) * plain
        return self.loss_weight * loss
