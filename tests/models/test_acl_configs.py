"""The configs of configs/ssar: structure of every config and one training
step of the full-size ACL+MTL model (the synthetic configs are trained in
test_acl_synthetic_configs.py)."""
import glob
import os.path as osp

import numpy as np
import pytest
import torch
from mmcv.transforms import Compose
from mmengine.config import Config

import mmssl  # noqa: F401
from conftest import REPO_ROOT, write_video
from mmaction.registry import MODELS
from mmssl.utils.config_check import check_config

SSAR = osp.join(REPO_ROOT, 'configs', 'ssar')
FULL_CONFIGS = sorted(
    glob.glob(osp.join(SSAR, 'acl_mtl', '*.py')) +
    glob.glob(osp.join(SSAR, 'fixmatch', '*.py')) +
    glob.glob(osp.join(SSAR, 'supervised', '*.py')))
SYNTHETIC = sorted(glob.glob(osp.join(SSAR, 'synthetic', '*.py')))
RATES = {'ucf101': {1, 5, 10, 20}, 'hmdb51': {40, 50, 60}, 'k400': {1, 10}}


def _load(path: str) -> Config:
    return Config.fromfile(path)


def test_every_dataset_rate_and_method_has_a_config():
    names = {osp.basename(p) for p in FULL_CONFIGS}
    for dataset, rates in RATES.items():
        for rate in rates:
            for method in ('acl-mtl', 'fixmatch', 'supervised'):
                hits = [n for n in names if n.startswith(method + '_')
                        and f'_{dataset}' in n and n.endswith(f'-{rate}pc.py')]
                assert len(hits) == 1, (method, dataset, rate)
    assert {osp.basename(p).split('_')[0] for p in SYNTHETIC} == {
        'acl-mtl', 'fixmatch', 'supervised', 'acl', 'mtl',
        'supervised-100pct'}


@pytest.mark.parametrize('path', FULL_CONFIGS, ids=osp.basename)
def test_full_config_structure(path):
    cfg = _load(path)
    try:  # every type is registered (else KeyError); data may be absent
        check_config(cfg)
    except FileNotFoundError as err:
        assert 'ann_file' in str(err)
    name = osp.basename(path)
    rate = int(name.rsplit('-', 1)[1][:-len('pc.py')])
    split_dir = cfg.split_dir
    assert split_dir.endswith(f'{rate}pc')
    recognizer = cfg.model.get('recognizer', cfg.model)
    classes = {'ucf101': 101, 'hmdb51': 51, 'k400': 400}
    dataset = next(d for d in classes if f'_{d}' in name)
    assert recognizer.cls_head.num_classes == classes[dataset]
    assert recognizer.backbone.type == 'ResNet3dSlowOnly'
    if name.startswith('supervised'):
        assert cfg.model.type == 'Recognizer3D'
        assert cfg.train_dataloader.dataset.ann_file == \
            f'{split_dir}/labeled.txt'
        assert cfg.train_dataloader.batch_size == 4
        return
    dataset = cfg.train_dataloader.dataset
    assert dataset.type == 'LabeledUnlabeledDataset'
    labeled, unlabeled = dataset.labeled, dataset.unlabeled
    assert labeled.ann_file == f'{split_dir}/labeled.txt'
    assert unlabeled.ann_file == f'{split_dir}/unlabeled.txt'
    sampler = cfg.train_dataloader.sampler
    assert sampler.type == 'MultiSourceSampler'
    assert sampler.batch_size == cfg.train_dataloader.batch_size == 8
    assert sampler.source_ratio == [1, 1]
    hooks = [h.type for h in cfg.custom_hooks]
    assert hooks == ['MeanTeacherHook', 'RampUpHook']
    types = [t.type for t in unlabeled.pipeline]
    if name.startswith('acl-mtl'):
        assert cfg.model.type == 'ACLMTLRecognizer'
        scales = unlabeled.pipeline[types.index('MultiScaleClips')].scales
        assert cfg.model.mtl.num_long_clips == len(scales)
        student = unlabeled.pipeline[-1].unsup_student
        assert student[0].type == 'SelectShortClip'
    else:
        assert cfg.model.type == 'SemiRecognizer'
        assert 'MultiScaleClips' not in types


@pytest.fixture(scope='module')
def one_video(tmp_path_factory) -> str:
    rng = np.random.default_rng(0)
    frames = rng.integers(0, 255, (40, 32, 32, 3), dtype=np.uint8)
    path = str(tmp_path_factory.mktemp('video') / 'v.avi')
    write_video(path, frames)
    return path


def test_full_acl_mtl_pipelines_and_one_training_step(one_video):
    cfg = _load(osp.join(SSAR, 'acl_mtl',
                         'acl-mtl_slowonly-r50-8x8_ucf101-split1-10pc.py'))
    dataset = cfg.train_dataloader.dataset
    labeled, unlabeled = dataset.labeled, dataset.unlabeled
    info = dict(filename=one_video, label=3, start_index=0, modality='RGB')
    np.random.seed(0)
    sup = Compose(labeled.pipeline)(dict(info))
    unsup = Compose(unlabeled.pipeline)(dict(info))
    assert sup['inputs']['sup'].shape == (1, 3, 8, 224, 224)
    assert unsup['inputs']['unsup_teacher'].shape == (3, 3, 8, 224, 224)
    assert unsup['inputs']['unsup_student'].shape == (1, 3, 8, 224, 224)
    assert sup['inputs']['unsup_teacher'] is None

    # the real SlowOnly-R50 networks, on 32 x 32 crops to keep CPU time low
    model = MODELS.build(cfg.model)
    model.train()
    model.semi_train_cfg.pseudo_threshold = 0.0
    crop = (slice(None), ) * 4 + (slice(0, 32), slice(0, 32))
    data = model.data_preprocessor(
        dict(inputs=dict(
            sup=[sup['inputs']['sup']],
            unsup_teacher=[unsup['inputs']['unsup_teacher']],
            unsup_student=[unsup['inputs']['unsup_student']]),
             data_samples=dict(
                 sup=[sup['data_samples']['sup']],
                 unsup_teacher=[unsup['data_samples']['unsup_teacher']],
                 unsup_student=[unsup['data_samples']['unsup_student']])),
        training=True)
    inputs = {k: v[crop] for k, v in data['inputs'].items()}
    losses = model.loss(inputs, data['data_samples'])
    assert {'sup_loss_cls', 'unsup_loss_cls', 'unsup_loss_acl',
            'unsup_loss_mtl'} <= set(losses)
    total = sum(v for k, v in losses.items() if 'loss' in k)
    assert torch.isfinite(total)
    total.backward()
    assert model.student.proj_head.mlp[0].weight.grad is not None
