# Teacher-student training sets on the embedded synthetic set: the labeled
# subset (branch 'sup') and the unlabeled rest (teacher and student views).
_base_ = ['../../_base_/synthetic_tiny.py', 'ts_views.py']
ts_labeled = dict(_base_.labeled_dataset,
                  pipeline=_base_.decode_and_crop + _base_.ts_sup_views)
ts_unlabeled_strong = dict(
    _base_.labeled_dataset, subset='unlabeled',
    pipeline=_base_.decode_and_crop + _base_.ts_weak_strong_views)
ts_unlabeled_weak = dict(
    _base_.labeled_dataset, subset='unlabeled',
    pipeline=_base_.decode_and_crop + _base_.ts_weak_weak_views)
