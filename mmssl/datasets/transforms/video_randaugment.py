"""Strong video augmentation applied consistently over a clip's frames.

:class:`VideoRandAugment` draws its operations and their parameters once per
clip and applies them to every frame, so the clip stays temporally coherent
(the "same op and magnitude on every frame" convention of video
semi-supervised learning). :class:`VideoCutout` erases one square region,
the same in every frame. Both read and write ``results['imgs']`` (a list of
``H x W x 3`` uint8 frames, or a ``T x H x W x 3`` array) and must run after
decoding and before ``FormatShape``.
"""
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import cv2
import numpy as np
from mmcv.transforms import BaseTransform

from mmaction.registry import TRANSFORMS

# RandAugment magnitudes are on a 0..10 scale; these are the values at 10
# (the ranges of torchvision's RandAugment).
_MAX_SHEAR = 0.3
_MAX_TRANSLATE = 150 / 331  # fraction of the frame size
_MAX_ROTATE = 30.0  # degrees
_MAX_ENHANCE = 0.9  # enhancement factor 1 +- this
_MIN_POSTERIZE_BITS = 4

ALL_OPS = ('Identity', 'AutoContrast', 'Equalize', 'Rotate', 'Solarize',
           'Color', 'Posterize', 'Contrast', 'Brightness', 'Sharpness',
           'ShearX', 'ShearY', 'TranslateX', 'TranslateY')
GEOMETRIC_OPS = ('Rotate', 'ShearX', 'ShearY', 'TranslateX', 'TranslateY')


def _clip_array(results: dict, owner: str) -> np.ndarray:
    """The frames of ``results`` as one ``T x H x W x C`` uint8 array."""
    if results.get('lazy'):
        raise ValueError(f'{owner} needs decoded frames; apply `Fuse` before '
                         f'it (video {results.get("filename")!r})')
    if 'imgs' not in results:
        raise KeyError(f'{owner} needs `imgs` (decoded frames) in the '
                       f'results of video {results.get("filename")!r}')
    clip = np.asarray(results['imgs'])
    if clip.dtype != np.uint8 or clip.ndim != 4:
        raise TypeError(
            f'{owner} expects uint8 frames T x H x W x C, got dtype '
            f'{clip.dtype} and shape {clip.shape} for video '
            f'{results.get("filename")!r}; place it before any '
            'normalisation')
    return clip


def _store_clip(results: dict, clip: np.ndarray) -> None:
    """Write frames back in the container type they came in."""
    if isinstance(results['imgs'], np.ndarray):
        results['imgs'] = clip
    else:
        results['imgs'] = list(clip)


def _blend(clip: np.ndarray, degenerate: np.ndarray,
           factor: float) -> np.ndarray:
    """PIL's ImageEnhance: ``degenerate + factor * (clip - degenerate)``."""
    out = degenerate + factor * (clip.astype(np.float32) - degenerate)
    return np.clip(out, 0, 255).round().astype(np.uint8)


def _grey(clip: np.ndarray) -> np.ndarray:
    """ITU-R 601 luma of RGB frames, ``T x H x W x 1`` float32."""
    weights = np.array([0.299, 0.587, 0.114], dtype=np.float32)
    return (clip[..., :3].astype(np.float32) @ weights)[..., None]


def _auto_contrast(clip: np.ndarray) -> np.ndarray:
    """Stretch each channel to 0..255 using the clip's own range."""
    lo = clip.min(axis=(0, 1, 2)).astype(np.float32)
    hi = clip.max(axis=(0, 1, 2)).astype(np.float32)
    scale = np.where(hi > lo, 255.0 / np.maximum(hi - lo, 1), 1.0)
    offset = np.where(hi > lo, lo, 0.0)
    out = (clip.astype(np.float32) - offset) * scale
    return np.clip(out, 0, 255).round().astype(np.uint8)


def _equalize(clip: np.ndarray) -> np.ndarray:
    """PIL's histogram equalisation with one LUT per channel for the clip."""
    out = np.empty_like(clip)
    for c in range(clip.shape[-1]):
        channel = clip[..., c]
        hist = np.bincount(channel.ravel(), minlength=256)
        nonzero = hist[hist > 0]
        step = (nonzero.sum() - nonzero[-1]) // 255
        if step == 0:
            out[..., c] = channel
            continue
        lut = (np.concatenate([[0], np.cumsum(hist)[:-1]]) + step // 2)
        lut = np.clip(lut // step, 0, 255).astype(np.uint8)
        out[..., c] = lut[channel]
    return out


def _sharpness(clip: np.ndarray, factor: float) -> np.ndarray:
    """PIL's ImageEnhance.Sharpness (3x3 smoothing, borders untouched)."""
    kernel = np.array([[1, 1, 1], [1, 5, 1], [1, 1, 1]], np.float32) / 13
    smooth = clip.astype(np.float32)
    smooth[:, 1:-1, 1:-1] = np.stack([
        cv2.filter2D(frame.astype(np.float32), -1, kernel)[1:-1, 1:-1]
        for frame in clip
    ]).reshape(smooth[:, 1:-1, 1:-1].shape)
    return _blend(clip, smooth, factor)


def _warp(clip: np.ndarray, matrix: np.ndarray, fill: int) -> np.ndarray:
    """Apply one forward affine ``matrix`` (2 x 3, pixels) to every frame."""
    height, width = clip.shape[1:3]
    border = (fill, ) * clip.shape[-1]
    return np.stack([
        cv2.warpAffine(
            frame,
            matrix, (width, height),
            flags=cv2.INTER_LINEAR,
            borderMode=cv2.BORDER_CONSTANT,
            borderValue=border).reshape(frame.shape) for frame in clip
    ])


def _to_normalised(height: int, width: int) -> np.ndarray:
    """3 x 3 map from pixel to normalised (align_corners=False) coords."""
    return np.array([[2 / width, 0, 1 / width - 1],
                     [0, 2 / height, 1 / height - 1], [0, 0, 1]])


def compose_view_affine(view_affine: np.ndarray, matrix: np.ndarray,
                        height: int, width: int) -> np.ndarray:
    """Update a ``view_affine`` after warping the view by ``matrix``.

    ``view_affine`` maps this view's normalised coordinates to the
    reference view's; after a forward warp ``p' = M p`` the new view's
    coordinates map back through ``M^-1`` first.

    Args:
        view_affine (np.ndarray): 2 x 3, before the warp.
        matrix (np.ndarray): 2 x 3 forward warp in pixels.
        height (int): frame height.
        width (int): frame width.

    Returns:
        np.ndarray: 2 x 3 affine of the warped view.
    """
    norm = _to_normalised(height, width)
    warp = np.vstack([matrix, [0, 0, 1]])
    warp_norm = norm @ warp @ np.linalg.inv(norm)
    previous = np.vstack([np.asarray(view_affine, np.float64), [0, 0, 1]])
    return (previous @ np.linalg.inv(warp_norm))[:2]


@TRANSFORMS.register_module()
class VideoRandAugment(BaseTransform):
    """RandAugment with the same operations and magnitudes on every frame.

    Per clip, ``num_ops`` operations are drawn uniformly (with replacement)
    from ``ops``; each uses magnitude ``magnitude`` (0..10 scale; with
    ``magnitude_std > 0`` a Gaussian draw around it, clipped to 0..10, as
    timm's ``mstd``) and a random sign where the op has a direction. The
    drawn parameters are applied to all frames of the clip.

    Geometric ops update ``view_affine`` if the results carry one (the
    detection pipelines' record of each view's geometry).

    Required Keys:
        - imgs

    Modified Keys:
        - imgs
        - view_affine (if present)

    Added Keys:
        - randaugment_ops: list of ``(name, signed_level)`` applied.

    Args:
        num_ops (int): operations per clip. Defaults to 2.
        magnitude (float): 0..10. Defaults to 9.
        magnitude_std (float): std of the magnitude draw. Defaults to 0.
        ops (Sequence[str], optional): names out of :data:`ALL_OPS`;
            defaults to all of them.
        fill (int): grey level of pixels uncovered by geometric ops.
            Defaults to 128.
    """

    def __init__(self,
                 num_ops: int = 2,
                 magnitude: float = 9,
                 magnitude_std: float = 0.0,
                 ops: Optional[Sequence[str]] = None,
                 fill: int = 128) -> None:
        ops = tuple(ops) if ops is not None else ALL_OPS
        unknown = set(ops) - set(ALL_OPS)
        if unknown:
            raise ValueError(f'VideoRandAugment: unknown ops '
                             f'{sorted(unknown)}; choose from {ALL_OPS}')
        if not ops or num_ops < 0:
            raise ValueError('VideoRandAugment needs at least one op and '
                             f'num_ops >= 0, got ops={ops}, num_ops={num_ops}')
        if not 0 <= magnitude <= 10:
            raise ValueError('VideoRandAugment.magnitude is on a 0..10 '
                             f'scale, got {magnitude}')
        self.num_ops = num_ops
        self.magnitude = magnitude
        self.magnitude_std = magnitude_std
        self.ops = ops
        self.fill = fill

    def _draw_level(self) -> float:
        """A magnitude in 0..1 (fraction of the maximum)."""
        level = self.magnitude
        if self.magnitude_std > 0:
            level = np.random.normal(level, self.magnitude_std)
        return float(np.clip(level, 0, 10)) / 10

    @staticmethod
    def _signed(level: float) -> float:
        return level if np.random.rand() < 0.5 else -level

    def _photometric(self) -> Dict[str, Callable]:
        """Ops that change pixel values only: ``f(clip, level)``."""
        return dict(
            Identity=lambda clip, level: clip,
            AutoContrast=lambda clip, level: _auto_contrast(clip),
            Equalize=lambda clip, level: _equalize(clip),
            Solarize=lambda clip, level: np.where(
                clip >= 256 - abs(level) * 256, 255 - clip, clip).astype(
                    np.uint8),
            Posterize=lambda clip, level: clip & np.uint8(
                (0xFF << (8 - self._posterize_bits(level))) & 0xFF),
            Brightness=lambda clip, level: _blend(
                clip, np.zeros((1, 1, 1, 1), np.float32),
                1 + level * _MAX_ENHANCE),
            Color=lambda clip, level: _blend(clip, _grey(clip),
                                             1 + level * _MAX_ENHANCE),
            Contrast=lambda clip, level: _blend(
                clip, np.full((1, 1, 1, 1), _grey(clip).mean(), np.float32),
                1 + level * _MAX_ENHANCE),
            Sharpness=lambda clip, level: _sharpness(
                clip, 1 + level * _MAX_ENHANCE),
        )

    @staticmethod
    def _posterize_bits(level: float) -> int:
        return int(round(8 - abs(level) * (8 - _MIN_POSTERIZE_BITS)))

    @staticmethod
    def geometric_matrix(name: str, level: float, height: int,
                         width: int) -> np.ndarray:
        """Forward 2 x 3 pixel affine of a geometric op about the centre.

        Args:
            name (str): one of :data:`GEOMETRIC_OPS`.
            level (float): signed fraction of the maximum, -1..1.
            height (int): frame height.
            width (int): frame width.

        Returns:
            np.ndarray: 2 x 3 float32 matrix.
        """
        cx, cy = (width - 1) / 2, (height - 1) / 2
        if name == 'Rotate':
            return cv2.getRotationMatrix2D((cx, cy), level * _MAX_ROTATE,
                                           1.0).astype(np.float32)
        if name == 'ShearX':
            s = level * _MAX_SHEAR
            return np.float32([[1, s, -s * cy], [0, 1, 0]])
        if name == 'ShearY':
            s = level * _MAX_SHEAR
            return np.float32([[1, 0, 0], [s, 1, -s * cx]])
        if name == 'TranslateX':
            return np.float32([[1, 0, level * _MAX_TRANSLATE * width],
                               [0, 1, 0]])
        if name == 'TranslateY':
            return np.float32([[1, 0, 0],
                               [0, 1, level * _MAX_TRANSLATE * height]])
        raise ValueError(f'{name} is not a geometric op')

    def transform(self, results: dict) -> dict:
        """Augment the clip in ``results['imgs']``.

        Args:
            results (dict): the pipeline results.

        Returns:
            dict: the results with augmented frames.
        """
        clip = _clip_array(results, type(self).__name__)
        photometric = self._photometric()
        height, width = clip.shape[1:3]
        applied: List[Tuple[str, float]] = []
        for idx in np.random.randint(len(self.ops), size=self.num_ops):
            name = self.ops[idx]
            level = self._signed(self._draw_level())
            if name in GEOMETRIC_OPS:
                matrix = self.geometric_matrix(name, level, height, width)
                clip = _warp(clip, matrix, self.fill)
                if 'view_affine' in results:
                    results['view_affine'] = compose_view_affine(
                        results['view_affine'], matrix, height, width)
            else:
                clip = photometric[name](clip, level)
            applied.append((name, level))
        _store_clip(results, clip)
        results['randaugment_ops'] = applied
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(num_ops={self.num_ops}, '
                f'magnitude={self.magnitude}, '
                f'magnitude_std={self.magnitude_std}, ops={self.ops}, '
                f'fill={self.fill})')


@TRANSFORMS.register_module()
class VideoCutout(BaseTransform):
    """Erase one square, at the same place in every frame of the clip.

    The square's side is ``ratio`` times the shorter frame side; its centre
    is uniform over the frame and it is clipped at the borders (FixMatch's
    Cutout, ratio 0.5, grey fill).

    Required Keys:
        - imgs

    Modified Keys:
        - imgs

    Added Keys:
        - cutout_box: ``(x1, y1, x2, y2)`` erased region in pixels.

    Args:
        ratio (float): square side / shorter frame side. Defaults to 0.5.
        fill (int): grey level of the square. Defaults to 127.
        prob (float): probability of erasing. Defaults to 1.0.
    """

    def __init__(self, ratio: float = 0.5, fill: int = 127,
                 prob: float = 1.0) -> None:
        if not 0 < ratio <= 1:
            raise ValueError(f'VideoCutout.ratio must be in (0, 1], got '
                             f'{ratio}')
        self.ratio = ratio
        self.fill = fill
        self.prob = prob

    def transform(self, results: dict) -> dict:
        """Erase the square in every frame.

        Args:
            results (dict): the pipeline results.

        Returns:
            dict: the results with the erased clip.
        """
        if np.random.rand() >= self.prob:
            return results
        clip = _clip_array(results, type(self).__name__).copy()
        height, width = clip.shape[1:3]
        side = max(1, int(round(self.ratio * min(height, width))))
        cx, cy = np.random.randint(width), np.random.randint(height)
        x1, y1 = max(cx - side // 2, 0), max(cy - side // 2, 0)
        x2, y2 = min(x1 + side, width), min(y1 + side, height)
        clip[:, y1:y2, x1:x2] = self.fill
        _store_clip(results, clip)
        results['cutout_box'] = (x1, y1, x2, y2)
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(ratio={self.ratio}, '
                f'fill={self.fill}, prob={self.prob})')
