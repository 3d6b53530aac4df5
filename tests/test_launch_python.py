"""tools/python_env.sh, sourced by dist_train.sh / slurm_train.sh and the
test launchers: they use the project's environment without activation, and
say what to do when no Python with torch is found."""
import os
import os.path as osp
import subprocess
import sys

from conftest import REPO_ROOT

SCRIPT = osp.join(REPO_ROOT, 'tools', 'python_env.sh')


def choose(env):
    env = {k: v for k, v in env.items() if v is not None}
    return subprocess.run(
        ['bash', '-c', f'source {SCRIPT} && echo "$PYTHON"'],
        capture_output=True, text=True, env=env)


def test_the_environment_of_setup_env_is_used(tmp_path):
    venv = tmp_path / 'venv'
    (venv / 'bin').mkdir(parents=True)
    python = venv / 'bin' / 'python'
    python.write_text(f'#!/bin/sh\nexec {sys.executable} "$@"\n')
    python.chmod(0o755)
    proc = choose(dict(os.environ, MMSSL_VENV=str(venv), PYTHON=None))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == str(venv / 'bin' / 'python')


def test_a_python_without_torch_is_reported(tmp_path):
    fake = tmp_path / 'python'
    fake.write_text('#!/bin/sh\nexit 1\n')
    fake.chmod(0o755)
    proc = choose(dict(os.environ, PYTHON=str(fake)))
    assert proc.returncode == 1
    assert 'cannot import torch' in proc.stderr
    assert 'tools/setup_env.sh' in proc.stderr


def test_cpu_runs_state_the_gloo_backend(monkeypatch):
    import torch
    from mmengine.config import Config

    from mmssl.utils.launch import use_cpu_backend
    cfg = Config(dict(env_cfg=dict(dist_cfg=dict(backend='nccl'))))
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: True)
    use_cpu_backend(cfg)
    assert cfg.env_cfg.dist_cfg.backend == 'nccl'
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: False)
    use_cpu_backend(cfg)
    assert cfg.env_cfg.dist_cfg.backend == 'gloo'
