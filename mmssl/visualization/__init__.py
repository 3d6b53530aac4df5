"""Drawing detections on video frames and writing them as videos or image
grids (used by ``tools/visualize.py``)."""
from .detection_drawer import (GT_COLOR, PRED_COLOR, draw_box,
                               draw_detection_frame, draw_label,
                               draw_mask_contour, make_grid, overlay_mask,
                               text_size)
from .media_writer import output_kind, write_image, write_video
from .video_detections import (FrameDetections, is_compact,
                               video_frame_detections)

__all__ = [
    'GT_COLOR', 'PRED_COLOR', 'draw_box', 'draw_detection_frame',
    'draw_label', 'draw_mask_contour', 'make_grid', 'overlay_mask',
    'text_size', 'output_kind', 'write_image', 'write_video',
    'FrameDetections', 'is_compact', 'video_frame_detections'
]
