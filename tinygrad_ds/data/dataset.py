"""Datasets: `Dataset`, `TensorDataset`, `Subset`, `ConcatDataset`, `StackDataset`, the
streaming `IterableDataset` and `ChainDataset`, and `random_split`, as torch.utils.data's."""

from __future__ import annotations

import bisect
import math
import warnings
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from ..rng import Generator
from ..rng import generator as resolve_generator
from ..tensor import Tensor, _is_int

__all__ = [
    "Dataset", "IterableDataset", "TensorDataset", "Subset", "ConcatDataset", "ChainDataset",
    "StackDataset", "random_split",
]  # fmt: skip


class Dataset:
    """A sized, indexable collection of examples: subclass it with `__len__` and
    `__getitem__(i)` (returning an example, usually a tuple such as (x, y))."""

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__}: __len__ is not implemented")

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError(f"{type(self).__name__}: __getitem__ is not implemented")

    def __getitems__(self, indices: np.ndarray) -> Any:
        """A whole batch at once (a list of examples here; `TensorDataset` slices arrays)."""
        return [self[int(i)] for i in indices]

    def __add__(self, other: Dataset) -> ConcatDataset:
        """`a + b` is `ConcatDataset([a, b])`."""
        return ConcatDataset([self, other])


class IterableDataset(Dataset):
    """A stream of examples: subclass it with `__iter__` (and `__len__` if the count is known,
    for `len(loader)`). A `DataLoader` takes its examples in the stream's order, so it takes
    no `shuffle`, `sampler` or `batch_sampler`."""

    def __iter__(self) -> Iterator[Any]:
        raise NotImplementedError(f"{type(self).__name__}: __iter__ is not implemented")

    def __add__(self, other: Dataset) -> ChainDataset:
        """`a + b` is `ChainDataset([a, b])`."""
        return ChainDataset([self, other])


def _array(x: Any) -> np.ndarray:
    return x.data if isinstance(x, Tensor) else np.asarray(x)


class TensorDataset(Dataset):
    """Examples are rows of the given arrays or Tensors (equal first dims): item i is
    `(a[i], b[i], ...)`. A batch is taken by one fancy index per array, not row by row."""

    def __init__(self, *arrays: Any) -> None:
        if not arrays:
            raise ValueError("TensorDataset: give at least one array")
        self.arrays = tuple(_array(a) for a in arrays)
        lengths = [a.shape[0] if a.ndim else None for a in self.arrays]
        if None in lengths or len(set(lengths)) != 1:
            shapes = [a.shape for a in self.arrays]
            raise ValueError(f"TensorDataset: the arrays need one first dim, got shapes {shapes}")

    def __len__(self) -> int:
        return self.arrays[0].shape[0]

    def __getitem__(self, index: Any) -> tuple[np.ndarray, ...]:
        try:
            return tuple(a[index] for a in self.arrays)
        except IndexError:
            _check_indices("TensorDataset", index, len(self))
            raise

    def __getitems__(self, indices: np.ndarray) -> tuple[np.ndarray, ...]:
        try:
            return tuple(a[indices] for a in self.arrays)
        except IndexError:
            _check_indices("TensorDataset", indices, len(self))
            raise


def _check_indices(what: str, indices: Any, n: int, of: str = "examples") -> None:
    """Raise IndexError naming `what` if an integer index in `indices` is outside [-n, n)."""
    array = np.asarray(indices)
    if array.dtype.kind in "iu":
        outside = array[(array < -n) | (array >= n)]
        if outside.size:
            raise IndexError(f"{what}: index {int(outside.flat[0])} is out of range for {n} {of}")


class Subset(Dataset):
    """The examples of `dataset` at `indices`, in that order."""

    def __init__(self, dataset: Any, indices: Sequence[int]) -> None:
        _check_dataset(dataset, "Subset")
        try:
            array = np.asarray(indices)
        except ValueError as exc:
            raise TypeError(
                f"Subset: indices must be a sequence of ints, got {indices!r:.60}"
            ) from exc
        if array.ndim != 1 or (array.size and array.dtype.kind not in "iu"):
            raise TypeError(f"Subset: indices must be a sequence of ints, got {indices!r:.60}")
        self.dataset = dataset
        self.indices = array.astype(np.int64)
        n = len(dataset)
        _check_indices("Subset", self.indices, n, "examples in its dataset")

    def __len__(self) -> int:
        return len(self.indices)

    def __getitem__(self, index: int) -> Any:
        try:
            i = self.indices[index]
        except IndexError:
            _check_indices("Subset", index, len(self))
            raise
        return self.dataset[int(i)]

    def __getitems__(self, indices: np.ndarray) -> Any:
        try:
            chosen = self.indices[indices]
        except IndexError:
            _check_indices("Subset", indices, len(self))
            raise
        return _fetch(self.dataset, chosen)


class ConcatDataset(Dataset):
    """The examples of `datasets` one after another: index i falls in the first dataset whose
    `cumulative_sizes` entry (the running total of the lengths) exceeds it; a negative index
    counts from the end, as in a list."""

    def __init__(self, datasets: Iterable[Any]) -> None:
        self.datasets = list(datasets)
        if not self.datasets:
            raise ValueError("ConcatDataset: datasets should not be an empty iterable")
        for d in self.datasets:
            _check_dataset(d, "ConcatDataset")
        self.cumulative_sizes = np.cumsum([len(d) for d in self.datasets]).tolist()

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def __getitem__(self, index: int) -> Any:
        if not _is_int(index):
            raise TypeError(f"ConcatDataset: an index must be an int, got {index!r:.60}")
        n = len(self)
        if not -n <= index < n:
            raise IndexError(f"ConcatDataset: index {index} is out of range for {n} examples")
        index = int(index) % n
        which = bisect.bisect_right(self.cumulative_sizes, index)
        start = self.cumulative_sizes[which - 1] if which else 0
        return self.datasets[which][index - start]


class StackDataset(Dataset):
    """Datasets of one length side by side: item i is `(a[i], b[i], ...)` for
    `StackDataset(a, b, ...)`, or `{"x": a[i], ...}` for `StackDataset(x=a, ...)`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if args and kwargs:
            raise ValueError(
                "StackDataset: give the datasets either by position (items are tuples) or by "
                "name (items are dicts), not both"
            )
        if not (args or kwargs):
            raise ValueError("StackDataset: at least one dataset should be passed")
        self.datasets: tuple[Any, ...] | dict[str, Any] = args or kwargs
        named = kwargs or dict(enumerate(args))
        for d in named.values():
            _check_dataset(d, "StackDataset")
        lengths = {key: len(d) for key, d in named.items()}
        if len(set(lengths.values())) != 1:
            raise ValueError(f"StackDataset: size mismatch between datasets, lengths {lengths}")
        self._length = next(iter(lengths.values()))

    def __len__(self) -> int:
        return self._length

    def __getitem__(self, index: int) -> Any:
        if isinstance(self.datasets, dict):
            return {key: d[index] for key, d in self.datasets.items()}
        return tuple(d[index] for d in self.datasets)


class ChainDataset(IterableDataset):
    """The streams of `datasets` (IterableDatasets) one after another; its length, when asked,
    is the sum of theirs."""

    def __init__(self, datasets: Iterable[Any]) -> None:
        self.datasets = list(datasets)
        for i, d in enumerate(self.datasets):
            if not isinstance(d, IterableDataset):
                raise TypeError(
                    f"ChainDataset: only supports IterableDatasets, got {type(d).__name__} at "
                    f"position {i}"
                )

    def __iter__(self) -> Iterator[Any]:
        for d in self.datasets:
            yield from d

    def __len__(self) -> int:
        return sum(len(d) for d in self.datasets)


def _fetch(dataset: Any, indices: np.ndarray) -> Any:
    if isinstance(dataset, Dataset):
        return dataset.__getitems__(indices)
    return [dataset[int(i)] for i in indices]


def _check_seed(seed: Any, what: str) -> None:
    if seed is not None and not _is_int(seed):
        raise TypeError(f"{what}: seed must be an int or None, got {seed!r}")


def _check_generator(generator: Any, what: str) -> None:
    """A `generator=` argument: None, a td.Generator or a np.random.Generator."""
    resolve_generator(generator, what)


def _rng(generator: Generator | np.random.Generator | None) -> np.random.Generator:
    """The NumPy generator to draw from: `generator`'s, or the package generator's
    (`td.manual_seed`) when it is None."""
    return resolve_generator(generator)


def _entropy(seed: int) -> int:
    """A seed as NumPy takes it: any int modulo 2**64 (-1 -> 2**64 - 1), as `manual_seed`
    and `torch.manual_seed` read it, so every int seeds deterministically."""
    return int(seed) % 2**64


def _check_dataset(dataset: Any, what: str) -> None:
    """A dataset must be sized and indexable (`__len__` and `__getitem__`)."""
    if isinstance(dataset, IterableDataset):
        raise TypeError(
            f"{what}: needs a map-style dataset (__len__ and __getitem__), got the "
            f"IterableDataset {type(dataset).__name__}"
        )
    if not (hasattr(dataset, "__len__") and hasattr(dataset, "__getitem__")) or isinstance(
        dataset, (str, bytes, Mapping)
    ):
        raise TypeError(
            f"{what}: the dataset must have __len__ and __getitem__ (a Dataset, a TensorDataset "
            f"or a list of examples), got {type(dataset).__name__}"
        )


def random_split(
    dataset: Any,
    lengths: Sequence[float],
    seed: int | Generator | np.random.Generator | None = None,
    generator: Generator | np.random.Generator | None = None,
) -> list[Subset]:
    """Split into non-overlapping random subsets of the given lengths (which sum to len), or
    fractions (which sum to 1; floor(n * f) each, then the remainder dealt out one by one from
    the first, as PyTorch does). The order comes from `seed`, else `generator` (a td.Generator
    or a np.random.Generator), else the package generator (`td.manual_seed`). A generator given
    third, as PyTorch's `random_split(dataset, lengths, generator)`, is taken as `generator`."""
    if isinstance(seed, (Generator, np.random.Generator)) and generator is None:
        seed, generator = None, seed  # PyTorch's third argument is the generator
    _check_seed(seed, "random_split")
    _check_generator(generator, "random_split")
    if seed is not None and generator is not None:
        raise ValueError("random_split: give seed or generator, not both")
    _check_dataset(dataset, "random_split")
    n = len(dataset)
    if not isinstance(lengths, (list, tuple, np.ndarray)):
        raise TypeError(f"random_split: lengths must be a list of counts or fractions, got "
                        f"{type(lengths).__name__}")  # fmt: skip
    lengths = list(lengths)
    for k in lengths:
        if isinstance(k, bool) or not isinstance(k, (int, float, np.integer, np.floating)):
            raise TypeError(f"random_split: lengths must be numbers, got {k!r:.60} in {lengths}")
        if not math.isfinite(k):
            raise ValueError(f"random_split: lengths must be finite, got {k!r} in {lengths}")
    if math.isclose(sum(lengths), 1) and sum(lengths) <= 1:  # fractions
        if any(not 0 <= f <= 1 for f in lengths):
            raise ValueError(f"random_split: fractions must be in [0, 1], got {lengths}")
        lengths = [int(math.floor(n * f)) for f in lengths]
        for i in range(n - sum(lengths)):
            lengths[i % len(lengths)] += 1
        for i, k in enumerate(lengths):
            if k == 0:
                warnings.warn(
                    f"random_split: length of split at index {i} is 0 (an empty dataset)",
                    stacklevel=2,
                )
    if any(int(k) != k or k < 0 for k in lengths) or sum(lengths) != n:
        raise ValueError(
            f"random_split: lengths {lengths} must be counts summing to the dataset's "
            f"{n} examples, or fractions summing to 1"
        )
    rng = _rng(generator) if seed is None else np.random.default_rng(_entropy(seed))
    order = rng.permutation(n)
    bounds = np.cumsum([0] + [int(k) for k in lengths])
    return [Subset(dataset, order[a:b]) for a, b in zip(bounds[:-1], bounds[1:])]
