"""Capsule action detector of E2E-SSL (VideoCapsuleNet with 2D routing)."""
from typing import Dict, List, NamedTuple, Optional, Tuple, Union

import torch
from mmengine.config import ConfigDict
from mmengine.model import BaseModel
from torch import Tensor, nn

from mmaction.registry import MODELS
from mmaction.utils import ConfigType, OptConfigType, SampleList

from ...datasets.transforms import restore_view
from ..heads.class_mask import class_mask, mask_poses
from . import sample_fields

LOC_LOSS_FRAMES = ('all', 'annotated')


class _ScaleGradient(torch.autograd.Function):
    """Identity forward; the backward multiplies the gradient."""

    @staticmethod
    def forward(ctx, x: Tensor, scale: float) -> Tensor:
        ctx.scale = scale
        return x.view_as(x)

    @staticmethod
    def backward(ctx, grad: Tensor):
        return grad * ctx.scale, None


def scale_gradient(x: Tensor, scale: float) -> Tensor:
    """``x`` unchanged, its gradient multiplied by ``scale`` (a no-op at
    1.0)."""
    return x if scale == 1.0 else _ScaleGradient.apply(x, scale)


class DetectionOutput(NamedTuple):
    """What one forward of the detector gives.

    Attributes:
        loc_logits (Tensor): ``B x 1 x T x H x W`` localization logits.
        scores (Tensor): ``B x C`` class scores in ``(0, 1)``.
        activations (Tensor): ``B x C x h x w`` class-capsule activations.
        grid_scale (tuple[float]): ``(sy, sx)``: the capsule grid covers the
            central ``sy x sx`` part of the clip in normalised coordinates.
    """
    loc_logits: Tensor
    scores: Tensor
    activations: Tensor
    grid_scale: Tuple[float, float]


@MODELS.register_module()
class CapsuleDetector(BaseModel):
    """Single-view capsule detector: supervised training and inference.

    ``loss`` trains on the labeled clips of a batch (spread loss on the class
    scores, BCE + Dice on the localization); ``predict`` gives per-clip
    class probabilities and per-frame foreground probabilities at the
    original resolution (see ``docs/design/detection_sample.md``).

    Args:
        backbone (dict): encoder returning a tuple of features, fine to
            coarse, the coarse one last (e.g. :class:`InceptionI3d`,
            :class:`MultiStageEncoder`).
        cls_head (dict): :class:`CapsuleHead`.
        loc_head (dict): :class:`CapsuleMaskDecoder`.
        loss_cls (dict): classification loss on ``(scores, labels)``.
        loss_loc (dict): localization loss on ``(logits, masks, weight)``.
        feature_dropout (float): channel dropout on the encoder's last
            feature (0.5 in the released code).
        cls_grad_scale (float): multiplies the gradient the capsule head
            sends into the encoder (1.0: unchanged). EM routing's
            normalised cost makes the spread loss's gradient on the encoder
            ~10^4 times the localization loss's at initialisation
            (``grad_ratio`` logging, ``docs/methods/e2e_ssl.md``), so that
            classification noise trains the shared encoder; a small scale
            lets the localization loss shape it.
        train_cfg (dict, optional): ``loc_loss_frames``: ``'all'`` (every
            frame of a labeled clip, released code) or ``'annotated'``
            (frames with ``gt_frame_valid``).
        test_cfg (dict, optional): ``frame_interval``: used when a test
            sample has no ``frame_interval`` metainfo.
        data_preprocessor (dict, optional): defaults to
            ``ActionDataPreprocessor`` with ``format_shape='NCTHW'``.
        init_cfg (dict, optional): mmengine init config.
    """

    def __init__(self,
                 backbone: ConfigType,
                 cls_head: ConfigType,
                 loc_head: ConfigType,
                 loss_cls: ConfigType = dict(type='SpreadLoss', margin=0.2),
                 loss_loc: ConfigType = dict(type='BCEDiceLoss'),
                 feature_dropout: float = 0.5,
                 cls_grad_scale: float = 1.0,
                 train_cfg: OptConfigType = None,
                 test_cfg: OptConfigType = None,
                 data_preprocessor: OptConfigType = None,
                 init_cfg: OptConfigType = None) -> None:
        if data_preprocessor is None:
            data_preprocessor = dict(
                type='ActionDataPreprocessor', format_shape='NCTHW')
        if isinstance(data_preprocessor, dict):
            data_preprocessor = MODELS.build(data_preprocessor)
        super().__init__(
            data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.backbone = MODELS.build(backbone)
        self.cls_head = MODELS.build(cls_head)
        self.loc_head = MODELS.build(loc_head)
        self.loss_cls = MODELS.build(loss_cls)
        self.loss_loc = MODELS.build(loss_loc)
        self.feature_dropout = nn.Dropout3d(feature_dropout)
        if cls_grad_scale < 0:
            raise ValueError(f'cls_grad_scale must be >= 0, got '
                             f'{cls_grad_scale}')
        self.cls_grad_scale = cls_grad_scale
        self.train_cfg = ConfigDict(train_cfg or {})
        self.test_cfg = ConfigDict(test_cfg or {})
        frames = self.train_cfg.get('loc_loss_frames', 'all')
        if frames not in LOC_LOSS_FRAMES:
            raise ValueError(f'train_cfg.loc_loss_frames must be one of '
                             f'{LOC_LOSS_FRAMES}, got {frames!r}')

    @property
    def num_classes(self) -> int:
        return self.cls_head.num_classes

    # ------------------------------------------------------------- forward
    @staticmethod
    def fold_inputs(inputs: Tensor) -> Tensor:
        """``B x 1 x C x T x H x W`` (stacked by the preprocessor) or
        ``B x C x T x H x W`` -> ``B x C x T x H x W``."""
        if inputs.dim() == 6:
            if inputs.shape[1] != 1:
                raise ValueError(
                    f'CapsuleDetector takes one clip per sample, got '
                    f'{inputs.shape[1]} (inputs {tuple(inputs.shape)})')
            return inputs[:, 0]
        if inputs.dim() != 5:
            raise ValueError(f'inputs must be B x C x T x H x W, got '
                             f'{tuple(inputs.shape)}')
        return inputs

    def extract_feat(self, inputs: Tensor) -> Tuple[Tensor, List[Tensor]]:
        """Encode clips.

        Args:
            inputs (Tensor): ``B x C x T x H x W``.

        Returns:
            tuple: the last feature after dropout, time-averaged
            (``B x C_deep x H' x W'``), and the skip features, fine to
            coarse.
        """
        feats = self.backbone(inputs)
        deep = self.feature_dropout(feats[-1]).mean(dim=2)
        return deep, list(feats[:-1])

    def forward_detection(self,
                          inputs: Tensor,
                          labels: Optional[Tensor] = None,
                          use_all: Optional[Tensor] = None
                          ) -> DetectionOutput:
        """Classify and localize clips.

        Args:
            inputs (Tensor): ``B x C x T x H x W``.
            labels (Tensor, optional): ``B`` classes whose poses are decoded
                (``-1``: the predicted class).
            use_all (Tensor, optional): ``B`` bool, decode all classes.

        Returns:
            DetectionOutput: logits, scores, activations, grid scale.
        """
        deep, skips = self.extract_feat(inputs)
        caps = self.cls_head(scale_gradient(deep, self.cls_grad_scale))
        mask = class_mask(caps.scores, labels, use_all)
        logits = self.loc_head(
            mask_poses(caps.poses, mask), deep, skips, inputs.shape[2:])
        grid = caps.activations.shape[1:3]
        scale = (grid[0] / deep.shape[-2], grid[1] / deep.shape[-1])
        return DetectionOutput(logits, caps.scores,
                               caps.activations.permute(0, 3, 1, 2), scale)

    def forward(self,
                inputs: Tensor,
                data_samples: Optional[SampleList] = None,
                mode: str = 'tensor') -> Union[Dict, SampleList, Tuple]:
        """``loss``, ``predict`` or ``tensor`` (logits, scores)."""
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        if mode == 'tensor':
            out = self.forward_detection(self.fold_inputs(inputs))
            return out.loc_logits, out.scores
        raise RuntimeError(f'Invalid mode "{mode}"; '
                           'use "loss", "predict" or "tensor"')

    # ---------------------------------------------------------------- loss
    def loss(self, inputs: Tensor,
             data_samples: SampleList) -> Dict[str, Tensor]:
        """Supervised losses on the labeled clips of a single-view batch
        (their ground-truth class masks the poses; other clips use their
        predicted class and get no loss).

        Args:
            inputs (Tensor): ``B x 1 x C x T x H x W``.
            data_samples (list): ``B`` samples.

        Returns:
            dict[str, Tensor]: ``loss_cls``, ``loss_loc`` and ``acc``.
        """
        inputs = self.fold_inputs(inputs)
        labels = sample_fields.gt_labels(data_samples, inputs.device)
        labeled = sample_fields.labeled_flags(data_samples, inputs.device)
        labels = torch.where(labeled, labels, torch.full_like(labels, -1))
        out = self.forward_detection(inputs, labels)
        return self.supervised_loss(out, data_samples, labeled)

    def supervised_loss(self, out: DetectionOutput, data_samples: SampleList,
                        labeled: Tensor) -> Dict[str, Tensor]:
        """Spread loss and BCE + Dice over the labeled clips.

        Args:
            out (DetectionOutput): the batch's outputs.
            data_samples (list): the batch's samples, in order.
            labeled (Tensor): ``B`` bool, clips that get the losses.

        Returns:
            dict[str, Tensor]: ``loss_cls``, ``loss_loc`` (0 with gradient
            when no clip is labeled) and ``acc`` (a statistic).
        """
        index = labeled.nonzero().view(-1)
        samples = [data_samples[i] for i in index.tolist()]
        device = out.scores.device
        labels = sample_fields.gt_labels(samples, device)
        logits = out.loc_logits[index]
        masks = sample_fields.gt_masks(samples, logits.shape[2:], device)
        weight = None
        if self.train_cfg.get('loc_loss_frames', 'all') == 'annotated':
            weight = sample_fields.frame_valid(samples, logits.shape[2],
                                               device)
        scores = out.scores[index]
        acc = (scores.argmax(1) == labels).float().mean() if len(samples) \
            else scores.new_zeros(())
        return dict(
            loss_cls=self.loss_cls(scores, labels) + 0. * out.scores.sum(),
            loss_loc=self.loss_loc(logits, masks, weight) +
            0. * out.loc_logits.sum(),
            acc=acc.detach())

    # ------------------------------------------------------------- predict
    def predict(self, inputs: Tensor,
                data_samples: SampleList) -> SampleList:
        """Predict class probabilities and foreground probabilities.

        Args:
            inputs (Tensor): ``B x 1 x C x T x H x W``.
            data_samples (list): ``B`` samples with ``ori_shape``,
                ``frame_inds`` and ``view_affine``.

        Returns:
            list: the samples with ``pred_score`` (``C``), ``pred_label``
            and ``pred_mask`` (``T' x H0 x W0`` float, the covered frames).
        """
        out = self.forward_detection(self.fold_inputs(inputs))
        masks = self.masks_to_original(torch.sigmoid(out.loc_logits),
                                       data_samples)
        for sample, score, mask in zip(data_samples, out.scores, masks):
            sample.set_pred_score(score / score.sum().clamp_min(1e-12))
            sample.set_pred_label(score.argmax().view(1))
            sample.pred_mask = mask
        return data_samples

    def masks_to_original(self, probs: Tensor,
                          data_samples: SampleList) -> List[Tensor]:
        """Map per-view foreground probabilities to the original frames.

        Args:
            probs (Tensor): ``B x 1 x T x H x W``.
            data_samples (list): ``B`` samples.

        Returns:
            list[Tensor]: per clip ``T' x H0 x W0`` (``T'`` =
            ``len(frame_inds)``), nearest model frame in time.
        """
        affines = sample_fields.view_affines(data_samples, probs.device,
                                             probs.dtype)
        results: List[Optional[Tensor]] = [None] * len(data_samples)
        for size in {tuple(s.ori_shape) for s in data_samples}:
            index = [
                i for i, s in enumerate(data_samples)
                if tuple(s.ori_shape) == size
            ]
            restored, _ = restore_view(probs[index], affines[index], size)
            for j, i in enumerate(index):
                results[i] = self.expand_time(restored[j, 0],
                                              data_samples[i])
        return results

    def expand_time(self, frames: Tensor, sample) -> Tensor:
        """Repeat the model's ``T`` frames over the covered frames.

        Args:
            frames (Tensor): ``T x H0 x W0``.
            sample: its data sample (``frame_inds``, ``frame_interval``).

        Returns:
            Tensor: ``T' x H0 x W0``; covered frame ``k`` takes model frame
            ``round(k / frame_interval)`` (ties to the earlier frame).
        """
        frame_inds = sample.get('frame_inds', None)
        if frame_inds is None:
            raise ValueError(f'clip {sample_fields.describe(sample)} has no '
                             'frame_inds metainfo')
        covered = len(frame_inds)
        interval = sample_fields.frame_interval(
            sample, self.test_cfg.get('frame_interval', None))
        k = torch.arange(covered, device=frames.device)
        index = ((k + (interval - 1) // 2) // interval).clamp_max(
            frames.shape[0] - 1)
        return frames[index]
