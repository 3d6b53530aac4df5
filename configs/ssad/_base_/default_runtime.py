# Runtime shared by the detection configs.
default_scope = 'mmaction'
custom_imports = dict(imports=['mmssl'], allow_failed_imports=False)

default_hooks = dict(
    runtime_info=dict(type='RuntimeInfoHook'),
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=20, ignore_last=False),
    param_scheduler=dict(type='ParamSchedulerHook'),
    # written atomically; SIGTERM/SIGUSR1 -> checkpoint + exit 75; random
    # state re-seeded per iteration for exact resumption (docs/training.md)
    checkpoint=dict(type='AtomicCheckpointHook', interval=1000,
                    by_epoch=False, max_keep_ckpts=3),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    preemption=dict(type='PreemptionHook'),
    random_state=dict(type='RandomStateHook'))
custom_hooks = [dict(type='EvalProgressBarHook')]
env_cfg = dict(cudnn_benchmark=False,
               mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
               dist_cfg=dict(backend='nccl'))
vis_backends = [dict(type='LocalVisBackend')]
visualizer = dict(type='ActionVisualizer', vis_backends=vis_backends)
log_processor = dict(type='LogProcessor', window_size=20, by_epoch=False)
log_level = 'INFO'
load_from = None
resume = False
