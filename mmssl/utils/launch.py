"""What ``tools/train.py`` and ``tools/test.py`` share."""
import os.path as osp
from typing import Optional

from mmengine.config import Config
from mmengine.runner import Runner

from .config_check import check_config


def set_work_dir(cfg: Config, work_dir: Optional[str],
                 config_path: str) -> None:
    """``--work-dir`` > the config's ``work_dir`` > ``./work_dirs/<name>``.

    Args:
        cfg (Config): the config, changed in place.
        work_dir (str, optional): the command line's ``--work-dir``.
        config_path (str): path of the config file.
    """
    if work_dir is not None:
        cfg.work_dir = work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(config_path))[0])


def use_cpu_backend(cfg: Config) -> None:
    """Without CUDA, a distributed run uses ``gloo`` (``mmssl.compat``):
    say so in the config the runner logs instead of its ``nccl``."""
    import torch
    dist_cfg = cfg.get('env_cfg', {}).get('dist_cfg')
    if dist_cfg and dist_cfg.get('backend') == 'nccl' and \
            not torch.cuda.is_available():
        dist_cfg['backend'] = 'gloo'


def build_runner(cfg: Config) -> Runner:
    """Check the config (see :func:`check_config`) and build its runner
    (``runner_type`` if the config names one)."""
    from mmaction.registry import RUNNERS
    check_config(cfg)
    use_cpu_backend(cfg)
    if 'runner_type' in cfg:
        return RUNNERS.build(cfg)
    return Runner.from_cfg(cfg)
