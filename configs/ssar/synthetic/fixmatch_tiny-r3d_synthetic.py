# FixMatch-only baseline on the synthetic recognition set, same labeled
# subset (2 labeled videos per class, per-class count, seed 47), network,
# schedule and EMA teacher as the ACL+MTL config.
_base_ = ['../_base_/tiny_synthetic.py']

model = dict(
    type='SemiRecognizer',
    recognizer=_base_.recognizer,
    semi_train_cfg=dict(pseudo_threshold=0.8),
    semi_test_cfg=dict(predict_on='teacher'))
train_dataloader = dict(
    _base_.semi_train_dataloader,
    dataset=dict(
        type='ConcatDataset',
        datasets=[
            _base_.labeled_dataset,
            dict(
                type='VideoDataset',
                ann_file=_base_.unlabeled_list,
                data_prefix=dict(video=_base_.video_root),
                pipeline=_base_.unlabeled_fixmatch_pipeline)
        ]))
