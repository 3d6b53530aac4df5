"""Skip-connection decoder from masked class-capsule poses to localization
logits."""
from typing import Sequence, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from mmaction.registry import MODELS

Stride = Tuple[int, int, int]


def upsampling_conv(in_channels: int, out_channels: int,
                    stride: Sequence[int]) -> nn.ConvTranspose3d:
    """Transposed convolution that multiplies each axis by its stride.

    A stride of 2 gives the released decoder's ``kernel 3, padding 1,
    output_padding 1``; a stride of 1 keeps the size (``kernel 3,
    padding 1``); a stride ``s > 2`` uses ``kernel 2s - 1``.
    """
    kernel, padding, output_padding = [], [], []
    for s in stride:
        if s == 1:
            kernel.append(3), padding.append(1), output_padding.append(0)
        else:
            p = s // 2
            kernel.append(2 * s - 1), padding.append(p)
            output_padding.append(2 * p + 1 - s)
    return nn.ConvTranspose3d(in_channels, out_channels, tuple(kernel),
                              tuple(stride), tuple(padding),
                              tuple(output_padding))


def match_size(x: Tensor, size: Sequence[int], stride: Sequence[int],
               where: str) -> Tensor:
    """Resize ``x`` (``B x C x T x H x W``) to ``size`` when it is off by
    less than one stride per axis (odd input sizes); raise otherwise."""
    if tuple(x.shape[2:]) == tuple(size):
        return x
    off = [abs(a - b) for a, b in zip(x.shape[2:], size)]
    if any(o >= max(s, 2) for o, s in zip(off, stride)):
        raise ValueError(
            f'decoder {where}: upsampled to {tuple(x.shape[2:])}, expected '
            f'{tuple(size)}; check the decoder strides against the encoder')
    return F.interpolate(x, size=tuple(size), mode='trilinear',
                         align_corners=False)


@MODELS.register_module()
class CapsuleMaskDecoder(nn.Module):
    """Decoder of E2E-SSL / VideoCapsuleNet.

    The masked poses (``C * D`` channels on the ``h x w`` grid) are brought
    back to the encoder's last feature size by a transposed convolution with
    the primary capsules' kernel, concatenated with a projection of that
    feature, then upsampled stage by stage, each stage concatenated with a
    projection of a skip feature, up to the input clip's size.

    Args:
        num_classes (int): classes ``C``.
        deep_channels (int): channels of the encoder's last feature (832).
        skip_channels (Sequence[int]): channels of the skip features, fine to
            coarse (I3D: ``(64, 192)``).
        strides (Sequence[tuple]): ``(t, h, w)`` upsampling of each stage,
            from the last feature to the coarsest skip, ..., from the finest
            skip to the input (``len(skip_channels) + 1`` entries; I3D:
            ``((2, 2, 2),) * 3``).
        pose_size (int): ``P``.
        primary_kernel (int): the primary capsules' kernel.
        class_kernel (int): the class capsule layer's kernel.
        channels (int): channels of each stage's upsampling and projections
            (64).
        dropout (float): channel dropout before the last convolution (0.5).
    """

    def __init__(self,
                 num_classes: int,
                 deep_channels: int = 832,
                 skip_channels: Sequence[int] = (64, 192),
                 strides: Sequence[Stride] = ((2, 2, 2), (2, 2, 2),
                                              (2, 2, 2)),
                 pose_size: int = 4,
                 primary_kernel: int = 9,
                 class_kernel: int = 1,
                 channels: int = 64,
                 dropout: float = 0.5) -> None:
        super().__init__()
        if len(strides) != len(skip_channels) + 1:
            raise ValueError(f'{len(skip_channels)} skip features need '
                             f'{len(skip_channels) + 1} strides, got '
                             f'{len(strides)}')
        self.strides = tuple(tuple(s) for s in strides)
        self.pose_up = nn.ConvTranspose2d(
            num_classes * pose_size**2, channels,
            primary_kernel + class_kernel - 1)
        self.deep_proj = nn.Conv2d(deep_channels, channels, 3, padding=1)
        coarse_to_fine = list(skip_channels)[::-1]
        self.ups = nn.ModuleList(
            upsampling_conv(2 * channels, channels, s)
            for s in self.strides[:-1])
        self.skip_projs = nn.ModuleList(
            nn.Conv3d(c, channels, 3, padding=1) for c in coarse_to_fine)
        self.final_up = upsampling_conv(2 * channels, 2 * channels,
                                        self.strides[-1])
        self.dropout = nn.Dropout3d(dropout)
        self.out_conv = nn.Conv3d(2 * channels, 1, 3, padding=1)

    def forward(self, poses: Tensor, deep: Tensor, skips: Sequence[Tensor],
                out_size: Sequence[int]) -> Tensor:
        """Decode.

        Args:
            poses (Tensor): masked class poses ``B x h x w x C x D``.
            deep (Tensor): the encoder's last feature, time pooled,
                ``B x C_deep x H' x W'``.
            skips (list[Tensor]): skip features, fine to coarse, each
                ``B x C_i x T_i x H_i x W_i``.
            out_size (tuple): ``(T, H, W)`` of the input clip.

        Returns:
            Tensor: localization logits ``B x 1 x T x H x W``.
        """
        if len(skips) != len(self.skip_projs):
            raise ValueError(f'decoder built for {len(self.skip_projs)} skip '
                             f'features, got {len(skips)}')
        grid = poses.flatten(3).permute(0, 3, 1, 2)
        x = F.relu(self.pose_up(grid))
        if x.shape[-2:] != deep.shape[-2:]:
            raise ValueError(
                f'poses decode to {tuple(x.shape[-2:])} but the encoder '
                f'feature is {tuple(deep.shape[-2:])}; primary_kernel / '
                'class_kernel must match the capsule head')
        x = torch.cat([x, F.relu(self.deep_proj(deep))], dim=1).unsqueeze(2)
        for i, (up, proj, skip) in enumerate(
                zip(self.ups, self.skip_projs, reversed(skips))):
            x = F.relu(up(x))
            x = match_size(x, skip.shape[2:], self.strides[i], f'stage {i}')
            x = torch.cat([x, F.relu(proj(skip))], dim=1)
        x = match_size(self.final_up(x), out_size, self.strides[-1],
                       'output')
        return self.out_conv(self.dropout(x))
