"""MixUp of a batch with a permutation of itself (MixMatch's variant)."""
from typing import List, Sequence, Tuple

import torch
from torch import Tensor


def sample_mixup_lambda(alpha: float, num: int,
                        device: torch.device) -> Tensor:
    """``num`` draws of ``lambda ~ Beta(alpha, alpha)``.

    Args:
        alpha (float): Beta parameter, ``> 0``.
        num (int): how many.
        device (torch.device): where to put them.

    Returns:
        Tensor: ``num`` floats in ``[0, 1]``.
    """
    if alpha <= 0:
        raise ValueError(f'mixup alpha must be > 0, got {alpha}')
    concentration = torch.full((num, ), float(alpha), device=device)
    return torch.distributions.Beta(concentration, concentration).sample()


def mixup(tensors: Sequence[Tensor], partner: Tensor,
          lam: Tensor) -> Tuple[List[Tensor], Tensor]:
    """Mix row ``i`` of every tensor with row ``partner[i]`` of the same
    tensor, with MixMatch's ``lambda' = max(lambda, 1 - lambda)`` so that
    row ``i`` stays the dominant one.

    Clips, class targets and masks of one batch are mixed with the same
    ``lambda'`` per row.

    Args:
        tensors (Sequence[Tensor]): each ``B x ...`` (e.g. clips
            ``B x C x T x H x W``, class targets ``B x K``, masks
            ``B x 1 x T x H x W``).
        partner (Tensor): ``B`` long, the row each row is mixed with.
        lam (Tensor): ``B`` mixing coefficients in ``[0, 1]``.

    Returns:
        tuple: the mixed tensors (``lambda' x + (1 - lambda') x[partner]``)
        and ``lambda'`` (``B``).
    """
    lam = torch.maximum(lam, 1 - lam)
    mixed = []
    for x in tensors:
        if x.shape[0] != lam.shape[0]:
            raise ValueError(f'mixup: a tensor of {x.shape[0]} rows for '
                             f'{lam.shape[0]} coefficients')
        weight = lam.to(x.dtype).view(-1, *([1] * (x.dim() - 1)))
        mixed.append(weight * x + (1 - weight) * x[partner])
    return mixed, lam
