"""Stratified label splits: the function and tools/data/split_labeled.py."""
import importlib.util
import os.path as osp
import pickle
import random

import pytest
from detection_fixtures import act_to_e2e, make_act, save_pickle

from mmssl.datasets.label_split import num_labeled, split_labeled_videos

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def load_tool():
    spec = importlib.util.spec_from_file_location(
        'split_labeled', osp.join(REPO, 'tools', 'data', 'split_labeled.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def read(path):
    with open(path) as f:
        return [line.rstrip('\n') for line in f]


def test_counts_per_class():
    videos = [f'A/{i}' for i in range(10)] + [f'B/{i}' for i in range(3)] + [
        'C/0'
    ]
    classes = ['A'] * 10 + ['B'] * 3 + ['C']
    labeled, unlabeled = split_labeled_videos(videos, classes, 20)
    # floor(0.2 * 10) = 2, floor(0.2 * 3) = 0 -> at least 1, 1 -> 1
    assert sum(v.startswith('A') for v in labeled) == 2
    assert sum(v.startswith('B') for v in labeled) == 1
    assert labeled.count('C/0') == 1
    assert sorted(labeled + unlabeled) == sorted(videos)
    assert not set(labeled) & set(unlabeled)
    assert [num_labeled(n, 30) for n in (0, 1, 3, 9, 10, 100)] == [
        0, 1, 1, 2, 3, 30
    ]
    assert num_labeled(100, 29) == 29  # exact: 0.29 * 100 is 28.999... in
    assert num_labeled(7, 100) == 7


def test_matches_the_released_recipe_and_is_deterministic():
    videos = [f'X/v{i:02d}' for i in range(17)]
    labeled, _ = split_labeled_videos(list(reversed(videos)), ['X'] * 17, 25,
                                      seed=47)
    expected = sorted(videos)
    random.Random(47).shuffle(expected)
    assert sorted(labeled) == sorted(expected[:4])
    again, _ = split_labeled_videos(videos, ['X'] * 17, 25, seed=47)
    assert sorted(again) == sorted(labeled)
    other, _ = split_labeled_videos(videos, ['X'] * 17, 25, seed=1)
    assert sorted(other) != sorted(labeled)


@pytest.mark.parametrize('percent', [0, -5, 100.5, 'abc'])
def test_percent_outside_range_is_an_error(percent):
    with pytest.raises(ValueError, match='percent'):
        split_labeled_videos(['a'], [0], percent)


def test_tool_on_act_e2e_and_list(tmp_path, capsys):
    tool = load_tool()
    gt = make_act(str(tmp_path / 'data'), train_per_class=5)
    act = save_pickle(str(tmp_path / 'GT.pkl'), gt)
    tool.main([act, '--percent', '40', '--out-dir', str(tmp_path / 'act')])
    printed = capsys.readouterr().out
    assert 'Run' in printed and 'Jump' in printed
    labeled = read(tmp_path / 'act' / 'labeled.txt')
    unlabeled = read(tmp_path / 'act' / 'unlabeled.txt')
    assert len(labeled) == 4 and len(unlabeled) == 6  # floor(0.4 * 5) = 2
    assert sum(v.startswith('Run/') for v in labeled) == 2
    assert sorted(labeled + unlabeled) == sorted(gt['train_videos'][0])

    # the same videos in the E2E-SSL format split the same way
    e2e = save_pickle(str(tmp_path / 'train.pkl'),
                      act_to_e2e(gt, gt['train_videos'][0]))
    tool.main([e2e, '--percent', '40', '--out-dir', str(tmp_path / 'e2e')])
    assert read(tmp_path / 'e2e' / 'labeled.txt') == labeled

    # an MMAction2 list keeps its lines (label column included)
    with open(tmp_path / 'list.txt', 'w') as f:
        for i, name in enumerate(gt['train_videos'][0]):
            f.write(f'{name}.avi {int(name.startswith("Jump"))}\n')
    tool.main([str(tmp_path / 'list.txt'), '--percent', '40', '--out-dir',
               str(tmp_path / 'list')])
    listed = read(tmp_path / 'list' / 'labeled.txt')
    assert [line.split('.avi')[0] for line in listed] == labeled
    assert listed[0].endswith(' 0')


def test_tool_rejects_bad_percent_and_bad_files(tmp_path, capsys):
    tool = load_tool()
    with pytest.raises(SystemExit) as exit_info:
        tool.main(['x.pkl', '--percent', '0', '--out-dir', str(tmp_path)])
    assert exit_info.value.code == 2
    assert '--percent' in capsys.readouterr().err

    class Evil:

        def __reduce__(self):
            return (print, ('pwned', ))

    with open(tmp_path / 'evil.pkl', 'wb') as f:
        pickle.dump(Evil(), f)
    with pytest.raises(SystemExit, match='builtins.print'):
        tool.main([str(tmp_path / 'evil.pkl'), '--percent', '20',
                   '--out-dir', str(tmp_path)])
    assert 'pwned' not in capsys.readouterr().out
