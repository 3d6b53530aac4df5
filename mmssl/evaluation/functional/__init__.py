"""Pure-numpy action detection metrics (no model or torch needed).

Box metrics follow the ACT detector (``protocol='act'``) or PASCAL VOC
(``protocol='voc'``); the pixel protocol follows VideoCapsuleNet / E2E-SSL.
See ``docs/evaluation.md`` for formats and conventions.
"""
from .average_precision import average_precision
from .boxes import box_area, box_iou
from .frame_ap import frame_ap
from .link_tubes import frame_nms, link_tubes
from .mask_boxes import BOX_MODES, masks_to_boxes
from .mask_protocol import (DEFAULT_THRESHOLDS, mask_frame_video_map,
                            mask_iou_counts)
from .tubes import tube_iou
from .video_ap import (RANGE_THRESHOLDS, video_ap, video_ap_per_threshold,
                       video_ap_range)

__all__ = [
    'average_precision', 'box_area', 'box_iou', 'frame_ap', 'frame_nms',
    'link_tubes', 'BOX_MODES', 'masks_to_boxes', 'DEFAULT_THRESHOLDS',
    'mask_frame_video_map', 'mask_iou_counts', 'tube_iou', 'RANGE_THRESHOLDS',
    'video_ap', 'video_ap_per_threshold', 'video_ap_range'
]
