"""FixMatch-style teacher-student recognizer around any MMAction2
recognizer."""
from typing import Dict, Sequence, Tuple, Union

import torch
import torch.nn.functional as F
from torch import Tensor

from mmaction.registry import MODELS
from mmaction.utils import ConfigType, OptConfigType, SampleList
from ..semi import SemiBaseModel
from ..utils import DistributionAlignment

Feats = Union[Tensor, Sequence[Tensor]]


@MODELS.register_module()
class SemiRecognizer(SemiBaseModel):
    """Teacher-student recognizer with confidence-thresholded pseudo-labels.

    The EMA teacher (see :class:`MeanTeacherHook`) classifies the weak view
    of each unlabeled clip; where its top probability reaches
    ``semi_train_cfg.pseudo_threshold`` the argmax becomes the hard label of
    the student's strong view (cross-entropy averaged over the whole
    unlabeled batch, as FixMatch). Labeled clips train the student with the
    wrapped recognizer's own loss.

    Args:
        recognizer (dict): any MMAction2 recognizer config (TSN, I3D,
            SlowFast, X3D, TimeSformer, ...), with its data_preprocessor.
        semi_train_cfg (dict, optional): adds to :class:`SemiBaseModel`'s
            options ``pseudo_threshold`` (0.95) and
            ``distribution_alignment`` (off; ``True`` or a dict of
            :class:`DistributionAlignment` options).
        semi_test_cfg (dict, optional): see :class:`SemiBaseModel`.
        data_preprocessor (dict, optional): see :class:`SemiBaseModel`.
        init_cfg (dict, optional): weight initialisation config.
    """

    def __init__(self,
                 recognizer: ConfigType,
                 semi_train_cfg: OptConfigType = None,
                 semi_test_cfg: OptConfigType = None,
                 data_preprocessor: OptConfigType = None,
                 init_cfg: OptConfigType = None) -> None:
        super().__init__(recognizer, semi_train_cfg, semi_test_cfg,
                         data_preprocessor, init_cfg)
        self.semi_train_cfg.setdefault('pseudo_threshold', 0.95)
        self._init_distribution_alignment(
            self.semi_train_cfg.get('distribution_alignment'))

    def _init_distribution_alignment(self, cfg) -> None:
        """Optional distribution alignment of the teacher's probabilities
        (``semi_train_cfg.distribution_alignment``: ``True`` or a dict of
        :class:`DistributionAlignment` options; off by default)."""
        self.distribution_alignment = None
        if not cfg:
            return
        options = dict(cfg) if isinstance(cfg, dict) else {}
        num_classes = getattr(getattr(self.student, 'cls_head', None),
                              'num_classes', None)
        if num_classes is None:
            raise ValueError('distribution_alignment needs a recognizer '
                             'whose cls_head has `num_classes`')
        self.distribution_alignment = DistributionAlignment(
            num_classes, **options)

    def pseudo_label_probs(self, logits: Tensor) -> Tensor:
        """Teacher probabilities for pseudo-labels: softmax, then the
        optional distribution alignment.

        Args:
            logits (Tensor): ``B x num_classes`` teacher logits.

        Returns:
            Tensor: ``B x num_classes`` probabilities.
        """
        probs = logits.softmax(-1)
        if self.distribution_alignment is not None:
            probs = self.distribution_alignment(probs)
        return probs

    @staticmethod
    def forward_recognizer(recognizer: torch.nn.Module, inputs: Tensor
                           ) -> Tuple[Tensor, Feats, dict]:
        """Backbone/neck features and head logits of any MMAction2
        recognizer.

        The keyword arguments ``extract_feat`` returns for the head are
        passed on (``num_segs`` of 2-D recognizers such as TSN and TSM,
        whose heads average over segments); ``loss_aux`` is dropped.

        Args:
            recognizer (nn.Module): an MMAction2 recognizer.
            inputs (Tensor): ``B x L x ...`` (3-D: ``L`` clips of
                ``C x T x H x W``; 2-D: ``L`` segments of ``C x H x W``).

        Returns:
            tuple: logits ``(B * L, K)`` (3-D) or ``(B, K)`` (2-D, averaged
            over segments), the features and the head's keyword
            arguments.
        """
        feats, kwargs = recognizer.extract_feat(inputs)
        kwargs.pop('loss_aux', None)
        return recognizer.cls_head(feats, **kwargs), feats, kwargs

    @classmethod
    def clip_logits(cls, recognizer: torch.nn.Module,
                    inputs: Tensor) -> Tensor:
        """Class logits of each sample, averaged over its clips.

        Args:
            recognizer (nn.Module): an MMAction2 recognizer.
            inputs (Tensor): ``B x L x ...`` batch (clips or segments).

        Returns:
            Tensor: ``B x num_classes`` logits.
        """
        logits, _, _ = cls.forward_recognizer(recognizer, inputs)
        return logits.view(inputs.shape[0], -1, logits.shape[-1]).mean(1)

    def get_pseudo_labels(self, inputs: Tensor,
                          data_samples: SampleList) -> SampleList:
        """Attach ``pseudo_label`` (long) and ``pseudo_mask`` (bool, teacher
        confidence >= threshold) to each data sample.

        Args:
            inputs (Tensor): ``B x num_clips x C x T x H x W`` weak views.
            data_samples (list): their data samples.

        Returns:
            list: the same data samples, with the pseudo-label fields.
        """
        logits = self.clip_logits(self.teacher, inputs)
        probs = self.pseudo_label_probs(logits)
        confidence, labels = probs.max(-1)
        mask = confidence >= self.semi_train_cfg.pseudo_threshold
        return self.attach_fields(data_samples, pseudo_label=labels,
                                  pseudo_mask=mask, teacher_prob=probs)

    @staticmethod
    def attach_fields(data_samples: SampleList,
                      **fields: Tensor) -> SampleList:
        """Set row ``i`` of each batched tensor in ``fields`` as a data field
        of sample ``i``.

        Args:
            data_samples (list): ``B`` data samples.
            **fields (Tensor): ``B x ...`` tensors keyed by field name.

        Returns:
            list: the same data samples.
        """
        for i, sample in enumerate(data_samples):
            for name, values in fields.items():
                sample.set_field(values[i], name)
        return data_samples

    def loss_by_pseudo_labels(self, inputs: Tensor, data_samples: SampleList,
                              pseudo_samples: SampleList
                              ) -> Dict[str, Tensor]:
        """Masked cross-entropy of the student's strong view.

        Args:
            inputs (Tensor): ``B x num_clips x C x T x H x W`` strong views.
            data_samples (list): their data samples.
            pseudo_samples (list): the teacher-labeled samples, same order.

        Returns:
            dict[str, Tensor]: ``loss_cls`` and the logged ``mask_ratio``.
        """
        labels = torch.stack([s.pseudo_label for s in pseudo_samples])
        mask = torch.stack([s.pseudo_mask for s in pseudo_samples]).float()
        logits = self.clip_logits(self.student, inputs)
        loss = (F.cross_entropy(logits, labels, reduction='none') *
                mask).mean()
        return dict(loss_cls=loss, mask_ratio=mask.mean())
