"""Lower the learning rate when the training loss stops improving."""
from typing import Optional

from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmengine.runner import Runner

from mmaction.registry import HOOKS


@HOOKS.register_module()
class TrainLossPlateauHook(Hook):
    """Multiply every learning rate by ``factor`` when the mean training loss
    of an epoch has not improved for ``patience`` epochs.

    This is the E2E-SSL schedule (PyTorch's ``ReduceLROnPlateau`` stepped on
    the epoch's training loss, factor 0.1, patience 5). MMEngine's
    ``ReduceOnPlateauLR`` only watches validation metrics, hence this hook.
    Under an iteration-based loop an epoch is ``epoch_length`` iterations,
    by default one pass over the unlabeled source of the
    :class:`MultiSourceSampler`. Its state is saved in checkpoints, so a
    resumed run continues the same schedule.

    Args:
        factor (float): multiplier of the learning rates, in (0, 1).
        patience (int): epochs without improvement before lowering.
        threshold (float): relative improvement that counts
            (``loss < best * (1 - threshold)``).
        min_lr (float): learning rates never go below it.
        epoch_length (int, optional): iterations per epoch; from the sampler
            when omitted.
    """

    priority = 'LOW'

    def __init__(self,
                 factor: float = 0.1,
                 patience: int = 5,
                 threshold: float = 1e-4,
                 min_lr: float = 0.0,
                 epoch_length: Optional[int] = None) -> None:
        if not 0 < factor < 1:
            raise ValueError(
                f'TrainLossPlateauHook.factor must be in (0, 1), got {factor}')
        self.factor = factor
        self.patience = patience
        self.threshold = threshold
        self.min_lr = min_lr
        self.epoch_length = epoch_length
        self.state = dict(best=float('inf'), bad_epochs=0, loss_sum=0.0,
                          count=0)

    def before_train(self, runner: Runner) -> None:
        if self.epoch_length is None:
            sampler = runner.train_dataloader.sampler
            if hasattr(sampler, 'epoch_length'):
                self.epoch_length = sampler.epoch_length()
            else:
                self.epoch_length = len(runner.train_dataloader)

    def after_train_iter(self,
                         runner: Runner,
                         batch_idx: int,
                         data_batch: Optional[dict] = None,
                         outputs: Optional[dict] = None) -> None:
        if outputs is None or 'loss' not in outputs:
            return
        self.state['loss_sum'] += float(outputs['loss'])
        self.state['count'] += 1
        if (runner.iter + 1) % self.epoch_length == 0:
            self.end_epoch(runner)

    def end_epoch(self, runner: Runner) -> None:
        """Compare the epoch's mean loss with the best and maybe lower the
        learning rates."""
        mean = self.state['loss_sum'] / max(self.state['count'], 1)
        self.state.update(loss_sum=0.0, count=0)
        if mean < self.state['best'] * (1 - self.threshold):
            self.state.update(best=mean, bad_epochs=0)
            return
        self.state['bad_epochs'] += 1
        if self.state['bad_epochs'] <= self.patience:
            return
        self.state['bad_epochs'] = 0
        for group in runner.optim_wrapper.param_groups:
            group['lr'] = max(group['lr'] * self.factor, self.min_lr)
        print_log(
            f'TrainLossPlateauHook: training loss {mean:.4f} has not improved '
            f'on {self.state["best"]:.4f} for {self.patience} epochs; '
            f'learning rate now {runner.optim_wrapper.param_groups[0]["lr"]}',
            logger='current')

    def before_save_checkpoint(self, runner: Runner, checkpoint: dict) -> None:
        checkpoint['train_loss_plateau'] = dict(self.state)

    def after_load_checkpoint(self, runner: Runner, checkpoint: dict) -> None:
        if 'train_loss_plateau' in checkpoint:
            self.state = dict(checkpoint['train_loss_plateau'])
