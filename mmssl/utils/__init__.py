from .config_check import check_config
from .launch import build_runner, set_work_dir
from .safe_pickle import UnsafePickleError, safe_load_pickle
from .schedule import (as_cfg_options, scale_schedule_options,
                       scaled_schedule_args)

__all__ = [
    'build_runner', 'check_config', 'set_work_dir', 'safe_load_pickle',
    'UnsafePickleError', 'scale_schedule_options', 'as_cfg_options',
    'scaled_schedule_args'
]
