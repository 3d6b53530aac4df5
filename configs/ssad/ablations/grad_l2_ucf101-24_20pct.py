# Table 2, "G + L2": gradient smoothness (with_plain_l2=True), no classification
# consistency, as the paper's Table 2 runs.
_base_ = ['../e2e_ssl_i3d_8x2_ucf101-24_20pct.py']
model = dict(cls_consistency=None, loc_consistency=dict(
    loss_grad=dict(type='GradientSmoothnessLoss', with_plain_l2=True)))
