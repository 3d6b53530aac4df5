"""Decoding a clip's frames from a video file or a frame folder."""
from typing import Dict

import numpy as np
from mmaction.datasets.transforms import (DecordDecode, DecordInit,
                                          RawFrameDecode)
from mmaction.registry import TRANSFORMS
from mmcv.transforms import BaseTransform

from ..errors import VideoDecodeError


@TRANSFORMS.register_module()
class DecodeActionClip(BaseTransform):
    """Decode the frames ``frame_inds`` with MMAction2's decoders.

    Video files (``filename``) go through ``DecordInit`` + ``DecordDecode``,
    frame folders (``frame_dir`` + ``filename_tmpl``, files numbered from 1)
    through ``RawFrameDecode``. Any failure, or fewer frames than asked for,
    raises :class:`VideoDecodeError` naming the path (the dataset's
    ``skip_bad_videos`` may turn it into a skip).

    Required keys: ``filename`` or ``frame_dir`` / ``filename_tmpl``,
    ``frame_inds`` (0-based).

    Added keys: ``imgs`` (list of H x W x 3 uint8 RGB arrays),
    ``ori_shape`` / ``img_shape`` ``(H0, W0)``, ``view_affine`` (2 x 3
    identity).

    Args:
        io_backend (str): mmengine file backend. Defaults to ``'disk'``.
        decord_mode (str): ``'accurate'`` or ``'efficient'`` (see
            ``DecordDecode``). Defaults to ``'accurate'``.
        num_threads (int): decord decoding threads. Defaults to 1.
    """

    def __init__(self,
                 io_backend: str = 'disk',
                 decord_mode: str = 'accurate',
                 num_threads: int = 1) -> None:
        self.io_backend = io_backend
        self.decord_mode = decord_mode
        self.num_threads = num_threads
        self._init = DecordInit(io_backend=io_backend, num_threads=num_threads)
        self._decode = DecordDecode(mode=decord_mode)
        self._frames = RawFrameDecode(io_backend=io_backend)

    def transform(self, results: Dict) -> Dict:
        """Add the decoded frames.

        Args:
            results (dict): with the clip's ``frame_inds``.

        Returns:
            dict: ``results`` with ``imgs`` and the view's geometry.
        """
        path = results.get('filename', results.get('frame_dir'))
        if path is None:
            raise KeyError("DecodeActionClip needs 'filename' (video file) "
                           "or 'frame_dir' (frame folder) in the results")
        frame_inds = np.asarray(results['frame_inds'], dtype=np.int64)
        try:
            imgs = (self._decode_frames(results, frame_inds)
                    if 'frame_dir' in results else self._decode_video(
                        results, frame_inds))
        except VideoDecodeError:
            raise
        except Exception as err:
            raise VideoDecodeError(
                f'{path}: cannot decode frames {frame_inds.tolist()}: '
                f'{type(err).__name__}: {err}') from err
        if len(imgs) != len(frame_inds) or any(
                img is None or img.ndim != 3 for img in imgs):
            raise VideoDecodeError(f'{path}: decoded {len(imgs)} frames, '
                                   f'expected {len(frame_inds)}')
        shape = tuple(int(s) for s in imgs[0].shape[:2])
        results['imgs'] = imgs
        results['ori_shape'] = shape
        results['img_shape'] = shape
        results['view_affine'] = np.array([[1., 0., 0.], [0., 1., 0.]])
        return results

    def _decode_video(self, results: Dict, frame_inds: np.ndarray) -> list:
        """Frames of a video file through decord."""
        state = self._init(dict(filename=results['filename']))
        if frame_inds.max() >= state['total_frames']:
            raise VideoDecodeError(
                f'{results["filename"]}: has {state["total_frames"]} frames, '
                f'frame {int(frame_inds.max())} (0-based) was asked for')
        state['frame_inds'] = frame_inds
        return list(self._decode(state)['imgs'])

    def _decode_frames(self, results: Dict, frame_inds: np.ndarray) -> list:
        """Frames of a frame folder (files numbered from 1)."""
        state = dict(
            frame_dir=results['frame_dir'],
            filename_tmpl=results['filename_tmpl'],
            modality='RGB',
            frame_inds=frame_inds,
            offset=1)
        return list(self._frames(state)['imgs'])

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(io_backend={self.io_backend}, '
                f'decord_mode={self.decord_mode}, '
                f'num_threads={self.num_threads})')
