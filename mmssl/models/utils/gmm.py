"""Two-component 1-D Gaussian mixtures fitted by EM, batched, in torch.

Used by Adaptive Contrastive Learning to split reliability scores of
pseudo-labeled clips into a *reliable* and an *unreliable* component. The
conventions follow DivideMix (``sklearn.mixture.GaussianMixture`` with
``n_components=2, max_iter=10, tol=1e-2, reg_covar=5e-4`` on min-max
normalised scores), but every step runs on the scores' device and fits many
independent mixtures at once (one per row).
"""
import math
from typing import NamedTuple, Optional

import torch
from torch import Tensor

_EPS = 1e-10


class GMMParams(NamedTuple):
    """Parameters of ``B`` two-component mixtures.

    Components are sorted by mean: index 1 is the component with the higher
    mean (the *reliable* one when scores are similarities).

    Attributes:
        means (Tensor): ``(B, 2)`` component means.
        variances (Tensor): ``(B, 2)`` component variances.
        weights (Tensor): ``(B, 2)`` mixing weights, rows sum to 1.
        converged (Tensor): ``(B,)`` bool, EM stopped by ``tol``.
    """
    means: Tensor
    variances: Tensor
    weights: Tensor
    converged: Tensor


def _log_gauss(x: Tensor, means: Tensor, variances: Tensor) -> Tensor:
    """Log-density of every score under each component.

    Args:
        x (Tensor): ``(B, N)`` scores.
        means (Tensor): ``(B, 2)``.
        variances (Tensor): ``(B, 2)``.

    Returns:
        Tensor: ``(B, N, 2)`` log N(x | mean_k, variance_k).
    """
    diff = x.unsqueeze(-1) - means.unsqueeze(1)
    var = variances.unsqueeze(1)
    return -0.5 * (math.log(2 * math.pi) + var.log() + diff.square() / var)


def _masked_stats(x: Tensor, mask: Tensor) -> tuple:
    """Per-row min, max, mean and variance over the masked entries.

    Args:
        x (Tensor): ``(B, N)``.
        mask (Tensor): ``(B, N)`` float, 1 for valid entries.

    Returns:
        tuple[Tensor]: four ``(B,)`` tensors.
    """
    count = mask.sum(1).clamp(min=1)
    big = torch.finfo(x.dtype).max
    lo = torch.where(mask > 0, x, torch.full_like(x, big)).amin(1)
    hi = torch.where(mask > 0, x, torch.full_like(x, -big)).amax(1)
    mean = (x * mask).sum(1) / count
    var = ((x - mean[:, None]).square() * mask).sum(1) / count
    return lo, hi, mean, var


def fit_gmm_1d(x: Tensor,
               mask: Optional[Tensor] = None,
               max_iter: int = 10,
               tol: float = 1e-2,
               reg_covar: float = 5e-4) -> GMMParams:
    """Fit ``B`` independent two-component 1-D mixtures by EM.

    Initialisation puts the means at the 25 % and 75 % points between each
    row's minimum and maximum, both variances at the row's variance and equal
    weights. EM stops for a row once its mean log-likelihood changes by less
    than ``tol`` (sklearn's rule) and for all rows after ``max_iter`` steps.

    Args:
        x (Tensor): ``(B, N)`` or ``(N,)`` scores.
        mask (Tensor, optional): same shape as ``x``, bool or float; entries
            with 0 are ignored. Defaults to all valid.
        max_iter (int): EM iterations at most. Defaults to 10.
        tol (float): convergence threshold on the mean log-likelihood.
            Defaults to 1e-2.
        reg_covar (float): added to every variance. Defaults to 5e-4.

    Returns:
        GMMParams: ``(B, 2)`` parameters (``(1, 2)`` for 1-D input), sorted so
        that component 1 has the higher mean.
    """
    if x.dim() == 1:
        x = x.unsqueeze(0)
        mask = None if mask is None else mask.unsqueeze(0)
    if x.dim() != 2:
        raise ValueError(f'fit_gmm_1d expects (B, N) scores, got {x.shape}')
    x = x.float()
    mask = torch.ones_like(x) if mask is None else mask.to(x.dtype)
    count = mask.sum(1).clamp(min=1)

    lo, hi, _, var = _masked_stats(x, mask)
    span = (hi - lo).clamp(min=0)
    means = torch.stack([lo + 0.25 * span, lo + 0.75 * span], dim=1)
    variances = (var + reg_covar).unsqueeze(1).expand(-1, 2).contiguous()
    weights = torch.full_like(means, 0.5)

    active = torch.ones(x.shape[0], dtype=torch.bool, device=x.device)
    prev_ll = torch.full_like(count, -float('inf'))
    for _ in range(max_iter):
        # E-step: responsibilities of each component for each score.
        log_joint = _log_gauss(x, means, variances) + weights.log()[:, None]
        log_norm = torch.logsumexp(log_joint, dim=-1)
        resp = (log_joint - log_norm.unsqueeze(-1)).exp() * mask[..., None]
        # M-step.
        nk = resp.sum(1) + 10 * _EPS
        new_means = (resp * x[..., None]).sum(1) / nk
        diff = x[..., None] - new_means[:, None]
        new_vars = (resp * diff.square()).sum(1) / nk + reg_covar
        new_weights = nk / nk.sum(1, keepdim=True)

        upd = active[:, None]
        means = torch.where(upd, new_means, means)
        variances = torch.where(upd, new_vars, variances)
        weights = torch.where(upd, new_weights, weights)

        ll = (log_norm * mask).sum(1) / count
        active = active & ((ll - prev_ll).abs() >= tol)
        prev_ll = ll
        if not bool(active.any()):
            break

    order = means.argsort(dim=1)
    return GMMParams(
        means=means.gather(1, order),
        variances=variances.gather(1, order),
        weights=weights.gather(1, order),
        converged=~active)


def gmm_posterior(x: Tensor, means: Tensor, variances: Tensor,
                  weights: Tensor) -> Tensor:
    """Posterior probability of the higher-mean component.

    Args:
        x (Tensor): ``(B, N)`` scores, or ``(N,)`` with ``(N, 2)`` parameters
            (one mixture per score).
        means (Tensor): ``(B, 2)`` or ``(N, 2)``, sorted ascending.
        variances (Tensor): same shape as ``means``.
        weights (Tensor): same shape as ``means``.

    Returns:
        Tensor: posteriors with the shape of ``x``.
    """
    if x.dim() == 1:
        log_joint = _log_gauss(x[:, None], means, variances)[:, 0]
        log_joint = log_joint + weights.log()
        return torch.softmax(log_joint, dim=-1)[:, 1]
    log_joint = _log_gauss(x.float(), means, variances)
    log_joint = log_joint + weights.log()[:, None]
    return torch.softmax(log_joint, dim=-1)[..., 1]


def monotone_posterior(x: Tensor, means: Tensor, variances: Tensor,
                       weights: Tensor, grid_size: int = 129) -> Tensor:
    """Posterior of the higher-mean component, made non-decreasing in the
    score and clamped to the fitted range ``[0, 1]``.

    With unequal variances the plain posterior is not monotone: the wider
    component wins both tails, so a score far below everything seen could
    count as reliable. Here the posterior is evaluated on a grid of
    ``[0, 1]``, replaced by its running maximum and interpolated at the
    clamped scores; it does not depend on the other scores of the batch.

    Args:
        x (Tensor): ``(N,)`` normalised scores (any range).
        means (Tensor): ``(N, 2)`` sorted ascending, one mixture per score.
        variances (Tensor): ``(N, 2)``.
        weights (Tensor): ``(N, 2)``.
        grid_size (int): grid points on ``[0, 1]``. Defaults to 129.

    Returns:
        Tensor: ``(N,)`` posteriors in ``[0, 1]``, non-decreasing in ``x``
        for one mixture.
    """
    grid = torch.linspace(0, 1, grid_size, device=x.device)
    curve = gmm_posterior(grid[None].expand(x.shape[0], -1), means,
                          variances, weights)  # N x G
    curve = curve.cummax(dim=1).values
    pos = x.float().clamp(0, 1) * (grid_size - 1)
    lo = pos.floor().long().clamp(max=grid_size - 2)
    frac = pos - lo
    left = curve.gather(1, lo[:, None])[:, 0]
    right = curve.gather(1, (lo + 1)[:, None])[:, 0]
    return left + frac * (right - left)
