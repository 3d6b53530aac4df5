"""ACLMTLRecognizer: losses, state, EMA teacher, any recognizer layout."""
import copy
from types import SimpleNamespace

import pytest
import torch
from mmaction.structures import ActionDataSample

import mmssl  # noqa: F401
from mmaction.registry import MODELS
from mmssl.engine.hooks import MeanTeacherHook

RECOGNIZER_3D = dict(
    type='Recognizer3D',
    backbone=dict(type='ResNet3d', depth=18, base_channels=4,
                  pretrained=None, pretrained2d=False,
                  conv1_kernel=(1, 3, 3), conv1_stride_t=1,
                  pool1_stride_t=1, inflate=(0, 0, 0, 0)),
    cls_head=dict(type='I3DHead', num_classes=3, in_channels=32,
                  average_clips='prob'),
    data_preprocessor=dict(type='ActionDataPreprocessor',
                           format_shape='NCTHW'))

FAST_ACL = dict(bank_size=12, gmm_min_samples=4, gmm_interval=2,
                proj_channels=8)


def build(**kwargs):
    kwargs.setdefault('acl', FAST_ACL)
    kwargs.setdefault('semi_train_cfg', dict(pseudo_threshold=0.0))
    recognizer = kwargs.pop('recognizer', RECOGNIZER_3D)
    return MODELS.build(dict(type='ACLMTLRecognizer', recognizer=recognizer,
                             **kwargs))


def samples(n, label=0):
    return [ActionDataSample().set_gt_label(label) for _ in range(n)]


def batch(num_long=2, b=2, seed=0):
    gen = torch.Generator().manual_seed(seed)
    sup = torch.randn(b, 1, 3, 4, 16, 16, generator=gen)
    teacher = torch.randn(b, 1 + num_long, 3, 4, 16, 16, generator=gen)
    student = teacher[:, :1] + 0.1 * torch.randn(b, 1, 3, 4, 16, 16,
                                                 generator=gen)
    inputs = dict(sup=sup, unsup_teacher=teacher, unsup_student=student)
    data = dict(sup=samples(b, 1), unsup_teacher=samples(b, -1),
                unsup_student=samples(b, -1))
    return inputs, data


def total(losses):
    return sum(v for k, v in losses.items() if 'loss' in k)


def test_losses_state_and_bank_fill():
    torch.manual_seed(0)
    model = build()
    model.train()
    assert hasattr(model.student, 'proj_head')
    assert not any(p.requires_grad for p in model.teacher.parameters())
    for step in range(4):
        losses = model.loss(*batch(seed=step))
        total(losses).backward()
    assert {'sup_loss_cls', 'unsup_loss_cls', 'unsup_loss_acl',
            'unsup_loss_mtl', 'unsup_mask_ratio', 'unsup_acl_reliable_ratio',
            'unsup_acl_bank_fill', 'unsup_mtl_time_weight_max'} <= set(losses)
    assert int(model.train_iter) == 4
    assert int(model.memory_bank.num_valid) == 8
    assert model.reliability_gmm.fitted
    assert bool(model.prototypes.initialised[1])
    assert not bool(model.prototypes.initialised[0])
    assert model.student.proj_head.mlp[0].weight.grad is not None
    # everything ACL keeps is in the checkpoint
    fresh = build()
    fresh.load_state_dict(model.state_dict())
    for name in ('memory_bank', 'prototypes', 'reliability_gmm'):
        for key, value in getattr(model, name).state_dict().items():
            assert torch.equal(getattr(fresh, name).state_dict()[key], value)
    assert int(fresh.train_iter) == 4


def test_acl_loss_waits_for_the_gmm_and_then_trains_anchors():
    torch.manual_seed(0)
    model = build(mtl=None, acl=dict(FAST_ACL, gmm_min_samples=6))
    model.train()
    inputs, data = batch(num_long=0)
    first = model.loss(inputs, data)
    assert first['unsup_loss_acl'] == 0  # empty bank, no GMM yet
    assert 'unsup_loss_mtl' not in first
    for _ in range(3):
        losses = model.loss(*batch(num_long=0))
    assert model.reliability_gmm.fitted
    assert losses['unsup_acl_pos_per_anchor'] > 0
    assert losses['unsup_loss_acl'] > 0


def test_teacher_is_the_ema_of_the_student():
    torch.manual_seed(0)
    model = build()
    model.train()
    hook = MeanTeacherHook(momentum=0.2)
    runner = SimpleNamespace(model=model, iter=0)
    hook.before_train(runner)
    optim = torch.optim.SGD(
        [p for p in model.parameters() if p.requires_grad], lr=0.5)
    params = ['backbone.conv1.conv.weight', 'cls_head.fc_cls.weight',
              'proj_head.mlp.2.weight']
    for step in range(3):
        before = {k: v.clone() for k, v in
                  model.teacher.state_dict().items() if k in params}
        optim.zero_grad()
        total(model.loss(*batch(seed=step))).backward()
        optim.step()
        runner.iter = step
        hook.after_train_iter(runner, step)
        student = model.student.state_dict()
        teacher = model.teacher.state_dict()
        for key in params:
            expect = 0.8 * before[key] + 0.2 * student[key]
            assert torch.allclose(teacher[key], expect, atol=1e-6)
            # the projection head learns once the ACL loss is active
            if step == 2 or 'proj_head' not in key:
                assert not torch.allclose(teacher[key], student[key])


def test_grouped_forward_equals_separate_clips():
    torch.manual_seed(0)
    model = build()
    model.teacher.eval()
    inputs = torch.randn(2, 3, 3, 4, 16, 16)
    with torch.no_grad():
        logits, feats = model.forward_clip_groups(model.teacher, inputs, 3)
        for g in range(3):
            alone, alone_feats = model.forward_clip_groups(
                model.teacher, inputs[:, g:g + 1])
            assert torch.allclose(logits[:, g], alone[:, 0], atol=1e-5)
            assert torch.allclose(feats[:, g], alone_feats[:, 0], atol=1e-5)
    assert logits.shape == (2, 3, 3) and feats.shape[:2] == (2, 3)
    assert feats.shape[-1] == 32


def test_2d_recognizer_with_segments():
    tsn = dict(
        type='Recognizer2D',
        backbone=dict(type='ResNet', depth=18, pretrained=None,
                      norm_eval=False),
        cls_head=dict(type='TSNHead', num_classes=3, in_channels=512,
                      average_clips='prob'),
        data_preprocessor=dict(type='ActionDataPreprocessor',
                               format_shape='NCHW'))
    torch.manual_seed(0)
    model = build(recognizer=tsn, mtl=dict(num_long_clips=1))
    model.train()
    # 2 frames per clip; the teacher holds the short and one long clip
    inputs = dict(sup=torch.randn(2, 2, 3, 32, 32),
                  unsup_teacher=torch.randn(2, 4, 3, 32, 32),
                  unsup_student=torch.randn(2, 2, 3, 32, 32))
    data = dict(sup=samples(2), unsup_teacher=samples(2, -1),
                unsup_student=samples(2, -1))
    losses = model.loss(inputs, data)
    total(losses).backward()
    assert torch.isfinite(losses['unsup_loss_mtl'])
    model.teacher.eval()
    with torch.no_grad():
        _, feats = model.forward_clip_groups(model.teacher,
                                             inputs['unsup_teacher'], 2)
    assert feats.shape == (2, 2, 2, 512)  # B, groups, segments, C


def test_index_bank_reads_sample_idx():
    model = build(mtl=None, acl=dict(FAST_ACL, bank_mode='index',
                                     bank_size=10))
    model.train()
    inputs, data = batch(num_long=0)
    for i, sample in enumerate(data['unsup_teacher']):
        sample.set_metainfo(dict(sample_idx=7 + i))
    model.loss(inputs, data)
    assert model.memory_bank.valid.nonzero().view(-1).tolist() == [7, 8]
    inputs, data = batch(num_long=0)
    with pytest.raises(KeyError, match='sample_idx'):
        model.loss(inputs, data)


def test_learnable_calibration_gets_gradient():
    model = build(mtl=dict(calibration=dict(
        type='TemporalCalibration', hidden_channels=8)))
    model.train()
    total(model.loss(*batch())).backward()
    assert model.calibration.query_proj.weight.grad is not None
    assert model.calibration.query_proj.weight.grad.abs().sum() > 0


def test_distribution_alignment_option():
    model = build(semi_train_cfg=dict(
        pseudo_threshold=0.0,
        distribution_alignment=dict(momentum=0.5)))
    model.train()
    model.loss(*batch())
    running = model.distribution_alignment.running_mean
    assert not torch.allclose(running, torch.full((3, ), 1 / 3))
    assert running.sum() == pytest.approx(1.0)


def test_bad_configuration_is_reported():
    with pytest.raises(KeyError, match='bank_sise'):
        build(acl=dict(bank_sise=3))
    model = build()
    model.train()
    inputs, data = batch()
    inputs['unsup_student'] = inputs['unsup_teacher']  # no SelectShortClip
    with pytest.raises(ValueError, match='SelectShortClip'):
        model.loss(inputs, data)
    inputs, data = batch(num_long=1)  # 2 clips cannot hold 3 groups
    with pytest.raises(ValueError, match='num_long_clips'):
        model.loss(inputs, data)


def test_predict_uses_one_short_clip():
    model = build()
    model.eval()
    clip = torch.randn(2, 1, 3, 4, 16, 16)
    with torch.no_grad():
        out = model.predict(clip, samples(2))
    assert len(out) == 2 and out[0].pred_score.shape == (3, )
    plain = copy.deepcopy(model.teacher)
    with torch.no_grad():
        expect = plain.predict(clip, samples(2))
    assert torch.allclose(out[0].pred_score, expect[0].pred_score)


def test_hard_labels_of_index_and_soft_labels():
    """MixUp / CutMix soft labels give their dominant class, not entry 0
    (classes 3 and 4 used to initialise prototype 0)."""
    from mmaction.structures import ActionDataSample

    from mmssl.models.recognizers.acl_mtl_recognizer import hard_labels
    samples = []
    for label in (2, [0.1, 0.0, 0.2, 0.7, 0.0], [0.0, 0.0, 0.0, 0.4, 0.6]):
        s = ActionDataSample()
        s.set_gt_label(torch.tensor(label))
        samples.append(s)
    assert hard_labels(samples).tolist() == [2, 3, 4]
