"""Train and test every semi-supervised detection method on the embedded
synthetic set with the same labeled subset, and write the comparison table
to ``docs/results.md`` (section ``detection``).

    python tools/benchmarks/ssad_results.py [--only NAME ...] [--iters N]
        [--work-dir work_dirs/ssad_results] [--force] [--table-only]

Each method trains through ``tools/train.py`` and tests through
``tools/test.py`` in a subprocess (as ``tools/demo.py`` does); its metrics,
iterations and wall times are cached in ``<work-dir>/<name>/results.json``,
so methods can be run one at a time (``--only``) and the table rebuilt from
the caches (``--table-only``). A cached method is retrained only with
``--force`` or when ``--iters`` asks for another number of iterations.
Writes the synthetic set to ``data/synthetic`` if it is not there.
"""
import argparse
import glob
import json
import os
import os.path as osp
import re
import subprocess
import sys
import time
from typing import Dict, List, NamedTuple, Optional

from mmssl.utils.schedule import scaled_schedule_args

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from report import update_section  # noqa: E402


class Method(NamedTuple):
    label: str
    labels: str
    config: str


SUPERVISED, UPPER_BOUND = 'supervised', 'supervised_100pct'
METHODS: Dict[str, Method] = {
    SUPERVISED: Method('Supervised', '25%',
                       'configs/ssad/tiny_synthetic_sup.py'),
    'e2e_ssl': Method('E2E-SSL', '25% + 75% unlabeled',
                      'configs/ssad/tiny_synthetic_semi.py'),
    'pseudo_label': Method(
        'Pseudo-label', '25% + 75% unlabeled',
        'configs/ssad/baselines/tiny_synthetic_pseudo_label.py'),
    'mixmatch': Method('MixMatch', '25% + 75% unlabeled',
                       'configs/ssad/baselines/tiny_synthetic_mixmatch.py'),
    'co_ssd_cc': Method(
        'Co-SSD(CC)', '25% + 75% unlabeled',
        'configs/ssad/baselines/tiny_synthetic_co_ssd_cc.py'),
    'mean_teacher': Method(
        'Mean Teacher', '25% + 75% unlabeled',
        'configs/ssad/baselines/tiny_synthetic_mean_teacher.py'),
    UPPER_BOUND: Method(
        'Supervised (upper bound)', '100%',
        'configs/ssad/baselines/tiny_synthetic_sup_100pct.py'),
}
#: table column -> metric key written by ``tools/test.py``
METRICS = {
    'f-mAP@0.2': 'mask/f-mAP@0.2',
    'f-mAP@0.5': 'mask/f-mAP@0.5',
    'v-mAP@0.5': 'mask/v-mAP@0.5',
    'frame-AP@0.5': 'det/frame-AP@0.5',
    'video-AP@0.5': 'det/video-AP@0.5',
    'video acc.': 'cls/video-acc',
}


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--only', nargs='+', choices=list(METHODS),
                        metavar='NAME',
                        help=f'methods to run, of {", ".join(METHODS)} '
                        '(default: all)')
    parser.add_argument('--iters', type=int, default=None,
                        help='training iterations (the configs\' max_iters, '
                        '500, by default); the learning-rate schedule, '
                        'ramp-up and warm-up are scaled alike')
    parser.add_argument('--work-dir', default='work_dirs/ssad_results')
    parser.add_argument('--force', action='store_true',
                        help='retrain methods that have cached results')
    parser.add_argument('--table-only', action='store_true',
                        help='train nothing; rebuild the table from caches')
    parser.add_argument('--out', default='docs/results.md')
    parser.add_argument('--section', default='detection')
    parser.add_argument('--seed', type=int, default=0,
                        help='seed of the synthetic set if it is written')
    return parser.parse_args(argv)


def run(args: List[str]) -> float:
    """Run a command from the repository root, streaming its output.

    Returns:
        float: its wall time in seconds.
    """
    print('$', ' '.join(args), flush=True)
    start = time.time()
    proc = subprocess.run(args, cwd=ROOT)
    if proc.returncode != 0:
        sys.exit(f'ssad_results: command failed with exit code '
                 f'{proc.returncode}: {" ".join(args)}')
    return time.time() - start


def cache_path(work_dir: str, name: str) -> str:
    return osp.join(ROOT, work_dir, name, 'results.json')


def load_cached(work_dir: str, name: str) -> Optional[dict]:
    """The cached results of a method, or None."""
    path = cache_path(work_dir, name)
    if not osp.isfile(path):
        return None
    with open(path) as f:
        return json.load(f)


def config_iters(config: str) -> int:
    """``train_cfg.max_iters`` of a config."""
    from mmengine.config import Config
    cfg = Config.fromfile(osp.join(ROOT, config),
                          import_custom_modules=False)
    return int(cfg.train_cfg.max_iters)


def test_metrics(test_dir: str) -> Dict[str, float]:
    """The metrics JSON ``tools/test.py`` wrote last under ``test_dir``."""
    found = sorted(glob.glob(osp.join(test_dir, '*', '*.json')))
    if not found:
        sys.exit(f'ssad_results: no metrics file under {test_dir}')
    with open(found[-1]) as f:
        return json.load(f)


def train_and_test(name: str, work_dir: str,
                   iters: Optional[int]) -> dict:
    """Train and test one method; cache and return its results."""
    method = METHODS[name]
    method_dir = osp.join(work_dir, name)
    extra = scaled_schedule_args(osp.join(ROOT, method.config), iters) \
        if iters else []
    print(f'\n== training {method.label}: {method.config}', flush=True)
    train_s = run([sys.executable, 'tools/train.py', method.config,
                   '--work-dir', method_dir] + extra)
    with open(osp.join(ROOT, method_dir, 'last_checkpoint')) as f:
        checkpoint = f.read().strip()
    found = re.search(r'iter_(\d+)\.pth$', checkpoint)
    if found is None:
        sys.exit(f'ssad_results: cannot read the iteration from the '
                 f'checkpoint name {checkpoint!r}')
    print(f'\n== testing {method.label}', flush=True)
    test_dir = osp.join(method_dir, 'test')
    test_s = run([sys.executable, 'tools/test.py', method.config,
                  checkpoint, '--work-dir', test_dir])
    results = dict(
        name=name, config=method.config, iters=int(found.group(1)),
        train_seconds=round(train_s, 1), test_seconds=round(test_s, 1),
        metrics=test_metrics(osp.join(ROOT, test_dir)))
    with open(cache_path(work_dir, name), 'w') as f:
        json.dump(results, f, indent=2)
    return results


def metric(results: Optional[dict], column: str) -> Optional[float]:
    """A table metric of a method's results (None when not run)."""
    if results is None:
        return None
    key = METRICS[column]
    if key not in results['metrics']:
        found = sorted(results['metrics'])
        raise KeyError(f'{results["config"]}: metric {key!r} missing from '
                       f'the cached results (has {found})')
    return float(results['metrics'][key])


def table(results: Dict[str, Optional[dict]]) -> str:
    """The markdown table, one row per method."""
    head = ['Method', 'Labels'] + list(METRICS) + [
        'Iterations', 'Wall time (train + test)', 'Config']
    lines = ['| ' + ' | '.join(head) + ' |',
             '|' + '---|' * len(head)]
    for name, method in METHODS.items():
        res = results.get(name)
        if res is None:
            cells = ['not run'] * len(METRICS) + ['-', '-']
        else:
            cells = [f'{metric(res, c):.1f}' for c in METRICS]
            cells += [str(res['iters']),
                      f'{res["train_seconds"]:.0f} s + '
                      f'{res["test_seconds"]:.0f} s']
        lines.append('| ' + ' | '.join(
            [method.label, method.labels] + cells +
            [f'`{method.config}`']) + ' |')
    return '\n'.join(lines)


def findings(results: Dict[str, Optional[dict]]) -> List[str]:
    """Statements computed from the numbers: where each semi-supervised
    method does or does not beat the supervised model on the same labels,
    and, where it gains, how much of the gap to the upper bound it
    closes."""
    done = {k: v for k, v in results.items() if v is not None}
    notes = []
    iters = sorted({v['iters'] for v in done.values()})
    if len(iters) > 1:
        notes.append(f'The rows were trained for different numbers of '
                     f'iterations ({", ".join(map(str, iters))}); only rows '
                     'with equal iterations are comparable.')
    base = done.get(SUPERVISED)
    if base is None:
        notes.append('The supervised 25% baseline has not been run, so no '
                     'method can be compared with it.')
        return notes
    upper = done.get(UPPER_BOUND)
    if upper is not None:
        worse = [c for c in METRICS
                 if metric(upper, c) <= metric(base, c)]
        if worse:
            notes.append(
                'The supervised 100% model is not above the supervised 25% '
                f'model on {", ".join(worse)}: at this training length the '
                'upper bound is not an upper bound there.')
    for name, res in done.items():
        if name in (SUPERVISED, UPPER_BOUND):
            continue
        label = METHODS[name].label
        delta = {c: metric(res, c) - metric(base, c) for c in METRICS}
        losing = [f'{c} ({delta[c]:+.1f})' for c in METRICS
                  if delta[c] <= 0]
        gaining = [f'{c} ({delta[c]:+.1f})' for c in METRICS
                   if delta[c] > 0]
        if not gaining:
            text = (f'**{label} does not help**: it is not above the '
                    f'supervised 25% model on any metric: '
                    f'{", ".join(losing)}.')
        elif losing:
            text = (f'{label} does not help on {", ".join(losing)}; it '
                    f'gains on {", ".join(gaining)}.')
        else:
            text = (f'{label} is above the supervised 25% model on every '
                    f'metric: {", ".join(gaining)}.')
        if upper is not None and delta['f-mAP@0.5'] > 0:
            gap = metric(upper, 'f-mAP@0.5') - metric(base, 'f-mAP@0.5')
            if gap > 0:
                text += (f' It closes {100 * delta["f-mAP@0.5"] / gap:.0f}% '
                         'of the f-mAP@0.5 gap to the supervised 100% '
                         'model.')
        notes.append(text)
    small = [METHODS[n].label for n, r in done.items()
             if n not in (SUPERVISED, UPPER_BOUND) and
             0 < abs(metric(r, 'f-mAP@0.5') - metric(base, 'f-mAP@0.5')) < 1]
    if small:
        notes.append(f'f-mAP@0.5 differences under 1 point ({", ".join(small)}'
                     ') are within what one training run per method can '
                     'show; each row is a single run.')
    return notes


def report(results: Dict[str, Optional[dict]]) -> str:
    """The section's markdown."""
    lines = [
        '## Semi-supervised action detection on the synthetic set', '',
        'Written by `python tools/benchmarks/ssad_results.py`: every method '
        'trained from scratch on the embedded synthetic set '
        '(`tools/data/make_synthetic.py`) with the same labeled 25% of the '
        'training videos (per class, seed 47), tested on its test split. '
        'f-mAP / v-mAP: the VideoCapsuleNet pixel protocol; frame-AP / '
        'video-AP: box detection AP (see `docs/evaluation.md`). All in %. '
        'Methods and configs: `docs/methods/baselines.md`. Wall times are '
        'those of the runs as they happened (often several at once on a '
        'shared CPU); `docs/benchmarks.md` has controlled step timings. '
        'Each row is one run; on this small set two runs of one config have '
        'differed by more than the rows below differ from each other '
        '(`docs/methods/e2e_ssl.md`, "Synthetic set"), so the table shows '
        'every method running end to end on the same data, not a ranking.',
        '',
        table(results), '']
    notes = findings(results)
    if notes:
        lines += ['Findings (computed from the table):', '']
        lines += [f'- {n}' for n in notes]
    return '\n'.join(lines)


def main(argv: Optional[List[str]] = None) -> None:
    args = parse_args(argv)
    names = args.only or list(METHODS)
    if not args.table_only:
        ann = osp.join(ROOT, 'data', 'synthetic', 'annotations',
                       'UCF101v2-GT.pkl')
        if not osp.isfile(ann):
            run([sys.executable, 'tools/data/make_synthetic.py',
                 osp.join(ROOT, 'data', 'synthetic'), '--seed',
                 str(args.seed)])
        for name in names:
            cached = load_cached(args.work_dir, name)
            iters = args.iters or config_iters(METHODS[name].config)
            fresh = cached is not None and not args.force and \
                cached['iters'] == iters
            if fresh:
                print(f'== {name}: cached ({cached["iters"]} iterations), '
                      'skipped; --force retrains', flush=True)
                continue
            os.makedirs(osp.join(ROOT, args.work_dir, name), exist_ok=True)
            train_and_test(name, args.work_dir, args.iters)
    results = {name: load_cached(args.work_dir, name) for name in METHODS}
    markdown = report(results)
    update_section(args.section, markdown, osp.join(ROOT, args.out),
                   title='Results')
    print(f'\n{markdown}\n\nwritten to {args.out} (section '
          f'{args.section!r})')


if __name__ == '__main__':
    main()
