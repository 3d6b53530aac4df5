"""Runner.test with the detection metric and the progress bar hook, as
``tools/test.py`` runs it (a stand-in model returns perfect masks)."""
import numpy as np
import torch
from mmengine.model import BaseModel
from mmengine.runner import Runner

from mmaction.registry import HOOKS
from mmaction.structures import ActionDataSample


class PerfectDetector(BaseModel):
    """Predicts the ground-truth mask and the true class."""

    def __init__(self, num_classes=2):
        super().__init__()
        self.num_classes = num_classes
        self.dummy = torch.nn.Parameter(torch.zeros(1))

    def forward(self, inputs, data_samples=None, mode='predict'):
        for sample in data_samples:
            score = torch.zeros(self.num_classes)
            score[sample.gt_label] = 1.0
            sample.set_pred_score(score)
            sample.pred_mask = sample.gt_mask.float()
        return data_samples


def clip(video, start, label, size=12):
    frames = np.arange(start, start + 4)
    sample = ActionDataSample().set_gt_label(label)
    mask = torch.zeros(4, size, size, dtype=torch.uint8)
    mask[:, 2:8, 3:9] = 1
    sample.gt_mask = mask
    sample.gt_frame_valid = torch.ones(4, dtype=torch.bool)
    sample.gt_bboxes = torch.tensor([[3., 2., 8., 7.]]).repeat(4, 1)
    sample.gt_bbox_frames = torch.arange(4)
    sample.gt_bbox_labels = torch.full((4, ), label)
    sample.set_metainfo(dict(video_name=video, frame_inds=frames))
    return dict(inputs=torch.zeros(1), data_samples=sample)


def test_runner_test_shows_progress_and_reports_keys(tmp_path, capsys):
    dataset = [clip('a/v1', 1, 0), clip('a/v1', 5, 0), clip('b/v2', 1, 1)]
    runner = Runner(
        model=PerfectDetector(),
        work_dir=str(tmp_path),
        test_dataloader=dict(
            dataset=dataset,
            sampler=dict(type='DefaultSampler', shuffle=False),
            batch_size=2,
            collate_fn=dict(type='pseudo_collate')),
        test_cfg=dict(type='TestLoop'),
        test_evaluator=dict(
            type='ActionDetectionMetric', link_cfg=dict(min_length=2)),
        custom_hooks=[dict(type='EvalProgressBarHook')],
        default_scope='mmaction')
    metrics = runner.test()
    assert metrics['mask/f-mAP@0.5'] == 100.0
    assert metrics['det/video-AP@0.5:0.95'] == 100.0
    assert metrics['cls/video-acc'] == 100.0
    assert '2/2' in capsys.readouterr().out  # two batches


def test_hook_can_be_switched_off(capsys):
    hook = HOOKS.build(dict(type='EvalProgressBarHook', test=False))

    class FakeRunner:
        test_dataloader = [0, 1, 2]

    hook.before_test_epoch(FakeRunner())
    hook.after_test_iter(FakeRunner(), 0)
    hook.after_test_epoch(FakeRunner())
    assert capsys.readouterr().out == ''
