"""`DataLoader`: a dataset's examples in batches of Tensors, as torch.utils.data.DataLoader (one
process: no workers).

A `DataLoader` over N examples with batch size N, 1 or B turns one optimiser into the course's
batch, stochastic or mini-batch gradient descent.
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import numpy as np

from ..rng import Generator
from ..tensor import _is_int
from .collate import default_collate, default_convert
from .dataset import (
    IterableDataset,
    _check_dataset,
    _check_generator,
    _check_seed,
    _entropy,
    _fetch,
)
from .sampler import BatchSampler, RandomSampler, SequentialSampler

__all__ = ["DataLoader", "get_worker_info"]


class DataLoader:
    """Iterate over `dataset` in batches, each made by `collate_fn` (by default
    `default_collate`: a tuple of Tensors, string fields as lists; a dict for dict examples).

    The keys come from `sampler` (by default `SequentialSampler`, or `RandomSampler` with
    `shuffle=True`), grouped by `BatchSampler(sampler, batch_size, drop_last)`, or from a
    `batch_sampler` given instead (then batch_size, shuffle, sampler and drop_last stay at
    their defaults). `batch_size=None` turns batching off: each example alone, through
    `collate_fn` (by default `default_convert`: its arrays as Tensors). An `IterableDataset`
    is read in its own order, `batch_size` examples at a time (no shuffle or samplers).

    With `shuffle=True` every epoch (every `iter()`) has a new order: epoch e's order depends
    only on (`seed`, e), so runs are reproducible; with `seed=None` it comes from `generator`
    (a `td.Generator` or a `np.random.Generator`) or else the package generator
    (`td.manual_seed`); a negative seed is taken modulo 2**64, as `manual_seed` takes it.
    `loader.epoch` counts the epochs started (set it to resume a seeded run mid-way).
    `len(loader)` is the number of batches (`len(batch_sampler)`, or `len(sampler)`
    unbatched); `drop_last` skips a last batch smaller than `batch_size`.

    PyTorch's worker options are accepted so that its loops run unchanged, and checked as
    PyTorch checks them, but every batch is loaded in this process: `num_workers > 0` warns
    once and gives the same batches as 0 (and `worker_init_fn` is not called, having no
    worker); `timeout` has nothing to do on the CPU, and `pin_memory=True` warns on each
    `iter()`, as PyTorch does where there is no accelerator.
    """

    def __init__(
        self,
        dataset: Any,
        batch_size: int | None = 1,
        shuffle: bool = False,
        drop_last: bool = False,
        seed: int | None = None,
        collate_fn: Callable[[Any], Any] | None = None,
        *,
        sampler: Iterable[Any] | None = None,
        batch_sampler: Iterable[Any] | None = None,
        generator: Generator | np.random.Generator | None = None,
        num_workers: int = 0,
        pin_memory: bool = False,
        timeout: float = 0,
        worker_init_fn: Callable[[int], Any] | None = None,
        prefetch_factor: int | None = None,
        persistent_workers: bool = False,
    ) -> None:
        _check_arguments(dataset, batch_size, shuffle, drop_last, seed, collate_fn, sampler,
                         batch_sampler, generator)  # fmt: skip
        _check_workers(num_workers, timeout, prefetch_factor, persistent_workers)
        if batch_sampler is not None:
            batch_size = None
        if sampler is None and not isinstance(dataset, IterableDataset):
            if shuffle:
                sampler = RandomSampler(dataset, generator=generator)
            else:
                sampler = SequentialSampler(dataset)
        if batch_size is not None and sampler is not None:
            batch_sampler = BatchSampler(sampler, int(batch_size), bool(drop_last))
        self.dataset = dataset
        self.batch_size = None if batch_size is None else int(batch_size)
        self.shuffle = shuffle
        self.drop_last = drop_last
        self.seed = seed
        self.generator = generator
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        if collate_fn is None:
            streamed = isinstance(dataset, IterableDataset) and batch_size is not None
            batched = batch_sampler is not None or streamed
            collate_fn = default_collate if batched else default_convert
        self.collate_fn = collate_fn
        self.pin_memory = bool(pin_memory)
        self.epoch = 0

    def __len__(self) -> int:
        if isinstance(self.dataset, IterableDataset):
            try:
                n = len(self.dataset)
            except (TypeError, NotImplementedError) as exc:
                raise TypeError(
                    f"DataLoader: len() needs the length of the IterableDataset "
                    f"{type(self.dataset).__name__}, which has no __len__"
                ) from exc
            if self.batch_size is None:
                return n
            return n // self.batch_size if self.drop_last else -(-n // self.batch_size)
        return len(self.sampler if self.batch_sampler is None else self.batch_sampler)

    def __iter__(self) -> Iterator[Any]:
        if self.pin_memory:
            warnings.warn(
                "DataLoader: 'pin_memory' argument is set as true but no accelerator is found, "
                "then device pinned memory won't be used.",
                UserWarning,
                stacklevel=2,
            )
        if self.shuffle and self.seed is not None and isinstance(self.sampler, RandomSampler):
            self.sampler.generator = np.random.default_rng([_entropy(self.seed), self.epoch])
        self.epoch += 1
        if isinstance(self.dataset, IterableDataset):
            yield from self._stream()
        elif self.batch_sampler is None:
            for key in self.sampler:
                yield self.collate_fn(self.dataset[key])
        else:
            for keys in self.batch_sampler:
                yield self.collate_fn(_fetch_batch(self.dataset, keys))

    def _stream(self) -> Iterator[Any]:
        """An IterableDataset's examples, `batch_size` at a time (or one by one)."""
        examples = iter(self.dataset)
        if self.batch_size is None:
            for example in examples:
                yield self.collate_fn(example)
            return
        while batch := list(itertools.islice(examples, self.batch_size)):
            if len(batch) < self.batch_size and self.drop_last:
                return
            yield self.collate_fn(batch)


def _check_workers(
    num_workers: Any, timeout: Any, prefetch_factor: Any, persistent_workers: Any
) -> None:
    """PyTorch's checks of its worker options (with its words); then, for num_workers > 0, a
    warning that the batches are loaded in this process."""
    if not _is_int(num_workers):
        raise TypeError(f"DataLoader: num_workers must be an int, got {num_workers!r}")
    if num_workers < 0:
        raise ValueError(
            "DataLoader: num_workers option should be non-negative; use num_workers=0 to "
            "disable multiprocessing."
        )
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not timeout >= 0:
        raise ValueError(f"DataLoader: timeout option should be non-negative, got {timeout!r}")
    if num_workers == 0 and prefetch_factor is not None:
        raise ValueError(
            "DataLoader: prefetch_factor option could only be specified in multiprocessing: "
            "let num_workers > 0, or set prefetch_factor to None"
        )
    if num_workers == 0 and persistent_workers:
        raise ValueError("DataLoader: persistent_workers option needs num_workers > 0")
    if num_workers > 0:
        warnings.warn(
            f"DataLoader: num_workers={num_workers} asks for worker processes; tinygrad_ds "
            "loads every batch in this process (the batches are the same)",
            stacklevel=3,
        )


def _check_arguments(
    dataset: Any,
    batch_size: Any,
    shuffle: Any,
    drop_last: Any,
    seed: Any,
    collate_fn: Any,
    sampler: Any,
    batch_sampler: Any,
    generator: Any,
) -> None:
    """Raise for a bad DataLoader argument or a combination PyTorch forbids (with its words)."""
    if batch_size is not None:
        if not _is_int(batch_size):
            raise TypeError(f"DataLoader: batch_size must be an int or None, got {batch_size!r}")
        if batch_size < 1:
            raise ValueError(f"DataLoader: batch_size must be >= 1, got {batch_size}")
    _check_seed(seed, "DataLoader")
    _check_generator(generator, "DataLoader")
    if collate_fn is not None and not callable(collate_fn):
        raise TypeError(f"DataLoader: collate_fn must be callable, got {collate_fn!r:.60}")
    for name, value in (("sampler", sampler), ("batch_sampler", batch_sampler)):
        if value is not None and not hasattr(value, "__iter__"):
            raise TypeError(
                f"DataLoader: {name} must be an iterable of keys, got {type(value).__name__}"
            )
    if isinstance(dataset, IterableDataset):
        for name, value in (("shuffle", shuffle), ("sampler", sampler),
                            ("batch_sampler", batch_sampler)):  # fmt: skip
            if value is not None and value is not False:
                raise ValueError(
                    "DataLoader with IterableDataset: expected unspecified "
                    f"{name} option, but got {name}={value!r:.60}"
                )
    else:
        _check_dataset(dataset, "DataLoader")
    if sampler is not None and shuffle:
        raise ValueError("DataLoader: sampler option is mutually exclusive with shuffle")
    if batch_sampler is not None:
        if batch_size != 1 or shuffle or sampler is not None or drop_last:
            raise ValueError(
                "DataLoader: batch_sampler option is mutually exclusive with batch_size, "
                "shuffle, sampler, and drop_last"
            )
    elif batch_size is None and drop_last:
        raise ValueError(
            "DataLoader: batch_size=None option disables auto-batching and is mutually "
            "exclusive with drop_last"
        )
    if seed is not None and generator is not None:
        raise ValueError("DataLoader: give seed or generator, not both")
    if seed is not None and (sampler is not None or batch_sampler is not None):
        raise ValueError(
            "DataLoader: seed= seeds shuffle=True's order; a sampler given draws from its "
            "own generator"
        )


def _fetch_batch(dataset: Any, keys: Any) -> Any:
    """The examples at `keys`: integer keys in one `__getitems__` call of a `Dataset` (a
    `TensorDataset` slices its arrays once), other keys one by one."""
    indices = np.asarray(keys)
    if indices.ndim == 1 and indices.dtype.kind in "iu":
        return _fetch(dataset, indices)
    return [dataset[key] for key in keys]


def get_worker_info() -> None:
    """None, always: PyTorch returns information about the current worker process in a
    DataLoader worker, and None in the main process; here every batch is loaded in the main
    process (`num_workers` only warns), so an IterableDataset that splits its work by
    `get_worker_info()` sees None and yields everything once, as with `num_workers=0`."""
    return None
