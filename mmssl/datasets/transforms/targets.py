"""Localization targets of a clip: masks, per-frame boxes, clip label."""
from typing import Dict, Sequence, Tuple

import numpy as np
from mmaction.registry import TRANSFORMS
from mmcv.transforms import BaseTransform

from ..errors import VideoDecodeError


def box_pixel_range(lo: np.ndarray, hi: np.ndarray,
                    size: int) -> Tuple[np.ndarray, np.ndarray]:
    """Pixels ``[first, stop)`` whose centres lie in ``[lo, hi)``.

    Pixel ``i`` covers ``[i, i + 1)`` and has its centre at ``i + 0.5``, so
    an integer box ``[x1, x2)`` covers pixels ``x1 .. x2 - 1`` (the
    ``mask[y:y + h, x:x + w]`` of E2E-SSL).

    Args:
        lo (np.ndarray): (N,) box starts in pixels.
        hi (np.ndarray): (N,) box ends in pixels.
        size (int): frame extent along this axis.

    Returns:
        tuple[np.ndarray, np.ndarray]: (N,) int64 first pixel and stop.
    """
    first = np.clip(np.ceil(np.asarray(lo, np.float64) - 0.5), 0, size)
    stop = np.clip(np.ceil(np.asarray(hi, np.float64) - 0.5), 0, size)
    return first.astype(np.int64), np.maximum(stop, first).astype(np.int64)


def boxes_to_mask(boxes: np.ndarray, frames: np.ndarray, num_frames: int,
                  shape: Tuple[int, int]) -> np.ndarray:
    """Fill boxes into a per-frame foreground mask.

    Args:
        boxes (np.ndarray): (N, 4) ``x1, y1, x2, y2`` in pixels.
        frames (np.ndarray): (N,) index in ``0..num_frames-1`` of each box.
        num_frames (int): T.
        shape (tuple[int, int]): ``(H, W)``.

    Returns:
        np.ndarray: (T, H, W) uint8, 1 on every pixel whose centre lies in a
        box of its frame.
    """
    height, width = shape
    mask = np.zeros((num_frames, height, width), dtype=np.uint8)
    if len(boxes) == 0:
        return mask
    boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    x0, x1 = box_pixel_range(boxes[:, 0], boxes[:, 2], width)
    y0, y1 = box_pixel_range(boxes[:, 1], boxes[:, 3], height)
    for t, a, b, c, d in zip(frames, y0, y1, x0, x1):
        mask[t, a:b, c:d] = 1
    return mask


def select_tube_boxes(tubes: Sequence[dict], frame_numbers: np.ndarray
                      ) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Boxes of the tubes on the given frames.

    Args:
        tubes (Sequence[dict]): ``label``, ``frames`` (n,) 1-based increasing,
            ``boxes`` (n, 4).
        frame_numbers (np.ndarray): (T,) 1-based frames (may repeat).

    Returns:
        tuple: ``boxes`` (N, 4) float32, ``positions`` (N,) int64 in
        ``0..T-1``, ``labels`` (N,) int64.
    """
    boxes, positions, labels = [], [], []
    for tube in tubes:
        frames = np.asarray(tube['frames'], dtype=np.int64)
        where = np.searchsorted(frames, frame_numbers)
        hit = where < len(frames)
        hit[hit] = frames[where[hit]] == frame_numbers[hit]
        pos = np.flatnonzero(hit)
        boxes.append(np.asarray(tube['boxes'], np.float32)[where[pos]])
        positions.append(pos)
        labels.append(np.full(len(pos), tube['label'], dtype=np.int64))
    if not boxes:
        return (np.zeros((0, 4), np.float32), np.zeros(0, np.int64),
                np.zeros(0, np.int64))
    positions = np.concatenate(positions).astype(np.int64)
    order = np.argsort(positions, kind='stable')
    return (np.concatenate(boxes)[order], positions[order],
            np.concatenate(labels)[order])


@TRANSFORMS.register_module()
class LoadActionTargets(BaseTransform):
    """Build the targets of the frames ``target_frame_inds``.

    Labeled clips get their actors' boxes on those frames and a foreground
    mask (filled boxes, or the JHMDB puppet mask of ``mask_file``);
    unlabeled clips get an empty mask, no boxes and label ``-1``.

    Required keys: ``target_frame_inds`` (1-based), ``ori_shape``,
    ``tubes``, ``label``, ``is_labeled``, ``mask_file`` (optional).

    Added keys: ``gt_mask`` (T, H0, W0) uint8, ``gt_bboxes`` (N, 4) float32,
    ``gt_bbox_frames`` (N,) int64, ``gt_bbox_labels`` (N,) int64,
    ``gt_frame_valid`` (T,) bool (frame has a box), ``label``.

    Args:
        mask_key (str): variable of the puppet-mask ``.mat`` file.
            Defaults to ``'part_mask'``.
    """

    def __init__(self, mask_key: str = 'part_mask') -> None:
        self.mask_key = mask_key

    def transform(self, results: Dict) -> Dict:
        """Add the targets.

        Args:
            results (dict): after ``SampleActionClip`` and
                ``DecodeActionClip``.

        Returns:
            dict: ``results`` with the targets.
        """
        frame_numbers = np.asarray(results['target_frame_inds'], np.int64)
        shape = tuple(results['ori_shape'])
        num = len(frame_numbers)
        if not results.get('is_labeled', False):
            results['label'] = -1
            results['tubes'] = []
        boxes, positions, labels = select_tube_boxes(
            results.get('tubes', []), frame_numbers)
        results['gt_bboxes'] = boxes
        results['gt_bbox_frames'] = positions
        results['gt_bbox_labels'] = labels
        valid = np.zeros(num, dtype=bool)
        valid[positions] = True
        results['gt_frame_valid'] = valid
        mask_file = results.get('mask_file')
        if mask_file and results.get('is_labeled', False):
            results['gt_mask'] = self._puppet_mask(mask_file, frame_numbers,
                                                   shape)
        else:
            results['gt_mask'] = boxes_to_mask(boxes, positions, num, shape)
        return results

    def _puppet_mask(self, path: str, frame_numbers: np.ndarray,
                     shape: Tuple[int, int]) -> np.ndarray:
        """(T, H, W) uint8 foreground of a puppet-mask file."""
        from scipy.io import loadmat
        try:
            masks = loadmat(path)[self.mask_key]
        except Exception as err:
            raise VideoDecodeError(
                f'{path}: cannot read puppet mask {self.mask_key!r}: '
                f'{type(err).__name__}: {err}') from err
        if masks.ndim == 2:
            masks = masks[..., None]
        if masks.shape[:2] != shape or frame_numbers.max() > masks.shape[2]:
            raise VideoDecodeError(
                f'{path}: puppet mask is {masks.shape} (H x W x T) but the '
                f'video frames are {shape[0]}x{shape[1]} and frame '
                f'{int(frame_numbers.max())} is needed')
        return np.ascontiguousarray(
            (masks[..., frame_numbers - 1] > 0).transpose(2, 0, 1)).astype(
                np.uint8)

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(mask_key={self.mask_key!r})'

