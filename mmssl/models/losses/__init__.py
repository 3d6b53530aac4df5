from .attention_masks import gradient_attention, variance_attention  # noqa
from .bce_dice_loss import BCEDiceLoss  # noqa
from .gradient_smoothness_loss import GradientSmoothnessLoss  # noqa
from .jsd_consistency_loss import JSDConsistencyLoss  # noqa
from .localization_consistency_loss import LocalizationConsistencyLoss  # noqa
from .masked_mean import masked_mean  # noqa
from .spread_loss import SpreadLoss  # noqa
from .temporal_coherence_loss import TemporalCoherenceLoss  # noqa
from .adaptive_contrastive_loss import AdaptiveContrastiveLoss  # noqa
from .temporal_alignment_loss import TemporalAlignmentLoss  # noqa
from .difference_of_pixels_loss import DifferenceOfPixelsLoss  # noqa
from .difference_of_pixels_loss import temporal_difference  # noqa
