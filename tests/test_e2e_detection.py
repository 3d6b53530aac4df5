"""The tiny detection configs train and test through the tools on the
synthetic set."""
import glob
import json
import math
import os
import os.path as osp

import pytest

from conftest import REPO_ROOT, run_tool

METRIC_KEYS = ('mask/f-mAP@0.2', 'mask/f-mAP@0.5', 'mask/v-mAP@0.2',
               'mask/v-mAP@0.5', 'det/frame-AP@0.5', 'det/video-AP@0.2',
               'det/video-AP@0.5', 'det/video-AP@0.75',
               'det/video-AP@0.5:0.95', 'cls/video-acc')


@pytest.fixture(scope='module')
def synthetic_root(tmp_path_factory):
    root = tmp_path_factory.mktemp('synthetic_project')
    run_tool([osp.join(REPO_ROOT, 'tools/data/make_synthetic.py'),
              str(root / 'data' / 'synthetic')], cwd=str(root))
    return root


def train_records(work_dir):
    path, = glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json'))
    with open(path) as f:
        return [json.loads(line) for line in f if '"loss"' in line]


def test_semi_detector_trains_and_tests(synthetic_root):
    cfg = osp.join(REPO_ROOT, 'configs/ssad/tiny_synthetic_semi.py')
    work_dir = str(synthetic_root / 'work_semi')
    run_tool([osp.join(REPO_ROOT, 'tools/train.py'), cfg, '--work-dir',
              work_dir, '--cfg-options', 'train_cfg.max_iters=10',
              'default_hooks.logger.interval=1',
              'default_hooks.checkpoint.interval=10',
              'model.semi_train_cfg.mask_warmup_iters=2',
              # the supervised phase for 5 iterations, then consistency
              'model.semi_train_cfg.sup_warmup_iters=5'],
             cwd=str(synthetic_root))
    records = train_records(work_dir)
    assert [r['iter'] for r in records] == list(range(1, 11))
    for r in records:
        terms = {k: v for k, v in r.items() if 'loss' in k}
        assert {'sup_loss_cls', 'sup_loss_loc', 'unsup_loss_cls_cons',
                'unsup_loss_var'} <= set(terms)
        assert all(math.isfinite(v) for v in terms.values()), r
    # the supervised phase, then the consistency terms
    assert all(r['unsup_loss_var'] == 0 for r in records[:5])
    assert all(r['unsup_loss_var'] > 0 for r in records[5:])

    dump = str(synthetic_root / 'semi_preds.pkl')
    proc = run_tool([osp.join(REPO_ROOT, 'tools/test.py'), cfg,
                     osp.join(work_dir, 'iter_10.pth'), '--work-dir',
                     str(synthetic_root / 'test_semi'), '--dump', dump],
                    cwd=str(synthetic_root))
    log = proc.stdout + proc.stderr
    for key in METRIC_KEYS:
        assert key in log, key
    assert osp.getsize(dump) > 0


def test_supervised_baseline_trains(synthetic_root):
    cfg = osp.join(REPO_ROOT, 'configs/ssad/tiny_synthetic_sup.py')
    work_dir = str(synthetic_root / 'work_sup')
    run_tool([osp.join(REPO_ROOT, 'tools/train.py'), cfg, '--work-dir',
              work_dir, '--cfg-options', 'train_cfg.max_iters=3',
              'default_hooks.logger.interval=1',
              'default_hooks.checkpoint.interval=3'],
             cwd=str(synthetic_root))
    assert osp.isfile(osp.join(work_dir, 'iter_3.pth'))
    assert all(math.isfinite(r['loss']) for r in train_records(work_dir))
