"""Plain L2 consistency between two views' localization maps."""
from typing import Optional

from torch import Tensor, nn

from mmaction.registry import MODELS
from .masked_mean import masked_mean


def check_pair(pred: Tensor, target: Tensor) -> None:
    """Raise if two ``B x 1 x T x H x W`` maps do not match."""
    if pred.dim() != 5 or pred.shape[1] != 1:
        raise ValueError(f'maps must be B x 1 x T x H x W, got '
                         f'{tuple(pred.shape)}')
    if pred.shape != target.shape:
        raise ValueError(f'maps {tuple(pred.shape)} and '
                         f'{tuple(target.shape)} differ in shape')


@MODELS.register_module()
class LocalizationConsistencyLoss(nn.Module):
    """Spatio-temporal consistency (paper Eq. 2): mean squared difference
    between the original view's maps and the augmented view's maps mapped
    back to the original pixels, over the pixels both views saw.

    Both inputs receive gradients (Pi-model), as in the paper.

    Args:
        loss_weight (float): multiplies the loss.
    """

    def __init__(self, loss_weight: float = 1.0) -> None:
        super().__init__()
        self.loss_weight = loss_weight

    def forward(self,
                pred: Tensor,
                restored_aug_pred: Tensor,
                valid: Optional[Tensor] = None,
                **kwargs) -> Tensor:
        """Compute the loss.

        Args:
            pred (Tensor): ``B x 1 x T x H x W`` maps of the original view.
            restored_aug_pred (Tensor): the augmented view's maps in the
                original view's pixels, same shape.
            valid (Tensor, optional): ``B x 1 x 1 x H x W`` (broadcastable)
                mask of the original pixels the augmented view saw.
            **kwargs: ignored (``prob``, ``ramp_weight`` given to every
                localization consistency loss).

        Returns:
            Tensor: scalar loss.
        """
        check_pair(pred, restored_aug_pred)
        return self.loss_weight * masked_mean(
            (pred - restored_aug_pred)**2, valid)
