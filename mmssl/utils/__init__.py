from .config_check import check_config
from .launch import build_runner, set_work_dir
from .safe_pickle import UnsafePickleError, safe_load_pickle

__all__ = [
    'build_runner', 'check_config', 'set_work_dir', 'safe_load_pickle',
    'UnsafePickleError'
]
