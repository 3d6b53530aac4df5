# E2E-SSL on the synthetic set: the same labeled 25% plus the other 75%
# unlabeled, 4 + 4 clips per batch, each with its flipped view. The
# supervised term averages both views of the 4 labeled clips, so it sees 8
# labeled views per step, half of them flipped, like the supervised config.
# The first `sup_phase_iters` train on the labeled clips alone (the paper
# starts from a pre-trained I3D); then the consistency terms ramp up.
_base_ = ['_base_/synthetic_tiny.py']

model = dict(_delete_=True, type='E2ESSLDetector',
             detector={{_base_.model}},
             # consistency of foreground probabilities (the paper's), with
             # lambda raised from 0.1 so that its gradient on the encoder is
             # a fraction of the supervised one instead of ~1/500 (logged
             # as grad_ratio/*); on logits it shrank confident logits and
             # cost 10 f-mAP@0.5 (docs/methods/e2e_ssl.md)
             semi_train_cfg=dict(
                 consistency_on='prob', consistency_weight=10.0,
                 sup_views='both',
                 sup_warmup_iters={{_base_.sup_phase_iters}},
                 mask_warmup_iters={{_base_.sup_phase_iters}},
                 grad_ratio_interval=50))
train_dataloader = dict(
    sampler=dict(_delete_=True, type='MultiSourceSampler', batch_size=8,
                 source_ratio=[1, 1], seed=0),
    dataset=dict(_delete_=True, type='LabeledUnlabeledDataset',
                 labeled={{_base_.labeled_two_view}},
                 unlabeled={{_base_.unlabeled_two_view}}))
train_cfg = dict(type='SemiIterBasedTrainLoop', _delete_=True,
                 max_iters={{_base_.max_iters}})
custom_hooks = [dict(type='EvalProgressBarHook'),
                dict(type='RampUpHook', begin={{_base_.sup_phase_iters}},
                     length=200, mode='exp')]
