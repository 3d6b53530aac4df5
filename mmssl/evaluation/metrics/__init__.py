from .action_detection_metric import ActionDetectionMetric

__all__ = ['ActionDetectionMetric']
