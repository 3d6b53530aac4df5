# Ablation: Adaptive Contrastive Learning without Multi-scale Temporal
# Learning (FixMatch + ACL) on the synthetic recognition set; same labeled
# subset (2 per class, seed 47), network, schedule and teacher as the ACL+MTL
# config. Unlabeled clips carry the short clip only.
_base_ = ['./acl-mtl_tiny-r3d_synthetic.py']

model = dict(mtl=None)
train_dataloader = dict(
    dataset=dict(datasets=[
        _base_.labeled_dataset,
        dict(
            type='VideoDataset',
            ann_file=_base_.unlabeled_list,
            data_prefix=dict(video=_base_.video_root),
            pipeline=_base_.unlabeled_fixmatch_pipeline)
    ]))
