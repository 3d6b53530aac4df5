# MixMatch on the synthetic set: the two views of tiny_synthetic_semi.py
# (K = 2: the clip and its flip), same labeled 25% + 75% unlabeled, 4 + 4
# clips per batch; lambda_u ramped up linearly over the first third.
_base_ = ['../tiny_synthetic_semi.py']

model = dict(_delete_=True, type='MixMatchDetector',
             detector={{_base_.model.detector}},
             semi_train_cfg=dict(mask_warmup_iters=100, views=('orig', 'aug'),
                                 temperature=0.5, alpha=0.75,
                                 unsup_weight=1.0))
custom_hooks = [dict(type='EvalProgressBarHook'),
                dict(type='RampUpHook', length=200, mode='linear')]
