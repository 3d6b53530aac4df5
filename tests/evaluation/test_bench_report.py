"""tools/benchmarks/report.py: sections of docs/benchmarks.md."""
import importlib.util
import os.path as osp

import pytest

REPORT = osp.join(
    osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))), 'tools',
    'benchmarks', 'report.py')


def load_report():
    spec = importlib.util.spec_from_file_location('bench_report', REPORT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_sections_are_appended_and_replaced(tmp_path):
    update_section = load_report().update_section
    path = str(tmp_path / 'docs' / 'benchmarks.md')
    update_section('a', '## A\n\nfirst', path)
    update_section('b', '## B\n\nsecond\n', path)
    text = update_section('a', '## A\n\nnew', path)
    assert text.startswith('# Benchmarks')
    assert text.count('<!-- bench:a -->') == 1
    assert '<!-- bench:a -->\n## A\n\nnew\n<!-- /bench:a -->' in text
    assert 'first' not in text
    assert text.index('bench:a') < text.index('bench:b')
    assert '<!-- bench:b -->\n## B\n\nsecond\n<!-- /bench:b -->' in text
    with open(path) as f:
        assert f.read() == text


def test_title_is_used_only_when_the_file_is_created(tmp_path):
    update_section = load_report().update_section
    path = str(tmp_path / 'results.md')
    update_section('a', 'x', path, title='Results')
    text = update_section('b', 'y', path, title='Other')
    assert text.startswith('# Results\n')
    assert 'Other' not in text


def test_bad_names_and_broken_markers(tmp_path):
    update_section = load_report().update_section
    path = str(tmp_path / 'benchmarks.md')
    with pytest.raises(ValueError, match='section name'):
        update_section('a b', 'x', path)
    with open(path, 'w') as f:
        f.write('# Benchmarks\n<!-- bench:a -->\nno end\n')
    with pytest.raises(ValueError, match='markers'):
        update_section('a', 'x', path)
