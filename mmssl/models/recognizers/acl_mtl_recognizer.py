"""Adaptive Contrastive Learning + Multi-scale Temporal Learning on top of the
FixMatch-style :class:`SemiRecognizer` (Wang et al., "Learning
Discriminative Spatio-temporal Representations for Semi-supervised Action
Recognition", arXiv 2404.16416). The paper's text beyond its abstract is not
public; the choices made here are listed in ``docs/methods/acl_mtl.md``."""
from typing import Dict, NamedTuple, Optional, Tuple

import torch
import torch.nn.functional as F
from mmengine.config import ConfigDict
from mmengine.dist import all_gather
from torch import Tensor

from mmaction.registry import MODELS
from mmaction.utils import ConfigType, OptConfigType, SampleList
from ..utils import (ClassPrototypes, PseudoLabelMemoryBank, ReliabilityGMM,
                     select_contrastive_pairs, temporal_features)
from .semi_recognizer import SemiRecognizer

ACL_DEFAULTS = dict(
    proj_channels=128,
    proj_hidden_channels=None,
    temperature=0.1,
    loss_weight=1.0,
    bank_size=4096,
    bank_mode='fifo',
    bank_momentum=0.7,
    prototype_momentum=0.99,
    gmm_interval=10,
    gmm_per_class=False,
    gmm_min_samples=64,
    gmm_max_iter=10,
    gmm_tol=1e-2,
    gmm_reg_covar=5e-4,
    anchor_threshold=0.5,
    pos_threshold=0.5,
    neg_threshold=0.5,
    soft_weights=True)

MTL_DEFAULTS = dict(
    num_long_clips=2,
    loss_weight=1.0,
    calibration=dict(
        type='TemporalCalibration',
        hidden_channels=None,
        temperature=0.1,
        scale_fusion='mean'))


class TeacherOutputs(NamedTuple):
    """Batched teacher results on the weak views of ``B`` unlabeled clips.

    Attributes:
        labels (Tensor): ``(B,)`` hard pseudo-labels.
        mask (Tensor): ``(B,)`` bool, confidence >= threshold.
        probs (Tensor): ``(B, K)`` class probabilities.
        clip_len (int): clip-axis length of the teacher input.
        proj (Tensor | None): ``(B, D)`` projections of the short clips.
        reliability (Tensor | None): ``(B,)`` similarity of ``proj`` to the
            prototype of its pseudo-class.
        short_feat (Tensor | None): ``(B, C)`` short-clip embeddings.
        long_feats (Tensor | None): ``(B, S, T, C)`` per-time features of the
            long-term clips.
    """
    labels: Tensor
    mask: Tensor
    probs: Tensor
    clip_len: int
    proj: Optional[Tensor] = None
    reliability: Optional[Tensor] = None
    short_feat: Optional[Tensor] = None
    long_feats: Optional[Tensor] = None


def _merged(defaults: dict, given: Optional[dict], name: str) -> ConfigDict:
    """``defaults`` updated by ``given``; unknown keys are an error."""
    given = dict(given or {})
    unknown = set(given) - set(defaults)
    if unknown:
        raise KeyError(f'ACLMTLRecognizer: unknown {name} options '
                       f'{sorted(unknown)}; known: {sorted(defaults)}')
    return ConfigDict({**defaults, **given})


def concat_all_gather(tensor: Tensor) -> Tensor:
    """Concatenate a tensor from every process along dim 0 (no gradient)."""
    return torch.cat(all_gather(tensor.detach().contiguous()), dim=0)


def hard_labels(data_samples: SampleList) -> Tensor:
    """The class of each sample: its ``gt_label`` index, or the dominant
    class of a soft label (MixUp / CutMix blending gives ``C``-vectors).

    Returns:
        Tensor: ``B`` long.
    """
    labels = []
    for sample in data_samples:
        label = sample.gt_label.view(-1)
        labels.append(label.argmax() if label.numel() > 1 else label[0])
    return torch.stack(labels).long()


@MODELS.register_module()
class ACLMTLRecognizer(SemiRecognizer):
    """Teacher-student recognizer with ACL and MTL.

    On top of :class:`SemiRecognizer` (EMA teacher, confidence-thresholded
    pseudo-labels on a weak view, cross-entropy on the student's strong
    view):

    - **Adaptive Contrastive Learning** (``acl``): a projection head on the
      clip embedding of both networks. Teacher projections of labeled clips
      update momentum class prototypes; each unlabeled clip's reliability is
      the cosine similarity of its teacher projection to the prototype of its
      pseudo-class. A memory bank stores teacher projections of unlabeled
      clips with pseudo-labels and reliability; a two-component GMM over the
      bank's reliabilities (re-fitted every ``gmm_interval`` iterations)
      turns a score into the posterior of being reliable. The student's
      projection of the strong view is the anchor of a supervised-contrastive
      loss: positives are reliable bank entries of its pseudo-class, negatives
      reliable entries of other classes; anchors are weighted by their own
      posterior.
    - **Multi-scale Temporal Learning** (``mtl``): the teacher branch of the
      unlabeled pipeline carries the short clip followed by
      ``num_long_clips`` long-term clips of the same video
      (:class:`MultiScaleClips`); the teacher embeds them without gradient, a
      :class:`TemporalCalibration` weights the long clips' time segments by
      their agreement with the short clip, and ``1 - cos`` pulls the
      student's short-clip embedding towards the stop-gradient calibrated
      long-term embedding. Long clips exist at training time only.

    Losses (prefixed ``unsup_`` and scaled by ``unsup_weight`` and the ramp):
    ``loss_cls`` (FixMatch), ``loss_acl``, ``loss_mtl``; logged:
    ``mask_ratio``, ``acl_reliable_ratio``, ``acl_bank_fill``,
    ``acl_pos_per_anchor``, ``mtl_time_weight_max``.

    Args:
        recognizer (dict): any MMAction2 recognizer config.
        acl (dict, optional): ACL options, see :data:`ACL_DEFAULTS`; ``None``
            disables ACL. Defaults to ``{}`` (all defaults).
        mtl (dict, optional): MTL options, see :data:`MTL_DEFAULTS`; ``None``
            disables MTL. Defaults to ``{}``.
        feat_channels (int, optional): size of the clip embedding (spatially
            and temporally pooled backbone/neck output); defaults to the
            classification head's ``in_channels``.
        semi_train_cfg (dict, optional): see :class:`SemiRecognizer`.
        semi_test_cfg (dict, optional): see :class:`SemiBaseModel`.
        data_preprocessor (dict, optional): see :class:`SemiBaseModel`.
        init_cfg (dict, optional): weight initialisation config.
    """

    def __init__(self,
                 recognizer: ConfigType,
                 acl: Optional[dict] = {},
                 mtl: Optional[dict] = {},
                 feat_channels: Optional[int] = None,
                 semi_train_cfg: OptConfigType = None,
                 semi_test_cfg: OptConfigType = None,
                 data_preprocessor: OptConfigType = None,
                 init_cfg: OptConfigType = None) -> None:
        super().__init__(recognizer, semi_train_cfg, semi_test_cfg,
                         data_preprocessor, init_cfg)
        head = getattr(self.student, 'cls_head', None)
        self.num_classes = getattr(head, 'num_classes', None)
        feat_channels = feat_channels or getattr(head, 'in_channels', None)
        if self.num_classes is None or feat_channels is None:
            raise ValueError(
                'ACLMTLRecognizer needs a recognizer whose cls_head has '
                '`num_classes` and `in_channels` (or give feat_channels)')
        self.feat_channels = feat_channels
        self.acl_cfg = None if acl is None else _merged(
            ACL_DEFAULTS, acl, 'acl')
        self.mtl_cfg = None if mtl is None else _merged(
            MTL_DEFAULTS, mtl, 'mtl')
        if self.acl_cfg is not None:
            self._init_acl(self.acl_cfg)
        if self.mtl_cfg is not None:
            self._init_mtl(self.mtl_cfg)
        self.register_buffer('train_iter', torch.zeros((), dtype=torch.long))
        self._teacher_outputs: Optional[TeacherOutputs] = None

    def _init_acl(self, cfg: ConfigDict) -> None:
        """Projection heads (student and teacher) and the ACL state."""
        proj = dict(
            type='ProjectionHead',
            in_channels=self.feat_channels,
            out_channels=cfg.proj_channels,
            hidden_channels=cfg.proj_hidden_channels)
        # Inside both networks, so MeanTeacherHook averages the heads too.
        self.student.add_module('proj_head', MODELS.build(proj))
        self.teacher.add_module('proj_head', MODELS.build(proj))
        if self.semi_train_cfg.get('freeze_teacher', True):
            self.teacher.proj_head.requires_grad_(False)
        self.prototypes = ClassPrototypes(self.num_classes, cfg.proj_channels,
                                          cfg.prototype_momentum)
        self.memory_bank = PseudoLabelMemoryBank(
            cfg.bank_size, cfg.proj_channels, cfg.bank_mode,
            cfg.bank_momentum)
        self.reliability_gmm = ReliabilityGMM(
            self.num_classes,
            per_class=cfg.gmm_per_class,
            max_iter=cfg.gmm_max_iter,
            tol=cfg.gmm_tol,
            reg_covar=cfg.gmm_reg_covar,
            min_samples=cfg.gmm_min_samples)
        self.contrastive_loss = MODELS.build(
            dict(
                type='AdaptiveContrastiveLoss',
                temperature=cfg.temperature,
                loss_weight=cfg.loss_weight))

    def _init_mtl(self, cfg: ConfigDict) -> None:
        """Temporal calibration and alignment loss."""
        if cfg.num_long_clips < 1:
            raise ValueError('mtl.num_long_clips must be >= 1, got '
                             f'{cfg.num_long_clips}')
        calibration = dict(cfg.calibration)
        calibration.setdefault('in_channels', self.feat_channels)
        self.calibration = MODELS.build(calibration)
        self.alignment_loss = MODELS.build(
            dict(
                type='TemporalAlignmentLoss',
                loss_weight=cfg.loss_weight,
                train_target=getattr(self.calibration, 'learnable', False)))

    @property
    def with_acl(self) -> bool:
        return self.acl_cfg is not None

    @property
    def with_mtl(self) -> bool:
        return self.mtl_cfg is not None

    # ------------------------------------------------------------------ #
    # network forward
    # ------------------------------------------------------------------ #
    @staticmethod
    def forward_clip_groups(recognizer: torch.nn.Module, inputs: Tensor,
                            num_groups: int = 1) -> Tuple[Tensor, Tensor]:
        """Logits and per-time features of ``num_groups`` clip groups.

        The clip axis of ``inputs`` is split into ``num_groups`` equal groups
        (the short clip and the long-term clips of :class:`MultiScaleClips`),
        all run through the recognizer in one batch.

        Args:
            recognizer (nn.Module): an MMAction2 recognizer.
            inputs (Tensor): ``B x L x ...`` (3-D: ``L`` clips of
                ``C x T x H x W``; 2-D: ``L`` frames of ``C x H x W``).
            num_groups (int): groups along ``L``.

        Returns:
            tuple[Tensor]: logits ``(B, G, K)`` (averaged over the clips of a
            group) and features ``(B, G, T', C)``.
        """
        batch, length = inputs.shape[:2]
        if length % num_groups:
            raise ValueError(
                f'clip axis of length {length} cannot hold {num_groups} '
                'equal clip groups (short clip + long-term clips); check '
                'MultiScaleClips.scales against mtl.num_long_clips')
        grouped = inputs.reshape(batch * num_groups, length // num_groups,
                                 *inputs.shape[2:])
        logits, feats, kwargs = SemiRecognizer.forward_recognizer(
            recognizer, grouped)
        time_feats = temporal_features(feats, kwargs.get('num_segs'))
        logits = logits.view(batch, num_groups, -1, logits.shape[-1]).mean(2)
        time_feats = time_feats.reshape(batch, num_groups, -1,
                                        time_feats.shape[-1])
        return logits, time_feats

    # ------------------------------------------------------------------ #
    # labeled clips: supervised loss + prototypes
    # ------------------------------------------------------------------ #
    def loss_by_labeled(self, inputs: Tensor,
                        data_samples: SampleList) -> Dict[str, Tensor]:
        """Student's supervised loss; with ACL, also update the prototypes
        from the teacher's projections of the labeled clips."""
        losses = super().loss_by_labeled(inputs, data_samples)
        if self.with_acl:
            self.update_prototypes(inputs, data_samples)
        return losses

    @torch.no_grad()
    def update_prototypes(self, inputs: Tensor,
                          data_samples: SampleList) -> None:
        """Momentum-update the class prototypes with teacher projections.

        Args:
            inputs (Tensor): ``B x L x ...`` labeled clips.
            data_samples (list): their samples with ``gt_label``.
        """
        self.teacher.eval()
        _, time_feats = self.forward_clip_groups(self.teacher, inputs)
        proj = self.teacher.proj_head(time_feats[:, 0].mean(1))
        labels = hard_labels(data_samples).to(proj.device)
        self.prototypes.update(
            concat_all_gather(proj), concat_all_gather(labels))

    # ------------------------------------------------------------------ #
    # unlabeled clips
    # ------------------------------------------------------------------ #
    def teacher_outputs(self, inputs: Tensor) -> TeacherOutputs:
        """Batched teacher results on the weak views (call without grad).

        Args:
            inputs (Tensor): ``B x L x ...``; with MTL the clip axis holds the
                short clip then ``num_long_clips`` long-term clips.

        Returns:
            TeacherOutputs: pseudo-labels, projections, reliability and
            long-term features.
        """
        groups = 1 + self.mtl_cfg.num_long_clips if self.with_mtl else 1
        logits, time_feats = self.forward_clip_groups(self.teacher, inputs,
                                                      groups)
        probs = self.pseudo_label_probs(logits[:, 0])
        confidence, labels = probs.max(-1)
        mask = confidence >= self.semi_train_cfg.pseudo_threshold
        short_feat = time_feats[:, 0].mean(1)
        outputs = dict(
            labels=labels,
            mask=mask,
            probs=probs,
            clip_len=inputs.shape[1],
            short_feat=short_feat)
        if self.with_acl:
            proj = self.teacher.proj_head(short_feat)
            outputs.update(
                proj=proj,
                reliability=self.prototypes.similarity(proj, labels))
        if self.with_mtl:
            outputs.update(long_feats=time_feats[:, 1:])
        return TeacherOutputs(**outputs)

    def get_pseudo_labels(self, inputs: Tensor,
                          data_samples: SampleList) -> SampleList:
        """Attach ``pseudo_label``, ``pseudo_mask``, ``teacher_prob`` (and
        ``reliability`` with ACL) to each sample, as :class:`SemiRecognizer`
        does; the batched teacher outputs are kept for the
        :meth:`loss_by_pseudo_labels` call that follows in :meth:`loss`.

        Args:
            inputs (Tensor): ``B x L x ...`` weak views.
            data_samples (list): their data samples.

        Returns:
            list: the data samples with the pseudo-label fields.
        """
        outputs = self.teacher_outputs(inputs)
        self._teacher_outputs = outputs
        reliability = (outputs.reliability if self.with_acl else
                       torch.full_like(outputs.mask, float('nan'),
                                       dtype=torch.float))
        return self.attach_fields(data_samples, pseudo_label=outputs.labels,
                                  pseudo_mask=outputs.mask,
                                  teacher_prob=outputs.probs,
                                  reliability=reliability)

    def loss_by_pseudo_labels(self, inputs: Tensor, data_samples: SampleList,
                              pseudo_samples: SampleList
                              ) -> Dict[str, Tensor]:
        """FixMatch cross-entropy, ACL and MTL losses of the strong views.

        Args:
            inputs (Tensor): ``B x L x ...`` strong views (short clip only).
            data_samples (list): their data samples.
            pseudo_samples (list): output of :meth:`get_pseudo_labels`.

        Returns:
            dict[str, Tensor]: losses and logged statistics.
        """
        teacher = self._teacher_outputs
        self._teacher_outputs = None
        if teacher is None or teacher.labels.shape[0] != inputs.shape[0]:
            raise RuntimeError(
                'ACLMTLRecognizer.loss_by_pseudo_labels must follow '
                'get_pseudo_labels on the same unlabeled batch')
        self._check_student_clip_len(teacher.clip_len, inputs.shape[1])
        logits, time_feats = self.forward_clip_groups(self.student, inputs)
        logits = logits[:, 0]
        feat = time_feats[:, 0].mean(1)
        mask = teacher.mask.float()
        loss_cls = (F.cross_entropy(logits, teacher.labels, reduction='none')
                    * mask).mean()
        losses = dict(loss_cls=loss_cls, mask_ratio=mask.mean())
        if self.with_acl:
            losses.update(self.acl_loss(feat, teacher, pseudo_samples))
        if self.with_mtl:
            losses.update(self.mtl_loss(feat, teacher))
        self.train_iter += 1
        return losses

    def _check_student_clip_len(self, teacher_len: int,
                                student_len: int) -> None:
        groups = 1 + self.mtl_cfg.num_long_clips if self.with_mtl else 1
        if teacher_len != groups * student_len:
            raise ValueError(
                f'unsup_teacher clips have clip axis {teacher_len}, '
                f'unsup_student {student_len}; expected {groups} x the '
                'student\'s (the short clip plus mtl.num_long_clips long '
                'clips). Put MultiScaleClips before MultiBranch and '
                'SelectShortClip in the unsup_student branch')

    # ------------------------------------------------------------------ #
    # Adaptive Contrastive Learning
    # ------------------------------------------------------------------ #
    def acl_loss(self, student_feat: Tensor, teacher: TeacherOutputs,
                 data_samples: SampleList) -> Dict[str, Tensor]:
        """Contrastive loss against the bank, then bank and GMM updates.

        Args:
            student_feat (Tensor): ``(B, C)`` student embeddings of the
                strong views.
            teacher (TeacherOutputs): the teacher's results.
            data_samples (list): the unlabeled samples (``sample_idx`` is
                read in ``'index'`` bank mode).

        Returns:
            dict[str, Tensor]: ``loss_acl`` and statistics.
        """
        cfg = self.acl_cfg
        bank = self.memory_bank
        anchors = self.student.proj_head(student_feat)
        gmm = self.reliability_gmm
        bank_post = gmm.posterior(bank.reliability, bank.labels)
        anchor_post = gmm.posterior(teacher.reliability, teacher.labels)
        keep = anchor_post >= cfg.anchor_threshold
        anchor_weight = (anchor_post if cfg.soft_weights else
                         torch.ones_like(anchor_post)) * keep
        pairs = select_contrastive_pairs(
            teacher.labels,
            bank.labels,
            bank_post,
            bank.valid,
            pos_threshold=cfg.pos_threshold,
            neg_threshold=cfg.neg_threshold,
            soft_positives=cfg.soft_weights)
        # A copy: the bank is overwritten in place below, before backward.
        loss = self.contrastive_loss(anchors, bank.feats.clone(),
                                     pairs.pos_weight, pairs.neg_mask,
                                     anchor_weight)
        stats = dict(
            acl_reliable_ratio=keep.float().mean(),
            acl_pos_per_anchor=(pairs.pos_weight > 0).float().sum(1).mean(),
            acl_bank_fill=bank.num_valid.float() / len(bank))
        self.update_bank(teacher, data_samples)
        self.refit_gmm()
        return dict(loss_acl=loss, **stats)

    @torch.no_grad()
    def update_bank(self, teacher: TeacherOutputs,
                    data_samples: SampleList) -> None:
        """Write the teacher projections of this batch (from every process)
        into the memory bank."""
        indices = None
        if self.acl_cfg.bank_mode == 'index':
            if any('sample_idx' not in s.metainfo for s in data_samples):
                raise KeyError(
                    "acl.bank_mode='index' needs `sample_idx` in the "
                    'unlabeled data samples: add it to the meta_keys of '
                    'PackActionInputs in the unsup_teacher branch')
            indices = concat_all_gather(
                torch.as_tensor([s.sample_idx for s in data_samples],
                                device=teacher.proj.device))
        self.memory_bank.enqueue(
            concat_all_gather(teacher.proj),
            concat_all_gather(teacher.labels),
            concat_all_gather(teacher.reliability), indices)

    @torch.no_grad()
    def refit_gmm(self) -> None:
        """Re-fit the reliability GMM on the bank every ``gmm_interval``
        iterations (and at every iteration until the first fit succeeds)."""
        gmm = self.reliability_gmm
        if gmm.fitted and int(self.train_iter) % self.acl_cfg.gmm_interval:
            return
        bank = self.memory_bank
        gmm.fit(bank.reliability, bank.labels, bank.valid)

    # ------------------------------------------------------------------ #
    # Multi-scale Temporal Learning
    # ------------------------------------------------------------------ #
    def mtl_loss(self, student_feat: Tensor,
                 teacher: TeacherOutputs) -> Dict[str, Tensor]:
        """Align the student's short clip with the calibrated long clips.

        Args:
            student_feat (Tensor): ``(B, C)`` student embeddings.
            teacher (TeacherOutputs): holds the teacher's short-clip
                embedding (the calibration query) and long-clip features.

        Returns:
            dict[str, Tensor]: ``loss_mtl`` and statistics.
        """
        calibrated = self.calibration(teacher.short_feat, teacher.long_feats)
        loss = self.alignment_loss(student_feat, calibrated.feature)
        return dict(
            loss_mtl=loss,
            mtl_time_weight_max=calibrated.time_weights.detach().amax(
                -1).mean())
