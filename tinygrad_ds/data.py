"""Feeding data to a model: `Dataset`, `TensorDataset`, `DataLoader`, `random_split`.

A `DataLoader` over N examples with batch size N, 1 or B turns one optimiser into the course's
batch, stochastic or mini-batch gradient descent.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from .rng import generator
from .tensor import Tensor

__all__ = ["Dataset", "TensorDataset", "Subset", "DataLoader", "random_split", "default_collate"]


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


def _fetch(dataset: Any, indices: np.ndarray) -> Any:
    if isinstance(dataset, Dataset):
        return dataset.__getitems__(indices)
    return [dataset[int(i)] for i in indices]


def default_collate(batch: Any) -> Any:
    """A batch of examples as Tensors, field by field, as PyTorch's `default_collate`.

    Arrays already batched by `__getitems__` (a tuple, from `TensorDataset`) are wrapped one
    Tensor each. Otherwise the examples are combined recursively: numbers, NumPy arrays and
    Tensors stack into one Tensor (a new first axis), dicts per key into a dict, tuples and
    lists position by position into a tuple (a namedtuple keeps its type), and strings pass
    through as a list. An example that is not a tuple, list or dict is one field, so the batch
    is still a tuple: `(Tensor,)`. Anything else (None, other objects, object or string
    arrays) raises TypeError.
    """
    if isinstance(batch, tuple):
        return tuple(Tensor(np.ascontiguousarray(_numeric(a))) for a in batch)
    if not isinstance(batch, (list, np.ndarray)):
        raise TypeError(
            f"default_collate: a batch is a list of examples, got {type(batch).__name__}"
        )
    batch = list(batch)
    if not batch:
        raise ValueError("default_collate: the batch is empty")
    out = _collate(batch)
    return out if isinstance(out, (tuple, dict)) else (out,)


def _collate(batch: list[Any]) -> Any:
    """Combine one field of every example (see `default_collate`)."""
    first = batch[0]
    if isinstance(first, (str, bytes)):
        _same_kind(batch, (str, bytes), "strings")
        return list(batch)
    if isinstance(first, Mapping):
        _same_kind(batch, Mapping, "dicts")
        keys = list(first)
        for i, example in enumerate(batch):
            if set(example) != set(keys):
                raise ValueError(
                    f"default_collate: example {i} has keys {list(example)}, example 0 has {keys}"
                )
        return {key: _collate([example[key] for example in batch]) for key in keys}
    if isinstance(first, (tuple, list)):
        _same_kind(batch, (tuple, list), "tuples or lists")
        lengths = [len(example) for example in batch]
        if len(set(lengths)) != 1:
            raise ValueError(f"default_collate: examples have different lengths {lengths}")
        fields = [_collate(list(field)) for field in zip(*batch)]
        return type(first)(*fields) if hasattr(first, "_fields") else tuple(fields)
    if isinstance(first, (Tensor, np.ndarray, np.generic, int, float)):
        _same_kind(batch, (Tensor, np.ndarray, np.generic, int, float), "numbers or arrays")
        arrays = [_numeric(x) for x in batch]
        shapes = [a.shape for a in arrays]
        if len(set(shapes)) != 1:
            raise ValueError(f"default_collate: cannot stack arrays of shapes {shapes}")
        return Tensor(np.stack(arrays))
    raise TypeError(
        "default_collate: a batch must contain Tensors, NumPy arrays, numbers, strings, dicts, "
        f"tuples or lists; found {type(first).__name__}"
    )


def _same_kind(batch: list[Any], kinds: Any, what: str) -> None:
    """Raise TypeError unless every example's field is one of `kinds` (like example 0's)."""
    for i, example in enumerate(batch):
        if not isinstance(example, kinds):
            raise TypeError(
                f"default_collate: example 0 has {what} but example {i} has "
                f"{type(example).__name__}"
            )


def _numeric(x: Any) -> np.ndarray:
    """`x` as an ndarray of numbers or bools; object and string arrays raise TypeError."""
    array = _array(x)
    if array.dtype.kind not in "biufc":
        raise TypeError(
            f"default_collate: cannot stack an array of dtype {array.dtype} into a Tensor "
            "(only numbers and bools)"
        )
    return array


def _check_seed(seed: Any, what: str) -> None:
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer))):
        raise TypeError(f"{what}: seed must be an int or None, got {seed!r}")


def _entropy(seed: int) -> int:
    """A seed as NumPy takes it: any int modulo 2**64 (-1 -> 2**64 - 1), as `manual_seed`
    and `torch.manual_seed` read it, so every int seeds deterministically."""
    return int(seed) % 2**64


def _check_dataset(dataset: Any, what: str) -> None:
    """A dataset must be sized and indexable (`__len__` and `__getitem__`)."""
    if not (hasattr(dataset, "__len__") and hasattr(dataset, "__getitem__")) or isinstance(
        dataset, (str, bytes, Mapping)
    ):
        raise TypeError(
            f"{what}: the dataset must have __len__ and __getitem__ (a Dataset, a TensorDataset "
            f"or a list of examples), got {type(dataset).__name__}"
        )


class DataLoader:
    """Iterate over `dataset` in batches, each made by `collate_fn` (by default
    `default_collate`: a tuple of Tensors, string fields as lists; a dict for dict examples).

    With `shuffle=True` every epoch (every `iter()`) has a new order: epoch e's order depends
    only on (`seed`, e), so runs are reproducible; with `seed=None` it comes from the package
    generator (`td.manual_seed`); a negative seed is taken modulo 2**64, as `manual_seed`
    takes it. `loader.epoch` counts the epochs started (set it to resume a
    seeded run mid-way). `len(loader)` is the number of batches; `drop_last` skips a last batch
    smaller than `batch_size`.
    """

    def __init__(
        self,
        dataset: Any,
        batch_size: int = 1,
        shuffle: bool = False,
        drop_last: bool = False,
        seed: int | None = None,
        collate_fn: Callable[[Any], Any] | None = None,
    ) -> None:
        if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)):
            raise TypeError(f"DataLoader: batch_size must be an int, got {batch_size!r}")
        if batch_size < 1:
            raise ValueError(f"DataLoader: batch_size must be >= 1, got {batch_size}")
        _check_seed(seed, "DataLoader")
        _check_dataset(dataset, "DataLoader")
        if collate_fn is not None and not callable(collate_fn):
            raise TypeError(f"DataLoader: collate_fn must be callable, got {collate_fn!r:.60}")
        self.dataset = dataset
        self.batch_size = int(batch_size)
        self.shuffle = shuffle
        self.drop_last = drop_last
        self.seed = seed
        self.collate_fn = default_collate if collate_fn is None else collate_fn
        self.epoch = 0

    def __len__(self) -> int:
        n = len(self.dataset)
        return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)

    def _order(self) -> np.ndarray:
        n = len(self.dataset)
        if not self.shuffle:
            return np.arange(n)
        if self.seed is None:
            return generator().permutation(n)
        return np.random.default_rng([_entropy(self.seed), self.epoch]).permutation(n)

    def __iter__(self) -> Iterator[Any]:
        order = self._order()
        self.epoch += 1
        stop = len(self) * self.batch_size
        for start in range(0, min(stop, len(order)), self.batch_size):
            yield self.collate_fn(_fetch(self.dataset, order[start : start + self.batch_size]))


def random_split(dataset: Any, lengths: Sequence[float], seed: int | None = None) -> list[Subset]:
    """Split into non-overlapping random subsets of the given lengths (which sum to len), or
    fractions (which sum to 1; the remainder is dealt out one by one, as PyTorch does)."""
    _check_seed(seed, "random_split")
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
    if any(int(k) != k or k < 0 for k in lengths) or sum(lengths) != n:
        raise ValueError(
            f"random_split: lengths {lengths} must be counts summing to the dataset's "
            f"{n} examples, or fractions summing to 1"
        )
    rng = generator() if seed is None else np.random.default_rng(_entropy(seed))
    order = rng.permutation(n)
    bounds = np.cumsum([0] + [int(k) for k in lengths])
    return [Subset(dataset, order[a:b]) for a, b in zip(bounds[:-1], bounds[1:])]
