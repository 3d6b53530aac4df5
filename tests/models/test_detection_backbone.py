"""I3D encoder: E2E-SSL strides, skip features, pytorch-i3d checkpoints."""
from collections import OrderedDict

import mmssl  # noqa: F401  (before mmaction.models)
import pytest
import torch

from mmssl.models.backbones import (InceptionI3d, MultiStageEncoder,
                                    map_pytorch_i3d_keys)


def pytorch_i3d_state_dict(width: float) -> OrderedDict:
    """A state dict with pytorch-i3d's key names: the full original
    network up to Mixed_5c plus its logits layer."""
    full = InceptionI3d(width=width, final_endpoint='Mixed_5c',
                        stride_variant='original', skip_endpoints=())
    for i, p in enumerate(full.parameters()):
        p.data.fill_(0.01 * (i + 1))
    state = OrderedDict(full.state_dict())
    state['logits.conv3d.weight'] = torch.zeros(157, 64, 1, 1, 1)
    state['logits.conv3d.bias'] = torch.zeros(157)
    return state


class TestInceptionI3d:

    def test_paper_strides_give_the_paper_shapes(self):
        # the tiny width keeps CPU time low; strides do not depend on it
        encoder = InceptionI3d(width=0.0625).eval()
        with torch.no_grad():
            skip112, skip56, deep = encoder(torch.zeros(1, 3, 8, 224, 224))
        assert skip112.shape[2:] == (4, 112, 112)
        assert skip56.shape[2:] == (2, 56, 56)
        assert deep.shape[2:] == (1, 28, 28)
        assert encoder.out_channels == (4, 12, 52)

    def test_full_width_channels(self):
        encoder = InceptionI3d()
        assert encoder.out_channels == (64, 192, 832)
        assert encoder.Conv3d_2c_3x3.stride == (2, 1, 1)
        assert encoder.MaxPool3d_4a_3x3.stride == (2, 1, 1)
        original = InceptionI3d(stride_variant='original')
        assert original.MaxPool3d_4a_3x3.stride == (2, 2, 2)

    def test_loads_pytorch_i3d_checkpoint_by_key_mapping(self, tmp_path):
        state = pytorch_i3d_state_dict(0.0625)
        path = tmp_path / 'rgb_charades.pt'
        torch.save(state, path)
        encoder = InceptionI3d(width=0.0625, pretrained=str(path))
        encoder.init_weights()
        own = encoder.state_dict()
        key = 'Mixed_4f.b1b.conv3d.weight'
        assert torch.equal(own[key], state[key])
        missing, unexpected = encoder.load_i3d_checkpoint(str(path))
        assert missing == []
        assert 'logits.conv3d.weight' in unexpected
        assert any(k.startswith('Mixed_5c.') for k in unexpected)
        assert not any(k.startswith('Mixed_4') for k in unexpected)

    def test_prefixed_keys_of_released_model_are_mapped(self):
        state = {
            'module.conv1.Mixed_3b.b0.conv3d.weight': torch.ones(1),
            'primary_caps.pose.weight': torch.ones(1),
        }
        mapped, unused = map_pytorch_i3d_keys(
            state, InceptionI3d().endpoints)
        assert list(mapped) == ['Mixed_3b.b0.conv3d.weight']
        assert unused == ['primary_caps.pose.weight']

    def test_width_mismatch_is_reported(self, tmp_path):
        path = tmp_path / 'rgb_imagenet.pt'
        torch.save(pytorch_i3d_state_dict(0.0625), path)
        encoder = InceptionI3d(width=0.125)
        with pytest.raises(ValueError, match='rgb_imagenet.pt'):
            encoder.load_i3d_checkpoint(str(path))

    def test_bad_arguments_are_reported(self):
        with pytest.raises(ValueError, match='final_endpoint'):
            InceptionI3d(final_endpoint='Mixed_9z')
        with pytest.raises(ValueError, match='skip endpoint'):
            InceptionI3d(skip_endpoints=('Mixed_5b', ))
        with pytest.raises(ValueError, match='stride_variant'):
            InceptionI3d(stride_variant='fast')

    def test_norm_eval_keeps_batchnorm_frozen(self):
        encoder = InceptionI3d(width=0.0625, norm_eval=True).train()
        assert not encoder.Conv3d_1a_7x7.bn.training
        assert encoder.training

    def test_bn_momentum(self):
        assert InceptionI3d(width=0.0625).Mixed_3b.b0.bn.momentum == 0.01
        fast = InceptionI3d(width=0.0625, bn_momentum=0.1)
        assert fast.Mixed_3b.b0.bn.momentum == 0.1


def test_multi_stage_encoder_checks_channels():
    encoder = MultiStageEncoder(
        backbone=dict(type='InceptionI3d', width=0.0625),
        out_channels=(4, 12, 52),
        select=(1, 2))
    with pytest.raises(ValueError, match='out_channels'):
        encoder(torch.zeros(1, 3, 8, 32, 32))
    encoder.out_channels = (12, 52)
    feats = encoder(torch.zeros(1, 3, 8, 32, 32))
    assert [f.shape[1] for f in feats] == [12, 52]
