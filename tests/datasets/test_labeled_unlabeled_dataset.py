"""LabeledUnlabeledDataset: the labeled source first, the unlabeled second,
built from named configs; no video is decoded (empty pipelines)."""
import itertools
import os.path as osp

import pytest
from mmengine.config import Config

import mmssl  # noqa: F401
from conftest import REPO_ROOT
from mmaction.datasets import VideoDataset
from mmaction.registry import DATASETS
from mmssl.datasets import LabeledUnlabeledDataset
from mmssl.datasets.samplers import MultiSourceSampler

NUM_LABELED, NUM_UNLABELED = 3, 5


@pytest.fixture
def lists(tmp_path):
    """A labeled list of 3 videos (labels 0-2) and an unlabeled one of 5
    (label 9)."""
    labeled = tmp_path / 'labeled.txt'
    labeled.write_text(''.join(f'l{i}.mp4 {i}\n'
                               for i in range(NUM_LABELED)))
    unlabeled = tmp_path / 'unlabeled.txt'
    unlabeled.write_text(''.join(f'u{i}.mp4 9\n'
                                 for i in range(NUM_UNLABELED)))
    return str(labeled), str(unlabeled)


def _video_cfg(ann_file: str) -> dict:
    return dict(type='VideoDataset', ann_file=ann_file,
                data_prefix=dict(video='videos'), pipeline=[])


def _names(dataset) -> list:
    return [osp.basename(dataset[i]['filename'])
            for i in range(len(dataset))]


def test_labeled_indices_first_then_unlabeled(lists):
    dataset = LabeledUnlabeledDataset(
        labeled=_video_cfg(lists[0]), unlabeled=_video_cfg(lists[1]))
    assert len(dataset) == NUM_LABELED + NUM_UNLABELED == 8
    assert dataset.cumulative_sizes == [3, 8]
    assert _names(dataset) == ['l0.mp4', 'l1.mp4', 'l2.mp4', 'u0.mp4',
                               'u1.mp4', 'u2.mp4', 'u3.mp4', 'u4.mp4']
    assert [dataset[i]['label'] for i in range(4)] == [0, 1, 2, 9]
    assert all(isinstance(d, VideoDataset) for d in dataset.datasets)
    assert dataset[0]['filename'] == osp.join('videos', 'l0.mp4')


def test_built_datasets_and_lazy_init(lists):
    labeled = VideoDataset(lists[0], pipeline=[], lazy_init=True)
    unlabeled = VideoDataset(lists[1], pipeline=[], lazy_init=True)
    dataset = LabeledUnlabeledDataset(labeled, unlabeled, lazy_init=True)
    assert dataset.datasets == [labeled, unlabeled]
    assert not labeled._fully_initialized
    assert len(dataset) == 8  # loads both lists on first use
    assert labeled._fully_initialized and unlabeled._fully_initialized
    assert dataset.get_data_info(3)['filename'] == 'u0.mp4'


def test_built_through_mmaction_registry_without_default_scope(lists):
    dataset = DATASETS.build(
        dict(type='LabeledUnlabeledDataset',
             labeled=_video_cfg(lists[0]),
             unlabeled=_video_cfg(lists[1])))
    assert isinstance(dataset, LabeledUnlabeledDataset)
    assert _names(dataset)[2:4] == ['l2.mp4', 'u0.mp4']


def test_multi_source_sampler_takes_half_of_each_batch_labeled(lists):
    dataset = LabeledUnlabeledDataset(_video_cfg(lists[0]),
                                      _video_cfg(lists[1]))
    sampler = MultiSourceSampler(dataset, batch_size=4, source_ratio=[1, 1],
                                 seed=0)
    indices = list(itertools.islice(iter(sampler), 4 * 10))
    for b in range(10):
        batch = indices[4 * b:4 * b + 4]
        assert sum(i < NUM_LABELED for i in batch) == 2
        assert all(i < NUM_LABELED for i in batch[:2])
        assert all(NUM_LABELED <= i < 8 for i in batch[2:])


def test_bad_inputs_are_named(lists, tmp_path):
    with pytest.raises(TypeError, match='should be config or'):
        LabeledUnlabeledDataset(_video_cfg(lists[0]), [lists[1]])
    missing = str(tmp_path / 'missing.txt')
    with pytest.raises(FileNotFoundError, match='missing.txt'):
        LabeledUnlabeledDataset(_video_cfg(lists[0]), _video_cfg(missing))


def test_config_merges_into_the_named_sources():
    """A semi config sets only its lists; the pipelines come from the base:
    the unlabeled FixMatch pipeline, or ACL+MTL's multi-scale one."""
    ssar = osp.join(REPO_ROOT, 'configs', 'ssar')
    fixmatch = Config.fromfile(osp.join(
        ssar, 'fixmatch', 'fixmatch_slowonly-r50-8x8_ucf101-split1-1pc.py'))
    acl = Config.fromfile(osp.join(
        ssar, 'acl_mtl', 'acl-mtl_slowonly-r50-8x8_ucf101-split1-1pc.py'))
    for cfg, unlabeled_pipeline in (
            (fixmatch, fixmatch.unlabeled_fixmatch_pipeline),
            (acl, acl.unlabeled_acl_mtl_pipeline)):
        dataset = cfg.train_dataloader.dataset
        assert dataset.type == 'LabeledUnlabeledDataset'
        assert dataset.labeled == dict(
            type='VideoDataset',
            ann_file='data/ucf101/splits/split1_1pc/labeled.txt',
            data_prefix=dict(video=cfg.video_root),
            pipeline=cfg.labeled_pipeline)
        assert dataset.unlabeled == dict(
            type='VideoDataset',
            ann_file='data/ucf101/splits/split1_1pc/unlabeled.txt',
            data_prefix=dict(video=cfg.video_root),
            pipeline=unlabeled_pipeline)
    assert acl.unlabeled_acl_mtl_pipeline != acl.unlabeled_fixmatch_pipeline
