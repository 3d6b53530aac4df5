"""JHMDB-21: 21 classes of HMDB51, trimmed, with puppet masks."""
from mmaction.registry import DATASETS

from .action_detection_dataset import ActionDetectionDataset


@DATASETS.register_module()
class JHMDB21Dataset(ActionDetectionDataset):
    """JHMDB-21 (``JHMDB-GT.pkl``; splits 1-3).

    JHMDB is distributed as frame folders (``Frames/<class>/<video>/
    00001.png``): use ``data_prefix=dict(img=..., mask=...)`` with
    ``filename_tmpl='{:05d}.png'``; with ``mask`` the foreground targets are
    the puppet masks (``<mask>/<class>/<video>/puppet_mask.mat``), else the
    filled boxes. See :class:`ActionDetectionDataset` for the arguments.
    """

    METAINFO = dict(classes=(
        'brush_hair', 'catch', 'clap', 'climb_stairs', 'golf', 'jump',
        'kick_ball', 'pick', 'pour', 'pullup', 'push', 'run', 'shoot_ball',
        'shoot_bow', 'shoot_gun', 'sit', 'stand', 'swing_baseball', 'throw',
        'walk', 'wave'))
