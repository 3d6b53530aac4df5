"""Write docs/api.md: every mmssl component registered in mmaction's
registries, with the first paragraph of its docstring and its arguments.

    python tools/misc/gen_api_docs.py            # (re)write docs/api.md
    python tools/misc/gen_api_docs.py --check    # fail if it is out of date
"""
import argparse
import inspect
import os.path as osp
import re
import sys
from typing import Dict, List, Optional, Sequence, Tuple

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
DEFAULT_OUT = osp.join(ROOT, 'docs', 'api.md')
_SECTION = re.compile(r'^[A-Z][A-Za-z ]*:$')
_ARG = re.compile(r'^(\*{0,2}\w+)(?: \((.*?)\))?:\s*(.*)$')

HEADER = """# API reference

Every mmssl component registered in mmaction's registries, by registry: the
first paragraph of its docstring and its arguments. Generated from the
docstrings by `python tools/misc/gen_api_docs.py`; do not edit by hand
(`tests/test_docs_commands.py` fails when this page is out of date). Configs
name these classes by `type=` once `custom_imports = dict(imports=['mmssl'])`
is set.
"""


def registered_components() -> Dict[str, List[Tuple[str, object]]]:
    """``{registry name: [(registered name, class or function), ...]}`` of
    the mmssl entries of mmaction's registries, sorted by name."""
    import mmssl  # noqa: F401  (registers everything)
    import mmaction.registry as registries
    from mmengine.registry import Registry
    found: Dict[str, List[Tuple[str, object]]] = {}
    for attr, registry in sorted(vars(registries).items()):
        if not isinstance(registry, Registry) or \
                registry.scope != 'mmaction':
            continue
        entries = [(name, obj)
                   for name, obj in registry.module_dict.items()
                   if getattr(obj, '__module__', '').startswith('mmssl')]
        if entries:
            found[attr] = sorted(entries, key=lambda entry: entry[0])
    return found


def split_docstring(doc: str) -> Tuple[str, List[str]]:
    """The first paragraph (one line) and the lines of the ``Args:``
    section (dedented by one level) of a Google-style docstring."""
    lines = doc.splitlines()
    first: List[str] = []
    for line in lines:
        if not line.strip():
            break
        first.append(line.strip())
    args: List[str] = []
    inside = False
    for line in lines:
        if line.strip() == 'Args:' and not line.startswith(' '):
            inside = True
            continue
        if inside and not line.startswith(' ') and line.strip() and \
                _SECTION.match(line.strip()):
            break
        if inside:
            args.append(line[4:] if line.startswith('    ') else line)
    return ' '.join(first), args


def format_args(lines: Sequence[str]) -> List[str]:
    """Markdown bullets ``- `name` (type): text`` from ``Args:`` lines; an
    indented line continues the previous argument."""
    bullets: List[str] = []
    for line in lines:
        if not line.strip():
            continue
        match = _ARG.match(line) if not line.startswith(' ') else None
        if match:
            name, kind, text = match.groups()
            kind = f' ({kind})' if kind else ''
            bullets.append(f'- `{name}`{kind}: {text}'.rstrip())
        elif bullets:
            bullets[-1] += ' ' + line.strip()
        else:
            bullets.append(f'- {line.strip()}')
    return bullets


def component_section(name: str, obj: object) -> List[str]:
    """The markdown of one component."""
    doc = inspect.getdoc(obj) or ''
    first, args = split_docstring(doc)
    module = obj.__module__
    lines = [f'### {name}', '', f'`{module}.{obj.__qualname__}`', '']
    if first:
        lines += [first, '']
    bullets = format_args(args)
    if bullets:
        lines += ['Args:', ''] + bullets + ['']
    return lines


def render() -> str:
    """The whole page."""
    lines = [HEADER]
    for registry, entries in registered_components().items():
        lines += [f'## {registry}', '']
        for name, obj in entries:
            lines += component_section(name, obj)
    return '\n'.join(lines).rstrip() + '\n'


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--out', default=DEFAULT_OUT, help='the page')
    parser.add_argument(
        '--check',
        action='store_true',
        help='do not write; exit 1 if the page differs from the docstrings')
    return parser.parse_args(argv)


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    text = render()
    if args.check:
        current = open(args.out).read() if osp.isfile(args.out) else None
        if current != text:
            print(f'{args.out} is out of date with the docstrings; run '
                  'python tools/misc/gen_api_docs.py', file=sys.stderr)
            return 1
        print(f'{args.out} is up to date')
        return 0
    with open(args.out, 'w') as f:
        f.write(text)
    print(f'wrote {args.out}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
