"""Gather the detection fields of a batch of ``ActionDataSample`` into
tensors (see ``docs/design/detection_sample.md``)."""
from typing import Optional, Sequence

import numpy as np
import torch
from torch import Tensor

from mmaction.utils import SampleList


def describe(sample) -> str:
    """Name a sample in error messages."""
    return repr(sample.get('video_name', '<unnamed clip>'))


def gt_labels(samples: SampleList, device: torch.device) -> Tensor:
    """``B`` class indices, ``-1`` where a clip has no label.

    Raises:
        ValueError: if a labeled clip (``is_labeled``) has no class.
    """
    labels = []
    for sample in samples:
        label = sample.get('gt_label', None)
        value = -1 if label is None else int(
            torch.as_tensor(label).view(-1)[0])
        if sample.get('is_labeled', False) and value < 0:
            raise ValueError(f'clip {describe(sample)} is labeled but has no '
                             'gt_label')
        labels.append(value)
    return torch.tensor(labels, dtype=torch.long, device=device)


def labeled_flags(samples: SampleList, device: torch.device) -> Tensor:
    """``B`` bool: the clip's ``is_labeled`` metainfo, or whether it has a
    class label when the field is absent."""
    flags = []
    for sample in samples:
        flag = sample.get('is_labeled', None)
        if flag is None:
            label = sample.get('gt_label', None)
            flag = label is not None and int(
                torch.as_tensor(label).view(-1)[0]) >= 0
        flags.append(bool(flag))
    return torch.tensor(flags, dtype=torch.bool, device=device)


def gt_masks(samples: SampleList, size: Sequence[int],
             device: torch.device) -> Tensor:
    """Stack ``gt_mask`` (``T x H x W``) into ``B x 1 x T x H x W`` floats.

    Args:
        samples (list): data samples, each with ``gt_mask``.
        size (tuple): expected ``(T, H, W)`` (the clip's).
        device (torch.device): where to put the result.

    Raises:
        ValueError: naming the clip whose mask is missing or misshapen.
    """
    masks = []
    for sample in samples:
        mask = sample.get('gt_mask', None)
        if mask is None:
            raise ValueError(f'clip {describe(sample)} has no gt_mask')
        mask = torch.as_tensor(mask)
        if tuple(mask.shape) != tuple(size):
            raise ValueError(f'clip {describe(sample)}: gt_mask is '
                             f'{tuple(mask.shape)}, the clip is {tuple(size)}')
        masks.append(mask.to(device=device, dtype=torch.float32))
    if not masks:
        return torch.zeros(0, 1, *size, device=device)
    return torch.stack(masks).unsqueeze(1)


def frame_valid(samples: SampleList, num_frames: int,
                device: torch.device) -> Tensor:
    """``B x 1 x T x 1 x 1`` bool of annotated frames (all frames for a
    sample without ``gt_frame_valid``)."""
    rows = []
    for sample in samples:
        valid = sample.get('gt_frame_valid', None)
        if valid is None:
            valid = torch.ones(num_frames, dtype=torch.bool)
        valid = torch.as_tensor(valid).bool().view(-1)
        if valid.numel() != num_frames:
            raise ValueError(f'clip {describe(sample)}: gt_frame_valid has '
                             f'{valid.numel()} frames, the clip {num_frames}')
        rows.append(valid.to(device))
    if not rows:
        return torch.zeros(0, 1, num_frames, 1, 1, dtype=torch.bool,
                           device=device)
    return torch.stack(rows).view(-1, 1, num_frames, 1, 1)


def view_affines(samples: SampleList, device: torch.device,
                 dtype: torch.dtype = torch.float32) -> Tensor:
    """``B x 2 x 3`` ``view_affine`` matrices.

    Raises:
        ValueError: naming the clip whose matrix is missing or not 2 x 3.
    """
    mats = []
    for sample in samples:
        affine = sample.get('view_affine', None)
        if affine is None:
            raise ValueError(f'clip {describe(sample)} has no view_affine '
                             'metainfo (the pipeline must record it)')
        affine = torch.as_tensor(np.asarray(affine, dtype=np.float64))
        if tuple(affine.shape) != (2, 3):
            raise ValueError(f'clip {describe(sample)}: view_affine is '
                             f'{tuple(affine.shape)}, expected (2, 3)')
        mats.append(affine)
    return torch.stack(mats).to(device=device, dtype=dtype)


def frame_interval(sample, default: Optional[int]) -> int:
    """The clip's ``frame_interval`` metainfo, else ``default``.

    Raises:
        ValueError: if neither is set.
    """
    value = sample.get('frame_interval', default)
    if value is None:
        raise ValueError(
            f'clip {describe(sample)} has no frame_interval metainfo; set '
            'test_cfg=dict(frame_interval=...) on the detector')
    return int(value)
