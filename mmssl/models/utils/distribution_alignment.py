"""Distribution alignment of pseudo-label probabilities (ReMixMatch)."""
from typing import Optional, Sequence

import torch
from mmengine.dist import all_gather
from torch import Tensor, nn


class DistributionAlignment(nn.Module):
    """Rescale probabilities by ``target / running_mean`` and renormalise.

    ``running_mean`` is an exponential moving average of the teacher's mean
    class probabilities on unlabeled batches (over all processes); the target
    is uniform unless a class prior is given. Classes the teacher
    over-predicts are damped, rare ones boosted (ReMixMatch; FixMatch's and
    CoMatch's optional "DA").

    Args:
        num_classes (int): number of classes.
        momentum (float): EMA decay of the running mean. Defaults to 0.999.
        target (Sequence[float], optional): class prior, normalised here;
            defaults to uniform.
    """

    def __init__(self,
                 num_classes: int,
                 momentum: float = 0.999,
                 target: Optional[Sequence[float]] = None) -> None:
        super().__init__()
        if not 0 <= momentum < 1:
            raise ValueError('DistributionAlignment.momentum must be in '
                             f'[0, 1), got {momentum}')
        prior = (torch.full((num_classes, ), 1.0 / num_classes)
                 if target is None else torch.as_tensor(target, dtype=float))
        if prior.shape != (num_classes, ) or (prior < 0).any():
            raise ValueError(f'DistributionAlignment.target must hold '
                             f'{num_classes} non-negative values')
        self.momentum = momentum
        self.register_buffer('target', (prior / prior.sum()).float())
        self.register_buffer('running_mean',
                             torch.full((num_classes, ), 1.0 / num_classes))

    @torch.no_grad()
    def forward(self, probs: Tensor, update: bool = True) -> Tensor:
        """Align a batch of probabilities.

        Args:
            probs (Tensor): ``(B, K)`` probabilities.
            update (bool): update the running mean with this batch first.

        Returns:
            Tensor: ``(B, K)`` aligned probabilities (rows sum to 1).
        """
        if update:
            batch_mean = torch.cat(all_gather(probs.detach().float())).mean(0)
            self.running_mean.mul_(self.momentum).add_(
                batch_mean, alpha=1 - self.momentum)
        aligned = probs * (self.target / self.running_mean.clamp(min=1e-6))
        return aligned / aligned.sum(-1, keepdim=True)
