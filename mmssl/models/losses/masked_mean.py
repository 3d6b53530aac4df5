"""Mean of a per-pixel loss over the pixels a mask keeps."""
from typing import Optional

from torch import Tensor


def masked_mean(values: Tensor,
                mask: Optional[Tensor] = None,
                eps: float = 1e-6) -> Tensor:
    """Mean of ``values`` over the elements where ``mask`` is set.

    Args:
        values (Tensor): any shape, e.g. ``B x 1 x T x H x W``.
        mask (Tensor, optional): bool or float, broadcastable to ``values``
            (e.g. ``B x 1 x 1 x H x W`` valid pixels); ``None`` keeps all.
        eps (float): guards an empty mask (the mean is then 0).

    Returns:
        Tensor: scalar.
    """
    if mask is None:
        return values.mean()
    weight = mask.to(values.dtype).expand_as(values)
    return (values * weight).sum() / weight.sum().clamp_min(eps)
