"""Known-answer tests of the Adaptive Contrastive Learning building blocks."""
import pytest
import torch
import torch.nn.functional as F

import mmssl  # noqa: F401  (compat before mmaction.models)
from mmssl.models.losses import AdaptiveContrastiveLoss
from mmssl.models.utils import (ClassPrototypes, PseudoLabelMemoryBank,
                                ReliabilityGMM, fit_gmm_1d, gmm_posterior,
                                select_contrastive_pairs)


def _two_clusters(n_low=60, n_high=40, seed=0):
    gen = torch.Generator().manual_seed(seed)
    low = 0.2 + 0.03 * torch.randn(n_low, generator=gen)
    high = 0.8 + 0.03 * torch.randn(n_high, generator=gen)
    return low, high


def test_gmm_separates_two_well_separated_clusters():
    low, high = _two_clusters()
    x = torch.cat([low, high])[torch.randperm(100)]
    params = fit_gmm_1d(x)
    assert params.means.shape == (1, 2)
    assert params.means[0, 0] == pytest.approx(0.2, abs=0.02)
    assert params.means[0, 1] == pytest.approx(0.8, abs=0.02)
    assert params.weights[0, 1] == pytest.approx(0.4, abs=0.02)
    assert params.variances[0].sqrt().max() < 0.06
    post_low = gmm_posterior(low[None], *params[:3])
    post_high = gmm_posterior(high[None], *params[:3])
    assert (post_low < 0.01).all() and (post_high > 0.99).all()


def test_gmm_batched_rows_and_mask_are_independent():
    low, high = _two_clusters()
    row_a = torch.cat([low, high])
    row_b = torch.cat([low + 0.5, high - 0.9])  # means 0.7 and -0.1
    mask = torch.ones(2, 100, dtype=torch.bool)
    mask[1, :10] = False
    batched = fit_gmm_1d(torch.stack([row_a, row_b]), mask)
    alone = fit_gmm_1d(row_b[10:])
    assert torch.allclose(batched.means[1], alone.means[0], atol=1e-4)
    assert torch.allclose(batched.means[0], fit_gmm_1d(row_a).means[0],
                          atol=1e-5)
    assert batched.means[1, 0] == pytest.approx(-0.1, abs=0.02)
    assert batched.means[1, 1] == pytest.approx(0.7, abs=0.02)


def test_reliability_gmm_buffers_and_per_class():
    low, high = _two_clusters()
    scores = torch.cat([low, high])
    labels = torch.arange(100) % 3
    gmm = ReliabilityGMM(num_classes=3, per_class=True, min_samples=8)
    assert not gmm.fitted
    assert (gmm.posterior(scores, labels) == 0).all()
    assert gmm.fit(scores, labels)
    post = gmm.posterior(scores, labels)
    assert (post[:60] < 0.05).all() and (post[60:] > 0.95).all()
    assert bool(gmm.group_fitted.all())
    # state lives in buffers, so a state dict restores the same posteriors
    clone = ReliabilityGMM(num_classes=3, per_class=True, min_samples=8)
    clone.load_state_dict(gmm.state_dict())
    assert torch.equal(clone.posterior(scores, labels), post)
    # too few scores: no fit
    assert not ReliabilityGMM(3, min_samples=200).fit(scores)


def test_memory_bank_fifo_returns_enqueued_and_wraps():
    bank = PseudoLabelMemoryBank(size=5, feat_dim=2)
    feats = F.normalize(torch.randn(8, 2), dim=1)
    labels = torch.arange(8)
    rel = torch.linspace(0, 1, 8)
    bank.enqueue(feats[:3], labels[:3], rel[:3])
    f, lab, r = bank.ordered()
    assert torch.allclose(f, feats[:3]) and torch.equal(lab, labels[:3])
    assert torch.allclose(r, rel[:3]) and int(bank.ptr) == 3
    bank.enqueue(feats[3:7], labels[3:7], rel[3:7])  # wraps: 7 > 5
    f, lab, r = bank.ordered()
    assert int(bank.ptr) == 2 and int(bank.num_valid) == 5
    assert torch.equal(lab, labels[2:7])
    assert torch.allclose(f, feats[2:7]) and torch.allclose(r, rel[2:7])
    # slots 0 and 1 hold the wrapped entries 5 and 6
    assert torch.equal(bank.labels, torch.tensor([5, 6, 2, 3, 4]))
    # a batch larger than the bank keeps its newest entries
    bank.enqueue(feats, labels, rel)
    assert torch.equal(bank.ordered()[1], labels[3:])


def test_memory_bank_index_mode_momentum_and_state_dict():
    bank = PseudoLabelMemoryBank(size=4, feat_dim=2, mode='index',
                                 momentum=0.5)
    a = torch.tensor([[1., 0.]])
    b = torch.tensor([[0., 1.]])
    bank.enqueue(a, torch.tensor([1]), torch.tensor([0.3]),
                 indices=torch.tensor([2]))
    assert torch.allclose(bank.feats[2], a[0])
    bank.enqueue(b, torch.tensor([0]), torch.tensor([0.9]),
                 indices=torch.tensor([2]))
    expect = F.normalize(torch.tensor([0.5, 0.5]), dim=0)
    assert torch.allclose(bank.feats[2], expect)
    assert int(bank.labels[2]) == 0 and bank.valid.tolist() == [
        False, False, True, False
    ]
    clone = PseudoLabelMemoryBank(size=4, feat_dim=2, mode='index')
    clone.load_state_dict(bank.state_dict())
    assert torch.equal(clone.feats, bank.feats)
    with pytest.raises(IndexError, match='out of range'):
        bank.enqueue(a, torch.tensor([0]), torch.tensor([1.]),
                     indices=torch.tensor([4]))
    with pytest.raises(ValueError, match='dataset indices'):
        bank.enqueue(a, torch.tensor([0]), torch.tensor([1.]))


def test_prototypes_momentum_update_and_similarity():
    protos = ClassPrototypes(num_classes=3, feat_dim=2, momentum=0.5)
    feats = torch.tensor([[2., 0.], [1., 0.], [0., 3.], [5., 5.]])
    labels = torch.tensor([0, 0, 1, -1])  # -1 (unlabeled) is ignored
    protos.update(feats, labels)
    assert torch.allclose(protos.prototypes[0], torch.tensor([1., 0.]))
    assert torch.allclose(protos.prototypes[1], torch.tensor([0., 1.]))
    assert protos.initialised.tolist() == [True, True, False]
    protos.update(torch.tensor([[0., 1.]]), torch.tensor([0]))
    expect = F.normalize(torch.tensor([0.5, 0.5]), dim=0)
    assert torch.allclose(protos.prototypes[0], expect)
    sim = protos.similarity(torch.tensor([[1., 1.], [0., 2.], [1., 0.]]),
                            torch.tensor([0, 1, 2]))
    assert torch.allclose(sim, torch.tensor([1., 1., 0.]), atol=1e-6)


def test_positives_share_label_and_negatives_do_not():
    gen = torch.Generator().manual_seed(1)
    anchor_labels = torch.randint(0, 4, (6, ), generator=gen)
    bank_labels = torch.randint(0, 4, (20, ), generator=gen)
    rel = torch.rand(20, generator=gen)
    valid = torch.rand(20, generator=gen) > 0.2
    pairs = select_contrastive_pairs(anchor_labels, bank_labels, rel, valid,
                                     pos_threshold=0.3, neg_threshold=0.6)
    same = anchor_labels[:, None] == bank_labels[None]
    pos = pairs.pos_weight > 0
    assert pos.any() and pairs.neg_mask.any()
    assert same[pos].all() and not same[pairs.neg_mask].any()
    assert (rel[None].expand_as(pos)[pos] >= 0.3).all()
    assert (rel[None].expand_as(pos)[pairs.neg_mask] >= 0.6).all()
    assert valid[None].expand_as(pos)[pos | pairs.neg_mask].all()
    assert torch.allclose(pairs.pos_weight[pos],
                          rel[None].expand_as(pos)[pos])
    # every valid entry reliable enough for both roles takes one of them
    reliable = valid & (rel >= 0.6)
    assert (pos | pairs.neg_mask)[:, reliable].all()


def test_contrastive_loss_lower_for_aligned_than_shuffled():
    gen = torch.Generator().manual_seed(0)
    centres = F.normalize(torch.randn(4, 16, generator=gen), dim=1)
    labels = torch.arange(4).repeat(8)
    feats = F.normalize(
        centres[labels] + 0.1 * torch.randn(32, 16, generator=gen), dim=1)
    keys = F.normalize(
        centres[labels] + 0.1 * torch.randn(32, 16, generator=gen), dim=1)
    rel = torch.ones(32)
    valid = torch.ones(32, dtype=torch.bool)
    pairs = select_contrastive_pairs(labels, labels, rel, valid)
    loss_fn = AdaptiveContrastiveLoss(temperature=0.1)
    aligned = loss_fn(feats, keys, *pairs)
    shuffled = loss_fn(feats[torch.randperm(32, generator=gen)], keys,
                       *pairs)
    assert aligned < shuffled - 1.0
    # a perfect embedding reaches the lower bound log(#positives)
    perfect = loss_fn(centres[labels], centres[labels], *pairs)
    assert perfect == pytest.approx(torch.log(torch.tensor(8.)).item(),
                                    abs=1e-3)


def test_contrastive_loss_without_positives_is_zero_with_grad():
    anchors = F.normalize(torch.randn(3, 4), dim=1).requires_grad_()
    keys = F.normalize(torch.randn(5, 4), dim=1)
    loss = AdaptiveContrastiveLoss()(anchors, keys, torch.zeros(3, 5),
                                     torch.ones(3, 5, dtype=torch.bool))
    assert loss.item() == 0
    loss.backward()
    assert anchors.grad is not None


def test_contrastive_anchor_weight_selects_anchors():
    keys = torch.eye(2)
    anchors = torch.tensor([[1., 0.], [0., 1.]])
    pos = torch.tensor([[1., 0.], [1., 0.]])  # anchor 1's positive is wrong
    neg = torch.tensor([[False, True], [False, True]])
    loss_fn = AdaptiveContrastiveLoss(temperature=1.0)
    both = loss_fn(anchors, keys, pos, neg)
    first = loss_fn(anchors, keys, pos, neg, torch.tensor([1., 0.]))
    second = loss_fn(anchors, keys, pos, neg, torch.tensor([0., 1.]))
    assert first < both < second
    assert first == pytest.approx(-torch.log_softmax(
        torch.tensor([1., 0.]), 0)[0].item(), abs=1e-6)


def test_reliability_posterior_is_monotone_and_clamped():
    """A narrow high component inside a wide low one: the plain posterior
    falls again in both tails; the reliability weight must not."""
    from mmssl.models.utils.gmm import gmm_posterior, monotone_posterior
    means = torch.tensor([[0.5, 0.8]])
    variances = torch.tensor([[0.09, 0.0025]])
    weights = torch.tensor([[0.5, 0.5]])
    x = torch.linspace(-0.5, 1.5, 41)
    plain = gmm_posterior(x, means.expand(41, 2), variances.expand(41, 2),
                          weights.expand(41, 2))
    assert plain[-1] < plain.max() - 0.5  # the defect
    mono = monotone_posterior(x, means.expand(41, 2), variances.expand(41, 2),
                              weights.expand(41, 2))
    assert (mono[1:] >= mono[:-1] - 1e-6).all()
    assert mono[0] == mono[10]  # below the fitted range: as at 0
    assert mono[-1] == mono[30]  # above: as at 1
    # the top keeps the best posterior reached inside the range
    assert mono[0] < 0.05
    assert abs(mono[-1].item() - plain[10:31].max().item()) < 1e-2
