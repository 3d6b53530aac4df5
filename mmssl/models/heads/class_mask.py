"""Select which class capsules' poses reach the localization decoder."""
from typing import Optional

import torch
import torch.nn.functional as F
from torch import Tensor


def class_mask(scores: Tensor,
               labels: Optional[Tensor] = None,
               use_all: Optional[Tensor] = None) -> Tensor:
    """One-hot (or all-ones) mask over classes for each clip.

    A clip with a label ``>= 0`` keeps that class (ground truth); a clip
    with ``use_all`` keeps every class (unlabeled clips during the warm-up);
    any other clip keeps its predicted class (argmax of ``scores``).

    Args:
        scores (Tensor): ``B x C`` class scores.
        labels (Tensor, optional): ``B`` class indices, ``-1`` for unknown.
        use_all (Tensor, optional): ``B`` bool.

    Returns:
        Tensor: ``B x C`` in ``{0, 1}``, no gradient.
    """
    num_classes = scores.shape[1]
    mask = F.one_hot(scores.detach().argmax(dim=1), num_classes)
    if labels is not None:
        labels = labels.to(scores.device).long().view(-1)
        if labels.numel() != scores.shape[0] or \
                bool((labels >= num_classes).any()):
            raise ValueError(f'labels {labels.tolist()} do not fit '
                             f'{scores.shape[0]} clips of {num_classes} '
                             'classes')
        known = F.one_hot(labels.clamp_min(0), num_classes)
        mask = torch.where((labels >= 0)[:, None], known, mask)
    if use_all is not None:
        use_all = use_all.to(scores.device).bool().view(-1, 1)
        mask = torch.where(use_all, torch.ones_like(mask), mask)
    return mask.to(scores.dtype)


def mask_poses(poses: Tensor, mask: Tensor) -> Tensor:
    """Zero the poses of the classes a mask drops.

    Args:
        poses (Tensor): ``B x h x w x C x D``.
        mask (Tensor): ``B x C``.

    Returns:
        Tensor: ``B x h x w x C x D``.
    """
    return poses * mask[:, None, None, :, None]
