__version__ = '0.1.0'


def _parse_version_info(version: str) -> tuple:
    """Split ``'0.1.0'`` into ``(0, 1, 0)``; non-numeric parts stay strings."""
    return tuple(int(p) if p.isdigit() else p for p in version.split('.'))


version_info = _parse_version_info(__version__)
