"""Every shell command of the README and docs/ is checked, so the docs cannot
rot: scripts exist (shell scripts parse with ``bash -n``), the flags of
every ``python tools/...`` command are accepted by that tool's argparse,
configs named on a command line exist, load and use registered types.
Synopsis lines (with placeholders such as ``CONFIG`` or ``[--flag X]``) have
their flags checked; commands that need real data, a GPU or a new
environment are checked statically, never run. docs/api.md must match the
docstrings (``tools/misc/gen_api_docs.py --check``).
"""
import argparse
import glob
import importlib.util
import os.path as osp
import re
import shlex
import subprocess
import sys
from typing import List, NamedTuple

import pytest
from mmengine.config import Config

from conftest import REPO_ROOT
from mmssl.utils import check_config

DOC_FILES = sorted(
    [osp.join(REPO_ROOT, 'README.md')] +
    glob.glob(osp.join(REPO_ROOT, 'docs', '**', '*.md'), recursive=True) +
    glob.glob(osp.join(REPO_ROOT, 'configs', '**', 'README.md'),
              recursive=True))
SHELL_LANGS = ('bash', 'shell', 'sh', 'console')
PLACEHOLDER = re.compile(r'^[A-Z][A-Z0-9_]+$')
# Programs that are not in this repository: checked by what they name.
EXTERNAL = ('pip', 'source', 'tensorboard', 'cd', 'export', 'mkdir', 'ln',
            'sbatch')
# Shell wrappers: the python tool they run and how their own positional
# arguments map onto its command line (the rest is passed through).
WRAPPERS = {
    'tools/dist_train.sh': ('tools/train.py', 2,
                            lambda a: [a[0], '--launcher', 'pytorch']),
    'tools/dist_test.sh': ('tools/test.py', 3,
                           lambda a: [a[0], a[1], '--launcher', 'pytorch']),
    'tools/slurm_train.sh': ('tools/train.py', 4, lambda a: [
        a[2], f'--work-dir={a[3]}', '--launcher=slurm']),
    'tools/slurm_test.sh': ('tools/test.py', 4,
                            lambda a: [a[2], a[3], '--launcher=slurm']),
    'tools/demo.sh': ('tools/demo.py', 0, lambda a: []),
}
NO_ARGS = ('tools/setup_env.sh', )
PYTEST_WRAPPERS = ('tools/run_tests.sh', )


class DocCommand(NamedTuple):
    where: str  # 'docs/x.md:12'
    argv: List[str]


def doc_commands() -> List[DocCommand]:
    """Every command of the fenced shell blocks of the docs, continuation
    lines joined, comments dropped, split at ``&&`` / ``;``."""
    commands = []
    block = re.compile(r'^```(\w+)[^\n]*\n(.*?)^```', re.M | re.S)
    for path in DOC_FILES:
        with open(path) as f:
            text = f.read()
        rel = osp.relpath(path, REPO_ROOT)
        for match in block.finditer(text):
            if match.group(1) not in SHELL_LANGS:
                continue
            first = text[:match.start(2)].count('\n') + 1
            logical, start = '', first
            for offset, line in enumerate(match.group(2).splitlines()):
                if not logical:
                    start = first + offset
                logical += line
                if line.endswith('\\'):
                    logical = logical[:-1] + ' '
                    continue
                for argv in split_commands(logical):
                    commands.append(DocCommand(f'{rel}:{start}', argv))
                logical = ''
    return commands


def split_commands(line: str) -> List[List[str]]:
    tokens = shlex.split(line.lstrip('$ '), comments=True)
    commands, current = [], []
    for token in tokens:
        if token in ('&&', ';', '||'):
            commands.append(current)
            current = []
        else:
            current.append(token)
    commands.append(current)
    return [strip_env(c) for c in commands if strip_env(c)]


def strip_env(argv: List[str]) -> List[str]:
    """Drop leading ``NAME=value`` environment assignments."""
    index = 0
    while index < len(argv) and re.match(r'^[A-Za-z_]\w*=', argv[index]):
        index += 1
    return argv[index:]


def is_synopsis(args: List[str]) -> bool:
    """Placeholders (``CONFIG``) or optional parts (``[--seed S]``)."""
    return any(
        PLACEHOLDER.match(a.strip('[]')) or a.startswith('[') or a == '...'
        for a in args)


class _Captured(Exception):

    def __init__(self, parser: argparse.ArgumentParser) -> None:
        super().__init__('captured')
        self.parser = parser


def load_tool(script: str):
    name = 'doc_tool_' + re.sub(r'\W', '_', script)
    spec = importlib.util.spec_from_file_location(
        name, osp.join(REPO_ROOT, script))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    if not hasattr(module, 'parse_args'):
        raise AssertionError(f'{script} has no parse_args()')
    return module


def tool_parser(script: str, monkeypatch) -> argparse.ArgumentParser:
    """The ArgumentParser the tool's ``parse_args()`` builds."""

    def capture(self, *args, **kwargs):
        raise _Captured(self)

    module = load_tool(script)
    with monkeypatch.context() as patch:
        patch.setattr(argparse.ArgumentParser, 'parse_args', capture)
        try:
            module.parse_args()
        except _Captured as captured:
            return captured.parser
    raise AssertionError(f'{script}: parse_args() did not parse')


def check_tool_args(where: str, script: str, args: List[str],
                    monkeypatch) -> None:
    """Flags of a synopsis are known to the tool; a concrete command line
    parses, and the configs it names load with registered types."""
    assert osp.isfile(osp.join(REPO_ROOT, script)), \
        f'{where}: {script} does not exist'
    if is_synopsis(args):
        parser = tool_parser(script, monkeypatch)
        for arg in args:
            flag = arg.strip('[]').split('=')[0]
            if flag.startswith('-') and flag != '-':
                assert flag in parser._option_string_actions, (
                    f'{where}: {script} has no option {flag}')
        return
    module = load_tool(script)
    with monkeypatch.context() as patch:
        patch.setattr(sys, 'argv', [script] + args)
        patch.setenv('LOCAL_RANK', '0')
        try:
            module.parse_args()
        except SystemExit as err:
            raise AssertionError(f'{where}: {script} rejects {args} '
                                 f'(exit {err.code})') from err
    for arg in args:
        value = arg.split('=', 1)[-1]
        if value.startswith(('configs/', 'tools/')):
            assert osp.exists(osp.join(REPO_ROOT, value)), \
                f'{where}: {value} does not exist'
        if value.startswith('configs/') and value.endswith('.py'):
            check_config(Config.fromfile(osp.join(REPO_ROOT, value)),
                         check_files=False)


def check_shell_script(where: str, script: str) -> None:
    path = osp.join(REPO_ROOT, script)
    assert osp.isfile(path), f'{where}: {script} does not exist'
    proc = subprocess.run(['bash', '-n', path], capture_output=True,
                          text=True)
    assert proc.returncode == 0, f'{where}: {script}: {proc.stderr}'


def check_external(where: str, argv: List[str]) -> None:
    program = argv[0]
    if program == 'pip':
        for flag, value in zip(argv, argv[1:]):
            if flag in ('-r', '--requirement'):
                assert osp.isfile(osp.join(REPO_ROOT, value)), \
                    f'{where}: {value} does not exist'
    if program == 'sbatch' and '--wrap' in argv:
        wrapped = argv[argv.index('--wrap') + 1]
        scripts = [w for w in wrapped.split() if w.startswith('tools/')]
        assert scripts and all(
            osp.isfile(osp.join(REPO_ROOT, w)) for w in scripts), \
            f'{where}: sbatch wraps no existing repository script: {wrapped}'
    if program == 'source':
        assert argv[1:] == ['.venv/bin/activate'], \
            f'{where}: unexpected source {argv[1:]}'
        with open(osp.join(REPO_ROOT, 'tools', 'setup_env.sh')) as f:
            assert '.venv' in f.read(), f'{where}: nothing makes .venv'


COMMANDS = doc_commands()


def test_docs_have_commands():
    files = {c.where.split(':')[0] for c in COMMANDS}
    assert 'README.md' in files and len(COMMANDS) >= 10, sorted(files)


@pytest.mark.parametrize('command', COMMANDS,
                         ids=[c.where for c in COMMANDS])
def test_doc_command(command: DocCommand, monkeypatch):
    where, argv = command
    program, args = argv[0], argv[1:]
    if program in ('python', 'python3'):
        assert args and args[0].endswith('.py'), \
            f'{where}: run a repository script: {argv}'
        check_tool_args(where, args[0], args[1:], monkeypatch)
    elif program == 'bash':
        script = args[0]
        check_shell_script(where, script)
        if script in WRAPPERS:
            tool, count, mapped = WRAPPERS[script]
            positional, rest = args[1:1 + count], args[1 + count:]
            if is_synopsis(args[1:]):
                check_tool_args(where, tool, args[1:], monkeypatch)
            else:
                assert len(positional) == count, \
                    f'{where}: {script} takes {count} arguments first'
                check_tool_args(where, tool, mapped(positional) + rest,
                                monkeypatch)
        elif script in NO_ARGS:
            assert not args[1:], f'{where}: {script} takes no arguments'
        else:
            assert script in PYTEST_WRAPPERS, \
                f'{where}: unknown script {script}; add it to this test'
    elif program in EXTERNAL:
        check_external(where, argv)
    else:
        pytest.fail(f'{where}: unknown program {program!r} in {argv}; '
                    'document repository tools, or add it to EXTERNAL')


def test_api_docs_are_up_to_date(capsys):
    module = load_tool('tools/misc/gen_api_docs.py')
    code = module.main(['--check'])
    assert code == 0, capsys.readouterr().err


def test_the_checks_catch_rotten_commands(monkeypatch):
    with pytest.raises(AssertionError, match='has no option --nope'):
        check_tool_args('x', 'tools/train.py', ['CONFIG', '[--nope]'],
                        monkeypatch)
    with pytest.raises(AssertionError, match='tools/test.py rejects'):
        check_tool_args('x', 'tools/test.py', ['configs/x.py'], monkeypatch)
    with pytest.raises(AssertionError, match='configs/nope.py does not'):
        check_tool_args('x', 'tools/train.py', ['configs/nope.py'],
                        monkeypatch)
    with pytest.raises(AssertionError, match='tools/nope.py does not'):
        check_tool_args('x', 'tools/nope.py', [], monkeypatch)
    assert split_commands('GPUS=8 bash a.sh X  # note') == [['bash', 'a.sh',
                                                             'X']]
    assert split_commands('cd a && python b.py') == [['cd', 'a'],
                                                     ['python', 'b.py']]


def test_model_zoo_lists_every_config():
    with open(osp.join(REPO_ROOT, 'docs', 'model_zoo.md')) as f:
        zoo = f.read()
    listed = set(re.findall(r'`(ss(?:ad|ar)/[\w./-]+\.py)`', zoo))
    configs = {
        osp.relpath(path, osp.join(REPO_ROOT, 'configs'))
        for group in ('ssad', 'ssar') for path in glob.glob(
            osp.join(REPO_ROOT, 'configs', group, '**', '*.py'),
            recursive=True) if '_base_' not in path.split(osp.sep)
    }
    assert sorted(listed - configs) == [], 'model_zoo.md names missing files'
    assert sorted(configs - listed) == [], 'configs missing in model_zoo.md'


def test_relative_links_of_the_docs_resolve():
    broken = []
    for path in DOC_FILES:
        with open(path) as f:
            text = f.read()
        for target in re.findall(r'\]\(([^)#\s]+)(?:#[^)]*)?\)', text):
            if re.match(r'^[a-z]+:', target):
                continue  # a URL
            if not osp.exists(osp.join(osp.dirname(path), target)):
                broken.append(f'{osp.relpath(path, REPO_ROOT)}: {target}')
    assert sorted(set(broken)) == []
