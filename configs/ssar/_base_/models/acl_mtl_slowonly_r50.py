# ACL+MTL teacher-student around MMAction2's SlowOnly-R50 (ImageNet-inflated).
# Every value below is the default of ACLMTLRecognizer, written out so that
# it can be read and changed here; docs/methods/acl_mtl.md explains each.
_base_ = 'mmaction::_base_/models/slowonly_r50.py'

model = dict(
    _delete_=True,
    type='ACLMTLRecognizer',
    recognizer=_base_.model,
    acl=dict(
        proj_channels=128,
        proj_hidden_channels=None,
        temperature=0.1,
        loss_weight=1.0,
        bank_size=4096,
        bank_mode='fifo',
        bank_momentum=0.7,
        prototype_momentum=0.99,
        gmm_interval=10,
        gmm_per_class=False,
        gmm_min_samples=64,
        gmm_max_iter=10,
        gmm_tol=1e-2,
        gmm_reg_covar=5e-4,
        anchor_threshold=0.5,
        pos_threshold=0.5,
        neg_threshold=0.5,
        soft_weights=True),
    mtl=dict(
        num_long_clips=2,  # = len(long_clip_scales) of the pipeline
        loss_weight=1.0,
        calibration=dict(
            type='TemporalCalibration',
            hidden_channels=None,
            temperature=0.1,
            scale_fusion='mean')),
    semi_train_cfg=dict(
        pseudo_threshold=0.95,
        sup_weight=1.0,
        unsup_weight=1.0,
        distribution_alignment=False),
    semi_test_cfg=dict(predict_on='teacher'))
