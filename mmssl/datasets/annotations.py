"""Readers for the spatio-temporal annotation formats found in the wild.

Three formats are understood, all turned into the same records
(:class:`VideoAnnotation`, boxes ``x1, y1, x2, y2`` in pixels, frames
1-based):

* ACT / MOC ground truth (``UCF101v2-GT.pkl``, ``JHMDB-GT.pkl``): a dict with
  ``labels``, ``gttubes{video: {label: [(n, 5) array]}}`` (rows
  ``[frame (1-based), x1, y1, x2, y2]``), ``nframes``, ``resolution{video:
  (h, w)}`` and per-split ``train_videos`` / ``test_videos`` lists.
* The E2E-SSL release's pickles (``train_annots_20_labeled.pkl``,
  ``testing_annots.pkl``): a list of ``(video, [(start, end, label, boxes,
  frame_ids[, labeled_flag]), ...])`` with 0-based inclusive ``start`` /
  ``end``, one ``[x, y, w, h]`` box per frame of ``start..end`` and the
  0-based frames ``frame_ids`` that clips are centred on. Entries with label
  ``-1`` are unlabeled videos (their boxes are placeholders).
* A plain MMAction2 list: ``path``, ``path label`` or ``frame_dir
  total_frames label`` per line, without boxes (unlabeled videos, possibly
  untrimmed or from another dataset).

An E2E-SSL box ``[x, y, w, h]`` is the ACT box ``[x, y, x + w, y + h]`` at
frame ``f + 1``, so both files of one video give the same targets. Pickles
are read with :func:`mmssl.utils.safe_load_pickle` and never run code.
"""
import os.path as osp
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from mmssl.utils import safe_load_pickle
from .errors import DatasetError

#: At most this many problems are spelled out in one error message.
MAX_LISTED_PROBLEMS = 20


@dataclass
class Tube:
    """One actor's boxes.

    Attributes:
        label (int): class index.
        frames (np.ndarray): (n,) int64, 1-based frame numbers, increasing.
        boxes (np.ndarray): (n, 4) float32 ``x1, y1, x2, y2`` in pixels.
    """
    label: int
    frames: np.ndarray
    boxes: np.ndarray


@dataclass
class VideoAnnotation:
    """Everything an annotation file says about one video.

    Attributes:
        name (str): ``Class/video`` key of the annotation file.
        label (int): the video's class, ``-1`` if unknown.
        tubes (list[Tube]): actors' boxes (empty for unannotated videos).
        key_frames (np.ndarray): (k,) 1-based frames that training clips may
            be centred on (annotated frames; empty: anywhere).
        num_frames (int, optional): frame count stated by the file.
        resolution (tuple[int, int], optional): ``(h, w)`` stated by the
            file.
        path (str, optional): media path relative to the data prefix, when
            the file gives one (video lists).
        labeled (bool, optional): the file's own labeled flag (E2E-SSL).
    """
    name: str
    label: int = -1
    tubes: List[Tube] = field(default_factory=list)
    key_frames: np.ndarray = field(
        default_factory=lambda: np.zeros(0, dtype=np.int64))
    num_frames: Optional[int] = None
    resolution: Optional[Tuple[int, int]] = None
    path: Optional[str] = None
    labeled: Optional[bool] = None


@dataclass
class AnnotationFile:
    """The videos of one annotation file (one split of it).

    Attributes:
        path (str): the file.
        format (str): ``'act'``, ``'e2e'`` or ``'list'``.
        classes (list[str], optional): class names the file defines.
        videos (list[VideoAnnotation]): in file order.
    """
    path: str
    format: str
    classes: Optional[List[str]]
    videos: List[VideoAnnotation]


def raise_problems(source: str, problems: Sequence[str]) -> None:
    """Raise one :class:`DatasetError` listing ``problems`` (if any).

    Args:
        source (str): the file or dataset the problems were found in.
        problems (Sequence[str]): one line per problem, each naming its
            video.
    """
    if not problems:
        return
    listed = '\n  '.join(problems[:MAX_LISTED_PROBLEMS])
    more = len(problems) - MAX_LISTED_PROBLEMS
    tail = f'\n  ... and {more} more' if more > 0 else ''
    raise DatasetError(
        f'{source}: {len(problems)} problem(s):\n  {listed}{tail}')


def load_annotation_file(path: str,
                         split: int = 1,
                         test_mode: bool = False) -> AnnotationFile:
    """Read an ACT pickle, an E2E-SSL pickle or a video list.

    Args:
        path (str): the annotation file. ``.txt`` / ``.list`` / ``.csv``
            files are video lists, anything else a pickle.
        split (int): 1-based split of an ACT file (``train_videos[split -
            1]``); ignored by the other formats (their file is the split).
        test_mode (bool): take the ACT file's ``test_videos`` instead of
            ``train_videos``.

    Returns:
        AnnotationFile: the parsed videos.
    """
    if not osp.isfile(path):
        raise DatasetError(f'annotation file {path} does not exist')
    if osp.splitext(path)[1].lower() in ('.txt', '.list', '.csv'):
        return AnnotationFile(path, 'list', None, read_video_list(path))
    content = safe_load_pickle(path)
    if isinstance(content, dict):
        classes, videos = parse_act(content, path, split, test_mode)
        return AnnotationFile(path, 'act', classes, videos)
    if isinstance(content, (list, tuple)):
        return AnnotationFile(path, 'e2e', None, parse_e2e(content, path))
    raise DatasetError(
        f'{path}: unknown annotation format ({type(content).__name__}); '
        'expected an ACT dict, an E2E-SSL list or a video list (.txt)')


def parse_act(gt: dict, path: str, split: int,
              test_mode: bool) -> Tuple[List[str], List[VideoAnnotation]]:
    """Videos of one split of an ACT ground-truth dict.

    Args:
        gt (dict): the unpickled file.
        path (str): file name for messages.
        split (int): 1-based split.
        test_mode (bool): use ``test_videos``.

    Returns:
        tuple[list[str], list[VideoAnnotation]]: class names and videos.
    """
    key = 'test_videos' if test_mode else 'train_videos'
    missing = [k for k in ('labels', 'gttubes', 'nframes', key) if k not in gt]
    if missing:
        raise DatasetError(f'{path}: ACT annotation dict lacks {missing}')
    splits = gt[key]
    if not 1 <= split <= len(splits):
        raise DatasetError(f'{path}: split={split} does not exist; the file '
                           f'has {len(splits)} split(s), numbered from 1')
    classes = [str(c) for c in gt['labels']]
    resolution = gt.get('resolution', {})
    videos, problems = [], []
    for name in splits[split - 1]:
        name = str(name)
        if name not in gt['nframes']:
            problems.append(f'video {name}: listed in {key} but has no '
                            "'nframes' entry")
            continue
        tubes = []
        for label, label_tubes in gt['gttubes'].get(name, {}).items():
            for rows in label_tubes:
                tube, problem = _act_tube(rows, int(label), name)
                if problem:
                    problems.append(problem)
                else:
                    tubes.append(tube)
        video = _video_from_tubes(name, tubes, problems)
        video.num_frames = int(gt['nframes'][name])
        if name in resolution:
            h, w = resolution[name]
            video.resolution = (int(h), int(w))
        videos.append(video)
    raise_problems(path, problems)
    return classes, videos


def _act_tube(rows, label: int, name: str) -> Tuple[Optional[Tube], str]:
    """An ACT tube array as a :class:`Tube`, or a problem message."""
    rows = np.asarray(rows, dtype=np.float64)
    if rows.ndim != 2 or rows.shape[0] == 0 or rows.shape[1] < 5:
        return None, (f'video {name}: tube of class {label} is not an '
                      f'(n, 5) array [frame, x1, y1, x2, y2] '
                      f'(shape {rows.shape})')
    frames = rows[:, 0]
    if np.any(frames != np.round(frames)):
        return None, f'video {name}: tube of class {label} has non-integer ' \
                     'frame numbers'
    order = np.argsort(frames, kind='stable')
    frames = frames[order].astype(np.int64)
    if np.any(np.diff(frames) == 0):
        return None, (f'video {name}: tube of class {label} has two boxes '
                      'in one frame')
    boxes = rows[order, 1:5].astype(np.float32)
    return Tube(label, frames, boxes), ''


def parse_e2e(entries: Sequence, path: str) -> List[VideoAnnotation]:
    """Videos of an E2E-SSL annotation list.

    Args:
        entries (Sequence): ``[(video, [tube_tuple, ...]), ...]``.
        path (str): file name for messages.

    Returns:
        list[VideoAnnotation]: the videos in file order.
    """
    videos, problems = [], []
    for index, entry in enumerate(entries):
        if not (isinstance(entry, (list, tuple)) and len(entry) == 2):
            problems.append(f'entry {index}: expected (video_name, '
                            f'[tubes]), got {type(entry).__name__}')
            continue
        name, tube_tuples = str(entry[0]), entry[1]
        tubes, key_frames, flags, num_frames = [], [], [], None
        for tube_tuple in tube_tuples:
            if len(tube_tuple) not in (5, 6):
                problems.append(f'video {name}: a tube tuple has '
                                f'{len(tube_tuple)} fields, expected (start, '
                                'end, label, boxes, frame_ids[, labeled])')
                continue
            start, end, label = (int(v) for v in tube_tuple[:3])
            key_frames.extend(int(f) + 1 for f in tube_tuple[4])
            if len(tube_tuple) == 6:
                flags.append(bool(tube_tuple[5]))
            if label < 0:  # an unlabeled video: placeholder boxes
                num_frames = end + 1
                continue
            tube, problem = _e2e_tube(start, end, label, tube_tuple[3], name)
            if problem:
                problems.append(problem)
            else:
                tubes.append(tube)
        video = _video_from_tubes(name, tubes, problems)
        video.key_frames = np.unique(np.asarray(key_frames, dtype=np.int64))
        video.num_frames = num_frames
        video.labeled = any(flags) if flags else None
        videos.append(video)
    raise_problems(path, problems)
    return videos


def _e2e_tube(start: int, end: int, label: int, boxes,
              name: str) -> Tuple[Optional[Tube], str]:
    """An E2E-SSL ``(start, end, label, xywh boxes)`` as a :class:`Tube`."""
    boxes = np.asarray(boxes, dtype=np.float64)
    count = end - start + 1
    if count <= 0 or start < 0:
        return None, (f'video {name}: tube of class {label} has frames '
                      f'{start}..{end}')
    if boxes.ndim != 2 or boxes.shape != (count, 4):
        return None, (f'video {name}: tube of class {label} spans frames '
                      f'{start}..{end} ({count} frames) but has boxes of '
                      f'shape {boxes.shape}, expected ({count}, 4) [x, y, w, '
                      'h]')
    xyxy = np.concatenate([boxes[:, :2], boxes[:, :2] + boxes[:, 2:]], 1)
    frames = np.arange(start + 1, end + 2, dtype=np.int64)
    return Tube(label, frames, xyxy.astype(np.float32)), ''


def _video_from_tubes(name: str, tubes: List[Tube],
                      problems: List[str]) -> VideoAnnotation:
    """A video record whose label is the one class of its tubes."""
    labels = sorted({tube.label for tube in tubes})
    if len(labels) > 1:
        problems.append(f'video {name}: tubes of several classes {labels}; '
                        'a video must have one class')
    key_frames = (np.unique(np.concatenate([t.frames for t in tubes]))
                  if tubes else np.zeros(0, dtype=np.int64))
    return VideoAnnotation(
        name=name,
        label=labels[0] if labels else -1,
        tubes=tubes,
        key_frames=key_frames)


def read_video_list(path: str) -> List[VideoAnnotation]:
    """Videos of an MMAction2 list file (no boxes).

    Lines are ``path``, ``path label`` or ``frame_dir total_frames label``;
    the video name is the path without its extension.

    Args:
        path (str): the list file.

    Returns:
        list[VideoAnnotation]: one unannotated record per line.
    """
    videos, problems, seen = [], [], set()
    with open(path) as f:
        for line_no, line in enumerate(f, 1):
            fields = line.split()
            if not fields:
                continue
            if len(fields) > 3 or not all(
                    x.lstrip('-').isdigit() for x in fields[1:]):
                problems.append(f'line {line_no}: expected "path [label]" or '
                                f'"frame_dir total_frames label", got '
                                f'{line.strip()!r}')
                continue
            rel = fields[0]
            name = osp.splitext(rel)[0] if osp.splitext(rel)[1] in (
                '.avi', '.mp4', '.mkv', '.webm', '.mov') else rel
            if name in seen:
                problems.append(f'line {line_no}: video {name} listed twice')
                continue
            seen.add(name)
            video = VideoAnnotation(name=name, path=rel)
            if len(fields) >= 2:
                video.label = int(fields[-1])
            if len(fields) == 3:
                video.num_frames = int(fields[1])
            videos.append(video)
    raise_problems(path, problems)
    return videos


def read_name_list(path: str) -> List[str]:
    """Video names of a split list (``labeled.txt``): the first field of
    each non-empty line, extension dropped."""
    if not osp.isfile(path):
        raise DatasetError(f'split list {path} does not exist')
    return [video.name for video in read_video_list(path)]


def video_class_keys(videos: Sequence[VideoAnnotation]) -> List[object]:
    """Stratification key of each video: its label, else its class folder
    (the first component of its name)."""
    return [v.label if v.label >= 0 else v.name.split('/')[0]
            for v in videos]


def index_by_name(videos: Sequence[VideoAnnotation]
                  ) -> Dict[str, VideoAnnotation]:
    """``{name: video}``; duplicates are an error."""
    index: Dict[str, VideoAnnotation] = {}
    for video in videos:
        if video.name in index:
            raise DatasetError(f'video {video.name} appears twice')
        index[video.name] = video
    return index
