"""How hard each loss term pulls on a set of parameters (a training
diagnostic): the gradient norm of every term and its ratio to the norm of
the supervised terms' sum."""
from typing import Dict, Iterable, List

import torch
from torch import Tensor, nn


def loss_gradient_norms(losses: Dict[str, Tensor],
                        params: List[Tensor]) -> Dict[str, Tensor]:
    """L2 norm of the gradient of each loss term on ``params``.

    Terms are the keys containing ``loss`` (what mmengine sums); the graph
    is kept, so the training step's own backward still runs afterwards.

    Args:
        losses (dict[str, Tensor]): scalar terms (other keys are ignored).
        params (list[Tensor]): parameters that require gradients.

    Returns:
        dict[str, Tensor]: ``{term: ||d term / d params||}`` (0-dim,
        detached; 0 for a term that does not reach ``params``).
    """
    norms = {}
    for name, value in losses.items():
        if 'loss' not in name or not value.requires_grad:
            continue
        grads = torch.autograd.grad(
            value, params, retain_graph=True, allow_unused=True)
        squares = [g.pow(2).sum() for g in grads if g is not None]
        norms[name] = torch.stack(squares).sum().sqrt().detach() \
            if squares else value.new_zeros(())
    return norms


def gradient_ratios(losses: Dict[str, Tensor], params: List[Tensor],
                    reference_prefix: str = 'sup_') -> Dict[str, Tensor]:
    """Gradient norm of each term relative to the supervised gradient.

    Args:
        losses (dict[str, Tensor]): the step's loss terms, supervised ones
            named ``{reference_prefix}*``.
        params (list[Tensor]): parameters to measure on (e.g. a backbone's).
        reference_prefix (str): prefix of the reference terms, whose sum's
            gradient norm is the denominator. Defaults to ``'sup_'``.

    Returns:
        dict[str, Tensor]: ``grad_ratio/<term>`` for every non-reference
        term and ``grad_norm/<term>`` for every term and for the reference
        sum (``grad_norm/sup_total``); the keys hold no ``loss``, so
        mmengine logs them without adding them to the loss.
    """
    terms = {k: v for k, v in losses.items()
             if 'loss' in k and v.requires_grad}
    reference = [v for k, v in terms.items()
                 if k.startswith(reference_prefix)]
    if reference:
        terms['loss_ref_total'] = torch.stack(reference).sum()
    norms = loss_gradient_norms(terms, params)
    stats = {}
    total = norms.pop('loss_ref_total', None)
    for name, norm in norms.items():
        short = name.replace('loss_', '')
        stats[f'grad_norm/{short}'] = norm
        if total is not None and not name.startswith(reference_prefix):
            stats[f'grad_ratio/{short}'] = norm / total.clamp_min(1e-12)
    if total is not None:
        stats[f'grad_norm/{reference_prefix}total'] = total
    return stats


def trainable_parameters(module: nn.Module) -> List[Tensor]:
    """The parameters of ``module`` that require gradients."""
    params: Iterable[Tensor] = module.parameters()
    return [p for p in params if p.requires_grad]
