from .projection_head import ProjectionHead  # noqa
from .temporal_calibration import CalibrationOutput, TemporalCalibration  # noqa
from .capsule_head import CapsuleHead, CapsuleOutput  # noqa
from .capsule_layers import ConvCapsules, PrimaryCapsules  # noqa
from .capsule_mask_decoder import CapsuleMaskDecoder  # noqa
from .class_mask import class_mask, mask_poses  # noqa
from .em_routing import em_routing  # noqa
