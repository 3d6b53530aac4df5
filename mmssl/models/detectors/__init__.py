from .capsule_detector import CapsuleDetector, DetectionOutput  # noqa
from .e2e_ssl_detector import E2ESSLDetector  # noqa
from .mean_teacher_detector import MeanTeacherDetector  # noqa
from .mixmatch_detector import MixMatchDetector  # noqa
from .pseudo_label_detector import PseudoLabelDetector  # noqa
from .teacher_student_detector import TeacherStudentDetector  # noqa
