from .multi_branch_data_preprocessor import MultiBranchDataPreprocessor
from .temporal_difference_preprocessor import (
    TemporalDifferencePreprocessor, temporal_difference)

__all__ = [
    'MultiBranchDataPreprocessor', 'TemporalDifferencePreprocessor',
    'temporal_difference'
]
