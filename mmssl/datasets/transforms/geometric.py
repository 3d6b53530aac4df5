"""Geometric transforms that move masks and boxes with the frames.

Each transform updates ``view_affine`` (2 x 3), which maps this view's
normalised coordinates (``x, y`` in ``[-1, 1]``, ``align_corners=False``) to
the reference view's, so :func:`restore_view` can map predictions back. In
test mode (``results['test_mode']``) only the frames move: the targets stay
in the original frame's pixels, as the metric expects.

Keys read and written: ``imgs``, ``img_shape``, ``view_affine``, and unless
in test mode ``gt_mask``, ``gt_bboxes``, ``gt_bbox_frames``,
``gt_bbox_labels``. MMAction2's records ``scale_factor``, ``crop_bbox`` and
``flip`` are kept up to date as well.
"""
from abc import abstractmethod
from typing import Dict, Tuple, Union

import cv2
import numpy as np
from mmaction.datasets.transforms import Resize
from mmaction.registry import TRANSFORMS
from mmcv.transforms import BaseTransform


def compose_affine(results: Dict, step: np.ndarray) -> None:
    """Append a geometric step to ``results['view_affine']``.

    Args:
        results (dict): with ``view_affine`` (2 x 3, new view -> reference
            before this step); identity if absent.
        step (np.ndarray): (2, 3) map from the new view's normalised
            coordinates to the previous view's.
    """
    current = results.get('view_affine', np.eye(3)[:2])
    lifted = np.vstack([np.asarray(step, np.float64), [0., 0., 1.]])
    results['view_affine'] = np.asarray(current, np.float64) @ lifted


def crop_affine(x0: int, y0: int, w: int, h: int, width: int,
                height: int) -> np.ndarray:
    """Normalised map of a ``w x h`` crop at ``(x0, y0)`` of a
    ``width x height`` view: crop coordinates -> view coordinates."""
    return np.array([[w / width, 0., (2 * x0 + w) / width - 1.],
                     [0., h / height, (2 * y0 + h) / height - 1.]])


def resize_masks(masks: np.ndarray, shape: Tuple[int, int]) -> np.ndarray:
    """Nearest-neighbour resize (pixel-centre aligned) of (T, H, W) masks.

    Args:
        masks (np.ndarray): (T, H, W) uint8.
        shape (tuple[int, int]): new ``(h, w)``.

    Returns:
        np.ndarray: (T, h, w) uint8.
    """
    num, (height, width) = len(masks), shape
    if num == 0:
        return np.zeros((0, height, width), np.uint8)
    stacked = np.ascontiguousarray(masks.transpose(1, 2, 0))
    # cv2 handles at most 512 channels at once
    out = np.concatenate([
        cv2.resize(stacked[..., i:i + 512], (width, height),
                   interpolation=cv2.INTER_NEAREST_EXACT).reshape(
                       height, width, -1)
        for i in range(0, num, 512)
    ], axis=2)
    return np.ascontiguousarray(out.transpose(2, 0, 1))


def _targets_move(results: Dict) -> bool:
    """Targets follow the frames except in test mode."""
    return not results.get('test_mode', False)


def _keep_boxes(results: Dict, keep: np.ndarray) -> None:
    """Keep the boxes selected by ``keep`` (with their frames, labels)."""
    for key in ('gt_bboxes', 'gt_bbox_frames', 'gt_bbox_labels'):
        if key in results:
            results[key] = results[key][keep]


@TRANSFORMS.register_module()
class ActionResize(BaseTransform):
    """Resize frames (bilinear by default), masks (nearest) and boxes.

    Args:
        scale (float | tuple[int, int]): as in MMAction2's ``Resize``:
            a factor, ``(w, h)``, or ``(-1, short_edge)``.
        keep_ratio (bool): keep the aspect ratio. Defaults to True.
        interpolation (str): for frames. Defaults to ``'bilinear'``.
    """

    def __init__(self,
                 scale: Union[float, Tuple[int, int]],
                 keep_ratio: bool = True,
                 interpolation: str = 'bilinear') -> None:
        if isinstance(scale, list):  # configs dumped to JSON/YAML
            scale = tuple(scale)
        self._resize = Resize(
            scale=scale, keep_ratio=keep_ratio, interpolation=interpolation)

    def transform(self, results: Dict) -> Dict:
        """Resize the view.

        Args:
            results (dict): with ``imgs`` and ``img_shape``.

        Returns:
            dict: the resized view (``view_affine`` unchanged: a resize keeps
            normalised coordinates).
        """
        height, width = results['img_shape']
        view = self._resize.transform(
            dict(
                imgs=results['imgs'],
                img_shape=results['img_shape'],
                modality=results.get('modality', 'RGB'),
                scale_factor=results.get('scale_factor',
                                         np.ones(2, np.float32))))
        for key in ('imgs', 'img_shape', 'scale_factor', 'keep_ratio'):
            results[key] = view[key]
        new_h, new_w = view['img_shape']
        if _targets_move(results):
            if 'gt_mask' in results:
                results['gt_mask'] = resize_masks(results['gt_mask'],
                                                  (new_h, new_w))
            if 'gt_bboxes' in results:
                factor = np.array(
                    [new_w / width, new_h / height] * 2, dtype=np.float32)
                results['gt_bboxes'] = results['gt_bboxes'] * factor
        return results

    def __repr__(self) -> str:
        return repr(self._resize).replace('Resize', type(self).__name__, 1)


class _ActionCrop(BaseTransform):
    """Shared crop logic; subclasses choose the offset."""

    def __init__(self, size: Union[int, Tuple[int, int]]) -> None:
        width, height = (size, size) if isinstance(size, int) else size
        if width <= 0 or height <= 0:
            raise ValueError(f'crop size must be positive, got {size}')
        self.size = (int(width), int(height))

    @abstractmethod
    def _offset(self, width: int, height: int) -> Tuple[int, int]:
        """``(x0, y0)`` of the crop in a ``width x height`` view."""

    def transform(self, results: Dict) -> Dict:
        """Crop the view.

        Args:
            results (dict): with ``imgs`` and ``img_shape``.

        Returns:
            dict: the cropped view.
        """
        height, width = results['img_shape']
        w, h = self.size
        if w > width or h > height:
            raise ValueError(f'{type(self).__name__}: crop {w}x{h} (w x h) '
                             f'is larger than the {width}x{height} view of '
                             f'{results.get("video_name", "the video")}')
        x0, y0 = self._offset(width, height)
        results['imgs'] = [
            img[y0:y0 + h, x0:x0 + w] for img in results['imgs']
        ]
        results['img_shape'] = (h, w)
        results['crop_bbox'] = np.array([x0, y0, x0 + w, y0 + h])
        compose_affine(results, crop_affine(x0, y0, w, h, width, height))
        if _targets_move(results):
            self._crop_targets(results, x0, y0, w, h)
        return results

    @staticmethod
    def _crop_targets(results: Dict, x0: int, y0: int, w: int,
                      h: int) -> None:
        """Crop the mask; shift boxes, clip them and drop empty ones."""
        if 'gt_mask' in results:
            results['gt_mask'] = np.ascontiguousarray(
                results['gt_mask'][:, y0:y0 + h, x0:x0 + w])
        if 'gt_bboxes' in results:
            boxes = results['gt_bboxes'] - np.array([x0, y0, x0, y0],
                                                    np.float32)
            boxes[:, 0::2] = boxes[:, 0::2].clip(0, w)
            boxes[:, 1::2] = boxes[:, 1::2].clip(0, h)
            results['gt_bboxes'] = boxes.astype(np.float32)
            _keep_boxes(results, (boxes[:, 2] > boxes[:, 0]) &
                        (boxes[:, 3] > boxes[:, 1]))

    def __repr__(self) -> str:
        return f'{type(self).__name__}(size={self.size})'


@TRANSFORMS.register_module()
class ActionRandomCrop(_ActionCrop):
    """Crop a random ``size`` window (the same for every frame).

    Args:
        size (int | tuple[int, int]): ``w = h`` or ``(w, h)``.
    """

    def _offset(self, width: int, height: int) -> Tuple[int, int]:
        return (int(np.random.randint(width - self.size[0] + 1)),
                int(np.random.randint(height - self.size[1] + 1)))


@TRANSFORMS.register_module()
class ActionCenterCrop(_ActionCrop):
    """Crop the central ``size`` window.

    Args:
        size (int | tuple[int, int]): ``w = h`` or ``(w, h)``.
    """

    def _offset(self, width: int, height: int) -> Tuple[int, int]:
        return (width - self.size[0]) // 2, (height - self.size[1]) // 2


@TRANSFORMS.register_module()
class ActionFlip(BaseTransform):
    """Flip the clip horizontally with probability ``flip_ratio``.

    Args:
        flip_ratio (float): probability. Defaults to 0.5.
    """

    def __init__(self, flip_ratio: float = 0.5) -> None:
        if not 0 <= flip_ratio <= 1:
            raise ValueError(f'flip_ratio must be in [0, 1], got {flip_ratio}')
        self.flip_ratio = flip_ratio

    def transform(self, results: Dict) -> Dict:
        """Maybe flip the view.

        Args:
            results (dict): with ``imgs`` and ``img_shape``.

        Returns:
            dict: the view, flipped or not (``flip`` records which).
        """
        flip = bool(np.random.rand() < self.flip_ratio)
        results['flip'] = flip
        results['flip_direction'] = 'horizontal'
        if not flip:
            return results
        width = results['img_shape'][1]
        results['imgs'] = [np.ascontiguousarray(img[:, ::-1])
                           for img in results['imgs']]
        compose_affine(results, np.array([[-1., 0., 0.], [0., 1., 0.]]))
        if _targets_move(results):
            if 'gt_mask' in results:
                results['gt_mask'] = np.ascontiguousarray(
                    results['gt_mask'][:, :, ::-1])
            if 'gt_bboxes' in results:
                boxes = results['gt_bboxes'].copy()
                boxes[:, 0] = width - results['gt_bboxes'][:, 2]
                boxes[:, 2] = width - results['gt_bboxes'][:, 0]
                results['gt_bboxes'] = boxes
        return results

    def __repr__(self) -> str:
        return f'{type(self).__name__}(flip_ratio={self.flip_ratio})'


@TRANSFORMS.register_module()
class MarkReferenceView(BaseTransform):
    """Make the current view the reference of later views.

    Put it after the geometry shared by both views and before
    ``MultiBranch``: ``view_affine`` becomes the identity, so the ``aug``
    branch's ``view_affine`` maps onto the ``orig`` view (as
    ``docs/design/detection_sample.md`` requires).
    """

    def transform(self, results: Dict) -> Dict:
        """Reset ``view_affine`` to the identity.

        Args:
            results (dict): any view.

        Returns:
            dict: ``results`` with ``view_affine`` = identity.
        """
        results['view_affine'] = np.array([[1., 0., 0.], [0., 1., 0.]])
        return results
