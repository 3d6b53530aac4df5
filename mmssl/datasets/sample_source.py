"""Which file a training sample came from, for error messages and logs.

The training loops of mmssl (:mod:`mmssl.engine.runner`) wrap the pipeline
of every training dataset in :class:`SourceNamingPipeline`, so that

- an exception raised while loading a sample names its video file or frame
  folder (MMAction2's ``DecordInit`` reads a file through a byte buffer and
  its errors do not say which file failed), and
- every packed data sample carries that path in its metainfo (``filename``
  or ``frame_dir``) unless it already has a ``video_name``, so a failing
  training step can name the videos of its batch.

Datasets that replace unreadable videos (``skip_bad_videos``) record the
replaced paths in the metainfo of the replacement sample
(:data:`SKIPPED_VIDEOS_KEY`): a count kept inside a dataloader worker is
invisible to the main process, the sample travels to it.
"""
from typing import Any, Callable, Iterator, Optional, Sequence

from mmengine.structures import BaseDataElement

#: Metainfo key listing the unreadable videos a sample stands in for.
SKIPPED_VIDEOS_KEY = 'skipped_videos'

#: Keys of a data info that name a sample's media, in order of preference.
SOURCE_KEYS = ('filename', 'frame_dir')

#: Metainfo keys that name a packed sample's video, in order of preference.
NAME_KEYS = ('video_name', 'filename', 'frame_dir', 'video_id')


class SampleLoadError(RuntimeError):
    """A training sample could not be loaded; the message names its file."""


def sample_source(info: dict) -> Optional[str]:
    """The video file or frame folder of a data info, if it names one.

    Args:
        info (dict): a data info (before or during the pipeline).

    Returns:
        str | None: the path.
    """
    for key in SOURCE_KEYS:
        value = info.get(key)
        if isinstance(value, str) and value:
            return value
    return None


def data_samples_of(obj: Any) -> Iterator[BaseDataElement]:
    """Every data sample in a packed sample or a collated batch.

    Args:
        obj (Any): ``dict(inputs=..., data_samples=...)``, a batch of them,
            or the ``data_samples`` part alone, with samples possibly nested
            in per-branch dicts (``MultiBranch``) and ``None`` for missing
            branches.

    Yields:
        BaseDataElement: the samples, in order.
    """
    if isinstance(obj, BaseDataElement):
        yield obj
    elif isinstance(obj, dict):
        targets = [obj['data_samples']] if 'data_samples' in obj else list(
            obj.values())
        for value in targets:
            yield from data_samples_of(value)
    elif isinstance(obj, (list, tuple)):
        for value in obj:
            yield from data_samples_of(value)


def attach_skipped_videos(packed: Any, paths: Sequence[str]) -> None:
    """Record, on the first data sample of ``packed``, the unreadable
    videos it replaces.

    Args:
        packed (Any): the pipeline's output for the replacement sample.
        paths (Sequence[str]): the unreadable videos.

    Raises:
        ValueError: if ``packed`` holds no data sample to carry them.
    """
    sample = next(data_samples_of(packed), None)
    if sample is None:
        raise ValueError(f'cannot record the skipped videos {list(paths)}: '
                         'the pipeline output has no data sample')
    previous = tuple(sample.metainfo.get(SKIPPED_VIDEOS_KEY, ()))
    sample.set_metainfo({SKIPPED_VIDEOS_KEY: previous + tuple(paths)})


class SourceNamingPipeline:
    """A dataset pipeline that names the sample's file when it fails and
    in the packed samples.

    Args:
        pipeline (Callable): the dataset's pipeline (a ``Compose``).
    """

    def __init__(self, pipeline: Callable[[dict], Any]) -> None:
        self.pipeline = pipeline

    def __call__(self, results: dict) -> Any:
        source = sample_source(results)
        try:
            packed = self.pipeline(results)
        except Exception as err:
            if source is None or source in str(err):
                raise
            raise SampleLoadError(f'{source}: {type(err).__name__}: '
                                  f'{err}') from err
        if source is not None and packed is not None:
            self._name_samples(packed, source)
        return packed

    @staticmethod
    def _name_samples(packed: Any, source: str) -> None:
        """Give samples without a name the path of their media."""
        for sample in data_samples_of(packed):
            if not any(key in sample.metainfo for key in NAME_KEYS):
                sample.set_metainfo(dict(filename=source))

    def __getattr__(self, name: str) -> Any:
        # Delegate e.g. ``dataset.pipeline.transforms``; never for
        # ``pipeline`` itself (absent while unpickling in a worker).
        if name == 'pipeline':
            raise AttributeError(name)
        return getattr(self.pipeline, name)

    def __repr__(self) -> str:
        return f'{type(self).__name__}({self.pipeline!r})'


def leaf_datasets(dataset: Any) -> Iterator[Any]:
    """The datasets that own a pipeline, through dataset wrappers
    (``ConcatDataset.datasets``, ``RepeatDataset.dataset``, ...)."""
    if hasattr(dataset, 'datasets'):
        for inner in dataset.datasets:
            yield from leaf_datasets(inner)
    elif hasattr(dataset, 'pipeline'):
        yield dataset
    elif hasattr(dataset, 'dataset'):
        yield from leaf_datasets(dataset.dataset)


def name_sample_sources(dataset: Any) -> None:
    """Wrap the pipeline of every dataset in ``dataset`` (wrappers
    included) in :class:`SourceNamingPipeline`, once.

    Args:
        dataset (Dataset): a training dataset, possibly a wrapper.
    """
    for leaf in leaf_datasets(dataset):
        if not isinstance(leaf.pipeline, SourceNamingPipeline):
            leaf.pipeline = SourceNamingPipeline(leaf.pipeline)
