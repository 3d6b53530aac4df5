from .safe_pickle import UnsafePickleError, safe_load_pickle

__all__ = ['safe_load_pickle', 'UnsafePickleError']
