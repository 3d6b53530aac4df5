"""E2E-SSL: end-to-end semi-supervised action detection by consistency
(Kumar & Rawat, CVPR 2022), as a wrapper around a :class:`CapsuleDetector`.
"""
import copy
from typing import Dict, List, Optional, Tuple, Union

import torch
from mmengine.config import ConfigDict
from mmengine.logging import MessageHub
from mmengine.model import BaseModel
from torch import Tensor, nn

from mmaction.registry import MODELS
from mmaction.utils import ConfigType, OptConfigType, SampleList

from ...datasets.transforms import restore_view
from ..utils.gradient_ratio import gradient_ratios, trainable_parameters
from . import sample_fields
from .capsule_detector import DetectionOutput

BranchInputs = Dict[str, Tensor]
BranchSamples = Dict[str, SampleList]
CONSISTENCY_ON = ('prob', 'logits')
SUP_VIEWS = ('orig', 'both')

DEFAULT_SEMI_TRAIN_CFG = dict(
    sup_weight=1.0,
    consistency_weight=0.1,  # lambda
    cls_consistency_weight=0.3,  # lambda_1
    loc_consistency_weight=0.7,  # lambda_2
    mask_warmup_iters=0,
    consistency_on='prob',
    align_cls_views=True,
    sup_views='orig',
    sup_warmup_iters=0,
    grad_ratio_interval=0)


def split_output(out: DetectionOutput,
                 num: int) -> Tuple[DetectionOutput, DetectionOutput]:
    """Split the outputs of a ``2B`` batch into the first ``num`` clips and
    the rest."""
    first = DetectionOutput(out.loc_logits[:num], out.scores[:num],
                            out.activations[:num], out.grid_scale)
    rest = DetectionOutput(out.loc_logits[num:], out.scores[num:],
                           out.activations[num:], out.grid_scale)
    return first, rest


def grid_affine(affines: Tensor, grid_scale: Tuple[float, float]) -> Tensor:
    """Express view affines in the coordinates of a grid that covers the
    central ``sy x sx`` part of each view (``p = S g``, ``S = diag(sx, sy)``;
    the result is ``S^-1 A S`` with translation ``S^-1 t``).

    Args:
        affines (Tensor): ``B x 2 x 3`` in view coordinates ``(x, y)``.
        grid_scale (tuple): ``(sy, sx)``.

    Returns:
        Tensor: ``B x 2 x 3`` in grid coordinates.
    """
    sy, sx = grid_scale
    scale = affines.new_tensor([sx, sy])
    out = affines.clone()
    out[:, :, :2] = affines[:, :, :2] * scale[None, None, :] / \
        scale[None, :, None]
    out[:, :, 2] = affines[:, :, 2] / scale[None, :]
    return out


@MODELS.register_module()
class E2ESSLDetector(BaseModel):
    """Pi-model consistency training of a capsule detector on labeled and
    unlabeled clips and their augmented views.

    Training batches come from ``MultiBranch(branch_field=['orig', 'aug'])``
    pipelines: ``inputs = {'orig': B x C x T x H x W, 'aug': ...}``, labeled
    and unlabeled clips mixed (``is_labeled``). Both views of all ``B`` clips
    go through the detector in one forward of ``2B`` clips, and

    ``L = sup_weight * (L_cls + L_loc)
    + lambda * (lambda_1 * L_cls_cons + lambda_2 * sum(L_loc_cons))``

    with the supervised losses on the labeled clips' original view and the
    consistency losses on all clips (both views get gradients). The poses
    decoded are those of the ground-truth class for labeled clips, of all
    classes for unlabeled clips during ``mask_warmup_iters`` iterations and
    of the predicted class afterwards.

    Args:
        detector (dict): a :class:`CapsuleDetector` config.
        cls_consistency (dict, optional): classification consistency loss on
            the class-capsule activations (:class:`JSDConsistencyLoss`);
            ``None`` disables it.
        loc_consistency (dict[str, dict], optional): localization consistency
            losses by log name (``loss_*``), summed, e.g.
            ``dict(loss_var=dict(type='TemporalCoherenceLoss'))``; each gets
            ``(orig_maps, restored_aug_maps, valid, ramp_weight=w,
            prob=orig_probabilities)``.
        semi_train_cfg (dict, optional): ``sup_weight`` (1.0),
            ``consistency_weight`` (lambda, 0.1), ``cls_consistency_weight``
            (lambda_1, 0.3), ``loc_consistency_weight`` (lambda_2, 0.7),
            ``mask_warmup_iters`` (0), ``consistency_on`` (``'prob'``, paper;
            ``'logits'``, released code), ``align_cls_views`` (True: undo the
            augmentation on the capsule grid before comparing; False: an
            earlier released variant), ``sup_views`` (``'orig'``: the
            supervised losses on the labeled clips' original view, released
            code; ``'both'``: the mean over both views, so a batch of ``B/2``
            labeled clips gives the supervised term ``B`` labeled views),
            ``sup_warmup_iters`` (0: iterations of supervised training on the
            labeled clips alone before the consistency terms switch on; the
            unlabeled clips are not forwarded then), ``grad_ratio_interval``
            (0: off; every N iterations log each term's backbone gradient
            norm and its ratio to the supervised one, ``grad_ratio/*``).
        semi_test_cfg (dict, optional): unused, kept for the OpenMMLab
            semi-supervised interface.
        data_preprocessor (dict, optional): defaults to a
            ``MultiBranchDataPreprocessor`` around the detector's own.
        init_cfg (dict, optional): mmengine init config.

    Attributes:
        ramp_weight (float): ``w`` of the temporal-coherence blend, set each
            iteration by ``RampUpHook`` (1.0 without it).
    """

    def __init__(self,
                 detector: ConfigType,
                 cls_consistency: OptConfigType = dict(
                     type='JSDConsistencyLoss'),
                 loc_consistency: Optional[Dict[str, ConfigType]] = None,
                 semi_train_cfg: OptConfigType = None,
                 semi_test_cfg: OptConfigType = None,
                 data_preprocessor: OptConfigType = None,
                 init_cfg: OptConfigType = None) -> None:
        detector = copy.deepcopy(detector)
        inner = detector.pop('data_preprocessor', None) or dict(
            type='ActionDataPreprocessor', format_shape='NCTHW')
        if data_preprocessor is None:
            data_preprocessor = dict(
                type='MultiBranchDataPreprocessor', data_preprocessor=inner)
        if isinstance(data_preprocessor, dict):
            data_preprocessor = MODELS.build(data_preprocessor)
        super().__init__(
            data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        detector['data_preprocessor'] = inner
        self.detector = MODELS.build(detector)
        self.cls_consistency = None if cls_consistency is None else \
            MODELS.build(cls_consistency)
        if loc_consistency is None:
            loc_consistency = dict(
                loss_var=dict(type='TemporalCoherenceLoss'))
        for name in loc_consistency:
            if not name.startswith('loss_'):
                raise ValueError(f'loc_consistency names must start with '
                                 f'"loss_", got {name!r}')
        self.loc_consistency = nn.ModuleDict(
            {name: MODELS.build(cfg)
             for name, cfg in loc_consistency.items()})
        self.semi_train_cfg = ConfigDict(DEFAULT_SEMI_TRAIN_CFG)
        self.semi_train_cfg.update(semi_train_cfg or {})
        for key, choices in (('consistency_on', CONSISTENCY_ON),
                             ('sup_views', SUP_VIEWS)):
            if self.semi_train_cfg[key] not in choices:
                raise ValueError(f'semi_train_cfg.{key} must be one of '
                                 f'{choices}, got '
                                 f'{self.semi_train_cfg[key]!r}')
        self.semi_test_cfg = ConfigDict(semi_test_cfg or {})
        self.ramp_weight = 1.0

    def forward(self,
                inputs: Union[Tensor, BranchInputs],
                data_samples: Optional[Union[SampleList,
                                             BranchSamples]] = None,
                mode: str = 'tensor') -> Union[Dict, SampleList, Tuple]:
        """``loss`` on a two-branch batch; ``predict`` / ``tensor`` on a
        single-view batch, by the wrapped detector."""
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode in ('predict', 'tensor'):
            return self.detector(inputs, data_samples, mode=mode)
        raise RuntimeError(f'Invalid mode "{mode}"; '
                           'use "loss", "predict" or "tensor"')

    def predict(self, inputs: Tensor, data_samples: SampleList) -> SampleList:
        """Predict with the wrapped detector."""
        return self.detector.predict(inputs, data_samples)

    # ------------------------------------------------------------- training
    @staticmethod
    def current_iter() -> int:
        """The training iteration (mmengine's ``MessageHub``; 0 outside a
        runner)."""
        return MessageHub.get_current_instance().get_info('iter', 0)

    def mask_warmup(self) -> bool:
        """Whether unlabeled clips still decode all classes."""
        return self.current_iter() < self.semi_train_cfg.mask_warmup_iters

    def sup_warmup(self) -> bool:
        """Whether training is still in its supervised-only phase."""
        return self.current_iter() < self.semi_train_cfg.sup_warmup_iters

    def forward_views(self, orig: Tensor, aug: Tensor, labels: Tensor,
                      labeled: Tensor
                      ) -> Tuple[DetectionOutput, DetectionOutput]:
        """Run both views of all clips in one forward.

        Args:
            orig (Tensor): ``B x C x T x H x W``.
            aug (Tensor): same shape.
            labels (Tensor): ``B`` classes (``-1`` for unlabeled clips).
            labeled (Tensor): ``B`` bool.

        Returns:
            tuple[DetectionOutput]: outputs of the original and augmented
            views.
        """
        if orig.shape != aug.shape:
            raise ValueError(
                f"the 'orig' {tuple(orig.shape)} and 'aug' "
                f'{tuple(aug.shape)} views must have the same shape to run '
                'in one forward')
        use_all = ~labeled & self.mask_warmup()
        out = self.detector.forward_detection(
            torch.cat([orig, aug]), labels.repeat(2), use_all.repeat(2))
        return split_output(out, orig.shape[0])

    def loss(self, multi_batch_inputs: BranchInputs,
             multi_batch_data_samples: BranchSamples) -> Dict[str, Tensor]:
        """Supervised and consistency losses of one two-view batch.

        Args:
            multi_batch_inputs (dict[str, Tensor]): ``orig`` and ``aug``,
                each ``B x 1 x C x T x H x W`` (or ``B x C x T x H x W``).
            multi_batch_data_samples (dict[str, list]): their samples.

        Returns:
            dict[str, Tensor]: ``sup_loss_cls``, ``sup_loss_loc``,
            ``sup_acc``, ``unsup_loss_cls_cons`` and one ``unsup_loss_*``
            per localization consistency loss (weights applied).
        """
        for branch in ('orig', 'aug'):
            if branch not in multi_batch_inputs:
                raise KeyError(
                    f"E2ESSLDetector needs the '{branch}' branch, got "
                    f'{sorted(multi_batch_inputs)}; use MultiBranch('
                    "branch_field=['orig', 'aug'], ...) in the pipelines")
        orig = self.detector.fold_inputs(multi_batch_inputs['orig'])
        aug = self.detector.fold_inputs(multi_batch_inputs['aug'])
        orig_samples = multi_batch_data_samples['orig']
        aug_samples = multi_batch_data_samples['aug']
        labeled = sample_fields.labeled_flags(orig_samples, orig.device)
        labels = sample_fields.gt_labels(orig_samples, orig.device)
        labels = torch.where(labeled, labels, torch.full_like(labels, -1))
        if self.sup_warmup():
            # the supervised phase: the labeled clips alone
            keep = labeled.nonzero().view(-1)
            orig, aug, labels = orig[keep], aug[keep], labels[keep]
            orig_samples = [orig_samples[i] for i in keep.tolist()]
            aug_samples = [aug_samples[i] for i in keep.tolist()]
            labeled = labeled[keep]
        out_orig, out_aug = self.forward_views(orig, aug, labels, labeled)
        losses = self.sup_losses(out_orig, orig_samples, labeled, out_aug,
                                 aug_samples)
        if self.sup_warmup():
            losses.update(self.zero_consistency_losses(out_orig.scores))
        else:
            losses.update(self.consistency_losses(out_orig, out_aug,
                                                  aug_samples))
        interval = self.semi_train_cfg.grad_ratio_interval
        if interval and self.training and \
                self.current_iter() % interval == 0:
            losses.update(gradient_ratios(
                losses, trainable_parameters(self.detector.backbone)))
        return losses

    def sup_losses(self, out: DetectionOutput, samples: SampleList,
                   labeled: Tensor,
                   out_aug: Optional[DetectionOutput] = None,
                   aug_samples: Optional[SampleList] = None
                   ) -> Dict[str, Tensor]:
        """The detector's supervised losses on the labeled clips, weighted
        by ``sup_weight`` and prefixed ``sup_``: on the original view, or
        (``sup_views='both'``, given the augmented view's outputs and
        samples) the mean over both views."""
        weight = self.semi_train_cfg.sup_weight
        losses = self.detector.supervised_loss(out, samples, labeled)
        if self.semi_train_cfg.sup_views == 'both' and out_aug is not None:
            aug = self.detector.supervised_loss(out_aug, aug_samples, labeled)
            losses = {k: (v + aug[k]) / 2 for k, v in losses.items()}
        return {
            f'sup_{k}': v * weight if k.startswith('loss') else v
            for k, v in losses.items()
        }

    def consistency_losses(self, out_orig: DetectionOutput,
                           out_aug: DetectionOutput,
                           aug_samples: SampleList) -> Dict[str, Tensor]:
        """Classification and localization consistency over all clips,
        weighted by lambda * lambda_1 and lambda * lambda_2."""
        cfg = self.semi_train_cfg
        affines = sample_fields.view_affines(aug_samples,
                                             out_orig.scores.device,
                                             out_orig.scores.dtype)
        losses = {}
        if self.cls_consistency is not None:
            value = self.cls_consistency_loss(out_orig, out_aug, affines)
            losses['unsup_loss_cls_cons'] = \
                cfg.consistency_weight * cfg.cls_consistency_weight * value
        for name, value in self.loc_consistency_losses(
                out_orig, out_aug, affines).items():
            losses[f'unsup_{name}'] = \
                cfg.consistency_weight * cfg.loc_consistency_weight * value
        return losses

    def zero_consistency_losses(self, like: Tensor) -> Dict[str, Tensor]:
        """The consistency loss keys with value 0 (the supervised phase),
        so every iteration logs the same terms."""
        names = list(self.loc_consistency)
        if self.cls_consistency is not None:
            names.insert(0, 'loss_cls_cons')
        return {f'unsup_{name}': like.new_zeros(()) for name in names}

    def cls_consistency_loss(self, out_orig: DetectionOutput,
                             out_aug: DetectionOutput,
                             affines: Tensor) -> Tensor:
        """Consistency of the class-capsule activations on the grid, the
        augmented grid mapped back onto the original one."""
        acts, aug_acts = out_orig.activations, out_aug.activations
        if not self.semi_train_cfg.align_cls_views:
            return self.cls_consistency(acts, aug_acts)
        restored, valid = restore_view(
            aug_acts.unsqueeze(2), grid_affine(affines, out_orig.grid_scale),
            acts.shape[-2:])
        return self.cls_consistency(acts, restored.squeeze(2),
                                    valid.squeeze(2))

    def loc_consistency_losses(self, out_orig: DetectionOutput,
                               out_aug: DetectionOutput,
                               affines: Tensor) -> Dict[str, Tensor]:
        """Localization consistency losses between the original view's maps
        and the augmented view's maps mapped back."""
        prob = torch.sigmoid(out_orig.loc_logits)
        if self.semi_train_cfg.consistency_on == 'prob':
            maps, aug_maps = prob, torch.sigmoid(out_aug.loc_logits)
        else:
            maps, aug_maps = out_orig.loc_logits, out_aug.loc_logits
        restored, valid = restore_view(aug_maps, affines, maps.shape[-2:])
        return {
            name: loss(maps, restored, valid, ramp_weight=self.ramp_weight,
                       prob=prob)
            for name, loss in self.loc_consistency.items()
        }

    def _load_from_state_dict(self, state_dict: dict, prefix: str,
                              local_metadata: dict, strict: bool,
                              missing_keys: List[str],
                              unexpected_keys: List[str],
                              error_msgs: List[str]) -> None:
        """Accept a plain :class:`CapsuleDetector` checkpoint (keys without
        ``detector.``), e.g. a supervised model to start from."""
        own = [k for k in state_dict if k.startswith(prefix)]
        if own and not any(k[len(prefix):].startswith('detector.')
                           for k in own):
            for key in own:
                name = key[len(prefix):]
                value = state_dict.pop(key)
                if not name.startswith('data_preprocessor.'):
                    state_dict[f'{prefix}detector.{name}'] = value
        super()._load_from_state_dict(state_dict, prefix, local_metadata,
                                      strict, missing_keys, unexpected_keys,
                                      error_msgs)
