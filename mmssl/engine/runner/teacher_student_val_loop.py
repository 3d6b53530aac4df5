"""Validate both networks of a teacher-student model."""
from mmengine.runner import ValLoop

from mmaction.registry import LOOPS
from ..hooks.mean_teacher_hook import unwrap_model


@LOOPS.register_module()
class TeacherStudentValLoop(ValLoop):
    """Validation loop that evaluates the teacher and the student.

    Metrics are reported as ``teacher/<key>`` and ``student/<key>``, and
    once more without prefix for the network of
    ``semi_test_cfg.predict_on`` (so ``save_best`` can name a plain key).
    Models without a teacher are validated as by :class:`ValLoop`.
    """

    def run(self) -> dict:
        model = unwrap_model(self.runner)
        if not hasattr(model, 'teacher'):
            return super().run()
        self.runner.call_hook('before_val')
        self.runner.call_hook('before_val_epoch')
        self.runner.model.eval()
        predict_on = model.semi_test_cfg.predict_on
        metrics = {}
        for network in ('teacher', 'student'):
            model.semi_test_cfg.predict_on = network
            for idx, data_batch in enumerate(self.dataloader):
                self.run_iter(idx, data_batch)
            network_metrics = self.evaluator.evaluate(
                len(self.dataloader.dataset))
            metrics.update({
                f'{network}/{key}': value
                for key, value in network_metrics.items()
            })
            if network == predict_on:
                metrics.update(network_metrics)
        model.semi_test_cfg.predict_on = predict_on
        self.runner.call_hook('after_val_epoch', metrics=metrics)
        self.runner.call_hook('after_val')
        return metrics
