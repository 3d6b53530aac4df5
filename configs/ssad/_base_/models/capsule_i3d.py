# The E2E-SSL capsule detector at the paper's size: I3D (InceptionV1) to
# Mixed_4f with the E2E-SSL strides (8 x 224 x 224 -> 832 x 1 x 28 x 28),
# primary capsules 9 x 9 -> 20 x 20 grid, EM routing, skip decoder.
num_classes = 24
model = dict(
    type='CapsuleDetector',
    backbone=dict(type='InceptionI3d',
                  pretrained='checkpoints/rgb_charades.pt'),
    cls_head=dict(type='CapsuleHead', in_channels=832,
                  num_classes=num_classes),
    loc_head=dict(type='CapsuleMaskDecoder', num_classes=num_classes),
    data_preprocessor=dict(type='ActionDataPreprocessor',
                           mean=[127.5, 127.5, 127.5],
                           std=[127.5, 127.5, 127.5], format_shape='NCTHW'))
