from .eval_progress_hook import EvalProgressBarHook
from .mean_teacher_hook import MeanTeacherHook, unwrap_model
from .ramp_up_hook import RampUpHook, ramp_up

__all__ = [
    'EvalProgressBarHook', 'MeanTeacherHook', 'RampUpHook', 'ramp_up',
    'unwrap_model'
]
