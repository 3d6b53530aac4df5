"""Every shipped config parses, names only registered types and builds its
model."""
import glob
import os.path as osp

import pytest
from mmengine.config import Config

from mmaction.registry import MODELS
from mmssl.utils import check_config

from conftest import REPO_ROOT

CONFIGS = sorted(
    p for p in glob.glob(osp.join(REPO_ROOT, 'configs', 'ss*', '**', '*.py'),
                         recursive=True) if '_base_' not in p)


def test_configs_exist():
    names = {osp.relpath(p, REPO_ROOT) for p in CONFIGS}
    assert 'configs/ssad/tiny_synthetic_semi.py' in names
    assert 'configs/ssad/e2e_ssl_i3d_8x2_ucf101-24_20pct.py' in names
    assert len([n for n in names if '/ablations/' in n]) == 9


@pytest.mark.parametrize('path', CONFIGS,
                         ids=[osp.relpath(p, REPO_ROOT) for p in CONFIGS])
def test_config_builds(path):
    cfg = Config.fromfile(path)
    check_config(cfg, check_files=False)
    model = MODELS.build(cfg.model)
    assert sum(p.numel() for p in model.parameters()) > 0
