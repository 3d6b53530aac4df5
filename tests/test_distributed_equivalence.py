"""Two CPU ranks over gloo (tools/dist_train.sh) against one rank on the
same global batches: the sampler's partition and ratios, the losses and the
final weights (config: tests/data/configs/dist_equivalence.py)."""
import json
import os
import os.path as osp
import sys
from collections import Counter

import pytest
import torch

from conftest import REPO_ROOT, run_tool
from test_distributed import free_port

CONFIG = osp.join(REPO_ROOT, 'tests/data/configs/dist_equivalence.py')
ITERS = 3


def records(work_dir: str, rank: int) -> list:
    with open(osp.join(work_dir, f'batches_rank{rank}.jsonl')) as f:
        return [json.loads(line) for line in f]


def clip_names(record: dict, branch: str) -> list:
    return [osp.basename(p) for p in record['branches'][branch] if p]


@pytest.fixture(scope='module')
def runs(tiny_recognition_data, tmp_path_factory):
    """Work dirs of the 2-rank (2 x 4 clips) and 1-rank (8 clips) runs."""
    root = tmp_path_factory.mktemp('dist_equivalence')
    os.symlink(tiny_recognition_data, root / 'data')
    env = dict(PYTHONPATH=f'{REPO_ROOT}:{REPO_ROOT}/tests/data',
               CUDA_VISIBLE_DEVICES='')
    two, one = str(root / 'two_ranks'), str(root / 'one_rank')
    run_tool(['bash', osp.join(REPO_ROOT, 'tools/dist_train.sh'), CONFIG,
              '2', '--work-dir', two],
             cwd=str(root),
             extra_env=dict(env, PORT=str(free_port()),
                            PYTHON=sys.executable))
    run_tool([osp.join(REPO_ROOT, 'tools/train.py'), CONFIG, '--work-dir',
              one, '--cfg-options', 'train_dataloader.batch_size=8',
              'train_dataloader.sampler.batch_size=8'],
             cwd=str(root), extra_env=env)
    return two, one


def test_each_sample_on_one_rank_and_ratios_per_rank(runs):
    two, one = runs
    rank0, rank1, single = records(two, 0), records(two, 1), records(one, 0)
    assert len(rank0) == len(rank1) == len(single) == ITERS
    for r0, r1, r in zip(rank0, rank1, single):
        for branch in ('sup', 'unsup_teacher'):
            names0, names1 = clip_names(r0, branch), clip_names(r1, branch)
            # 2 labeled + 2 unlabeled clips on each rank
            assert len(names0) == len(names1) == 2
            # 4 labeled / 4 unlabeled videos: one pass per iteration, each
            # video on exactly one rank
            assert not set(names0) & set(names1)
            assert Counter(names0 + names1) == Counter(clip_names(r, branch))
            assert len(set(names0 + names1)) == 4


def test_two_ranks_match_one_rank(runs):
    two, one = runs
    rank0, rank1, single = records(two, 0), records(two, 1), records(one, 0)
    for r0, r1, r in zip(rank0, rank1, single):
        # DDP averages the gradients of the ranks' mean losses: the 1-rank
        # loss over 8 clips is the mean of the two ranks' 4-clip losses
        for key in ('sup_loss_cls', 'unsup_loss_cls', 'loss'):
            mean = (r0['losses'][key] + r1['losses'][key]) / 2
            assert mean == pytest.approx(r['losses'][key], rel=1e-4,
                                         abs=1e-6), (r['iter'], key)
    assert single[-1]['losses']['unsup_loss_cls'] > 0
    ckpt = f'iter_{ITERS}.pth'
    state2 = torch.load(osp.join(two, ckpt), weights_only=False)['state_dict']
    state1 = torch.load(osp.join(one, ckpt), weights_only=False)['state_dict']
    assert state2.keys() == state1.keys()
    for key, value in state1.items():
        torch.testing.assert_close(state2[key], value, rtol=1e-4, atol=1e-5,
                                   msg=key)
    # the weights did move: the student has left its EMA teacher
    moved = [k for k in state1 if k.startswith('student.') and not
             torch.equal(state1[k], state1['teacher.' + k[len('student.'):]])]
    assert moved
