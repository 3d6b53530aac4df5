"""Helpers that write tiny detection datasets (videos, ACT and E2E-SSL
annotations) for the dataset tests, and the ``tiny_act`` fixture (imported by
the test modules; a conftest here would shadow the top-level one)."""
import os
import os.path as osp
import pickle

import cv2
import numpy as np
import pytest

WIDTH, HEIGHT, NUM_FRAMES = 64, 48, 20  # decord mis-decodes 48-px-wide MJPG
CLASSES = ['Run', 'Jump']


def write_avi(path: str, frames: np.ndarray) -> None:
    """Write RGB frames (T x H x W x 3 uint8) as MJPG ``.avi``."""
    os.makedirs(osp.dirname(path), exist_ok=True)
    writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*'MJPG'), 10,
                             (frames.shape[2], frames.shape[1]))
    for frame in frames:
        writer.write(np.ascontiguousarray(frame[..., ::-1]))
    writer.release()


def tube_for(index: int, first: int, last: int) -> np.ndarray:
    """Integer boxes ``[frame, x1, y1, x2, y2]`` of a square moving right,
    frames ``first..last`` (1-based)."""
    frames = np.arange(first, last + 1)
    x1 = 4 + frames + index
    y1 = np.full_like(frames, 6 + 2 * index)
    return np.stack([frames, x1, y1, x1 + 10, y1 + 12], 1).astype(np.float32)


def make_frames(tubes, seed: int) -> np.ndarray:
    """Noise frames with every tube's boxes painted white."""
    rng = np.random.default_rng(seed)
    frames = rng.integers(0, 80, (NUM_FRAMES, HEIGHT, WIDTH, 3), np.uint8)
    for tube in tubes:
        for f, x1, y1, x2, y2 in tube.astype(int):
            frames[f - 1, y1:y2, x1:x2] = 255
    return frames


def make_act(root: str, train_per_class: int = 3) -> dict:
    """Write videos and return an ACT ground-truth dict (not yet saved).

    Per class: ``train_per_class`` training videos and one test video
    (``<Class>/v_<Class>_gNN``), 20 frames of 64x48. The first video of each
    class has two actors; actions span frames 3..17.
    """
    gt = dict(labels=list(CLASSES), gttubes={}, nframes={}, resolution={},
              train_videos=[[]], test_videos=[[]])
    seed = 0
    for label, cls in enumerate(CLASSES):
        for group in range(train_per_class + 1):
            name = f'{cls}/v_{cls}_g{group:02d}'
            tubes = [tube_for(0, 3, 17)]
            if group == 1:
                tubes.append(tube_for(1, 5, 12))
            write_avi(osp.join(root, 'videos', name + '.avi'),
                      make_frames(tubes, seed))
            seed += 1
            gt['gttubes'][name] = {label: tubes}
            gt['nframes'][name] = NUM_FRAMES
            gt['resolution'][name] = (HEIGHT, WIDTH)
            gt['test_videos' if group == 0 else 'train_videos'][0].append(
                name)
    return gt


def act_to_e2e(gt: dict, videos) -> list:
    """The E2E-SSL list format of the given ACT videos (all frames keyed)."""
    entries = []
    for name in videos:
        tuples = []
        for label, tubes in gt['gttubes'][name].items():
            for tube in tubes:
                xywh = np.concatenate(
                    [tube[:, 1:3], tube[:, 3:5] - tube[:, 1:3]], 1)
                start, end = int(tube[0, 0]) - 1, int(tube[-1, 0]) - 1
                tuples.append((start, end, label, xywh.astype(np.int32),
                               list(range(start, end + 1)), 1))
        entries.append((name, tuples))
    return entries


def save_pickle(path: str, obj) -> str:
    os.makedirs(osp.dirname(path), exist_ok=True)
    with open(path, 'wb') as f:
        pickle.dump(obj, f)
    return path


@pytest.fixture(scope='module')
def tiny_act(tmp_path_factory):
    """``(root, gt, ann_file)`` of a tiny UCF101-24-like dataset."""
    root = str(tmp_path_factory.mktemp('tiny_det'))
    gt = make_act(root)
    ann_file = save_pickle(osp.join(root, 'annotations', 'GT.pkl'), gt)
    return root, gt, ann_file
