"""Momentum-updated class prototypes of labeled projections."""
import torch
import torch.nn.functional as F
from torch import Tensor, nn


class ClassPrototypes(nn.Module):
    """One L2-normalised prototype per class.

    A prototype is the mean of the normalised (teacher) projections of the
    labeled clips of its class; each update mixes the batch mean into it as
    ``normalise(momentum * old + (1 - momentum) * batch_mean)``. A class seen
    for the first time takes its batch mean directly. Prototypes and the
    "seen" flags are registered buffers.

    Args:
        num_classes (int): number of classes.
        feat_dim (int): feature dimension.
        momentum (float): prototype momentum. Defaults to 0.99.
    """

    def __init__(self,
                 num_classes: int,
                 feat_dim: int,
                 momentum: float = 0.99) -> None:
        super().__init__()
        self.num_classes = num_classes
        self.momentum = momentum
        self.register_buffer('prototypes', torch.zeros(num_classes, feat_dim))
        self.register_buffer('initialised',
                             torch.zeros(num_classes, dtype=torch.bool))

    @torch.no_grad()
    def update(self, feats: Tensor, labels: Tensor) -> None:
        """Mix the per-class batch means into the prototypes.

        Args:
            feats (Tensor): ``(N, D)`` features (normalised here).
            labels (Tensor): ``(N,)`` class indices; entries outside
                ``[0, num_classes)`` (e.g. -1 for unlabeled) are ignored.
        """
        feats = F.normalize(feats.detach().to(self.prototypes.dtype), dim=1)
        labels = labels.long()
        keep = (labels >= 0) & (labels < self.num_classes)
        safe = labels.clamp(0, self.num_classes - 1)
        weight = keep.to(feats.dtype)
        sums = torch.zeros_like(self.prototypes).index_add_(
            0, safe, feats * weight[:, None])
        counts = torch.zeros_like(self.prototypes[:, 0]).index_add_(
            0, safe, weight)
        present = counts > 0
        batch_mean = sums / counts.clamp(min=1)[:, None]
        mixed = (self.momentum * self.prototypes +
                 (1 - self.momentum) * batch_mean)
        new = torch.where(self.initialised[:, None], mixed, batch_mean)
        self.prototypes.copy_(
            torch.where(present[:, None], F.normalize(new, dim=1),
                        self.prototypes))
        self.initialised.copy_(self.initialised | present)

    def similarity(self, feats: Tensor, labels: Tensor) -> Tensor:
        """Cosine similarity of each feature to its class's prototype.

        A class without a prototype yet gives 0.

        Args:
            feats (Tensor): ``(N, D)`` features.
            labels (Tensor): ``(N,)`` class indices in ``[0, num_classes)``.

        Returns:
            Tensor: ``(N,)`` similarities in ``[-1, 1]``.
        """
        protos = self.prototypes[labels.long()]
        return (F.normalize(feats, dim=1) * protos).sum(1)
