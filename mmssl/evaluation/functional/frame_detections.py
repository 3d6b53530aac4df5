"""The per-frame detection array shared by frame-AP and tube linking.

One row per detected box: ``[video_index, frame, label, score, x1, y1, x2,
y2]``, ``video_index`` indexing the list of evaluated videos, ``frame``
1-based as in the ACT ground truth, ``label`` a class index.
"""
import numpy as np

DETECTION_COLUMNS = ('video_index', 'frame', 'label', 'score', 'x1', 'y1',
                     'x2', 'y2')


def check_frame_detections(detections: np.ndarray, num_videos: int,
                           num_classes: float) -> np.ndarray:
    """Validate per-frame detections.

    Args:
        detections (np.ndarray): (N, 8) rows ``[video_index, frame, label,
            score, x1, y1, x2, y2]``; an empty sequence means no detections.
        num_videos (int): number of evaluated videos.
        num_classes (int | float): number of classes (``np.inf`` when
            unknown).

    Returns:
        np.ndarray: (N, 8) float64 detections (not a copy when already
        float64).
    """
    detections = np.asarray(detections, dtype=np.float64)
    if detections.size == 0:
        return np.zeros((0, 8))
    if detections.ndim != 2 or detections.shape[1] != 8:
        raise ValueError(
            'detections must be an (N, 8) array with columns '
            f'{DETECTION_COLUMNS}, got shape {detections.shape}')
    if not np.all(np.isfinite(detections)):
        row = int(np.flatnonzero(~np.isfinite(detections).all(1))[0])
        raise ValueError(f'detection row {row} is not finite: '
                         f'{detections[row].tolist()}')
    for column, upper in ((0, num_videos), (2, num_classes)):
        values = detections[:, column]
        bad = (values < 0) | (values >= upper) | (values != np.round(values))
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise ValueError(
                f'detection row {row}: {DETECTION_COLUMNS[column]} '
                f'{values[row]} is not an integer in [0, {upper})')
    return detections
