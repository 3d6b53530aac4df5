# ACL+MTL (Adaptive Contrastive Learning + Multi-scale Temporal Learning)
# on HMDB51 split 1, 40 % of each class's training videos labeled
# (per-class lists, seed 47, made by
#   python tools/data/split_labeled.py \
#       data/hmdb51/hmdb51_train_split_1_videos.txt \
#       --percent 40 --out-dir data/hmdb51/splits/split1_40pc
# ; for random VideoSSL-style lists point `split_dir` at them).
# SlowOnly-R50 8x8, ImageNet-inflated initialisation.
_base_ = [
    '../_base_/models/acl_mtl_slowonly_r50.py',
    '../_base_/slowonly_r50_8x8_semi_data.py',
    '../_base_/schedules/semi_sgd_30k.py', '../_base_/semi_runtime.py'
]

video_root = 'data/hmdb51/videos'
val_video_root = 'data/hmdb51/videos'
split_dir = 'data/hmdb51/splits/split1_40pc'
val_list = 'data/hmdb51/hmdb51_val_split_1_videos.txt'

model = dict(recognizer=dict(cls_head=dict(num_classes=51)))
train_dataloader = dict(
    dataset=dict(
        labeled=dict(
            ann_file=f'{split_dir}/labeled.txt',
            data_prefix=dict(video=video_root)),
        unlabeled=dict(
            ann_file=f'{split_dir}/unlabeled.txt',
            data_prefix=dict(video=video_root),
            pipeline=_base_.unlabeled_acl_mtl_pipeline)))
val_dataloader = dict(
    dataset=dict(ann_file=val_list, data_prefix=dict(video=val_video_root)))
test_dataloader = dict(
    dataset=dict(ann_file=val_list, data_prefix=dict(video=val_video_root)))
