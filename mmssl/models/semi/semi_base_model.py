"""Teacher-student wrapper around an ordinary MMAction2 model config."""
import copy
from abc import ABCMeta, abstractmethod
from typing import Dict, List, Optional, Union

import torch
from mmengine.config import ConfigDict
from mmengine.model import BaseModel
from torch import Tensor

from mmaction.registry import MODELS
from mmaction.utils import ConfigType, OptConfigType, SampleList

BranchInputs = Dict[str, Tensor]
BranchSamples = Dict[str, SampleList]


def prefix_losses(losses: Dict[str, Tensor], prefix: str) -> Dict[str, Tensor]:
    """Return ``losses`` with every key prefixed, e.g. ``sup_loss_cls``."""
    return {f'{prefix}{key}': value for key, value in losses.items()}


def scale_losses(losses: Dict[str, Tensor],
                 weight: float) -> Dict[str, Tensor]:
    """Multiply every loss term (keys containing ``loss``) by ``weight``;
    logged statistics stay as they are."""
    return {
        key: value * weight if 'loss' in key else value
        for key, value in losses.items()
    }


@MODELS.register_module()
class SemiBaseModel(BaseModel, metaclass=ABCMeta):
    """Base of teacher-student semi-supervised models.

    ``student`` and ``teacher`` are two copies of one ordinary MMAction2
    model (a recognizer or a detector). In training, a batch from
    :class:`MultiBranch` pipelines holds the branches ``sup`` (labeled
    clips), ``unsup_teacher`` (weak views of unlabeled clips) and
    ``unsup_student`` (strong views of the same clips). The student learns
    from ``sup`` with its own loss and from ``unsup_student`` with the
    teacher's pseudo-labels; the teacher is updated outside the model, by
    :class:`MeanTeacherHook`. A new algorithm overrides
    :meth:`get_pseudo_labels` and :meth:`loss_by_pseudo_labels`.

    Args:
        model (dict): config of the wrapped MMAction2 model.
        semi_train_cfg (dict, optional): training options. Read here:
            ``sup_weight`` (1.0), ``unsup_weight`` (1.0), ``freeze_teacher``
            (True: the teacher gets no gradients). Subclasses add theirs.
        semi_test_cfg (dict, optional): ``predict_on``: ``'teacher'``
            (default) or ``'student'``.
        data_preprocessor (dict, optional): defaults to a
            :class:`MultiBranchDataPreprocessor` around the wrapped model's
            own ``data_preprocessor``.
        init_cfg (dict, optional): weight initialisation config.

    Attributes:
        ramp_weight (float): multiplies the unsupervised losses; set each
            iteration by :class:`RampUpHook` (1.0 without it).
    """

    def __init__(self,
                 model: ConfigType,
                 semi_train_cfg: OptConfigType = None,
                 semi_test_cfg: OptConfigType = None,
                 data_preprocessor: OptConfigType = None,
                 init_cfg: OptConfigType = None) -> None:
        model = copy.deepcopy(model)
        inner_preprocessor = model.pop('data_preprocessor', None)
        if data_preprocessor is None:
            if inner_preprocessor is None:
                raise ValueError(
                    f'{type(self).__name__}: give `data_preprocessor`, or a '
                    '`data_preprocessor` in the wrapped model config')
            data_preprocessor = dict(
                type='MultiBranchDataPreprocessor',
                data_preprocessor=inner_preprocessor)
        if isinstance(data_preprocessor, dict):
            # built here so mmssl types resolve without a default scope
            data_preprocessor = MODELS.build(data_preprocessor)
        super().__init__(
            data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.student = MODELS.build(copy.deepcopy(model))
        self.teacher = MODELS.build(copy.deepcopy(model))
        self.semi_train_cfg = ConfigDict(semi_train_cfg or {})
        self.semi_test_cfg = ConfigDict(semi_test_cfg or {})
        self.semi_test_cfg.setdefault('predict_on', 'teacher')
        if self.semi_test_cfg.predict_on not in ('teacher', 'student'):
            raise ValueError(
                "semi_test_cfg.predict_on must be 'teacher' or 'student', "
                f'got {self.semi_test_cfg.predict_on!r}')
        if self.semi_train_cfg.get('freeze_teacher', True):
            self.teacher.requires_grad_(False)
        self.ramp_weight = 1.0

    def forward(self,
                inputs: Union[Tensor, BranchInputs],
                data_samples: Optional[Union[SampleList, BranchSamples]] = None,
                mode: str = 'tensor') -> Union[dict, SampleList, Tensor]:
        """Dispatch to :meth:`loss`, :meth:`predict` or the plain forward of
        the network named by ``semi_test_cfg.predict_on``."""
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        if mode == 'tensor':
            return self.predicting_model(inputs, data_samples, mode='tensor')
        raise RuntimeError(f'Invalid mode "{mode}"; '
                           'use "loss", "predict" or "tensor"')

    @property
    def predicting_model(self) -> torch.nn.Module:
        """The network used by ``predict`` (teacher or student)."""
        return getattr(self, self.semi_test_cfg.predict_on)

    def loss(self, multi_batch_inputs: BranchInputs,
             multi_batch_data_samples: BranchSamples) -> Dict[str, Tensor]:
        """Supervised loss on ``sup`` plus pseudo-label loss on the unlabeled
        branches (those present in the batch).

        Args:
            multi_batch_inputs (dict[str, Tensor]): inputs per branch, each
                ``B_branch x ...`` as the wrapped model takes them.
            multi_batch_data_samples (dict[str, list]): data samples per
                branch.

        Returns:
            dict[str, Tensor]: ``sup_*`` and ``unsup_*`` losses and logged
            statistics.
        """
        losses = {}
        if 'sup' in multi_batch_inputs:
            sup = self.loss_by_labeled(multi_batch_inputs['sup'],
                                       multi_batch_data_samples['sup'])
            losses.update(prefix_losses(
                scale_losses(sup, self.semi_train_cfg.get('sup_weight', 1.)),
                'sup_'))
        if 'unsup_teacher' in multi_batch_inputs:
            self.teacher.eval()
            with torch.no_grad():
                pseudo_samples = self.get_pseudo_labels(
                    multi_batch_inputs['unsup_teacher'],
                    multi_batch_data_samples['unsup_teacher'])
            unsup = self.loss_by_pseudo_labels(
                multi_batch_inputs['unsup_student'],
                multi_batch_data_samples['unsup_student'], pseudo_samples)
            weight = self.semi_train_cfg.get('unsup_weight', 1.) * \
                self.ramp_weight
            losses.update(prefix_losses(scale_losses(unsup, weight),
                                        'unsup_'))
        return losses

    def loss_by_labeled(self, inputs: Tensor,
                        data_samples: SampleList) -> Dict[str, Tensor]:
        """The student's own supervised loss on labeled clips."""
        return self.student.loss(inputs, data_samples)

    @abstractmethod
    def get_pseudo_labels(self, inputs: Tensor,
                          data_samples: SampleList) -> SampleList:
        """Label the teacher's view of unlabeled clips (runs without grad,
        teacher in eval mode).

        Args:
            inputs (Tensor): the ``unsup_teacher`` batch.
            data_samples (list): its data samples.

        Returns:
            list: data samples carrying the pseudo-labels.
        """

    @abstractmethod
    def loss_by_pseudo_labels(self, inputs: Tensor, data_samples: SampleList,
                              pseudo_samples: SampleList) -> Dict[str, Tensor]:
        """Student loss on its view of unlabeled clips against the teacher's
        pseudo-labels.

        Args:
            inputs (Tensor): the ``unsup_student`` batch.
            data_samples (list): its data samples.
            pseudo_samples (list): output of :meth:`get_pseudo_labels`, in
                the same order.

        Returns:
            dict[str, Tensor]: losses (prefixed ``unsup_`` by the caller).
        """

    def predict(self, inputs: Tensor, data_samples: SampleList) -> SampleList:
        """Predict with the network named by ``semi_test_cfg.predict_on``."""
        return self.predicting_model(inputs, data_samples, mode='predict')

    def _load_from_state_dict(self, state_dict: dict, prefix: str,
                              local_metadata: dict, strict: bool,
                              missing_keys: List[str],
                              unexpected_keys: List[str],
                              error_msgs: List[str]) -> None:
        """Load a plain (non teacher-student) checkpoint into both networks.

        A checkpoint of the wrapped model alone has no ``teacher.`` /
        ``student.`` keys; each of its keys is copied to both.
        """
        own = [k for k in state_dict if k.startswith(prefix)]
        is_plain = own and not any(
            k[len(prefix):].startswith(('teacher.', 'student.')) for k in own)
        if is_plain:
            for key in own:
                name = key[len(prefix):]
                value = state_dict.pop(key)
                if name.startswith('data_preprocessor.'):
                    continue  # normalisation constants come from the config
                state_dict[f'{prefix}teacher.{name}'] = value
                state_dict[f'{prefix}student.{name}'] = value
        super()._load_from_state_dict(state_dict, prefix, local_metadata,
                                      strict, missing_keys, unexpected_keys,
                                      error_msgs)
