# Table 2, "VC + L2": temporal coherence (cyclic=True, with_plain_l2=True), no classification
# consistency, as the paper's Table 2 runs.
_base_ = ['../e2e_ssl_i3d_8x2_ucf101-24_20pct.py']
model = dict(cls_consistency=None, loc_consistency=dict(
    loss_var=dict(type='TemporalCoherenceLoss', cyclic=True, with_plain_l2=True)))
