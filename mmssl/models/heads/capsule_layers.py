"""Primary and convolutional matrix-capsule layers on a 2D grid."""
from typing import Optional, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from .em_routing import Temperature, em_routing


class PrimaryCapsules(nn.Module):
    """Convolution to a grid of capsules: a ``P x P`` pose and a sigmoid
    activation for each of ``num_caps`` capsule types at every position.

    Args:
        in_channels (int): feature channels.
        num_caps (int): capsule types (32 in E2E-SSL).
        kernel_size (int): convolution kernel (9 in E2E-SSL: 28x28 -> 20x20).
        pose_size (int): ``P`` (4).
    """

    def __init__(self,
                 in_channels: int,
                 num_caps: int = 32,
                 kernel_size: int = 9,
                 pose_size: int = 4) -> None:
        super().__init__()
        self.num_caps = num_caps
        self.pose_dim = pose_size * pose_size
        self.pose = nn.Conv2d(in_channels, num_caps * self.pose_dim,
                              kernel_size)
        self.activation = nn.Conv2d(in_channels, num_caps, kernel_size)

    def forward(self, x: Tensor) -> Tuple[Tensor, Tensor]:
        """Compute the capsules.

        Args:
            x (Tensor): ``B x C_in x H x W``.

        Returns:
            tuple[Tensor]: poses ``B x h x w x N x D`` and activations
            ``B x h x w x N`` (``N`` = ``num_caps``, ``D`` = ``P*P``).
        """
        poses = self.pose(x)
        b, _, h, w = poses.shape
        poses = poses.view(b, self.num_caps, self.pose_dim, h, w)
        poses = poses.permute(0, 3, 4, 1, 2)
        acts = torch.sigmoid(self.activation(x)).permute(0, 2, 3, 1)
        return poses.contiguous(), acts.contiguous()


class ConvCapsules(nn.Module):
    """Convolutional capsule layer with EM routing.

    Each output position routes the ``K x K x N`` capsules of its window to
    ``C`` output capsules; all positions of all clips are routed together.

    Args:
        in_caps (int): input capsule types ``N``.
        out_caps (int): output capsule types ``C`` (the classes).
        kernel_size (int): window ``K`` (1 in E2E-SSL).
        pose_size (int): ``P``.
        num_iters (int): EM iterations (3).
        inverse_temperature (float | (float, float), optional): see
            :func:`em_routing`.
        released_routing (bool): reproduce the released routing defects, see
            :func:`em_routing`.
    """

    def __init__(self,
                 in_caps: int,
                 out_caps: int,
                 kernel_size: int = 1,
                 pose_size: int = 4,
                 num_iters: int = 3,
                 inverse_temperature: Optional[Temperature] = None,
                 released_routing: bool = False) -> None:
        super().__init__()
        self.in_caps = in_caps
        self.out_caps = out_caps
        self.kernel_size = kernel_size
        self.pose_size = pose_size
        self.num_iters = num_iters
        self.inverse_temperature = inverse_temperature
        self.released_routing = released_routing
        window = kernel_size * kernel_size * in_caps
        self.weight = nn.Parameter(
            torch.randn(window, out_caps, pose_size, pose_size))
        self.beta_u = nn.Parameter(torch.zeros(out_caps, pose_size**2))
        self.beta_a = nn.Parameter(torch.zeros(out_caps))

    def _windows(self, poses: Tensor, acts: Tensor) -> Tuple[Tensor, Tensor]:
        """Gather the ``K x K`` window of every output position.

        Returns:
            tuple[Tensor]: poses ``B x h' x w' x (K*K*N) x D`` and
            activations ``B x h' x w' x (K*K*N)``.
        """
        if self.kernel_size == 1:
            return poses.flatten(3, 3), acts
        b, h, w, n, d = poses.shape
        k = self.kernel_size
        grid = torch.cat([poses.flatten(3), acts], dim=3)
        cols = F.unfold(grid.permute(0, 3, 1, 2), k)  # B x (n(d+1)kk) x L
        oh, ow = h - k + 1, w - k + 1
        cols = cols.view(b, n * (d + 1), k * k, oh, ow)
        cols = cols.permute(0, 3, 4, 2, 1)  # B x oh x ow x kk x n(d+1)
        win_poses = cols[..., :n * d].reshape(b, oh, ow, k * k * n, d)
        win_acts = cols[..., n * d:].reshape(b, oh, ow, k * k * n)
        return win_poses, win_acts

    def forward(self, poses: Tensor, acts: Tensor) -> Tuple[Tensor, Tensor]:
        """Route.

        Args:
            poses (Tensor): ``B x h x w x N x D``.
            acts (Tensor): ``B x h x w x N``.

        Returns:
            tuple[Tensor]: output poses ``B x h' x w' x C x D`` and
            activations ``B x h' x w' x C`` in ``(0, 1)``.
        """
        if poses.shape[3] != self.in_caps:
            raise ValueError(f'expected {self.in_caps} input capsule types, '
                             f'got {poses.shape[3]}')
        poses, acts = self._windows(poses, acts)
        b, h, w, n, d = poses.shape
        p = self.pose_size
        pose_mats = poses.reshape(b * h * w, n, p, p)
        votes = torch.einsum('mnij,ncjk->mncik', pose_mats, self.weight)
        votes = votes.reshape(b * h * w, n, self.out_caps, d)
        mu, a_out = em_routing(
            votes,
            acts.reshape(b * h * w, n),
            self.beta_u,
            self.beta_a,
            num_iters=self.num_iters,
            inverse_temperature=self.inverse_temperature,
            released=self.released_routing)
        return (mu.view(b, h, w, self.out_caps, d),
                a_out.view(b, h, w, self.out_caps))
