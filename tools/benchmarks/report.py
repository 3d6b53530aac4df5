"""Write one benchmark's section of ``docs/benchmarks.md``.

Each benchmark owns the block between ``<!-- bench:NAME -->`` and
``<!-- /bench:NAME -->``; :func:`update_section` replaces that block (or
appends it), so several benchmarks write into one file without clobbering
each other.
"""
import os
import os.path as osp
import re

DEFAULT_PATH = 'docs/benchmarks.md'
HEADER = ('# {title}\n\nSections below are written by the scripts in '
          '`tools/benchmarks/`; edit the scripts, not the sections.\n')


def update_section(name: str, markdown: str, path: str = DEFAULT_PATH,
                   title: str = 'Benchmarks') -> str:
    """Replace or append the section ``name`` of a markdown file.

    Args:
        name (str): section name (letters, digits, ``_``, ``-``, ``.``).
        markdown (str): the section's content, without markers.
        path (str): the markdown file; created with a header if missing.
            Defaults to ``docs/benchmarks.md``.
        title (str): the header's title when the file is created.
            Defaults to ``'Benchmarks'``.

    Returns:
        str: the file's new content.
    """
    if not re.fullmatch(r'[\w.-]+', name):
        raise ValueError(f'section name {name!r} may only hold letters, '
                         'digits, "_", "-" and "."')
    begin, end = f'<!-- bench:{name} -->', f'<!-- /bench:{name} -->'
    block = f'{begin}\n{markdown.strip()}\n{end}'
    text = HEADER.format(title=title)
    if osp.exists(path):
        with open(path, encoding='utf-8') as f:
            text = f.read()
    if text.count(begin) != text.count(end) or text.count(begin) > 1:
        raise ValueError(f'{path}: markers of section {name!r} are broken; '
                         f'expected one {begin} and one {end}')
    if begin in text:
        start = text.index(begin)
        stop = text.index(end, start) + len(end)
        text = text[:start] + block + text[stop:]
    else:
        text = text.rstrip('\n') + '\n\n' + block + '\n'
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    with open(path, 'w', encoding='utf-8') as f:
        f.write(text)
    return text
