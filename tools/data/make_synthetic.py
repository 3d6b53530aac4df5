"""Write a synthetic action-detection dataset laid out like UCF101-24.

    python tools/data/make_synthetic.py OUT_DIR [--seed S]
        [--train-per-class 24] [--test-per-class 24] [--size 64x48]
        [--actor-scale 1.5] [--recognition-clips 3]

Writes ``OUT_DIR/videos/<Class>/v_<Class>_gNN_c01.avi`` (MJPG, 64x48 by
default, 25 fps) and ``OUT_DIR/annotations/UCF101v2-GT.pkl`` in the ACT format
(``labels``, ``gttubes``, ``nframes``, ``resolution``, ``train_videos[0]``,
``test_videos[0]``), so the UCF101-24 configs read it after changing the
data root.

The set doubles as a recognition set, the way UCF101-24 is a subset of
UCF101: every group ``gNN`` also has the clips ``c02`` ... ``cNN`` (same
classes and generator, no boxes) and
``OUT_DIR/recognition/{train,test}.txt`` are MMAction2 ``VideoDataset``
lists (``Class/v_Class_gNN_cNN.avi label``, paths relative to
``OUT_DIR/videos``) of all clips of the training and test groups.

Five classes differ only by how their actors move (appearance is random per
actor): ``Walk`` (horizontal translation), ``Climb`` (vertical
translation), ``Jump`` (vertical bouncing), ``Circle`` (circular path) and
``Pulse`` (growing and shrinking in place). Each video has one or two actors
of its class over a textured static background with sensor noise; an actor
is on screen only during its action, which covers part of the video. Boxes
are the tight bounds of each actor's drawn pixels (``x2``, ``y2``
exclusive). Everything is drawn from ``numpy.random.default_rng(seed)``.
"""
import argparse
import os
import os.path as osp
import pickle
import time
from typing import Dict, List, Optional, Tuple

import cv2
import numpy as np

CLASSES = ('Walk', 'Climb', 'Jump', 'Circle', 'Pulse')
# Frames are small and actors large so that a CPU model sees them at full
# resolution; the counts make labels the bottleneck: at 25% labeled (6 videos
# per class) a detector is far below one trained on all 24, and 24 test
# videos per class make one video 0.8 points of v-mAP.
WIDTH, HEIGHT = 64, 48
FPS = 25
TRAIN_PER_CLASS = 24
TEST_PER_CLASS = 24
FRAMES_RANGE = (32, 48)
TWO_ACTOR_PROB = 0.3
# figures like the actors' that wander at random for the whole video and are
# not annotated: 1 to DISTRACTORS per video (0: none). Telling an action's
# motion from a wanderer's is what needs labeled examples.
DISTRACTORS = 1
# the motions and actors were designed on 160 x 120 frames: sizes and
# distances scale with the frame's width and actors by ACTOR_SCALE on top
# (an actor is ~15% of the frame's width and half its height)
DESIGN_WIDTH = 160
ACTOR_SCALE = 1.5
# clips per group in the recognition lists (c01 is the detection video)
RECOGNITION_CLIPS_PER_GROUP = 3


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Generate the synthetic UCF101-24-style dataset.')
    parser.add_argument('out_dir', help='output root, e.g. data/synthetic')
    parser.add_argument('--seed', type=int, default=0, help='random seed')
    parser.add_argument('--train-per-class', type=int, default=None,
                        help=f'training videos per class '
                        f'(default {TRAIN_PER_CLASS})')
    parser.add_argument('--test-per-class', type=int, default=None,
                        help=f'test videos per class (default '
                        f'{TEST_PER_CLASS})')
    parser.add_argument('--size', default=None, metavar='WxH',
                        help=f'frame size (default {WIDTH}x{HEIGHT}); '
                        'motions scale with the width')
    parser.add_argument('--actor-scale', type=float, default=None,
                        help=f'actor size relative to the frame, on top of '
                        f'the frame scaling (default {ACTOR_SCALE})')
    parser.add_argument('--distractors', type=int, default=None,
                        help=f'up to N unannotated wandering figures per '
                        f'video, 0 for none (default {DISTRACTORS})')
    parser.add_argument('--recognition-clips', type=int, default=None,
                        help=f'clips per group in the recognition lists '
                        f'(default {RECOGNITION_CLIPS_PER_GROUP})')
    return parser.parse_args(argv)


def frame_scale() -> float:
    """Lengths of the 160 x 120 design in pixels of the frames written."""
    return WIDTH / DESIGN_WIDTH


def make_background(rng: np.random.Generator) -> np.ndarray:
    """A static textured background, HEIGHT x WIDTH x 3 float32."""
    g = frame_scale()
    coarse = rng.uniform(40, 200, (4, 5, 3)).astype(np.float32)
    image = cv2.resize(coarse, (WIDTH, HEIGHT), interpolation=cv2.INTER_CUBIC)
    for _ in range(rng.integers(4, 8)):
        color = tuple(float(c) for c in rng.uniform(30, 220, 3))
        x, y = int(rng.integers(0, WIDTH)), int(rng.integers(0, HEIGHT))
        if rng.random() < 0.5:
            cv2.rectangle(image, (x, y),
                          (x + int(g * rng.integers(8, 40)),
                           y + int(g * rng.integers(6, 30))), color, -1)
        else:
            cv2.ellipse(image, (x, y), (max(int(g * rng.integers(4, 20)), 1),
                                        max(int(g * rng.integers(3, 12)), 1)),
                        float(rng.uniform(0, 180)), 0, 360, color, -1)
    image += rng.normal(0, 8, image.shape).astype(np.float32)
    return image


def actor_trajectory(cls: str, length: int,
                     rng: np.random.Generator) -> np.ndarray:
    """Centre ``x, y`` and scale of an actor over its action.

    Offsets are in pixels of the 160 x 120 design; :func:`make_video`
    scales them to the frame.

    Returns:
        np.ndarray: (length, 3) float rows ``[cx, cy, scale]``.
    """
    t = np.arange(length, dtype=np.float64)
    zeros, ones = np.zeros(length), np.ones(length)
    if cls == 'Walk':
        dist = rng.uniform(50, 90) * rng.choice([-1, 1])
        x = dist * t / max(length - 1, 1)
        y = np.sin(t * 1.3) * 1.0
        path = np.stack([x, y, ones], 1)
    elif cls == 'Climb':
        dist = rng.uniform(35, 55) * rng.choice([-1, 1])
        path = np.stack([zeros, dist * t / max(length - 1, 1), ones], 1)
    elif cls == 'Jump':
        period = rng.uniform(10, 14)
        height = rng.uniform(15, 25)
        y = -height * np.abs(np.sin(np.pi * t / period))
        path = np.stack([0.3 * t * rng.choice([-1, 1]), y, ones], 1)
    elif cls == 'Circle':
        radius, period = rng.uniform(16, 24), rng.uniform(16, 24)
        phase = rng.uniform(0, 2 * np.pi)
        angle = phase + rng.choice([-1, 1]) * 2 * np.pi * t / period
        path = np.stack([radius * np.cos(angle), radius * np.sin(angle),
                         ones], 1)
    elif cls == 'Pulse':
        period = rng.uniform(10, 14)
        scale = 1 + 0.35 * np.sin(2 * np.pi * t / period)
        path = np.stack([zeros, zeros, scale], 1)
    else:
        raise ValueError(f'unknown class {cls}')
    return path


def draw_actor(image: np.ndarray, cx: float, cy: float, scale: float,
               look: Dict) -> Tuple[int, int, int, int]:
    """Draw a figure (body, head, belt) and return its tight box.

    Returns:
        tuple[int, int, int, int]: ``x1, y1, x2, y2`` of the drawn pixels,
        ``x2`` / ``y2`` exclusive.
    """
    mask = np.zeros(image.shape[:2], np.uint8)
    half_w = max(int(round(look['w'] * scale / 2)), 2)
    half_h = max(int(round(look['h'] * scale / 2)), 3)
    head = max(int(round(look['head'] * scale)), 2)
    body_c = (int(round(cx)), int(round(cy + head)))
    head_c = (int(round(cx)), int(round(cy + head - half_h - head + 1)))
    cv2.ellipse(mask, body_c, (half_w, half_h), 0, 0, 360, 1, -1)
    cv2.circle(mask, head_c, head, 1, -1)
    shade = np.zeros_like(mask)
    cv2.line(shade, (body_c[0] - half_w, body_c[1]),
             (body_c[0] + half_w, body_c[1]), 1, max(1, half_h // 4))
    image[mask > 0] = look['color']
    image[(mask > 0) & (shade > 0)] = look['color'] * 0.45
    ys, xs = np.nonzero(mask)
    return int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1


def place(path: np.ndarray, look: Dict,
          rng: np.random.Generator) -> np.ndarray:
    """Shift a trajectory to a random spot where the figure stays inside
    the frame."""
    reach_x = look['w'] * path[:, 2].max() / 2 + 2
    reach_top = (look['h'] / 2 + 2 * look['head']) * path[:, 2].max() + 2
    reach_bottom = (look['h'] / 2 + look['head']) * path[:, 2].max() + 2
    lo_x = reach_x - path[:, 0].min()
    hi_x = WIDTH - reach_x - path[:, 0].max()
    lo_y = reach_top - path[:, 1].min()
    hi_y = HEIGHT - reach_bottom - path[:, 1].max()
    shift_x = rng.uniform(lo_x, max(hi_x, lo_x))
    shift_y = rng.uniform(lo_y, max(hi_y, lo_y))
    return path + np.array([shift_x, shift_y, 0.0])


def random_look(rng: np.random.Generator) -> Dict:
    """Size and colour of a figure, in pixels of the frames written."""
    size = frame_scale() * ACTOR_SCALE
    return dict(
        w=size * rng.uniform(13, 19),
        h=size * rng.uniform(22, 30),
        head=size * rng.uniform(4, 6),
        color=rng.uniform(20, 255, 3).astype(np.float32))


def wander(length: int, rng: np.random.Generator) -> np.ndarray:
    """A distractor's path: a smoothed random walk, in the design's pixels.

    Returns:
        np.ndarray: (length, 3) rows ``[cx, cy, scale]`` (scale 1).
    """
    steps = rng.normal(0, 1.5, (length + 8, 2))
    kernel = np.ones(9) / 9
    smooth = np.stack([np.convolve(steps[:, i], kernel, 'valid')
                       for i in range(2)], 1)[:length]
    path = np.cumsum(smooth, axis=0) * 3
    return np.concatenate([path, np.ones((length, 1))], 1)


def make_video(cls: str, rng: np.random.Generator
               ) -> Tuple[np.ndarray, List[np.ndarray]]:
    """Frames (T x H x W x 3 uint8 RGB) and tubes ((n, 5) float32 arrays
    ``[frame (1-based), x1, y1, x2, y2]``) of one video."""
    num_frames = int(rng.integers(FRAMES_RANGE[0], FRAMES_RANGE[1] + 1))
    background = make_background(rng)
    frames = np.repeat(background[None], num_frames, axis=0)
    num_actors = 2 if rng.random() < TWO_ACTOR_PROB else 1
    num_distractors = int(rng.integers(1, DISTRACTORS + 1)) \
        if DISTRACTORS > 0 else 0
    for _ in range(num_distractors):  # behind the actors
        look = random_look(rng)
        path = wander(num_frames, rng)
        path[:, :2] *= frame_scale()
        for frame, (cx, cy, scale) in enumerate(place(path, look, rng)):
            draw_actor(frames[frame], cx, cy, scale, look)
    tubes = []
    for _ in range(num_actors):
        start = int(rng.integers(0, num_frames // 4 + 1))
        end = int(rng.integers(3 * num_frames // 4, num_frames))  # inclusive
        look = random_look(rng)
        path = actor_trajectory(cls, end - start + 1, rng)
        path[:, :2] *= frame_scale()
        path = place(path, look, rng)
        rows = []
        for offset, (cx, cy, scale) in enumerate(path):
            frame = start + offset
            box = draw_actor(frames[frame], cx, cy, scale, look)
            rows.append([frame + 1, *box])
        tubes.append(np.asarray(rows, dtype=np.float32))
    frames += rng.normal(0, 4, frames.shape).astype(np.float32)
    return np.clip(np.rint(frames), 0, 255).astype(np.uint8), tubes


def write_video(path: str, frames: np.ndarray) -> None:
    """Write RGB frames as an MJPG ``.avi`` (readable by decord)."""
    os.makedirs(osp.dirname(path), exist_ok=True)
    writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*'MJPG'), FPS,
                             (WIDTH, HEIGHT))
    if not writer.isOpened():
        raise RuntimeError(f'OpenCV cannot write MJPG video {path}')
    for frame in frames:
        writer.write(np.ascontiguousarray(frame[..., ::-1]))
    writer.release()


def make_dataset(out_dir: str, seed: int = 0) -> dict:
    """Generate every video and the ACT annotation dict.

    Args:
        out_dir (str): output root.
        seed (int): random seed.

    Returns:
        dict: the ACT-format annotation written to
        ``annotations/UCF101v2-GT.pkl``.
    """
    rng = np.random.default_rng(seed)
    gt = dict(labels=list(CLASSES), gttubes={}, nframes={}, resolution={},
              train_videos=[[]], test_videos=[[]])
    num_groups = TRAIN_PER_CLASS + TEST_PER_CLASS
    for label, cls in enumerate(CLASSES):
        for group in range(1, num_groups + 1):
            name = f'{cls}/v_{cls}_g{group:02d}_c01'
            frames, tubes = make_video(cls, rng)
            write_video(osp.join(out_dir, 'videos', name + '.avi'), frames)
            gt['gttubes'][name] = {label: tubes}
            gt['nframes'][name] = len(frames)
            gt['resolution'][name] = (HEIGHT, WIDTH)
            # as in UCF101, the low-numbered groups are the test split
            split = 'test_videos' if group <= TEST_PER_CLASS else \
                'train_videos'
            gt[split][0].append(name)
    os.makedirs(osp.join(out_dir, 'annotations'), exist_ok=True)
    with open(osp.join(out_dir, 'annotations', 'UCF101v2-GT.pkl'), 'wb') as f:
        pickle.dump(gt, f, protocol=2)
    make_recognition_set(out_dir, seed)
    return gt


def make_recognition_set(out_dir: str, seed: int = 0
                         ) -> Dict[str, List[Tuple[str, int]]]:
    """Write the recognition-only clips and the recognition lists.

    Clip ``c01`` of each group is the detection video; clips ``c02`` onwards
    are drawn from their own generator (``default_rng([seed, 1])``), so the
    detection videos do not depend on how many there are. Groups follow the
    detection split (the low-numbered groups are the test split).

    Args:
        out_dir (str): output root (``videos/`` holds the clips).
        seed (int): random seed.

    Returns:
        dict[str, list[tuple[str, int]]]: ``train`` and ``test`` items
        ``(relative path, label)`` as written to ``recognition/*.txt``.
    """
    rng = np.random.default_rng([seed, 1])
    items: Dict[str, List[Tuple[str, int]]] = dict(train=[], test=[])
    for label, cls in enumerate(CLASSES):
        for group in range(1, TRAIN_PER_CLASS + TEST_PER_CLASS + 1):
            split = 'test' if group <= TEST_PER_CLASS else 'train'
            for clip in range(1, RECOGNITION_CLIPS_PER_GROUP + 1):
                path = f'{cls}/v_{cls}_g{group:02d}_c{clip:02d}.avi'
                if clip > 1:
                    frames, _ = make_video(cls, rng)
                    write_video(osp.join(out_dir, 'videos', path), frames)
                items[split].append((path, label))
    os.makedirs(osp.join(out_dir, 'recognition'), exist_ok=True)
    for split, rows in items.items():
        with open(osp.join(out_dir, 'recognition', f'{split}.txt'), 'w') as f:
            f.writelines(f'{path} {label}\n' for path, label in rows)
    return items


def apply_options(args: argparse.Namespace) -> None:
    """Set the module's layout constants from the command-line options."""
    global TRAIN_PER_CLASS, TEST_PER_CLASS, WIDTH, HEIGHT, ACTOR_SCALE
    global RECOGNITION_CLIPS_PER_GROUP, DISTRACTORS
    if args.distractors is not None:
        DISTRACTORS = args.distractors
    if args.train_per_class is not None:
        TRAIN_PER_CLASS = args.train_per_class
    if args.test_per_class is not None:
        TEST_PER_CLASS = args.test_per_class
    if args.size is not None:
        try:
            WIDTH, HEIGHT = (int(v) for v in args.size.lower().split('x'))
        except ValueError:
            raise SystemExit(f'make_synthetic: --size must be WxH, e.g. '
                             f'64x48, got {args.size!r}')
    if args.actor_scale is not None:
        ACTOR_SCALE = args.actor_scale
    if args.recognition_clips is not None:
        RECOGNITION_CLIPS_PER_GROUP = args.recognition_clips
    for name, value in (('--train-per-class', TRAIN_PER_CLASS),
                        ('--test-per-class', TEST_PER_CLASS),
                        ('--recognition-clips', RECOGNITION_CLIPS_PER_GROUP)):
        if value < 1:
            raise SystemExit(f'make_synthetic: {name} must be >= 1, '
                             f'got {value}')


def main(argv: Optional[List[str]] = None) -> None:
    args = parse_args(argv)
    apply_options(args)
    began = time.time()
    gt = make_dataset(args.out_dir, args.seed)
    boxes = sum(len(t) for v in gt['gttubes'].values() for ts in v.values()
                for t in ts)
    print(f'wrote {len(gt["train_videos"][0])} training and '
          f'{len(gt["test_videos"][0])} test videos ({len(CLASSES)} classes '
          f'{", ".join(CLASSES)}; {sum(gt["nframes"].values())} frames of '
          f'{WIDTH}x{HEIGHT}; {boxes} boxes) to {args.out_dir} in '
          f'{time.time() - began:.1f} s')
    rec = osp.join(args.out_dir, 'recognition')
    print(f'recognition lists {osp.join(rec, "train.txt")} and '
          f'{osp.join(rec, "test.txt")}: {RECOGNITION_CLIPS_PER_GROUP} clips '
          f'per group, {TRAIN_PER_CLASS * RECOGNITION_CLIPS_PER_GROUP} '
          f'training and {TEST_PER_CLASS * RECOGNITION_CLIPS_PER_GROUP} test '
          'clips per class')


if __name__ == '__main__':
    main()
