_base_ = ['../default_runtime.py']
# The paper's optimisation: Adam lr 1e-4 (eps 1e-6), learning rate x0.1 when
# the epoch's training loss has not improved for 5 epochs.
optim_wrapper = dict(optimizer=dict(type='Adam', lr=1e-4, eps=1e-6))
param_scheduler = []
plateau_hook = dict(type='TrainLossPlateauHook', factor=0.1, patience=5)
custom_hooks = [dict(type='EvalProgressBarHook'), plateau_hook]
# validation (the dataset's held-out training videos) every 5 epochs; the
# best mask f-mAP@0.5 is kept as best_*.pth
train_cfg = dict(type='GuardedEpochBasedTrainLoop', max_epochs=100,
                 val_interval=5)
default_hooks = dict(checkpoint=dict(interval=5, by_epoch=True,
                                     save_best='mask/f-mAP@0.5',
                                     rule='greater'))
log_processor = dict(by_epoch=True)
