from .decoding import DecodeActionClip
from .formatting import PackDetectionInputs
from .geometric import (ActionCenterCrop, ActionFlip, ActionRandomCrop,
                        ActionResize, MarkReferenceView)
from .multi_branch import MultiBranch
from .multiscale_clips import MultiScaleClips, SelectShortClip
from .photometric import ClipColorJitter, ClipGaussianBlur, ClipGrayscale
from .sampling import SampleActionClip
from .targets import LoadActionTargets
from .video_randaugment import VideoCutout, VideoRandAugment
from .view_restore import restore_view

__all__ = ['DecodeActionClip', 'PackDetectionInputs', 'ActionCenterCrop',
           'ActionFlip', 'ActionRandomCrop', 'ActionResize',
           'MarkReferenceView', 'ClipColorJitter', 'ClipGaussianBlur',
           'ClipGrayscale', 'SampleActionClip', 'LoadActionTargets',
           'restore_view']
__all__ += ['MultiBranch', 'MultiScaleClips', 'SelectShortClip', 'VideoCutout',
           'VideoRandAugment']
