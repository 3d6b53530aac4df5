"""Gradient norms and ratios of loss terms (a training diagnostic)."""
import pytest
import torch

from mmssl.models.utils.gradient_ratio import (gradient_ratios,
                                               loss_gradient_norms)


def test_norms_and_ratios_have_known_answers():
    w = torch.tensor([3.0, 4.0], requires_grad=True)
    v = torch.tensor([1.0], requires_grad=True)
    losses = dict(
        sup_loss_a=(w * torch.tensor([1.0, 0.0])).sum(),  # grad (1, 0)
        sup_loss_b=(w * torch.tensor([0.0, 2.0])).sum(),  # grad (0, 2)
        unsup_loss_c=(w * w).sum() / 2,  # grad w = (3, 4): norm 5
        unsup_loss_v=v.sum() * 10,  # does not reach w
        sup_acc=torch.tensor(0.5))
    stats = gradient_ratios(losses, [w])
    assert stats['grad_norm/sup_total'].item() == pytest.approx(5 ** 0.5)
    assert stats['grad_norm/unsup_c'].item() == pytest.approx(5.0)
    assert stats['grad_ratio/unsup_c'].item() == pytest.approx(5 / 5 ** 0.5)
    assert stats['grad_ratio/unsup_v'].item() == 0
    assert 'grad_ratio/sup_a' not in stats and 'grad_norm/acc' not in stats
    assert not any('loss' in k for k in stats)
    # the graph is kept for the training step's backward
    sum(v for k, v in losses.items() if 'loss' in k).backward()
    assert w.grad.tolist() == [4.0, 6.0]


def test_norms_skip_terms_without_graph():
    w = torch.ones(2, requires_grad=True)
    norms = loss_gradient_norms(
        dict(loss_a=(2 * w).sum(), loss_const=torch.tensor(1.0)), [w])
    assert set(norms) == {'loss_a'}
    assert norms['loss_a'].item() == pytest.approx(2 * 2 ** 0.5)
