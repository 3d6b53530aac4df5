from .projection_head import ProjectionHead  # noqa
from .temporal_calibration import CalibrationOutput, TemporalCalibration  # noqa
