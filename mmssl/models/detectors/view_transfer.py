"""Carry per-pixel maps from one view of a clip to another view of it."""
from typing import Tuple

import torch
from torch import Tensor

from ...datasets.transforms import restore_view


def lift(affines: Tensor) -> Tensor:
    """``B x 2 x 3`` affines as ``B x 3 x 3`` homogeneous matrices."""
    last = affines.new_tensor([0., 0., 1.]).expand(affines.shape[0], 1, 3)
    return torch.cat([affines, last], dim=1)


def relative_affine(src_affines: Tensor, dst_affines: Tensor) -> Tensor:
    """Affines from ``src`` views to ``dst`` views of the same clips.

    Both are ``view_affine`` matrices (a view's normalised coordinates ->
    the shared reference view's); the result maps ``src`` coordinates to
    ``dst`` coordinates: ``dst^-1 src``.

    Args:
        src_affines (Tensor): ``B x 2 x 3``.
        dst_affines (Tensor): ``B x 2 x 3``.

    Returns:
        Tensor: ``B x 2 x 3``.
    """
    src = lift(src_affines.double())
    dst = lift(dst_affines.double())
    return (torch.linalg.inv(dst) @ src)[:, :2].to(src_affines.dtype)


def transfer_view(maps: Tensor, src_affines: Tensor, dst_affines: Tensor,
                  out_size: Tuple[int, int]) -> Tuple[Tensor, Tensor]:
    """Resample maps predicted on ``src`` views onto the pixels of ``dst``
    views (e.g. a teacher's masks onto the student's flipped or cropped
    view); identical geometry copies the maps exactly.

    Args:
        maps (Tensor): ``B x C x T x H x W`` on the ``src`` views.
        src_affines (Tensor): ``B x 2 x 3`` ``view_affine`` of the ``src``
            views.
        dst_affines (Tensor): ``B x 2 x 3`` ``view_affine`` of the ``dst``
            views.
        out_size (tuple[int, int]): ``(H', W')`` of the ``dst`` views.

    Returns:
        tuple[Tensor, Tensor]: the maps on the ``dst`` pixels
        (``B x C x T x H' x W'``, 0 where ``src`` did not see them) and
        ``valid`` (``B x 1 x 1 x H' x W'`` bool).
    """
    return restore_view(maps, relative_affine(src_affines, dst_affines),
                        out_size)
