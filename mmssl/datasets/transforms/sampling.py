"""Choosing the frames of a detection clip."""
from typing import Dict, Tuple

import numpy as np
from mmaction.registry import TRANSFORMS
from mmcv.transforms import BaseTransform


@TRANSFORMS.register_module()
class SampleActionClip(BaseTransform):
    """Pick the frames of a clip; ``clip_len`` and ``frame_interval`` come
    from the dataset (one setting for training clips and test windows).

    Training: a centre frame is drawn from ``key_frames`` (uniformly from the
    whole video when there are none) and the clip is ``clip_len`` frames
    ``frame_interval`` apart with the centre at position ``clip_len // 2``
    (8 frames, stride 2: the centre is the 5th frame, as in E2E-SSL). Near the
    ends of the video the clip moves inward by whole strides, keeping the
    centre among its frames; a video shorter than the clip repeats its last
    frame.

    Test: the window of ``clip_len * frame_interval`` frames starting at
    ``window_start``; the model sees every ``frame_interval``-th frame and
    the targets cover every frame of the window inside the video.

    Required keys: ``total_frames``, ``clip_len``, ``frame_interval``,
    ``key_frames`` (training), ``window_start`` (test), ``test_mode``.

    Added keys: ``frame_inds`` (clip_len,) 0-based frames to decode,
    ``target_frame_inds`` 1-based frames the targets describe (the clip's
    frames in training, the window's in test), ``num_clips`` (1).

    Args:
        released_boundary (bool): place training clips near the ends of a
            video as the E2E-SSL release does instead: when the centre is
            closer than ``clip_len // 2`` strides to the start, the stride
            drops to 1 (``frame_interval`` is updated); a clip reaching the
            end starts at ``total - clip_len * stride``. Defaults to False.
    """

    def __init__(self, released_boundary: bool = False) -> None:
        self.released_boundary = released_boundary

    def transform(self, results: Dict) -> Dict:
        """Add ``frame_inds`` and ``target_frame_inds``.

        Args:
            results (dict): a data info of an action detection dataset.

        Returns:
            dict: ``results`` with the clip's frames.
        """
        total = int(results['total_frames'])
        clip_len = int(results['clip_len'])
        interval = int(results['frame_interval'])
        if results.get('test_mode', False):
            start = int(results['window_start']) - 1
            window = np.arange(start, min(start + clip_len * interval, total))
            frame_inds = start + np.arange(clip_len) * interval
            target = window + 1
        else:
            centre = self._draw_centre(results.get('key_frames'), total)
            if self.released_boundary:
                frame_inds, interval = self.released_clip(
                    centre, total, clip_len, interval)
                results['frame_interval'] = interval
            else:
                frame_inds = self.clip_around(centre, total, clip_len,
                                              interval)
            target = np.minimum(frame_inds, total - 1) + 1
        results['frame_inds'] = np.minimum(frame_inds, total - 1).astype(
            np.int64)
        results['target_frame_inds'] = np.asarray(target, dtype=np.int64)
        results['num_clips'] = 1
        return results

    @staticmethod
    def _draw_centre(key_frames, total: int) -> int:
        """0-based centre frame: a random key frame, else any frame."""
        if key_frames is not None and len(key_frames):
            return int(key_frames[np.random.randint(len(key_frames))]) - 1
        return int(np.random.randint(total))

    @staticmethod
    def clip_around(centre: int, total: int, clip_len: int,
                    interval: int) -> np.ndarray:
        """0-based frames of a clip centred on ``centre``.

        Near an end of the video the clip moves inward by whole strides, so
        the centre frame stays one of the clip's frames (unless the video is
        shorter than the clip plus a stride). Indices past the end of a short
        video are left for the caller to clamp.

        Args:
            centre (int): 0-based centre frame.
            total (int): frames in the video.
            clip_len (int): frames in the clip.
            interval (int): stride between them.

        Returns:
            np.ndarray: (clip_len,) int64 frame indices.
        """
        span = (clip_len - 1) * interval + 1
        latest = max(total - span, 0)
        start = centre - (clip_len // 2) * interval
        if start < 0:
            start += -(start // interval) * interval
        if start > latest:
            start -= -((latest - start) // interval) * interval
        start = max(start, 0)
        return start + np.arange(clip_len, dtype=np.int64) * interval

    @staticmethod
    def released_clip(centre: int, total: int, clip_len: int,
                      interval: int) -> Tuple[np.ndarray, int]:
        """The E2E-SSL release's clip placement (see ``released_boundary``).

        Returns:
            tuple[np.ndarray, int]: (clip_len,) 0-based frames and the stride
            used.
        """
        start = centre - clip_len * interval // 2
        if start < 0:
            interval = 1
            start = max(centre - clip_len // 2, 0)
        if start + clip_len * interval >= total:
            start = max(total - clip_len * interval, 0)
        return start + np.arange(clip_len, dtype=np.int64) * interval, interval

    def __repr__(self) -> str:
        return (f'{type(self).__name__}('
                f'released_boundary={self.released_boundary})')
