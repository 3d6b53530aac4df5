# Supervised baseline on the synthetic set: the labeled 25% only
# (everything is in the base; the semi-supervised config sees the same subset).
_base_ = ['_base_/synthetic_tiny.py']
