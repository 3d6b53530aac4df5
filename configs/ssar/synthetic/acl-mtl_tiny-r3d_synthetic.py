# ACL+MTL on the synthetic recognition set, 2 labeled videos per class
# (per-class count, seed 47; the other 190 unlabeled). CPU-sized (see
# ../_base_/tiny_synthetic.py for the data). Small bank and GMM sample count
# for a 600-iteration run.
_base_ = ['../_base_/tiny_synthetic.py']

model = dict(
    type='ACLMTLRecognizer',
    recognizer=_base_.recognizer,
    acl=dict(bank_size=256, gmm_min_samples=32, gmm_interval=10,
             proj_channels=32),
    mtl=dict(num_long_clips=2),
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
                pipeline=_base_.unlabeled_acl_mtl_pipeline)
        ]))
