"""Collating: examples into a batch of Tensors (`default_collate`), or one example's arrays into
Tensors (`default_convert`, for `DataLoader(batch_size=None)`), as PyTorch's functions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from ..tensor import Tensor
from .dataset import _array

__all__ = ["default_collate", "default_convert"]


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


def default_convert(data: Any) -> Any:
    """One example with its NumPy arrays and NumPy scalars turned into Tensors, recursively
    through dicts, tuples (a namedtuple keeps its type) and lists, as PyTorch's
    `default_convert`; Tensors, Python numbers, strings, string or object arrays and anything
    else pass through unchanged. `DataLoader(batch_size=None)` applies it to every example."""
    if isinstance(data, (np.ndarray, np.generic)) and not isinstance(data, (str, bytes)):
        return Tensor(np.array(data)) if data.dtype.kind in "biufc" else data
    if isinstance(data, Mapping):
        return {key: default_convert(value) for key, value in data.items()}
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(x) for x in data))
    if isinstance(data, (tuple, list)):
        return type(data)(default_convert(x) for x in data)
    return data
