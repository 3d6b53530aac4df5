# FixMatch-only baseline (EMA teacher, thresholded pseudo-labels)
# on UCF101 split 1, 20 % of each class's training videos labeled
# (per-class lists, seed 47, made by
#   python tools/data/split_labeled.py \
#       data/ucf101/ucf101_train_split_1_videos.txt \
#       --percent 20 --out-dir data/ucf101/splits/split1_20pc
# ; for random VideoSSL-style lists point `split_dir` at them).
# SlowOnly-R50 8x8, ImageNet-inflated initialisation.
_base_ = [
    '../_base_/models/fixmatch_slowonly_r50.py',
    '../_base_/slowonly_r50_8x8_semi_data.py',
    '../_base_/schedules/semi_sgd_30k.py', '../_base_/semi_runtime.py'
]

video_root = 'data/ucf101/videos'
val_video_root = 'data/ucf101/videos'
split_dir = 'data/ucf101/splits/split1_20pc'
val_list = 'data/ucf101/ucf101_val_split_1_videos.txt'

model = dict(recognizer=dict(cls_head=dict(num_classes=101)))
train_dataloader = dict(
    dataset=dict(
        labeled=dict(
            ann_file=f'{split_dir}/labeled.txt',
            data_prefix=dict(video=video_root)),
        unlabeled=dict(
            ann_file=f'{split_dir}/unlabeled.txt',
            data_prefix=dict(video=video_root))))
val_dataloader = dict(
    dataset=dict(ann_file=val_list, data_prefix=dict(video=val_video_root)))
test_dataloader = dict(
    dataset=dict(ann_file=val_list, data_prefix=dict(video=val_video_root)))
