# Upper bound: the supervised tiny recognizer on all 200 labeled training
# clips of the synthetic recognition set (recognition/train.txt), same
# network, batch and schedule as the supervised baseline.
_base_ = ['./supervised_tiny-r3d_synthetic.py']

train_dataloader = dict(
    dataset=dict(ann_file=f'{_base_.data_root}/recognition/train.txt'))
