# The paper's schedule for the semi-supervised detector: an epoch is one pass
# over the unlabeled subset (as in the released code), the ramp weight w and
# the learning-rate plateau count such epochs.
_base_ = ['adam_plateau.py']
max_epochs = 100
train_cfg = dict(_delete_=True, type='SemiIterBasedTrainLoop',
                 max_epochs=max_epochs, val_interval=5000)
default_hooks = dict(checkpoint=dict(interval=5000, by_epoch=False,
                                     save_best='mask/f-mAP@0.5',
                                     rule='greater'))
log_processor = dict(by_epoch=False)
custom_hooks = [
    dict(type='EvalProgressBarHook'),
    dict(type='TrainLossPlateauHook', factor=0.1, patience=5),
    dict(type='RampUpHook', length=max_epochs, mode='exp', by_epoch=True)]
