# MixMatch on UCF101-24, 20% labeled: K = 2 weak views (the clip and its
# flip) of E2E-SSL's two-view data and mask warm-up, T = 0.5, alpha = 0.75,
# lambda_u ramped linearly over the first 30% of the 100 epochs.
_base_ = ['../e2e_ssl_i3d_8x2_ucf101-24_20pct.py']

model = dict(type='MixMatchDetector',
             semi_train_cfg=dict(views=('orig', 'aug'), temperature=0.5,
                                 alpha=0.75, unsup_weight=1.0))
custom_hooks = [
    dict(type='EvalProgressBarHook'),
    dict(type='TrainLossPlateauHook', factor=0.1, patience=5),
    dict(type='RampUpHook', length=30, mode='linear', by_epoch=True)]
