"""MixMatch (Berthelot et al., NeurIPS 2019) for action detection."""
from typing import Dict, List, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor

from mmaction.registry import MODELS
from mmaction.utils import ConfigType, OptConfigType, SampleList

from ...datasets.transforms import restore_view
from ..utils.mixup import mixup, sample_mixup_lambda
from ..utils.sharpen import sharpen, sharpen_binary
from . import sample_fields
from .e2e_ssl_detector import BranchInputs, BranchSamples, E2ESSLDetector

DEFAULT_MIXMATCH_CFG = dict(
    views=('orig', 'aug'), temperature=0.5, alpha=0.75, unsup_weight=1.0)


@MODELS.register_module()
class MixMatchDetector(E2ESSLDetector):
    """MixMatch on labeled and unlabeled clips, with masks mixed alongside.

    Each clip comes in ``K`` weakly augmented views (``semi_train_cfg.views``,
    branches of a ``MultiBranch`` pipeline with a shared reference view, the
    first one). For unlabeled clips the detector's predictions on the ``K``
    views (without gradient) are averaged - class distributions directly,
    foreground probabilities after mapping each view back onto the first -
    and sharpened with temperature ``T``: the guessed labels. Labeled clips
    keep their one-hot class and ground-truth mask. The first views of all
    clips are then mixed with a shuffled copy of the batch,
    ``lambda' = max(lambda, 1 - lambda)``, ``lambda ~ Beta(alpha, alpha)``
    per clip, clips, class targets and masks with the same ``lambda'``; each
    mixed clip decodes the class of its dominant clip. Losses on the mixed
    batch: soft cross-entropy on the class distribution (scores over their
    sum) and the detector's ``loss_loc`` (BCE + Dice, soft targets) for
    labeled rows; L2 on the class distribution and on the foreground
    probabilities for unlabeled rows, weighted by ``unsup_weight`` times the
    ramp weight (:class:`RampUpHook`).

    Args:
        detector (dict): a :class:`CapsuleDetector` config.
        semi_train_cfg (dict, optional): ``views`` (``('orig', 'aug')``),
            ``temperature`` (0.5), ``alpha`` (0.75), ``unsup_weight``
            (1.0), ``sup_weight`` (1.0) and ``mask_warmup_iters`` (0).
        **kwargs: ``semi_test_cfg`` (unused), ``data_preprocessor`` and
            ``init_cfg`` of :class:`E2ESSLDetector`, whose consistency
            losses MixMatch does not use.
    """

    def __init__(self,
                 detector: ConfigType,
                 semi_train_cfg: OptConfigType = None,
                 **kwargs) -> None:
        semi_train_cfg = dict(DEFAULT_MIXMATCH_CFG, **(semi_train_cfg or {}))
        super().__init__(detector, cls_consistency=None, loc_consistency={},
                         semi_train_cfg=semi_train_cfg, **kwargs)
        if self.semi_train_cfg.temperature < 0:
            raise ValueError('semi_train_cfg.temperature must be >= 0, got '
                             f'{self.semi_train_cfg.temperature}')

    def view_inputs(self, multi_batch_inputs: BranchInputs
                    ) -> List[Tensor]:
        """The ``K`` views, ``B x C x T x H x W`` each."""
        views = list(self.semi_train_cfg.views)
        missing = [v for v in views if v not in multi_batch_inputs]
        if missing:
            raise KeyError(
                f'MixMatchDetector needs the branches {views}, got '
                f'{sorted(multi_batch_inputs)} (missing {missing}); set '
                'semi_train_cfg.views or the MultiBranch branch_field')
        return [self.detector.fold_inputs(multi_batch_inputs[v])
                for v in views]

    @torch.no_grad()
    def guess_labels(self, views: List[Tensor], view_samples: List[SampleList]
                     ) -> Tuple[Tensor, Tensor]:
        """Sharpened average predictions over the ``K`` views.

        Args:
            views (list[Tensor]): ``K`` tensors ``N x C x T x H x W``.
            view_samples (list[list]): their samples (``view_affine`` onto
                the first view).

        Returns:
            tuple[Tensor, Tensor]: class targets ``N x num_classes`` and
            mask targets ``N x 1 x T x H x W`` on the first view.
        """
        num, num_views = views[0].shape[0], len(views)
        labels = torch.full((num * num_views, ), -1, dtype=torch.long,
                            device=views[0].device)
        use_all = torch.full_like(labels, int(self.mask_warmup())).bool()
        out = self.detector.forward_detection(torch.cat(views), labels,
                                              use_all)
        probs = out.scores / out.scores.sum(1, keepdim=True).clamp_min(1e-12)
        cls_guess = probs.view(num_views, num, -1).mean(0)
        affines = sample_fields.view_affines(
            [s for samples in view_samples for s in samples],
            probs.device, probs.dtype)
        masks, valid = restore_view(out.loc_logits.sigmoid(), affines,
                                    views[0].shape[-2:])
        valid = valid.to(masks.dtype).view(num_views, num, *valid.shape[1:])
        masks = masks.view(num_views, num, *masks.shape[1:])
        mask_guess = (masks * valid).sum(0) / valid.sum(0).clamp_min(1.)
        temperature = self.semi_train_cfg.temperature
        return sharpen(cls_guess, temperature), \
            sharpen_binary(mask_guess, temperature)

    def batch_targets(self, views: List[Tensor],
                      multi_batch_data_samples: BranchSamples,
                      labeled: Tensor, labels: Tensor
                      ) -> Tuple[Tensor, Tensor]:
        """Class and mask targets of every clip: ground truth for labeled
        clips, guessed labels for the others.

        Returns:
            tuple[Tensor, Tensor]: ``B x num_classes`` and
            ``B x 1 x T x H x W``.
        """
        samples = multi_batch_data_samples[self.semi_train_cfg.views[0]]
        clips = views[0]
        cls_targets = clips.new_zeros(clips.shape[0],
                                      self.detector.num_classes)
        mask_targets = clips.new_zeros(clips.shape[0], 1, *clips.shape[2:])
        lab = labeled.nonzero().view(-1)
        unl = (~labeled).nonzero().view(-1)
        cls_targets[lab] = F.one_hot(labels[lab], cls_targets.shape[1]).to(
            cls_targets.dtype)
        mask_targets[lab] = sample_fields.gt_masks(
            [samples[i] for i in lab.tolist()], clips.shape[2:], clips.device)
        if len(unl):
            view_samples = [[
                multi_batch_data_samples[v][i] for i in unl.tolist()
            ] for v in self.semi_train_cfg.views]
            cls_targets[unl], mask_targets[unl] = self.guess_labels(
                [v[unl] for v in views], view_samples)
        return cls_targets, mask_targets

    def loss(self, multi_batch_inputs: BranchInputs,
             multi_batch_data_samples: BranchSamples) -> Dict[str, Tensor]:
        """MixMatch losses of one multi-view batch.

        Args:
            multi_batch_inputs (dict[str, Tensor]): the ``views`` branches,
                each ``B x 1 x C x T x H x W``.
            multi_batch_data_samples (dict[str, list]): their samples.

        Returns:
            dict[str, Tensor]: ``sup_loss_cls``, ``sup_loss_loc``,
            ``unsup_loss_cls``, ``unsup_loss_loc`` (weights applied) and the
            logged ``mixup_lambda``.
        """
        cfg = self.semi_train_cfg
        views = self.view_inputs(multi_batch_inputs)
        samples = multi_batch_data_samples[cfg.views[0]]
        labeled = sample_fields.labeled_flags(samples, views[0].device)
        labels = sample_fields.gt_labels(samples, views[0].device)
        cls_targets, mask_targets = self.batch_targets(
            views, multi_batch_data_samples, labeled, labels)
        num = views[0].shape[0]
        partner = torch.randperm(num, device=views[0].device)
        lam = sample_mixup_lambda(cfg.alpha, num, views[0].device)
        (clips, cls_targets, mask_targets), lam = mixup(
            [views[0], cls_targets, mask_targets], partner, lam)
        dominant = torch.where(labeled, labels,
                               cls_targets.argmax(1))
        out = self.detector.forward_detection(
            clips, dominant, ~labeled & self.mask_warmup())
        return self.mixed_losses(out.scores, out.loc_logits, cls_targets,
                                 mask_targets, labeled, lam)

    def mixed_losses(self, scores: Tensor, logits: Tensor,
                     cls_targets: Tensor, mask_targets: Tensor,
                     labeled: Tensor, lam: Tensor) -> Dict[str, Tensor]:
        """Losses of the mixed batch against the mixed targets.

        Args:
            scores (Tensor): ``B x num_classes`` class scores.
            logits (Tensor): ``B x 1 x T x H x W`` localization logits.
            cls_targets (Tensor): ``B x num_classes`` mixed targets.
            mask_targets (Tensor): ``B x 1 x T x H x W`` mixed targets.
            labeled (Tensor): ``B`` bool, rows whose dominant clip is
                labeled.
            lam (Tensor): ``B`` mixing weights (logged).

        Returns:
            dict[str, Tensor]: weighted losses and ``mixup_lambda``.
        """
        cfg = self.semi_train_cfg
        probs = scores / scores.sum(1, keepdim=True).clamp_min(1e-12)
        lab, unl = labeled, ~labeled
        zero = 0. * (scores.sum() + logits.sum())
        soft_ce = -(cls_targets[lab] * probs[lab].clamp_min(1e-12).log())
        sup_cls = soft_ce.sum(1).mean() if bool(lab.any()) else zero
        sup_loc = self.detector.loss_loc(logits[lab], mask_targets[lab])
        if bool(unl.any()):
            unsup_cls = ((probs[unl] - cls_targets[unl])**2).mean()
            unsup_loc = ((logits[unl].sigmoid() - mask_targets[unl])**2
                         ).mean()
        else:
            unsup_cls = unsup_loc = zero
        unsup = cfg.unsup_weight * self.ramp_weight
        return dict(
            sup_loss_cls=cfg.sup_weight * (sup_cls + zero),
            sup_loss_loc=cfg.sup_weight * (sup_loc + zero),
            unsup_loss_cls=unsup * unsup_cls,
            unsup_loss_loc=unsup * unsup_loc,
            mixup_lambda=lam.mean().detach())
