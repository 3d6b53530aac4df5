# E2E-SSL (Kumar & Rawat, CVPR 2022) on UCF101-24: 20% labeled + 80%
# unlabeled, 4 + 4 clips per batch, 100 epochs of the unlabeled subset.
# Paper: f-mAP@0.5 69.9, v-mAP@0.2 95.7, v-mAP@0.5 72.1 (pixel protocol).
_base_ = ['_base_/models/capsule_i3d.py', '_base_/datasets/ucf101_24.py',
          '_base_/schedules/semi_adam_plateau.py']

# unlabeled clips decode all classes for the first 10 epochs
# (~1830 unlabeled videos / 4 per batch = ~460 iterations per epoch)
model = dict(_delete_=True, type='E2ESSLDetector',
             detector={{_base_.model}},
             semi_train_cfg=dict(mask_warmup_iters=4600))
train_dataloader = dict(
    sampler=dict(_delete_=True, type='MultiSourceSampler', batch_size=8,
                 source_ratio=[1, 1]),
    dataset=dict(_delete_=True, type='ConcatDataset',
                 datasets=[{{_base_.labeled_two_view}},
                           {{_base_.unlabeled_two_view}}]))
