from .config_check import check_config
from .safe_pickle import UnsafePickleError, safe_load_pickle

__all__ = ['check_config', 'safe_load_pickle', 'UnsafePickleError']
