"""Mean Teacher for action detection, as in Stable Mean Teacher (Kumar et
al., AAAI 2025) without its error-recovery module."""
from typing import Dict, Optional

from torch import Tensor, nn

from mmaction.registry import MODELS
from mmaction.utils import ConfigType, OptConfigType, SampleList

from .teacher_student_detector import TeacherStudentDetector

DEFAULT_LOC_CONSISTENCY = dict(
    loss_l2=dict(type='LocalizationConsistencyLoss'),
    loss_dop=dict(type='DifferenceOfPixelsLoss'))


@MODELS.register_module()
class MeanTeacherDetector(TeacherStudentDetector):
    """EMA teacher on weak views, student on strong photometric views.

    The student's foreground probabilities on ``unsup_student`` are pulled
    towards the teacher's on ``unsup_teacher`` (the same clip and geometry,
    or any geometry: the teacher's maps are carried onto the student's view)
    by the ``loc_consistency`` losses, by default L2
    (:class:`LocalizationConsistencyLoss`) plus the temporal difference of
    pixels (:class:`DifferenceOfPixelsLoss`). The teacher is the EMA of the
    student (:class:`MeanTeacherHook`) and receives no gradient.

    Args:
        detector (dict): a :class:`CapsuleDetector` config.
        loc_consistency (dict[str, dict], optional): losses by log name
            (``loss_*``), each called as ``loss(student_prob,
            teacher_prob, valid)``; defaults to ``loss_l2`` and
            ``loss_dop``.
        cls_consistency (dict, optional): a loss on ``(student_scores,
            teacher_probs)`` (e.g. ``JSDConsistencyLoss``); off by default.
        semi_train_cfg (dict, optional): see :class:`TeacherStudentDetector`.
        semi_test_cfg (dict, optional): ``predict_on`` (``'teacher'``).
        data_preprocessor (dict, optional): see :class:`SemiBaseModel`.
        init_cfg (dict, optional): mmengine init config.
    """

    def __init__(self,
                 detector: ConfigType,
                 loc_consistency: Optional[Dict[str, ConfigType]] = None,
                 cls_consistency: OptConfigType = None,
                 semi_train_cfg: OptConfigType = None,
                 semi_test_cfg: OptConfigType = None,
                 data_preprocessor: OptConfigType = None,
                 init_cfg: OptConfigType = None) -> None:
        super().__init__(detector, semi_train_cfg, semi_test_cfg,
                         data_preprocessor, init_cfg)
        if loc_consistency is None:
            loc_consistency = DEFAULT_LOC_CONSISTENCY
        for name in loc_consistency:
            if not name.startswith('loss_'):
                raise ValueError(f'loc_consistency names must start with '
                                 f'"loss_", got {name!r}')
        self.loc_consistency = nn.ModuleDict(
            {name: MODELS.build(cfg)
             for name, cfg in loc_consistency.items()})
        self.cls_consistency = None if cls_consistency is None else \
            MODELS.build(cls_consistency)

    def loss_by_pseudo_labels(self, inputs: Tensor, data_samples: SampleList,
                              pseudo_samples: SampleList
                              ) -> Dict[str, Tensor]:
        """Consistency of the student's strong views with the teacher.

        Args:
            inputs (Tensor): ``B x 1 x C x T x H x W`` student views.
            data_samples (list): their samples.
            pseudo_samples (list): the teacher's samples, same clips.

        Returns:
            dict[str, Tensor]: one entry per ``loc_consistency`` loss and
            ``loss_cls_cons`` with ``cls_consistency``.
        """
        labels, probs, masks, valid = self.teacher_targets(
            pseudo_samples, data_samples, inputs.shape[-2:])
        out = self.student_forward(inputs, labels)
        student_prob = out.loc_logits.sigmoid()
        losses = {
            name: loss(student_prob, masks, valid)
            for name, loss in self.loc_consistency.items()
        }
        if self.cls_consistency is not None:
            losses['loss_cls_cons'] = self.cls_consistency(out.scores, probs)
        return losses
