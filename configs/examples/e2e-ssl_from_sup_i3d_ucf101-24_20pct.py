# E2E-SSL added to a supervised detection config: the same detector wrapped
# in E2ESSLDetector (consistency losses), two views (original, flipped) of
# labeled and unlabeled clips, an iteration loop and the ramp-up hook.
_base_ = ['../ssad/sup_i3d_8x2_ucf101-24_20pct.py']
model = dict(_delete_=True, type='E2ESSLDetector', detector=_base_.model,
             cls_consistency=dict(type='JSDConsistencyLoss'),
             loc_consistency=dict(
                 loss_var=dict(type='TemporalCoherenceLoss', cyclic=True),
                 loss_grad=dict(type='GradientSmoothnessLoss')),
             semi_train_cfg=dict(consistency_weight=0.1))
pack = dict(type='PackDetectionInputs')
views = [dict(type='MarkReferenceView'), dict(
    type='MultiBranch', branch_field=['orig', 'aug'], orig=[pack],
    aug=[dict(type='ActionFlip', flip_ratio=1.0), pack])]
labeled = dict(_base_.train_dataloader.dataset,
               pipeline=_base_.train_pipeline[:-2] + views)  # no flip, pack
unlabeled = dict(labeled, subset='unlabeled')
train_dataloader = dict(dataset=dict(_delete_=True, type='ConcatDataset',
                                     datasets=[labeled, unlabeled]),
                        sampler=dict(_delete_=True, type='MultiSourceSampler',
                                     batch_size=8, source_ratio=[1, 1]))
# an epoch is one pass over the unlabeled source; w ramps up over 100 of them
train_cfg = dict(_delete_=True, type='SemiIterBasedTrainLoop', max_epochs=100,
                 val_interval=5000)
default_hooks = dict(checkpoint=dict(interval=5000, by_epoch=False))
log_processor = dict(by_epoch=False)
custom_hooks = _base_.custom_hooks + [
    dict(type='RampUpHook', length=100, mode='exp', by_epoch=True)]
