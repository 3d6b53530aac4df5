# Supervised baseline: the 20% labeled subset of the semi-supervised config
# alone, 100 epochs. Paper: f-mAP@0.5 ~61.0, v-mAP@0.5 ~61.1.
_base_ = ['_base_/models/capsule_i3d.py', '_base_/datasets/ucf101_24.py',
          '_base_/schedules/adam_plateau.py']
