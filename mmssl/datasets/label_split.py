"""Stratified labeled / unlabeled split of training videos.

The one definition used by the detection datasets (``labeled_percent`` in a
config) and by ``tools/data/split_labeled.py``: for every class, the class's
videos are sorted by name, shuffled with ``random.Random(seed)`` (a fresh
generator per class, as the E2E-SSL release does with seed 47) and the first
``max(1, floor(percent * n / 100))`` become labeled.

The two other conventions of the semi-supervised recognition literature:
:func:`split_per_class_count` (a fixed number of labeled videos per class,
SVFormer) and :func:`split_random` (a random percentage of all videos,
VideoSSL / LTG lists).
"""
import random
from collections import defaultdict
from fractions import Fraction
from typing import Callable, Dict, Hashable, List, Sequence, Tuple


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
    return _split_each_class(videos, classes, seed,
                             lambda size: num_labeled(size, percent))


def count_per_class(videos: Sequence[str], classes: Sequence[Hashable],
                    subset: Sequence[str]) -> Dict[Hashable, int]:
    """Number of videos of ``subset`` in each class (classes of ``videos``
    in first-seen order, zeros included)."""
    chosen = set(subset)
    counts: Dict[Hashable, int] = {}
    for video, cls in zip(videos, classes):
        counts[cls] = counts.get(cls, 0) + (video in chosen)
    return counts


def split_per_class_count(
        videos: Sequence[str],
        classes: Sequence[Hashable],
        count: int,
        seed: int = 47) -> Tuple[List[str], List[str]]:
    """Label ``count`` videos of every class (SVFormer's per-class lists:
    UCF101 "1 %" = 1 video per class, Kinetics-400 "1 %" = 6 per class).

    Per class, the videos are sorted, shuffled with ``random.Random(seed)``
    and the first ``min(count, n)`` are labeled, as in
    :func:`split_labeled_videos`.

    Args:
        videos (Sequence[str]): unique video names.
        classes (Sequence[Hashable]): class of each video.
        count (int): labeled videos per class, >= 1.
        seed (int): shuffling seed.

    Returns:
        tuple[list[str], list[str]]: labeled and unlabeled names, each in the
        order of ``videos``.
    """
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise ValueError(f'count per class must be an integer >= 1, got '
                         f'{count!r}')
    return _split_each_class(videos, classes, seed, lambda size: count)


def split_random(videos: Sequence[str],
                 percent: float,
                 seed: int = 47) -> Tuple[List[str], List[str]]:
    """Label a random ``percent`` of all videos, ignoring classes (the
    VideoSSL-style random lists, e.g. UCF101 10 % = 953 videos; a class may
    get no labeled video).

    The names are sorted, shuffled with ``random.Random(seed)`` and the first
    ``max(1, floor(percent * N / 100))`` are labeled.

    Args:
        videos (Sequence[str]): unique video names.
        percent (float): percentage of all videos, in (0, 100].
        seed (int): shuffling seed.

    Returns:
        tuple[list[str], list[str]]: labeled and unlabeled names, each in the
        order of ``videos``.
    """
    _check_videos(videos, videos)
    shuffled = sorted(videos)
    random.Random(seed).shuffle(shuffled)
    labeled = set(shuffled[:num_labeled(len(shuffled), percent)])
    return ([v for v in videos if v in labeled],
            [v for v in videos if v not in labeled])


def _split_each_class(videos: Sequence[str], classes: Sequence[Hashable],
                      seed: int, how_many: Callable[[int], int]
                      ) -> Tuple[List[str], List[str]]:
    """Label the first ``how_many(class size)`` videos of each class after
    a seeded shuffle of its sorted names; the rest are unlabeled. Both lists
    keep the input order."""
    _check_videos(videos, classes)
    by_class: Dict[Hashable, List[str]] = defaultdict(list)
    for video, cls in zip(videos, classes):
        by_class[cls].append(video)
    labeled = set()
    for members in by_class.values():
        members = sorted(members)
        random.Random(seed).shuffle(members)
        labeled.update(members[:how_many(len(members))])
    return ([v for v in videos if v in labeled],
            [v for v in videos if v not in labeled])


def _check_videos(videos: Sequence[str], classes: Sequence) -> None:
    if len(videos) != len(classes):
        raise ValueError(f'{len(videos)} videos but {len(classes)} classes')
    if len(set(videos)) != len(videos):
        raise ValueError('video names must be unique')
