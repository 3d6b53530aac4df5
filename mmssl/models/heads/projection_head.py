"""MLP projection head for contrastive learning on clip embeddings."""
from typing import Optional

import torch.nn.functional as F
from mmengine.model import BaseModule
from torch import Tensor, nn

from mmaction.registry import MODELS
from mmaction.utils import OptConfigType


@MODELS.register_module()
class ProjectionHead(BaseModule):
    """``Linear -> ReLU -> Linear`` followed by L2 normalisation.

    The form of SimCLR / CoMatch. Without batch normalisation by default, so
    that a batch of one clip and the eval-mode teacher behave like training.

    Args:
        in_channels (int): clip embedding size (e.g. the classification
            head's ``in_channels``).
        out_channels (int): projection size. Defaults to 128.
        hidden_channels (int, optional): hidden size; defaults to
            ``in_channels``.
        with_bn (bool): add ``BatchNorm1d`` after the hidden layer.
            Defaults to False.
        init_cfg (dict, optional): weight initialisation config.
    """

    def __init__(self,
                 in_channels: int,
                 out_channels: int = 128,
                 hidden_channels: Optional[int] = None,
                 with_bn: bool = False,
                 init_cfg: OptConfigType = None) -> None:
        super().__init__(init_cfg=init_cfg)
        hidden = hidden_channels or in_channels
        layers = [nn.Linear(in_channels, hidden)]
        if with_bn:
            layers.append(nn.BatchNorm1d(hidden))
        layers += [nn.ReLU(inplace=True), nn.Linear(hidden, out_channels)]
        self.mlp = nn.Sequential(*layers)
        self.in_channels = in_channels
        self.out_channels = out_channels

    def forward(self, x: Tensor) -> Tensor:
        """Project and normalise.

        Args:
            x (Tensor): ``(N, in_channels)`` clip embeddings.

        Returns:
            Tensor: ``(N, out_channels)`` unit-norm projections.
        """
        return F.normalize(self.mlp(x), dim=1)
