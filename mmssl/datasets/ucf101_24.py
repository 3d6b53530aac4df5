"""UCF101-24: 24 sports classes of UCF101 with per-frame actor boxes."""
from mmaction.registry import DATASETS

from .action_detection_dataset import ActionDetectionDataset


@DATASETS.register_module()
class UCF101_24Dataset(ActionDetectionDataset):
    """UCF101-24 (corrected annotations, ``UCF101v2-GT.pkl``; one split).

    Defaults: 320x240 ``.avi`` videos under ``data_prefix['video']``
    (``<Class>/<video>.avi``). The class names of an ACT file take
    precedence over :attr:`METAINFO` (so the synthetic set, laid out like
    UCF101-24 with its own classes, loads through this class too). See
    :class:`ActionDetectionDataset` for the arguments.
    """

    METAINFO = dict(classes=(
        'Basketball', 'BasketballDunk', 'Biking', 'CliffDiving',
        'CricketBowling', 'Diving', 'Fencing', 'FloorGymnastics', 'GolfSwing',
        'HorseRiding', 'IceDancing', 'LongJump', 'PoleVault', 'RopeClimbing',
        'SalsaSpin', 'SkateBoarding', 'Skiing', 'Skijet', 'SoccerJuggling',
        'Surfing', 'TennisSwing', 'TrampolineJumping', 'VolleyballSpiking',
        'WalkingWithDog'))
