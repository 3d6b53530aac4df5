"""Every detection baseline config trains through ``tools/train.py`` on a
tiny UCF101-24-like set (2 classes, 3 training videos each) with finite
losses."""
import glob
import json
import math
import os.path as osp
import pickle

import numpy as np
import pytest

from conftest import REPO_ROOT, run_tool, write_video

CLASSES = ('Run', 'Jump')
WIDTH, HEIGHT, FRAMES = 80, 60, 20
EXPECTED = {
    'pseudo_label': {'sup_loss_cls', 'sup_loss_loc', 'unsup_loss_cls',
                     'unsup_loss_loc'},
    'mixmatch': {'sup_loss_cls', 'sup_loss_loc', 'unsup_loss_cls',
                 'unsup_loss_loc'},
    'co_ssd_cc': {'sup_loss_cls', 'sup_loss_loc', 'unsup_loss_cls_cons'},
    'mean_teacher': {'sup_loss_cls', 'sup_loss_loc', 'unsup_loss_l2',
                     'unsup_loss_dop'},
}


@pytest.fixture(scope='module')
def project(tmp_path_factory) -> str:
    """A directory with ``data/synthetic`` as the tiny configs read it:
    per class 3 training videos and 1 test video with a moving square."""
    root = tmp_path_factory.mktemp('baselines')
    data = root / 'data' / 'synthetic'
    rng = np.random.default_rng(0)
    gt = dict(labels=list(CLASSES), gttubes={}, nframes={}, resolution={},
              train_videos=[[]], test_videos=[[]])
    for label, cls in enumerate(CLASSES):
        for group in range(4):
            name = f'{cls}/v_{cls}_g{group:02d}'
            frames = rng.integers(0, 80, (FRAMES, HEIGHT, WIDTH, 3),
                                  dtype=np.uint8)
            t = np.arange(1, FRAMES + 1)
            x1 = 10 + 2 * t if label == 0 else np.full_like(t, 30)
            y1 = np.full_like(t, 20) if label == 0 else 5 + t
            tube = np.stack([t, x1, y1, x1 + 12, y1 + 14], 1)
            for f, a, b, c, d in tube:
                frames[f - 1, b:d, a:c] = 255
            write_video(str(data / 'videos' / f'{name}.avi'), frames)
            gt['gttubes'][name] = {label: [tube.astype(np.float32)]}
            gt['nframes'][name] = FRAMES
            gt['resolution'][name] = (HEIGHT, WIDTH)
            gt['test_videos' if group == 0 else 'train_videos'][0].append(
                name)
    (data / 'annotations').mkdir()
    with open(data / 'annotations' / 'UCF101v2-GT.pkl', 'wb') as f:
        pickle.dump(gt, f)
    return str(root)


@pytest.mark.parametrize('algo', sorted(EXPECTED))
def test_baseline_trains_two_iterations(algo, project):
    cfg = osp.join(REPO_ROOT, 'configs/ssad/baselines',
                   f'tiny_synthetic_{algo}.py')
    work_dir = osp.join(project, f'work_{algo}')
    run_tool([osp.join(REPO_ROOT, 'tools/train.py'), cfg, '--work-dir',
              work_dir, '--cfg-options', 'train_cfg.max_iters=2',
              'default_hooks.logger.interval=1',
              'train_dataloader.num_workers=0'], cwd=project)
    path, = glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json'))
    with open(path) as f:
        records = [json.loads(line) for line in f if '"loss"' in line]
    assert [r['iter'] for r in records] == [1, 2]
    for record in records:
        assert EXPECTED[algo] <= set(record), record
        terms = [v for k, v in record.items() if 'loss' in k]
        assert all(math.isfinite(v) for v in terms), record
    assert osp.isfile(osp.join(work_dir, 'iter_2.pth'))
