"""Use any MMAction2 3D backbone as a multi-scale encoder."""
from typing import Optional, Sequence, Tuple

from mmengine.model import BaseModule
from torch import Tensor

from mmaction.registry import MODELS
from mmaction.utils import ConfigType


@MODELS.register_module()
class MultiStageEncoder(BaseModule):
    """Adapter that turns a backbone returning several stages (e.g.
    ``ResNet3d`` with ``out_indices=(0, 1, 2)``) into the encoder a
    :class:`CapsuleDetector` expects: a tuple of features from fine to
    coarse, the coarse one last.

    Args:
        backbone (dict): config of the wrapped backbone; it must return a
            tuple of ``B x C x T x H x W`` features.
        out_channels (Sequence[int]): channels of the returned features, in
            order (checked at run time).
        select (Sequence[int], optional): indices of the backbone's outputs
            to return, in order (default: all).
        init_cfg (dict, optional): mmengine init config.
    """

    def __init__(self,
                 backbone: ConfigType,
                 out_channels: Sequence[int],
                 select: Optional[Sequence[int]] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.backbone = MODELS.build(backbone)
        self.out_channels = tuple(out_channels)
        self.select = None if select is None else tuple(select)

    def forward(self, x: Tensor) -> Tuple[Tensor, ...]:
        """Encode a clip.

        Args:
            x (Tensor): ``B x C x T x H x W``.

        Returns:
            tuple[Tensor]: the selected stage outputs, fine to coarse.
        """
        feats = self.backbone(x)
        if not isinstance(feats, (tuple, list)):
            feats = (feats, )
        if self.select is not None:
            feats = tuple(feats[i] for i in self.select)
        channels = tuple(f.shape[1] for f in feats)
        if channels != self.out_channels:
            raise ValueError(
                f'{type(self.backbone).__name__} returned features with '
                f'channels {channels}, MultiStageEncoder.out_channels says '
                f'{self.out_channels}; set out_indices / select / '
                'out_channels to agree')
        return tuple(feats)
