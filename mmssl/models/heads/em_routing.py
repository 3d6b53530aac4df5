"""EM routing between capsule layers (Hinton, Sabour & Frosst, 2018),
vectorised over every position of the grid at once."""
import math
from typing import Optional, Sequence, Tuple, Union

import torch
from torch import Tensor

Temperature = Union[float, Sequence[float]]


def inverse_temperatures(value: Temperature, num_iters: int) -> Tuple[float,
                                                                      ...]:
    """Inverse temperature per routing iteration.

    Args:
        value (float | (float, float)): a constant, or ``(first, last)``
            spread linearly over the iterations.
        num_iters (int): routing iterations.

    Returns:
        tuple[float]: one value per iteration.
    """
    if isinstance(value, (int, float)):
        return (float(value), ) * num_iters
    first, last = value
    if num_iters == 1:
        return (float(first), )
    step = (last - first) / (num_iters - 1)
    return tuple(first + step * i for i in range(num_iters))


def m_step(a_in: Tensor, r: Tensor, votes: Tensor, beta_u: Tensor,
           beta_a: Tensor, inverse_temperature: float, eps: float,
           released: bool) -> Tuple[Tensor, Tensor, Tensor]:
    """Fit one Gaussian per output capsule to the votes.

    Args:
        a_in (Tensor): ``M x N`` input activations.
        r (Tensor): ``M x N x C`` assignment probabilities.
        votes (Tensor): ``M x N x C x D`` votes.
        beta_u (Tensor): ``C x D`` per-capsule cost of the std.
        beta_a (Tensor): ``C`` per-capsule activation bias.
        inverse_temperature (float): ``lambda``.
        eps (float): numerical floor.
        released (bool): reproduce the released E2E-SSL routing.

    Returns:
        tuple[Tensor]: ``a_out`` (``M x C``), ``mu`` and ``sigma_sq``
        (``M x C x D``).
    """
    r = r * a_in.unsqueeze(-1)
    if released:
        # Re-normalising over the output capsules cancels a_in.
        r = r / (r.sum(dim=2, keepdim=True) + eps)
    r_sum = r.sum(dim=1)
    coeff = (r / (r_sum.unsqueeze(1) + eps)).unsqueeze(-1)
    mu = (coeff * votes).sum(dim=1)
    sigma_sq = (coeff * (votes - mu.unsqueeze(1))**2).sum(dim=1) + eps
    cost = ((beta_u + 0.5 * torch.log(sigma_sq)) * r_sum.unsqueeze(-1)).sum(-1)
    cost_mean = cost.mean(dim=1, keepdim=True)
    if released:
        # sum(cost - mean) is 0, so the "std" collapses to sqrt(eps), and the
        # normalised cost has its sign flipped.
        cost_std = torch.sqrt(
            (cost - cost_mean).sum(dim=1, keepdim=True)**2 / cost.shape[1] +
            eps)
        normalised = (cost_mean - cost) / (cost_std + eps)
    else:
        cost_std = torch.sqrt(((cost - cost_mean)**2).mean(
            dim=1, keepdim=True) + eps)
        normalised = (cost - cost_mean) / (cost_std + eps)
    a_out = torch.sigmoid(inverse_temperature * (beta_a - normalised))
    return a_out, mu, sigma_sq


def e_step(a_out: Tensor, mu: Tensor, sigma_sq: Tensor,
           votes: Tensor) -> Tensor:
    """Re-assign votes to output capsules by their weighted likelihood.

    Args:
        a_out (Tensor): ``M x C``.
        mu (Tensor): ``M x C x D``.
        sigma_sq (Tensor): ``M x C x D``.
        votes (Tensor): ``M x N x C x D``.

    Returns:
        Tensor: ``M x N x C`` assignments (softmax over ``C``).
    """
    mu, sigma_sq = mu.unsqueeze(1), sigma_sq.unsqueeze(1)
    log_p = -(votes - mu)**2 / (2 * sigma_sq) - 0.5 * torch.log(
        sigma_sq) - 0.5 * math.log(2 * math.pi)
    logits = log_p.sum(dim=-1) + torch.log(a_out.unsqueeze(1).clamp_min(1e-8))
    return logits.softmax(dim=-1)


def em_routing(votes: Tensor,
               a_in: Tensor,
               beta_u: Tensor,
               beta_a: Tensor,
               num_iters: int = 3,
               inverse_temperature: Optional[Temperature] = None,
               released: bool = False,
               eps: float = 1e-8) -> Tuple[Tensor, Tensor]:
    """Route ``N`` input capsules to ``C`` output capsules at ``M`` places.

    The activation of an output capsule is
    ``sigmoid(lambda * (beta_a - (cost - mean_C cost) / std_C cost))``,
    the per-capsule cost normalised over the output capsules as in the
    TensorFlow implementation VideoCapsuleNet builds on.

    Args:
        votes (Tensor): ``M x N x C x D`` (``D`` = pose size, e.g. 16).
        a_in (Tensor): ``M x N`` input activations in ``(0, 1)``.
        beta_u (Tensor): ``C x D``.
        beta_a (Tensor): ``C``.
        num_iters (int): EM iterations (3 in E2E-SSL).
        inverse_temperature (float | (float, float), optional): ``lambda``
            per iteration; default ``(1, 3)`` spread over the iterations, or
            ``1e-6`` with ``released=True`` (the released value).
        released (bool): reproduce the released E2E-SSL routing: the
            normalised cost enters with a flipped sign, its std is computed
            as ``sqrt((sum(cost - mean))^2 / C + eps)`` (collapses to
            ``~1e-4``), and ``r * a_in`` is re-normalised over the output
            capsules (which cancels the input activations).
        eps (float): numerical floor.

    Returns:
        tuple[Tensor]: output poses ``M x C x D`` and activations ``M x C``.
    """
    if votes.dim() != 4 or a_in.shape != votes.shape[:2]:
        raise ValueError(f'votes must be M x N x C x D and a_in M x N, got '
                         f'{tuple(votes.shape)} and {tuple(a_in.shape)}')
    if num_iters < 1:
        raise ValueError(f'num_iters must be >= 1, got {num_iters}')
    if inverse_temperature is None:
        inverse_temperature = 1e-6 if released else (1.0, 3.0)
    lambdas = inverse_temperatures(inverse_temperature, num_iters)
    num_out = votes.shape[2]
    r = votes.new_full(votes.shape[:3], 1.0 / num_out)
    for it, lam in enumerate(lambdas):
        a_out, mu, sigma_sq = m_step(a_in, r, votes, beta_u, beta_a, lam,
                                     eps, released)
        if it < num_iters - 1:
            r = e_step(a_out, mu, sigma_sq, votes)
    return mu, a_out
