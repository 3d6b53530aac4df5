"""Shared machinery of the evidence benchmarks (``ssad_results.py``): a grid
of (arm, seed) training runs through ``tools/train.py`` / ``tools/test.py``,
each run's metrics cached as one JSON file committed to the repository,
mean +- std over seeds, and the learning-curve figure.

A run's cache file is written only after its test finished, atomically, so
an interrupted grid resumes where it stopped and the committed files are
always complete runs.
"""
import glob
import hashlib
import json
import math
import os
import os.path as osp
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Dict, Iterable, List, NamedTuple, Optional, Sequence

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


class Arm(NamedTuple):
    """One row of the benchmark: a config trained with given options.

    Attributes:
        name (str): short name, used in the cache file names.
        label (str): the method's name in tables and the figure.
        config (str): config path relative to the repository root.
        labeled_percent (int): labeled share of the training videos.
        options (tuple[str]): extra ``--cfg-options`` ``key=value`` items.
    """
    name: str
    label: str
    config: str
    labeled_percent: int
    options: tuple = ()


def seed_options(seed: int) -> List[str]:
    """``--cfg-options`` items that seed a run: model initialisation and
    augmentation (``randomness.seed``) and the data order (the sampler's
    seed). The labeled split has its own fixed seed in the dataset."""
    return [f'randomness.seed={seed}', f'train_dataloader.sampler.seed={seed}']


def cache_file(results_dir: str, arm: Arm, seed: int) -> str:
    """Where the metrics of one run are cached."""
    return osp.join(results_dir, f'{arm.name}_seed{seed}.json')


def load_runs(results_dir: str) -> List[dict]:
    """Every cached run under ``results_dir`` (sorted by file name)."""
    runs = []
    for path in sorted(glob.glob(osp.join(results_dir, '*.json'))):
        with open(path) as f:
            runs.append(json.load(f))
    return runs


def write_json_atomic(path: str, data: dict) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename."""
    os.makedirs(osp.dirname(path), exist_ok=True)
    tmp = f'{path}.tmp{os.getpid()}'
    with open(tmp, 'w') as f:
        json.dump(data, f, indent=2, sort_keys=True)
        f.write('\n')
    os.replace(tmp, path)


def run_command(args: List[str], log_path: str, threads: int) -> float:
    """Run a command from the repository root, its output to ``log_path``.

    Returns:
        float: the wall time in seconds.

    Raises:
        RuntimeError: the command failed (the log's last lines included).
    """
    env = dict(os.environ, OMP_NUM_THREADS=str(threads),
               MKL_NUM_THREADS=str(threads))
    start = time.time()
    with open(log_path, 'w') as log:
        proc = subprocess.run(args, cwd=ROOT, stdout=log,
                              stderr=subprocess.STDOUT, env=env)
    if proc.returncode != 0:
        with open(log_path) as f:
            tail = ''.join(f.readlines()[-15:])
        raise RuntimeError(f'command failed with exit code '
                           f'{proc.returncode} (log {log_path}): '
                           f'{" ".join(args)}\n{tail}')
    return time.time() - start


def latest_metrics(test_dir: str) -> Dict[str, float]:
    """The metrics JSON ``tools/test.py`` wrote last under ``test_dir``."""
    found = sorted(glob.glob(osp.join(test_dir, '*', '*.json')))
    if not found:
        raise RuntimeError(f'no metrics file under {test_dir}')
    with open(found[-1]) as f:
        return json.load(f)


def git_commit() -> str:
    """The repository's HEAD commit (``unknown`` outside git)."""
    try:
        return subprocess.run(['git', 'rev-parse', '--short', 'HEAD'],
                              cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return 'unknown'


def cfg_options(options: List[str]) -> List[str]:
    """``['--cfg-options', *options]``, or nothing for no options."""
    return ['--cfg-options'] + list(options) if options else []


def train_and_test(arm: Arm, seed: int, work_dir: str, results_dir: str,
                   threads: int = 1, tag: Optional[str] = None) -> dict:
    """Train and test one (arm, seed); cache and return its record.

    A finished training (``train_done.json`` in its work directory) is not
    repeated: a grid stopped during a test resumes with the test. ``tag``
    (the arm's :func:`fingerprint`) is stored as ``fingerprint``.
    """
    run_dir = osp.join(work_dir, f'{arm.name}_seed{seed}')
    os.makedirs(osp.join(ROOT, run_dir), exist_ok=True)
    done_file = osp.join(ROOT, run_dir, 'train_done.json')
    if osp.isfile(done_file):
        with open(done_file) as f:
            train_s = json.load(f)['train_seconds']
    else:
        train_s = run_command(
            [sys.executable, 'tools/train.py', arm.config, '--work-dir',
             run_dir] + cfg_options(list(arm.options) + seed_options(seed)),
            osp.join(ROOT, run_dir, 'train_stdout.log'), threads)
        write_json_atomic(done_file, dict(train_seconds=train_s))
    with open(osp.join(ROOT, run_dir, 'last_checkpoint')) as f:
        checkpoint = f.read().strip()
    found = re.search(r'iter_(\d+)\.pth$', checkpoint)
    if found is None:
        raise RuntimeError(f'cannot read the iteration from the checkpoint '
                           f'name {checkpoint!r}')
    test_dir = osp.join(run_dir, 'test')
    test_s = run_command(
        [sys.executable, 'tools/test.py', arm.config, checkpoint,
         '--work-dir', test_dir] + cfg_options(arm.options),
        osp.join(ROOT, run_dir, 'test_stdout.log'), threads)
    record = dict(
        arm=arm.name, label=arm.label, config=arm.config,
        labeled_percent=arm.labeled_percent, options=list(arm.options),
        seed=seed, iters=int(found.group(1)),
        train_seconds=round(train_s, 1), test_seconds=round(test_s, 1),
        threads=threads, commit=git_commit(), fingerprint=tag,
        metrics=latest_metrics(osp.join(ROOT, test_dir)))
    write_json_atomic(cache_file(results_dir, arm, seed), record)
    return record


def fingerprint(arm: Arm, data_files: Sequence[str] = ()) -> str:
    """A digest of what a run depends on: the resolved config, the arm's
    options and the given data files (e.g. the annotation file), so a
    cached run of an older config or data set is seen as stale."""
    from mmengine.config import Config
    cfg = Config.fromfile(osp.join(ROOT, arm.config),
                          import_custom_modules=False)
    digest = hashlib.sha1(cfg.pretty_text.encode())
    digest.update(repr(list(arm.options)).encode())
    for path in data_files:
        with open(osp.join(ROOT, path), 'rb') as f:
            digest.update(f.read())
    return digest.hexdigest()[:12]


def is_cached(path: str, expected: Optional[str] = None) -> bool:
    """Whether a run's cache exists (and, given ``expected``, has that
    fingerprint)."""
    if not osp.isfile(path):
        return False
    if expected is None:
        return True
    with open(path) as f:
        return json.load(f).get('fingerprint') == expected


def pending(arms: Iterable[Arm], seeds: Sequence[int], results_dir: str,
            force: bool = False,
            fingerprints: Optional[Dict[str, str]] = None) -> List[tuple]:
    """The (arm, seed) pairs without an up-to-date cached result (all with
    ``force``); ``fingerprints`` maps arm names to :func:`fingerprint`."""
    fingerprints = fingerprints or {}
    return [(arm, seed) for arm in arms for seed in seeds
            if force or not is_cached(cache_file(results_dir, arm, seed),
                                      fingerprints.get(arm.name))]


def run_grid(todo: List[tuple], work_dir: str, results_dir: str,
             jobs: int = 2, threads: int = 1,
             fingerprints: Optional[Dict[str, str]] = None) -> List[dict]:
    """Run (arm, seed) pairs, ``jobs`` at a time of ``threads`` threads
    (``fingerprints`` as in :func:`pending`, stored with each record).

    A failed run is reported and the others go on; the failures are raised
    together at the end.
    """
    failures = []

    def one(item):
        arm, seed = item
        log(f'[grid] start {arm.name} seed {seed}')
        try:
            record = train_and_test(arm, seed, work_dir, results_dir,
                                    threads,
                                    (fingerprints or {}).get(arm.name))
        except RuntimeError as err:
            failures.append(f'{arm.name} seed {seed}: {err}')
            log(f'[grid] FAILED {arm.name} seed {seed}')
            return None
        log(f'[grid] done {arm.name} seed {seed} in '
            f'{record["train_seconds"]:.0f} s + '
            f'{record["test_seconds"]:.0f} s')
        return record

    with ThreadPoolExecutor(max_workers=max(jobs, 1)) as pool:
        records = [r for r in pool.map(one, todo) if r is not None]
    if failures:
        raise RuntimeError('\n'.join(failures))
    return records


def log(line: str) -> None:
    """Print one whole line (runs finish in threads)."""
    sys.stdout.write(line + '\n')
    sys.stdout.flush()


class Summary(NamedTuple):
    """Mean, sample standard deviation and count of one metric."""
    mean: float
    std: float
    n: int

    def text(self) -> str:
        """``mean +- std`` with one decimal (``-`` when nothing ran; the
        value and ``(1 run)`` for a single run, which has no spread)."""
        if self.n == 0:
            return '-'
        if self.n == 1:
            return f'{self.mean:.1f} (1 run)'
        return f'{self.mean:.1f} ± {self.std:.1f}'


def summarise(values: Sequence[float]) -> Summary:
    """Mean and sample std (``ddof=1``; 0 for a single value)."""
    n = len(values)
    if n == 0:
        return Summary(math.nan, math.nan, 0)
    mean = sum(values) / n
    var = sum((v - mean)**2 for v in values) / (n - 1) if n > 1 else 0.0
    return Summary(mean, math.sqrt(var), n)


def metric_values(runs: Iterable[dict], arm: str, key: str) -> List[float]:
    """One metric of every cached run of an arm.

    Raises:
        KeyError: a run of the arm lacks the metric (names the seed).
    """
    values = []
    for run in runs:
        if run['arm'] != arm:
            continue
        if key not in run['metrics']:
            raise KeyError(f'{run["arm"]} seed {run["seed"]}: metric {key!r} '
                           f'missing (has {sorted(run["metrics"])})')
        values.append(float(run['metrics'][key]))
    return values


def learning_curve_figure(curve: Dict[int, Summary],
                          points: Dict[str, Summary], path: str,
                          metric: str, at_percent: int = 25,
                          title: Optional[str] = None) -> None:
    """Plot the supervised learning curve and each method's point.

    Args:
        curve (dict[int, Summary]): supervised result per labeled percent.
        points (dict[str, Summary]): method label -> its result at
            ``at_percent``.
        path (str): the PNG to write.
        metric (str): the y-axis label.
        at_percent (int): the labeled percent of the methods' points.
        title (str, optional): the figure's title.
    """
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(6, 4), dpi=100)
    xs = sorted(p for p, s in curve.items() if s.n)
    if xs:
        ax.errorbar(xs, [curve[x].mean for x in xs],
                    yerr=[curve[x].std for x in xs], marker='o', capsize=4,
                    color='black', label='supervised (labeled clips only)')
    markers = 'sD^v<>ph*'
    done = [(label, s) for label, s in points.items() if s.n]
    for i, (label, summary) in enumerate(done):
        # methods share one x; spread them a little so error bars show
        offset = (i - (len(done) - 1) / 2) * 1.2
        ax.errorbar([at_percent + offset], [summary.mean], yerr=[summary.std],
                    marker=markers[i % len(markers)], capsize=4,
                    linestyle='none', label=label)
    ax.set_xlabel('labeled training videos (%)')
    ax.set_ylabel(metric)
    ax.set_xticks(sorted(set(xs) | {at_percent}))
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc='lower right')
    if title:
        ax.set_title(title, fontsize=10)
    fig.tight_layout()
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
