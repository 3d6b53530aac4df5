"""Online pseudo-labeling for action detection."""
from typing import Dict

import torch
from torch import Tensor

from mmaction.registry import MODELS
from mmaction.utils import SampleList

from ..utils.pseudo_label_threshold import threshold_pseudo_labels
from .teacher_student_detector import TeacherStudentDetector


@MODELS.register_module()
class PseudoLabelDetector(TeacherStudentDetector):
    """The teacher's confident predictions on unlabeled clips are the
    student's targets, with the detector's own supervised losses.

    Online (Lee, 2013): labels are made afresh at every iteration by the
    teacher, which :class:`MeanTeacherHook` keeps equal to the current
    student (``momentum=1.0``) or an EMA of it. A clip is kept when the
    teacher's top class probability (scores over their sum) reaches
    ``cls_threshold``; its class trains the student's scores with the
    detector's ``loss_cls`` (spread loss), and its pixels with foreground
    probability ``>= mask_pos_threshold`` (target 1) or ``<=
    mask_neg_threshold`` (target 0) train the localization with the
    detector's ``loss_loc`` (BCE + Dice); pixels in between are ignored.

    Args:
        detector (dict): a :class:`CapsuleDetector` config.
        semi_train_cfg (dict, optional): :class:`TeacherStudentDetector`'s
            options and ``cls_threshold`` (0.5), ``mask_pos_threshold``
            (0.8), ``mask_neg_threshold`` (0.2).
        semi_test_cfg (dict, optional): ``predict_on`` (``'teacher'``).
        data_preprocessor (dict, optional): see :class:`SemiBaseModel`.
        init_cfg (dict, optional): mmengine init config.
    """

    default_semi_train_cfg = dict(
        TeacherStudentDetector.default_semi_train_cfg,
        cls_threshold=0.5, mask_pos_threshold=0.8, mask_neg_threshold=0.2)

    def check_semi_train_cfg(self) -> None:
        """Check the warm-up and the thresholds (``ValueError``)."""
        super().check_semi_train_cfg()
        cfg = self.semi_train_cfg
        threshold_pseudo_labels(
            torch.ones(1, 1), torch.zeros(1, 1, 1, 1, 1), cfg.cls_threshold,
            cfg.mask_pos_threshold, cfg.mask_neg_threshold)

    def loss_by_pseudo_labels(self, inputs: Tensor, data_samples: SampleList,
                              pseudo_samples: SampleList
                              ) -> Dict[str, Tensor]:
        """Supervised losses of the student's views against the kept
        pseudo-labels.

        Args:
            inputs (Tensor): ``B x 1 x C x T x H x W`` student views.
            data_samples (list): their samples.
            pseudo_samples (list): the teacher's samples, same clips.

        Returns:
            dict[str, Tensor]: ``loss_cls``, ``loss_loc`` and the logged
            ``clip_keep_ratio`` and ``pixel_keep_ratio``.
        """
        cfg = self.semi_train_cfg
        labels, probs, masks, valid = self.teacher_targets(
            pseudo_samples, data_samples, inputs.shape[-2:])
        targets = threshold_pseudo_labels(probs, masks, cfg.cls_threshold,
                                          cfg.mask_pos_threshold,
                                          cfg.mask_neg_threshold)
        out = self.student_forward(inputs, labels)
        keep = targets.clip_keep
        pixel_keep = targets.pixel_keep & valid
        loss_cls = self.student.loss_cls(out.scores[keep], labels[keep]) + \
            0. * out.scores.sum()
        loss_loc = self.student.loss_loc(out.loc_logits, targets.masks,
                                          pixel_keep)
        return dict(
            loss_cls=loss_cls,
            loss_loc=loss_loc,
            clip_keep_ratio=keep.float().mean(),
            pixel_keep_ratio=pixel_keep.float().mean())
