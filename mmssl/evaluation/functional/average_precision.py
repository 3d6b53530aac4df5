"""Average precision from ranked true/false-positive flags.

Two conventions, chosen by ``protocol``:

- ``'act'`` (ACT detector, MOC, TubeR): the precision/recall curve starts at
  ``(R=0, P=1)`` and every ranked detection adds one point; AP is the
  trapezoid area under this raw curve.
- ``'voc'`` (PASCAL VOC 2010+, MMAction2's MultiSports evaluator): all-point
  interpolated AP, precision made monotonically non-increasing from the right.
"""
import numpy as np

PROTOCOLS = ('act', 'voc')


def check_protocol(protocol: str) -> None:
    """Raise a ``ValueError`` for an unknown protocol name."""
    if protocol not in PROTOCOLS:
        raise ValueError(
            f'protocol must be one of {PROTOCOLS}, got {protocol!r}')


def average_precision(is_tp: np.ndarray,
                      num_gt: int,
                      protocol: str = 'act') -> float:
    """AP of detections ranked by descending score.

    Args:
        is_tp (np.ndarray): (N,) bool, whether the i-th ranked detection is a
            true positive.
        num_gt (int): number of ground-truth instances.
        protocol (str): ``'act'`` (trapezoid under the raw curve from
            ``(0, 1)``) or ``'voc'`` (all-point interpolated).

    Returns:
        float: AP in ``[0, 1]``; NaN when ``num_gt`` is 0 (AP undefined).
    """
    check_protocol(protocol)
    if num_gt <= 0:
        return float('nan')
    is_tp = np.asarray(is_tp, dtype=bool)
    tp = np.cumsum(is_tp, dtype=np.float64)
    fp = np.cumsum(~is_tp, dtype=np.float64)
    recall = tp / num_gt
    precision = tp / np.maximum(tp + fp, 1.0)
    if protocol == 'act':
        recall = np.concatenate([[0.0], recall])
        precision = np.concatenate([[1.0], precision])
        return float(
            np.sum(np.diff(recall) * (precision[1:] + precision[:-1]) / 2))
    recall = np.concatenate([[0.0], recall, [1.0]])
    precision = np.concatenate([[0.0], precision, [0.0]])
    precision = np.maximum.accumulate(precision[::-1])[::-1]
    steps = np.flatnonzero(recall[1:] != recall[:-1])
    return float(np.sum((recall[steps + 1] - recall[steps]) *
                        precision[steps + 1]))
