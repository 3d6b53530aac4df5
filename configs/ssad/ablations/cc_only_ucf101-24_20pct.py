# Table 1, "CC": classification consistency (JSD) only.
_base_ = ['../e2e_ssl_i3d_8x2_ucf101-24_20pct.py']
model = dict(loc_consistency=dict())
