from .eval_progress_hook import EvalProgressBarHook
from .mean_teacher_hook import MeanTeacherHook, unwrap_model
from .ramp_up_hook import RampUpHook, ramp_up
from .train_loss_plateau_hook import TrainLossPlateauHook

__all__ = [
    'EvalProgressBarHook', 'MeanTeacherHook', 'RampUpHook', 'ramp_up',
    'TrainLossPlateauHook', 'unwrap_model'
]
