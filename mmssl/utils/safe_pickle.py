"""Load annotation pickles without executing code from them.

Annotation files of UCF101-24 / JHMDB-21 (ACT, MOC, E2E-SSL) are pickles of
builtin containers and numpy arrays. :func:`safe_load_pickle` admits exactly
those types; any other global in the file (a class, a function such as
``os.system``) is refused with an error that names the file and the global.
"""
import io
import pickle
from typing import Any, Union

import numpy as np

# (module, name) pairs a data pickle may reference.
_ALLOWED_GLOBALS = {
    ('builtins', 'set'),
    ('builtins', 'frozenset'),
    ('builtins', 'slice'),
    ('builtins', 'range'),
    ('builtins', 'complex'),
    ('builtins', 'bytearray'),
    ('collections', 'OrderedDict'),
    ('collections', 'defaultdict'),
    ('numpy', 'ndarray'),
    ('numpy', 'dtype'),
    ('numpy.core.multiarray', '_reconstruct'),
    ('numpy.core.multiarray', 'scalar'),
    ('numpy._core.multiarray', '_reconstruct'),
    ('numpy._core.multiarray', 'scalar'),
    ('numpy.core.numeric', '_frombuffer'),
    ('numpy._core.numeric', '_frombuffer'),
    ('_codecs', 'encode'),  # numpy arrays pickled by Python 2 use it
}


class UnsafePickleError(pickle.UnpicklingError):
    """Raised when a pickle references a global that is not allowed."""


class _RestrictedUnpickler(pickle.Unpickler):

    def __init__(self, file, source: str, **kwargs):
        super().__init__(file, **kwargs)
        self._source = source

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in _ALLOWED_GLOBALS:
            return super().find_class(module, name)
        if module in ('numpy', 'numpy.dtypes') and name.endswith('DType'):
            return getattr(np.dtypes, name)
        raise UnsafePickleError(
            f'{self._source}: refusing to load global {module}.{name}; '
            'annotation pickles may contain only builtin containers and '
            'numpy arrays. Convert the file, or load it yourself if you '
            'trust it.')


def safe_load_pickle(source: Union[str, bytes]) -> Any:
    """Unpickle a file (path) or bytes, admitting only data types.

    Args:
        source (str | bytes): path of a pickle file, or its content.

    Returns:
        Any: the unpickled object (dicts, lists, tuples, numpy arrays, ...).

    Raises:
        UnsafePickleError: the pickle references a class or function outside
            builtin containers and numpy arrays; the message names the file.
    """
    if isinstance(source, bytes):
        return _RestrictedUnpickler(
            io.BytesIO(source), '<bytes>', encoding='latin1').load()
    with open(source, 'rb') as f:
        return _RestrictedUnpickler(f, str(source), encoding='latin1').load()
