# Ablation: Multi-scale Temporal Learning without Adaptive Contrastive
# Learning (FixMatch + MTL) on the synthetic recognition set; same labeled
# subset (2 per class, seed 47), network, schedule and teacher as the ACL+MTL
# config.
_base_ = ['./acl-mtl_tiny-r3d_synthetic.py']

model = dict(acl=None)
