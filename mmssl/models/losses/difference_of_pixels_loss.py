"""Temporal "difference of pixels" consistency (Stable Mean Teacher)."""
from typing import Optional

from torch import Tensor, nn

from mmaction.registry import MODELS
from .localization_consistency_loss import check_pair
from .masked_mean import masked_mean


def temporal_difference(maps: Tensor, step: int = 1) -> Tensor:
    """``maps[:, :, t + step] - maps[:, :, t]``.

    Args:
        maps (Tensor): ``B x 1 x T x H x W``.
        step (int): frame distance, ``1 <= step < T``.

    Returns:
        Tensor: ``B x 1 x (T - step) x H x W``.
    """
    if not 1 <= step < maps.shape[2]:
        raise ValueError(f'temporal step {step} does not fit '
                         f'{maps.shape[2]} frames')
    return maps[:, :, step:] - maps[:, :, :-step]


@MODELS.register_module()
class DifferenceOfPixelsLoss(nn.Module):
    """Mean squared difference between the temporal differences of two
    localization maps: ``mean(((p_{t+s} - p_t) - (q_{t+s} - q_t))^2)``.

    It compares how the maps change over time, not their values: it is 0 for
    maps that differ by a constant offset, and penalises a student whose
    localization flickers where the teacher's is steady. Same call as the
    other localization consistency losses, so it also plugs into
    :class:`E2ESSLDetector`'s ``loc_consistency``.

    Args:
        step (int): frame distance of the differences. Defaults to 1.
        loss_weight (float): multiplies the loss.
    """

    def __init__(self, step: int = 1, loss_weight: float = 1.0) -> None:
        super().__init__()
        if step < 1:
            raise ValueError(f'step must be >= 1, got {step}')
        self.step = step
        self.loss_weight = loss_weight

    def forward(self,
                pred: Tensor,
                target: Tensor,
                valid: Optional[Tensor] = None,
                **kwargs) -> Tensor:
        """Compute the loss.

        Args:
            pred (Tensor): ``B x 1 x T x H x W`` maps (e.g. the student's).
            target (Tensor): same shape (e.g. the teacher's, detached).
            valid (Tensor, optional): ``B x 1 x 1 x H x W`` (broadcastable
                over time) mask of the pixels that count.
            **kwargs: ignored (``prob``, ``ramp_weight``).

        Returns:
            Tensor: scalar loss.
        """
        check_pair(pred, target)
        diff = temporal_difference(pred, self.step) - \
            temporal_difference(target, self.step)
        if valid is not None and valid.dim() == 5 and valid.shape[2] != 1:
            valid = valid[:, :, self.step:].float() * \
                valid[:, :, :-self.step].float()
        return self.loss_weight * masked_mean(diff**2, valid)
