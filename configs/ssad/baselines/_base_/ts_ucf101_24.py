# Teacher-student training sets on UCF101-24: the labeled subset (branch
# 'sup') and the unlabeled rest (teacher and student views).
_base_ = ['../../_base_/datasets/ucf101_24.py', 'ts_views.py']
ts_labeled = dict(_base_.labeled_dataset,
                  pipeline=_base_.shared_views + _base_.ts_sup_views)
ts_unlabeled_strong = dict(
    _base_.labeled_dataset, subset='unlabeled',
    pipeline=_base_.shared_views + _base_.ts_weak_strong_views)
ts_unlabeled_weak = dict(
    _base_.labeled_dataset, subset='unlabeled',
    pipeline=_base_.shared_views + _base_.ts_weak_weak_views)
