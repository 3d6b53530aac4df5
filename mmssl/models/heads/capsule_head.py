"""Capsule classification head: primary capsules, class capsules with EM
routing, class scores averaged over the grid."""
from typing import NamedTuple, Optional

from torch import Tensor, nn

from mmaction.registry import MODELS
from .capsule_layers import ConvCapsules, PrimaryCapsules
from .em_routing import Temperature


class CapsuleOutput(NamedTuple):
    """Class capsules on the grid.

    Attributes:
        poses (Tensor): ``B x h x w x C x D``.
        activations (Tensor): ``B x h x w x C`` in ``(0, 1)``.
        scores (Tensor): ``B x C``, activation averaged over the grid.
    """
    poses: Tensor
    activations: Tensor
    scores: Tensor


@MODELS.register_module()
class CapsuleHead(nn.Module):
    """Primary capsules then one convolutional capsule layer routed to one
    capsule per class at every grid position (E2E-SSL's 2D routing).

    Args:
        in_channels (int): channels of the encoder's last feature (832).
        num_classes (int): classes ``C``.
        num_primary_caps (int): primary capsule types (32).
        primary_kernel (int): kernel of the primary capsule convolution (9:
            28x28 -> 20x20).
        pose_size (int): ``P`` (poses are ``P x P``).
        class_kernel (int): kernel of the class capsule layer (1).
        routing_iters (int): EM iterations (3).
        inverse_temperature (float | (float, float), optional): routing
            ``lambda``, see :func:`em_routing`.
        released_routing (bool): reproduce the released routing defects
            (flipped cost sign, collapsed std, input activations cancelled).
    """

    def __init__(self,
                 in_channels: int,
                 num_classes: int,
                 num_primary_caps: int = 32,
                 primary_kernel: int = 9,
                 pose_size: int = 4,
                 class_kernel: int = 1,
                 routing_iters: int = 3,
                 inverse_temperature: Optional[Temperature] = None,
                 released_routing: bool = False) -> None:
        super().__init__()
        self.num_classes = num_classes
        self.pose_size = pose_size
        self.primary_kernel = primary_kernel
        self.class_kernel = class_kernel
        self.primary = PrimaryCapsules(in_channels, num_primary_caps,
                                       primary_kernel, pose_size)
        self.classes = ConvCapsules(num_primary_caps, num_classes,
                                    class_kernel, pose_size, routing_iters,
                                    inverse_temperature, released_routing)

    @property
    def shrink(self) -> int:
        """How many positions the grid loses per axis to the valid
        convolutions (``h = H - shrink``)."""
        return self.primary_kernel - 1 + self.class_kernel - 1

    def forward(self, x: Tensor) -> CapsuleOutput:
        """Compute the class capsules.

        Args:
            x (Tensor): ``B x C_in x H x W`` (time pooled away).

        Returns:
            CapsuleOutput: poses, activations and scores.
        """
        if x.shape[-1] <= self.shrink or x.shape[-2] <= self.shrink:
            raise ValueError(
                f'feature map {tuple(x.shape[-2:])} is too small for '
                f'primary_kernel={self.primary_kernel} and class_kernel='
                f'{self.class_kernel}; use a larger input or smaller kernels')
        poses, acts = self.classes(*self.primary(x))
        return CapsuleOutput(poses, acts, acts.mean(dim=(1, 2)))
