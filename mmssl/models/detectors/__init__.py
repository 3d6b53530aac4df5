from .capsule_detector import CapsuleDetector, DetectionOutput  # noqa
from .e2e_ssl_detector import E2ESSLDetector  # noqa
