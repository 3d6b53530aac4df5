from .semi_recognizer import SemiRecognizer

__all__ = ['SemiRecognizer']
