"""Draw a detector's predictions on one video against its ground truth.

    # run a checkpoint on a test video (GPU if there is one, else CPU)
    python tools/visualize.py CONFIG VIDEO --checkpoint CKPT \\
        --out vis/VIDEO.mp4 vis/VIDEO.png
    # or draw what `tools/test.py CONFIG CKPT --dump preds.pkl` saved
    python tools/visualize.py CONFIG VIDEO --dump preds.pkl --out vis/v.gif

``VIDEO`` is a name of the config's test (or ``--split val``) annotation,
e.g. ``Walk/v_Walk_g01_c01``. Predicted masks are a red overlay with red
boxes labelled ``<class> <score>``; the ground-truth mask is a green contour
with green boxes labelled with the class. Each ``--out`` file is written:
``.mp4`` / ``.avi`` / ``.gif`` hold every frame of the video, ``.png`` /
``.jpg`` a grid of ``--grid-frames`` frames spread over the video.
"""
import argparse
import os.path as osp
import sys
from typing import List, Optional, Sequence

import mmengine
import numpy as np
import torch
from mmengine.config import Config, DictAction
from mmengine.dataset import pseudo_collate
from mmengine.registry import init_default_scope

import mmssl  # noqa: F401  (applies mmssl.compat, registers components)
from mmssl.datasets.transforms import DecodeActionClip
from mmssl.visualization import (draw_detection_frame, make_grid,
                                 output_kind, video_frame_detections,
                                 write_image, write_video)


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Draw predicted masks, boxes, classes and scores of one '
        'video against its ground truth.')
    parser.add_argument('config', help='the detection config')
    parser.add_argument('video', help='video name, as in the annotation')
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument('--checkpoint', help='run this checkpoint')
    source.add_argument(
        '--dump',
        help='draw a tools/test.py --dump file (or the compact results of '
        'ActionDetectionMetric(out_file_path=...): boxes only); it is '
        'unpickled, so give only files you trust')
    parser.add_argument(
        '--out',
        nargs='+',
        required=True,
        help='output files: .mp4/.avi/.gif (every frame) or .png/.jpg (a '
        'grid)')
    parser.add_argument(
        '--split',
        choices=['test', 'val'],
        default='test',
        help='whose dataloader holds the video')
    parser.add_argument(
        '--device',
        default=None,
        help='device of the model (default: cuda if available, else cpu)')
    parser.add_argument(
        '--batch-size', type=int, default=4, help='clips per forward')
    parser.add_argument(
        '--pred-thr',
        type=float,
        default=None,
        help='foreground threshold (default: the evaluator\'s, else 0.5)')
    parser.add_argument(
        '--grid-frames', type=int, default=8, help='frames in a grid image')
    parser.add_argument(
        '--grid-cols', type=int, default=4, help='columns of a grid image')
    parser.add_argument('--fps', type=float, default=10, help='video fps')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config settings, key=value')
    args = parser.parse_args(argv)
    for path in args.out:
        output_kind(path)
    if args.grid_frames < 1 or args.grid_cols < 1:
        parser.error('--grid-frames and --grid-cols must be >= 1')
    return args


def evaluator_settings(cfg: Config, split: str) -> dict:
    """``pred_thr``, ``box_mode`` and ``min_box_area`` of the split's
    ``ActionDetectionMetric``, if the config has one."""
    evaluators = cfg.get(f'{split}_evaluator') or []
    if isinstance(evaluators, dict):
        evaluators = [evaluators]
    for evaluator in evaluators:
        if evaluator.get('type') == 'ActionDetectionMetric':
            return {
                key: evaluator[key]
                for key in ('pred_thr', 'box_mode', 'min_box_area')
                if key in evaluator
            }
    return {}


def build_dataset(cfg: Config, split: str):
    """The split's dataset (videos are opened lazily)."""
    from mmaction.registry import DATASETS
    loader = cfg.get(f'{split}_dataloader')
    if not loader or not loader.get('dataset'):
        raise KeyError(f'{cfg.filename}: no {split}_dataloader.dataset')
    dataset_cfg = loader.dataset.copy()
    if 'check_videos' not in dataset_cfg:
        dataset_cfg.check_videos = False
    return DATASETS.build(dataset_cfg)


def video_indices(dataset, video: str) -> List[int]:
    """Indices of the dataset's samples (test windows) of ``video``.

    Raises:
        KeyError: naming the video and the annotation, with a few valid
            names, when the video is not in the dataset.
    """
    names = [
        dataset.get_data_info(i)['video_name'] for i in range(len(dataset))
    ]
    indices = [i for i, name in enumerate(names) if name == video]
    if not indices:
        known = list(dict.fromkeys(names))
        raise KeyError(f'video {video!r} is not in {dataset.ann_file} '
                       f'({len(known)} videos), e.g. {known[:5]}')
    return indices


def predict_clips(cfg: Config, checkpoint: str, dataset,
                  indices: Sequence[int], device: str,
                  batch_size: int) -> List[dict]:
    """Run the checkpoint on the samples ``indices`` of ``dataset``.

    Returns:
        list[dict]: the predicted samples as dicts (the ``--dump`` format).
    """
    from mmaction.registry import MODELS
    from mmengine.runner import load_checkpoint
    if not osp.isfile(checkpoint):
        raise FileNotFoundError(f'checkpoint {checkpoint} does not exist')
    model = MODELS.build(cfg.model)
    load_checkpoint(model, checkpoint, map_location='cpu')
    model.to(device).eval()
    clips = []
    with torch.no_grad():
        for start in range(0, len(indices), batch_size):
            batch = pseudo_collate(
                [dataset[i] for i in indices[start:start + batch_size]])
            for sample in model.test_step(batch):
                clips.append({
                    key: value.cpu() if isinstance(value, torch.Tensor) else
                    value
                    for key, value in sample.to_dict().items()
                })
    return clips


def dumped_clips(path: str, video: str) -> List[dict]:
    """The clips of ``video`` in a ``--dump`` (or compact results) file.

    Raises:
        FileNotFoundError / ValueError / KeyError: naming the file (and
            listing a few of its videos when ``video`` is not among them).
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'dump file {path} does not exist')
    # A dump holds tensors, so it is unpickled in full, as mmengine.load
    # does: give only result files you wrote yourself.
    results = mmengine.load(path, file_format='pkl')
    if not isinstance(results, (list, tuple)) or not all(
            isinstance(r, dict) and 'video_name' in r for r in results):
        raise ValueError(f'{path}: expected a list of predicted samples '
                         '(dicts with video_name), as tools/test.py --dump '
                         'writes')
    clips = [r for r in results if r['video_name'] == video]
    if not clips:
        known = list(dict.fromkeys(r['video_name'] for r in results))
        raise KeyError(f'video {video!r} is not in {path} ({len(known)} '
                       f'videos), e.g. {known[:5]}')
    return clips


def decode_frames(info: dict, frames: Sequence[int]) -> List[np.ndarray]:
    """Decode the 1-based ``frames`` of a video at full resolution."""
    results = {
        key: info[key]
        for key in ('filename', 'frame_dir', 'filename_tmpl') if key in info
    }
    results['frame_inds'] = np.asarray(frames, dtype=np.int64) - 1
    return DecodeActionClip()(results)['imgs']


def render(images: Sequence[np.ndarray], detections) -> List[np.ndarray]:
    """Draw each frame's detections; the frame number is its title."""
    rendered = []
    for image, det in zip(images, detections):
        for name in ('pred_mask', 'gt_mask'):
            mask = getattr(det, name)
            if mask is not None and mask.shape != image.shape[:2]:
                raise ValueError(
                    f'frame {det.frame}: {name} is {mask.shape}, the decoded '
                    f'frame {image.shape[:2]}')
        rendered.append(
            draw_detection_frame(
                image,
                pred_mask=det.pred_mask,
                pred_boxes=det.pred_boxes,
                pred_texts=det.pred_texts,
                gt_mask=det.gt_mask,
                gt_boxes=det.gt_boxes,
                gt_texts=det.gt_texts,
                title=f'#{det.frame}'))
    return rendered


def grid_indices(num_frames: int, count: int) -> np.ndarray:
    """``min(count, num_frames)`` frame positions spread evenly."""
    count = min(count, num_frames)
    return np.unique(np.linspace(0, num_frames - 1, count).round().astype(
        np.int64))


def main(argv: Optional[Sequence[str]] = None) -> None:
    args = parse_args(argv)
    cfg = Config.fromfile(args.config)
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    init_default_scope(cfg.get('default_scope', 'mmaction'))
    dataset = build_dataset(cfg, args.split)
    indices = video_indices(dataset, args.video)
    if args.checkpoint is not None:
        device = args.device or ('cuda'
                                 if torch.cuda.is_available() else 'cpu')
        clips = predict_clips(cfg, args.checkpoint, dataset, indices, device,
                              args.batch_size)
    else:
        clips = dumped_clips(args.dump, args.video)
    settings = evaluator_settings(cfg, args.split)
    if args.pred_thr is not None:
        settings['pred_thr'] = args.pred_thr
    detections = video_frame_detections(clips,
                                         dataset.metainfo['classes'],
                                         **settings)
    images = decode_frames(
        dataset.get_data_info(indices[0]), [d.frame for d in detections])
    rendered = render(images, detections)
    for path in args.out:
        if output_kind(path) == 'video':
            write_video(rendered, path, args.fps)
        else:
            chosen = grid_indices(len(rendered), args.grid_frames)
            write_image(
                make_grid([rendered[i] for i in chosen], args.grid_cols),
                path)
        print(f'{path}: {args.video}, {len(rendered)} frames', flush=True)


if __name__ == '__main__':
    try:
        main()
    except (KeyError, ValueError, FileNotFoundError, OSError) as err:
        message = err.args[0] if isinstance(err, KeyError) else err
        sys.exit(f'visualize.py: error: {message}')
