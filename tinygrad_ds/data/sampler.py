"""Samplers: which keys (indices) of a dataset a `DataLoader` visits, in what order, and how they
are grouped into batches, as torch.utils.data's samplers.

A random sampler draws from its `generator` (a `td.Generator`, as PyTorch's `torch.Generator`,
or a `np.random.Generator`, e.g. `np.random.default_rng(0)`) or, when that is None, from the
package generator, so `td.manual_seed` reproduces it.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Sized
from typing import Any, Generic, TypeVar

import numpy as np

from ..rng import Generator
from ..tensor import _is_int
from .dataset import _array, _check_generator, _rng

__all__ = [
    "Sampler", "SequentialSampler", "RandomSampler", "SubsetRandomSampler",
    "WeightedRandomSampler", "BatchSampler",
]  # fmt: skip

T_co = TypeVar("T_co", covariant=True)


class Sampler(Generic[T_co]):
    """An iterable of dataset keys: subclass it with `__iter__` (and `__len__`, which
    `len(loader)` asks for). `Sampler[int]` yields indices; `Sampler[list[int]]` batches."""

    def __iter__(self) -> Iterator[T_co]:
        raise NotImplementedError(f"{type(self).__name__}: __iter__ is not implemented")


def _check_int(value: Any, name: str, what: str, low: int = 1) -> None:
    """Raise unless `value` is an int (not a bool) >= `low`."""
    if not _is_int(value):
        raise TypeError(f"{what}: {name} must be an int, got {value!r:.60}")
    if value < low:
        raise ValueError(f"{what}: {name} must be >= {low}, got {value}")


def _check_bool(value: Any, name: str, what: str) -> None:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{what}: {name} must be a bool, got {value!r:.60}")


def _check_sized(data_source: Any, what: str) -> None:
    if not hasattr(data_source, "__len__"):
        raise TypeError(
            f"{what}: data_source must have __len__ (a dataset), got {type(data_source).__name__}"
        )


class SequentialSampler(Sampler[int]):
    """0, 1, ..., len(data_source) - 1, every pass."""

    def __init__(self, data_source: Sized) -> None:
        _check_sized(data_source, "SequentialSampler")
        self.data_source = data_source

    def __iter__(self) -> Iterator[int]:
        return iter(range(len(self.data_source)))

    def __len__(self) -> int:
        return len(self.data_source)


class RandomSampler(Sampler[int]):
    """A new random order of the indices of `data_source` each pass: a permutation (repeated,
    a fresh one each time, and cut to `num_samples` if that exceeds the length), or with
    `replacement=True` `num_samples` independent uniform draws. `num_samples` defaults to the
    length, read at each pass."""

    def __init__(
        self,
        data_source: Sized,
        replacement: bool = False,
        num_samples: int | None = None,
        generator: Generator | np.random.Generator | None = None,
    ) -> None:
        _check_sized(data_source, "RandomSampler")
        _check_bool(replacement, "replacement", "RandomSampler")
        if num_samples is not None:
            _check_int(num_samples, "num_samples", "RandomSampler")
        _check_generator(generator, "RandomSampler")
        self.data_source = data_source
        self.replacement = bool(replacement)
        self._num_samples = None if num_samples is None else int(num_samples)
        self.generator = generator

    @property
    def num_samples(self) -> int:
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def __iter__(self) -> Iterator[int]:
        n, k = len(self.data_source), self.num_samples
        if k == 0:
            return
        if n == 0:
            raise ValueError(f"RandomSampler: cannot draw {k} samples from an empty data source")
        rng = _rng(self.generator)
        if self.replacement:
            yield from rng.integers(0, n, k).tolist()
            return
        for _ in range(k // n):
            yield from rng.permutation(n).tolist()
        if k % n:
            yield from rng.permutation(n)[: k % n].tolist()

    def __len__(self) -> int:
        return self.num_samples


class SubsetRandomSampler(Sampler[int]):
    """The given `indices` in a new random order each pass (without replacement)."""

    def __init__(
        self, indices: Any, generator: Generator | np.random.Generator | None = None
    ) -> None:
        array = _array(indices) if hasattr(indices, "__len__") else np.asarray(None)
        if array.ndim != 1 or (array.size and array.dtype.kind not in "iu"):
            raise TypeError(
                f"SubsetRandomSampler: indices must be a sequence of ints, got {indices!r:.60}"
            )
        _check_generator(generator, "SubsetRandomSampler")
        self.indices = indices
        self.generator = generator

    def __iter__(self) -> Iterator[int]:
        for i in _rng(self.generator).permutation(len(self.indices)).tolist():
            yield int(self.indices[i])

    def __len__(self) -> int:
        return len(self.indices)


class WeightedRandomSampler(Sampler[int]):
    """`num_samples` indices in range(len(weights)), index i drawn with probability
    weights[i] / sum(weights) (the weights need not sum to 1). With `replacement=False` each
    index is drawn at most once, each draw proportional to the weights of those left.

    To balance classes, weight each example by 1 / (the count of its class)."""

    def __init__(
        self,
        weights: Any,
        num_samples: int,
        replacement: bool = True,
        generator: Generator | np.random.Generator | None = None,
    ) -> None:
        what = "WeightedRandomSampler"
        _check_int(num_samples, "num_samples", what)
        _check_bool(replacement, "replacement", what)
        _check_generator(generator, what)
        try:
            w = _array(weights).astype(np.float64)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"{what}: weights must be a sequence of numbers, got "
                            f"{weights!r:.60}") from exc  # fmt: skip
        if w.ndim != 1:
            raise ValueError(f"{what}: weights should be a 1-D sequence, got shape {w.shape}")
        if not np.all(np.isfinite(w)) or np.any(w < 0):
            raise ValueError(f"{what}: weights must be finite and >= 0, got {w.tolist()!r:.80}")
        positive = int(np.count_nonzero(w))
        if positive == 0:
            raise ValueError(f"{what}: the weights sum to 0 (no index can be drawn)")
        if not replacement and num_samples > positive:
            raise ValueError(
                f"{what}: cannot draw {num_samples} samples without replacement from "
                f"{positive} indices of positive weight"
            )
        self.weights = w
        self.num_samples = int(num_samples)
        self.replacement = bool(replacement)
        self.generator = generator

    def __iter__(self) -> Iterator[int]:
        p = self.weights / self.weights.sum()
        draws = _rng(self.generator).choice(len(p), self.num_samples, self.replacement, p)
        yield from draws.tolist()

    def __len__(self) -> int:
        return self.num_samples


class BatchSampler(Sampler[list[int]]):
    """Lists of `batch_size` consecutive keys of `sampler` (any iterable of keys); the last
    list is shorter unless `drop_last`, which drops it. Its length is
    ceil(len(sampler) / batch_size), or floor with `drop_last`."""

    def __init__(self, sampler: Iterable[Any], batch_size: int, drop_last: bool) -> None:
        if not hasattr(sampler, "__iter__"):
            raise TypeError(
                f"BatchSampler: sampler must be an iterable of keys, got {type(sampler).__name__}"
            )
        _check_int(batch_size, "batch_size", "BatchSampler")
        _check_bool(drop_last, "drop_last", "BatchSampler")
        self.sampler = sampler
        self.batch_size = int(batch_size)
        self.drop_last = bool(drop_last)

    def __iter__(self) -> Iterator[list[Any]]:
        keys = iter(self.sampler)
        while batch := list(itertools.islice(keys, self.batch_size)):
            if len(batch) < self.batch_size and self.drop_last:
                return
            yield batch

    def __len__(self) -> int:
        n = len(self.sampler)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)
