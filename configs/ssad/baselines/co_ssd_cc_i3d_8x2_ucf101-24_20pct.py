# Co-SSD(CC) on UCF101-24, 20% labeled: classification consistency only (JSD
# of the class-capsule distributions of a clip and its flip, aligned on the
# grid), weight 1 as in CSD; E2E-SSL's data and schedule.
_base_ = ['../e2e_ssl_i3d_8x2_ucf101-24_20pct.py']

model = dict(loc_consistency=dict(),
             semi_train_cfg=dict(consistency_weight=1.0,
                                 cls_consistency_weight=1.0))
