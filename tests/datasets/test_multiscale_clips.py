"""Long-term clips at several temporal scales."""
import os.path as osp

import numpy as np
import pytest
from mmcv.transforms import Compose

import mmssl  # noqa: F401
from mmssl.datasets.transforms import MultiScaleClips, SelectShortClip
from conftest import write_video


def _sampled(start, clip_len=4, interval=2, total=200, start_index=0):
    inds = start + interval * np.arange(clip_len) + start_index
    return dict(frame_inds=inds.astype(np.int32), clip_len=clip_len,
                frame_interval=interval, num_clips=1, total_frames=total,
                start_index=start_index)


def test_long_clips_are_centred_and_scaled():
    out = MultiScaleClips(scales=(2, 4))(_sampled(100))
    inds = out['frame_inds'].reshape(3, 4)
    np.testing.assert_array_equal(inds[0], [100, 102, 104, 106])
    np.testing.assert_array_equal(np.diff(inds[1]), [4, 4, 4])
    np.testing.assert_array_equal(np.diff(inds[2]), [8, 8, 8])
    assert inds.mean(1).tolist() == [103, 103, 103]
    assert out['num_clips'] == 3 and out['short_num_clips'] == 1
    assert out['clip_scales'] == (1.0, 2.0, 4.0)
    assert out['frame_inds'].dtype == np.int32


def test_long_clip_is_shifted_inside_the_video():
    out = MultiScaleClips(scales=(4, ))(_sampled(0, start_index=1))
    long = out['frame_inds'][4:]
    assert long.min() == 1  # first frame of a 1-based video
    np.testing.assert_array_equal(np.diff(long), [8, 8, 8])
    out = MultiScaleClips(scales=(4, ))(_sampled(190))
    assert out['frame_inds'][4:].max() == 199


def test_long_clip_longer_than_video_is_clamped():
    out = MultiScaleClips(scales=(8, ))(_sampled(4, total=20))
    long = out['frame_inds'][4:]
    assert long.min() == 0 and long.max() == 19
    assert (np.diff(long) >= 0).all()


def test_random_placement_covers_short_centre():
    np.random.seed(0)
    transform = MultiScaleClips(scales=(2, ), placement='random')
    shifts = set()
    for _ in range(20):
        inds = transform(_sampled(100))['frame_inds'].reshape(2, 4)
        assert inds[1].min() <= 103 <= inds[1].max()
        np.testing.assert_array_equal(np.diff(inds[1]), [4, 4, 4])
        shifts.add(int(inds[1, 0]))
    assert len(shifts) > 3


def test_bad_use_is_reported():
    with pytest.raises(ValueError, match='> 1'):
        MultiScaleClips(scales=(0.5, ))
    with pytest.raises(KeyError, match='v.mp4'):
        MultiScaleClips()(dict(filename='v.mp4'))
    with pytest.raises(KeyError, match='MultiScaleClips'):
        SelectShortClip()(dict(imgs=[], filename='v.mp4'))


def test_pipeline_decodes_all_scales_and_selects_short(tmp_path):
    # frame t has grey level 8 * t, so decoded frames reveal their index
    frames = np.stack([np.full((32, 32, 3), 8 * t, np.uint8)
                       for t in range(30)])
    path = osp.join(str(tmp_path), 'v.avi')
    write_video(path, frames)
    head = [
        dict(type='DecordInit'),
        dict(type='SampleFrames', clip_len=4, frame_interval=2,
             num_clips=1),
        dict(type='MultiScaleClips', scales=(2, 3)),
        dict(type='DecordDecode'),
    ]
    tail = [dict(type='FormatShape', input_format='NCTHW')]
    np.random.seed(0)
    results = Compose(head)(dict(filename=path, start_index=0, modality='RGB'))
    inds = results['frame_inds'].copy()
    long_view = Compose(tail)(dict(results))
    assert long_view['imgs'].shape == (3, 3, 4, 32, 32)
    grey = long_view['imgs'][:, 0, :, 8, 8].astype(float) / 8
    np.testing.assert_allclose(grey.ravel(), inds, atol=1)
    short = Compose([dict(type='SelectShortClip')] + tail)(dict(results))
    assert short['imgs'].shape == (1, 3, 4, 32, 32)
    np.testing.assert_array_equal(short['imgs'][0], long_view['imgs'][0])
    np.testing.assert_array_equal(short['frame_inds'], inds[:4])
