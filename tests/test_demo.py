"""tools/demo.py: what it shows of the running trainings (the demo itself
trains two models for minutes and is run by hand, see README)."""
import os.path as osp

from conftest import REPO_ROOT, load_script


def load_demo():
    return load_script('tools/demo.py')


def test_last_train_line(tmp_path):
    demo = load_demo()
    log = tmp_path / 'train_stdout.log'
    assert demo.last_train_line(str(log)) == 'starting'
    log.write_text('loading\n')
    assert demo.last_train_line(str(log)) == 'building'
    log.write_text(
        '12/04 - mmengine - INFO - Iter(train) [ 20/800]  loss: 1.5\n'
        'noise\n'
        '12/04 - mmengine - INFO - Iter(train) [ 40/800]  loss: 1.2\n')
    assert demo.last_train_line(str(log)) == 'Iter(train) [ 40/800]  loss: 1.2'


def test_demo_compares_the_shipped_tiny_configs():
    demo = load_demo()
    assert [a.config for a in demo.ARMS] == [
        'configs/ssad/tiny_synthetic_sup.py',
        'configs/ssad/tiny_synthetic_semi.py']
    assert all(osp.isfile(osp.join(REPO_ROOT, a.config)) for a in demo.ARMS)
