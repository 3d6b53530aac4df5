"""The detection evidence benchmark: a supervised learning curve and every
semi-supervised detector at 25% labels on the synthetic set, each point the
mean +- std of several seeds, written to ``docs/results.md`` (section
``detection``) with a learning-curve figure.

    python tools/benchmarks/ssad_results.py [--only ARM ...] [--seeds 0 1 2]
        [--jobs 2] [--force] [--table-only]

Every run trains through ``tools/train.py`` and tests its final checkpoint
through ``tools/test.py`` (no model selection: the protocol has no labeled
validation data). Each finished run's metrics go to
``docs/results/ssad/<arm>_seed<S>.json`` (commit them: the grid accumulates
over sessions); a cached run is skipped unless ``--force`` or its
fingerprint (the resolved config, options and annotation file) changed. ``--jobs 2``
runs two single-threaded trainings at once, which is faster on 2 cores than
one two-threaded training after the other. Writes the synthetic set to
``data/synthetic`` (``tools/data/make_synthetic.py``'s defaults) if it is
not there.

Fairness rule (also in ``docs/methods/e2e_ssl.md``): every arm trains for
the same iterations with 8 labeled views per step in its supervised term,
each horizontally flipped with probability 1/2 (the supervised configs: 8
labeled clips; the semi-supervised ones: 4 labeled clips in both
orientations, or 4 flipped at random plus 4 unlabeled for the
teacher-student baselines), from the same labeled split (per class, seed
47); the seed changes model initialisation, augmentation and data order.
"""
import argparse
import os.path as osp
import subprocess
import sys
from typing import Dict, List, Optional

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from grid import (ROOT, Arm, Summary, fingerprint,  # noqa: E402
                  learning_curve_figure, load_runs, metric_values, pending,
                  run_grid, summarise)
from report import update_section  # noqa: E402

SUP_CONFIG = 'configs/ssad/tiny_synthetic_sup.py'
PERCENT_KEY = 'train_dataloader.dataset.labeled_percent'
CURVE: List[Arm] = [
    Arm(f'sup_{p}pct', 'Supervised', SUP_CONFIG, p, (f'{PERCENT_KEY}={p}', ))
    for p in (10, 25, 50)
] + [Arm('sup_100pct', 'Supervised', 
         'configs/ssad/baselines/tiny_synthetic_sup_100pct.py', 100)]
METHODS: List[Arm] = [
    Arm('e2e_ssl', 'E2E-SSL', 'configs/ssad/tiny_synthetic_semi.py', 25),
    Arm('e2e_ssl_strong_view', 'E2E-SSL (zoom + colour view)',
        'configs/ssad/tiny_synthetic_semi_strong_view.py', 25),
    Arm('pseudo_label', 'Pseudo-label',
        'configs/ssad/baselines/tiny_synthetic_pseudo_label.py', 25),
    Arm('mean_teacher', 'Mean Teacher',
        'configs/ssad/baselines/tiny_synthetic_mean_teacher.py', 25),
    Arm('mixmatch', 'MixMatch',
        'configs/ssad/baselines/tiny_synthetic_mixmatch.py', 25),
    Arm('co_ssd_cc', 'Co-SSD(CC)',
        'configs/ssad/baselines/tiny_synthetic_co_ssd_cc.py', 25),
]
ARMS: Dict[str, Arm] = {arm.name: arm for arm in CURVE + METHODS}
#: arms of a plain run (the others only with --only)
DEFAULT_ARMS = [a.name for a in CURVE] + ['e2e_ssl', 'pseudo_label',
                                         'mean_teacher']
BASELINE, UPPER = 'sup_25pct', 'sup_100pct'
#: table column -> metric key written by ``tools/test.py``
METRICS = {
    'f-mAP@0.5': 'mask/f-mAP@0.5',
    'f-mAP@0.2': 'mask/f-mAP@0.2',
    'v-mAP@0.5': 'mask/v-mAP@0.5',
    'frame-AP@0.5': 'det/frame-AP@0.5',
    'video-AP@0.5': 'det/video-AP@0.5',
    'video acc.': 'cls/video-acc',
}
MAIN = 'f-mAP@0.5'
#: the label gap (supervised 100% - 25%) a benchmark needs to show a gain
MIN_GAP = 15.0
RESULTS_DIR = 'docs/results/ssad'
ANN_FILE = 'data/synthetic/annotations/UCF101v2-GT.pkl'
FIGURE = 'docs/results/ssad_learning_curve.png'


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--only', nargs='+', choices=list(ARMS),
                        metavar='ARM',
                        help=f'arms to run, of {", ".join(ARMS)} (default: '
                        f'{", ".join(DEFAULT_ARMS)})')
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    parser.add_argument('--jobs', type=int, default=2,
                        help='runs at a time (each with --threads threads)')
    parser.add_argument('--threads', type=int, default=1)
    parser.add_argument('--work-dir', default='work_dirs/ssad_results')
    parser.add_argument('--results-dir', default=RESULTS_DIR,
                        help='where each run\'s metrics JSON is cached')
    parser.add_argument('--force', action='store_true',
                        help='rerun cached runs')
    parser.add_argument('--table-only', action='store_true',
                        help='train nothing; rebuild the page from caches')
    parser.add_argument('--out', default='docs/results.md')
    parser.add_argument('--figure', default=FIGURE)
    parser.add_argument('--section', default='detection')
    return parser.parse_args(argv)


def summaries(runs: List[dict], column: str) -> Dict[str, Summary]:
    """Per arm, the mean +- std of a table column over its seeds."""
    return {name: summarise(metric_values(runs, name, METRICS[column]))
            for name in ARMS}


def table(runs: List[dict]) -> str:
    """The markdown table: the learning curve, then the methods at 25%."""
    cols = {c: summaries(runs, c) for c in METRICS}
    head = ['Method', 'Labeled'] + list(METRICS) + ['Seeds', 'Iterations',
                                                    'Config']
    lines = ['| ' + ' | '.join(head) + ' |', '|' + '---|' * len(head)]
    for arm in CURVE + METHODS:
        arm_runs = [r for r in runs if r['arm'] == arm.name]
        if not arm_runs and arm.name not in DEFAULT_ARMS:
            continue
        labeled = f'{arm.labeled_percent}%'
        if arm in METHODS:
            labeled += f' + {100 - arm.labeled_percent}% unlabeled'
        iters = sorted({r['iters'] for r in arm_runs})
        cells = [cols[c][arm.name].text() for c in METRICS]
        lines.append('| ' + ' | '.join(
            [arm.label, labeled] + cells +
            [str(len(arm_runs)), '/'.join(map(str, iters)) or '-',
             f'`{arm.config}`']) + ' |')
    return '\n'.join(lines)


def findings(runs: List[dict]) -> List[str]:
    """Statements computed from the numbers (main metric f-mAP@0.5)."""
    main = summaries(runs, MAIN)
    notes = []
    iters = sorted({r['iters'] for r in runs})
    if len(iters) > 1:
        notes.append(f'Runs were trained for different numbers of '
                     f'iterations ({", ".join(map(str, iters))}); only equal '
                     'ones are comparable.')
    base, upper = main[BASELINE], main[UPPER]
    curve = [(a.labeled_percent, main[a.name]) for a in CURVE
             if main[a.name].n]
    if len(curve) > 1:
        rising = all(b.mean > a.mean for (_, a), (_, b) in
                     zip(curve, curve[1:]))
        notes.append(
            'The supervised learning curve is ' +
            ('monotone' if rising else '**not monotone**') + ': ' +
            ', '.join(f'{p}% {s.text()}' for p, s in curve) + f' {MAIN}.')
    if base.n == 0:
        notes.append('Supervised 25% has not been run: no method can be '
                     'compared with it.')
        return notes
    gap = upper.mean - base.mean if upper.n else None
    if gap is not None:
        text = f'The label gap (supervised 100% - 25%) is {gap:+.1f} {MAIN}'
        if gap < MIN_GAP:
            text += (f', below the {MIN_GAP:.0f} points a benchmark needs: '
                     'labels limit these models less than that, so '
                     'unlabeled data has little to close')
        notes.append(text + '.')
    for arm in METHODS:
        res = main[arm.name]
        if res.n == 0:
            continue
        delta = res.mean - base.mean
        spread = max(res.std, base.std)
        if delta > 2 * spread and delta > 0:
            verdict = (f'**{arm.label} beats supervised 25%** by '
                       f'{delta:+.1f} {MAIN} (more than 2 std, '
                       f'{spread:.1f})')
        elif delta > 0:
            verdict = (f'{arm.label} is above supervised 25% by '
                       f'{delta:+.1f} {MAIN}, within 2 std ({spread:.1f}): '
                       'not a measured gain')
        else:
            verdict = (f'**{arm.label} does not beat supervised 25%**: '
                       f'{delta:+.1f} {MAIN}')
        if gap is not None and gap > 0 and delta > 0:
            verdict += f'; it closes {100 * delta / gap:.0f}% of the gap'
        runs = f'{res.n} run' + ('s' if res.n != 1 else '')
        notes.append(verdict + f' ({runs} vs {base.n}).')
    return notes


def figure(runs: List[dict], path: str) -> None:
    """The learning curve with each method's point at 25%."""
    main = summaries(runs, MAIN)
    curve = {a.labeled_percent: main[a.name] for a in CURVE}
    points = {a.label: main[a.name] for a in METHODS}
    learning_curve_figure(curve, points, path, f'{MAIN} (%)', 25,
                          'Synthetic detection set, mean ± std over seeds')


def report(runs: List[dict], figure_path: str) -> str:
    """The section's markdown."""
    rel = osp.relpath(osp.join(ROOT, figure_path), osp.join(ROOT, 'docs'))
    lines = [
        '## Semi-supervised action detection on the synthetic set', '',
        'Written by `python tools/benchmarks/ssad_results.py` from the runs '
        f'cached in `{RESULTS_DIR}/` (one JSON file per run). Data: '
        '`tools/data/make_synthetic.py` defaults (5 classes, 24 training and '
        '24 test videos per class, 64x48 frames, one unannotated wandering '
        'distractor figure per video). Every run trains from '
        'scratch for the same iterations, with 8 labeled views per step in '
        'its supervised term (each flipped with probability 1/2), on the '
        'same labeled split (per class, seed 47), and tests its final '
        'checkpoint on the 120 test videos: no model selection. Each cell is '
        'the mean ± sample std over seeds (model initialisation, '
        'augmentation and data order). f-mAP / v-mAP: the VideoCapsuleNet '
        'pixel protocol; frame-AP / video-AP: box AP (`docs/evaluation.md`). '
        'All in %.', '',
        table(runs), '',
        f'![learning curve]({rel})', '']
    notes = findings(runs)
    if notes:
        lines += ['Findings (computed from the numbers):', '']
        lines += [f'- {n}' for n in notes]
    return '\n'.join(lines)


def ensure_data() -> None:
    """Write the synthetic set to ``data/synthetic`` if it is missing."""
    if not osp.isfile(osp.join(ROOT, ANN_FILE)):
        subprocess.run([sys.executable, 'tools/data/make_synthetic.py',
                        osp.join(ROOT, 'data', 'synthetic')], cwd=ROOT,
                       check=True)


def main(argv: Optional[List[str]] = None) -> None:
    args = parse_args(argv)
    results_dir = osp.join(ROOT, args.results_dir)
    if not args.table_only:
        ensure_data()
        arms = [ARMS[n] for n in (args.only or DEFAULT_ARMS)]
        tags = {arm.name: fingerprint(arm, [ANN_FILE]) for arm in arms}
        todo = pending(arms, args.seeds, results_dir, args.force, tags)
        print(f'[ssad_results] {len(todo)} runs to do (cached runs of '
              'another config or data set are redone)', flush=True)
        run_grid(todo, args.work_dir, results_dir, args.jobs, args.threads,
                 tags)
    runs = load_runs(results_dir)
    figure(runs, osp.join(ROOT, args.figure))
    markdown = report(runs, args.figure)
    update_section(args.section, markdown, osp.join(ROOT, args.out),
                   title='Results')
    print(f'\n{markdown}\n\nwritten to {args.out} (section '
          f'{args.section!r}) and {args.figure}')


if __name__ == '__main__':
    main()
