# Online pseudo-labeling on the synthetic set: the same labeled 25% as
# tiny_synthetic_sup.py plus the other 75% unlabeled, 8 + 4 clips per batch.
# The teacher is the current student (MeanTeacherHook momentum 1.0); its
# confident classes and pixels on each unlabeled clip train the student on
# the same clip.
_base_ = ['_base_/ts_synthetic.py']

model = dict(_delete_=True, type='PseudoLabelDetector',
             detector={{_base_.model}},
             semi_train_cfg=dict(mask_warmup_iters={{_base_.sup_phase_iters}},
                                 cls_threshold=0.5,
                                 mask_pos_threshold=0.8,
                                 mask_neg_threshold=0.2))
train_dataloader = dict(
    batch_size=12,
    # 8 labeled clips (flipped at random, as the supervised config) + 4
    # unlabeled per step
    sampler=dict(_delete_=True, type='MultiSourceSampler', batch_size=12,
                 source_ratio=[2, 1], seed=0),
    dataset=dict(_delete_=True, type='ConcatDataset',
                 datasets=[{{_base_.ts_labeled}},
                           {{_base_.ts_unlabeled_weak}}]))
train_cfg = dict(type='SemiIterBasedTrainLoop', _delete_=True,
                 max_iters={{_base_.max_iters}})
custom_hooks = [dict(type='EvalProgressBarHook'),
                dict(type='MeanTeacherHook', momentum=1.0),
                dict(type='RampUpHook', begin={{_base_.sup_phase_iters}},
                     length=200, mode='exp')]
