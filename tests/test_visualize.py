"""Drawing primitives change exactly the expected pixels; the per-frame
detections of a video are stitched from its clips; tools/visualize.py writes
images and videos from a checkpoint and from a dump."""
import importlib.util
import os.path as osp

import cv2
import numpy as np
import pytest
import torch

from conftest import REPO_ROOT, run_tool
from tiny_synthetic import make_tiny_synthetic
from mmssl.visualization import (draw_box, draw_detection_frame, draw_label,
                                 draw_mask_contour, make_grid, output_kind,
                                 overlay_mask, text_size,
                                 video_frame_detections, write_image,
                                 write_video)

TINY_CFG = osp.join(REPO_ROOT, 'configs/ssad/tiny_synthetic_sup.py')


def changed(before: np.ndarray, after: np.ndarray) -> np.ndarray:
    """H x W bool: pixels that differ in any channel."""
    return (before != after).any(2)


def gray(height=10, width=12, value=100) -> np.ndarray:
    return np.full((height, width, 3), value, dtype=np.uint8)


# --------------------------------------------------------------- drawing
def test_overlay_mask_blends_exactly_the_mask_pixels():
    image = gray()
    mask = np.zeros((10, 12), dtype=bool)
    mask[2:5, 3:7] = True
    out = overlay_mask(image, mask, color=(200, 0, 51), alpha=0.5)
    np.testing.assert_array_equal(changed(image, out), mask)
    # (100 + 200) / 2, (100 + 0) / 2, (100 + 51) / 2 = 75.5 -> 76
    assert out[mask].tolist() == [[150, 50, 76]] * 12
    assert (image == 100).all()  # the input is not modified


def test_draw_box_colours_exactly_the_border():
    image = np.zeros((10, 12, 3), dtype=np.uint8)
    out = draw_box(image, (2, 3, 7, 8), color=(1, 2, 3))
    expected = np.zeros((10, 12), dtype=bool)
    expected[3:9, 2:8] = True
    expected[4:8, 3:7] = False  # inclusive box, 1-pixel border inside it
    np.testing.assert_array_equal(changed(image, out), expected)
    assert out[expected].tolist() == [[1, 2, 3]] * int(expected.sum())

    thick = draw_box(image, (2, 3, 7, 8), color=(1, 2, 3), thickness=2)
    expected[4:8, 3:7] = True
    expected[5:7, 4:6] = False
    np.testing.assert_array_equal(changed(image, thick), expected)


def test_draw_box_clips_to_the_image_and_rounds():
    image = np.zeros((6, 6, 3), dtype=np.uint8)
    out = draw_box(image, (-3.0, 1.4, 2.6, 9.0), color=(9, 9, 9))
    expected = np.zeros((6, 6), dtype=bool)
    expected[1:6, 0:4] = True  # x 0..3, y 1..5 after rounding and clipping
    expected[2:5, 1:3] = False
    np.testing.assert_array_equal(changed(image, out), expected)
    assert not changed(image, draw_box(image, (4, 4, 3, 5))).any()


def test_mask_contour_is_the_boundary_of_the_mask():
    image = gray(8, 8)
    mask = np.zeros((8, 8), dtype=bool)
    mask[2:6, 2:6] = True
    out = draw_mask_contour(image, mask, color=(0, 255, 0))
    expected = mask.copy()
    expected[3:5, 3:5] = False
    np.testing.assert_array_equal(changed(image, out), expected)
    full = draw_mask_contour(image, np.ones((8, 8), bool), (0, 255, 0))
    border = np.ones((8, 8), dtype=bool)
    border[1:7, 1:7] = False  # the image border counts as outside
    np.testing.assert_array_equal(changed(image, full), border)


def test_label_changes_only_its_box():
    image = gray(40, 80, value=0)
    out = draw_label(image, 'Walk 0.91', (5, 7), color=(200, 10, 10))
    width, height = text_size('Walk 0.91', 0.35)
    box = np.zeros((40, 80), dtype=bool)
    box[7:7 + height, 5:5 + width] = True
    diff = changed(image, out)
    assert diff[box].all() and not diff[~box].any()
    assert (out[box] != (200, 10, 10)).any(axis=1).any()  # glyphs drawn
    # a label reaching past the border is moved inside the image
    moved = changed(image, draw_label(image, 'Walk', (78, 39)))
    assert moved.any() and moved[:, -1].any() and moved[-1].any()


def test_detection_frame_draws_prediction_and_ground_truth():
    image = gray(30, 40)
    pred_mask = np.zeros((30, 40), dtype=bool)
    pred_mask[10:20, 10:20] = True
    out = draw_detection_frame(
        image,
        pred_mask=pred_mask,
        gt_boxes=[(25, 5, 35, 25)],
        pred_color=(255, 0, 0),
        gt_color=(0, 255, 0),
        alpha=1.0)
    assert out[15, 15].tolist() == [255, 0, 0]
    assert out[5, 30].tolist() == [0, 255, 0]  # top edge of the GT box
    assert out[15, 30].tolist() == [100, 100, 100]  # inside the GT box
    assert out[2, 2].tolist() == [100, 100, 100]
    with pytest.raises(ValueError, match='2 pred boxes but 1 labels'):
        draw_detection_frame(image, pred_boxes=[(0, 0, 1, 1)] * 2,
                             pred_texts=['a'])


def test_make_grid_places_images_row_by_row():
    images = [gray(4, 5, value=v) for v in (10, 20, 30)]
    grid = make_grid(images, cols=2, pad=1, pad_value=255)
    assert grid.shape == (2 * 5 + 1, 2 * 6 + 1, 3)
    assert (grid[1:5, 1:6] == 10).all() and (grid[1:5, 7:12] == 20).all()
    assert (grid[6:10, 1:6] == 30).all() and (grid[6:10, 7:12] == 255).all()
    assert (grid[0] == 255).all() and (grid[:, 6] == 255).all()


# ----------------------------------------------------------- video files
def test_write_video_and_image_round_trip(tmp_path):
    frames = [gray(24, 32, value=10 * i) for i in range(5)]
    write_video(frames, str(tmp_path / 'v.mp4'), fps=5)
    capture = cv2.VideoCapture(str(tmp_path / 'v.mp4'))
    assert int(capture.get(cv2.CAP_PROP_FRAME_COUNT)) == 5
    capture.release()
    from PIL import Image
    write_video(frames, str(tmp_path / 'v.gif'), fps=5)
    assert Image.open(tmp_path / 'v.gif').n_frames == 5
    write_image(frames[3], str(tmp_path / 'sub' / 'f.png'))
    assert (cv2.imread(str(tmp_path / 'sub' / 'f.png')) == 30).all()
    with pytest.raises(ValueError, match=r'x\.webp: unknown output type'):
        output_kind('x.webp')
    with pytest.raises(ValueError, match='no frames'):
        write_video([], str(tmp_path / 'e.mp4'))


# ---------------------------------------------------- per-frame records
def clip(frames, score, mask_box=None, gt_box=None, size=(12, 16)):
    """A predicted clip as a dict, the --dump format."""
    num = len(frames)
    pred = torch.zeros(num, *size)
    gt = torch.zeros(num, *size, dtype=torch.uint8)
    boxes, box_frames = torch.zeros(0, 4), torch.zeros(0, dtype=torch.long)
    if mask_box is not None:
        t, (x1, y1, x2, y2) = mask_box
        pred[t, y1:y2 + 1, x1:x2 + 1] = 0.8
    if gt_box is not None:
        t, (x1, y1, x2, y2) = gt_box
        gt[t, y1:y2 + 1, x1:x2 + 1] = 1
        boxes = torch.tensor([[x1, y1, x2, y2]], dtype=torch.float32)
        box_frames = torch.tensor([t])
    return dict(video_name='A/v1', frame_inds=np.array(frames),
                pred_score=torch.tensor(score), pred_mask=pred, gt_mask=gt,
                gt_frame_valid=torch.ones(num, dtype=torch.bool),
                gt_label=torch.tensor([1]), gt_bboxes=boxes,
                gt_bbox_frames=box_frames,
                gt_bbox_labels=torch.ones(len(box_frames), dtype=torch.long))


def test_frame_detections_from_clips():
    clips = [
        clip([1, 2, 3, 4], [0.25, 0.75], mask_box=(1, (3, 2, 6, 4))),
        clip([5, 6, 7, 8], [0.6, 0.4], gt_box=(2, (1, 1, 4, 5))),
    ]
    frames = video_frame_detections(clips, ['a', 'b'])
    assert [f.frame for f in frames] == list(range(1, 9))
    two = frames[1]
    np.testing.assert_array_equal(two.pred_boxes, [[3, 2, 6, 4]])
    assert two.pred_texts == ['b 0.60']  # box score 0.8 x class prob 0.75
    assert two.pred_mask.sum() == 4 * 3 and two.gt_mask.sum() == 0
    seven = frames[6]
    assert seven.pred_boxes.shape == (0, 4) and seven.pred_texts == []
    np.testing.assert_array_equal(seven.gt_boxes, [[1, 1, 4, 5]])
    assert seven.gt_texts == ['b'] and seven.gt_mask.sum() == 4 * 5
    with pytest.raises(ValueError, match='2 classes, the dataset names 3'):
        video_frame_detections(clips, ['a', 'b', 'c'])


def test_frame_detections_take_each_frame_from_the_nearest_clip():
    clips = [
        clip([1, 2, 3, 4], [0.9, 0.1], mask_box=(3, (0, 0, 1, 1))),
        clip([3, 4, 5, 6], [0.9, 0.1], mask_box=(1, (5, 5, 8, 8))),
    ]
    frames = {f.frame: f for f in video_frame_detections(clips, ['a', 'b'])}
    assert sorted(frames) == [1, 2, 3, 4, 5, 6]
    # frame 4 is 1.5 from clip 0's centre (2.5), 0.5 from clip 1's (4.5)
    np.testing.assert_array_equal(frames[4].pred_boxes, [[5, 5, 8, 8]])
    assert frames[4].pred_mask[5:9, 5:9].all()
    assert frames[4].pred_mask.sum() == 16
    assert all(frames[t].pred_boxes.shape == (0, 4) for t in (1, 2, 3, 5))


# ------------------------------------------------------------------ CLI
def load_tool():
    spec = importlib.util.spec_from_file_location(
        'visualize_tool', osp.join(REPO_ROOT, 'tools/visualize.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope='module')
def synthetic_project(tmp_path_factory):
    """The synthetic set under ``root/data/synthetic`` and a randomly
    initialised tiny detector checkpoint ``root/random.pth``."""
    from mmengine.config import Config
    from mmaction.registry import MODELS
    root = tmp_path_factory.mktemp('vis_project')
    ann = make_tiny_synthetic(str(root / 'data' / 'synthetic'))
    torch.manual_seed(0)
    model = MODELS.build(Config.fromfile(TINY_CFG).model)
    torch.save(dict(state_dict=model.state_dict(), meta={}),
               str(root / 'random.pth'))
    video = ann['test_videos'][0][0]
    return root, video, ann['nframes'][video], ann['test_videos'][0][1]


def test_cli_renders_a_checkpoint(synthetic_project):
    root, video, num_frames, _ = synthetic_project
    outs = [str(root / 'vis' / name) for name in ('v.png', 'v.mp4', 'v.gif')]
    proc = run_tool([osp.join(REPO_ROOT, 'tools/visualize.py'), TINY_CFG,
                     video, '--checkpoint', 'random.pth', '--device', 'cpu',
                     '--out', *outs], cwd=str(root))
    assert f'{num_frames} frames' in proc.stdout
    grid = cv2.imread(outs[0])
    assert grid.shape == (2 * (120 + 2) + 2, 4 * (160 + 2) + 2, 3)
    capture = cv2.VideoCapture(outs[1])
    assert int(capture.get(cv2.CAP_PROP_FRAME_COUNT)) == num_frames
    assert (int(capture.get(cv2.CAP_PROP_FRAME_WIDTH)),
            int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT))) == (160, 120)
    capture.release()
    from PIL import Image
    assert Image.open(outs[2]).n_frames == num_frames


def test_cli_renders_a_dump_and_names_bad_input(synthetic_project,
                                                 monkeypatch):
    from mmengine.config import Config
    from mmengine.evaluator import Evaluator
    root, video, num_frames, other = synthetic_project
    monkeypatch.chdir(root)
    tool = load_tool()
    cfg = Config.fromfile(TINY_CFG)
    dataset = tool.build_dataset(cfg, 'test')
    indices = tool.video_indices(dataset, video)
    # the dump as tools/test.py --dump writes it: DumpResults in an Evaluator
    from mmaction.registry import MODELS
    from mmengine.runner import load_checkpoint
    model = MODELS.build(cfg.model)
    load_checkpoint(model, 'random.pth', map_location='cpu')
    model.eval()
    evaluator = Evaluator([dict(type='DumpResults', out_file_path='d.pkl')])
    with torch.no_grad():
        batch = tool.pseudo_collate([dataset[i] for i in indices])
        evaluator.process(model.test_step(batch), batch)
    evaluator.evaluate(len(indices))

    tool.main([TINY_CFG, video, '--dump', 'd.pkl', '--out', 'd.avi',
               '--fps', '5'])
    capture = cv2.VideoCapture('d.avi')
    assert int(capture.get(cv2.CAP_PROP_FRAME_COUNT)) == num_frames
    capture.release()

    with pytest.raises(KeyError, match=r"'Walk/nope' is not in .*UCF101v2"
                       r"-GT\.pkl \(5 videos\), e\.g\. \['Walk/v_Walk_g01"):
        tool.main([TINY_CFG, 'Walk/nope', '--dump', 'd.pkl', '--out',
                   'x.png'])
    with pytest.raises(KeyError, match=rf"'{other}' is not in d\.pkl "
                       r'\(1 videos\)'):
        tool.main([TINY_CFG, other, '--dump', 'd.pkl', '--out', 'x.png'])
    with pytest.raises(FileNotFoundError, match='missing.pkl'):
        tool.main([TINY_CFG, video, '--dump', 'missing.pkl', '--out',
                   'x.png'])
    with pytest.raises(ValueError, match=r'x\.bmp: unknown output type'):
        tool.main([TINY_CFG, video, '--dump', 'd.pkl', '--out', 'x.bmp'])
