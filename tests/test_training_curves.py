"""A semi-supervised run logs every loss term and the ramp weight by name
into MMEngine's visualisation backends (LocalVisBackend: scalars.json)."""
import glob
import json
import math
import os.path as osp

from conftest import REPO_ROOT, run_tool
from tiny_synthetic import make_tiny_synthetic


def test_semi_run_writes_named_terms_to_scalars_json(tmp_path):
    # 2 training videos per class, 50% labeled: 1 labeled + 1 unlabeled
    make_tiny_synthetic(str(tmp_path / 'data' / 'synthetic'),
                        train_per_class=2, test_per_class=1)
    cfg = osp.join(REPO_ROOT, 'configs/ssad/tiny_synthetic_semi.py')
    run_tool([osp.join(REPO_ROOT, 'tools/train.py'), cfg, '--work-dir',
              'work', '--cfg-options', 'train_cfg.max_iters=2',
              'default_hooks.logger.interval=1',
              'default_hooks.checkpoint.interval=100',
              'log_processor.window_size=1',
              'train_dataloader.dataset.labeled.labeled_percent=50',
              'train_dataloader.dataset.unlabeled.labeled_percent=50',
              'model.semi_train_cfg.mask_warmup_iters=1',
              'model.semi_train_cfg.sup_warmup_iters=0',
              'custom_hooks.1.begin=0'],
             cwd=str(tmp_path))
    path, = glob.glob(str(tmp_path / 'work' / '*' / 'vis_data' /
                          'scalars.json'))
    with open(path) as f:
        records = [json.loads(line) for line in f]
    assert [r['iter'] for r in records] == [1, 2]
    for record in records:
        sup = {k for k in record if k.startswith('sup_')}
        unsup = {k for k in record if k.startswith('unsup_')}
        assert {'sup_loss_cls', 'sup_loss_loc'} <= sup, record
        assert {'unsup_loss_cls_cons', 'unsup_loss_var'} <= unsup, record
        assert all(math.isfinite(record[k]) for k in sup | unsup | {'loss'})
    # the gradient ratios of iteration 0 (grad_ratio_interval=50)
    ratios = {k for k in records[0] if k.startswith('grad_ratio/')}
    assert ratios == {'grad_ratio/unsup_cls_cons', 'grad_ratio/unsup_var'}
    assert records[0]['grad_norm/sup_total'] > 0
    # RampUpHook(length=200, mode='exp') before iterations 0 and 1
    ramp = [math.exp(-5.0 * (1.0 - i / 200)**2) for i in range(2)]
    assert all(
        math.isclose(r['ramp_weight'], w, rel_tol=1e-6)
        for r, w in zip(records, ramp)), (records, ramp)
