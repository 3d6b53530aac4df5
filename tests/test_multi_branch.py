import torch
from mmaction.structures import ActionDataSample
from mmengine.dataset import pseudo_collate

import mmssl  # noqa: F401
from mmaction.registry import MODELS, TRANSFORMS

BRANCHES = ['sup', 'unsup_teacher', 'unsup_student']


class AddOne:
    """A transform that marks which branch ran."""

    def __init__(self, value):
        self.value = value

    def __call__(self, results):
        results['imgs'] = results['imgs'] + self.value
        return results


def pack(results):
    sample = ActionDataSample().set_gt_label(results['label'])
    return dict(inputs=torch.as_tensor(results['imgs']),
                data_samples=sample)


def build(**branches):
    return TRANSFORMS.build(
        dict(type='MultiBranch', branch_field=BRANCHES, **branches))


def test_branches_share_the_decode_and_fill_missing_with_none():
    labeled = build(sup=[pack])
    unlabeled = build(unsup_teacher=[pack],
                      unsup_student=[AddOne(100), pack])
    base = dict(imgs=torch.zeros(1, 3, 2, 4, 4), label=1)
    out_l = labeled(dict(base))
    out_u = unlabeled(dict(base))
    assert out_l['inputs']['unsup_teacher'] is None
    assert out_l['data_samples']['unsup_student'] is None
    assert out_u['inputs']['sup'] is None
    assert out_u['inputs']['unsup_teacher'].sum() == 0
    assert (out_u['inputs']['unsup_student'] == 100).all()
    assert base['imgs'].sum() == 0  # the input was not modified


def test_preprocessor_groups_branches_and_drops_none():
    labeled = build(sup=[pack])
    unlabeled = build(unsup_teacher=[pack],
                      unsup_student=[AddOne(1), pack])
    samples = [
        labeled(dict(imgs=torch.full((1, 3, 2, 4, 4), 2.), label=0)),
        unlabeled(dict(imgs=torch.full((1, 3, 2, 4, 4), 4.), label=1)),
        unlabeled(dict(imgs=torch.full((1, 3, 2, 4, 4), 6.), label=1)),
    ]
    batch = pseudo_collate(samples)
    preprocessor = MODELS.build(
        dict(type='MultiBranchDataPreprocessor',
             data_preprocessor=dict(type='ActionDataPreprocessor',
                                    mean=[1., 1., 1.], std=[2., 2., 2.],
                                    format_shape='NCTHW')))
    out = preprocessor(batch, training=True)
    assert out['inputs']['sup'].shape == (1, 1, 3, 2, 4, 4)
    assert out['inputs']['unsup_teacher'].shape == (2, 1, 3, 2, 4, 4)
    # normalised: (x - 1) / 2
    assert torch.allclose(out['inputs']['sup'], torch.tensor(0.5))
    assert torch.allclose(out['inputs']['unsup_student'][1],
                          torch.tensor(3.0))
    assert len(out['data_samples']['unsup_student']) == 2

    only_labeled = preprocessor(pseudo_collate(samples[:1]), training=True)
    assert set(only_labeled['inputs']) == {'sup'}


def test_blending_touches_the_labeled_branch_only():
    """MixUp of the wrapped preprocessor blends 'sup'; unlabeled branches
    with label -1 pass unblended (they used to crash on the label)."""

    def sample(label):
        s = ActionDataSample()
        s.set_gt_label(label)
        return s

    sup = [torch.full((1, 3, 2, 4, 4), float(v)) for v in (0, 8)]
    weak = [torch.full((1, 3, 2, 4, 4), float(v)) for v in (2, 4)]
    batch = dict(
        inputs=dict(sup=sup, unsup_teacher=weak, unsup_student=weak),
        data_samples=dict(sup=[sample(0), sample(1)],
                          unsup_teacher=[sample(-1), sample(-1)],
                          unsup_student=[sample(-1), sample(-1)]))
    preprocessor = MODELS.build(
        dict(type='MultiBranchDataPreprocessor',
             data_preprocessor=dict(
                 type='ActionDataPreprocessor', mean=[0.] * 3, std=[1.] * 3,
                 format_shape='NCTHW',
                 blending=dict(type='MixupBlending', num_classes=2,
                               alpha=1.0))))
    torch.manual_seed(0)
    out = preprocessor(batch, training=True)
    for branch in ('unsup_teacher', 'unsup_student'):
        assert out['inputs'][branch][:, 0, 0, 0, 0, 0].tolist() == [2., 4.]
        assert [s.gt_label.item() for s in out['data_samples'][branch]] == \
            [-1, -1]
    # the labeled clips are mixed (values strictly between 0 and 8) with
    # soft labels that sum to 1
    mixed = out['inputs']['sup'][:, 0, 0, 0, 0, 0]
    assert ((mixed > 0) & (mixed < 8)).all()
    for s in out['data_samples']['sup']:
        assert s.gt_label.shape == (2, ) and \
            abs(s.gt_label.sum().item() - 1) < 1e-6
    # and the wrapped preprocessor keeps its blending afterwards
    assert preprocessor.data_preprocessor.blending is not None
