# E2E-SSL on the synthetic set: the same labeled 25% plus the other 75%
# unlabeled, 4 + 4 clips per batch, each with its flipped view.
_base_ = ['_base_/synthetic_tiny.py']

model = dict(_delete_=True, type='E2ESSLDetector',
             detector={{_base_.model}},
             semi_train_cfg=dict(mask_warmup_iters=100))
train_dataloader = dict(
    sampler=dict(_delete_=True, type='MultiSourceSampler', batch_size=8,
                 source_ratio=[1, 1], seed=0),
    dataset=dict(_delete_=True, type='ConcatDataset',
                 datasets=[{{_base_.labeled_two_view}},
                           {{_base_.unlabeled_two_view}}]))
train_cfg = dict(type='SemiIterBasedTrainLoop', _delete_=True,
                 max_iters={{_base_.max_iters}})
custom_hooks = [dict(type='EvalProgressBarHook'),
                dict(type='RampUpHook', length={{_base_.max_iters}},
                     mode='exp')]
