"""Base dataset for spatio-temporal action detection (UCF101-24, JHMDB-21).

One training sample per video (the pipeline centres a clip on a random
annotated frame); in test mode one sample per window of ``clip_len *
frame_interval`` consecutive frames, so every frame of every test video is
covered (see ``docs/design/detection_sample.md``).
"""
import os
import os.path as osp
from typing import Callable, List, Optional, Sequence, Tuple, Union

import numpy as np
from mmaction.datasets import BaseActionDataset
from mmaction.registry import DATASETS
from mmengine.logging import print_log

from .annotations import (AnnotationFile, VideoAnnotation, index_by_name,
                          load_annotation_file, raise_problems,
                          read_name_list, video_class_keys)
from .errors import DatasetError, VideoDecodeError
from .label_split import check_percent, split_labeled_videos
from .media import probe_frame_dir, probe_many, probe_video_file
from .sample_source import attach_skipped_videos, sample_source

_VIDEO_EXTS = ('.avi', '.mp4', '.mkv', '.webm', '.mov')


@DATASETS.register_module()
class ActionDetectionDataset(BaseActionDataset):
    """Videos with per-frame actor boxes, for semi-supervised detection.

    Args:
        ann_file (str): ACT ground-truth pickle, E2E-SSL pickle, or (for
            unlabeled data only) an MMAction2 video list.
        pipeline (list[dict | Callable]): transforms, typically
            ``SampleActionClip``, ``DecodeActionClip``, ``LoadActionTargets``,
            geometric / photometric transforms and ``PackDetectionInputs``
            (or ``MultiBranch``).
        data_prefix (dict): ``video=<root>`` for video files or
            ``img=<root>`` for frame folders (exactly one), and optionally
            ``mask=<root>`` with ``<root>/<Class>/<video>/puppet_mask.mat``
            (JHMDB-21). Defaults to ``dict(video='')``.
        split (int): 1-based split of an ACT file. Defaults to 1.
        subset (str, optional): ``None`` (every video; labeled if annotated),
            ``'labeled'``, ``'unlabeled'`` (chosen by ``video_list`` or
            ``labeled_percent``) or ``'val'`` (a validation set held out from
            the *training* videos, chosen by ``video_list`` or
            ``val_percent``; labeled, and in ``test_mode`` cut into windows
            like the test set). Defaults to None.
        video_list (str, optional): names of the subset's videos, one per
            line (``tools/data/split_labeled.py`` output). Defaults to None.
        labeled_percent (float, optional): label this percentage of each
            class (see :mod:`mmssl.datasets.label_split`). Defaults to None.
        split_seed (int): seed of the percentage split. Defaults to 47.
        val_percent (float, optional): hold out this percentage of each
            class's *non-labeled* training videos as the validation set
            (with ``labeled_percent``; the labeled subset is unchanged, the
            unlabeled subset loses them). Give the same value to the
            labeled, unlabeled and val datasets of a config. Defaults to
            None (no validation set).
        val_seed (int): seed of the validation split. Defaults to 0.
        clip_len (int): frames the model sees per clip. Defaults to 8.
        frame_interval (int): temporal stride of those frames. Defaults to 2.
        video_ext (str): extension of video files when the annotation names
            videos without one. Defaults to ``'.avi'``.
        filename_tmpl (str): frame file name in frame folders, formatted
            with the 1-based frame number. Defaults to ``'{:05d}.jpg'``.
        unlabeled_sampling (str): where unlabeled clips of annotated videos
            are centred: ``'key_frames'`` (annotated frames, the trimmed
            setting of E2E-SSL) or ``'uniform'`` (anywhere, untrimmed).
            Video lists are always sampled uniformly. Defaults to
            ``'key_frames'``.
        check_videos (bool): open every video at load to check that it is
            readable and as long / as large as its annotation says. When
            False, only videos whose length the annotation omits are opened.
            Defaults to True.
        skip_bad_videos (bool): in training, replace a sample whose video
            fails to decode by another one and count the skips in the log,
            instead of raising. Defaults to False.
        probe_threads (int, optional): threads used to open videos at load.
            Defaults to ``min(8, os.cpu_count())``.
        test_mode (bool): build test windows from the ACT ``test_videos``
            (or the whole E2E-SSL file). Defaults to False.
        **kwargs: passed to :class:`mmaction.datasets.BaseActionDataset`
            (``metainfo``, ``data_root``, ...). ``metainfo=dict(classes=...)``
            overrides the class names; otherwise the ACT file's ``labels``,
            else the dataset's ``METAINFO``, are used.
    """

    METAINFO: dict = dict(classes=None)

    def __init__(self,
                 ann_file: str,
                 pipeline: List[Union[dict, Callable]],
                 data_prefix: dict = dict(video=''),
                 split: int = 1,
                 subset: Optional[str] = None,
                 video_list: Optional[str] = None,
                 labeled_percent: Optional[float] = None,
                 split_seed: int = 47,
                 val_percent: Optional[float] = None,
                 val_seed: int = 0,
                 clip_len: int = 8,
                 frame_interval: int = 2,
                 video_ext: str = '.avi',
                 filename_tmpl: str = '{:05d}.jpg',
                 unlabeled_sampling: str = 'key_frames',
                 check_videos: bool = True,
                 skip_bad_videos: bool = False,
                 probe_threads: Optional[int] = None,
                 test_mode: bool = False,
                 **kwargs) -> None:
        if subset not in (None, 'labeled', 'unlabeled', 'val'):
            raise ValueError(f"subset must be None, 'labeled', 'unlabeled' "
                             f"or 'val', got {subset!r}")
        if unlabeled_sampling not in ('key_frames', 'uniform'):
            raise ValueError("unlabeled_sampling must be 'key_frames' or "
                             f"'uniform', got {unlabeled_sampling!r}")
        if clip_len < 1 or frame_interval < 1:
            raise ValueError(f'clip_len ({clip_len}) and frame_interval '
                             f'({frame_interval}) must be >= 1')
        if labeled_percent is not None:
            check_percent(labeled_percent, 'labeled_percent')
        if val_percent is not None:
            check_percent(val_percent, 'val_percent')
            if labeled_percent is None:
                raise ValueError('val_percent holds out part of the videos '
                                 'that labeled_percent leaves unlabeled; '
                                 'give labeled_percent too')
        media_keys = [k for k in ('video', 'img') if k in data_prefix]
        if len(media_keys) != 1:
            raise ValueError("data_prefix needs exactly one of 'video' "
                             "(video files) or 'img' (frame folders), got "
                             f'{dict(data_prefix)}')
        self.split = split
        self.subset = subset
        self.video_list = video_list
        self.labeled_percent = labeled_percent
        self.split_seed = split_seed
        self.val_percent = val_percent
        self.val_seed = val_seed
        self.clip_len = clip_len
        self.frame_interval = frame_interval
        self.video_ext = video_ext if video_ext.startswith('.') else (
            '.' + video_ext)
        self.filename_tmpl = filename_tmpl
        self.unlabeled_sampling = unlabeled_sampling
        self.check_videos = check_videos
        self.skip_bad_videos = skip_bad_videos
        self.probe_threads = probe_threads or min(8, os.cpu_count() or 1)
        self.num_skipped = 0
        self._pending_skips: List[str] = []
        self._user_classes = 'classes' in (kwargs.get('metainfo') or {})
        super().__init__(
            ann_file,
            pipeline=pipeline,
            data_prefix=data_prefix,
            test_mode=test_mode,
            **kwargs)

    # ------------------------------------------------------------------
    # loading
    # ------------------------------------------------------------------
    def load_data_list(self) -> List[dict]:
        """Read the annotation, choose the subset, check the media and build
        one data info per video (training) or per window (test)."""
        ann = load_annotation_file(self.ann_file, self.split,
                                   self._reads_test_videos)
        self._set_classes(ann)
        videos, labeled = self._select_subset(ann)
        frames_and_shapes = self._probe_media(videos)
        problems: List[str] = []
        num_clipped = 0
        infos = []
        for video, is_labeled, (num_frames, shape) in zip(
                videos, labeled, frames_and_shapes):
            video_problems, clipped = self._check_video(
                video, is_labeled, num_frames, shape)
            problems.extend(video_problems)
            num_clipped += clipped
            if not video_problems:
                infos.append(
                    self._video_info(video, is_labeled, num_frames, shape))
        raise_problems(f'{type(self).__name__}({self.ann_file})', problems)
        if num_clipped:
            print_log(f'{self.ann_file}: {num_clipped} box(es) reach outside '
                      'their frame and were clipped to it', logger='current')
        self._report_masks(infos)
        if self.test_mode:
            return [w for info in infos for w in self._windows(info)]
        return infos

    @property
    def _reads_test_videos(self) -> bool:
        """Whether the videos come from the ACT ``test_videos`` (test
        mode, except for the validation subset of training videos)."""
        return self.test_mode and self.subset != 'val'

    def _set_classes(self, ann: AnnotationFile) -> None:
        """Class names: ``metainfo`` argument > ACT ``labels`` > METAINFO,
        stored as a tuple (datasets combined in a ``ConcatDataset`` must
        have equal metainfo)."""
        current = self._metainfo.get('classes')
        if current is not None:
            self._metainfo['classes'] = tuple(current)
        if ann.classes is None:
            if ann.format == 'list':  # unlabeled: classes are not needed
                return
            if current is None:
                raise DatasetError(
                    f'{self.ann_file}: the file names no classes; give '
                    'metainfo=dict(classes=[...]) or use a dataset type '
                    'with known classes')
            return
        if self._user_classes:
            if len(current) != len(ann.classes):
                raise DatasetError(
                    f'{self.ann_file}: metainfo gives {len(current)} classes '
                    f'but the file defines {len(ann.classes)}')
            return
        if current is not None and list(current) != ann.classes:
            print_log(f'{self.ann_file}: using the file\'s {len(ann.classes)}'
                      f' class names instead of {type(self).__name__}\'s '
                      f'{len(current)}', logger='current')
        self._metainfo['classes'] = tuple(ann.classes)

    def _select_subset(
            self, ann: AnnotationFile
    ) -> Tuple[List[VideoAnnotation], List[bool]]:
        """Videos of the configured subset and whether each is labeled."""
        videos = ann.videos
        if ann.format == 'list':
            if self.subset != 'unlabeled' or self.video_list or \
                    self.labeled_percent is not None or \
                    self.val_percent is not None:
                raise DatasetError(
                    f'{self.ann_file}: a video list has no boxes and can '
                    "only be an unlabeled set: use subset='unlabeled' "
                    'without video_list / labeled_percent')
            return videos, [False] * len(videos)
        if self.subset is None:
            if self.video_list or self.labeled_percent is not None or \
                    self.val_percent is not None:
                raise DatasetError(
                    'video_list / labeled_percent / val_percent need '
                    "subset='labeled', 'unlabeled' or 'val'")
            return videos, [v.labeled is not False and v.label >= 0
                            for v in videos]
        chosen = self._subset_names(videos)
        keep = [v for v in videos if v.name in chosen]
        annotated = self.subset in ('labeled', 'val')
        if annotated:
            raise_problems(self.video_list or self.ann_file, [
                f'video {v.name} has no boxes and cannot be {self.subset}'
                for v in keep if v.label < 0
            ])
        return keep, [annotated] * len(keep)

    def _subset_names(self, videos: Sequence[VideoAnnotation]) -> set:
        """Names of the labeled or unlabeled subset of ``videos``."""
        percent = 'val_percent' if self.subset == 'val' else 'labeled_percent'
        given = self.val_percent if self.subset == 'val' else \
            self.labeled_percent
        if (self.video_list is None) == (given is None):
            raise DatasetError(
                f'subset={self.subset!r} needs exactly one of video_list or '
                f'{percent}')
        index = index_by_name(videos)
        if self.video_list is not None:
            names = read_name_list(self.video_list)
            unknown = [n for n in names if n not in index]
            raise_problems(self.video_list, [
                f'video {n} is not among the '
                f'{"test" if self._reads_test_videos else "training"} '
                f'videos of '
                f'{self.ann_file}' for n in unknown
            ])
            return set(names)
        # videos without boxes (E2E-SSL label -1) are never labeled
        candidates = [v for v in videos if v.label >= 0]
        labeled, rest = split_labeled_videos([v.name for v in candidates],
                                             video_class_keys(candidates),
                                             self.labeled_percent,
                                             self.split_seed)
        val = self._val_names([index[name] for name in rest])
        if self.subset == 'labeled':
            return set(labeled)
        if self.subset == 'val':
            return val
        return set(index) - set(labeled) - val

    def _val_names(self, candidates: Sequence[VideoAnnotation]) -> set:
        """``val_percent`` of each class of the annotated videos that are
        not labeled (empty without ``val_percent``)."""
        if self.val_percent is None or not candidates:
            return set()
        val, _ = split_labeled_videos([v.name for v in candidates],
                                      video_class_keys(candidates),
                                      self.val_percent, self.val_seed)
        return set(val)

    def _media_path(self, video: VideoAnnotation) -> str:
        """Video file or frame folder of ``video``."""
        if 'img' in self.data_prefix:
            rel = video.path if video.path else video.name
            if osp.splitext(rel)[1] in _VIDEO_EXTS:
                rel = osp.splitext(rel)[0]
            return osp.join(self.data_prefix['img'], rel)
        rel = video.path if video.path else video.name
        if osp.splitext(rel)[1] not in _VIDEO_EXTS:
            rel += self.video_ext
        return osp.join(self.data_prefix['video'], rel)

    def _probe_media(self, videos: Sequence[VideoAnnotation]
                     ) -> List[Tuple[Optional[int], Optional[tuple]]]:
        """Frame count and size of each video: opened when ``check_videos``
        or when the annotation omits the count; problems are raised."""
        to_open = [i for i, v in enumerate(videos)
                   if self.check_videos or v.num_frames is None]
        if 'img' in self.data_prefix:

            def probe(path):
                return probe_frame_dir(path, self.filename_tmpl)
        else:
            probe = probe_video_file
        found = probe_many(probe,
                           [self._media_path(videos[i]) for i in to_open],
                           self.probe_threads)
        results: List[Tuple[Optional[int], Optional[tuple]]] = [
            (v.num_frames, v.resolution) for v in videos
        ]
        problems = []
        for i, (num_frames, shape, message) in zip(to_open, found):
            if message:
                problems.append(f'video {videos[i].name}: {message}')
            else:
                results[i] = (num_frames, shape)
        raise_problems(f'{type(self).__name__}({self.ann_file})', problems)
        return results

    def _check_video(self, video: VideoAnnotation, is_labeled: bool,
                     num_frames: int, shape: Optional[Tuple[int, int]]
                     ) -> Tuple[List[str], int]:
        """Compare a video's annotation with its media; clip boxes that
        reach outside the frame in place.

        Returns:
            tuple[list[str], int]: problems and number of clipped boxes.
        """
        name, problems, clipped = video.name, [], 0
        num_classes = len(self._metainfo.get('classes') or ())
        if video.num_frames is not None and num_frames < video.num_frames:
            problems.append(f'video {name}: has {num_frames} frames but the '
                            f'annotation says {video.num_frames} (truncated '
                            'video?)')
        if video.resolution is not None and shape is not None and \
                tuple(shape) != tuple(video.resolution):
            problems.append(f'video {name}: frames are {shape[0]}x{shape[1]}'
                            f' (h x w) but the annotation says '
                            f'{video.resolution[0]}x{video.resolution[1]}')
        bad_labels = sorted({t.label for t in video.tubes
                             if not 0 <= t.label < num_classes})
        if bad_labels:
            problems.append(f'video {name}: class index {bad_labels[0]} is '
                            f'outside the {num_classes} classes')
        for tube in video.tubes:
            if tube.frames[0] < 1 or tube.frames[-1] > num_frames:
                problems.append(f'video {name}: a tube of class {tube.label}'
                                f' has boxes on frames {tube.frames[0]}..'
                                f'{tube.frames[-1]}, beyond the video\'s '
                                f'{num_frames} frames')
            frame_shape = shape or video.resolution
            if frame_shape is not None:
                problem, n = _clip_boxes(tube, frame_shape, name)
                clipped += n
                if problem:
                    problems.append(problem)
        key = video.key_frames
        if not problems and key.size and (key.min() < 1
                                          or key.max() > num_frames):
            problems.append(f'video {name}: annotated frames {key.min()}..'
                            f'{key.max()} lie beyond the video\'s '
                            f'{num_frames} frames')
        return problems, clipped

    def _video_info(self, video: VideoAnnotation, is_labeled: bool,
                    num_frames: int, shape: Optional[Tuple[int, int]]) -> dict:
        """The data info of one video (before test windows)."""
        info = dict(
            video_name=video.name,
            total_frames=int(num_frames),
            label=video.label if is_labeled else -1,
            is_labeled=bool(is_labeled),
            tubes=[
                dict(label=t.label, frames=t.frames, boxes=t.boxes)
                for t in video.tubes
            ] if is_labeled else [],
            key_frames=self._key_frames(video, is_labeled),
            clip_len=self.clip_len,
            frame_interval=self.frame_interval,
            test_mode=self.test_mode,
            mask_file=None)
        if shape is not None:
            info['resolution'] = tuple(int(s) for s in shape)
        media = self._media_path(video)
        if 'img' in self.data_prefix:
            info['frame_dir'] = media
            info['filename_tmpl'] = self.filename_tmpl
        else:
            info['filename'] = media
        if is_labeled and 'mask' in self.data_prefix:
            mask_file = osp.join(self.data_prefix['mask'], video.name,
                                 'puppet_mask.mat')
            if osp.isfile(mask_file):
                info['mask_file'] = mask_file
        return info

    def _key_frames(self, video: VideoAnnotation,
                    is_labeled: bool) -> np.ndarray:
        """Frames a training clip may be centred on (empty: anywhere)."""
        if not is_labeled and self.unlabeled_sampling == 'uniform':
            return np.zeros(0, dtype=np.int64)
        return video.key_frames.astype(np.int64)

    def _report_masks(self, infos: Sequence[dict]) -> None:
        """Log how many labeled videos lack a puppet mask file."""
        if 'mask' not in self.data_prefix:
            return
        labeled = [info for info in infos if info['is_labeled']]
        missing = [i['video_name'] for i in labeled if i['mask_file'] is None]
        if missing:
            print_log(
                f'{len(missing)} of {len(labeled)} labeled videos have no '
                f'puppet_mask.mat under {self.data_prefix["mask"]} (e.g. '
                f'{missing[0]}); their masks are filled boxes',
                logger='current',
                level=30)

    def _windows(self, info: dict) -> List[dict]:
        """Consecutive test windows of ``clip_len * frame_interval`` frames
        covering the whole video; tubes cut to each window."""
        length = self.clip_len * self.frame_interval
        windows = []
        for start in range(1, info['total_frames'] + 1, length):
            end = min(start + length - 1, info['total_frames'])
            window = dict(info, window_start=start)
            window['tubes'] = [
                _cut_tube(t, start, end) for t in info['tubes']
                if t['frames'][-1] >= start and t['frames'][0] <= end
            ]
            windows.append(window)
        return windows

    # ------------------------------------------------------------------
    # fetching
    # ------------------------------------------------------------------
    def prepare_data(self, idx: int) -> Optional[dict]:
        """Run the pipeline; with ``skip_bad_videos`` a training sample
        whose video fails to decode becomes None (mmengine then draws
        another index) and the skip is logged. The next sample this process
        loads lists the skipped paths in its metainfo
        (:data:`~mmssl.datasets.sample_source.SKIPPED_VIDEOS_KEY`), so the
        training loop can count skips made in dataloader workers."""
        try:
            packed = super().prepare_data(idx)
        except VideoDecodeError as err:
            if self.test_mode or not self.skip_bad_videos:
                raise
            self.num_skipped += 1
            self._pending_skips.append(
                sample_source(self.get_data_info(idx)) or str(idx))
            print_log(
                f'skip_bad_videos: {err}; {self.num_skipped} sample(s) '
                'skipped so far in this process',
                logger='current',
                level=30)
            return None
        if packed is not None and self._pending_skips:
            attach_skipped_videos(packed, self._pending_skips)
            self._pending_skips = []
        return packed


def _clip_boxes(tube, shape: Tuple[int, int],
                name: str) -> Tuple[str, int]:
    """Clip a tube's boxes to the frame in place.

    Returns:
        tuple[str, int]: a problem (a box outside the frame or empty) and
        the number of boxes that were clipped.
    """
    height, width = shape
    boxes = tube.boxes
    clipped = np.stack([
        np.clip(boxes[:, 0], 0, width),
        np.clip(boxes[:, 1], 0, height),
        np.clip(boxes[:, 2], 0, width),
        np.clip(boxes[:, 3], 0, height)
    ], 1).astype(np.float32)
    empty = (clipped[:, 2] <= clipped[:, 0]) | (clipped[:, 3] <= clipped[:, 1])
    if empty.any():
        i = int(np.flatnonzero(empty)[0])
        inside = (boxes[i, 2] > boxes[i, 0]) and (boxes[i, 3] > boxes[i, 1])
        what = 'lies outside the' if inside else 'is empty in its'
        return (f'video {name}: box {boxes[i].tolist()} on frame '
                f'{tube.frames[i]} {what} {width}x{height} (w x h) frame'
                f' ({int(empty.sum())} such box(es))'), 0
    changed = int(np.any(clipped != boxes, axis=1).sum())
    tube.boxes = clipped
    return '', changed


def _cut_tube(tube: dict, start: int, end: int) -> dict:
    """The part of a tube dict on frames ``start..end``."""
    keep = (tube['frames'] >= start) & (tube['frames'] <= end)
    return dict(
        label=tube['label'],
        frames=tube['frames'][keep],
        boxes=tube['boxes'][keep])
