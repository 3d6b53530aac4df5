"""The worked examples of docs/config_guide.md are real configs: the guide
shows each file verbatim, every type is registered, the model builds and the
training pipelines give the views the models expect."""
import os.path as osp
import re

import pytest
import torch
from mmengine.config import Config

from conftest import REPO_ROOT
from mmssl.utils import check_config
from tiny_synthetic import make_tiny_synthetic

EXAMPLES = {
    'fixmatch_i3d-r50_k400-10pc.py': 'SemiRecognizer',
    'acl-mtl_i3d-r50_k400-10pc.py': 'ACLMTLRecognizer',
    'e2e-ssl_from_sup_i3d_ucf101-24_20pct.py': 'E2ESSLDetector',
}


def example_path(name: str) -> str:
    return osp.join(REPO_ROOT, 'configs', 'examples', name)


def test_guide_shows_every_example_verbatim():
    with open(osp.join(REPO_ROOT, 'docs', 'config_guide.md')) as f:
        guide = f.read()
    blocks = re.findall(r'^```python\n(.*?)^```', guide, re.M | re.S)
    for name in EXAMPLES:
        with open(example_path(name)) as f:
            assert f.read() in blocks, f'{name} differs from the guide'
        assert f'configs/examples/{name}' in guide


@pytest.mark.parametrize('name', sorted(EXAMPLES))
def test_example_is_registered_and_builds(name):
    from mmaction.registry import MODELS
    cfg = Config.fromfile(example_path(name))
    check_config(cfg, check_files=False)
    model = MODELS.build(cfg.model)
    assert type(model).__name__ == EXAMPLES[name]


def build_source(cfg: Config, index: int, **overrides):
    from mmaction.registry import DATASETS
    dataset = cfg.train_dataloader.dataset.datasets[index].copy()
    dataset.update(overrides)
    return DATASETS.build(dataset)


def test_recognition_examples_give_the_branches(tiny_recognition_data):
    videos = dict(data_prefix=dict(video=osp.join(tiny_recognition_data,
                                                  'videos')))
    fixmatch = Config.fromfile(example_path('fixmatch_i3d-r50_k400-10pc.py'))
    acl = Config.fromfile(example_path('acl-mtl_i3d-r50_k400-10pc.py'))
    labeled = build_source(
        fixmatch, 0, ann_file=osp.join(tiny_recognition_data, 'labeled.txt'),
        **videos)[0]
    assert labeled['inputs']['sup'].shape == (1, 3, 32, 224, 224)
    assert labeled['inputs']['unsup_student'] is None
    unlabeled = osp.join(tiny_recognition_data, 'unlabeled.txt')
    fix = build_source(fixmatch, 1, ann_file=unlabeled, **videos)[0]
    assert fix['inputs']['sup'] is None
    assert fix['inputs']['unsup_teacher'].shape == (1, 3, 32, 224, 224)
    assert fix['inputs']['unsup_student'].shape == (1, 3, 32, 224, 224)
    mtl = build_source(acl, 1, ann_file=unlabeled, **videos)[0]
    # the teacher sees the short clip and the two long-term clips
    assert mtl['inputs']['unsup_teacher'].shape == (3, 3, 32, 224, 224)
    assert mtl['inputs']['unsup_student'].shape == (1, 3, 32, 224, 224)


def test_detection_example_gives_original_and_flipped_views(tmp_path):
    root = str(tmp_path / 'ucf')
    make_tiny_synthetic(root, train_per_class=2, test_per_class=0)
    cfg = Config.fromfile(
        example_path('e2e-ssl_from_sup_i3d_ucf101-24_20pct.py'))
    data = dict(ann_file=osp.join(root, 'annotations', 'UCF101v2-GT.pkl'),
                data_prefix=dict(video=osp.join(root, 'videos')),
                labeled_percent=50, val_percent=None)
    for index, labeled in ((0, True), (1, False)):
        pipeline = cfg.train_dataloader.dataset.datasets[index].pipeline
        crop, = [t for t in pipeline if t.type == 'ActionRandomCrop']
        crop.size = 96  # the synthetic frames are 160 x 120
        source = build_source(cfg, index, pipeline=pipeline, **data)
        assert len(source) == 5  # 1 of the 2 videos of each class
        sample = source[0]
        orig, aug = sample['inputs']['orig'], sample['inputs']['aug']
        assert orig.shape == (1, 3, 8, 96, 96)
        assert torch.equal(aug, orig.flip(-1))
        assert sample['data_samples']['orig'].is_labeled == labeled
