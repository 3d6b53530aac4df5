"""Where a video's pixels live and what they look like (frame count, size).

Videos are files read by decord (``<root>/<Class>/<video>.<ext>``) or folders
of extracted frames (``<root>/<Class>/<video>/00001.jpg``, 1-based).
"""
import os
import os.path as osp
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, List, Optional, Sequence, Tuple

import cv2

#: ``(num_frames, (h, w))`` of a probed video, or an error message.
ProbeResult = Tuple[Optional[int], Optional[Tuple[int, int]], str]


def probe_video_file(path: str) -> ProbeResult:
    """Open a video with decord and read its length and frame size.

    Args:
        path (str): video file.

    Returns:
        tuple: ``(num_frames, (h, w), '')``, or ``(None, None, message)`` if
        the file is missing or unreadable.
    """
    if not osp.isfile(path):
        return None, None, f'video file {path} does not exist'
    try:
        import decord
        reader = decord.VideoReader(path, num_threads=1)
        num_frames = len(reader)
        if num_frames == 0:
            return None, None, f'video file {path} has no frames'
        height, width = reader[0].shape[:2]
    except Exception as err:  # decord raises its own DECORDError
        message = str(err).strip().splitlines()
        return None, None, (f'video file {path} cannot be read by decord: '
                            f'{message[0] if message else type(err).__name__}')
    return num_frames, (int(height), int(width)), ''


def probe_frame_dir(path: str, filename_tmpl: str) -> ProbeResult:
    """Count the frames of an extracted-frame folder and read its size.

    Frames must be numbered ``1..n`` without gaps.

    Args:
        path (str): the folder.
        filename_tmpl (str): file name of frame ``i``, e.g. ``'{:05d}.jpg'``.

    Returns:
        tuple: ``(num_frames, (h, w), '')`` or ``(None, None, message)``.
    """
    if not osp.isdir(path):
        return None, None, f'frame folder {path} does not exist'
    ext = osp.splitext(filename_tmpl)[1]
    num_frames = sum(1 for f in os.listdir(path) if f.endswith(ext))
    if num_frames == 0:
        return None, None, (f'frame folder {path} has no '
                            f'{filename_tmpl} files')
    last = osp.join(path, filename_tmpl.format(num_frames))
    if not osp.isfile(last):
        return None, None, (f'frame folder {path}: {num_frames} {ext} files '
                            f'but {osp.basename(last)} is missing (frames '
                            'must be numbered 1..n)')
    first = cv2.imread(osp.join(path, filename_tmpl.format(1)))
    if first is None:
        return None, None, (f'frame folder {path}: '
                            f'{filename_tmpl.format(1)} cannot be read')
    return num_frames, (int(first.shape[0]), int(first.shape[1])), ''


def probe_many(probe: Callable[[str], ProbeResult], paths: Sequence[str],
               num_threads: int = 8) -> List[ProbeResult]:
    """Probe several videos in a thread pool (opening files is I/O bound).

    Args:
        probe (Callable): :func:`probe_video_file` or a frame-folder probe.
        paths (Sequence[str]): videos.
        num_threads (int): worker threads.

    Returns:
        list[ProbeResult]: one result per path, in order.
    """
    if len(paths) <= 1 or num_threads <= 1:
        return [probe(p) for p in paths]
    with ThreadPoolExecutor(max_workers=num_threads) as pool:
        return list(pool.map(probe, paths))
