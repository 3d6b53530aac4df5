from .multi_branch import MultiBranch
from .multiscale_clips import MultiScaleClips, SelectShortClip
from .video_randaugment import VideoCutout, VideoRandAugment

__all__ = ['MultiBranch', 'MultiScaleClips', 'SelectShortClip', 'VideoCutout',
           'VideoRandAugment']
