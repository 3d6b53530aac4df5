"""Memory bank of projected features of pseudo-labeled clips."""
from typing import Optional

import torch
import torch.nn.functional as F
from torch import Tensor, nn


class PseudoLabelMemoryBank(nn.Module):
    """Stores L2-normalised features with pseudo-labels and reliability.

    Two addressing modes:

    - ``'fifo'`` (CoMatch): a ring buffer; each batch overwrites the oldest
      entries.
    - ``'index'`` (SimMatch): one slot per dataset sample, addressed by the
      sample's index; a slot that already holds a feature is updated as
      ``normalise(momentum * old + (1 - momentum) * new)``.

    All state (features, labels, reliability, validity, write pointer) is in
    registered buffers, so checkpoints hold it and a resumed run continues
    with the same bank.

    Args:
        size (int): number of slots (the dataset size in ``'index'`` mode).
        feat_dim (int): feature dimension.
        mode (str): ``'fifo'`` or ``'index'``. Defaults to ``'fifo'``.
        momentum (float): feature momentum in ``'index'`` mode. Defaults to
            0.7 (SimMatch).
    """

    def __init__(self,
                 size: int,
                 feat_dim: int,
                 mode: str = 'fifo',
                 momentum: float = 0.7) -> None:
        super().__init__()
        if mode not in ('fifo', 'index'):
            raise ValueError(f"memory bank mode must be 'fifo' or 'index', "
                             f'got {mode!r}')
        if size <= 0 or feat_dim <= 0:
            raise ValueError(f'memory bank needs size > 0 and feat_dim > 0, '
                             f'got size={size}, feat_dim={feat_dim}')
        self.size = size
        self.feat_dim = feat_dim
        self.mode = mode
        self.momentum = momentum
        self.register_buffer('feats', torch.zeros(size, feat_dim))
        self.register_buffer('labels',
                             torch.full((size, ), -1, dtype=torch.long))
        self.register_buffer('reliability', torch.zeros(size))
        self.register_buffer('valid', torch.zeros(size, dtype=torch.bool))
        self.register_buffer('ptr', torch.zeros((), dtype=torch.long))

    def __len__(self) -> int:
        return self.size

    @property
    def num_valid(self) -> Tensor:
        """Tensor: scalar count of filled slots (no host sync)."""
        return self.valid.sum()

    @torch.no_grad()
    def enqueue(self,
                feats: Tensor,
                labels: Tensor,
                reliability: Tensor,
                indices: Optional[Tensor] = None) -> None:
        """Write a batch into the bank.

        Args:
            feats (Tensor): ``(N, D)`` features (normalised here).
            labels (Tensor): ``(N,)`` pseudo-labels.
            reliability (Tensor): ``(N,)`` reliability scores.
            indices (Tensor, optional): ``(N,)`` dataset indices, required in
                ``'index'`` mode and ignored in ``'fifo'`` mode.
        """
        if feats.dim() != 2 or feats.shape[1] != self.feat_dim:
            raise ValueError(f'memory bank expects (N, {self.feat_dim}) '
                             f'features, got {tuple(feats.shape)}')
        feats = F.normalize(feats.detach().to(self.feats.dtype), dim=1)
        labels = labels.detach().long()
        reliability = reliability.detach().to(self.reliability.dtype)
        if self.mode == 'fifo':
            self._enqueue_fifo(feats, labels, reliability)
        else:
            if indices is None:
                raise ValueError("memory bank in 'index' mode needs the "
                                 'dataset indices of the samples')
            self._write_index(feats, labels, reliability, indices.long())

    def _enqueue_fifo(self, feats: Tensor, labels: Tensor,
                      reliability: Tensor) -> None:
        num = feats.shape[0]
        if num > self.size:  # only the newest `size` entries survive
            feats, labels = feats[-self.size:], labels[-self.size:]
            reliability = reliability[-self.size:]
            start = self.ptr + (num - self.size)
            num = self.size
        else:
            start = self.ptr
        slots = (start + torch.arange(num, device=feats.device)) % self.size
        self.feats[slots] = feats
        self.labels[slots] = labels
        self.reliability[slots] = reliability
        self.valid[slots] = True
        self.ptr.copy_((start + num) % self.size)

    def _write_index(self, feats: Tensor, labels: Tensor, reliability: Tensor,
                     indices: Tensor) -> None:
        if indices.numel() and (indices.min() < 0
                                or indices.max() >= self.size):
            raise IndexError(f'memory bank index out of range [0, '
                             f'{self.size}): got {indices.tolist()}')
        old = self.feats[indices]
        mixed = F.normalize(
            self.momentum * old + (1 - self.momentum) * feats, dim=1)
        self.feats[indices] = torch.where(self.valid[indices, None], mixed,
                                          feats)
        self.labels[indices] = labels
        self.reliability[indices] = reliability
        self.valid[indices] = True

    def ordered(self) -> tuple:
        """Valid entries, oldest first in ``'fifo'`` mode, by slot otherwise.

        Host-synchronising; meant for inspection and tests, not the training
        step (which uses the buffers with :attr:`valid` as a mask).

        Returns:
            tuple[Tensor]: features ``(M, D)``, labels ``(M,)``, reliability
            ``(M,)``.
        """
        slots = torch.arange(self.size, device=self.feats.device)
        if self.mode == 'fifo':
            slots = (slots + self.ptr) % self.size
        slots = slots[self.valid[slots]]
        return self.feats[slots], self.labels[slots], self.reliability[slots]
