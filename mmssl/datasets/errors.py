"""Errors raised by the detection datasets and their transforms."""


class DatasetError(ValueError):
    """Annotation or media problems found while loading a dataset.

    The message names every offending video (or file) and its problem.
    """


class VideoDecodeError(RuntimeError):
    """A video (or frame folder) could not be decoded during training or
    testing; the message starts with its path."""
