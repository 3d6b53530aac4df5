# Table 1, "CC + LC": JSD plus plain L2 localization consistency.
_base_ = ['../e2e_ssl_i3d_8x2_ucf101-24_20pct.py']
model = dict(loc_consistency=dict(
    loss_l2=dict(type='LocalizationConsistencyLoss')))
