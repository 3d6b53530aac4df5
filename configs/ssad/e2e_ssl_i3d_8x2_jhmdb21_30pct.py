# E2E-SSL on JHMDB-21 (split 1): 30% labeled + 70% unlabeled, 50 epochs.
# Paper: f-mAP@0.5 64.4, v-mAP@0.2 95.4, v-mAP@0.5 63.5 (pixel protocol).
_base_ = ['_base_/models/capsule_i3d_jhmdb21.py', '_base_/datasets/jhmdb21.py',
          '_base_/schedules/semi_adam_plateau.py']

max_epochs = 50
# ~471 unlabeled videos / 4 per batch = ~118 iterations per epoch
model = dict(_delete_=True, type='E2ESSLDetector',
             detector={{_base_.model}},
             semi_train_cfg=dict(mask_warmup_iters=1180))
train_dataloader = dict(
    sampler=dict(_delete_=True, type='MultiSourceSampler', batch_size=8,
                 source_ratio=[1, 1]),
    dataset=dict(_delete_=True, type='ConcatDataset',
                 datasets=[{{_base_.labeled_two_view}},
                           {{_base_.unlabeled_two_view}}]))
train_cfg = dict(max_epochs=max_epochs)
custom_hooks = [
    dict(type='EvalProgressBarHook'),
    dict(type='TrainLossPlateauHook', factor=0.1, patience=5),
    dict(type='RampUpHook', length=max_epochs, mode='exp', by_epoch=True)]
