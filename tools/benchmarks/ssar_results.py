"""Train and test supervised, FixMatch and ACL+MTL recognizers (and the
ACL-only / MTL-only ablations, and the 100 % supervised upper bound) on the
synthetic recognition set with the same labeled subset, and write the
comparison table to ``docs/results.md`` (section ``recognition``).

    python tools/benchmarks/ssar_results.py [--only NAME ...] [--iters N]
        [--per-class K] [--seed S] [--data-root data/synthetic]
        [--work-dir work_dirs/ssar_results] [--force] [--table-only]

Writes the synthetic set with ``tools/data/make_synthetic.py`` if its
``recognition/train.txt`` is missing, then the labeled subset with
``tools/data/split_labeled.py --per-class K --seed S`` into
``recognition/{labeled,unlabeled}.txt`` (the files the configs in
``configs/ssar/synthetic`` read). Each method trains through
``tools/train.py`` and tests its last checkpoint through ``tools/test.py`` in
a subprocess; top-1, mean class accuracy, iterations, wall time and the split
are cached in ``<work-dir>/<name>/results.json``, so methods can run one at a
time (``--only``) and the table be rebuilt from the caches
(``--table-only``). A cached method is retrained only with ``--force`` or
when ``--iters`` or the split differ.
"""
import argparse
import glob
import json
import os
import os.path as osp
import subprocess
import sys
import time
from typing import Dict, List, NamedTuple, Optional

from mmssl.utils.schedule import scaled_schedule_args

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from report import update_section  # noqa: E402

CONFIG_DIR = 'configs/ssar/synthetic'


class Method(NamedTuple):
    label: str
    config: str
    semi: bool  # trains on the unlabeled clips too
    full_labels: bool = False  # all training clips labeled


SUPERVISED, FIXMATCH, ACL_MTL = 'supervised', 'fixmatch', 'acl_mtl'
ACL, MTL, UPPER_BOUND = 'acl', 'mtl', 'supervised_100pct'
METHODS: Dict[str, Method] = {
    SUPERVISED: Method('Supervised', 'supervised_tiny-r3d_synthetic.py',
                       False),
    FIXMATCH: Method('FixMatch (SemiRecognizer)',
                     'fixmatch_tiny-r3d_synthetic.py', True),
    ACL: Method('FixMatch + ACL', 'acl_tiny-r3d_synthetic.py', True),
    MTL: Method('FixMatch + MTL', 'mtl_tiny-r3d_synthetic.py', True),
    ACL_MTL: Method('ACL+MTL (ACLMTLRecognizer)',
                    'acl-mtl_tiny-r3d_synthetic.py', True),
    UPPER_BOUND: Method('Supervised (upper bound)',
                        'supervised-100pct_tiny-r3d_synthetic.py', False,
                        True),
}
#: table column -> metric key written by ``tools/test.py`` (AccMetric)
METRICS = {'Top-1': 'acc/top1', 'Mean class acc.': 'acc/mean1'}


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--only', nargs='+', choices=list(METHODS),
                        metavar='NAME',
                        help=f'methods to run, of {", ".join(METHODS)} '
                        '(default: all)')
    parser.add_argument('--iters', type=int, default=None,
                        help='training iterations (the configs\' max_iters, '
                        '600, by default); the learning-rate schedule, '
                        'ramp-up and warm-up are scaled alike')
    parser.add_argument('--per-class', type=int, default=2,
                        help='labeled videos per class (default 2, as the '
                        'configs state)')
    parser.add_argument('--seed', type=int, default=47,
                        help='seed of the labeled subset (default 47)')
    parser.add_argument('--data-root', default='data/synthetic',
                        help='the synthetic set; the tools run in a '
                        'directory where it is data/synthetic')
    parser.add_argument('--work-dir', default='work_dirs/ssar_results')
    parser.add_argument('--force', action='store_true',
                        help='retrain methods that have cached results')
    parser.add_argument('--table-only', action='store_true',
                        help='only rebuild the table from cached results')
    parser.add_argument('--output', default='docs/results.md',
                        help='markdown file whose `recognition` section is '
                        'written')
    args = parser.parse_args(argv)
    if args.iters is not None and args.iters < 1:
        parser.error(f'--iters must be >= 1, got {args.iters}')
    return args


def run(args: List[str], cwd: str) -> None:
    """Run a command, streaming its output; exit if it fails."""
    print('$', ' '.join(args), flush=True)
    proc = subprocess.run(args, cwd=cwd,
                          env=dict(os.environ, PYTHONPATH=ROOT))
    if proc.returncode != 0:
        sys.exit(f'ssar_results: command failed with exit code '
                 f'{proc.returncode}: {" ".join(args)}')


def tool(name: str) -> str:
    return osp.join(ROOT, 'tools', name)


def run_dir(args: argparse.Namespace) -> str:
    """Directory the tools run in: the configs read ``data/synthetic``
    relative to it."""
    data_root = osp.abspath(args.data_root)
    if data_root == osp.join(ROOT, 'data', 'synthetic'):
        return ROOT
    cwd = osp.abspath(osp.join(args.work_dir, 'run'))
    link = osp.join(cwd, 'data', 'synthetic')
    os.makedirs(osp.dirname(link), exist_ok=True)
    if osp.islink(link) and os.readlink(link) != data_root:
        os.remove(link)
    if not osp.lexists(link):
        os.symlink(data_root, link)
    return cwd


def prepare_data(args: argparse.Namespace) -> dict:
    """Write the set if missing and the labeled subset; return split.json."""
    data_root = osp.abspath(args.data_root)
    rec = osp.join(data_root, 'recognition')
    if not osp.isfile(osp.join(rec, 'train.txt')):
        run([sys.executable, tool('data/make_synthetic.py'), data_root],
            ROOT)
    run([sys.executable, tool('data/split_labeled.py'),
         osp.join(rec, 'train.txt'), '--per-class', str(args.per_class),
         '--seed', str(args.seed), '--out-dir', rec], ROOT)
    return read_json(osp.join(rec, 'split.json'))


def read_json(path: str) -> dict:
    with open(path) as f:
        return json.load(f)


def test_metrics(test_dir: str) -> Dict[str, float]:
    """The metrics ``tools/test.py`` wrote under ``test_dir``."""
    found = sorted(glob.glob(osp.join(test_dir, '*', '*.json')))
    if not found:
        sys.exit(f'ssar_results: no metrics file under {test_dir}')
    return read_json(found[-1])


def split_key(split: dict) -> dict:
    return {k: split[k] for k in ('convention', 'per_class', 'seed')}


def train_and_test(name: str, args: argparse.Namespace, split: dict,
                   cwd: str) -> dict:
    """Train and test one method; cache and return its results."""
    method = METHODS[name]
    work_dir = osp.abspath(osp.join(args.work_dir, name))
    config = osp.join(ROOT, CONFIG_DIR, method.config)
    extra = scaled_schedule_args(config, args.iters) if args.iters \
        else []
    began = time.time()
    run([sys.executable, tool('train.py'), config, '--work-dir', work_dir]
        + extra, cwd)
    trained = time.time()
    with open(osp.join(work_dir, 'last_checkpoint')) as f:
        checkpoint = f.read().strip()
    test_dir = osp.join(work_dir, 'test')
    run([sys.executable, tool('test.py'), config, checkpoint, '--work-dir',
         test_dir], cwd)
    metrics = test_metrics(test_dir)
    iters = int(osp.splitext(osp.basename(checkpoint))[0].split('_')[-1])
    result = dict(
        metrics={col: metrics[key] * 100 for col, key in METRICS.items()},
        iters=iters,
        requested_iters=args.iters,
        train_s=round(trained - began, 1),
        test_s=round(time.time() - trained, 1),
        split=split_key(split),
        split_info=split,
        config=osp.join(CONFIG_DIR, method.config))
    with open(osp.join(work_dir, 'results.json'), 'w') as f:
        json.dump(result, f, indent=1)
    return result


def cached(name: str, args: argparse.Namespace) -> Optional[dict]:
    path = osp.join(args.work_dir, name, 'results.json')
    return read_json(path) if osp.isfile(path) else None


def is_current(result: Optional[dict], args: argparse.Namespace,
               split: dict) -> bool:
    return (result is not None and not args.force
            and result.get('requested_iters') == args.iters
            and result.get('split') == split_key(split))


def labels_text(method: Method, split: dict) -> str:
    if method.full_labels:
        total = split['num_labeled'] + split['num_unlabeled']
        return f'all {total}'
    text = f'{split["per_class"]}/class ({split["num_labeled"]})'
    if method.semi:
        text += f' + {split["num_unlabeled"]} unlabeled'
    return text


def table(results: Dict[str, dict], split: Optional[dict]) -> str:
    """The markdown section: table and findings."""
    split = split or next((r['split_info'] for r in results.values()
                           if 'split_info' in r), None)
    lines = [
        '## Semi-supervised action recognition on the synthetic set', '',
        'Written by `python tools/benchmarks/ssar_results.py`: every method '
        'trained from scratch (no pre-training) on the synthetic recognition '
        'set of `tools/data/make_synthetic.py` (5 motion classes, 200 '
        'training and 100 test clips), the same tiny 3-D ResNet on '
        'frame differences, the same schedule and the same labeled subset, '
        'tested (last checkpoint; teacher for the semi-supervised models) on '
        'the test clips, 3 clips per video. Top-1 and mean class accuracy in '
        '%; chance is 20 %. One run (seed 0) per method.', ''
    ]
    if split:
        lines += [
            f'Labeled subset: {split["convention"]} convention, '
            f'{split["per_class"]} videos per class, seed {split["seed"]} '
            f'(`tools/data/split_labeled.py --per-class '
            f'{split["per_class"]} --seed {split["seed"]}`); the other '
            f'{split["num_unlabeled"]} training clips are the unlabeled set.',
            ''
        ]
    cols = list(METRICS)
    lines += [
        '| Method | Labels | ' + ' | '.join(cols) +
        ' | Iterations | Wall time (train + test) | Config |',
        '|---|---|' + '---|' * len(cols) + '---|---|---|'
    ]
    for name, method in METHODS.items():
        result = results.get(name)
        config = f'`{CONFIG_DIR}/{method.config}`'
        labels = labels_text(method, split) if split else '-'
        if result is None:
            lines.append(f'| {method.label} | {labels} | ' +
                         ' | '.join('not run' for _ in cols) +
                         f' | - | - | {config} |')
            continue
        cells = [f'{result["metrics"][c]:.1f}' for c in cols]
        wall = result['train_s'] + result['test_s']
        lines.append(f'| {method.label} | {labels} | ' + ' | '.join(cells) +
                     f' | {result["iters"]} | {wall / 60:.1f} min | '
                     f'{config} |')
    lines += ['', 'Findings (computed from the table):', '']
    lines += findings(results)
    return '\n'.join(lines)


def _diff(results: Dict[str, dict], a: str, b: str, col: str) -> str:
    delta = results[a]['metrics'][col] - results[b]['metrics'][col]
    return f'{delta:+.1f}'


def findings(results: Dict[str, dict]) -> List[str]:
    """One sentence per comparison whose two runs exist."""
    top1, mean = list(METRICS)
    comparisons = [
        (FIXMATCH, SUPERVISED, 'FixMatch (unlabeled clips, pseudo-labels) '
         'over supervised on the same labels'),
        (ACL, FIXMATCH, 'Adaptive Contrastive Learning added to FixMatch'),
        (MTL, FIXMATCH, 'Multi-scale Temporal Learning added to FixMatch'),
        (ACL_MTL, FIXMATCH, 'ACL and MTL together added to FixMatch'),
        (ACL_MTL, SUPERVISED, 'ACL+MTL over supervised on the same labels'),
        (UPPER_BOUND, ACL_MTL, 'gap left to the fully labeled upper bound '
         '(upper bound minus ACL+MTL)'),
    ]
    out = []
    for a, b, text in comparisons:
        if a in results and b in results:
            verdict = ''
            if a != UPPER_BOUND:
                delta = (results[a]['metrics'][top1] -
                         results[b]['metrics'][top1])
                verdict = (' (helps)' if delta > 0 else
                           ' (no gain)' if delta == 0 else ' (hurts)')
            out.append(f'- {text}: {_diff(results, a, b, top1)} top-1, '
                       f'{_diff(results, a, b, mean)} mean class accuracy'
                       f'{verdict}.')
    if not out:
        out.append('- No pair of methods has been run yet.')
    out.append('- Differences of a few points are within the run-to-run '
               'spread of single runs this short; read them as a trend, '
               'not a measurement.')
    return out


def main(argv: Optional[List[str]] = None) -> None:
    args = parse_args(argv)
    names = args.only or list(METHODS)
    split = None
    if not args.table_only:
        split = prepare_data(args)
        cwd = run_dir(args)
        for name in names:
            if is_current(cached(name, args), args, split):
                print(f'ssar_results: {name}: cached results are current',
                      flush=True)
                continue
            print(f'\n== {METHODS[name].label}', flush=True)
            train_and_test(name, args, split, cwd)
    results = {n: r for n in METHODS if (r := cached(n, args)) is not None}
    markdown = table(results, split)
    update_section('recognition', markdown, osp.join(ROOT, args.output)
                   if not osp.isabs(args.output) else args.output,
                   title='Results')
    print(markdown)


if __name__ == '__main__':
    main()
