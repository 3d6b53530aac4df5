"""Photometric transforms for strong views.

Each draws its random parameters once per clip and applies them to every
frame, so a clip stays temporally consistent; the geometry (and hence the
targets and ``view_affine``) is untouched. Frames are processed as one
(T, H, W, 3) array.
"""
from typing import Dict, Sequence, Tuple, Union

import cv2
import numpy as np
from mmaction.registry import TRANSFORMS
from mmcv.transforms import BaseTransform

#: ITU-R 601 luma weights of R, G, B.
_LUMA = np.array([0.299, 0.587, 0.114], dtype=np.float32)


def _clip_array(results: Dict) -> np.ndarray:
    """The frames as a (T, H, W, 3) float32 array."""
    return np.stack(results['imgs']).astype(np.float32)


def _store(results: Dict, clip: np.ndarray) -> None:
    """Write a float clip back as a list of uint8 frames."""
    clip = np.clip(np.rint(clip), 0, 255).astype(np.uint8)
    results['imgs'] = list(clip)


def _range(value: Union[float, Sequence[float]], centre: float,
           name: str) -> Tuple[float, float]:
    """``value`` as ``(centre - value, centre + value)`` or as given."""
    if isinstance(value, (int, float)):
        if value < 0:
            raise ValueError(f'{name} must be >= 0, got {value}')
        return (max(centre - value, 0.0) if centre else -value,
                centre + value)
    low, high = value
    if low > high:
        raise ValueError(f'{name} range {value} is empty')
    return float(low), float(high)


def gray(clip: np.ndarray) -> np.ndarray:
    """Luma of a (..., 3) RGB float array, shape (..., 1)."""
    return (clip @ _LUMA)[..., None]


def shift_hue(clip: np.ndarray, shift: float) -> np.ndarray:
    """Rotate the hue of a (T, H, W, 3) RGB clip in [0, 255].

    Args:
        clip (np.ndarray): float32 frames.
        shift (float): fraction of a full turn, in [-0.5, 0.5].

    Returns:
        np.ndarray: float32 frames.
    """
    num, height, width, _ = clip.shape
    flat = np.clip(clip, 0, 255).reshape(num * height, width, 3) / 255.0
    hsv = cv2.cvtColor(flat.astype(np.float32), cv2.COLOR_RGB2HSV)
    hsv[..., 0] = (hsv[..., 0] + shift * 360.0) % 360.0
    rgb = cv2.cvtColor(hsv, cv2.COLOR_HSV2RGB) * 255.0
    return rgb.reshape(num, height, width, 3)


@TRANSFORMS.register_module()
class ClipColorJitter(BaseTransform):
    """Brightness, contrast, saturation and hue jitter in random order.

    Args:
        brightness (float | tuple[float, float]): factor range, a float
            ``b`` meaning ``(1 - b, 1 + b)``. Defaults to 0.4.
        contrast (float | tuple[float, float]): as ``brightness``; blends
            with the clip's mean luma. Defaults to 0.4.
        saturation (float | tuple[float, float]): as ``brightness``; blends
            with each pixel's luma. Defaults to 0.4.
        hue (float | tuple[float, float]): shift range in turns, a float
            ``h`` meaning ``(-h, h)``, at most 0.5. Defaults to 0.1.
        prob (float): probability of jittering a clip. Defaults to 0.8.
    """

    def __init__(self,
                 brightness: Union[float, Sequence[float]] = 0.4,
                 contrast: Union[float, Sequence[float]] = 0.4,
                 saturation: Union[float, Sequence[float]] = 0.4,
                 hue: Union[float, Sequence[float]] = 0.1,
                 prob: float = 0.8) -> None:
        self.brightness = _range(brightness, 1.0, 'brightness')
        self.contrast = _range(contrast, 1.0, 'contrast')
        self.saturation = _range(saturation, 1.0, 'saturation')
        self.hue = _range(hue, 0.0, 'hue')
        if not -0.5 <= self.hue[0] <= self.hue[1] <= 0.5:
            raise ValueError(f'hue must lie in [-0.5, 0.5], got {hue}')
        self.prob = prob

    def transform(self, results: Dict) -> Dict:
        """Jitter the clip's colours.

        Args:
            results (dict): with ``imgs``.

        Returns:
            dict: ``results`` with jittered ``imgs``.
        """
        if np.random.rand() >= self.prob:
            return results
        clip = _clip_array(results)
        for op in np.random.permutation(4):
            if op == 0:
                clip = clip * np.random.uniform(*self.brightness)
            elif op == 1:
                factor = np.random.uniform(*self.contrast)
                clip = factor * clip + (1 - factor) * gray(clip).mean()
            elif op == 2:
                factor = np.random.uniform(*self.saturation)
                clip = factor * clip + (1 - factor) * gray(clip)
            else:
                clip = shift_hue(clip, np.random.uniform(*self.hue))
            clip = np.clip(clip, 0, 255)
        _store(results, clip)
        return results

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(brightness={self.brightness}, '
                f'contrast={self.contrast}, saturation={self.saturation}, '
                f'hue={self.hue}, prob={self.prob})')


@TRANSFORMS.register_module()
class ClipGrayscale(BaseTransform):
    """Turn the clip gray (three equal channels) with probability ``prob``.

    Args:
        prob (float): probability. Defaults to 0.2.
    """

    def __init__(self, prob: float = 0.2) -> None:
        self.prob = prob

    def transform(self, results: Dict) -> Dict:
        """Maybe gray the clip.

        Args:
            results (dict): with ``imgs``.

        Returns:
            dict: ``results``.
        """
        if np.random.rand() < self.prob:
            luma = gray(_clip_array(results))
            _store(results, np.repeat(luma, 3, axis=-1))
        return results

    def __repr__(self) -> str:
        return f'{type(self).__name__}(prob={self.prob})'


@TRANSFORMS.register_module()
class ClipGaussianBlur(BaseTransform):
    """Gaussian blur with one random sigma per clip.

    Args:
        sigma (tuple[float, float]): sigma range in pixels.
            Defaults to (0.1, 2.0).
        prob (float): probability. Defaults to 0.5.
    """

    def __init__(self,
                 sigma: Sequence[float] = (0.1, 2.0),
                 prob: float = 0.5) -> None:
        low, high = sigma
        if not 0 < low <= high:
            raise ValueError(f'sigma range must satisfy 0 < low <= high, '
                             f'got {sigma}')
        self.sigma = (float(low), float(high))
        self.prob = prob

    def transform(self, results: Dict) -> Dict:
        """Maybe blur every frame with the same sigma.

        Args:
            results (dict): with ``imgs``.

        Returns:
            dict: ``results``.
        """
        if np.random.rand() >= self.prob:
            return results
        sigma = np.random.uniform(*self.sigma)
        size = 2 * int(np.ceil(3 * sigma)) + 1
        results['imgs'] = [
            cv2.GaussianBlur(img, (size, size), sigma)
            for img in results['imgs']
        ]
        return results

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(sigma={self.sigma}, '
                f'prob={self.prob})')
