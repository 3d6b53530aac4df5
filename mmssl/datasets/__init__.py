from . import samplers, transforms  # noqa: F401
from .action_detection_dataset import ActionDetectionDataset
from .errors import DatasetError, VideoDecodeError
from .jhmdb21 import JHMDB21Dataset
from .label_split import split_labeled_videos
from .ucf101_24 import UCF101_24Dataset
