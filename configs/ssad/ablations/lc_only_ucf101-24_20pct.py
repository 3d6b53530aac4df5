# Table 1, "LC": plain L2 localization consistency only.
_base_ = ['../e2e_ssl_i3d_8x2_ucf101-24_20pct.py']
model = dict(cls_consistency=None, loc_consistency=dict(
    loss_l2=dict(type='LocalizationConsistencyLoss')))
