"""Classification consistency between two views' class-capsule
distributions."""
from typing import Optional

import torch
from torch import Tensor, nn

from mmaction.registry import MODELS
from .masked_mean import masked_mean

DIVERGENCES = ('jsd', 'symmetric_kl')
NORMALIZATIONS = ('sum', 'softmax')


def _kl(p: Tensor, q: Tensor, dim: int) -> Tensor:
    """``KL(p || q)`` along ``dim`` (``0 log 0 = 0``)."""
    return (torch.xlogy(p, p) - torch.xlogy(p, q)).sum(dim)


def jensen_shannon(p: Tensor, q: Tensor, dim: int = 1) -> Tensor:
    """Jensen-Shannon divergence ``(KL(p||m) + KL(q||m)) / 2``,
    ``m = (p + q) / 2``, in nats (at most ``ln 2``).

    Args:
        p (Tensor): distributions along ``dim``.
        q (Tensor): same shape.
        dim (int): the distribution axis.

    Returns:
        Tensor: ``p``'s shape without ``dim``.
    """
    m = (p + q) / 2
    return (_kl(p, m, dim) + _kl(q, m, dim)) / 2


@MODELS.register_module()
class JSDConsistencyLoss(nn.Module):
    """Classification consistency (paper Eq. 1): Jensen-Shannon divergence
    between the class distributions of two views, per grid position,
    averaged over the positions both views saw.

    Capsule activations are in ``(0, 1)`` per class; at each position they
    are turned into a distribution over classes by dividing by their sum
    (``normalize='sum'``) or by a softmax.

    Args:
        divergence (str): ``'jsd'`` (paper; both views get gradients) or
            ``'symmetric_kl'`` (an earlier released variant:
            ``KL(sg(q) || p) + KL(sg(p) || q)``, each view pulled towards the
            other's detached distribution).
        normalize (str): ``'sum'`` or ``'softmax'``.
        eps (float): added to activations before normalising.
        loss_weight (float): multiplies the loss.
    """

    def __init__(self,
                 divergence: str = 'jsd',
                 normalize: str = 'sum',
                 eps: float = 1e-7,
                 loss_weight: float = 1.0) -> None:
        super().__init__()
        if divergence not in DIVERGENCES:
            raise ValueError(f'divergence must be one of {DIVERGENCES}, got '
                             f'{divergence!r}')
        if normalize not in NORMALIZATIONS:
            raise ValueError(f'normalize must be one of {NORMALIZATIONS}, '
                             f'got {normalize!r}')
        self.divergence = divergence
        self.normalize = normalize
        self.eps = eps
        self.loss_weight = loss_weight

    def to_distribution(self, act: Tensor) -> Tensor:
        """Class distribution along dim 1 of ``B x C (x h x w)``
        activations."""
        if self.normalize == 'softmax':
            return act.softmax(dim=1)
        act = act + self.eps
        return act / act.sum(dim=1, keepdim=True)

    def forward(self,
                act: Tensor,
                other_act: Tensor,
                valid: Optional[Tensor] = None) -> Tensor:
        """Compute the loss.

        Args:
            act (Tensor): ``B x C`` or ``B x C x h x w`` activations of one
                view.
            other_act (Tensor): the other view's, spatially aligned, same
                shape.
            valid (Tensor, optional): ``B x 1 x h x w`` (broadcastable) mask
                of positions both views saw.

        Returns:
            Tensor: scalar loss.
        """
        if act.shape != other_act.shape:
            raise ValueError(f'activations {tuple(act.shape)} and '
                             f'{tuple(other_act.shape)} differ in shape')
        p, q = self.to_distribution(act), self.to_distribution(other_act)
        if self.divergence == 'jsd':
            per_position = jensen_shannon(p, q, dim=1)
        else:
            per_position = _kl(q.detach(), p, 1) + _kl(p.detach(), q, 1)
        if valid is not None:
            valid = valid.squeeze(1) if valid.dim() == act.dim() else valid
        return self.loss_weight * masked_mean(per_position, valid)
