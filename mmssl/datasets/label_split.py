"""Stratified labeled / unlabeled split of training videos.

The one definition used by the detection datasets (``labeled_percent`` in a
config) and by ``tools/data/split_labeled.py``: for every class, the class's
videos are sorted by name, shuffled with ``random.Random(seed)`` (a fresh
generator per class, as the E2E-SSL release does with seed 47) and the first
``max(1, floor(percent * n / 100))`` become labeled.
"""
import random
from collections import defaultdict
from fractions import Fraction
from typing import Dict, Hashable, List, Sequence, Tuple


def check_percent(percent: float, name: str = 'percent') -> Fraction:
    """Validate a labeled percentage.

    Args:
        percent (float): percentage of labeled videos, in (0, 100].
        name (str): name of the option for the error message.

    Returns:
        Fraction: the percentage as an exact fraction (``20`` -> ``20``,
        ``0.5`` -> ``1/2``), so that ``floor(p * n / 100)`` has no rounding
        error.
    """
    try:
        exact = Fraction(str(percent))
    except (TypeError, ValueError):
        raise ValueError(f'{name} must be a number in (0, 100], '
                         f'got {percent!r}') from None
    if not 0 < exact <= 100:
        raise ValueError(f'{name} must be in (0, 100], got {percent}')
    return exact


def num_labeled(num_videos: int, percent: float) -> int:
    """How many of a class's ``num_videos`` videos are labeled.

    Args:
        num_videos (int): videos of the class.
        percent (float): percentage in (0, 100].

    Returns:
        int: ``max(1, floor(percent * num_videos / 100))`` (0 for an empty
        class).
    """
    if num_videos == 0:
        return 0
    count = int(check_percent(percent) * num_videos // 100)
    return max(1, count)


def split_labeled_videos(
        videos: Sequence[str],
        classes: Sequence[Hashable],
        percent: float,
        seed: int = 47) -> Tuple[List[str], List[str]]:
    """Split training videos into labeled and unlabeled, per class.

    Args:
        videos (Sequence[str]): unique video names.
        classes (Sequence[Hashable]): class of each video (index or name).
        percent (float): percentage of each class to label, in (0, 100].
        seed (int): shuffling seed. Defaults to 47 (E2E-SSL).

    Returns:
        tuple[list[str], list[str]]: labeled and unlabeled names, each in the
        order of ``videos``.
    """
    check_percent(percent)
    if len(videos) != len(classes):
        raise ValueError(f'{len(videos)} videos but {len(classes)} classes')
    if len(set(videos)) != len(videos):
        raise ValueError('video names must be unique')
    by_class: Dict[Hashable, List[str]] = defaultdict(list)
    for video, cls in zip(videos, classes):
        by_class[cls].append(video)
    labeled = set()
    for members in by_class.values():
        members = sorted(members)
        random.Random(seed).shuffle(members)
        labeled.update(members[:num_labeled(len(members), percent)])
    return ([v for v in videos if v in labeled],
            [v for v in videos if v not in labeled])


def count_per_class(videos: Sequence[str], classes: Sequence[Hashable],
                    subset: Sequence[str]) -> Dict[Hashable, int]:
    """Number of videos of ``subset`` in each class (classes of ``videos``
    in first-seen order, zeros included)."""
    chosen = set(subset)
    counts: Dict[Hashable, int] = {}
    for video, cls in zip(videos, classes):
        counts[cls] = counts.get(cls, 0) + (video in chosen)
    return counts
