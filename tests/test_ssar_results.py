"""tools/benchmarks/ssar_results.py: the table and findings from cached
results, written into its own section of the results file."""
import importlib.util
import json
import os.path as osp

import pytest

from conftest import REPO_ROOT


def load_tool():
    path = osp.join(REPO_ROOT, 'tools', 'benchmarks', 'ssar_results.py')
    spec = importlib.util.spec_from_file_location('ssar_results', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


SPLIT = dict(convention='per-class count', per_class=2, seed=47,
             num_labeled=10, num_unlabeled=190)


def cache(work_dir, name, top1, mean1, iters=600):
    result = dict(metrics={'Top-1': top1, 'Mean class acc.': mean1},
                  iters=iters, requested_iters=None, train_s=90.0,
                  test_s=30.0, split={k: SPLIT[k] for k in
                                      ('convention', 'per_class', 'seed')},
                  split_info=SPLIT, config='x.py')
    (work_dir / name).mkdir(parents=True)
    (work_dir / name / 'results.json').write_text(json.dumps(result))


def test_table_only_writes_its_section_and_findings(tmp_path, capsys):
    tool = load_tool()
    out = tmp_path / 'results.md'
    out.write_text('# Results\n\n<!-- bench:detection -->\nkept\n'
                   '<!-- /bench:detection -->\n')
    work = tmp_path / 'work'
    cache(work, 'supervised', 30.0, 29.0)
    cache(work, 'fixmatch', 42.0, 41.5)
    cache(work, 'acl_mtl', 40.0, 40.5)
    cache(work, 'supervised_100pct', 70.0, 70.0)
    tool.main(['--table-only', '--work-dir', str(work), '--output',
               str(out)])
    text = out.read_text()
    assert 'kept' in text and '<!-- bench:recognition -->' in text
    assert '| Supervised | 2/class (10) | 30.0 | 29.0 | 600 | 2.0 min |' \
        in text
    assert '| FixMatch (SemiRecognizer) | 2/class (10) + 190 unlabeled | ' \
        '42.0 | 41.5 |' in text
    assert '| Supervised (upper bound) | all 200 | 70.0 |' in text
    assert '| FixMatch + ACL | 2/class (10) + 190 unlabeled | not run |' \
        in text
    assert 'per-class count convention, 2 videos per class, seed 47' in text
    assert ('FixMatch (unlabeled clips, pseudo-labels) over supervised on '
            'the same labels: +12.0 top-1, +12.5 mean class accuracy '
            '(helps).') in text
    assert ('ACL and MTL together added to FixMatch: -2.0 top-1, -1.0 mean '
            'class accuracy (hurts).') in text
    assert 'upper bound minus ACL+MTL): +30.0 top-1' in text
    assert 'Adaptive Contrastive Learning added' not in text  # not run
    # rewriting replaces the section instead of appending another one
    tool.main(['--table-only', '--work-dir', str(work), '--output',
               str(out)])
    assert out.read_text().count('<!-- bench:recognition -->') == 1
    capsys.readouterr()


def test_cache_is_stale_for_other_iters_or_split(tmp_path):
    tool = load_tool()
    cache(tmp_path, 'fixmatch', 40.0, 40.0)
    result = tool.cached('fixmatch', tool.parse_args(
        ['--work-dir', str(tmp_path)]))
    args = tool.parse_args(['--work-dir', str(tmp_path)])
    assert tool.is_current(result, args, SPLIT)
    assert not tool.is_current(result, tool.parse_args(
        ['--work-dir', str(tmp_path), '--iters', '50']), SPLIT)
    assert not tool.is_current(result, args, dict(SPLIT, per_class=3))
    assert not tool.is_current(result, tool.parse_args(
        ['--work-dir', str(tmp_path), '--force']), SPLIT)
    with pytest.raises(SystemExit):
        tool.parse_args(['--iters', '0'])
