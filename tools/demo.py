"""Train a supervised and a semi-supervised detector on the synthetic set
(same labeled subset), test both, and print their metrics side by side.

    python tools/demo.py [--work-dir work_dirs/demo] [--jobs 2] [--seed 0]

Writes the synthetic set to ``data/synthetic`` if it is not there. The two
trainings run at once, one thread each (faster on 2 cores than one after
the other); their logs are written to ``<work-dir>/<config>_seed0/`` and the
last training line of each is shown every 30 seconds. The table comes last.
Runs on the CPU in minutes.
"""
import argparse
import os
import os.path as osp
import subprocess
import sys
import threading
import time
from typing import Dict

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, osp.join(ROOT, 'tools', 'benchmarks'))
from grid import Arm, run_grid  # noqa: E402

ARMS = [
    Arm('tiny_synthetic_sup', 'supervised (25% labeled)',
        'configs/ssad/tiny_synthetic_sup.py', 25),
    Arm('tiny_synthetic_semi', 'E2E-SSL (25% + 75% unlabeled)',
        'configs/ssad/tiny_synthetic_semi.py', 25),
]
KEYS = ('mask/f-mAP@0.2', 'mask/f-mAP@0.5', 'mask/v-mAP@0.2',
        'mask/v-mAP@0.5', 'det/frame-AP@0.5', 'det/video-AP@0.2',
        'det/video-AP@0.5', 'det/video-AP@0.5:0.95', 'cls/video-acc')


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--work-dir', default='work_dirs/demo')
    parser.add_argument('--jobs', type=int, default=2,
                        help='trainings at a time (1: one after the other '
                        'with --threads threads)')
    parser.add_argument('--threads', type=int, default=1)
    parser.add_argument('--seed', type=int, default=0,
                        help='seed of the runs (model, augmentation, data '
                        'order); the synthetic set is written with seed 0')
    return parser.parse_args()


def last_train_line(path: str) -> str:
    """The newest ``Iter(train)`` line of a training log, shortened."""
    if not osp.isfile(path):
        return 'starting'
    with open(path, errors='replace') as f:
        lines = [line for line in f if 'Iter(train)' in line]
    if not lines:
        return 'building'
    line = lines[-1]
    return line[line.index('Iter(train)'):].strip()[:110]


def show_progress(work_dir: str, seed: int, stop: threading.Event) -> None:
    """Print each training's last log line every 30 s until ``stop``."""
    while not stop.wait(30):
        for arm in ARMS:
            log = osp.join(ROOT, work_dir, f'{arm.name}_seed{seed}',
                           'train_stdout.log')
            print(f'[demo] {arm.label}: {last_train_line(log)}', flush=True)


def main() -> None:
    args = parse_args()
    start = time.time()
    data_root = osp.join(ROOT, 'data', 'synthetic')  # read by the configs
    if not osp.isfile(osp.join(data_root, 'annotations', 'UCF101v2-GT.pkl')):
        subprocess.run([sys.executable, 'tools/data/make_synthetic.py',
                        data_root], cwd=ROOT, check=True)
    results_dir = osp.join(ROOT, args.work_dir, 'metrics')
    for arm in ARMS:  # a new demo trains anew
        done = osp.join(ROOT, args.work_dir, f'{arm.name}_seed{args.seed}',
                        'train_done.json')
        if osp.isfile(done):
            os.remove(done)
    print(f'[demo] training and testing {len(ARMS)} models; logs under '
          f'{args.work_dir}/', flush=True)
    stop = threading.Event()
    progress = threading.Thread(target=show_progress,
                                args=(args.work_dir, args.seed, stop),
                                daemon=True)
    progress.start()
    try:
        records = run_grid([(arm, args.seed) for arm in ARMS], args.work_dir,
                           results_dir, args.jobs, args.threads)
    except RuntimeError as err:
        sys.exit(f'demo: {err}')
    finally:
        stop.set()
    results: Dict[str, dict] = {r['label']: r['metrics'] for r in records}
    names = [arm.label for arm in ARMS]
    width = max(len(k) for k in KEYS)
    print(f'\nSynthetic test split, 120 videos ({time.time() - start:.0f} s '
          'in all; one seed: docs/results.md has the mean +- std of 3):')
    print(f'{"metric":<{width}} | ' + ' | '.join(names))
    print('-' * width + '-|-' + '-|-'.join('-' * len(n) for n in names))
    for key in KEYS:
        cells = [f'{results[n].get(key, float("nan")):>{len(n)}.1f}'
                 for n in names]
        print(f'{key:<{width}} | ' + ' | '.join(cells))


if __name__ == '__main__':
    main()
