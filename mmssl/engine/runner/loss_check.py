"""Stop a training step whose loss is NaN or infinite before backward.

Every MMEngine model (and ``MMDistributedDataParallel``) computes a step
as ``parse_losses(forward(...))`` followed by
``optim_wrapper.update_params(loss)``. :func:`install_loss_check` wraps the
model's ``parse_losses`` so that a non-finite loss term raises
:class:`NonFiniteLossError` between the two: no backward, no optimizer
step. In a distributed run the ranks agree first (one all-reduce of a flag),
so that all of them stop, or skip, together.
"""
from typing import Callable, Dict, Tuple

import torch
from mmengine.dist import all_reduce, is_distributed
from torch import Tensor, nn

_CHECKED_FLAG = '_mmssl_checks_finite_losses'


class NonFiniteLossError(FloatingPointError):
    """A loss term of the training step is NaN or infinite.

    Args:
        message (str): what happened.
        terms (dict[str, float]): the non-finite terms of this rank (empty
            when another rank had them).
    """

    def __init__(self, message: str, terms: Dict[str, float]) -> None:
        super().__init__(message)
        self.terms = dict(terms)


def nonfinite_terms(log_vars: Dict[str, Tensor]) -> Dict[str, float]:
    """The non-finite loss terms of a parsed loss dict.

    Terms are the entries whose name contains ``loss`` (those MMEngine sums
    into the total). When only the total ``loss`` is non-finite (finite
    terms whose sum overflows), it is reported itself. In a distributed run
    every rank returns a non-empty dict if any rank has a non-finite term
    (``{}`` is then replaced by ``{'<another rank>': nan}``).

    Args:
        log_vars (dict[str, Tensor]): ``parse_losses``' second output,
            scalar tensors.

    Returns:
        dict[str, float]: the non-finite terms and their values; empty when
        every rank's losses are finite.
    """
    names = [
        name for name, value in log_vars.items()
        if 'loss' in name and isinstance(value, Tensor)
    ]
    if not names:
        return {}
    values = torch.stack(
        [log_vars[name].detach().float().reshape(()) for name in names])
    bad = ~torch.isfinite(values)
    flag = bad.any().to(torch.float32).reshape(1)
    if is_distributed():
        all_reduce(flag, op='max')
    if not bool(flag.item()):
        return {}
    found = {
        name: float(value)
        for name, value, is_bad in zip(names, values.tolist(), bad.tolist())
        if is_bad
    }
    if len(found) > 1:
        found.pop('loss', None)
    return found or {'<another rank>': float('nan')}


def install_loss_check(model: nn.Module) -> None:
    """Make ``model.parse_losses`` raise :class:`NonFiniteLossError` on a
    non-finite loss term (once per model).

    Args:
        model (nn.Module): the unwrapped model (``BaseModel``); its
            distributed wrapper calls the same ``parse_losses``.
    """
    if getattr(model.parse_losses, _CHECKED_FLAG, False):
        return
    model.parse_losses = _checked(model.parse_losses)


def _checked(parse_losses: Callable) -> Callable:

    def parse_and_check(losses: Dict[str, Tensor]) -> Tuple[Tensor, dict]:
        loss, log_vars = parse_losses(losses)
        bad = nonfinite_terms(log_vars)
        if bad:
            terms = ', '.join(f'{name}={value}' for name, value in bad.items())
            raise NonFiniteLossError(f'non-finite loss: {terms}', bad)
        return loss, log_vars

    setattr(parse_and_check, _CHECKED_FLAG, True)
    return parse_and_check
