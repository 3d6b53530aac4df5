"""A stateful reliability model: a two-component GMM over reliability scores
whose parameters are registered buffers (they survive checkpoint/resume)."""
from typing import Optional

import torch
from torch import Tensor, nn

from .gmm import fit_gmm_1d, monotone_posterior


class ReliabilityGMM(nn.Module):
    """Separates reliable from unreliable pseudo-labels by their scores.

    Scores are min-max normalised with the range seen at the last fit
    (DivideMix normalises its losses the same way), a two-component 1-D GMM is
    fitted and the reliability weight of a score is the posterior of the
    component with the higher mean, made non-decreasing in the score and
    clamped to the fitted range (:func:`monotone_posterior`).

    With ``per_class=True`` one mixture per pseudo-class and a global one are
    fitted in one batched EM call; a class with fewer than ``min_samples``
    scores uses the global mixture.

    Args:
        num_classes (int): number of classes (used when ``per_class``).
        per_class (bool): fit one mixture per pseudo-class. Defaults to False.
        max_iter (int): EM iterations. Defaults to 10.
        tol (float): EM tolerance. Defaults to 1e-2.
        reg_covar (float): variance regulariser. Defaults to 5e-4.
        min_samples (int): scores needed to fit a mixture. Defaults to 16.
    """

    def __init__(self,
                 num_classes: int,
                 per_class: bool = False,
                 max_iter: int = 10,
                 tol: float = 1e-2,
                 reg_covar: float = 5e-4,
                 min_samples: int = 16) -> None:
        super().__init__()
        self.num_classes = num_classes
        self.per_class = per_class
        self.max_iter = max_iter
        self.tol = tol
        self.reg_covar = reg_covar
        self.min_samples = min_samples
        groups = num_classes + 1 if per_class else 1
        self.register_buffer('means', torch.zeros(groups, 2))
        self.register_buffer('variances', torch.ones(groups, 2))
        self.register_buffer('weights', torch.full((groups, 2), 0.5))
        self.register_buffer('group_fitted',
                             torch.zeros(groups, dtype=torch.bool))
        self.register_buffer('score_range', torch.tensor([0., 1.]))

    @property
    def fitted(self) -> bool:
        """bool: the global mixture has been fitted at least once."""
        return bool(self.group_fitted[-1])

    def _normalise(self, scores: Tensor) -> Tensor:
        lo, hi = self.score_range[0], self.score_range[1]
        return (scores.float() - lo) / (hi - lo).clamp(min=1e-6)

    @torch.no_grad()
    def fit(self,
            scores: Tensor,
            labels: Optional[Tensor] = None,
            valid: Optional[Tensor] = None) -> bool:
        """Re-fit the mixture(s) on a set of scores.

        Args:
            scores (Tensor): ``(K,)`` reliability scores.
            labels (Tensor, optional): ``(K,)`` pseudo-labels, needed when
                ``per_class``.
            valid (Tensor, optional): ``(K,)`` bool, entries to use.

        Returns:
            bool: whether the global mixture was fitted (enough scores).
        """
        valid = (torch.ones_like(scores, dtype=torch.bool)
                 if valid is None else valid.bool())
        num_valid = int(valid.sum())
        if num_valid < self.min_samples:
            return False
        big = torch.finfo(torch.float32).max
        s = scores.float()
        lo = torch.where(valid, s, torch.full_like(s, big)).min()
        hi = torch.where(valid, s, torch.full_like(s, -big)).max()
        self.score_range.copy_(torch.stack([lo, hi]))
        x = self._normalise(s)

        masks = valid[None]
        if self.per_class:
            if labels is None:
                raise ValueError('ReliabilityGMM(per_class=True).fit needs '
                                 'the pseudo-labels of the scores')
            classes = torch.arange(self.num_classes, device=s.device)
            per_class = (labels[None] == classes[:, None]) & valid[None]
            masks = torch.cat([per_class, valid[None]], dim=0)
        params = fit_gmm_1d(
            x.expand(masks.shape[0], -1),
            masks,
            max_iter=self.max_iter,
            tol=self.tol,
            reg_covar=self.reg_covar)
        enough = masks.sum(1) >= self.min_samples
        keep = enough[:, None]
        self.means.copy_(torch.where(keep, params.means, self.means))
        self.variances.copy_(
            torch.where(keep, params.variances, self.variances))
        self.weights.copy_(torch.where(keep, params.weights, self.weights))
        self.group_fitted.copy_(self.group_fitted | enough)
        return True

    @torch.no_grad()
    def posterior(self,
                  scores: Tensor,
                  labels: Optional[Tensor] = None) -> Tensor:
        """Probability that each score belongs to the reliable component.

        Before the first fit every score gets 0: nothing counts as reliable
        until the mixture exists.

        Args:
            scores (Tensor): ``(N,)`` reliability scores.
            labels (Tensor, optional): ``(N,)`` pseudo-labels (per-class
                mixtures).

        Returns:
            Tensor: ``(N,)`` posteriors in ``[0, 1]``.
        """
        if not self.fitted:
            return torch.zeros_like(scores, dtype=torch.float)
        group = torch.full_like(scores, self.means.shape[0] - 1,
                                dtype=torch.long)
        if self.per_class:
            if labels is None:
                raise ValueError('ReliabilityGMM(per_class=True).posterior '
                                 'needs the pseudo-labels of the scores')
            own = labels.clamp(0, self.num_classes - 1)
            group = torch.where(self.group_fitted[own], own, group)
        return monotone_posterior(
            self._normalise(scores), self.means[group],
            self.variances[group], self.weights[group])
