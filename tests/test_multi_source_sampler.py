import itertools
from unittest import mock

import pytest
import torch
from mmengine.dataset import ConcatDataset
from mmengine.dataset import BaseDataset

from mmssl.datasets.samplers import MultiSourceSampler

SAMPLER = 'mmssl.datasets.samplers.multi_source_sampler.get_dist_info'


class Range(BaseDataset):
    """``n`` samples; sample ``i`` is the integer ``first + i``."""

    def __init__(self, n, first=0):
        self.n, self.first = n, first
        super().__init__(serialize_data=False)

    def load_data_list(self):
        return [dict(index=i) for i in range(self.n)]

    def __getitem__(self, i):
        return self.first + i


def concat(*sizes):
    firsts = [sum(sizes[:i]) for i in range(len(sizes))]
    return ConcatDataset([Range(n, f) for n, f in zip(sizes, firsts)])


def take(sampler, count):
    return list(itertools.islice(iter(sampler), count))


def test_every_batch_has_the_ratio():
    dataset = concat(5, 12)  # indices 0-4 labeled, 5-16 unlabeled
    sampler = MultiSourceSampler(dataset, batch_size=6, source_ratio=[1, 2],
                                 seed=3)
    indices = take(sampler, 6 * 20)
    for b in range(20):
        batch = indices[6 * b:6 * b + 6]
        assert all(i < 5 for i in batch[:2])
        assert all(5 <= i < 17 for i in batch[2:])
    # each pass over a source is a permutation of it
    labeled = [i for i in indices if i < 5]
    for p in range(len(labeled) // 5):
        assert sorted(labeled[5 * p:5 * p + 5]) == list(range(5))


def test_seeded_and_deterministic():
    dataset = concat(7, 9)
    a = take(MultiSourceSampler(dataset, 4, [1, 1], seed=1), 40)
    b = take(MultiSourceSampler(dataset, 4, [1, 1], seed=1), 40)
    c = take(MultiSourceSampler(dataset, 4, [1, 1], seed=2), 40)
    assert a == b and a != c


def test_ranks_get_disjoint_shares_of_each_pass():
    dataset = concat(8, 16)
    per_rank = []
    for rank in range(2):
        with mock.patch(SAMPLER, return_value=(rank, 2)):
            sampler = MultiSourceSampler(dataset, 4, [1, 1], seed=5)
        # one pass over the unlabeled source: 16 / (2 per batch * 2 ranks)
        assert sampler.epoch_length() == 4
        per_rank.append(take(sampler, 4 * 4))
    for rank_indices in per_rank:  # the ratio holds on every rank
        for b in range(4):
            batch = rank_indices[4 * b:4 * b + 4]
            assert all(i < 8 for i in batch[:2])
            assert all(i >= 8 for i in batch[2:])
    unlabeled = [[i for i in r if i >= 8] for r in per_rank]
    assert not set(unlabeled[0]) & set(unlabeled[1])
    assert sorted(unlabeled[0] + unlabeled[1]) == list(range(8, 24))


def test_skip_continues_the_same_stream():
    dataset = concat(5, 11)
    full = take(MultiSourceSampler(dataset, 4, [1, 3], seed=0), 4 * 30)
    resumed = MultiSourceSampler(dataset, 4, [1, 3], seed=0)
    resumed.skip(17)
    assert take(resumed, 4 * 13) == full[4 * 17:]


@pytest.mark.parametrize('ratio', [[1, 2], [0, 1], [1, 1, 1]])
def test_ratio_that_does_not_fit_names_the_key(ratio):
    with pytest.raises(ValueError, match='source_ratio'):
        MultiSourceSampler(concat(4, 4), 4, ratio)


def test_needs_concat_dataset():
    with pytest.raises(TypeError, match='ConcatDataset'):
        MultiSourceSampler(Range(4), 4, [1, 1])


def test_works_in_a_dataloader():
    dataset = concat(3, 6)
    sampler = MultiSourceSampler(dataset, 4, [1, 1], seed=0)
    loader = torch.utils.data.DataLoader(dataset, batch_size=4,
                                         sampler=sampler)
    batch = next(iter(loader))
    assert (batch[:2] < 3).all() and (batch[2:] >= 3).all()
