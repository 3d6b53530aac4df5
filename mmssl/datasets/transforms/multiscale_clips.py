"""Long-term clips of the same video at several temporal scales.

:class:`MultiScaleClips` runs right after ``SampleFrames`` (training only):
for every scale ``s`` it adds a clip with the same number of frames whose
frame spacing is ``s`` times the short clip's, i.e. a clip spanning ``s``
times as long, centred on the short clip. The frame indices of all clips are
concatenated so that one ``DecordDecode`` reads them and every later
transform (resize, crop, flip) treats all clips alike; ``FormatShape`` then
lays them out as ``1 + len(scales)`` clips (3-D recognizers:
``(1 + S) x C x T x H x W``). :class:`SelectShortClip` keeps only the short
clip again, for the branches that must not see the long clips (the student's
strong view).
"""
from typing import Sequence

import numpy as np
from mmcv.transforms import BaseTransform

from mmaction.registry import TRANSFORMS


@TRANSFORMS.register_module()
class MultiScaleClips(BaseTransform):
    """Append long-term clips at temporal ``scales`` to the sampled clip.

    Each frame index ``i`` of the short clip (``frame_inds``, all its
    ``num_clips * clip_len`` frames) becomes ``c + s * (i - c)`` in the clip
    of scale ``s``, with ``c`` the centre of the short clip (``'center'``) or
    a random point (``'random'``) chosen so that the long clip still covers
    the short one's centre. A long clip sticking out of the video is shifted
    inside it; if it is longer than the video its indices are clamped to the
    first and last frame.

    Required Keys:
        - frame_inds
        - num_clips
        - clip_len
        - total_frames

    Modified Keys:
        - frame_inds: ``(1 + S) * L`` indices, short clip first.
        - num_clips: multiplied by ``1 + S``.

    Added Keys:
        - clip_scales: ``(1, *scales)``.
        - short_num_clips: the ``num_clips`` of the short clip.

    Args:
        scales (Sequence[float]): span multipliers of the long clips, each
            > 1. Defaults to ``(2, 4)``.
        placement (str): ``'center'`` or ``'random'``. Defaults to
            ``'center'``.
    """

    def __init__(self,
                 scales: Sequence[float] = (2, 4),
                 placement: str = 'center') -> None:
        scales = tuple(float(s) for s in scales)
        if not scales or min(scales) <= 1:
            raise ValueError('MultiScaleClips.scales must be non-empty and '
                             f'> 1, got {scales}')
        if placement not in ('center', 'random'):
            raise ValueError("MultiScaleClips.placement must be 'center' or "
                             f"'random', got {placement!r}")
        self.scales = scales
        self.placement = placement

    def _long_clip(self, inds: np.ndarray, scale: float, first: int,
                   last: int) -> np.ndarray:
        """Indices of one long clip.

        Args:
            inds (np.ndarray): short clip's frame indices.
            scale (float): span multiplier.
            first (int): first valid frame index.
            last (int): last valid frame index.

        Returns:
            np.ndarray: int indices, same length as ``inds``.
        """
        lo, hi = float(inds.min()), float(inds.max())
        centre = (lo + hi) / 2
        long = centre + scale * (inds.astype(np.float64) - centre)
        if self.placement == 'random':
            slack = (long.max() - long.min()) / 2
            long = long + np.random.uniform(-slack, slack)
        span_lo, span_hi = long.min(), long.max()
        if span_hi - span_lo <= last - first:
            long = long + max(first - span_lo, 0) - max(span_hi - last, 0)
        return np.clip(np.round(long), first, last).astype(np.int64)

    def transform(self, results: dict) -> dict:
        """Add the long clips' frame indices.

        Args:
            results (dict): results of ``SampleFrames``.

        Returns:
            dict: results with the concatenated indices.
        """
        for key in ('frame_inds', 'num_clips', 'total_frames'):
            if key not in results:
                raise KeyError(
                    f'MultiScaleClips needs `{key}` (run SampleFrames first) '
                    f'for video {results.get("filename")!r}')
        if 'clip_scales' in results:
            raise ValueError('MultiScaleClips applied twice to video '
                             f'{results.get("filename")!r}')
        inds = np.asarray(results['frame_inds'])
        first = int(results.get('start_index', 0))
        last = first + int(results['total_frames']) - 1
        clips = [inds] + [
            self._long_clip(inds, s, first, last).astype(inds.dtype)
            for s in self.scales
        ]
        results['frame_inds'] = np.concatenate(clips)
        results['short_num_clips'] = results['num_clips']
        results['num_clips'] = results['num_clips'] * (1 + len(self.scales))
        results['clip_scales'] = (1.0, ) + self.scales
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(scales={self.scales}, '
                f'placement={self.placement!r})')


@TRANSFORMS.register_module()
class SelectShortClip(BaseTransform):
    """Drop the long-term clips added by :class:`MultiScaleClips`.

    Must run after decoding and before ``FormatShape``; keeps the first
    ``short_num_clips * clip_len`` frames (the short clip).

    Required Keys:
        - imgs
        - clip_scales
        - short_num_clips
        - clip_len

    Modified Keys:
        - imgs, frame_inds, num_clips, clip_scales
    """

    def transform(self, results: dict) -> dict:
        """Keep the short clip.

        Args:
            results (dict): results with the long clips decoded.

        Returns:
            dict: results holding only the short clip.
        """
        if 'clip_scales' not in results:
            raise KeyError('SelectShortClip needs the output of '
                           'MultiScaleClips (no `clip_scales`) for video '
                           f'{results.get("filename")!r}')
        if 'imgs' not in results:
            raise KeyError('SelectShortClip must run after decoding (no '
                           f'`imgs`) for video {results.get("filename")!r}')
        num_clips = results['short_num_clips']
        length = num_clips * results['clip_len']
        results['imgs'] = results['imgs'][:length]
        results['frame_inds'] = np.asarray(results['frame_inds'])[:length]
        results['num_clips'] = num_clips
        results['clip_scales'] = (1.0, )
        return results
