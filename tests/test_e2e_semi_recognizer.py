"""Train, resume and test a tiny teacher-student model through the tools."""
import glob
import json
import os
import os.path as osp
import shutil

from conftest import REPO_ROOT, run_tool

CONFIG = osp.join(REPO_ROOT, 'tests/data/configs/tiny_semi_recognizer.py')


def _scalars(work_dir: str) -> list:
    files = glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json'))
    records = []
    for path in files:
        with open(path) as f:
            records += [json.loads(line) for line in f]
    return records


def test_train_resume_test(tiny_recognition_data, tmp_path):
    os.symlink(tiny_recognition_data, tmp_path / 'data')
    work_dir = str(tmp_path / 'work')
    train = osp.join(REPO_ROOT, 'tools/train.py')
    run_tool([train, CONFIG, '--work-dir', work_dir,
              '--cfg-options', 'train_cfg.max_iters=3'], cwd=str(tmp_path))
    assert osp.isfile(osp.join(work_dir, 'iter_3.pth'))

    # resume from the iteration-3 checkpoint and go on to iteration 6
    proc = run_tool([train, CONFIG, '--work-dir', work_dir, '--resume'],
                    cwd=str(tmp_path))
    log = proc.stdout + proc.stderr
    assert 'Resuming the sampler at batch 3' in log
    assert osp.isfile(osp.join(work_dir, 'iter_6.pth'))
    records = _scalars(work_dir)
    train_losses = [r for r in records if 'sup_loss_cls' in r]
    assert any('unsup_loss_cls' in r for r in train_losses)
    assert {r['iter'] for r in train_losses} >= {4, 5, 6}
    # ramp weight logged, linear over 4 iterations, 1 from iteration 4 on
    ramps = {r['iter']: r['ramp_weight'] for r in train_losses}
    assert ramps[6] == 1.0
    # validation reports teacher and student
    vals = [r for r in records if 'teacher/acc/top1' in r]
    assert vals and all('student/acc/top1' in r and 'acc/top1' in r
                        for r in vals)

    test = osp.join(REPO_ROOT, 'tools/test.py')
    dump = str(tmp_path / 'preds.pkl')
    proc = run_tool([test, CONFIG, osp.join(work_dir, 'iter_6.pth'),
                     '--work-dir', str(tmp_path / 'test'), '--dump', dump],
                    cwd=str(tmp_path))
    assert osp.isfile(dump)
    assert 'acc/top1' in proc.stdout + proc.stderr


def test_mmaction_own_train_tool_runs_our_config(tiny_recognition_data,
                                                 tmp_path):
    """`custom_imports` alone must register everything for mmaction's
    tools/train.py (shipped in the package under .mim/tools)."""
    import mmaction
    tool = osp.join(osp.dirname(mmaction.__file__), '.mim', 'tools',
                    'train.py')
    os.symlink(tiny_recognition_data, tmp_path / 'data')
    work_dir = str(tmp_path / 'work')
    run_tool([tool, CONFIG, '--work-dir', work_dir, '--cfg-options',
              'train_cfg.max_iters=2', 'train_cfg.val_interval=2',
              'default_hooks.checkpoint.interval=2'], cwd=str(tmp_path))
    assert osp.isfile(osp.join(work_dir, 'iter_2.pth'))
