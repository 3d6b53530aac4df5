"""Every detection baseline config trains through ``tools/train.py`` on a
tiny copy of the synthetic set with finite losses."""
import glob
import json
import math
import os.path as osp

import pytest

from conftest import REPO_ROOT, run_tool
from tiny_synthetic import make_tiny_synthetic

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
    """A directory with ``data/synthetic`` as the tiny configs read it: the
    synthetic generator with 3 training videos and 1 test video per class
    (so the labeled 25% is 1 video per class, the other 2 unlabeled)."""
    root = tmp_path_factory.mktemp('baselines')
    make_tiny_synthetic(str(root / 'data' / 'synthetic'), train_per_class=3)
    return str(root)


def train_two_iterations(config: str, work_dir: str, project: str,
                         *options: str) -> list:
    """Train ``config`` (relative to the repository) for 2 iterations and
    return the logged training records."""
    run_tool([osp.join(REPO_ROOT, 'tools/train.py'),
              osp.join(REPO_ROOT, config), '--work-dir', work_dir,
              '--cfg-options', 'train_cfg.max_iters=2',
              'default_hooks.logger.interval=1',
              'train_dataloader.num_workers=0', *options], cwd=project)
    path, = glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json'))
    with open(path) as f:
        records = [json.loads(line) for line in f if '"loss"' in line]
    assert [r['iter'] for r in records] == [1, 2]
    return records


@pytest.mark.parametrize('algo', sorted(EXPECTED))
def test_baseline_trains_two_iterations(algo, project):
    work_dir = osp.join(project, f'work_{algo}')
    records = train_two_iterations(
        f'configs/ssad/baselines/tiny_synthetic_{algo}.py', work_dir, project)
    for record in records:
        assert EXPECTED[algo] <= set(record), record
        terms = [v for k, v in record.items() if 'loss' in k]
        assert all(math.isfinite(v) for v in terms), record
    assert osp.isfile(osp.join(work_dir, 'iter_2.pth'))


def test_strong_view_e2e_ssl_trains_two_iterations(project):
    records = train_two_iterations(
        'configs/ssad/tiny_synthetic_semi_strong_view.py',
        osp.join(project, 'work_strong_view'), project,
        'model.semi_train_cfg.sup_warmup_iters=1')
    # the supervised phase, then the consistency of the zoomed, jittered view
    assert records[0]['unsup_loss_var'] == 0
    assert records[1]['unsup_loss_var'] > 0
    assert all(math.isfinite(v) for r in records for k, v in r.items()
               if 'loss' in k)
