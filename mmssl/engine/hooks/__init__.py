from .atomic_checkpoint_hook import AtomicCheckpointHook
from .eval_progress_hook import EvalProgressBarHook
from .mean_teacher_hook import MeanTeacherHook, unwrap_model
from .preemption_hook import PREEMPTION_EXIT_CODE, PreemptionHook
from .ramp_up_hook import RampUpHook, ramp_up
from .random_state_hook import RandomStateHook, reseed_generators
from .train_loss_plateau_hook import TrainLossPlateauHook

__all__ = [
    'AtomicCheckpointHook', 'PREEMPTION_EXIT_CODE', 'PreemptionHook',
    'RandomStateHook', 'reseed_generators',
    'EvalProgressBarHook', 'MeanTeacherHook', 'RampUpHook', 'ramp_up',
    'TrainLossPlateauHook', 'unwrap_model'
]
