# The capsule detector of capsule_i3d.py for the 21 classes of JHMDB-21.
_base_ = ['capsule_i3d.py']
num_classes = 21
model = dict(cls_head=dict(num_classes=num_classes),
             loc_head=dict(num_classes=num_classes))
