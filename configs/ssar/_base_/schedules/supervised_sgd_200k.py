# The supervised-only baseline: the semi-supervised schedule's 200000 steps
# and learning rates on the labeled clips alone (4 per GPU, as many as the
# semi-supervised batches hold).
max_iters = 200000
train_cfg = dict(
    type='GuardedIterBasedTrainLoop', max_iters=max_iters, val_interval=5000)
val_cfg = dict(type='ValLoop')
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
auto_scale_lr = dict(enable=False, base_batch_size=32)
