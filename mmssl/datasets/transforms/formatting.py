"""Packing a detection clip for the model (see
``docs/design/detection_sample.md``)."""
from typing import Dict, Sequence

import numpy as np
import torch
from mmaction.registry import TRANSFORMS
from mmaction.structures import ActionDataSample
from mmcv.transforms import BaseTransform

#: data fields of the sample and their dtypes
_DATA_FIELDS = (
    ('gt_mask', torch.uint8),
    ('gt_frame_valid', torch.bool),
    ('gt_bboxes', torch.float32),
    ('gt_bbox_frames', torch.long),
    ('gt_bbox_labels', torch.long),
)


@TRANSFORMS.register_module()
class PackDetectionInputs(BaseTransform):
    """Pack ``imgs`` and the targets into ``inputs`` and an
    :class:`ActionDataSample`.

    ``inputs`` is the ``1 x C x T x H x W`` uint8 tensor that
    ``FormatShape('NCTHW')`` + ``PackActionInputs`` would give. The sample
    holds ``gt_label`` (``-1`` when unlabeled), the data fields ``gt_mask``,
    ``gt_frame_valid``, ``gt_bboxes``, ``gt_bbox_frames``,
    ``gt_bbox_labels`` and the metainfo ``is_labeled``, ``video_name``,
    ``frame_inds`` (1-based frames the targets describe), ``ori_shape``,
    ``img_shape``, ``view_affine``, ``frame_interval`` (stride of the model's
    frames; in test mode the model sees every ``frame_interval``-th frame of
    ``frame_inds``) plus ``meta_keys``.

    Args:
        meta_keys (Sequence[str]): further keys of ``results`` to copy into
            the metainfo when present. Defaults to ``('flip', 'crop_bbox',
            'scale_factor', 'sample_idx')``.
    """

    def __init__(self,
                 meta_keys: Sequence[str] = ('flip', 'crop_bbox',
                                             'scale_factor', 'sample_idx')
                 ) -> None:
        self.meta_keys = tuple(meta_keys)

    def transform(self, results: Dict) -> Dict:
        """Pack one view.

        Args:
            results (dict): after the targets and geometric transforms.

        Returns:
            dict: ``inputs`` (1 x C x T x H x W tensor) and ``data_samples``.
        """
        clip = np.stack(results['imgs'])  # T x H x W x C
        inputs = torch.from_numpy(
            np.ascontiguousarray(clip.transpose(3, 0, 1, 2)[None]))
        sample = ActionDataSample()
        sample.set_gt_label(int(results.get('label', -1)))
        for key, dtype in _DATA_FIELDS:
            value = torch.from_numpy(np.ascontiguousarray(results[key]))
            sample.set_field(value.to(dtype), key)
        frame_inds = np.asarray(results['target_frame_inds'], dtype=np.int64)
        meta = dict(
            is_labeled=bool(results.get('is_labeled', False)),
            video_name=results['video_name'],
            frame_inds=frame_inds,
            ori_shape=tuple(results['ori_shape']),
            img_shape=tuple(results['img_shape']),
            view_affine=np.asarray(results['view_affine'], dtype=np.float64),
            frame_interval=int(results.get('frame_interval', 1)))
        meta.update(
            {k: results[k] for k in self.meta_keys if k in results})
        sample.set_metainfo(meta)
        return dict(inputs=inputs, data_samples=sample)

    def __repr__(self) -> str:
        return f'{type(self).__name__}(meta_keys={self.meta_keys})'
