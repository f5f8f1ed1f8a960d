"""``DataLoader``: iterate over a dataset in (shuffled) mini-batches."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from ..random import Generator, rng
from .collate import default_collate
from .dataset import Dataset, IterableDataset
from .sampler import BatchSampler, RandomSampler, SequentialSampler

__all__ = ["DataLoader", "default_collate", "get_worker_info"]


def get_worker_info() -> None:
    """``None``: loading always runs in the calling process (there are no worker processes)."""
    return None


class DataLoader:
    """Batches of ``dataset``, in order or shuffled, as ``torch.utils.data.DataLoader``.

    ``len(loader)`` is the number of batches: ``ceil(n / batch_size)``, or
    ``floor`` with ``drop_last=True``. With ``shuffle=True`` each epoch (each
    ``iter()``) draws a new permutation from ``generator``, or from tinygrad_np's
    default generator, so ``tinygrad_np.manual_seed(s)`` makes the epochs
    reproducible. ``batch_size=None`` yields single samples unbatched. A
    ``sampler`` (an iterable of indices, e.g. :class:`SubsetRandomSampler`) or a
    ``batch_sampler`` (an iterable of index lists) chooses the indices instead.

    A :class:`TensorDataset` with the default collate is batched by one fancy
    index per tensor, not sample by sample.

    >>> import tinygrad_np as tg
    >>> ds = tg.data.TensorDataset(tg.arange(10.0).reshape(5, 2), tg.arange(5))
    >>> [tuple(x.shape) for x, y in DataLoader(ds, batch_size=2)]
    [(2, 2), (2, 2), (1, 2)]
    """

    def __init__(
        self,
        dataset: Dataset,
        batch_size: int | None = 1,
        shuffle: bool = False,
        sampler: Any = None,
        batch_sampler: Any = None,
        num_workers: int = 0,
        collate_fn: Callable[[list[Any]], Any] | None = None,
        pin_memory: bool = False,
        drop_last: bool = False,
        timeout: float = 0,
        worker_init_fn: Callable[[int], None] | None = None,
        multiprocessing_context: Any = None,
        generator: Generator | None = None,
        *,
        prefetch_factor: int | None = None,
        persistent_workers: bool = False,
        pin_memory_device: str = "",
        in_order: bool = True,
    ) -> None:
        if batch_size is not None and (not isinstance(batch_size, int) or batch_size <= 0):
            raise ValueError(
                f"batch_size should be a positive integer value, but got batch_size={batch_size}"
            )
        if isinstance(dataset, IterableDataset) and (
            shuffle or sampler is not None or batch_sampler is not None
        ):
            option = "shuffle" if shuffle else "sampler" if sampler is not None else "batch_sampler"
            value = shuffle if shuffle else sampler if sampler is not None else batch_sampler
            raise ValueError(
                f"DataLoader with IterableDataset: expected unspecified {option} option, but got {option}={value}"
            )
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None and (batch_size != 1 or shuffle or sampler is not None or drop_last):
            raise ValueError(
                "batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, and drop_last"
            )
        if num_workers < 0:
            raise ValueError(
                "num_workers option should be non-negative; use num_workers=0 to disable multiprocessing."
            )
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError(
                "prefetch_factor option could only be specified in multiprocessing."
                "let num_workers > 0 to enable multiprocessing, otherwise set prefetch_factor to None."
            )
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")
        self.dataset = dataset
        self._sampler = sampler  # the user's, if any (the default order is drawn with NumPy directly)
        self._batch_sampler = batch_sampler
        self._default_sampler: Any = None  # made on first read of .sampler
        self.batch_size = None if batch_sampler is not None else batch_size
        self.shuffle = bool(shuffle)
        self.drop_last = drop_last
        self.generator = generator
        # accepted, with PyTorch's checks; loading always happens in this process
        self.num_workers = num_workers
        self.prefetch_factor = prefetch_factor
        self.persistent_workers = persistent_workers
        self.pin_memory = pin_memory
        self.collate_fn = collate_fn
        self._batch = getattr(dataset, "_batch", None) if collate_fn is None else None

    @property
    def sampler(self) -> Any:
        """The sampler given, or the one PyTorch would use (``SequentialSampler``, or
        ``RandomSampler`` with ``shuffle=True``), e.g. for ``len(loader.sampler)``; ``None``
        for an :class:`IterableDataset`."""
        if self._sampler is not None or isinstance(self.dataset, IterableDataset):
            return self._sampler
        if self._default_sampler is None:
            self._default_sampler = (
                RandomSampler(self.dataset, generator=self.generator)  # type: ignore[arg-type]
                if self.shuffle
                else SequentialSampler(self.dataset)  # type: ignore[arg-type]
            )
        return self._default_sampler

    @property
    def batch_sampler(self) -> Any:
        """The batch sampler given, or a ``BatchSampler`` over :attr:`sampler` (``None``
        without batching or for an :class:`IterableDataset`)."""
        if self._batch_sampler is not None:
            return self._batch_sampler
        if self.batch_size is None or isinstance(self.dataset, IterableDataset):
            return None
        return BatchSampler(self.sampler, self.batch_size, self.drop_last)

    def __len__(self) -> int:
        if isinstance(self.dataset, IterableDataset) and not hasattr(self.dataset, "__len__"):
            raise TypeError(f"object of type '{type(self.dataset).__name__}' has no len()")
        if self._batch_sampler is not None:
            return len(self._batch_sampler)
        n = len(self._sampler if self._sampler is not None else self.dataset)  # type: ignore[arg-type]
        if self.batch_size is None:
            return n
        return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)

    def __iter__(self) -> Iterator[Any]:
        if isinstance(self.dataset, IterableDataset):
            yield from self._iter_stream()
            return
        if self._batch_sampler is not None:
            for idx in self._batch_sampler:
                yield self._fetch(np.asarray(list(idx), dtype=np.int64))
            return
        if self._sampler is not None:  # drawn lazily: a sampler may be (nearly) endless
            if self.batch_size is None:
                for i in self._sampler:
                    yield self.dataset[int(i)]
                return
            for idx in BatchSampler(self._sampler, self.batch_size, self.drop_last):
                yield self._fetch(np.asarray(idx, dtype=np.int64))
            return
        n = len(self.dataset)  # type: ignore[arg-type]
        order = rng(self.generator).permutation(n) if self.shuffle else np.arange(n)
        if self.batch_size is None:
            for i in order.tolist():
                yield self.dataset[i]
            return
        bs = self.batch_size
        for start in range(0, len(self) * bs, bs):
            yield self._fetch(order[start : start + bs])

    def _iter_stream(self) -> Iterator[Any]:
        """Batches of consecutive samples of an :class:`IterableDataset`."""
        collate = self.collate_fn or default_collate
        if self.batch_size is None:
            yield from self.dataset  # type: ignore[misc]
            return
        batch: list[Any] = []
        for sample in self.dataset:  # type: ignore[attr-defined]
            batch.append(sample)
            if len(batch) == self.batch_size:
                yield collate(batch)
                batch = []
        if batch and not self.drop_last:
            yield collate(batch)

    def _fetch(self, idx: np.ndarray) -> Any:
        """The collated batch of the samples at ``idx``."""
        if self._batch is not None:
            return self._batch(idx)
        samples = [self.dataset[i] for i in idx.tolist()]
        return (self.collate_fn or default_collate)(samples)
