"""Strong video augmentation: the same op and parameters on every frame."""
import numpy as np
import pytest

import mmssl  # noqa: F401
from mmssl.datasets.transforms import VideoCutout, VideoRandAugment
from mmssl.datasets.transforms.video_randaugment import (ALL_OPS,
                                                         compose_view_affine)


def _frames(num=4, height=24, width=32, seed=0):
    rng = np.random.default_rng(seed)
    frame = rng.integers(30, 220, (height, width, 3), dtype=np.uint8)
    return [frame.copy() for _ in range(num)]


@pytest.mark.parametrize('op', ALL_OPS)
def test_every_op_is_identical_on_identical_frames(op):
    np.random.seed(0)
    aug = VideoRandAugment(num_ops=1, magnitude=9, ops=[op])
    out = aug(dict(imgs=_frames()))
    imgs = out['imgs']
    assert isinstance(imgs, list) and len(imgs) == 4
    assert all(img.dtype == np.uint8 and img.shape == (24, 32, 3)
               for img in imgs)
    for img in imgs[1:]:
        np.testing.assert_array_equal(img, imgs[0])
    assert [name for name, _ in out['randaugment_ops']] == [op]


def test_same_draw_applied_to_every_frame_of_a_varying_clip():
    """For ops that act on each pixel/frame alone, augmenting the clip
    equals augmenting each frame alone with the same random draw."""
    per_frame_ops = ['Identity', 'Solarize', 'Posterize', 'Brightness',
                     'Color', 'Sharpness', 'Rotate', 'ShearX', 'ShearY',
                     'TranslateX', 'TranslateY']
    clip = np.stack([_frames(num=1, seed=s)[0] for s in range(3)])
    aug = VideoRandAugment(num_ops=3, magnitude=7, magnitude_std=1.0,
                           ops=per_frame_ops)
    for seed in range(5):
        np.random.seed(seed)
        out = aug(dict(imgs=clip.copy()))
        assert isinstance(out['imgs'], np.ndarray)
        for t in range(3):
            np.random.seed(seed)
            alone = aug(dict(imgs=clip[t:t + 1].copy()))
            assert alone['randaugment_ops'] == out['randaugment_ops']
            np.testing.assert_array_equal(out['imgs'][t], alone['imgs'][0])


def test_known_answers_of_photometric_ops():
    clip = np.stack(_frames(num=2))
    solar = VideoRandAugment(1, 10, ops=['Solarize'])(dict(imgs=clip))
    np.testing.assert_array_equal(solar['imgs'], 255 - clip)
    post = VideoRandAugment(1, 10, ops=['Posterize'])(dict(imgs=clip))
    np.testing.assert_array_equal(post['imgs'], clip & 0xF0)
    auto = VideoRandAugment(1, 9, ops=['AutoContrast'])(dict(imgs=clip))
    assert auto['imgs'].min() == 0 and auto['imgs'].max() == 255
    eq = VideoRandAugment(1, 9, ops=['Equalize'])(dict(imgs=clip))
    # equalisation spreads the values over (nearly) the whole range
    assert eq['imgs'].max() - eq['imgs'].min() > 240
    np.random.seed(0)
    bright = VideoRandAugment(1, 10, ops=['Brightness'])(dict(imgs=clip))
    level = bright['randaugment_ops'][0][1]
    expect = np.clip(np.round(clip * (1 + 0.9 * level)), 0, 255)
    diff = np.abs(bright['imgs'].astype(int) - expect.astype(int))
    assert diff.max() <= 1 and level != 0


def test_translate_moves_pixels_and_updates_view_affine():
    clip = np.zeros((2, 20, 40, 3), np.uint8)
    clip[:, 5:10, 10:15] = 200
    np.random.seed(1)
    aug = VideoRandAugment(1, 10, ops=['TranslateX'], fill=0)
    out = aug(dict(imgs=clip, view_affine=np.array([[1., 0, 0], [0, 1, 0]])))
    level = out['randaugment_ops'][0][1]
    shift = level * 150 / 331 * 40
    assert abs(shift) > 1
    cols = np.nonzero(out['imgs'][0, 7, :, 0] > 100)[0]
    assert abs(cols.min() - (10 + shift)) <= 1
    # a view pixel x maps to reference pixel x - shift
    x_view = 13.0
    x_norm = (2 * x_view + 1) / 40 - 1
    ref = out['view_affine'] @ np.array([x_norm, 0.0, 1.0])
    assert (ref[0] + 1) * 40 / 2 - 0.5 == pytest.approx(x_view - shift)


def test_compose_view_affine_of_rotation_round_trip():
    matrix = VideoRandAugment.geometric_matrix('Rotate', 0.5, 30, 30)
    inv = np.vstack([matrix, [0, 0, 1]])
    back = compose_view_affine(
        compose_view_affine(np.eye(3)[:2], matrix, 30, 30),
        np.linalg.inv(inv)[:2], 30, 30)
    np.testing.assert_allclose(back, np.eye(3)[:2], atol=1e-9)


def test_bad_input_names_the_video():
    aug = VideoRandAugment()
    with pytest.raises(TypeError, match='clip.mp4'):
        aug(dict(imgs=np.zeros((2, 4, 4, 3), np.float32),
                 filename='clip.mp4'))
    with pytest.raises(KeyError, match='clip.mp4'):
        aug(dict(filename='clip.mp4'))
    with pytest.raises(ValueError, match='unknown ops'):
        VideoRandAugment(ops=['Blur'])
    with pytest.raises(ValueError, match='0..10'):
        VideoRandAugment(magnitude=30)


def test_cutout_same_box_in_every_frame():
    np.random.seed(0)
    clip = _frames(num=3, height=20, width=30)
    out = VideoCutout(ratio=0.5, fill=127)(dict(imgs=clip))
    x1, y1, x2, y2 = out['cutout_box']
    assert 0 < (x2 - x1) <= 10 and 0 < (y2 - y1) <= 10
    for img in out['imgs']:
        assert (img[y1:y2, x1:x2] == 127).all()
        keep = np.ones(img.shape[:2], bool)
        keep[y1:y2, x1:x2] = False
        np.testing.assert_array_equal(img[keep], clip[0][keep])
    untouched = VideoCutout(prob=0.0)(dict(imgs=clip))
    assert 'cutout_box' not in untouched
