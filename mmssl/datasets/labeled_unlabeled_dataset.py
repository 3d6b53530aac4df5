"""The labeled and the unlabeled training set of a semi-supervised run."""
from typing import List, Union

from mmengine.dataset import BaseDataset, ConcatDataset

from mmaction.registry import DATASETS


@DATASETS.register_module()
class LabeledUnlabeledDataset(ConcatDataset):
    """MMEngine's :class:`~mmengine.dataset.ConcatDataset` of exactly two
    sources, named: source 0 is the labeled set, source 1 the unlabeled set.

    That is the order :class:`~mmssl.datasets.samplers.MultiSourceSampler`'s
    ``source_ratio`` and the semi-supervised models expect. Unlike a
    ``ConcatDataset`` config, whose ``datasets`` list a child config must
    repeat in full (MMEngine replaces lists when merging configs), the two
    named dicts merge key by key, so a config inheriting the wrapper sets only
    what differs, e.g. ``dataset=dict(labeled=dict(ann_file=...))``.

    Args:
        labeled (dict | BaseDataset): the labeled dataset, or its config
            (built through mmaction's ``DATASETS`` registry, so that e.g.
            ``'VideoDataset'`` resolves without a default scope).
        unlabeled (dict | BaseDataset): the unlabeled dataset, or its config.
        lazy_init (bool): defer loading the annotations to
            :meth:`full_init`. Defaults to False.
        ignore_keys (str | list[str], optional): ``metainfo`` keys in which
            the two sets may differ. Defaults to None.
    """

    def __init__(self,
                 labeled: Union[dict, BaseDataset],
                 unlabeled: Union[dict, BaseDataset],
                 lazy_init: bool = False,
                 ignore_keys: Union[str, List[str], None] = None) -> None:
        super().__init__(
            datasets=[self._build(labeled), self._build(unlabeled)],
            lazy_init=lazy_init,
            ignore_keys=ignore_keys)

    @staticmethod
    def _build(dataset: Union[dict, BaseDataset]) -> BaseDataset:
        """Build a dataset config in mmaction's registry; pass a built
        dataset through (``ConcatDataset`` type-checks both)."""
        return DATASETS.build(dataset) if isinstance(dataset, dict) \
            else dataset
