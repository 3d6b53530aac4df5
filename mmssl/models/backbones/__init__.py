from .inception_i3d import InceptionI3d, map_pytorch_i3d_keys  # noqa
from .multi_stage_encoder import MultiStageEncoder  # noqa
