"""Write rendered frames as a video (MP4/AVI through OpenCV, GIF through
Pillow) or as an image (PNG/JPEG through OpenCV)."""
import os
import os.path as osp
from typing import Sequence

import cv2
import numpy as np

VIDEO_EXTS = ('.mp4', '.avi', '.gif')
IMAGE_EXTS = ('.png', '.jpg', '.jpeg')
_FOURCC = {'.mp4': 'mp4v', '.avi': 'MJPG'}


def output_kind(path: str) -> str:
    """``'video'`` or ``'image'`` from the file extension.

    Raises:
        ValueError: naming the path when its extension is neither.
    """
    ext = osp.splitext(path)[1].lower()
    if ext in VIDEO_EXTS:
        return 'video'
    if ext in IMAGE_EXTS:
        return 'image'
    raise ValueError(f'{path}: unknown output type {ext!r}; use one of '
                     f'{VIDEO_EXTS + IMAGE_EXTS}')


def _make_parent(path: str) -> None:
    parent = osp.dirname(osp.abspath(path))
    os.makedirs(parent, exist_ok=True)


def write_image(image: np.ndarray, path: str) -> None:
    """Write an ``H x W x 3`` uint8 RGB image.

    Raises:
        OSError: naming the path when OpenCV cannot write it.
    """
    output_kind(path)
    _make_parent(path)
    if not cv2.imwrite(path, np.ascontiguousarray(image[..., ::-1])):
        raise OSError(f'{path}: OpenCV could not write the image')


def write_video(frames: Sequence[np.ndarray], path: str,
                fps: float = 10.0) -> None:
    """Write ``N`` frames ``H x W x 3`` uint8 RGB as one video file.

    ``.mp4`` (codec ``mp4v``) and ``.avi`` (``MJPG``) go through OpenCV,
    ``.gif`` through Pillow, which merges a frame identical to the previous
    one into it (their durations add up): stamp distinct frames (e.g. with
    their frame number, as ``tools/visualize.py`` does) to keep one GIF
    frame per input frame.

    Args:
        frames (Sequence[np.ndarray]): the frames, all of one size.
        path (str): output file; its extension picks the format.
        fps (float): frames per second.

    Raises:
        ValueError: no frames, frames of different sizes, or an unknown
            extension.
        OSError: naming the path when the writer cannot open it.
        ImportError: ``.gif`` without Pillow installed.
    """
    if output_kind(path) != 'video':
        raise ValueError(f'{path}: not a video extension {VIDEO_EXTS}')
    if not len(frames):
        raise ValueError(f'{path}: no frames to write')
    shapes = {frame.shape for frame in frames}
    if len(shapes) != 1:
        raise ValueError(f'{path}: frames of different sizes '
                         f'{sorted(shapes)}')
    if fps <= 0:
        raise ValueError(f'fps must be > 0, got {fps}')
    _make_parent(path)
    ext = osp.splitext(path)[1].lower()
    if ext == '.gif':
        _write_gif(frames, path, fps)
        return
    height, width = frames[0].shape[:2]
    writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*_FOURCC[ext]),
                             float(fps), (width, height))
    if not writer.isOpened():
        raise OSError(f'{path}: OpenCV cannot open a {_FOURCC[ext]} video '
                      'writer (is OpenCV built with FFMPEG?); try .avi or '
                      '.gif')
    try:
        for frame in frames:
            writer.write(np.ascontiguousarray(frame[..., ::-1]))
    finally:
        writer.release()


def _write_gif(frames: Sequence[np.ndarray], path: str, fps: float) -> None:
    try:
        from PIL import Image
    except ImportError as err:
        raise ImportError(f'{path}: GIF output needs Pillow (pip install '
                          'pillow); .mp4 and .avi need only OpenCV') from err
    images = [Image.fromarray(frame) for frame in frames]
    images[0].save(path, save_all=True, append_images=images[1:],
                   duration=int(round(1000 / fps)), loop=0, optimize=False)
