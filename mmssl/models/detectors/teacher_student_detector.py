"""Teacher-student training of a :class:`CapsuleDetector`: the common part
of the pseudo-label and Mean Teacher baselines."""
from typing import Tuple

import torch
from mmengine.logging import MessageHub
from torch import Tensor

from mmaction.utils import ConfigType, OptConfigType, SampleList

from ..semi import SemiBaseModel
from . import sample_fields
from .capsule_detector import DetectionOutput
from .view_transfer import transfer_view


class TeacherStudentDetector(SemiBaseModel):
    """Student and teacher copies of one :class:`CapsuleDetector`.

    Batches come from ``MultiBranch(branch_field=['sup', 'unsup_teacher',
    'unsup_student'])`` pipelines: labeled clips fill ``sup`` (the student's
    supervised losses), unlabeled clips ``unsup_teacher`` (the teacher's
    view) and ``unsup_student`` (the student's view of the same clip; any
    geometry, the teacher's maps are carried onto it through both views'
    ``view_affine``). The teacher (EMA or copy of the student, set by
    :class:`MeanTeacherHook`) predicts a class and a mask per unlabeled clip;
    the student decodes the teacher's class, and a subclass's
    :meth:`loss_by_pseudo_labels` compares the two.

    A subclass states its own ``semi_train_cfg`` options in
    :attr:`default_semi_train_cfg` and checks them in
    :meth:`check_semi_train_cfg`; it needs no ``__init__`` of its own.

    Args:
        detector (dict): a :class:`CapsuleDetector` config with its
            ``data_preprocessor``.
        semi_train_cfg (dict, optional): :class:`SemiBaseModel`'s options
            (``sup_weight``, ``unsup_weight``, ``freeze_teacher``) and
            ``mask_warmup_iters`` (0): iterations during which the teacher
            and the student decode all classes of unlabeled clips. Options
            not given take their :attr:`default_semi_train_cfg` values.
        semi_test_cfg (dict, optional): ``predict_on`` (``'teacher'``).
        data_preprocessor (dict, optional): see :class:`SemiBaseModel`.
        init_cfg (dict, optional): mmengine init config.

    Attributes:
        default_semi_train_cfg (dict): class attribute, the defaults of
            ``semi_train_cfg``.
    """

    default_semi_train_cfg: dict = dict(mask_warmup_iters=0)

    def __init__(self,
                 detector: ConfigType,
                 semi_train_cfg: OptConfigType = None,
                 semi_test_cfg: OptConfigType = None,
                 data_preprocessor: OptConfigType = None,
                 init_cfg: OptConfigType = None) -> None:
        semi_train_cfg = dict(self.default_semi_train_cfg,
                              **(semi_train_cfg or {}))
        super().__init__(detector, semi_train_cfg, semi_test_cfg,
                         data_preprocessor, init_cfg)
        self.check_semi_train_cfg()

    def check_semi_train_cfg(self) -> None:
        """Raise ``ValueError`` on invalid ``semi_train_cfg`` values, at
        start-up rather than at the first iteration."""
        warmup = self.semi_train_cfg.mask_warmup_iters
        if warmup < 0:
            raise ValueError('semi_train_cfg.mask_warmup_iters must be >= 0, '
                             f'got {warmup}')

    def mask_warmup(self) -> bool:
        """Whether unlabeled clips still decode all classes."""
        it = MessageHub.get_current_instance().get_info('iter', 0)
        return it < self.semi_train_cfg.mask_warmup_iters

    def get_pseudo_labels(self, inputs: Tensor,
                          data_samples: SampleList) -> SampleList:
        """Attach the teacher's ``pseudo_label`` (long), ``teacher_prob``
        (``C`` class distribution: scores over their sum) and
        ``teacher_mask`` (``1 x T x H x W`` foreground probability, on the
        teacher's view) to each sample.

        Args:
            inputs (Tensor): ``B x 1 x C x T x H x W`` teacher views.
            data_samples (list): their ``B`` samples.

        Returns:
            list: the samples with the fields.
        """
        clips = self.teacher.fold_inputs(inputs)
        num = clips.shape[0]
        labels = torch.full((num, ), -1, dtype=torch.long,
                            device=clips.device)
        use_all = torch.full((num, ), self.mask_warmup(), dtype=torch.bool,
                             device=clips.device)
        out = self.teacher.forward_detection(clips, labels, use_all)
        probs = out.scores / out.scores.sum(1, keepdim=True).clamp_min(1e-12)
        masks = torch.sigmoid(out.loc_logits)
        for sample, label, prob, mask in zip(data_samples, probs.argmax(1),
                                             probs, masks):
            sample.set_field(label, 'pseudo_label')
            sample.set_field(prob, 'teacher_prob')
            sample.set_field(mask, 'teacher_mask')
        return data_samples

    @staticmethod
    def teacher_targets(pseudo_samples: SampleList, data_samples: SampleList,
                        size: Tuple[int, int]
                        ) -> Tuple[Tensor, Tensor, Tensor, Tensor]:
        """The teacher's predictions, masks carried onto the student views.

        Args:
            pseudo_samples (list): ``B`` teacher samples with the fields of
                :meth:`get_pseudo_labels`.
            data_samples (list): the student views' ``B`` samples.
            size (tuple[int, int]): ``(H, W)`` of the student views.

        Returns:
            tuple[Tensor]: ``labels`` (``B``), ``probs`` (``B x C``),
            ``masks`` (``B x 1 x T x H x W``) and ``valid``
            (``B x 1 x 1 x H x W`` bool, student pixels the teacher saw).
        """
        labels = torch.stack([s.pseudo_label for s in pseudo_samples])
        probs = torch.stack([s.teacher_prob for s in pseudo_samples])
        masks = torch.stack([s.teacher_mask for s in pseudo_samples])
        src = sample_fields.view_affines(pseudo_samples, masks.device,
                                         masks.dtype)
        dst = sample_fields.view_affines(data_samples, masks.device,
                                         masks.dtype)
        masks, valid = transfer_view(masks, src, dst, size)
        return labels, probs, masks, valid

    def student_forward(self, inputs: Tensor,
                        labels: Tensor) -> DetectionOutput:
        """The student on its views of unlabeled clips, decoding ``labels``
        (all classes during the mask warm-up).

        Args:
            inputs (Tensor): ``B x 1 x C x T x H x W``.
            labels (Tensor): ``B`` classes.

        Returns:
            DetectionOutput: the student's outputs.
        """
        clips = self.student.fold_inputs(inputs)
        use_all = torch.full_like(labels, int(self.mask_warmup())).bool()
        return self.student.forward_detection(clips, labels, use_all)
