from .multi_branch import MultiBranch

__all__ = ['MultiBranch']
