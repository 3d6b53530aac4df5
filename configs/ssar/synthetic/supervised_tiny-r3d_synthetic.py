# Supervised-only baseline on the synthetic recognition set: the labeled
# clips alone (2 per class, per-class count, seed 47), 4 per step as in the
# semi-supervised batches, same schedule.
_base_ = ['../_base_/tiny_synthetic.py']

model = _base_.recognizer
train_dataloader = dict(
    batch_size=4,
    num_workers=2,
    persistent_workers=False,
    sampler=dict(type='InfiniteSampler', shuffle=True, seed=0),
    dataset=dict(
        type='VideoDataset',
        ann_file=_base_.labeled_list,
        data_prefix=dict(video=_base_.video_root),
        pipeline=_base_.supervised_pipeline))
train_cfg = dict(_delete_=True, type='GuardedIterBasedTrainLoop',
                 max_iters=_base_.max_iters, val_interval=100)
val_cfg = dict(_delete_=True, type='ValLoop')
custom_hooks = []
