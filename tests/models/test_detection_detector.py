"""CapsuleDetector (supervised, predict) and E2ESSLDetector (semi) on tiny
clips on CPU."""
import copy

import mmssl  # noqa: F401  (before mmaction.models)
import numpy as np
import pytest
import torch
from mmaction.registry import MODELS
from mmaction.structures import ActionDataSample
from mmengine.logging import MessageHub

from mmssl.models.detectors import CapsuleDetector, E2ESSLDetector
from mmssl.models.detectors.e2e_ssl_detector import grid_affine

NUM_CLASSES = 3
IDENTITY = np.array([[1., 0., 0.], [0., 1., 0.]])
HFLIP = np.array([[-1., 0., 0.], [0., 1., 0.]])

TINY_DETECTOR = dict(
    type='CapsuleDetector',
    backbone=dict(type='InceptionI3d', width=0.0625),
    cls_head=dict(
        type='CapsuleHead',
        in_channels=52,
        num_classes=NUM_CLASSES,
        num_primary_caps=4,
        primary_kernel=3),
    loc_head=dict(
        type='CapsuleMaskDecoder',
        num_classes=NUM_CLASSES,
        deep_channels=52,
        skip_channels=(4, 12),
        primary_kernel=3,
        channels=8),
    data_preprocessor=dict(
        type='ActionDataPreprocessor',
        mean=[127.5] * 3,
        std=[127.5] * 3,
        format_shape='NCTHW'))


def make_sample(label: int, labeled: bool, size=(8, 48, 48),
                affine=IDENTITY, ori_shape=None, name='v') -> ActionDataSample:
    t, h, w = size
    sample = ActionDataSample()
    sample.set_gt_label(label if labeled else -1)
    mask = torch.zeros(size, dtype=torch.uint8)
    if labeled:
        mask[:, h // 4:h // 2, w // 4:w // 2] = 1
    sample.set_field(mask, 'gt_mask')
    sample.set_field(torch.ones(t, dtype=torch.bool), 'gt_frame_valid')
    sample.set_metainfo(
        dict(
            is_labeled=labeled,
            video_name=name,
            frame_inds=np.arange(1, t + 1),
            ori_shape=ori_shape or (h, w),
            img_shape=(h, w),
            view_affine=affine))
    return sample


def make_batch(num: int = 4, size=(8, 48, 48), seed: int = 0):
    gen = torch.Generator().manual_seed(seed)
    clips = torch.randint(0, 255, (num, 1, 3, *size), generator=gen)
    samples = [
        make_sample(i % NUM_CLASSES, labeled=i % 2 == 0, size=size,
                    name=f'v{i}') for i in range(num)
    ]
    return clips.float(), samples


def two_view_batch(num: int = 4, size=(8, 48, 48)):
    """Original clips and their horizontal flips, as a MultiBranch batch
    after the preprocessor would give it (not yet normalised)."""
    clips, samples = make_batch(num, size)
    aug_samples = []
    for s in samples:
        aug = copy.deepcopy(s)
        aug.set_metainfo(dict(view_affine=HFLIP))
        aug.gt_mask = s.gt_mask.flip(-1)
        aug_samples.append(aug)
    return (dict(orig=clips, aug=clips.flip(-1)),
            dict(orig=samples, aug=aug_samples))


@pytest.fixture
def detector() -> CapsuleDetector:
    torch.manual_seed(0)
    return MODELS.build(copy.deepcopy(TINY_DETECTOR))


class TestCapsuleDetector:

    def test_loss_forward_backward(self, detector):
        clips, samples = make_batch()
        data = detector.data_preprocessor(
            dict(inputs=list(clips), data_samples=samples), True)
        losses = detector(data['inputs'], data['data_samples'], mode='loss')
        assert set(losses) == {'loss_cls', 'loss_loc', 'acc'}
        total = losses['loss_cls'] + losses['loss_loc']
        assert torch.isfinite(total)
        total.backward()
        for name, param in detector.named_parameters():
            assert param.grad is not None, name
        assert detector.cls_head.classes.weight.grad.abs().sum() > 0

    def test_unlabeled_only_batch_gives_zero_loss_with_graph(self, detector):
        clips, samples = make_batch()
        unlabeled = [s for s in samples if not s.is_labeled]
        losses = detector.loss(clips[1::2] / 255., unlabeled)
        assert losses['loss_cls'].item() == 0
        assert losses['loss_loc'].item() == 0
        (losses['loss_cls'] + losses['loss_loc']).backward()

    def test_ground_truth_class_masks_the_poses(self, detector):
        detector.eval()
        clips, samples = make_batch(2)
        inputs = clips[:, 0] / 255.
        with torch.no_grad():
            gt = detector.forward_detection(inputs, torch.tensor([0, 0]))
            other = detector.forward_detection(inputs, torch.tensor([2, 2]))
            pred = detector.forward_detection(inputs)
        assert not torch.allclose(gt.loc_logits, other.loc_logits)
        chosen = pred.scores.argmax(1)
        again = detector.forward_detection(inputs, chosen)
        assert torch.allclose(pred.loc_logits, again.loc_logits)

    def test_predict_maps_back_to_original_frames(self, detector):
        detector.eval()
        clips, samples = make_batch(2, size=(4, 48, 48))
        for s in samples:
            s.set_metainfo(
                dict(ori_shape=(60, 80), frame_inds=np.arange(1, 8),
                     frame_interval=2))
        with torch.no_grad():
            results = detector.predict(clips / 255., samples)
        for r in results:
            assert r.pred_mask.shape == (7, 60, 80)
            assert r.pred_score.shape == (NUM_CLASSES, )
            assert r.pred_score.sum().item() == pytest.approx(1.0, abs=1e-5)
            assert 0 <= r.pred_mask.min() and r.pred_mask.max() <= 1
            # frame pairs (0,1), (2,3), (4,5) come from one model frame
            assert torch.equal(r.pred_mask[0], r.pred_mask[1])
            assert torch.equal(r.pred_mask[4], r.pred_mask[5])

    def test_masks_undo_the_view_geometry(self, detector):
        probs = torch.rand(2, 1, 3, 6, 8)
        samples = [
            make_sample(0, True, (3, 6, 8), affine=HFLIP),
            make_sample(1, True, (3, 6, 8))
        ]
        for s in samples:
            s.set_metainfo(dict(frame_interval=1,
                                frame_inds=np.arange(1, 4)))
        masks = detector.masks_to_original(probs, samples)
        assert torch.equal(masks[0], probs[0, 0].flip(-1))
        assert torch.equal(masks[1], probs[1, 0])

    def test_expand_time_nearest_frame(self, detector):
        frames = torch.arange(4.).view(4, 1, 1)
        sample = make_sample(0, True, (4, 1, 1))
        sample.set_metainfo(dict(frame_inds=np.arange(7), frame_interval=3))
        out = detector.expand_time(frames, sample)
        assert out.flatten().tolist() == [0, 0, 1, 1, 1, 2, 2]

    def test_missing_fields_are_reported(self, detector):
        clips, samples = make_batch(2)
        del samples[0].gt_mask
        with pytest.raises(ValueError, match="'v0' has no gt_mask"):
            detector.loss(clips / 255., samples)
        samples = make_batch(1, size=(4, 48, 48))[1]
        with pytest.raises(ValueError, match='frame_interval'):
            samples[0].set_metainfo(dict(frame_inds=np.arange(8)))
            detector.expand_time(torch.zeros(4, 2, 2), samples[0])

    def test_multi_stage_encoder_resnet3d(self):
        cfg = copy.deepcopy(TINY_DETECTOR)
        cfg['backbone'] = dict(
            type='MultiStageEncoder',
            out_channels=(4, 8, 16),
            backbone=dict(
                type='ResNet3d',
                depth=18,
                pretrained=None,
                pretrained2d=False,
                base_channels=4,
                num_stages=3,
                out_indices=(0, 1, 2),
                spatial_strides=(1, 2, 2),
                temporal_strides=(1, 2, 2),
                dilations=(1, 1, 1),
                inflate=(1, 1, 1),
                conv1_stride_t=1,
                pool1_stride_t=1))
        cfg['cls_head'].update(in_channels=16)
        cfg['loc_head'].update(
            deep_channels=16,
            skip_channels=(4, 8),
            strides=((2, 2, 2), (2, 2, 2), (2, 4, 4)))
        model = MODELS.build(cfg)
        model.init_weights()
        clips, samples = make_batch(2, size=(8, 64, 64))
        losses = model.loss(clips / 255., samples)
        assert torch.isfinite(losses['loss_loc'] + losses['loss_cls'])
        logits, scores = model(clips / 255., mode='tensor')
        assert logits.shape == (2, 1, 8, 64, 64)
        assert scores.shape == (2, NUM_CLASSES)


def semi_model(**kwargs) -> E2ESSLDetector:
    torch.manual_seed(0)
    cfg = dict(type='E2ESSLDetector', detector=copy.deepcopy(TINY_DETECTOR))
    cfg.update(kwargs)
    return MODELS.build(cfg)


class TestE2ESSLDetector:

    def test_semi_step_forward_backward(self):
        model = semi_model(
            loc_consistency=dict(
                loss_var=dict(type='TemporalCoherenceLoss'),
                loss_grad=dict(type='GradientSmoothnessLoss')),
            semi_train_cfg=dict(mask_warmup_iters=10))
        inputs, samples = two_view_batch()
        data = model.data_preprocessor(
            dict(inputs={k: list(v) for k, v in inputs.items()},
                 data_samples=samples), True)
        model.ramp_weight = 0.4
        losses = model(data['inputs'], data['data_samples'], mode='loss')
        assert set(losses) == {
            'sup_loss_cls', 'sup_loss_loc', 'sup_acc', 'unsup_loss_cls_cons',
            'unsup_loss_var', 'unsup_loss_grad'
        }
        total = sum(v for k, v in losses.items() if 'loss' in k)
        assert torch.isfinite(total)
        total.backward()
        grads = [p.grad for p in model.parameters() if p.requires_grad]
        assert all(g is not None for g in grads)

    def test_identical_views_have_zero_consistency(self):
        model = semi_model(
            loc_consistency=dict(
                loss_var=dict(type='TemporalCoherenceLoss'),
                loss_l2=dict(type='LocalizationConsistencyLoss')))
        model.eval()  # no dropout: both views give the same outputs
        clips, samples = make_batch()
        inputs = dict(orig=clips / 255., aug=clips / 255.)
        with torch.no_grad():
            losses = model.loss(inputs, dict(orig=samples, aug=samples))
        assert losses['unsup_loss_cls_cons'].item() == pytest.approx(
            0., abs=1e-7)
        assert losses['unsup_loss_var'].item() == 0
        assert losses['unsup_loss_l2'].item() == 0
        assert losses['sup_loss_loc'].item() > 0

    def test_loss_weights_follow_the_paper(self):
        model = semi_model(
            loc_consistency=dict(
                loss_l2=dict(type='LocalizationConsistencyLoss')))
        model.eval()
        inputs, samples = two_view_batch()
        inputs = {k: v / 255. for k, v in inputs.items()}
        with torch.no_grad():
            losses = model.loss(inputs, samples)
            orig, aug = model.forward_views(
                inputs['orig'][:, 0], inputs['aug'][:, 0],
                torch.tensor([0, -1, 2, -1]),
                torch.tensor([True, False, True, False]))
        plain = ((torch.sigmoid(orig.loc_logits) -
                  torch.sigmoid(aug.loc_logits).flip(-1))**2).mean()
        assert losses['unsup_loss_l2'].item() == pytest.approx(
            0.1 * 0.7 * plain.item(), rel=1e-5)

    def test_class_masking_warmup_by_iteration(self, monkeypatch):
        model = semi_model(semi_train_cfg=dict(mask_warmup_iters=5))
        seen = {}

        def record(inputs, labels=None, use_all=None):
            seen['labels'], seen['use_all'] = labels, use_all
            raise StopIteration

        monkeypatch.setattr(model.detector, 'forward_detection', record)
        inputs, samples = two_view_batch()
        hub = MessageHub.get_current_instance()
        for it, expect_all in ((4, True), (5, False)):
            hub.update_info('iter', it)
            with pytest.raises(StopIteration):
                model.loss(inputs, samples)
            labeled = torch.tensor([True, False, True, False]).repeat(2)
            assert torch.equal(seen['use_all'], ~labeled & expect_all)
            assert seen['labels'].tolist() == [0, -1, 2, -1] * 2
        hub.update_info('iter', 0)

    def test_sup_views_both_averages_the_two_views(self):
        inputs, samples = two_view_batch()
        inputs = {k: v / 255. for k, v in inputs.items()}
        both = semi_model(semi_train_cfg=dict(sup_views='both'))
        both.eval()
        with torch.no_grad():
            losses = both.loss(inputs, samples)
            labels = torch.tensor([0, -1, 2, -1])
            labeled = torch.tensor([True, False, True, False])
            orig, aug = both.forward_views(inputs['orig'][:, 0],
                                           inputs['aug'][:, 0], labels,
                                           labeled)
            one = both.detector.supervised_loss(orig, samples['orig'],
                                                labeled)
            two = both.detector.supervised_loss(aug, samples['aug'], labeled)
        for key in ('loss_cls', 'loss_loc'):
            assert losses[f'sup_{key}'].item() == pytest.approx(
                (one[key] + two[key]).item() / 2, rel=1e-5)
        # the original view alone by default
        orig_only = semi_model()
        orig_only.eval()
        with torch.no_grad():
            default = orig_only.loss(inputs, samples)
        assert default['sup_loss_loc'].item() == pytest.approx(
            one['loss_loc'].item(), rel=1e-5)

    def test_supervised_warmup_forwards_labeled_clips_only(self,
                                                           monkeypatch):
        model = semi_model(semi_train_cfg=dict(sup_warmup_iters=3))
        inputs, samples = two_view_batch()
        inputs = {k: v / 255. for k, v in inputs.items()}
        sizes = []
        forward = model.detector.forward_detection

        def record(clips, labels=None, use_all=None):
            sizes.append(clips.shape[0])
            return forward(clips, labels, use_all)

        monkeypatch.setattr(model.detector, 'forward_detection', record)
        hub = MessageHub.get_current_instance()
        try:
            hub.update_info('iter', 2)
            warm = model.loss(inputs, samples)
            hub.update_info('iter', 3)
            semi = model.loss(inputs, samples)
        finally:
            hub.update_info('iter', 0)
        assert sizes == [4, 8]  # 2 labeled clips x 2 views, then all 4
        assert all(v.item() == 0 for k, v in warm.items()
                   if k.startswith('unsup_'))
        assert warm['sup_loss_loc'].item() > 0
        assert any(v.item() > 0 for k, v in semi.items()
                   if k.startswith('unsup_'))

    def test_gradient_ratios_are_logged_every_interval(self):
        model = semi_model(semi_train_cfg=dict(grad_ratio_interval=2))
        model.train()
        inputs, samples = two_view_batch()
        inputs = {k: v / 255. for k, v in inputs.items()}
        hub = MessageHub.get_current_instance()
        try:
            hub.update_info('iter', 1)
            skipped = model.loss(inputs, samples)
            hub.update_info('iter', 2)
            logged = model.loss(inputs, samples)
        finally:
            hub.update_info('iter', 0)
        assert not any(k.startswith('grad_') for k in skipped)
        ratios = {k for k in logged if k.startswith('grad_ratio/')}
        assert ratios == {'grad_ratio/unsup_cls_cons', 'grad_ratio/unsup_var'}
        assert all('loss' not in k for k in ratios)  # not summed by mmengine
        assert logged['grad_norm/sup_total'].item() > 0
        # the step's own backward still works on the kept graph
        sum(v for k, v in logged.items() if 'loss' in k).backward()

    def test_missing_branch_and_options_are_reported(self):
        with pytest.raises(ValueError, match='consistency_on'):
            semi_model(semi_train_cfg=dict(consistency_on='features'))
        with pytest.raises(ValueError, match='sup_views'):
            semi_model(semi_train_cfg=dict(sup_views='aug'))
        with pytest.raises(ValueError, match='loss_'):
            semi_model(loc_consistency=dict(
                var=dict(type='TemporalCoherenceLoss')))
        model = semi_model()
        clips, samples = make_batch()
        with pytest.raises(KeyError, match="'aug' branch"):
            model.loss(dict(orig=clips), dict(orig=samples))

    def test_loads_a_supervised_checkpoint(self):
        sup = MODELS.build(copy.deepcopy(TINY_DETECTOR))
        model = semi_model()
        model.load_state_dict(sup.state_dict())
        for key, value in sup.state_dict().items():
            assert torch.equal(model.detector.state_dict()[key], value)

    def test_predict_uses_the_detector(self):
        model = semi_model()
        model.eval()
        clips, samples = make_batch(1, size=(4, 48, 48))
        samples[0].set_metainfo(dict(frame_interval=1,
                                     frame_inds=np.arange(1, 5)))
        with torch.no_grad():
            out = model(clips / 255., samples, mode='predict')
        assert out[0].pred_mask.shape == (4, 48, 48)


def test_grid_affine_conjugates_by_the_grid_scale():
    flip = torch.from_numpy(HFLIP[None]).float()
    assert torch.equal(grid_affine(flip, (0.5, 0.7)), flip)
    zoom = torch.tensor([[[0.5, 0.1, 0.2], [0.0, 0.5, -0.1]]])
    out = grid_affine(zoom, (0.5, 0.25))  # sy, sx
    expected = torch.tensor([[[0.5, 0.2, 0.8], [0.0, 0.5, -0.2]]])
    assert torch.allclose(out, expected)
