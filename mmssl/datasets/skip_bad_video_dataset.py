"""MMAction2's VideoDataset that can replace unreadable videos in training."""
import logging
from typing import Any, List, Optional

from mmengine.logging import print_log

from mmaction.datasets import VideoDataset
from mmaction.registry import DATASETS
from .sample_source import attach_skipped_videos, sample_source


@DATASETS.register_module()
class SkipBadVideoDataset(VideoDataset):
    """:class:`~mmaction.datasets.VideoDataset` with ``skip_bad_videos``.

    In training with ``skip_bad_videos=True``, a sample whose pipeline fails
    (MMAction2's decord reader raises a bare ``RuntimeError`` for an
    unreadable file, so any error counts) is logged with its path and the
    error and becomes ``None``: MMEngine's ``BaseDataset.__getitem__`` then
    loads another random index (at most ``max_refetch`` times). The next
    sample this process loads lists the replaced paths in its metainfo
    (:data:`~mmssl.datasets.sample_source.SKIPPED_VIDEOS_KEY`), so the mmssl
    training loops count and log them also when they were loaded in
    data-loader workers. Otherwise (the default, and always in test mode)
    the error propagates.

    Args:
        skip_bad_videos (bool): replace unreadable training videos.
            Defaults to False.
        **kwargs: the arguments of :class:`~mmaction.datasets.VideoDataset`.
    """

    def __init__(self, *args, skip_bad_videos: bool = False,
                 **kwargs) -> None:
        self.skip_bad_videos = skip_bad_videos
        self.num_skipped = 0
        self._pending_skips: List[str] = []
        super().__init__(*args, **kwargs)

    def prepare_data(self, idx: int) -> Optional[Any]:
        """Run the pipeline; see the class docstring for failures.

        Args:
            idx (int): the index of the data info.

        Returns:
            Any: the packed sample; None for a replaced one.
        """
        try:
            packed = super().prepare_data(idx)
        except Exception as err:
            if self.test_mode or not self.skip_bad_videos:
                raise
            self._record_skip(idx, err)
            return None
        if packed is not None and self._pending_skips:
            attach_skipped_videos(packed, self._pending_skips)
            self._pending_skips = []
        return packed

    def _record_skip(self, idx: int, err: Exception) -> None:
        """Remember and log the unreadable video of sample ``idx``."""
        path = sample_source(self.get_data_info(idx)) or f'sample {idx}'
        self.num_skipped += 1
        self._pending_skips.append(path)
        print_log(
            f'skip_bad_videos: {path}: {type(err).__name__}: {err}; '
            f'{self.num_skipped} video(s) replaced so far in this process',
            logger='current',
            level=logging.WARNING)
