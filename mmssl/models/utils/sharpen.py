"""Temperature sharpening of predicted distributions (MixMatch)."""
import torch
import torch.nn.functional as F
from torch import Tensor


def sharpen(probs: Tensor, temperature: float, dim: int = 1) -> Tensor:
    """``p_i^(1/T) / sum_j p_j^(1/T)`` along ``dim``.

    ``T = 1`` leaves a distribution unchanged; ``T -> 0`` tends to the
    one-hot of the argmax, which ``T = 0`` gives exactly (ties to the first
    class). Computed as a softmax of ``log(p) / T``, so small temperatures
    do not underflow.

    Args:
        probs (Tensor): non-negative, e.g. ``B x C`` class probabilities
            (need not sum to 1).
        temperature (float): ``T >= 0``.
        dim (int): the distribution axis.

    Returns:
        Tensor: same shape, sums to 1 along ``dim``.
    """
    if temperature < 0:
        raise ValueError(f'temperature must be >= 0, got {temperature}')
    if temperature == 0:
        index = probs.argmax(dim=dim, keepdim=True)
        return torch.zeros_like(probs).scatter_(dim, index, 1.)
    logp = torch.log(probs.clamp_min(torch.finfo(probs.dtype).tiny))
    return F.softmax(logp / temperature, dim=dim)


def sharpen_binary(prob: Tensor, temperature: float) -> Tensor:
    """Sharpen per-element foreground probabilities, each the distribution
    ``(p, 1 - p)``: ``p^(1/T) / (p^(1/T) + (1 - p)^(1/T))``.

    Args:
        prob (Tensor): probabilities in ``[0, 1]``, any shape (e.g.
            ``B x 1 x T x H x W`` masks).
        temperature (float): ``T >= 0``.

    Returns:
        Tensor: same shape.
    """
    pair = torch.stack([prob, 1 - prob], dim=0)
    return sharpen(pair, temperature, dim=0)[0]
