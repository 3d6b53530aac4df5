"""Check a detection dataset and report what was found.

    python tools/data/check_data.py ANN_FILE (--videos DIR | --frames DIR) \
        [--masks DIR] [--dataset UCF101_24Dataset] [--split 1] \
        [--filename-tmpl {:05d}.jpg] [--video-ext .avi] [--decode]

Loads the training and test videos of ``ANN_FILE`` exactly as the dataset
classes do (every video opened, frame counts, frame sizes, annotated frames,
boxes and class indices checked against it) and prints counts per split and
per class. With ``--decode`` it also decodes the first, middle and last
frame of every video and builds the targets of one annotated frame (puppet
masks included). Exits with status 1 and the list of problems if anything
is wrong.
"""
import argparse
import sys
from collections import Counter
from typing import List

import numpy as np

from mmssl.datasets import DatasetError, VideoDecodeError
from mmssl.datasets.annotations import (VideoAnnotation,
                                        load_annotation_file)
from mmssl.datasets.transforms import DecodeActionClip, LoadActionTargets
from mmssl.utils import UnsafePickleError


def parse_args(argv: List[str] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Check a detection dataset')
    parser.add_argument('ann_file', help='ACT / E2E-SSL annotation pickle')
    media = parser.add_mutually_exclusive_group(required=True)
    media.add_argument('--videos', help='root of <Class>/<video>.<ext>')
    media.add_argument('--frames', help='root of <Class>/<video>/00001.jpg')
    parser.add_argument('--masks', help='root of <Class>/<video>/'
                        'puppet_mask.mat (JHMDB-21)')
    parser.add_argument('--dataset', default='UCF101_24Dataset',
                        help='dataset type (UCF101_24Dataset, JHMDB21Dataset)')
    parser.add_argument('--split', type=int, default=1, help='1-based split')
    parser.add_argument('--filename-tmpl', default='{:05d}.jpg')
    parser.add_argument('--video-ext', default='.avi')
    parser.add_argument('--decode', action='store_true',
                        help='decode frames and build targets of every video')
    return parser.parse_args(argv)


def build(args: argparse.Namespace, test_mode: bool):
    """The dataset of one split, with no pipeline."""
    import mmssl  # noqa: F401  (registers the datasets)
    from mmaction.registry import DATASETS
    prefix = dict(video=args.videos) if args.videos else dict(
        img=args.frames)
    if args.masks:
        prefix['mask'] = args.masks
    return DATASETS.build(
        dict(
            type=args.dataset,
            ann_file=args.ann_file,
            data_prefix=prefix,
            split=args.split,
            filename_tmpl=args.filename_tmpl,
            video_ext=args.video_ext,
            test_mode=test_mode,
            pipeline=[]))


def video_infos(dataset) -> List[dict]:
    """One info per video (test datasets hold one per window)."""
    seen, infos = set(), []
    for i in range(len(dataset)):
        info = dataset.get_data_info(i)
        if info['video_name'] not in seen:
            seen.add(info['video_name'])
            infos.append(info)
    return infos


def report(name: str, dataset, infos: List[dict],
           videos: List[VideoAnnotation]) -> None:
    """Print the counts of one split (tubes counted on whole videos)."""
    classes = dataset.metainfo['classes']
    tubes = [t for video in videos for t in video.tubes]
    boxes = sum(len(t.frames) for t in tubes)
    frames = sum(info['total_frames'] for info in infos)
    multi = sum(len(video.tubes) > 1 for video in videos)
    masks = sum(info['mask_file'] is not None for info in infos)
    print(f'{name}: {len(infos)} videos, {frames} frames, {len(tubes)} '
          f'tubes, {boxes} boxes, {multi} multi-actor videos, '
          f'{sum(i["is_labeled"] for i in infos)} labeled'
          + (f', {masks} with puppet masks' if masks else ''))
    if len(dataset) != len(infos):
        print(f'  {len(dataset)} test windows')
    shapes = Counter(info.get('resolution') for info in infos)
    print('  frame sizes (h, w): ' + ', '.join(
        f'{shape}: {count}' for shape, count in shapes.most_common()))
    per_class = Counter(info['label'] for info in infos)
    for label in sorted(per_class):
        cls = classes[label] if 0 <= label < len(classes) else '(none)'
        print(f'  {cls:<24} {per_class[label]:>5}')


def decode_all(infos: List[dict]) -> List[str]:
    """Decode first/middle/last frames and one annotated frame's targets."""
    decode, targets = DecodeActionClip(), LoadActionTargets()
    problems = []
    for info in infos:
        total = info['total_frames']
        key = info['key_frames']
        centre = int(key[len(key) // 2]) if len(key) else total // 2 + 1
        results = dict(
            info,
            test_mode=False,
            frame_inds=np.array([0, (total - 1) // 2, total - 1, centre - 1]),
            target_frame_inds=np.array([centre]))
        try:
            targets(decode(results))
        except VideoDecodeError as err:
            problems.append(f'video {info["video_name"]}: {err}')
    return problems


def main(argv: List[str] = None) -> int:
    args = parse_args(argv)
    try:
        fmt = load_annotation_file(args.ann_file, args.split).format
    except (DatasetError, UnsafePickleError) as err:
        print(f'PROBLEMS:\n{err}', file=sys.stderr)
        return 1
    # an E2E-SSL file is one split; an ACT file has train and test videos
    passes = [('train', False), ('test', True)] if fmt == 'act' else [
        ('videos', False)]
    print(f'{args.ann_file}: {fmt} format')
    problems = []
    for name, test_mode in passes:
        try:
            dataset = build(args, test_mode)
        except (DatasetError, UnsafePickleError) as err:
            problems.append(f'[{name}] {err}')
            continue
        infos = video_infos(dataset)
        videos = load_annotation_file(args.ann_file, args.split,
                                      test_mode).videos
        report(name, dataset, infos, videos)
        if args.decode:
            problems.extend(f'[{name}] {p}' for p in decode_all(infos))
    if problems:
        print('\nPROBLEMS:\n' + '\n'.join(problems), file=sys.stderr)
        return 1
    print('OK')
    return 0


if __name__ == '__main__':
    sys.exit(main())
