"""Start-up checks of a config, before anything is built."""
import os.path as osp
from typing import Any, Iterator, Tuple

from mmengine.config import Config

_FILE_KEYS = ('ann_file', 'split_file', 'labeled_file', 'unlabeled_file')
# ``type`` values that a component builds itself instead of through a
# registry, by the key they sit under (TSN/TSM heads make their consensus).
_BUILT_BY_PARENT = {'consensus.type': ('AvgConsensus', )}


def _walk(node: Any, path: str) -> Iterator[Tuple[str, Any]]:
    """Yield ``(dotted.path, value)`` for every entry of nested dicts/lists."""
    if isinstance(node, dict):
        for key, value in node.items():
            child = f'{path}.{key}' if path else str(key)
            yield child, value
            yield from _walk(value, child)
    elif isinstance(node, (list, tuple)):
        for i, value in enumerate(node):
            child = f'{path}[{i}]'
            yield child, value
            yield from _walk(value, child)


def _registered(name: str) -> bool:
    """Whether ``name`` is registered in any of mmaction's registries (or
    their MMEngine parents)."""
    import mmaction.registry as registries
    from mmengine.registry import Registry
    for registry in vars(registries).values():
        if not isinstance(registry, Registry) or registry.scope != 'mmaction':
            continue
        try:
            if registry.get(name) is not None:
                return True
        except ImportError:
            # mmaction 1.2.0's FUNCTION registry names a module that does
            # not exist ('mmaction.mmengine'); such a registry holds nothing.
            continue
    return False


def _built_by_parent(path: str, name: str) -> bool:
    """Whether the ``type`` at ``path`` is built by its parent component."""
    return any(path.endswith(key) and name in names
               for key, names in _BUILT_BY_PARENT.items())


def check_config(cfg: Config, check_files: bool = True) -> None:
    """Fail early, naming the key, on the config errors users make most.

    Checks every ``type`` string against mmaction's registries and every
    annotation-file key (``ann_file``, ``split_file``, ``labeled_file``,
    ``unlabeled_file``) of the dataloaders' datasets for existence, relative
    paths joined to the dataset's ``data_root``.

    Args:
        cfg (Config): the full config.
        check_files (bool): also check the annotation files.

    Raises:
        KeyError: a ``type`` is not registered; the message names its key.
        FileNotFoundError: an annotation file is missing; the message names
            its key and path.
    """
    for path, value in _walk(cfg.to_dict(), ''):
        if path.endswith('.type') and isinstance(value, str) and \
                not _built_by_parent(path, value) and \
                not _registered(value):
            raise KeyError(
                f'{path}: {value!r} is not registered in mmaction or mmssl '
                "(is `custom_imports = dict(imports=['mmssl'])` set, and the "
                'name spelled right?)')
    for split in ('train', 'val', 'test') if check_files else ():
        loader = cfg.get(f'{split}_dataloader')
        if not loader:
            continue
        dataset = loader.get('dataset', {})
        nodes = [(f'{split}_dataloader.dataset', dataset)]
        nodes += [(p, v) for p, v in _walk(dataset, nodes[0][0])
                  if isinstance(v, dict)]
        for path, node in nodes:
            _check_files(node, path)


def _check_files(dataset: dict, path: str) -> None:
    """Check the annotation files named directly in one dataset dict;
    relative paths are taken from its ``data_root`` as MMEngine does."""
    for key in _FILE_KEYS:
        value = dataset.get(key)
        if not isinstance(value, str) or not value:
            continue
        full = value
        if not osp.isabs(value) and dataset.get('data_root'):
            full = osp.join(dataset['data_root'], value)
        if not osp.exists(full):
            raise FileNotFoundError(
                f'{path}.{key}: file {full!r} does not exist')
