"""Train a supervised and a semi-supervised detector on the synthetic set
(same labeled subset), test both, and print their metrics side by side.

    python tools/demo.py [--work-dir work_dirs/demo] [--iters N] [--seed 0]

Writes the synthetic set to ``data/synthetic`` if it is not there. Progress
(training losses, test progress bars) streams to the terminal; the table comes
last. Runs on the CPU in minutes.
"""
import argparse
import glob
import json
import os
import os.path as osp
import subprocess
import sys
import time
from typing import Dict

from mmssl.utils.schedule import scaled_schedule_args

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
CONFIGS = {
    'supervised (25% labeled)': 'configs/ssad/tiny_synthetic_sup.py',
    'E2E-SSL (25% + 75% unlabeled)': 'configs/ssad/tiny_synthetic_semi.py',
}
KEYS = ('mask/f-mAP@0.2', 'mask/f-mAP@0.5', 'mask/v-mAP@0.2',
        'mask/v-mAP@0.5', 'det/frame-AP@0.5', 'det/video-AP@0.2',
        'det/video-AP@0.5', 'det/video-AP@0.5:0.95', 'cls/video-acc')


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--work-dir', default='work_dirs/demo')
    parser.add_argument('--iters', type=int, default=None,
                        help='training iterations of both models (the '
                        'configs\' max_iters, 500, by default); the '
                        'learning-rate schedule and ramp-up are scaled alike')
    parser.add_argument('--seed', type=int, default=0,
                        help='seed of the synthetic set')
    return parser.parse_args()


def run(args: list) -> None:
    """Run a command from the repository root, streaming its output."""
    print('$', ' '.join(args), flush=True)
    proc = subprocess.run(args, cwd=ROOT)
    if proc.returncode != 0:
        sys.exit(f'demo: command failed with exit code {proc.returncode}: '
                 f'{" ".join(args)}')


def test_metrics(test_dir: str) -> Dict[str, float]:
    """The metrics ``tools/test.py`` wrote under ``test_dir``."""
    found = sorted(glob.glob(osp.join(test_dir, '*', '*.json')))
    if not found:
        sys.exit(f'demo: no metrics file under {test_dir}')
    with open(found[-1]) as f:
        return json.load(f)


def main() -> None:
    args = parse_args()
    start = time.time()
    data_root = osp.join(ROOT, 'data', 'synthetic')  # read by the configs
    ann = osp.join(data_root, 'annotations', 'UCF101v2-GT.pkl')
    if not osp.isfile(ann):
        run([sys.executable, 'tools/data/make_synthetic.py', data_root,
             '--seed', str(args.seed)])
    results = {}
    for name, config in CONFIGS.items():
        tag = osp.splitext(osp.basename(config))[0]
        work_dir = osp.join(args.work_dir, tag)
        extra = scaled_schedule_args(osp.join(ROOT, config), args.iters) \
            if args.iters else []
        print(f'\n== training {name}: {config}', flush=True)
        run([sys.executable, 'tools/train.py', config, '--work-dir',
             work_dir] + extra)
        checkpoint = osp.join(work_dir, 'last_checkpoint')
        with open(osp.join(ROOT, checkpoint)) as f:
            checkpoint = f.read().strip()
        print(f'\n== testing {name}', flush=True)
        test_dir = osp.join(work_dir, 'test')
        run([sys.executable, 'tools/test.py', config, checkpoint,
             '--work-dir', test_dir])
        results[name] = test_metrics(osp.join(ROOT, test_dir))
    names = list(results)
    width = max(len(k) for k in KEYS)
    print(f'\nSynthetic test split ({time.time() - start:.0f} s in all):')
    print(f'{"metric":<{width}} | ' + ' | '.join(names))
    print('-' * width + '-|-' + '-|-'.join('-' * len(n) for n in names))
    for key in KEYS:
        cells = [f'{results[n].get(key, float("nan")):>{len(n)}.1f}'
                 for n in names]
        print(f'{key:<{width}} | ' + ' | '.join(cells))


if __name__ == '__main__':
    main()
