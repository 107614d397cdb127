"""Package-level scatter functions, as in PyTorch: `td.scatter(x, 0, index, src)`,
`td.scatter_add`, `td.scatter_reduce`, `td.index_add`, `td.index_copy`, `td.index_fill`.

Each converts its input (a Tensor, an array or a nested list) and calls the Tensor method of
the same name (indexing.py), out of place.
"""

from __future__ import annotations

from typing import Any

from ..functions import _t
from ..tensor import Tensor

__all__ = ["scatter", "scatter_add", "scatter_reduce", "index_add", "index_copy", "index_fill"]


def scatter(input: Any, dim: int, index: Any, src: Any = None, *, value: Any = None) -> Tensor:
    """input with src (or the number `value`) written at index along dim (`Tensor.scatter`)."""
    return _t(input, "scatter").scatter(dim, index, src, value=value)


def scatter_add(input: Any, dim: int, index: Any, src: Any) -> Tensor:
    """input with src added at index along dim, repeats adding up (`Tensor.scatter_add`)."""
    return _t(input, "scatter_add").scatter_add(dim, index, src)


def scatter_reduce(input: Any, dim: int, index: Any, src: Any, reduce: str, *,
                   include_self: bool = True) -> Tensor:  # fmt: skip
    """input with the src values at each place of index along dim reduced by "sum", "prod",
    "mean", "amax" or "amin" (`Tensor.scatter_reduce`)."""
    return _t(input, "scatter_reduce").scatter_reduce(dim, index, src, reduce,
                                                      include_self=include_self)  # fmt: skip


def index_add(input: Any, dim: int, index: Any, source: Any, *, alpha: Any = 1) -> Tensor:
    """input with alpha * source added to its slices at the 1-D index along dim
    (`Tensor.index_add`)."""
    return _t(input, "index_add").index_add(dim, index, source, alpha=alpha)


def index_copy(input: Any, dim: int, index: Any, source: Any) -> Tensor:
    """input with its slices at the 1-D index along dim replaced by source's
    (`Tensor.index_copy`)."""
    return _t(input, "index_copy").index_copy(dim, index, source)


def index_fill(input: Any, dim: int, index: Any, value: Any) -> Tensor:
    """input with value in its slices at the 1-D index along dim (`Tensor.index_fill`)."""
    return _t(input, "index_fill").index_fill(dim, index, value)
