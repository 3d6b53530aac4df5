from . import samplers, transforms  # noqa: F401
from .action_detection_dataset import ActionDetectionDataset  # noqa: F401
from .errors import DatasetError, VideoDecodeError  # noqa: F401
from .jhmdb21 import JHMDB21Dataset  # noqa: F401
from .label_split import split_labeled_videos  # noqa: F401
from .labeled_unlabeled_dataset import LabeledUnlabeledDataset  # noqa: F401
from .skip_bad_video_dataset import SkipBadVideoDataset  # noqa: F401
from .ucf101_24 import UCF101_24Dataset  # noqa: F401
