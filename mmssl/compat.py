"""Make the PyPI OpenMMLab stack usable; applied once by ``import mmssl``.

Three gaps in the released packages are closed here and nowhere else:

1. ``mmaction2==1.2.0`` on PyPI lacks the package
   ``mmaction.models.localizers.drn`` (it has no ``__init__.py`` upstream, so
   the wheel drops it) and ``import mmaction.models`` fails. A module that
   names the missing localizer is placed in ``sys.modules`` first; building
   ``DRN`` then raises an error that explains why.
2. ``mmengine`` 0.10.x calls ``torch.load`` with the default
   ``weights_only=True`` of torch >= 2.6, which refuses its own checkpoints
   (they hold message-hub and config objects). Checkpoints from *local paths*
   are loaded with ``weights_only=False``: only load checkpoints you trust.
   Remote checkpoints (``http://``, ``https://``) keep torch's safe default.
3. ``mmengine``'s ``pytorch`` and ``slurm`` launchers call
   ``torch.cuda.set_device`` and default to ``nccl``. On a machine without
   CUDA the process group is created with ``gloo`` and no device is set, and
   the runner wraps the model in DDP without ``device_ids``. With CUDA,
   behaviour is unchanged.
"""
import os
import os.path as osp
import sys
import types

import torch

_APPLIED = False


def _install_drn_placeholder() -> None:
    """Register the localizer package that the mmaction2 wheel lacks."""
    if 'mmaction.models.localizers.drn' in sys.modules:
        return
    try:
        import importlib.util
        spec = importlib.util.find_spec('mmaction.models.localizers.drn')
    except ModuleNotFoundError:
        spec = None
    if spec is not None:  # a source install that has the package
        return

    class DRN(torch.nn.Module):
        """The DRN localizer is missing from the mmaction2 1.2.0 wheel."""

        def __init__(self, *args, **kwargs):
            raise ImportError(
                'DRN is not shipped in the PyPI wheel of mmaction2 1.2.0 '
                '(mmaction/models/localizers/drn has no __init__.py); '
                'install mmaction2 from source to use it.')

    package = types.ModuleType('mmaction.models.localizers.drn')
    package.__path__ = []
    module = types.ModuleType('mmaction.models.localizers.drn.drn')
    module.DRN = DRN
    package.drn = module
    package.DRN = DRN
    sys.modules['mmaction.models.localizers.drn'] = package
    sys.modules['mmaction.models.localizers.drn.drn'] = module


def _register_trusted_local_loader() -> None:
    """Load local checkpoints with full unpickling (torch >= 2.6 default is
    ``weights_only=True``, which rejects mmengine checkpoints)."""
    from mmengine.runner.checkpoint import CheckpointLoader

    def load_from_local(filename: str, map_location=None) -> dict:
        filename = osp.expanduser(filename)
        if not osp.isfile(filename):
            raise FileNotFoundError(f'checkpoint {filename} can not be found.')
        return torch.load(
            filename, map_location=map_location, weights_only=False)

    CheckpointLoader.register_scheme(prefixes='', force=True)(load_from_local)


def _patch_cpu_launchers() -> None:
    """Use ``gloo`` and skip ``torch.cuda.set_device`` when CUDA is absent."""
    import torch.distributed as torch_dist
    from mmengine.dist import utils as dist_utils
    from mmengine.runner import Runner

    original_pytorch = dist_utils._init_dist_pytorch
    original_slurm = dist_utils._init_dist_slurm

    def init_pytorch(backend, init_backend='torch', **kwargs):
        if torch.cuda.is_available():
            return original_pytorch(backend, init_backend, **kwargs)
        torch_dist.init_process_group(backend='gloo', **kwargs)

    def init_slurm(backend, port=None, init_backend='torch', **kwargs):
        if torch.cuda.is_available():
            return original_slurm(backend, port, init_backend, **kwargs)
        import subprocess
        node_list = os.environ['SLURM_NODELIST']
        if port is not None:
            os.environ['MASTER_PORT'] = str(port)
        os.environ.setdefault('MASTER_PORT', '29500')
        if 'MASTER_ADDR' not in os.environ:
            os.environ['MASTER_ADDR'] = subprocess.getoutput(
                f'scontrol show hostname {node_list} | head -n1')
        os.environ['WORLD_SIZE'] = os.environ['SLURM_NTASKS']
        os.environ['LOCAL_RANK'] = os.environ.get('SLURM_LOCALID', '0')
        os.environ['RANK'] = os.environ['SLURM_PROCID']
        torch_dist.init_process_group(backend='gloo', **kwargs)

    dist_utils._init_dist_pytorch = init_pytorch
    dist_utils._init_dist_slurm = init_slurm

    original_wrap = Runner.wrap_model

    def wrap_model(self, model_wrapper_cfg, model):
        if self.distributed and not torch.cuda.is_available():
            model_wrapper_cfg = dict(model_wrapper_cfg or {})
            model_wrapper_cfg.setdefault('type', 'MMDistributedDataParallel')
            model_wrapper_cfg['device_ids'] = None
            model_wrapper_cfg.setdefault('broadcast_buffers', False)
            model_wrapper_cfg.setdefault(
                'find_unused_parameters',
                self.cfg.get('find_unused_parameters', False))
        return original_wrap(self, model_wrapper_cfg, model)

    Runner.wrap_model = wrap_model


def apply() -> None:
    """Apply every fix once; safe to call repeatedly."""
    global _APPLIED
    if _APPLIED:
        return
    _install_drn_placeholder()
    _register_trusted_local_loader()
    _patch_cpu_launchers()
    _APPLIED = True
