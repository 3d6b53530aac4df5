import os
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.runner.checkpoint import CheckpointLoader

import mmssl  # noqa: F401
from mmssl.utils import check_config

from conftest import REPO_ROOT

CONFIG = osp.join(REPO_ROOT, 'tests/data/configs/tiny_semi_recognizer.py')


def test_unknown_type_names_its_key():
    cfg = Config.fromfile(CONFIG)
    cfg.model.recognizer.backbone.type = 'ResNet3dTypo'
    with pytest.raises(KeyError, match=r'model\.recognizer\.backbone\.type'):
        check_config(cfg)


def test_missing_annotation_file_names_its_key(tiny_recognition_data,
                                               tmp_path, monkeypatch):
    os.symlink(tiny_recognition_data, tmp_path / 'data')
    monkeypatch.chdir(tmp_path)
    cfg = Config.fromfile(CONFIG)
    check_config(cfg)  # all files there
    cfg = Config.fromfile(CONFIG)
    cfg.val_dataloader.dataset.ann_file = str(tmp_path / 'nope.txt')
    with pytest.raises(FileNotFoundError,
                       match=r'val_dataloader\.dataset\.ann_file'):
        check_config(cfg)
    cfg = Config.fromfile(CONFIG)
    cfg.train_dataloader.dataset.datasets[1].ann_file = 'missing.txt'
    with pytest.raises(FileNotFoundError,
                       match=r'datasets\[1\]\.ann_file'):
        check_config(cfg)


def test_mmaction_models_import_and_drn_explains_itself():
    import mmaction.models  # noqa: F401  (fails on the bare PyPI wheel)
    from mmaction.models.localizers import DRN
    with pytest.raises(ImportError, match='DRN'):
        DRN()


def test_local_checkpoint_with_objects_loads(tmp_path):
    """mmengine checkpoints hold non-tensor objects that torch>=2.6's
    weights_only default refuses."""
    from mmengine.logging import HistoryBuffer
    path = str(tmp_path / 'ckpt.pth')
    torch.save(dict(meta=dict(buf=HistoryBuffer()),
                    state_dict=dict(w=torch.ones(2))), path)
    ckpt = CheckpointLoader.load_checkpoint(path, map_location='cpu')
    assert torch.equal(ckpt['state_dict']['w'], torch.ones(2))
    with pytest.raises(FileNotFoundError, match='nope.pth'):
        CheckpointLoader.load_checkpoint(str(tmp_path / 'nope.pth'))


def test_stock_tsn_config_passes_the_check():
    """TSNHead builds its consensus itself; the check must not reject it,
    while a misspelt consensus still fails."""
    import mmaction
    cfg = Config.fromfile(osp.join(
        osp.dirname(mmaction.__file__), '.mim', 'configs', 'recognition',
        'tsn', 'tsn_imagenet-pretrained-r50_8xb32-1x1x3-100e_kinetics400-rgb.py'))
    check_config(cfg, check_files=False)
    cfg.model.cls_head.consensus.type = 'AvgConsensusX'
    with pytest.raises(KeyError, match='model.cls_head.consensus.type'):
        check_config(cfg, check_files=False)
