# 30000 iterations of SGD with cosine decay; the unsupervised losses are off
# for the first 3000 iterations (labeled warm-up) and ramp up linearly over
# the next 3000. The teacher is an EMA of the student (decay 0.999).
max_iters = 30000
warmup_iters = 3000
train_cfg = dict(
    type='SemiIterBasedTrainLoop', max_iters=max_iters, val_interval=1000)
val_cfg = dict(type='TeacherStudentValLoop')
test_cfg = dict(type='TestLoop')

optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.01, momentum=0.9, weight_decay=1e-4),
    clip_grad=dict(max_norm=40, norm_type=2))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0,
         end=1000),
    dict(type='CosineAnnealingLR', T_max=max_iters - 1000, eta_min=0,
         by_epoch=False, begin=1000, end=max_iters)
]
custom_hooks = [
    dict(type='MeanTeacherHook', momentum=0.001),
    dict(type='RampUpHook', begin=warmup_iters, length=warmup_iters,
         mode='linear')
]
# 8 GPUs x 8 clips; scale the learning rate with `--auto-scale-lr`
auto_scale_lr = dict(enable=False, base_batch_size=64)
