"""Exponential moving average of the student into the teacher."""
from typing import Optional

import torch
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmengine.runner import Runner

from mmaction.registry import HOOKS


def unwrap_model(runner: Runner) -> torch.nn.Module:
    """The runner's model without its (distributed) wrapper."""
    model = runner.model
    return model.module if is_model_wrapper(model) else model


@HOOKS.register_module()
class MeanTeacherHook(Hook):
    """Update ``model.teacher`` as an EMA of ``model.student``.

    After every ``interval`` training iterations::

        teacher = (1 - momentum) * teacher + momentum * student

    for every parameter and every floating-point buffer (BatchNorm running
    statistics); integer buffers are copied. At iteration 0 the student is
    copied into the teacher; a resumed run (iteration > 0) keeps the teacher
    it loaded from the checkpoint.

    Args:
        momentum (float): weight of the student, ``1 - decay``; 0.001 is an
            EMA decay of 0.999.
        interval (int): update every ``interval`` iterations.
        skip_buffers (bool): leave the teacher's buffers untouched (as
            MMDetection's hook does by default).
    """

    def __init__(self,
                 momentum: float = 0.001,
                 interval: int = 1,
                 skip_buffers: bool = False) -> None:
        if not 0 < momentum <= 1:
            raise ValueError(
                f'MeanTeacherHook.momentum must be in (0, 1], got {momentum}')
        self.momentum = momentum
        self.interval = interval
        self.skip_buffers = skip_buffers

    def before_train(self, runner: Runner) -> None:
        model = unwrap_model(runner)
        for name in ('teacher', 'student'):
            if not hasattr(model, name):
                raise AttributeError(
                    f'MeanTeacherHook needs a model with `{name}`, got '
                    f'{type(model).__name__}')
        if runner.iter == 0:
            self.momentum_update(model, 1.0)

    def after_train_iter(self,
                         runner: Runner,
                         batch_idx: int,
                         data_batch: Optional[dict] = None,
                         outputs: Optional[dict] = None) -> None:
        if outputs is not None and not outputs:
            return  # a step the guarded loop skipped: the student is as before
        if (runner.iter + 1) % self.interval == 0:
            self.momentum_update(unwrap_model(runner), self.momentum)

    @torch.no_grad()
    def momentum_update(self, model: torch.nn.Module, momentum: float) -> None:
        """``teacher = (1 - momentum) * teacher + momentum * student``.

        Args:
            model (nn.Module): has ``teacher`` and ``student`` of one
                architecture.
            momentum (float): weight of the student.
        """
        teacher = list(model.teacher.parameters())
        student = list(model.student.parameters())
        if not self.skip_buffers:
            for t_buf, s_buf in zip(model.teacher.buffers(),
                                    model.student.buffers()):
                if t_buf.is_floating_point():
                    teacher.append(t_buf)
                    student.append(s_buf)
                else:
                    t_buf.copy_(s_buf)
        teacher = [t.data for t in teacher]
        student = [s.data for s in student]
        torch._foreach_mul_(teacher, 1.0 - momentum)
        torch._foreach_add_(teacher, student, alpha=momentum)
