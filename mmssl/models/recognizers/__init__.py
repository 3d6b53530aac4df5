from .acl_mtl_recognizer import ACLMTLRecognizer
from .semi_recognizer import SemiRecognizer

__all__ = ['ACLMTLRecognizer', 'SemiRecognizer']
