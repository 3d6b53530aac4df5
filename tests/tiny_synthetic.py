"""A tiny copy of the synthetic detection set for tool tests: a few
videos per class (``tools/data/make_synthetic.py``'s generator
with smaller counts, no recognition clips)."""
import importlib.util
import os.path as osp
import pickle

import pytest

from conftest import REPO_ROOT


def make_tiny_synthetic(out_dir: str, train_per_class: int = 1,
                        test_per_class: int = 1) -> dict:
    """Write the set to ``out_dir`` (``videos/``, ``annotations/``).

    Args:
        out_dir (str): output root.
        train_per_class (int): training videos per class.
        test_per_class (int): test videos per class.

    Returns:
        dict: the ACT-format annotation (5 classes, videos of 32-48 frames,
        160 x 120: the generator's design size, at which the tool tests
        were written; the shipped set's default is 64 x 48).
    """
    spec = importlib.util.spec_from_file_location(
        'make_synthetic', osp.join(REPO_ROOT, 'tools/data/make_synthetic.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(module, 'TRAIN_PER_CLASS', train_per_class)
        patch.setattr(module, 'TEST_PER_CLASS', test_per_class)
        patch.setattr(module, 'WIDTH', 160)
        patch.setattr(module, 'HEIGHT', 120)
        patch.setattr(module, 'ACTOR_SCALE', 1.0)
        # the recognition clips are not needed (raising=False: older
        # versions of the generator have none)
        patch.setattr(module, 'make_recognition_set', lambda *args: None,
                      raising=False)
        module.make_dataset(out_dir)
    with open(osp.join(out_dir, 'annotations', 'UCF101v2-GT.pkl'), 'rb') as f:
        return pickle.load(f)
