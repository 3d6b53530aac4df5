"""Shorten or lengthen an iteration-based training schedule as a whole."""
from typing import Dict, List, Union

from mmengine.config import Config, ConfigDict

#: hooks whose ``length`` and ``begin`` count iterations unless ``by_epoch``
ITERATION_LENGTH_HOOKS = ('RampUpHook', )


def _scaled(value: int, ratio: float) -> int:
    return max(0, round(value * ratio))


def scale_schedule_options(cfg: Union[Config, ConfigDict],
                           max_iters: int
                           ) -> Dict[str, Union[int, List[int]]]:
    """``--cfg-options`` that give an iteration-based config ``max_iters``
    iterations with everything timed in iterations scaled alike.

    Overriding ``train_cfg.max_iters`` alone leaves a cosine schedule or a
    ramp-up sized for the old length (the learning rate would not decay).
    With ``ratio = max_iters / train_cfg.max_iters``, this scales by
    ``ratio`` (rounded): ``train_cfg.val_interval``, ``begin``, ``end``,
    ``T_max`` and ``milestones`` of each iteration-based ``param_scheduler``
    entry, ``begin`` and ``length`` of each iteration-based ``RampUpHook`` in
    ``custom_hooks``, ``model.semi_train_cfg.mask_warmup_iters`` and
    ``sup_warmup_iters`` (the supervised phase), and
    ``default_hooks.checkpoint.interval`` when iteration-based.

    Args:
        cfg (Config): a config whose ``train_cfg`` has ``max_iters``.
        max_iters (int): the new number of iterations, ``>= 1``.

    Returns:
        dict[str, int | list[int]]: dotted keys (list entries by index, as
        ``Config.merge_from_dict`` takes them) and their new values;
        ``train_cfg.max_iters`` first.

    Raises:
        ValueError: ``max_iters < 1`` or ``train_cfg`` has no ``max_iters``
            (epoch-based configs).
    """
    if max_iters < 1:
        raise ValueError(f'max_iters must be >= 1, got {max_iters}')
    old = cfg.get('train_cfg', {}).get('max_iters')
    if not old:
        raise ValueError('train_cfg has no max_iters: only iteration-based '
                         'schedules can be scaled')
    ratio = max_iters / old
    options = {'train_cfg.max_iters': max_iters}
    val_interval = cfg.train_cfg.get('val_interval')
    if val_interval:
        options['train_cfg.val_interval'] = max(
            1, min(max_iters, _scaled(val_interval, ratio)))
    schedulers = cfg.get('param_scheduler') or []
    if isinstance(schedulers, dict):
        schedulers = {'param_scheduler': schedulers}
    else:
        schedulers = {
            f'param_scheduler.{i}': s
            for i, s in enumerate(schedulers)
        }
    for key, scheduler in schedulers.items():
        if scheduler.get('by_epoch', True):
            continue
        for field in ('begin', 'end', 'T_max'):
            if scheduler.get(field) is not None:
                options[f'{key}.{field}'] = _scaled(scheduler[field], ratio)
        if scheduler.get('milestones'):
            options[f'{key}.milestones'] = [
                _scaled(m, ratio) for m in scheduler['milestones']
            ]
    for i, hook in enumerate(cfg.get('custom_hooks') or []):
        if hook.get('type') in ITERATION_LENGTH_HOOKS and \
                not hook.get('by_epoch', False):
            options[f'custom_hooks.{i}.length'] = max(
                1, _scaled(hook['length'], ratio))
            if hook.get('begin'):
                options[f'custom_hooks.{i}.begin'] = _scaled(
                    hook['begin'], ratio)
    semi_train_cfg = cfg.get('model', {}).get('semi_train_cfg') or {}
    for field in ('mask_warmup_iters', 'sup_warmup_iters'):
        if semi_train_cfg.get(field):
            options[f'model.semi_train_cfg.{field}'] = _scaled(
                semi_train_cfg[field], ratio)
    checkpoint = (cfg.get('default_hooks') or {}).get('checkpoint') or {}
    if checkpoint.get('interval', -1) > 0 and \
            not checkpoint.get('by_epoch', True):
        options['default_hooks.checkpoint.interval'] = max(
            1, min(max_iters, _scaled(checkpoint['interval'], ratio)))
    return options


def as_cfg_options(options: Dict[str, Union[int, List[int]]]) -> List[str]:
    """``['--cfg-options', 'key=value', ...]`` for ``tools/train.py``
    (empty for no options); lists as ``key=[a,b]``."""
    if not options:
        return []
    args = ['--cfg-options']
    for key, value in options.items():
        if isinstance(value, list):
            value = '[' + ','.join(map(str, value)) + ']'
        args.append(f'{key}={value}')
    return args


def scaled_schedule_args(config: str, max_iters: int) -> List[str]:
    """``tools/train.py`` arguments giving the config file ``config``
    ``max_iters`` iterations (see :func:`scale_schedule_options`).

    Args:
        config (str): path of an iteration-based config.
        max_iters (int): the new number of iterations.

    Returns:
        list[str]: ``['--cfg-options', 'key=value', ...]``.
    """
    cfg = Config.fromfile(config, import_custom_modules=False)
    return as_cfg_options(scale_schedule_options(cfg, max_iters))
