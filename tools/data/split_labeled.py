"""Split the training videos of an annotation file into labeled and
unlabeled lists, stratified per class.

    python tools/data/split_labeled.py ANN_FILE --percent P [--seed 47] \
        [--split 1] --out-dir DIR

``ANN_FILE`` is an ACT ground-truth pickle (``UCF101v2-GT.pkl``,
``JHMDB-GT.pkl``: its ``train_videos`` of ``--split``), an E2E-SSL pickle, or
an MMAction2 video list (``path label`` per line). Per class the videos are
sorted, shuffled with ``random.Random(seed)`` and the first ``max(1,
floor(P * n / 100))`` are labeled (:mod:`mmssl.datasets.label_split`).
Writes ``DIR/labeled.txt`` and ``DIR/unlabeled.txt`` (one video name per
line, in the file's order; for a video list the original lines) and prints
the per-class counts. Videos without a class (E2E-SSL label -1) are always
unlabeled.
"""
import argparse
import os
import os.path as osp
import sys
from typing import List

from mmssl.datasets import DatasetError
from mmssl.datasets.annotations import (VideoAnnotation, load_annotation_file,
                                        video_class_keys)
from mmssl.datasets.label_split import (check_percent, count_per_class,
                                        split_labeled_videos)
from mmssl.utils import UnsafePickleError


def parse_args(argv: List[str] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Stratified labeled/unlabeled split of training videos')
    parser.add_argument('ann_file', help='ACT / E2E-SSL pickle or video list')
    parser.add_argument('--percent', type=float, required=True,
                        help='percentage of each class to label, in (0, 100]')
    parser.add_argument('--seed', type=int, default=47,
                        help='shuffling seed (E2E-SSL uses 47)')
    parser.add_argument('--split', type=int, default=1,
                        help='1-based split of an ACT file')
    parser.add_argument('--out-dir', required=True,
                        help='where labeled.txt and unlabeled.txt go')
    args = parser.parse_args(argv)
    try:
        check_percent(args.percent, '--percent')
    except ValueError as err:
        parser.error(str(err))
    return args


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
    labeled, _ = split_labeled_videos([v.name for v in has_class], keys,
                                      args.percent, args.seed)
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
    print(f'{ann.format} file {args.ann_file}: {len(videos)} training videos,'
          f' {args.percent}% per class, seed {args.seed}')
    print(f'{"class":<24} {"labeled":>8} {"total":>6}')
    for key in sorted(totals, key=lambda k: (str(type(k)), k)):
        print(f'{class_name(key, ann.classes):<24} {counts[key]:>8} '
              f'{totals[key]:>6}')
    no_class = len(videos) - len(has_class)
    if no_class:
        print(f'{"(no class)":<24} {0:>8} {no_class:>6}')
    print(f'{"total":<24} {len(labeled_lines):>8} {len(videos):>6}')
    print(f'wrote {osp.join(args.out_dir, "labeled.txt")} and '
          f'{osp.join(args.out_dir, "unlabeled.txt")}')


if __name__ == '__main__':
    sys.exit(main())
