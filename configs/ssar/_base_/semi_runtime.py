# Runtime of every configs/ssar config: MMAction2's default runtime, counted
# in iterations, with mmssl registered through `custom_imports`.
_base_ = 'mmaction::_base_/default_runtime.py'

custom_imports = dict(imports=['mmssl'], allow_failed_imports=False)

default_hooks = dict(
    logger=dict(type='LoggerHook', interval=20, ignore_last=False),
    # written atomically; SIGTERM/SIGUSR1 -> checkpoint + exit 75; random
    # state re-seeded per iteration for exact resumption (docs/training.md)
    checkpoint=dict(
        type='AtomicCheckpointHook',
        interval=1000,
        by_epoch=False,
        max_keep_ckpts=3,
        save_best='auto'),
    # The memory bank, prototypes and GMM are buffers that must not be
    # averaged across processes (they are already identical everywhere).
    sync_buffers=None,
    preemption=dict(type='PreemptionHook'),
    random_state=dict(type='RandomStateHook'))
log_processor = dict(type='LogProcessor', window_size=20, by_epoch=False)
