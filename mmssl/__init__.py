"""mmssl: semi-supervised video action detection and recognition for
MMAction2.

Importing the package (directly, or through
``custom_imports = dict(imports=['mmssl'])`` in a config) first applies the
small fixes in :mod:`mmssl.compat` and then registers every mmssl component in
mmaction's registries.
"""
from . import compat

compat.apply()

from . import datasets, engine, evaluation, models  # noqa: E402,F401
from .version import __version__, version_info  # noqa: E402,F401

__all__ = ['__version__', 'version_info']
