# Co-SSD(CC) on the synthetic set: classification consistency (JSD of the
# class-capsule distributions, flip undone on the grid) between each clip
# and its flip, nothing on the localization; weight 1 as in CSD. Same
# labeled 25% + 75% unlabeled as tiny_synthetic_semi.py.
_base_ = ['../tiny_synthetic_semi.py']

model = dict(loc_consistency=dict(),
             semi_train_cfg=dict(consistency_weight=1.0,
                                 cls_consistency_weight=1.0))
