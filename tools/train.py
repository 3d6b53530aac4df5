"""Train a model from an mmssl (or any MMAction2) config.

Same flags and behaviour as MMAction2's ``tools/train.py``; in addition it
imports mmssl (so configs work without ``custom_imports``) and checks the
config before building anything.
"""
import argparse
import os

from mmengine.config import Config, DictAction

import mmssl  # noqa: F401  (applies mmssl.compat, registers components)
from mmssl.utils import build_runner, set_work_dir
from mmssl.utils.schedule import scale_schedule_options


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Train with mmssl')
    parser.add_argument('config', help='train config file path')
    parser.add_argument('--work-dir', help='the dir to save logs and models')
    parser.add_argument(
        '--resume',
        nargs='?',
        type=str,
        const='auto',
        help='resume from this checkpoint; without a path, from the latest '
        'checkpoint in the work directory')
    parser.add_argument(
        '--amp', action='store_true', help='automatic mixed precision')
    parser.add_argument(
        '--no-validate',
        action='store_true',
        help='do not evaluate checkpoints during training')
    parser.add_argument(
        '--auto-scale-lr',
        action='store_true',
        help='scale the learning rate with the actual batch size')
    parser.add_argument('--seed', type=int, default=None, help='random seed')
    parser.add_argument(
        '--max-iters',
        type=int,
        default=None,
        help='train for N iterations with everything timed in iterations '
        '(learning-rate schedule, ramp-up, warm-ups, intervals) scaled alike; '
        'iteration-based configs only')
    parser.add_argument(
        '--diff-rank-seed',
        action='store_true',
        help='set different seeds for different ranks')
    parser.add_argument(
        '--deterministic',
        action='store_true',
        help='set deterministic options for the CUDNN backend')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config settings, key=value (e.g. '
        'train_cfg.max_iters=10)')
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args()
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def merge_args(cfg: Config, args: argparse.Namespace) -> Config:
    """Merge command-line arguments into the config."""
    if args.no_validate:
        cfg.val_cfg = None
        cfg.val_dataloader = None
        cfg.val_evaluator = None
    cfg.launcher = args.launcher
    set_work_dir(cfg, args.work_dir, args.config)
    if args.amp:
        wrapper = cfg.optim_wrapper.get('type', 'OptimWrapper')
        if wrapper not in ('OptimWrapper', 'AmpOptimWrapper'):
            raise ValueError(f'--amp does not support optim_wrapper.type '
                             f'{wrapper!r}')
        cfg.optim_wrapper.type = 'AmpOptimWrapper'
        cfg.optim_wrapper.setdefault('loss_scale', 'dynamic')
    if args.resume == 'auto':
        cfg.resume = True
        cfg.load_from = None
    elif args.resume is not None:
        cfg.resume = True
        cfg.load_from = args.resume
    if args.auto_scale_lr:
        if not cfg.get('auto_scale_lr'):
            raise SystemExit(
                f'--auto-scale-lr: {args.config} has no auto_scale_lr; add '
                'auto_scale_lr = dict(enable=False, base_batch_size=N) with '
                'the total batch size its learning rate was set for')
        cfg.auto_scale_lr.enable = True
    # the flags override the config's randomness (which the tiny configs set)
    randomness = dict(cfg.get('randomness') or {})
    if args.seed is not None:
        randomness['seed'] = args.seed
    if args.diff_rank_seed:
        randomness['diff_rank_seed'] = True
    if args.deterministic:
        randomness['deterministic'] = True
    cfg.randomness = randomness
    if args.max_iters is not None:
        try:
            cfg.merge_from_dict(scale_schedule_options(cfg, args.max_iters))
        except ValueError as err:
            raise SystemExit(f'--max-iters: {args.config}: {err}')
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    return cfg


def main() -> None:
    args = parse_args()
    cfg = merge_args(Config.fromfile(args.config), args)
    build_runner(cfg).train()


if __name__ == '__main__':
    main()
