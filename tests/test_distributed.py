"""Two CPU processes over gloo through tools/dist_train.sh."""
import glob
import os
import os.path as osp
import socket
import sys

from conftest import REPO_ROOT, run_tool

CONFIG = osp.join(REPO_ROOT, 'tests/data/configs/tiny_semi_recognizer.py')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def test_dist_train_two_cpu_processes(tiny_recognition_data, tmp_path):
    os.symlink(tiny_recognition_data, tmp_path / 'data')
    work_dir = str(tmp_path / 'work')
    proc = run_tool(
        ['bash', osp.join(REPO_ROOT, 'tools/dist_train.sh'), CONFIG, '2',
         '--work-dir', work_dir, '--cfg-options', 'train_cfg.max_iters=2',
         'train_cfg.val_interval=2', 'default_hooks.checkpoint.interval=2'],
        cwd=str(tmp_path),
        extra_env=dict(PORT=str(free_port()), PYTHON=sys.executable,
                       CUDA_VISIBLE_DEVICES=''))
    log = proc.stdout + proc.stderr
    assert 'Distributed launcher: pytorch' in log or 'world_size: 2' in log \
        or 'launcher: pytorch' in log, log[-3000:]
    assert osp.isfile(osp.join(work_dir, 'iter_2.pth'))
    logs = glob.glob(osp.join(work_dir, '*', '*.log'))
    assert logs and 'Distributed training: True' in open(logs[0]).read()
