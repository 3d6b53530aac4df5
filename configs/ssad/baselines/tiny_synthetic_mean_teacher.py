# Mean Teacher on the synthetic set (same labeled 25% + 75% unlabeled,
# 8 + 4 clips per batch): EMA teacher on the weak view, student on a strong
# photometric view with the same geometry, L2 + difference-of-pixels
# consistency of the foreground probabilities. EMA decay 0.99 (a horizon of
# 100 iterations) suits the tiny configs' 800-iteration runs.
_base_ = ['_base_/ts_synthetic.py']

model = dict(_delete_=True, type='MeanTeacherDetector',
             detector={{_base_.model}},
             semi_train_cfg=dict(mask_warmup_iters={{_base_.sup_phase_iters}},
                                 unsup_weight=1.0))
train_dataloader = dict(
    batch_size=12,
    # 8 labeled clips (flipped at random, as the supervised config) + 4
    # unlabeled per step
    sampler=dict(_delete_=True, type='MultiSourceSampler', batch_size=12,
                 source_ratio=[2, 1], seed=0),
    dataset=dict(_delete_=True, type='ConcatDataset',
                 datasets=[{{_base_.ts_labeled}},
                           {{_base_.ts_unlabeled_strong}}]))
train_cfg = dict(type='SemiIterBasedTrainLoop', _delete_=True,
                 max_iters={{_base_.max_iters}})
custom_hooks = [dict(type='EvalProgressBarHook'),
                dict(type='MeanTeacherHook', momentum=0.01),
                dict(type='RampUpHook', begin={{_base_.sup_phase_iters}},
                     length=200, mode='exp')]
