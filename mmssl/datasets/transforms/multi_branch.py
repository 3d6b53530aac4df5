"""One decode, several views: the multi-branch transform."""
import copy
from typing import Dict, List, Optional

from mmcv.transforms import BaseTransform, Compose
from mmaction.registry import TRANSFORMS


@TRANSFORMS.register_module()
class MultiBranch(BaseTransform):
    """Run several pipelines on copies of one decoded sample.

    Everything before this transform (decoding, shared geometry) runs once;
    each branch pipeline then runs on a deep copy of the results and must end
    in a packing transform that returns ``dict(inputs=..., data_samples=...)``.
    Branches named in ``branch_field`` but not given a pipeline are filled
    with ``None``, so that labeled samples (say, only ``sup``) and unlabeled
    samples (``unsup_teacher`` and ``unsup_student``) collate into one batch;
    :class:`mmssl.models.MultiBranchDataPreprocessor` drops the ``None``
    entries again.

    Args:
        branch_field (list[str]): every branch name used by any dataset of
            the batch, e.g. ``['sup', 'unsup_teacher', 'unsup_student']``.
        **branch_pipelines (list[dict]): the pipeline of each branch this
            dataset provides, keyed by branch name.

    Example:
        >>> labeled = dict(type='MultiBranch',
        ...     branch_field=['sup', 'unsup_teacher', 'unsup_student'],
        ...     sup=[dict(type='PackActionInputs')])
    """

    def __init__(self, branch_field: List[str],
                 **branch_pipelines: List[dict]) -> None:
        unknown = set(branch_pipelines) - set(branch_field)
        if unknown:
            raise ValueError(
                f'MultiBranch: pipelines {sorted(unknown)} are not listed in '
                f'branch_field {branch_field}')
        self.branch_field = list(branch_field)
        self.branch_pipelines = {
            branch: Compose(pipeline)
            for branch, pipeline in branch_pipelines.items()
        }

    def transform(self, results: dict) -> Optional[Dict[str, dict]]:
        """Apply each branch pipeline to a copy of ``results``.

        Args:
            results (dict): the decoded sample.

        Returns:
            dict | None: ``{key: {branch: value}}`` for every key the packing
            transforms return (``inputs``, ``data_samples``), with ``None``
            for branches this dataset does not provide; ``None`` if any
            branch pipeline dropped the sample.
        """
        packed = {}
        for branch, pipeline in self.branch_pipelines.items():
            branch_results = pipeline(copy.deepcopy(results))
            if branch_results is None:
                return None
            packed[branch] = branch_results
        keys = {key for branch_results in packed.values()
                for key in branch_results}
        return {
            key: {
                branch: packed[branch].get(key) if branch in packed else None
                for branch in self.branch_field
            }
            for key in sorted(keys)
        }

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(branch_field={self.branch_field}, '
                f'branches={list(self.branch_pipelines)})')
