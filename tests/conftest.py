"""Shared fixtures: tiny videos written on the fly, repository paths."""
import os
import os.path as osp
import subprocess
import sys

import numpy as np
import pytest
from mmengine.registry import init_default_scope

import mmssl  # noqa: F401  (registers everything, applies mmssl.compat)

# As inside a runner with `default_scope = 'mmaction'`.
init_default_scope('mmaction')

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))


def write_video(path: str, frames: np.ndarray, fps: int = 10) -> None:
    """Write ``frames`` (T x H x W x 3 uint8, RGB) as an MJPG .avi file."""
    import cv2
    os.makedirs(osp.dirname(path), exist_ok=True)
    height, width = frames.shape[1:3]
    writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*'MJPG'), fps,
                             (width, height))
    for frame in frames:
        writer.write(np.ascontiguousarray(frame[..., ::-1]))
    writer.release()


def make_recognition_videos(root: str, num_per_class: int = 4,
                            num_classes: int = 2, size: int = 32,
                            num_frames: int = 16) -> list:
    """Tiny two-class set: a bright square moving right (class 0) or down
    (class 1) over noise. Returns ``[(relative_path, label), ...]``."""
    rng = np.random.default_rng(0)
    items = []
    for label in range(num_classes):
        for i in range(num_per_class):
            frames = rng.integers(0, 60, (num_frames, size, size, 3),
                                  dtype=np.uint8)
            for t in range(num_frames):
                pos = 2 + (t * (size - 12)) // num_frames
                y, x = (8, pos) if label == 0 else (pos, 8)
                frames[t, y:y + 8, x:x + 8] = 255
            rel = f'class{label}/video_{label}_{i}.avi'
            write_video(osp.join(root, rel), frames)
            items.append((rel, label))
    return items


def write_list(path: str, items: list) -> None:
    with open(path, 'w') as f:
        f.writelines(f'{rel} {label}\n' for rel, label in items)


@pytest.fixture(scope='session')
def tiny_recognition_data(tmp_path_factory) -> str:
    """``root`` with ``videos/``, ``labeled.txt``, ``unlabeled.txt`` and
    ``val.txt`` (MMAction2 video lists)."""
    root = str(tmp_path_factory.mktemp('tiny_rec'))
    items = make_recognition_videos(osp.join(root, 'videos'))
    write_list(osp.join(root, 'labeled.txt'), items[0::4] + items[1::4])
    write_list(osp.join(root, 'unlabeled.txt'), items[2::4] + items[3::4])
    write_list(osp.join(root, 'val.txt'), items)
    return root


def load_script(relative_path: str, name: str = None):
    """Import a repository script (``tools/...py``) as a module."""
    import importlib.util
    path = osp.join(REPO_ROOT, relative_path)
    name = name or osp.splitext(osp.basename(path))[0]
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_tool(args: list, cwd: str, timeout: int = 600,
             extra_env: dict = None) -> subprocess.CompletedProcess:
    """Run a repository tool (``tools/...``) and fail with its output."""
    env = dict(os.environ, PYTHONPATH=REPO_ROOT, OMP_NUM_THREADS='1')
    env.update(extra_env or {})
    if args[0].endswith('.py'):
        args = [sys.executable] + args
    proc = subprocess.run(args, cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=timeout)
    assert proc.returncode == 0, (
        f'{" ".join(args)} failed ({proc.returncode}):\n'
        f'{proc.stdout[-4000:]}\n{proc.stderr[-6000:]}')
    return proc
