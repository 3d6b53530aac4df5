from . import (backbones, data_preprocessors, detectors, heads, losses,  # noqa
               recognizers, semi)
