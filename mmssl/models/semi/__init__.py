from .semi_base_model import SemiBaseModel, prefix_losses, scale_losses

__all__ = ['SemiBaseModel', 'prefix_losses', 'scale_losses']
