"""tools/benchmarks/ssad_results.py: table and findings from cached results,
written into its own section of the results file."""
import importlib.util
import json
import os.path as osp

from conftest import REPO_ROOT


def load_tool():
    path = osp.join(REPO_ROOT, 'tools', 'benchmarks', 'ssad_results.py')
    spec = importlib.util.spec_from_file_location('ssad_results', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def fake(tool, name, value, iters=600):
    metrics = {key: value for key in tool.METRICS.values()}
    return dict(name=name, config=tool.METHODS[name].config, iters=iters,
                train_seconds=10.0, test_seconds=2.0, metrics=metrics)


def test_findings_compare_with_the_supervised_row():
    tool = load_tool()
    results = dict.fromkeys(tool.METHODS)
    results.update(supervised=fake(tool, 'supervised', 10.0),
                   e2e_ssl=fake(tool, 'e2e_ssl', 15.0),
                   pseudo_label=fake(tool, 'pseudo_label', 8.0),
                   supervised_100pct=fake(tool, 'supervised_100pct', 20.0))
    notes = tool.findings(results)
    text = '\n'.join(notes)
    assert 'E2E-SSL is above the supervised 25% model on every metric' in text
    assert 'closes 50% of the f-mAP@0.5 gap' in text
    assert '**Pseudo-label does not help**' in text
    # a losing method is not said to close a negative share of the gap
    assert text.count('closes') == 1
    table = tool.table(results)
    assert '| E2E-SSL | 25% + 75% unlabeled | 15.0 | 15.0 |' in table
    assert table.count('not run') == 3 * len(tool.METRICS)


def test_unequal_iterations_and_missing_baseline_are_stated():
    tool = load_tool()
    results = dict.fromkeys(tool.METHODS)
    results['e2e_ssl'] = fake(tool, 'e2e_ssl', 15.0)
    assert 'has not been run' in tool.findings(results)[0]
    results['supervised'] = fake(tool, 'supervised', 10.0, iters=2)
    assert 'different numbers of iterations' in tool.findings(results)[0]


def test_table_only_writes_its_section(tmp_path):
    tool = load_tool()
    work = tmp_path / 'work'
    (work / 'supervised').mkdir(parents=True)
    with open(work / 'supervised' / 'results.json', 'w') as f:
        json.dump(fake(tool, 'supervised', 12.5), f)
    out = tmp_path / 'results.md'
    out.write_text('# Results\n\n<!-- bench:recognition -->\nkeep me\n'
                   '<!-- /bench:recognition -->\n')
    tool.main(['--table-only', '--work-dir', str(work), '--out', str(out)])
    text = out.read_text()
    assert 'keep me' in text
    assert '| Supervised | 25% | 12.5 |' in text
