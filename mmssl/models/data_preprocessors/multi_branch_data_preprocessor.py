"""Normalise every branch of a multi-branch batch with one preprocessor."""
from typing import Dict, Optional, Sequence, Union

import torch
from mmengine.model import BaseDataPreprocessor
from mmaction.registry import MODELS
from mmaction.utils import ConfigType


@MODELS.register_module()
class MultiBranchDataPreprocessor(BaseDataPreprocessor):
    """Wrap an ordinary data preprocessor for :class:`MultiBranch` batches.

    In training, the collated batch is ``{'inputs': {branch: [tensor or
    None] * B}, 'data_samples': {branch: [sample or None] * B}}``. The ``None``
    entries (branches a sample's dataset does not provide) are dropped, each
    branch is processed on its own by the wrapped preprocessor (e.g.
    ``ActionDataPreprocessor``: stacking, normalisation, moving to device),
    and the result is ``{'inputs': {branch: Tensor}, 'data_samples':
    {branch: list}}``. Branches with no sample in the batch are left out.
    Outside training the batch is single-branch and passed straight through.

    Batch blending of the wrapped preprocessor (MMAction2's ``blending``,
    e.g. MixUp / CutMix) runs on the labeled branches only: on unlabeled
    clips it would need labels (``-1`` fails), and blending a weak and a
    strong view with different partners and lambdas would make the teacher's
    pseudo-labels describe another input than the student's.

    Args:
        data_preprocessor (dict): config of the wrapped preprocessor.
        blend_branches (tuple[str]): branches that are blended when the
            wrapped preprocessor has ``blending``. Defaults to
            ``('sup',)`` (the teacher-student layout).
    """

    def __init__(self, data_preprocessor: ConfigType,
                 blend_branches: Sequence[str] = ('sup', )) -> None:
        super().__init__()
        self.data_preprocessor = MODELS.build(data_preprocessor)
        self.blend_branches = tuple(blend_branches)

    def forward(self, data: dict, training: bool = False) -> dict:
        """Preprocess a (multi-branch) batch.

        Args:
            data (dict): collated batch from the dataloader.
            training (bool): whether the batch is a training batch.

        Returns:
            dict: ``inputs`` and ``data_samples``, each a dict keyed by
            branch in training, as the wrapped preprocessor returns them
            otherwise.
        """
        if not training or not isinstance(data.get('inputs'), dict):
            return self.data_preprocessor(data, training)
        branches = data['inputs'].keys()
        result = {'inputs': {}, 'data_samples': {}}
        for branch in branches:
            inputs = [x for x in data['inputs'][branch] if x is not None]
            if not inputs:
                continue
            samples = [
                s for s in data['data_samples'][branch] if s is not None
            ]
            processed = self.process_branch(branch, inputs, samples)
            result['inputs'][branch] = processed['inputs']
            result['data_samples'][branch] = processed['data_samples']
        return result

    def process_branch(self, branch: str, inputs: list,
                       samples: list) -> dict:
        """Run the wrapped preprocessor on one branch (in training),
        blending only the branches in ``blend_branches``."""
        blending = getattr(self.data_preprocessor, 'blending', None)
        if blending is None or branch in self.blend_branches:
            return self.data_preprocessor(
                dict(inputs=inputs, data_samples=samples), True)
        self.data_preprocessor.blending = None
        try:
            return self.data_preprocessor(
                dict(inputs=inputs, data_samples=samples), True)
        finally:
            self.data_preprocessor.blending = blending

    @property
    def device(self) -> torch.device:
        return self.data_preprocessor.device

    def to(self, *args, **kwargs) -> 'MultiBranchDataPreprocessor':
        self.data_preprocessor.to(*args, **kwargs)
        return super().to(*args, **kwargs)

    def cuda(self, device: Optional[Union[int, torch.device]] = None
             ) -> 'MultiBranchDataPreprocessor':
        self.data_preprocessor.cuda(device)
        return super().cuda(device)

    def cpu(self, *args, **kwargs) -> 'MultiBranchDataPreprocessor':
        self.data_preprocessor.cpu()
        return super().cpu()
