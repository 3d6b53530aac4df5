"""A hook for tests/test_distributed_equivalence.py (imported through the
config's ``custom_imports``): each rank writes, per training iteration, the
videos of its batch by branch and its loss terms, one JSON line each, to
``<work_dir>/batches_rank<r>.jsonl``."""
import json
import os.path as osp

from mmengine.dist import get_rank
from mmengine.hooks import Hook

from mmaction.registry import HOOKS
from mmssl.datasets.sample_source import data_samples_of


@HOOKS.register_module()
class BatchRecorderHook(Hook):
    """Record each rank's batches and losses (test helper)."""

    def before_train(self, runner) -> None:
        self.path = osp.join(runner.work_dir,
                             f'batches_rank{get_rank()}.jsonl')
        open(self.path, 'w').close()

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None) -> None:
        branches = {}
        for branch, samples in data_batch['data_samples'].items():
            branches[branch] = [
                s.metainfo['filename'] for s in data_samples_of(samples)
            ]
        record = dict(
            iter=runner.iter,
            branches=branches,
            losses={k: float(v) for k, v in outputs.items() if 'loss' in k})
        with open(self.path, 'a') as f:
            f.write(json.dumps(record) + '\n')
