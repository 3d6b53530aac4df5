"""tools/benchmarks/ssad_results.py and grid.py: mean +- std over seeds,
findings computed from the numbers, the cache files, the figure and the
page section, on small fixed inputs (no training)."""
import importlib.util
import json
import os.path as osp
import sys

import pytest

from conftest import REPO_ROOT

BENCH = osp.join(REPO_ROOT, 'tools', 'benchmarks')


def load(name):
    sys.path.insert(0, BENCH)
    spec = importlib.util.spec_from_file_location(name,
                                                  osp.join(BENCH, name + '.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def fake_run(tool, arm, seed, value, iters=800):
    metrics = {key: value for key in tool.METRICS.values()}
    return dict(arm=arm, label=tool.ARMS[arm].label,
                config=tool.ARMS[arm].config,
                labeled_percent=tool.ARMS[arm].labeled_percent, seed=seed,
                iters=iters, metrics=metrics)


def grid_of(tool, values):
    """``{arm: [value per seed]}`` -> cached-run records."""
    return [fake_run(tool, arm, seed, v) for arm, vs in values.items()
            for seed, v in enumerate(vs)]


def test_summaries_have_known_answers():
    grid = load('grid')
    s = grid.summarise([10.0, 12.0, 14.0])
    assert (s.mean, s.std, s.n) == (12.0, 2.0, 3)
    assert s.text() == '12.0 ± 2.0'
    assert grid.summarise([5.0]).std == 0.0
    assert grid.summarise([5.0]).text() == '5.0 (1 run)'
    assert grid.summarise([]).text() == '-'
    assert grid.seed_options(3) == ['randomness.seed=3',
                                    'train_dataloader.sampler.seed=3']


def test_findings_judge_gains_against_two_std():
    tool = load('ssad_results')
    runs = grid_of(tool, dict(
        sup_10pct=[5, 6, 7], sup_25pct=[9, 10, 11], sup_50pct=[14, 15, 16],
        sup_100pct=[29, 30, 31],
        e2e_ssl=[19, 20, 21],  # +10, std 1: a gain, closes 50% of 20
        pseudo_label=[8, 11, 14],  # +1, std 3: within noise
        mean_teacher=[6, 7, 8]))  # -3
    text = '\n'.join(tool.findings(runs))
    assert 'learning curve is monotone' in text
    assert 'label gap (supervised 100% - 25%) is +20.0 f-mAP@0.5.' in text
    assert '**E2E-SSL beats supervised 25%** by +10.0' in text
    assert 'closes 50% of the gap' in text
    assert 'Pseudo-label is above supervised 25% by +1.0' in text
    assert 'not a measured gain' in text
    assert '**Mean Teacher does not beat supervised 25%**: -3.0' in text
    table = tool.table(runs)
    assert '| E2E-SSL | 25% + 75% unlabeled | 20.0 ± 1.0 |' in table
    assert '| Supervised | 10% | 6.0 ± 1.0 |' in table
    # opt-in arms with no runs are left out of the table
    assert 'MixMatch' not in table


def test_non_monotone_curve_and_missing_baseline_are_stated():
    tool = load('ssad_results')
    runs = grid_of(tool, dict(sup_10pct=[8], sup_50pct=[7], e2e_ssl=[9]))
    text = '\n'.join(tool.findings(runs))
    assert '**not monotone**' in text
    assert 'Supervised 25% has not been run' in text
    small_gap = grid_of(tool, dict(sup_25pct=[30, 32], sup_100pct=[35, 36]))
    assert 'below the 15 points a benchmark needs' in '\n'.join(
        tool.findings(small_gap))


def test_cached_runs_make_the_page_and_figure(tmp_path):
    tool = load('ssad_results')
    results = tmp_path / 'runs'
    results.mkdir()
    for run in grid_of(tool, dict(sup_25pct=[10, 12], sup_100pct=[30],
                                  e2e_ssl=[15])):
        with open(results / f'{run["arm"]}_seed{run["seed"]}.json',
                  'w') as f:
            json.dump(run, f)
    out = tmp_path / 'results.md'
    out.write_text('# Results\n\n<!-- bench:recognition -->\nkeep me\n'
                   '<!-- /bench:recognition -->\n')
    figure = tmp_path / 'curve.png'
    tool.main(['--table-only', '--results-dir', str(results), '--out',
               str(out), '--figure', str(figure)])
    text = out.read_text()
    assert 'keep me' in text
    assert '| Supervised | 25% | 11.0 ± 1.4 |' in text
    with open(figure, 'rb') as f:
        assert f.read(8) == b'\x89PNG\r\n\x1a\n'


def test_pending_skips_cached_runs(tmp_path):
    grid = load('grid')
    tool = load('ssad_results')
    arm = tool.ARMS['sup_25pct']
    grid.write_json_atomic(grid.cache_file(str(tmp_path), arm, 1), {'a': 1})
    todo = grid.pending([arm], [0, 1, 2], str(tmp_path))
    assert [seed for _, seed in todo] == [0, 2]
    assert len(grid.pending([arm], [0, 1, 2], str(tmp_path), force=True)) \
        == 3
    with pytest.raises(KeyError, match='seed 0'):
        grid.metric_values([dict(arm='a', seed=0, metrics={})], 'a', 'm')


def test_a_changed_fingerprint_makes_a_cached_run_stale(tmp_path):
    grid = load('grid')
    tool = load('ssad_results')
    arm = tool.ARMS['sup_25pct']
    grid.write_json_atomic(grid.cache_file(str(tmp_path), arm, 0),
                           dict(fingerprint='abc'))
    assert grid.pending([arm], [0], str(tmp_path), False,
                        {arm.name: 'abc'}) == []
    assert grid.pending([arm], [0], str(tmp_path), False,
                        {arm.name: 'def'}) == [(arm, 0)]
    # the fingerprint follows the config and the arm's options
    one = grid.fingerprint(arm)
    assert one == grid.fingerprint(arm)
    assert one != grid.fingerprint(tool.ARMS['sup_10pct'])
    assert one != grid.fingerprint(tool.ARMS['e2e_ssl'])
