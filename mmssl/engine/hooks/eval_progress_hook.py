"""A progress bar over validation and test epochs.

Whole-video detection tests run thousands of clips; mmengine's logger prints
only every ``interval`` iterations. This hook draws mmengine's
:class:`~mmengine.utils.ProgressBar` over the iterations of each validation
and test epoch, on the main process only (every rank runs as many
iterations).
"""
import sys
from typing import Any, Optional

from mmengine.dist import is_main_process
from mmengine.hooks import Hook
from mmengine.utils import ProgressBar

from mmaction.registry import HOOKS


@HOOKS.register_module()
class EvalProgressBarHook(Hook):
    """Progress bar over the batches of val and test epochs.

    Add it to a config with ``custom_hooks = [dict(type=
    'EvalProgressBarHook')]``.

    Args:
        val (bool): show it during validation. Defaults to True.
        test (bool): show it during testing. Defaults to True.
        bar_width (int): width of the bar in characters. Defaults to 50.
    """

    priority = 'VERY_LOW'

    def __init__(self,
                 val: bool = True,
                 test: bool = True,
                 bar_width: int = 50) -> None:
        self.val = val
        self.test = test
        self.bar_width = bar_width
        self._bar: Optional[ProgressBar] = None

    def before_val_epoch(self, runner) -> None:
        if self.val:
            self._start(len(runner.val_dataloader))

    def after_val_iter(self,
                       runner,
                       batch_idx: int,
                       data_batch: Any = None,
                       outputs: Any = None) -> None:
        self._update()

    def after_val_epoch(self, runner, metrics: Optional[dict] = None) -> None:
        self._finish()

    def before_test_epoch(self, runner) -> None:
        if self.test:
            self._start(len(runner.test_dataloader))

    def after_test_iter(self,
                        runner,
                        batch_idx: int,
                        data_batch: Any = None,
                        outputs: Any = None) -> None:
        self._update()

    def after_test_epoch(self,
                         runner,
                         metrics: Optional[dict] = None) -> None:
        self._finish()

    def _start(self, num_batches: int) -> None:
        """Open a bar of ``num_batches`` steps on the main process."""
        if is_main_process():
            self._bar = ProgressBar(
                num_batches, bar_width=self.bar_width, file=sys.stdout)

    def _update(self) -> None:
        if self._bar is not None:
            self._bar.update()

    def _finish(self) -> None:
        """End the bar's line so the metrics print below it."""
        if self._bar is not None:
            self._bar.file.write('\n')
            self._bar.file.flush()
            self._bar = None
