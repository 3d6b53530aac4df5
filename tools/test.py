"""Test (and evaluate) a checkpoint with an mmssl (or MMAction2) config.

Same flags and behaviour as MMAction2's ``tools/test.py``.
"""
import argparse
import os

from mmengine.config import Config, DictAction

import mmssl  # noqa: F401  (applies mmssl.compat, registers components)
from mmssl.utils import build_runner, set_work_dir


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Test with mmssl')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument(
        '--work-dir', help='the dir to save the evaluation metrics')
    parser.add_argument(
        '--dump', type=str, help='dump predictions to a pickle file')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config settings, key=value')
    parser.add_argument(
        '--show-dir', help='directory to save visualisations in')
    parser.add_argument(
        '--show', action='store_true', help='display predictions')
    parser.add_argument(
        '--interval', type=int, default=1, help='visualise every N samples')
    parser.add_argument(
        '--wait-time', type=float, default=2, help='display time (s)')
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
    if args.show or args.show_dir is not None:
        if 'visualization' not in cfg.get('default_hooks', {}):
            raise KeyError('--show/--show-dir need default_hooks.'
                           "visualization=dict(type='VisualizationHook')")
        vis = cfg.default_hooks.visualization
        vis.update(enable=True, show=args.show, wait_time=args.wait_time,
                   out_dir=args.show_dir, interval=args.interval)
    if args.dump is not None:
        if not args.dump.endswith(('.pkl', '.pickle')):
            raise ValueError(f'--dump {args.dump}: must end in .pkl')
        dump = dict(type='DumpResults', out_file_path=args.dump)
        evaluators = cfg.test_evaluator
        if not isinstance(evaluators, (list, tuple)):
            evaluators = [evaluators]
        cfg.test_evaluator = list(evaluators) + [dump]
    cfg.launcher = args.launcher
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    set_work_dir(cfg, args.work_dir, args.config)
    cfg.load_from = args.checkpoint
    return cfg


def main() -> None:
    args = parse_args()
    cfg = merge_args(Config.fromfile(args.config), args)
    build_runner(cfg).test()


if __name__ == '__main__':
    main()
