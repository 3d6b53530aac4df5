"""Fixtures of the dataset tests."""
import os.path as osp

import pytest
from detection_fixtures import make_act, save_pickle


@pytest.fixture(scope='module')
def tiny_act(tmp_path_factory):
    """``(root, gt, ann_file)`` of a tiny UCF101-24-like dataset."""
    root = str(tmp_path_factory.mktemp('tiny_det'))
    gt = make_act(root)
    ann_file = save_pickle(osp.join(root, 'annotations', 'GT.pkl'), gt)
    return root, gt, ann_file
