"""Temporal attention masks of E2E-SSL (temporal coherence, gradient
smoothness), computed batched on the maps' device.

Both masks take and return ``B x 1 x T x H x W`` tensors, are min-max
normalised per clip (over ``1 x T x H x W``) and detached: they weight a
consistency loss and receive no gradient.
"""
from typing import Optional

import torch
from torch import Tensor


def minmax_normalize(x: Tensor, eps: float = 1e-7) -> Tensor:
    """Min-max normalise each clip of a batch to ``[0, 1]``.

    Args:
        x (Tensor): ``B x ...`` values.
        eps (float): added to the range, so a constant clip maps to 0.

    Returns:
        Tensor: same shape, ``(x - min) / (max - min + eps)`` per clip.
    """
    flat = x.flatten(1)
    low = flat.min(dim=1).values.view(-1, *([1] * (x.dim() - 1)))
    high = flat.max(dim=1).values.view(-1, *([1] * (x.dim() - 1)))
    return (x - low) / (high - low + eps)


def _check_maps(name: str, x: Tensor) -> None:
    if x.dim() != 5 or x.shape[1] != 1:
        raise ValueError(f'{name} must be B x 1 x T x H x W, got '
                         f'{tuple(x.shape)}')


def _window_variance(x: Tensor, window: int) -> Tensor:
    """Variance over a window of frames centred on each frame, truncated at
    the clip's ends.

    Args:
        x (Tensor): ``B x 1 x T x H x W``.
        window (int): odd number of frames.

    Returns:
        Tensor: ``B x 1 x T x H x W`` variance (population, over the frames
        of the window that exist).
    """
    half = window // 2
    num_frames = x.shape[2]
    frames = torch.arange(num_frames, device=x.device)
    offsets = range(-half, half + 1)
    padded = torch.nn.functional.pad(x, (0, 0, 0, 0, half, half))

    def shifted(offset: int) -> Tensor:
        return padded[:, :, half + offset:half + offset + num_frames]

    def inside(offset: int) -> Tensor:
        keep = (frames + offset >= 0) & (frames + offset < num_frames)
        return keep.to(x.dtype).view(1, 1, -1, 1, 1)

    count = sum(inside(k) for k in offsets)
    mean = sum(shifted(k) * inside(k) for k in offsets) / count
    return sum(inside(k) * (shifted(k) - mean)**2 for k in offsets) / count


def _cyclic_window_variance(cycle: Tensor, window: int) -> Tensor:
    """Variance over a window of frames centred on each frame of a cycle
    (the window wraps around the end of the sequence).

    Args:
        cycle (Tensor): ``B x 1 x L x H x W``.
        window (int): odd number of frames.

    Returns:
        Tensor: ``B x 1 x L x H x W``.
    """
    half = window // 2
    offsets = range(-half, half + 1)
    mean = sum(cycle.roll(-k, dims=2) for k in offsets) / window
    return sum((cycle.roll(-k, dims=2) - mean)**2 for k in offsets) / window


def cyclic_variance(pred: Tensor, restored_aug_pred: Tensor,
                    window: int = 5) -> Tensor:
    """Unnormalised cyclic variance map of E2E-SSL.

    The cycle holds the ``T`` frames of ``pred`` followed by the augmented
    view's frames ``T-2 .. 1`` (time-reversed, first and last dropped), so it
    has ``L = 2T - 2`` frames and wraps around. The variance over the window
    is computed for every cycle frame and folded back onto the clip: frame
    ``t`` gets the variance at its own position plus the one at the
    augmented copy of frame ``t`` (position ``L - t``); the end frames, which
    occur once, count twice.

    Args:
        pred (Tensor): ``B x 1 x T x H x W``, ``T >= 2``.
        restored_aug_pred (Tensor): the augmented view's maps in ``pred``'s
            pixels and time order, same shape.
        window (int): odd number of frames.

    Returns:
        Tensor: ``B x 1 x T x H x W``.
    """
    num_frames = pred.shape[2]
    if num_frames < 2:
        raise ValueError('cyclic variance needs clips of at least 2 frames, '
                         f'got {num_frames}')
    reversed_aug = restored_aug_pred.flip(2)[:, :, 1:num_frames - 1]
    cycle = torch.cat([pred, reversed_aug], dim=2)
    variance = _cyclic_window_variance(cycle, window)
    length = cycle.shape[2]
    frames = torch.arange(num_frames, device=pred.device)
    mirror = (length - frames) % length
    return variance[:, :, :num_frames] + variance[:, :, mirror]


@torch.no_grad()
def variance_attention(pred: Tensor,
                       restored_aug_pred: Optional[Tensor] = None,
                       window: int = 5,
                       cyclic: bool = True,
                       valid: Optional[Tensor] = None,
                       eps: float = 1e-7) -> Tensor:
    """Temporal-coherence attention ``M_var`` (paper Eq. 4).

    Per pixel, the variance of the maps over ``window`` frames centred on
    each frame (``window=5``: +-2 frames). With ``cyclic=True`` the variance
    runs over the cycle of the original clip and the time-reversed augmented
    view (see :func:`cyclic_variance`); otherwise over ``pred`` alone, with
    the window truncated at the clip's ends.

    Args:
        pred (Tensor): ``B x 1 x T x H x W`` maps of the original view
            (logits or probabilities: the mask is computed on what is given).
        restored_aug_pred (Tensor, optional): the augmented view's maps
            already mapped back to ``pred``'s pixels, in original time order;
            needed when ``cyclic``.
        window (int): odd number of frames in the window.
        cyclic (bool): use the cyclic variance.
        valid (Tensor, optional): ``B x 1 x 1 x H x W`` (or broadcastable)
            bool mask of pixels the augmented view saw; elsewhere the
            augmented maps are replaced by ``pred``.
        eps (float): added to the range in the min-max normalisation.

    Returns:
        Tensor: ``B x 1 x T x H x W`` mask in ``[0, 1]`` (per clip), detached.
    """
    _check_maps('pred', pred)
    if window < 1 or window % 2 == 0:
        raise ValueError(f'window must be a positive odd number, got {window}')
    if not cyclic:
        return minmax_normalize(_window_variance(pred.detach(), window), eps)
    if restored_aug_pred is None:
        raise ValueError('variance_attention(cyclic=True) needs '
                         'restored_aug_pred')
    _check_maps('restored_aug_pred', restored_aug_pred)
    if restored_aug_pred.shape != pred.shape:
        raise ValueError(
            f'pred {tuple(pred.shape)} and restored_aug_pred '
            f'{tuple(restored_aug_pred.shape)} differ in shape')
    aug = restored_aug_pred.detach()
    if valid is not None:
        aug = torch.where(valid.bool(), aug, pred.detach())
    return minmax_normalize(cyclic_variance(pred.detach(), aug, window), eps)


def temporal_gradient(x: Tensor) -> Tensor:
    """First derivative along time (dim 2) as ``numpy.gradient``: central
    differences ``(x[t+1] - x[t-1]) / 2`` inside, one-sided at the ends.

    Args:
        x (Tensor): ``B x C x T x H x W``, ``T >= 2``.

    Returns:
        Tensor: same shape.
    """
    if x.shape[2] < 2:
        raise ValueError('a temporal gradient needs at least 2 frames, got '
                         f'{x.shape[2]}')
    first = x[:, :, 1:2] - x[:, :, 0:1]
    last = x[:, :, -1:] - x[:, :, -2:-1]
    inner = (x[:, :, 2:] - x[:, :, :-2]) / 2
    return torch.cat([first, inner, last], dim=2)


@torch.no_grad()
def gradient_attention(prob: Tensor,
                       absolute: bool = True,
                       eps: float = 1e-7) -> Tensor:
    """Gradient-smoothness attention ``M_grad`` (paper Eq. 6): the second
    temporal derivative of the localization probabilities (central
    differences applied twice).

    Args:
        prob (Tensor): ``B x 1 x T x H x W`` probabilities.
        absolute (bool): take ``|d2/dt2|`` before normalising (paper's
            reading: spikes of either sign get attention). ``False`` gives
            the released code's signed variant, where strongly negative
            curvature gets weight 0 and flat regions a middle weight.
        eps (float): added to the range in the min-max normalisation.

    Returns:
        Tensor: ``B x 1 x T x H x W`` mask in ``[0, 1]`` (per clip), detached.
    """
    _check_maps('prob', prob)
    second = temporal_gradient(temporal_gradient(prob.detach()))
    if absolute:
        second = second.abs()
    return minmax_normalize(second, eps)
