from .class_prototypes import ClassPrototypes
from .contrastive_pairs import ContrastivePairs, select_contrastive_pairs
from .distribution_alignment import DistributionAlignment
from .gmm import GMMParams, fit_gmm_1d, gmm_posterior
from .memory_bank import PseudoLabelMemoryBank
from .mixup import mixup, sample_mixup_lambda
from .pseudo_label_threshold import PseudoTargets, threshold_pseudo_labels
from .reliability_gmm import ReliabilityGMM
from .sharpen import sharpen, sharpen_binary
from .temporal_features import temporal_features

__all__ = [
    'ClassPrototypes', 'ContrastivePairs', 'DistributionAlignment',
    'select_contrastive_pairs', 'GMMParams', 'fit_gmm_1d', 'gmm_posterior',
    'PseudoLabelMemoryBank', 'ReliabilityGMM', 'temporal_features'
]
__all__ += ['mixup', 'sample_mixup_lambda', 'PseudoTargets',
            'threshold_pseudo_labels', 'sharpen', 'sharpen_binary']
