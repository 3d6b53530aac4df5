"""Confidence thresholding of a teacher's class and mask predictions."""
from typing import NamedTuple

import torch
from torch import Tensor


class PseudoTargets(NamedTuple):
    """Hard pseudo-targets of a batch of unlabeled clips.

    Attributes:
        labels (Tensor): ``B`` long, the teacher's class.
        clip_keep (Tensor): ``B`` bool, clips whose class confidence reaches
            the class threshold.
        masks (Tensor): ``B x 1 x T x H x W`` float in ``{0, 1}``,
            foreground where the teacher's probability reaches the
            foreground threshold.
        pixel_keep (Tensor): same shape, bool: pixels of kept clips that are
            confidently foreground or confidently background.
    """
    labels: Tensor
    clip_keep: Tensor
    masks: Tensor
    pixel_keep: Tensor


def threshold_pseudo_labels(class_probs: Tensor, mask_probs: Tensor,
                            cls_threshold: float, pos_threshold: float,
                            neg_threshold: float) -> PseudoTargets:
    """Turn a teacher's predictions into hard targets, keeping the
    confident ones.

    A clip is kept when its top class probability is ``>= cls_threshold``;
    in a kept clip a pixel is a foreground target when its probability is
    ``>= pos_threshold``, a background target when ``<= neg_threshold``,
    and ignored in between.

    Args:
        class_probs (Tensor): ``B x C`` class distribution.
        mask_probs (Tensor): ``B x 1 x T x H x W`` foreground probability.
        cls_threshold (float): in ``[0, 1]``.
        pos_threshold (float): in ``[0, 1]``.
        neg_threshold (float): in ``[0, 1]``, ``< pos_threshold``.

    Returns:
        PseudoTargets: labels, kept clips, masks and kept pixels.
    """
    if not 0 <= neg_threshold < pos_threshold <= 1:
        raise ValueError(
            'pseudo-label thresholds need 0 <= neg_threshold < '
            f'pos_threshold <= 1, got neg_threshold={neg_threshold}, '
            f'pos_threshold={pos_threshold}')
    if not 0 <= cls_threshold <= 1:
        raise ValueError(
            f'cls_threshold must be in [0, 1], got {cls_threshold}')
    if mask_probs.shape[0] != class_probs.shape[0]:
        raise ValueError(f'{class_probs.shape[0]} class rows for '
                         f'{mask_probs.shape[0]} masks')
    confidence, labels = class_probs.max(dim=1)
    clip_keep = confidence >= cls_threshold
    positive = mask_probs >= pos_threshold
    confident = positive | (mask_probs <= neg_threshold)
    shape = (-1, ) + (1, ) * (mask_probs.dim() - 1)
    pixel_keep = confident & clip_keep.view(shape)
    return PseudoTargets(labels, clip_keep, positive.to(mask_probs.dtype),
                         pixel_keep)
