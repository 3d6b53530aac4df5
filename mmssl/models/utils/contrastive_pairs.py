"""Adaptive selection of contrastive positives and negatives from a bank."""
from typing import NamedTuple

import torch
from torch import Tensor


class ContrastivePairs(NamedTuple):
    """Pair masks between ``B`` anchors and ``K`` bank entries.

    Attributes:
        pos_weight (Tensor): ``(B, K)`` float weight of each positive, 0 for
            non-positives.
        neg_mask (Tensor): ``(B, K)`` bool, entry is a negative of the anchor.
    """
    pos_weight: Tensor
    neg_mask: Tensor


def select_contrastive_pairs(anchor_labels: Tensor,
                             bank_labels: Tensor,
                             bank_reliability: Tensor,
                             bank_valid: Tensor,
                             pos_threshold: float = 0.5,
                             neg_threshold: float = 0.5,
                             soft_positives: bool = True) -> ContrastivePairs:
    """Pick positives and negatives for every anchor, all anchors at once.

    A bank entry is a *positive* of an anchor if it carries the anchor's
    (pseudo-)label and its reliability (GMM posterior) is at least
    ``pos_threshold``; with ``soft_positives`` its weight is that posterior,
    otherwise 1. It is a *negative* if its label differs and its reliability
    is at least ``neg_threshold``: an unreliable entry may in truth belong to
    the anchor's class, so it is left out rather than pushed away.

    Args:
        anchor_labels (Tensor): ``(B,)`` labels of the anchors.
        bank_labels (Tensor): ``(K,)`` pseudo-labels of the bank.
        bank_reliability (Tensor): ``(K,)`` reliability weights in [0, 1].
        bank_valid (Tensor): ``(K,)`` bool, filled slots.
        pos_threshold (float): minimum reliability of a positive.
        neg_threshold (float): minimum reliability of a negative.
        soft_positives (bool): weight positives by their reliability.

    Returns:
        ContrastivePairs: ``(B, K)`` positive weights and negative mask.
    """
    same = anchor_labels[:, None] == bank_labels[None, :]
    valid = bank_valid[None, :]
    pos = same & valid & (bank_reliability >= pos_threshold)[None, :]
    neg = ~same & valid & (bank_reliability >= neg_threshold)[None, :]
    if soft_positives:
        pos_weight = pos * bank_reliability[None, :].to(torch.float)
    else:
        pos_weight = pos.to(torch.float)
    return ContrastivePairs(pos_weight=pos_weight, neg_mask=neg)
