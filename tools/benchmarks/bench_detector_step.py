"""Time one E2E-SSL training step against one supervised step.

    python tools/benchmarks/bench_detector_step.py [--setting tiny|paper]
        [--config CFG] [--batch 8] [--repeats 5] [--threads N] [--no-write]

Both steps see the same ``batch`` clips through the same capsule detector
(Adam step included): the supervised step runs the clips once, the
semi-supervised step runs them and their augmented (flipped) views, so
``2 x batch`` clips go through the network and the expected ratio is about
2. The attention masks (cyclic variance, gradient) are also timed alone.
Results go to the ``detector_step`` section of ``docs/benchmarks.md``.
"""
import argparse
import copy
import os
import os.path as osp
import platform
import statistics
import sys
import time
from typing import Callable, Dict, List, Tuple

import numpy as np
import torch

import mmssl  # noqa: F401  (before mmaction.models)
from mmaction.registry import MODELS
from mmaction.structures import ActionDataSample
from mmengine.config import Config

from mmssl.models.losses import gradient_attention, variance_attention

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from report import update_section  # noqa: E402

HFLIP = np.array([[-1., 0., 0.], [0., 1., 0.]])
IDENTITY = np.array([[1., 0., 0.], [0., 1., 0.]])

#: capsule detectors of the two settings (``clip`` = T, H, W of the input)
SETTINGS = {
    'tiny':
    dict(
        clip=(8, 64, 64),
        detector=dict(
            type='CapsuleDetector',
            backbone=dict(
                type='InceptionI3d', width=0.125, bn_momentum=0.1),
            cls_head=dict(
                type='CapsuleHead',
                in_channels=104,
                num_classes=5,
                num_primary_caps=8,
                primary_kernel=3),
            loc_head=dict(
                type='CapsuleMaskDecoder',
                num_classes=5,
                deep_channels=104,
                skip_channels=(8, 24),
                primary_kernel=3,
                channels=8))),
    'paper':
    dict(
        clip=(8, 224, 224),
        detector=dict(
            type='CapsuleDetector',
            backbone=dict(type='InceptionI3d'),
            cls_head=dict(
                type='CapsuleHead', in_channels=832, num_classes=24),
            loc_head=dict(type='CapsuleMaskDecoder', num_classes=24))),
}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--setting', choices=sorted(SETTINGS),
                        default='tiny')
    parser.add_argument('--config', help='take model.detector (or model) '
                        'and the clip size from this config instead')
    parser.add_argument('--clip', type=int, nargs=3, metavar=('T', 'H', 'W'),
                        help='clip size with --config')
    parser.add_argument('--batch', type=int, default=8,
                        help='clips per step (half labeled)')
    parser.add_argument('--repeats', type=int, default=5)
    parser.add_argument('--threads', type=int, default=None,
                        help='torch threads (default: torch default)')
    parser.add_argument('--no-write', action='store_true',
                        help='print only, do not update docs/benchmarks.md')
    return parser.parse_args()


def detector_config(args: argparse.Namespace) -> Tuple[dict, tuple]:
    """The detector config and the clip size to benchmark."""
    if args.config is None:
        setting = SETTINGS[args.setting]
        return copy.deepcopy(setting['detector']), setting['clip']
    if args.clip is None:
        raise SystemExit('--config needs --clip T H W')
    model = Config.fromfile(args.config).model.to_dict()
    return model.get('detector', model), tuple(args.clip)


def make_samples(batch: int, clip: tuple, num_classes: int,
                 affine: np.ndarray, flip: bool) -> List[ActionDataSample]:
    """Half labeled clips with a box mask, half unlabeled."""
    t, h, w = clip
    samples = []
    for i in range(batch):
        labeled = i % 2 == 0
        sample = ActionDataSample().set_gt_label(
            i % num_classes if labeled else -1)
        mask = torch.zeros(clip, dtype=torch.uint8)
        if labeled:
            mask[:, h // 4:h // 2, w // 8:w // 2] = 1
        sample.set_field(mask.flip(-1) if flip else mask, 'gt_mask')
        sample.set_field(torch.ones(t, dtype=torch.bool), 'gt_frame_valid')
        sample.set_metainfo(
            dict(is_labeled=labeled, video_name=f'clip{i}',
                 frame_inds=np.arange(1, t + 1), ori_shape=(h, w),
                 img_shape=(h, w), view_affine=affine))
        samples.append(sample)
    return samples


def time_it(step: Callable[[], None], repeats: int) -> List[float]:
    """Seconds of ``repeats`` calls after one warm-up call."""
    return time_interleaved(dict(step=step), repeats)['step']


def time_interleaved(steps: Dict[str, Callable[[], None]],
                     repeats: int) -> Dict[str, List[float]]:
    """Seconds of ``repeats`` calls of each step, after one warm-up call
    each; the steps alternate, so a change of machine load affects them
    alike."""
    for step in steps.values():
        step()
    times = {name: [] for name in steps}
    for _ in range(repeats):
        for name, step in steps.items():
            start = time.perf_counter()
            step()
            times[name].append(time.perf_counter() - start)
    return times


def training_step(model: torch.nn.Module, optimizer: torch.optim.Optimizer,
                  inputs, samples) -> Callable[[], None]:
    """One optimisation step: losses, backward, Adam update."""

    def step() -> None:
        optimizer.zero_grad()
        losses = model.loss(inputs, samples)
        sum(v for k, v in losses.items() if 'loss' in k).backward()
        optimizer.step()

    return step


def bench_steps(det_cfg: dict, clip: tuple, batch: int,
                repeats: int) -> Dict[str, List[float]]:
    """Time the supervised and the semi-supervised step."""
    torch.manual_seed(0)
    semi = MODELS.build(dict(type='E2ESSLDetector', detector=det_cfg))
    semi.train()
    detector = semi.detector
    num_classes = detector.num_classes
    clips = torch.rand(batch, 3, *clip)
    orig = make_samples(batch, clip, num_classes, IDENTITY, False)
    aug = make_samples(batch, clip, num_classes, HFLIP, True)
    optimizer = torch.optim.Adam(semi.parameters(), lr=1e-4, eps=1e-6)
    sup_step = training_step(detector, optimizer, clips, orig)
    semi_step = training_step(semi, optimizer,
                              dict(orig=clips, aug=clips.flip(-1)),
                              dict(orig=orig, aug=aug))
    return time_interleaved(dict(sup=sup_step, semi=semi_step), repeats)


def bench_masks(batch: int, clip: tuple, repeats: int) -> Dict[str, float]:
    """Median seconds of each attention mask on ``batch`` clips' maps."""
    maps = torch.rand(batch, 1, *clip)
    restored = torch.rand(batch, 1, *clip)
    return {
        'cyclic variance':
        statistics.median(
            time_it(lambda: variance_attention(maps, restored), repeats)),
        'gradient':
        statistics.median(time_it(lambda: gradient_attention(maps),
                                  repeats)),
    }


def report(args, clip, steps, masks, paper_masks, load: float) -> str:
    sup = statistics.median(steps['sup'])
    semi = statistics.median(steps['semi'])
    name = args.config or f'`{args.setting}` setting'
    cpu = platform.processor() or platform.machine()
    lines = [
        '## Detector training step (E2E-SSL)', '',
        f'`tools/benchmarks/bench_detector_step.py`: {name}, '
        f'{args.batch} clips of {clip[0]} x {clip[1]} x {clip[2]} per step '
        f'(half labeled), Adam step included, median of {args.repeats} '
        f'(the two steps alternating) after one warm-up; CPU `{cpu}`, '
        f'{torch.get_num_threads()} torch threads, torch '
        f'{torch.__version__}; 1-minute load average {load:.1f} before the '
        'run (the machine may be shared).', '',
        '| step | clips through the network | seconds | ratio |',
        '|---|---|---|---|',
        f'| supervised (`CapsuleDetector.loss`) | {args.batch} | '
        f'{sup:.3f} | 1.00 |',
        f'| semi-supervised (`E2ESSLDetector.loss`) | {2 * args.batch} | '
        f'{semi:.3f} | {semi / sup:.2f} |', '',
        'Attention masks alone (seconds per batch of '
        f'{args.batch} clips, no gradient):', '',
        '| mask | this clip size | 8 x 224 x 224 (paper size) |',
        '|---|---|---|'
    ]
    for key in masks:
        lines.append(f'| {key} | {masks[key]:.4f} | '
                     f'{paper_masks[key]:.4f} |')
    return '\n'.join(lines)


def main() -> None:
    args = parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    det_cfg, clip = detector_config(args)
    load = os.getloadavg()[0]
    steps = bench_steps(det_cfg, clip, args.batch, args.repeats)
    masks = bench_masks(args.batch, clip, args.repeats)
    paper_masks = bench_masks(args.batch, (8, 224, 224), args.repeats)
    markdown = report(args, clip, steps, masks, paper_masks, load)
    print(markdown)
    if not args.no_write:
        update_section('detector_step', markdown)


if __name__ == '__main__':
    main()
