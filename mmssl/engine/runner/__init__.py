from .guarded_loops import (GuardedEpochBasedTrainLoop,
                            GuardedIterBasedTrainLoop, TrainStepGuardMixin)
from .loss_check import NonFiniteLossError, install_loss_check
from .semi_train_loop import SemiIterBasedTrainLoop
from .teacher_student_val_loop import TeacherStudentValLoop

__all__ = [
    'SemiIterBasedTrainLoop', 'TeacherStudentValLoop',
    'GuardedIterBasedTrainLoop', 'GuardedEpochBasedTrainLoop',
    'TrainStepGuardMixin', 'NonFiniteLossError', 'install_loss_check'
]
