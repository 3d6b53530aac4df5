"""Mapping predictions of an augmented view back to its reference view."""
from typing import Sequence, Tuple, Union

import numpy as np
import torch
import torch.nn.functional as F

#: sampling positions closer than this (in pixels) to a pixel centre are
#: moved onto it, so flips and integer crops copy pixels exactly.
_SNAP = 1e-6


def _as_affine(affine: Union[torch.Tensor, np.ndarray, Sequence],
               batch: int, device: torch.device) -> torch.Tensor:
    """``affine`` as a (B, 2, 3) float64 tensor on ``device``."""
    if isinstance(affine, (list, tuple)) and len(affine) and isinstance(
            affine[0], torch.Tensor):
        affine = torch.stack(list(affine))
    if not isinstance(affine, torch.Tensor):
        affine = torch.from_numpy(np.asarray(affine, dtype=np.float64))
    affine = affine.to(device=device, dtype=torch.float64)
    if affine.dim() == 2:
        affine = affine.expand(batch, 2, 3)
    if affine.shape != (batch, 2, 3):
        raise ValueError(f'affine must be (2, 3) or ({batch}, 2, 3), got '
                         f'{tuple(affine.shape)}')
    return affine


def _pixel_coords(affine: torch.Tensor, view_size: Tuple[int, int],
                  out_size: Tuple[int, int]) -> Tuple[torch.Tensor, ...]:
    """Pixel coordinates in the view of every reference pixel centre.

    Returns:
        tuple[torch.Tensor, torch.Tensor]: ``x`` and ``y``, each
        (B, H', W') float64, in pixel-index units (centre of pixel ``i`` is
        ``i``), snapped onto pixel centres within ``_SNAP``.
    """
    height, width = view_size
    linear, shift = affine[:, :, :2], affine[:, :, 2:]
    inverse = torch.linalg.inv(linear)
    theta = torch.cat([inverse, -inverse @ shift], dim=2)
    grid = F.affine_grid(
        theta, (affine.shape[0], 1, *out_size), align_corners=False)
    x = ((grid[..., 0] + 1) * width - 1) / 2
    y = ((grid[..., 1] + 1) * height - 1) / 2
    x = torch.where((x - x.round()).abs() < _SNAP, x.round(), x)
    y = torch.where((y - y.round()).abs() < _SNAP, y.round(), y)
    return x, y


def restore_view(pred: torch.Tensor,
                 affine: Union[torch.Tensor, np.ndarray, Sequence],
                 out_size: Tuple[int, int],
                 mode: str = 'bilinear'
                 ) -> Tuple[torch.Tensor, torch.Tensor]:
    """Resample predictions of views onto their reference view's pixels.

    ``affine`` is each view's ``view_affine``: it maps the view's normalised
    coordinates (``align_corners=False``) to the reference view's. The
    reference grid is mapped into each view through the inverse affine
    (``affine_grid``), and the view is sampled there in one batched gather,
    bilinearly with border clamping. Positions within ``1e-6`` px of a pixel
    centre are snapped onto it, so a flip restores exactly and an integer
    crop restores the cropped region exactly.

    Args:
        pred (torch.Tensor): (B, C, T, H, W) predictions of the views
            (floating point for ``'bilinear'``).
        affine (torch.Tensor | np.ndarray | Sequence): (B, 2, 3) or (2, 3)
            ``view_affine`` of each view (e.g. the list of the samples'
            metainfo values).
        out_size (tuple[int, int]): ``(H', W')`` of the reference view.
        mode (str): ``'bilinear'`` or ``'nearest'``. Defaults to
            ``'bilinear'``.

    Returns:
        tuple[torch.Tensor, torch.Tensor]: ``restored`` (B, C, T, H', W'),
        zero where the view did not see the reference pixel, and ``valid``
        (B, 1, 1, H', W') bool, the reference pixels inside the view.
    """
    if pred.dim() != 5:
        raise ValueError(f'pred must be B x C x T x H x W, got '
                         f'{tuple(pred.shape)}')
    if mode not in ('bilinear', 'nearest'):
        raise ValueError(f"mode must be 'bilinear' or 'nearest', got {mode!r}")
    if mode == 'bilinear' and not pred.is_floating_point():
        raise TypeError('bilinear restore_view needs floating-point pred; '
                        "use mode='nearest' for integer masks")
    batch, channels, frames, height, width = pred.shape
    out_h, out_w = int(out_size[0]), int(out_size[1])
    affine = _as_affine(affine, batch, pred.device)
    x, y = _pixel_coords(affine, (height, width), (out_h, out_w))
    valid = ((x >= -0.5) & (x <= width - 0.5) & (y >= -0.5) &
             (y <= height - 0.5))
    x = x.clamp(0, width - 1)
    y = y.clamp(0, height - 1)
    flat = pred.reshape(batch, channels * frames, height * width)

    def gather(ys: torch.Tensor, xs: torch.Tensor) -> torch.Tensor:
        index = (ys * width + xs).reshape(batch, 1, -1)
        return flat.gather(2, index.expand(-1, flat.shape[1], -1))

    if mode == 'nearest':
        out = gather(y.round().long(), x.round().long())
    else:
        x0, y0 = x.floor(), y.floor()
        wx = (x - x0).reshape(batch, 1, -1).to(pred.dtype)
        wy = (y - y0).reshape(batch, 1, -1).to(pred.dtype)
        x0, y0 = x0.long(), y0.long()
        x1 = (x0 + 1).clamp(max=width - 1)
        y1 = (y0 + 1).clamp(max=height - 1)
        top = gather(y0, x0) * (1 - wx) + gather(y0, x1) * wx
        bottom = gather(y1, x0) * (1 - wx) + gather(y1, x1) * wx
        out = top * (1 - wy) + bottom * wy
    mask = valid.reshape(batch, 1, -1)
    out = torch.where(mask, out, torch.zeros((), dtype=out.dtype,
                                             device=out.device))
    restored = out.reshape(batch, channels, frames, out_h, out_w)
    return restored, valid.reshape(batch, 1, 1, out_h, out_w)
