"""Non-finite losses stop the run (naming iteration, term and videos) or
skip the step, in the guarded loops, for a toy model and every mmssl model."""
import glob
import json
import os
import os.path as osp
import pickle
import sys

import pytest
import torch
from mmengine.config import Config
from mmengine.hooks import Hook
from mmengine.model import BaseModel
from mmengine.runner import Runner
from mmaction.structures import ActionDataSample
from torch import nn

from conftest import REPO_ROOT
from mmssl.engine.runner import NonFiniteLossError
from mmssl.engine.runner.loss_check import nonfinite_terms

sys.path.insert(0, osp.join(osp.dirname(__file__), 'datasets'))
from detection_fixtures import make_act  # noqa: E402


def test_nonfinite_terms_names_the_bad_terms():
    finite = dict(loss=torch.tensor(3.), loss_a=torch.tensor(1.),
                  loss_b=torch.tensor(2.), acc=torch.tensor(float('nan')))
    assert nonfinite_terms(finite) == {}  # 'acc' is not a loss term
    bad = dict(loss=torch.tensor(float('nan')), loss_a=torch.tensor(1.),
               loss_b=torch.tensor(float('inf')))
    assert nonfinite_terms(bad) == {'loss_b': float('inf')}
    overflow = dict(loss=torch.tensor(float('inf')),
                    loss_a=torch.tensor(3e38), loss_b=torch.tensor(3e38))
    assert nonfinite_terms(overflow) == {'loss': float('inf')}


class ToyDataset(torch.utils.data.Dataset):
    """Eight 4-d vectors, sample ``i`` from video ``toy_i``."""

    def __len__(self):
        return 8

    def __getitem__(self, idx):
        sample = ActionDataSample(metainfo=dict(video_name=f'toy_{idx}'))
        return dict(inputs=torch.arange(4.) + idx, data_samples=sample)


class ToyModel(BaseModel):
    """Linear model with BatchNorm; ``loss_aux`` is NaN at the 0-based
    steps ``nan_at``."""

    def __init__(self, nan_at=()):
        super().__init__()
        self.bn = nn.BatchNorm1d(4)
        self.fc = nn.Linear(4, 1)
        self.nan_at = set(nan_at)
        self.calls = 0

    def forward(self, inputs, data_samples=None, mode='loss'):
        out = self.fc(self.bn(torch.stack(inputs)))
        poison = float('nan') if self.calls in self.nan_at else 1.0
        self.calls += 1
        return dict(loss_main=(out**2).mean(),
                    loss_aux=out.abs().mean() * poison)


class StateRecorder(Hook):
    """Model state (parameters and buffers) before and after each step."""

    def __init__(self):
        self.before, self.after = {}, {}

    @staticmethod
    def _state(runner):
        return {k: v.clone() for k, v in runner.model.state_dict().items()}

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        self.before[runner.iter] = self._state(runner)

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None):
        self.after[runner.iter] = self._state(runner)


def toy_runner(tmp_path, mode, loop='GuardedIterBasedTrainLoop', nan_at=(1,)):
    train_cfg = dict(type=loop, nonfinite_loss=mode)
    train_cfg.update(max_iters=4 if 'Iter' in loop else None,
                     max_epochs=1 if 'Epoch' in loop else None)
    train_cfg = {k: v for k, v in train_cfg.items() if v is not None}
    runner = Runner(
        model=ToyModel(nan_at),
        work_dir=str(tmp_path),
        train_dataloader=dict(
            dataset=ToyDataset(), batch_size=2, num_workers=0,
            sampler=dict(type='DefaultSampler', shuffle=False)),
        train_cfg=train_cfg,
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.1)),
        default_hooks=dict(logger=dict(type='LoggerHook', interval=1)),
        default_scope='mmaction',
        log_processor=dict(by_epoch=False),
        experiment_name=f'toy_{mode}_{loop}')
    recorder = StateRecorder()
    runner.register_hook(recorder)
    return runner, recorder


@pytest.mark.parametrize('loop', ['GuardedIterBasedTrainLoop',
                                  'GuardedEpochBasedTrainLoop',
                                  'SemiIterBasedTrainLoop'])
def test_raise_names_iteration_term_and_videos(tmp_path, loop):
    runner, recorder = toy_runner(tmp_path, 'raise', loop)
    with pytest.raises(NonFiniteLossError) as info:
        runner.train()
    message = str(info.value)
    # the second step (0-based call 1) sees samples 2 and 3
    assert 'iteration 2' in message, message
    assert 'loss_aux=nan' in message and 'loss_main' not in message
    assert 'toy_2, toy_3' in message
    assert info.value.terms == {'loss_aux': pytest.approx(float('nan'),
                                                          nan_ok=True)}
    assert sorted(recorder.after) == [0]  # stopped before any update


def test_skip_leaves_weights_unchanged_and_logs_the_count(tmp_path):
    runner, recorder = toy_runner(tmp_path, 'skip', nan_at=(1, 2))
    runner.train()
    assert sorted(recorder.after) == [0, 1, 2, 3]
    for step in (1, 2):  # skipped: parameters and BN statistics unchanged
        for key, value in recorder.before[step].items():
            assert torch.equal(value, recorder.after[step][key]), key
    changed = [not torch.equal(v, recorder.after[3][k])
               for k, v in recorder.before[3].items()]
    assert any(changed)  # the next step trains again
    log, = glob.glob(osp.join(str(tmp_path), '*', '*.log'))
    text = open(log).read()
    assert 'Non-finite loss at iteration 2: loss_aux=nan; batch videos: ' \
        'toy_2, toy_3; step skipped' in text
    assert '2 skipped so far' in text
    scalars, = glob.glob(osp.join(str(tmp_path), '*', 'vis_data',
                                  'scalars.json'))
    records = [json.loads(line) for line in open(scalars)]
    counts = {r['iter']: r.get('nonfinite_skipped') for r in records}
    assert counts == {1: None, 2: 1.0, 3: 2.0, 4: 2.0}


def test_unknown_mode_is_refused(tmp_path):
    runner, _ = toy_runner(tmp_path, 'ignore')
    with pytest.raises(ValueError, match='nonfinite_loss'):
        runner.train()


class PoisonInputs(Hook):
    """Make every input tensor of the batch at 0-based ``step`` NaN."""

    def __init__(self, step):
        self.step = step

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        if runner.iter == self.step:
            data_batch['inputs'] = self._poison(data_batch['inputs'])

    def _poison(self, value):
        if isinstance(value, torch.Tensor):
            return torch.full(value.shape, float('nan'))
        if isinstance(value, dict):
            return {k: self._poison(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return type(value)(self._poison(v) for v in value)
        return value


@pytest.fixture(scope='module')
def project_root(tiny_recognition_data, tmp_path_factory) -> str:
    """data/synthetic laid out as make_synthetic.py writes it, with the
    tiny detection set of the dataset tests (2 classes, 64 x 48) and the
    tiny recognition set of conftest."""
    work = tmp_path_factory.mktemp('nonfinite')
    root = work / 'data' / 'synthetic'
    gt = make_act(str(root))
    (root / 'annotations').mkdir()
    with open(root / 'annotations' / 'UCF101v2-GT.pkl', 'wb') as f:
        pickle.dump(gt, f)
    rec = root / 'recognition'
    rec.mkdir()
    for src, dst in (('labeled', 'labeled'), ('unlabeled', 'unlabeled'),
                     ('val', 'test')):
        with open(osp.join(tiny_recognition_data, f'{src}.txt')) as f:
            lines = [f'tiny/{line}' for line in f]
        (rec / f'{dst}.txt').write_text(''.join(lines))
    os.symlink(osp.join(tiny_recognition_data, 'videos'),
               root / 'videos' / 'tiny')
    return str(work)


MODEL_CONFIGS = {
    'E2ESSLDetector': 'configs/ssad/tiny_synthetic_semi.py',
    'CapsuleDetector': 'configs/ssad/tiny_synthetic_sup.py',
    'SemiRecognizer': 'configs/ssar/synthetic/fixmatch_tiny-r3d_synthetic.py',
    'ACLMTLRecognizer': 'configs/ssar/synthetic/acl-mtl_tiny-r3d_synthetic.py',
    'Recognizer3D': 'configs/ssar/synthetic/supervised_tiny-r3d_synthetic.py',
}


@pytest.mark.parametrize('model_type', sorted(MODEL_CONFIGS))
def test_every_model_stops_on_nonfinite_loss(model_type, project_root,
                                             monkeypatch):
    monkeypatch.chdir(project_root)
    monkeypatch.setattr(Config, 'pretty_text', property(lambda c: c.text))
    cfg = Config.fromfile(osp.join(REPO_ROOT, MODEL_CONFIGS[model_type]))
    assert model_type in (cfg.model.type, cfg.model.get('detector', {}).get(
        'type'), cfg.model.get('recognizer', {}).get('type'))
    cfg.work_dir = osp.join(project_root, 'work', model_type)
    cfg.train_cfg.max_iters = 3
    cfg.train_cfg.val_interval = 100
    batch = 2
    cfg.train_dataloader.batch_size = batch
    if 'batch_size' in cfg.train_dataloader.sampler:
        cfg.train_dataloader.sampler.batch_size = batch
    cfg.train_dataloader.num_workers = 0
    cfg.train_dataloader.persistent_workers = False
    cfg.default_hooks.logger.interval = 1
    cfg.default_hooks.checkpoint.interval = 100
    cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None
    runner = Runner.from_cfg(cfg)
    assert type(runner.train_loop).__name__ in (
        'GuardedIterBasedTrainLoop', 'SemiIterBasedTrainLoop')
    runner.register_hook(PoisonInputs(step=1))
    with pytest.raises(NonFiniteLossError) as info:
        runner.train()
    message = str(info.value)
    assert 'iteration 2:' in message, message
    assert '=nan' in message and 'loss' in message.split('iteration 2:')[1]
    videos = message.split('batch videos: ')[1]
    assert ('v_' in videos) or ('video_' in videos), message
