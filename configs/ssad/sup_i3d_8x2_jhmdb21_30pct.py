# Supervised baseline on JHMDB-21: the 30% labeled subset alone, 50 epochs.
# Paper: f-mAP@0.5 ~61.1, v-mAP@0.5 ~59.5.
_base_ = ['_base_/models/capsule_i3d_jhmdb21.py', '_base_/datasets/jhmdb21.py',
          '_base_/schedules/adam_plateau.py']
train_cfg = dict(max_epochs=50)
