"""Annotation pickles are never unpickled in full; checkpoints are, only
from local paths (see the Security section of docs/get_started.md)."""
import ast
import glob
import os
import os.path as osp
import pickle

import pytest
from mmengine.runner.checkpoint import CheckpointLoader

from conftest import REPO_ROOT
from mmssl.evaluation.metrics import ActionDetectionMetric
from mmssl.utils import UnsafePickleError

# Files allowed to unpickle without the restricted unpickler, and why.
FULL_UNPICKLING = {
    'mmssl/utils/safe_pickle.py': 'the restricted unpickler itself',
    'mmssl/compat.py': 'checkpoints from local paths the user named',
    'tools/visualize.py': "the user's own --dump result files",
}
RAW_LOADS = {('pickle', 'load'), ('pickle', 'loads'), ('pickle', 'Unpickler'),
             ('torch', 'load'), ('mmengine', 'load'), ('fileio', 'load'),
             ('joblib', 'load'), ('pd', 'read_pickle')}


def raw_loads(path: str) -> list:
    """Calls in ``path`` that may unpickle arbitrary objects."""
    calls = []
    for node in ast.walk(ast.parse(open(path).read())):
        if not (isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)):
            continue
        owner = node.func.value
        owner = owner.id if isinstance(owner, ast.Name) else getattr(
            owner, 'attr', '')
        pickled = any(k.arg == 'allow_pickle' for k in node.keywords)
        if (owner, node.func.attr) in RAW_LOADS or pickled:
            calls.append(f'{owner}.{node.func.attr} line {node.lineno}')
    return calls


def test_only_known_files_unpickle_in_full():
    sources = glob.glob(osp.join(REPO_ROOT, 'mmssl', '**', '*.py'),
                        recursive=True)
    sources += glob.glob(osp.join(REPO_ROOT, 'tools', '**', '*.py'),
                         recursive=True)
    found = {
        osp.relpath(path, REPO_ROOT): raw_loads(path)
        for path in sources if raw_loads(path)
    }
    assert 'mmssl/compat.py' in found  # the check sees torch.load
    unexpected = {k: v for k, v in found.items() if k not in FULL_UNPICKLING}
    assert not unexpected, unexpected


class Evil:

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.mkdir, (self.marker, ))


def test_metric_refuses_a_malicious_annotation_pickle(tmp_path):
    marker = str(tmp_path / 'executed')
    ann = str(tmp_path / 'evil_gt.pkl')
    with open(ann, 'wb') as f:
        pickle.dump({'labels': ['a'], 'gttubes': Evil(marker)}, f)
    with pytest.raises(UnsafePickleError, match='evil_gt.pkl.*mkdir'):
        ActionDetectionMetric(ann_file=ann)
    assert not osp.exists(marker)


def test_full_unpickling_only_for_local_checkpoints():
    local = CheckpointLoader._get_checkpoint_loader('/ckpts/iter_10.pth')
    assert local.__module__ == 'mmssl.compat'
    for remote in ('http://host/model.pth', 'https://host/model.pth'):
        loader = CheckpointLoader._get_checkpoint_loader(remote)
        assert loader.__module__ != 'mmssl.compat', remote
