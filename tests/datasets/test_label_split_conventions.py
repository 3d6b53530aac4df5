"""The per-class-count and random-list split conventions, split.json, and
unlabeled lists that hold videos outside the label set."""
import importlib.util
import json
import os.path as osp
import random

import pytest

import mmssl  # noqa: F401
from mmaction.registry import DATASETS
from mmssl.datasets.label_split import (split_labeled_videos,
                                        split_per_class_count, split_random)

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
VIDEOS = [f'A/a{i:02d}' for i in range(10)] + [f'B/b{i}' for i in range(3)]
CLASSES = ['A'] * 10 + ['B'] * 3


def load_tool():
    spec = importlib.util.spec_from_file_location(
        'split_labeled', osp.join(REPO, 'tools', 'data', 'split_labeled.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def read(path):
    with open(path) as f:
        return [line.rstrip('\n') for line in f]


def test_per_class_count_takes_the_percent_order():
    labeled, unlabeled = split_per_class_count(VIDEOS, CLASSES, 4, seed=47)
    assert sum(v.startswith('A/') for v in labeled) == 4
    assert sum(v.startswith('B/') for v in labeled) == 3  # all of B
    assert sorted(labeled + unlabeled) == sorted(VIDEOS)
    # the same shuffled order as the percentage split: 40 % of A is 4
    by_percent, _ = split_labeled_videos(VIDEOS[:10], CLASSES[:10], 40,
                                         seed=47)
    assert [v for v in labeled if v.startswith('A/')] == by_percent
    for bad in (0, -1, 1.5, True):
        with pytest.raises(ValueError, match='count per class'):
            split_per_class_count(VIDEOS, CLASSES, bad)


def test_random_list_ignores_classes():
    labeled, unlabeled = split_random(list(reversed(VIDEOS)), 50, seed=3)
    expected = sorted(VIDEOS)
    random.Random(3).shuffle(expected)
    assert sorted(labeled) == sorted(expected[:6])  # floor(0.5 * 13)
    assert labeled == [v for v in reversed(VIDEOS) if v in labeled]
    assert not set(labeled) & set(unlabeled)
    assert len(split_random(VIDEOS, 1)[0]) == 1  # at least one
    # some seed leaves a class without labels: no stratification
    assert any(not any(v.startswith('B/') for v in split_random(
        VIDEOS, 20, seed=s)[0]) for s in range(10))


def test_tool_conventions_and_split_json(tmp_path, capsys):
    tool = load_tool()
    ann = tmp_path / 'train.txt'
    ann.write_text(''.join(f'{v}.avi {int(c == "B")}\n'
                           for v, c in zip(VIDEOS, CLASSES)))
    runs = {
        'count': ['--per-class', '2'],
        'random': ['--percent', '50', '--random', '--seed', '3'],
        'percent': ['--percent', '40'],
    }
    for name, options in runs.items():
        tool.main([str(ann)] + options + ['--out-dir', str(tmp_path / name)])
    printed = capsys.readouterr().out
    assert 'per-class count (per_class 2, seed 47)' in printed
    assert 'random list (percent 50.0, seed 3)' in printed

    info = json.loads((tmp_path / 'count' / 'split.json').read_text())
    assert info['convention'] == 'per-class count'
    assert info['per_class'] == 2 and info['seed'] == 47
    assert info['labeled_of_total_per_class'] == {'0': [2, 10], '1': [2, 3]}
    assert info['num_labeled'] == 4 and info['num_unlabeled'] == 9
    labeled = read(tmp_path / 'count' / 'labeled.txt')
    assert labeled == [f'{v}.avi {int(v[0] == "B")}'
                       for v in split_per_class_count(VIDEOS, CLASSES, 2)[0]]

    info = json.loads((tmp_path / 'random' / 'split.json').read_text())
    assert info['convention'] == 'random list' and info['percent'] == 50
    assert [ln.split('.avi')[0] for ln in read(
        tmp_path / 'random' / 'labeled.txt')] == split_random(
            VIDEOS, 50, seed=3)[0]
    info = json.loads((tmp_path / 'percent' / 'split.json').read_text())
    assert info['convention'] == 'per-class percent'
    assert info['labeled_of_total_per_class'] == {'0': [4, 10], '1': [1, 3]}


def test_tool_rejects_mixed_or_bad_options(tmp_path, capsys):
    tool = load_tool()
    ann = str(tmp_path / 'x.txt')
    for options, message in (
        (['--per-class', '2', '--percent', '5'], 'not allowed with'),
        (['--per-class', '0'], '--per-class must be >= 1'),
        (['--per-class', '2', '--random'], '--random needs --percent'),
        ([], 'one of the arguments'),
    ):
        with pytest.raises(SystemExit) as exit_info:
            tool.main([ann] + options + ['--out-dir', str(tmp_path)])
        assert exit_info.value.code == 2
        assert message in capsys.readouterr().err


@pytest.mark.parametrize('method', ['SemiRecognizer', 'ACLMTLRecognizer'])
def test_unlabeled_list_may_hold_any_videos(tmp_path, method):
    """Lines without a label and labels outside the model's classes load as
    an unlabeled VideoDataset and train: their labels are never read."""
    import torch
    from mmaction.registry import MODELS
    from mmaction.structures import ActionDataSample
    (tmp_path / 'unlabeled.txt').write_text(
        'Other/v1.avi\nOther/v2.avi 57\nA/a00.avi 0\n')
    dataset = DATASETS.build(
        dict(type='VideoDataset', ann_file=str(tmp_path / 'unlabeled.txt'),
             data_prefix=dict(video=str(tmp_path)), pipeline=[]))
    infos = [dataset.get_data_info(i) for i in range(len(dataset))]
    assert [d['label'] for d in infos] == [-1, 57, 0]
    assert infos[0]['filename'] == str(tmp_path / 'Other/v1.avi')

    recognizer = dict(
        type='Recognizer3D',
        backbone=dict(type='ResNet3d', depth=18, base_channels=4,
                      pretrained=None, pretrained2d=False,
                      conv1_kernel=(1, 3, 3), conv1_stride_t=1,
                      pool1_stride_t=1, inflate=(0, 0, 0, 0)),
        cls_head=dict(type='I3DHead', num_classes=3, in_channels=32),
        data_preprocessor=dict(type='ActionDataPreprocessor',
                               format_shape='NCTHW'))
    extra = dict(acl=dict(bank_size=8, gmm_min_samples=4, proj_channels=8),
                 mtl=None) if method == 'ACLMTLRecognizer' else {}
    torch.manual_seed(0)
    model = MODELS.build(dict(type=method, recognizer=recognizer,
                              semi_train_cfg=dict(pseudo_threshold=0.0),
                              **extra))
    model.train()
    clips = torch.randn(3, 1, 3, 4, 16, 16)
    unlabeled = [ActionDataSample().set_gt_label(d['label']) for d in infos]
    losses = model.loss(
        dict(sup=clips, unsup_teacher=clips, unsup_student=clips),
        dict(sup=[ActionDataSample().set_gt_label(i) for i in range(3)],
             unsup_teacher=unlabeled, unsup_student=unlabeled))
    assert torch.isfinite(losses['unsup_loss_cls'])
    assert losses['unsup_mask_ratio'] == 1.0
