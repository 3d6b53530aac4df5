"""I3D (Inception-v1) encoder with the E2E-SSL strides and skip outputs."""
from collections import OrderedDict
from typing import Dict, List, Optional, Sequence, Tuple

import torch
import torch.nn.functional as F
from mmengine.logging import MMLogger
from mmengine.model import BaseModule
from mmengine.runner.checkpoint import CheckpointLoader
from torch import Tensor, nn

from mmaction.registry import MODELS

# Endpoints in network order, with the pytorch-i3d (piergiaj) module names.
ENDPOINTS = ('Conv3d_1a_7x7', 'MaxPool3d_2a_3x3', 'Conv3d_2b_1x1',
             'Conv3d_2c_3x3', 'MaxPool3d_3a_3x3', 'Mixed_3b', 'Mixed_3c',
             'MaxPool3d_4a_3x3', 'Mixed_4b', 'Mixed_4c', 'Mixed_4d',
             'Mixed_4e', 'Mixed_4f', 'MaxPool3d_5a_2x2', 'Mixed_5b',
             'Mixed_5c')

# Branch widths of the Inception modules: b0, b1a, b1b, b2a, b2b, b3b.
INCEPTION_WIDTHS = {
    'Mixed_3b': (64, 96, 128, 16, 32, 32),
    'Mixed_3c': (128, 128, 192, 32, 96, 64),
    'Mixed_4b': (192, 96, 208, 16, 48, 64),
    'Mixed_4c': (160, 112, 224, 24, 64, 64),
    'Mixed_4d': (128, 128, 256, 24, 64, 64),
    'Mixed_4e': (112, 144, 288, 32, 64, 64),
    'Mixed_4f': (256, 160, 320, 32, 128, 128),
    'Mixed_5b': (256, 160, 320, 32, 128, 128),
    'Mixed_5c': (384, 192, 384, 48, 128, 128),
}

# Strides (t, h, w) that differ between the variants.
STRIDE_VARIANTS = {
    # Carreira & Zisserman / pytorch-i3d
    'original': {
        'Conv3d_2c_3x3': (1, 1, 1),
        'MaxPool3d_4a_3x3': (2, 2, 2)
    },
    # E2E-SSL: time 8 -> 1 at Mixed_4f while space stays at 1/8 (28x28)
    'e2e_ssl': {
        'Conv3d_2c_3x3': (2, 1, 1),
        'MaxPool3d_4a_3x3': (2, 1, 1)
    },
}


def same_padding(size: Sequence[int], kernel: Sequence[int],
                 stride: Sequence[int]) -> Tuple[int, ...]:
    """TensorFlow 'SAME' padding of a ``T x H x W`` input, in ``F.pad``
    order (``w_front, w_back, h_front, h_back, t_front, t_back``)."""
    pads = []
    for s, k, st in zip(size, kernel, stride):
        total = max(k - st, 0) if s % st == 0 else max(k - s % st, 0)
        pads.append((total // 2, total - total // 2))
    return tuple(p for pair in reversed(pads) for p in pair)


class Unit3D(nn.Module):
    """Conv3d (no bias) + BatchNorm + ReLU with 'SAME' padding.

    Args:
        in_channels (int): input channels.
        out_channels (int): output channels.
        kernel (tuple): kernel size ``(t, h, w)``.
        stride (tuple): stride ``(t, h, w)``.
    """

    def __init__(self,
                 in_channels: int,
                 out_channels: int,
                 kernel: Tuple[int, int, int] = (1, 1, 1),
                 stride: Tuple[int, int, int] = (1, 1, 1)) -> None:
        super().__init__()
        self.kernel = tuple(kernel)
        self.stride = tuple(stride)
        self.conv3d = nn.Conv3d(
            in_channels, out_channels, self.kernel, self.stride, bias=False)
        self.bn = nn.BatchNorm3d(out_channels, eps=0.001, momentum=0.01)

    def forward(self, x: Tensor) -> Tensor:
        """``B x C x T x H x W`` -> ``B x C' x T' x H' x W'``."""
        x = F.pad(x, same_padding(x.shape[2:], self.kernel, self.stride))
        return F.relu(self.bn(self.conv3d(x)))


class MaxPool3dSame(nn.MaxPool3d):
    """Max pooling with 'SAME' zero padding (inputs are non-negative)."""

    def forward(self, x: Tensor) -> Tensor:
        x = F.pad(x, same_padding(x.shape[2:], self.kernel_size, self.stride))
        return super().forward(x)


class InceptionModule(nn.Module):
    """Four-branch Inception block; module names follow pytorch-i3d.

    Args:
        in_channels (int): input channels.
        widths (tuple): ``b0, b1a, b1b, b2a, b2b, b3b`` channels.
    """

    def __init__(self, in_channels: int, widths: Sequence[int]) -> None:
        super().__init__()
        self.b0 = Unit3D(in_channels, widths[0])
        self.b1a = Unit3D(in_channels, widths[1])
        self.b1b = Unit3D(widths[1], widths[2], (3, 3, 3))
        self.b2a = Unit3D(in_channels, widths[3])
        self.b2b = Unit3D(widths[3], widths[4], (3, 3, 3))
        self.b3a = MaxPool3dSame((3, 3, 3), (1, 1, 1))
        self.b3b = Unit3D(in_channels, widths[5])
        self.out_channels = widths[0] + widths[2] + widths[4] + widths[5]

    def forward(self, x: Tensor) -> Tensor:
        return torch.cat([
            self.b0(x),
            self.b1b(self.b1a(x)),
            self.b2b(self.b2a(x)),
            self.b3b(self.b3a(x))
        ], dim=1)


def map_pytorch_i3d_keys(state_dict: Dict[str, Tensor],
                         endpoints: Sequence[str]
                         ) -> Tuple[Dict[str, Tensor], List[str]]:
    """Map a pytorch-i3d (or E2E-SSL ``CapsNet``) state dict to this
    encoder's keys.

    A key is kept from the first component that names an endpoint, so
    prefixes such as ``module.``, ``backbone.`` or the released model's
    ``conv1.`` are dropped.

    Args:
        state_dict (dict): checkpoint tensors.
        endpoints (list[str]): endpoints this encoder builds.

    Returns:
        tuple: the mapped state dict, and the checkpoint keys not used
        (``logits``, endpoints past the last one built, other modules).
    """
    mapped, unused = OrderedDict(), []
    for key, value in state_dict.items():
        parts = key.split('.')
        start = next((i for i, p in enumerate(parts) if p in ENDPOINTS), None)
        if start is None or parts[start] not in endpoints:
            unused.append(key)
            continue
        mapped['.'.join(parts[start:])] = value
    return mapped, unused


@MODELS.register_module()
class InceptionI3d(BaseModule):
    """I3D (Inception-v1) encoder returning skip features for a decoder.

    With ``stride_variant='e2e_ssl'`` (E2E-SSL / VideoCapsuleNet),
    ``Conv3d_2c_3x3`` has stride ``(2, 1, 1)`` and ``MaxPool3d_4a_3x3``
    kernel ``3`` stride ``(2, 1, 1)``: an 8 x 224 x 224 clip gives
    ``Conv3d_1a_7x7`` 64 x 4 x 112 x 112, ``Conv3d_2c_3x3`` 192 x 2 x 56 x 56
    and ``Mixed_4f`` 832 x 1 x 28 x 28.

    Args:
        in_channels (int): input channels.
        width (float): multiplies every channel count (1.0: the published
            network, loadable from pytorch-i3d checkpoints; e.g. 0.125 for a
            tiny CPU variant).
        final_endpoint (str): last endpoint built; its output is the last
            returned feature.
        skip_endpoints (tuple[str]): endpoints whose outputs are returned
            first, in network order.
        stride_variant (str): ``'e2e_ssl'`` or ``'original'``.
        pretrained (str, optional): pytorch-i3d checkpoint
            (``rgb_imagenet.pt``, ``rgb_charades.pt``) loaded by
            :meth:`init_weights`.
        bn_momentum (float): momentum of the BatchNorm running statistics
            (0.01: pytorch-i3d's TensorFlow-like value; 0.1, PyTorch's
            default, lets short trainings from scratch evaluate well).
        norm_eval (bool): keep BatchNorm layers in eval mode in training.
        init_cfg (dict, optional): mmengine init config.
    """

    def __init__(self,
                 in_channels: int = 3,
                 width: float = 1.0,
                 final_endpoint: str = 'Mixed_4f',
                 skip_endpoints: Sequence[str] = ('Conv3d_1a_7x7',
                                                  'Conv3d_2c_3x3'),
                 stride_variant: str = 'e2e_ssl',
                 pretrained: Optional[str] = None,
                 bn_momentum: float = 0.01,
                 norm_eval: bool = False,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if final_endpoint not in ENDPOINTS:
            raise ValueError(f'final_endpoint {final_endpoint!r} is not one '
                             f'of {ENDPOINTS}')
        if stride_variant not in STRIDE_VARIANTS:
            raise ValueError(f'stride_variant must be one of '
                             f'{tuple(STRIDE_VARIANTS)}, got '
                             f'{stride_variant!r}')
        if width <= 0:
            raise ValueError(f'width must be > 0, got {width}')
        self.endpoints = ENDPOINTS[:ENDPOINTS.index(final_endpoint) + 1]
        for name in skip_endpoints:
            if name not in self.endpoints[:-1]:
                raise ValueError(f'skip endpoint {name!r} is not built before '
                                 f'{final_endpoint!r}')
        self.skip_endpoints = tuple(
            e for e in self.endpoints if e in skip_endpoints)
        self.width = width
        self.pretrained = pretrained
        self.norm_eval = norm_eval
        self.out_channels = self._build(in_channels,
                                        STRIDE_VARIANTS[stride_variant])
        for m in self.modules():
            if isinstance(m, nn.BatchNorm3d):
                m.momentum = bn_momentum

    def _scaled(self, channels: int) -> int:
        return max(1, int(round(channels * self.width)))

    def _build(self, in_channels: int, strides: dict) -> Tuple[int, ...]:
        """Add the endpoint modules; return the channels of the outputs."""
        channels = {}
        c = in_channels
        for name in self.endpoints:
            if name == 'Conv3d_1a_7x7':
                module = Unit3D(c, self._scaled(64), (7, 7, 7), (2, 2, 2))
            elif name == 'Conv3d_2b_1x1':
                module = Unit3D(c, self._scaled(64))
            elif name == 'Conv3d_2c_3x3':
                module = Unit3D(c, self._scaled(192), (3, 3, 3),
                                strides[name])
            elif name in ('MaxPool3d_2a_3x3', 'MaxPool3d_3a_3x3'):
                module = MaxPool3dSame((1, 3, 3), (1, 2, 2))
            elif name == 'MaxPool3d_4a_3x3':
                module = MaxPool3dSame((3, 3, 3), strides[name])
            elif name == 'MaxPool3d_5a_2x2':
                module = MaxPool3dSame((2, 2, 2), (2, 2, 2))
            else:
                widths = [self._scaled(w) for w in INCEPTION_WIDTHS[name]]
                module = InceptionModule(c, widths)
            self.add_module(name, module)
            if isinstance(module, Unit3D):
                c = module.conv3d.out_channels
            elif isinstance(module, InceptionModule):
                c = module.out_channels
            channels[name] = c
        outputs = self.skip_endpoints + (self.endpoints[-1], )
        return tuple(channels[name] for name in outputs)

    def forward(self, x: Tensor) -> Tuple[Tensor, ...]:
        """Encode a clip.

        Args:
            x (Tensor): ``B x C x T x H x W``.

        Returns:
            tuple[Tensor]: the skip endpoints' outputs (network order), then
            the final endpoint's, each ``B x C_i x T_i x H_i x W_i``.
        """
        outs = []
        for name in self.endpoints:
            x = getattr(self, name)(x)
            if name in self.skip_endpoints:
                outs.append(x)
        outs.append(x)
        return tuple(outs)

    def load_i3d_checkpoint(self, filename: str,
                            map_location: str = 'cpu'
                            ) -> Tuple[List[str], List[str]]:
        """Load pytorch-i3d weights by key mapping.

        Args:
            filename (str): checkpoint path or URL (a state dict, or a dict
                with ``state_dict``).
            map_location (str): where to load the tensors.

        Returns:
            tuple[list[str], list[str]]: the encoder's keys the checkpoint
            lacks (``num_batches_tracked`` left out), and the checkpoint's
            keys not used. Both are logged.
        """
        checkpoint = CheckpointLoader.load_checkpoint(filename, map_location)
        if not isinstance(checkpoint, dict):
            raise TypeError(f'{filename}: expected a state dict, got '
                            f'{type(checkpoint).__name__}')
        state_dict = checkpoint.get('state_dict', checkpoint)
        mapped, unexpected = map_pytorch_i3d_keys(state_dict, self.endpoints)
        own = self.state_dict()
        for key, value in mapped.items():
            if key in own and own[key].shape != value.shape:
                raise ValueError(
                    f'{filename}: {key} has shape {tuple(value.shape)}, the '
                    f'encoder (width={self.width}) expects '
                    f'{tuple(own[key].shape)}')
        result = self.load_state_dict(mapped, strict=False)
        unexpected += list(result.unexpected_keys)
        missing = [
            k for k in result.missing_keys
            if not k.endswith('num_batches_tracked')
        ]
        logger = MMLogger.get_current_instance()
        logger.info(f'InceptionI3d: loaded {len(mapped)} tensors from '
                    f'{filename}; missing keys: {missing or "none"}; '
                    f'unused checkpoint keys: {unexpected or "none"}')
        return missing, unexpected

    def init_weights(self) -> None:
        """Initialise, then load ``pretrained`` if given."""
        super().init_weights()
        if self.pretrained is not None:
            self.load_i3d_checkpoint(self.pretrained)

    def train(self, mode: bool = True) -> 'InceptionI3d':
        """Set training mode; BatchNorm stays in eval with ``norm_eval``."""
        super().train(mode)
        if mode and self.norm_eval:
            for m in self.modules():
                if isinstance(m, nn.modules.batchnorm._BatchNorm):
                    m.eval()
        return self
