"""Split the training videos of an annotation file into labeled and
unlabeled lists.

    python tools/data/split_labeled.py ANN_FILE \
        (--percent P [--random] | --per-class N) [--seed 47] [--split 1] \
        --out-dir DIR

``ANN_FILE`` is an ACT ground-truth pickle (``UCF101v2-GT.pkl``,
``JHMDB-GT.pkl``: its ``train_videos`` of ``--split``), an E2E-SSL pickle, or
an MMAction2 video list (``path label`` per line). Three conventions
(:mod:`mmssl.datasets.label_split`; every result must say which one it used):

* ``--percent P``: per class, the videos are sorted, shuffled with
  ``random.Random(seed)`` and the first ``max(1, floor(P * n / 100))`` are
  labeled (E2E-SSL; the detection datasets' ``labeled_percent``).
* ``--per-class N``: the first ``N`` of each class in the same order
  (SVFormer: UCF101 1 % = 1 per class, Kinetics-400 1 % = 6 per class).
* ``--percent P --random``: a random ``max(1, floor(P * N / 100))`` of all
  ``N`` videos, classes ignored (VideoSSL / LTG lists: UCF101 10 % = 953).

Writes ``DIR/labeled.txt`` and ``DIR/unlabeled.txt`` (one video name per
line, in the file's order; for a video list the original lines),
``DIR/split.json`` (convention, options, source and per-class counts, for
results to cite) and prints the per-class counts. E2E-SSL videos without a
class (label -1) are always unlabeled; list lines without a label are grouped
by their class folder. The unlabeled list is an ordinary ``VideoDataset``
list: any other list (videos of classes outside the label set, or lines
without a label, which read as -1) can replace or extend it, since the labels
of unlabeled videos are never read.
"""
import argparse
import json
import os
import os.path as osp
import sys
from typing import List

from mmssl.datasets import DatasetError
from mmssl.datasets.annotations import (VideoAnnotation, load_annotation_file,
                                        video_class_keys)
from mmssl.datasets.label_split import (check_percent, count_per_class,
                                        split_labeled_videos,
                                        split_per_class_count, split_random)
from mmssl.utils import UnsafePickleError


def parse_args(argv: List[str] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Stratified labeled/unlabeled split of training videos')
    parser.add_argument('ann_file', help='ACT / E2E-SSL pickle or video list')
    amount = parser.add_mutually_exclusive_group(required=True)
    amount.add_argument('--percent', type=float,
                        help='percentage of each class (of all videos with '
                        '--random) to label, in (0, 100]')
    amount.add_argument('--per-class', type=int,
                        help='number of videos of each class to label')
    parser.add_argument('--random', action='store_true',
                        help='with --percent: a random percentage of all '
                        'videos, classes ignored (VideoSSL-style lists)')
    parser.add_argument('--seed', type=int, default=47,
                        help='shuffling seed (E2E-SSL uses 47)')
    parser.add_argument('--split', type=int, default=1,
                        help='1-based split of an ACT file')
    parser.add_argument('--out-dir', required=True,
                        help='where labeled.txt and unlabeled.txt go')
    args = parser.parse_args(argv)
    if args.percent is not None:
        try:
            check_percent(args.percent, '--percent')
        except ValueError as err:
            parser.error(str(err))
    elif args.per_class < 1:
        parser.error(f'--per-class must be >= 1, got {args.per_class}')
    if args.random and args.percent is None:
        parser.error('--random needs --percent (a share of all videos)')
    return args


def convention(args: argparse.Namespace) -> dict:
    """The split convention and its options, as written to split.json."""
    if args.per_class is not None:
        return dict(convention='per-class count', per_class=args.per_class,
                    seed=args.seed)
    name = 'random list' if args.random else 'per-class percent'
    return dict(convention=name, percent=args.percent, seed=args.seed)


def choose_labeled(args: argparse.Namespace, names: List[str],
                   keys: list) -> List[str]:
    """Labeled names under the convention the options ask for."""
    if args.per_class is not None:
        return split_per_class_count(names, keys, args.per_class,
                                     args.seed)[0]
    if args.random:
        return split_random(names, args.percent, args.seed)[0]
    return split_labeled_videos(names, keys, args.percent, args.seed)[0]


def class_name(key, classes) -> str:
    """Printable class of a stratification key."""
    if isinstance(key, int) and classes and 0 <= key < len(classes):
        return classes[key]
    return str(key)


def write_lines(path: str, lines: List[str]) -> None:
    with open(path, 'w') as f:
        f.writelines(line + '\n' for line in lines)


def main(argv: List[str] = None) -> None:
    args = parse_args(argv)
    try:
        ann = load_annotation_file(args.ann_file, split=args.split)
    except (DatasetError, UnsafePickleError) as err:
        sys.exit(f'error: {err}')
    videos: List[VideoAnnotation] = ann.videos
    has_class = [v for v in videos
                 if not (ann.format == 'e2e' and v.label < 0)]
    keys = video_class_keys(has_class)
    labeled = choose_labeled(args, [v.name for v in has_class], keys)
    chosen = set(labeled)
    line = {v.name: (v.path if ann.format == 'list' else v.name)
            for v in videos}
    labeled_lines = [line[v.name] for v in videos if v.name in chosen]
    unlabeled_lines = [line[v.name] for v in videos if v.name not in chosen]
    if ann.format == 'list':  # keep the label column of the original list
        with open(args.ann_file) as f:
            original = {ln.split()[0]: ln.rstrip('\n') for ln in f
                        if ln.strip()}
        labeled_lines = [original[p] for p in labeled_lines]
        unlabeled_lines = [original[p] for p in unlabeled_lines]
    os.makedirs(args.out_dir, exist_ok=True)
    write_lines(osp.join(args.out_dir, 'labeled.txt'), labeled_lines)
    write_lines(osp.join(args.out_dir, 'unlabeled.txt'), unlabeled_lines)

    names = [v.name for v in has_class]
    totals = count_per_class(names, keys, names)
    counts = count_per_class(names, keys, labeled)
    info = convention(args)
    write_info(osp.join(args.out_dir, 'split.json'), info, args.ann_file,
               counts, totals, ann.classes, len(labeled_lines),
               len(unlabeled_lines))
    options = ', '.join(f'{k} {v}' for k, v in info.items()
                        if k != 'convention')
    print(f'{ann.format} file {args.ann_file}: {len(videos)} training videos,'
          f' {info["convention"]} ({options})')
    print(f'{"class":<24} {"labeled":>8} {"total":>6}')
    for key in sorted(totals, key=lambda k: (str(type(k)), k)):
        print(f'{class_name(key, ann.classes):<24} {counts[key]:>8} '
              f'{totals[key]:>6}')
    no_class = len(videos) - len(has_class)
    if no_class:
        print(f'{"(no class)":<24} {0:>8} {no_class:>6}')
    print(f'{"total":<24} {len(labeled_lines):>8} {len(videos):>6}')
    print(f'wrote {osp.join(args.out_dir, "labeled.txt")}, '
          f'{osp.join(args.out_dir, "unlabeled.txt")} and split.json')


def write_info(path: str, info: dict, source: str, counts: dict,
               totals: dict, classes, num_labeled: int,
               num_unlabeled: int) -> None:
    """Write the split's description (``split.json``)."""
    per_class = {
        class_name(key, classes): [counts[key], totals[key]]
        for key in sorted(totals, key=lambda k: (str(type(k)), k))
    }
    with open(path, 'w') as f:
        json.dump(dict(info, source=source, num_labeled=num_labeled,
                       num_unlabeled=num_unlabeled,
                       labeled_of_total_per_class=per_class), f, indent=1)
        f.write('\n')


if __name__ == '__main__':
    sys.exit(main())
