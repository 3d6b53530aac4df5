"""SkipBadVideoDataset: unreadable recognition videos replaced and named."""
import os.path as osp
import shutil

import pytest

import mmssl  # noqa: F401
from mmaction.registry import DATASETS
from mmssl.datasets.sample_source import SKIPPED_VIDEOS_KEY
from mmssl.engine.runner.guarded_loops import batch_skipped_videos

PIPELINE = [
    dict(type='DecordInit'),
    dict(type='SampleFrames', clip_len=2, frame_interval=1, num_clips=1),
    dict(type='DecordDecode'),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs'),
]


def _dataset(root: str, **kwargs):
    return DATASETS.build(
        dict(type='SkipBadVideoDataset', ann_file=osp.join(root, 'list.txt'),
             data_prefix=dict(video=osp.join(root, 'videos')),
             pipeline=PIPELINE, **kwargs))


@pytest.fixture
def data_with_bad_video(tiny_recognition_data, tmp_path) -> str:
    root = str(tmp_path)
    shutil.copytree(osp.join(tiny_recognition_data, 'videos'),
                    osp.join(root, 'videos'))
    with open(osp.join(tiny_recognition_data, 'labeled.txt')) as f:
        good = f.readline()
    with open(osp.join(root, 'videos', 'broken.mp4'), 'wb') as f:
        f.write(b'not a video')
    with open(osp.join(root, 'list.txt'), 'w') as f:
        f.write('broken.mp4 1\n' + good)
    return root


def test_bad_video_replaced_and_named(data_with_bad_video):
    dataset = _dataset(data_with_bad_video, skip_bad_videos=True)
    bad = osp.join(data_with_bad_video, 'videos', 'broken.mp4')
    sample = dataset[0]
    # the random replacement may hit the bad video again: each try counts
    skipped = sample['data_samples'].metainfo[SKIPPED_VIDEOS_KEY]
    assert skipped == (bad, ) * dataset.num_skipped
    assert dataset.num_skipped >= 1
    assert sample['data_samples'].gt_label.item() != 1  # the good video
    # the next good sample carries nothing; the loop counts the tries
    assert SKIPPED_VIDEOS_KEY not in dataset[1]['data_samples'].metainfo
    assert batch_skipped_videos([sample]) == list(skipped)


def test_bad_video_raises_without_skip(data_with_bad_video):
    with pytest.raises(RuntimeError):
        _dataset(data_with_bad_video)[0]
    with pytest.raises(RuntimeError):
        _dataset(data_with_bad_video, skip_bad_videos=True,
                 test_mode=True)[0]
