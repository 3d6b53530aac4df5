# Teacher-student training on JHMDB-21 (split 1) (the pseudo-label and Mean
# Teacher baselines): the paper-size capsule detector for 21 classes as
# student and teacher, the labeled 30% (branch 'sup') and the unlabeled rest
# (teacher and student views), 4 + 4 clips per batch, 50 epochs of the
# unlabeled subset (as e2e_ssl_i3d_8x2_jhmdb21_30pct.py). A config adds the
# algorithm: the model type and options, the unlabeled source, the teacher
# hook.
_base_ = ['../../_base_/models/capsule_i3d_jhmdb21.py',
          '../../_base_/datasets/jhmdb21.py',
          '../../_base_/schedules/semi_adam_plateau.py', 'ts_views.py']
ts_labeled = dict(_base_.labeled_dataset,
                  pipeline=_base_.shared_views + _base_.ts_sup_views)
ts_unlabeled_strong = dict(
    _base_.labeled_dataset, subset='unlabeled',
    pipeline=_base_.shared_views + _base_.ts_weak_strong_views)
ts_unlabeled_weak = dict(
    _base_.labeled_dataset, subset='unlabeled',
    pipeline=_base_.shared_views + _base_.ts_weak_weak_views)

max_epochs = 50
train_cfg = dict(max_epochs=max_epochs)
# ~471 unlabeled videos / 4 per batch = ~118 iterations per epoch; unlabeled
# clips decode all classes for the first 10 epochs
model = dict(_delete_=True, detector={{_base_.model}},
             semi_train_cfg=dict(mask_warmup_iters=1180))
train_dataloader = dict(
    sampler=dict(_delete_=True, type='MultiSourceSampler', batch_size=8,
                 source_ratio=[1, 1]),
    dataset=dict(_delete_=True, type='ConcatDataset'))
# the ramp-up spans the first 30% of the epochs
custom_hooks = [
    dict(type='EvalProgressBarHook'),
    dict(type='TrainLossPlateauHook', factor=0.1, patience=5),
    dict(type='RampUpHook', length=15, mode='exp', by_epoch=True)]
