"""Package-level counting, set and search functions, as PyTorch's: `td.unique(x)`,
`td.bincount(x)`, `td.searchsorted(seq, v)`, `td.isin(a, b)`, `td.tril_indices(3, 3)`, ...

The first few convert their input and call the Tensor method of the same name (counting.py);
`searchsorted`, `bucketize`, `isin`, `tril_indices`, `triu_indices` and `unravel_index`, which
PyTorch has only as functions, are NumPy calls (np.searchsorted, np.isin, np.tril_indices,
np.unravel_index) whose results are int64 (or bool) constants. `combinations` is an index of
its input, so its gradient flows back (adding up where an element is used more than once).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..functions import _t
from ..tensor import Tensor, _is_int, _shape_args, constant
from .counting import Histogram
from .shape import _int

__all__ = [
    "unique", "unique_consecutive", "bincount", "histc", "histogram", "argwhere",
    "searchsorted", "bucketize", "isin", "tril_indices", "triu_indices", "combinations",
    "unravel_index",
]  # fmt: skip

# -- the Tensor methods as functions -------------------------------------------------------


def unique(input: Any, sorted: bool = True, return_inverse: bool = False,  # noqa: A002
           return_counts: bool = False, dim: int | None = None
           ) -> Tensor | tuple[Tensor, ...]:  # fmt: skip
    """The distinct elements (or slices along `dim`), sorted, with the inverse indices and
    the counts when asked for (`Tensor.unique`)."""
    return _t(input, "unique").unique(sorted, return_inverse, return_counts, dim)


def unique_consecutive(input: Any, return_inverse: bool = False, return_counts: bool = False,
                       dim: int | None = None) -> Tensor | tuple[Tensor, ...]:  # fmt: skip
    """Each run of equal consecutive elements (or slices) kept once
    (`Tensor.unique_consecutive`)."""
    return _t(input, "unique_consecutive").unique_consecutive(return_inverse, return_counts, dim)


def bincount(input: Any, weights: Any = None, minlength: int = 0) -> Tensor:
    """How many times each non-negative int occurs (or its summed weights), as
    `Tensor.bincount`."""
    return _t(input, "bincount").bincount(weights, minlength)


def histc(input: Any, bins: int = 100, min: float = 0, max: float = 0) -> Tensor:  # noqa: A002
    """Counts in equal bins over [min, max] (the data's range when min == max), as
    `Tensor.histc`."""
    return _t(input, "histc").histc(bins, min, max)


def histogram(input: Any, bins: Any = 100, *, range: Any = None,  # noqa: A002
              weight: Any = None, density: bool = False) -> Histogram:  # fmt: skip
    """(hist, bin_edges) of input's elements, as `Tensor.histogram`."""
    return _t(input, "histogram").histogram(bins, range=range, weight=weight, density=density)


def argwhere(input: Any) -> Tensor:
    """The int64 positions of the nonzero elements, one row each (`Tensor.argwhere`)."""
    return _t(input, "argwhere").argwhere()


# -- searching -----------------------------------------------------------------------------


def _array(x: Any, what: str, name: str) -> np.ndarray:
    """x (a Tensor, a number or array-like) as an ndarray of numbers or bools."""
    a = x.data if isinstance(x, Tensor) else np.asarray(x)
    if a.dtype.kind not in "biuf":
        raise TypeError(f"{what}: {name} must hold numbers, got {a.dtype}")
    return a


def _side(right: bool, side: str | None, what: str) -> str:
    """NumPy's side from PyTorch's `right` and `side` (which must not contradict)."""
    if side is None:
        return "right" if right else "left"
    if side not in ("left", "right"):
        raise ValueError(f"{what}: side must be 'left' or 'right', got {side!r}")
    if right and side == "left":
        raise ValueError(f"{what}: side and right can't be set to opposites (side='left', "
                         "right=True)")  # fmt: skip
    return side


def _positions(found: np.ndarray, out_int32: bool) -> Tensor:
    return constant(found.astype(np.int32 if out_int32 else np.int64))


def searchsorted(sorted_sequence: Any, values: Any, *, out_int32: bool = False,
                 right: bool = False, side: str | None = None, sorter: Any = None
                 ) -> Tensor:  # fmt: skip
    """For each of `values`, the index where it would go in the ascending `sorted_sequence` to
    keep it sorted: the first such (i with seq[i-1] < v <= seq[i]), or with right=True (or
    side="right") the last (seq[i-1] <= v < seq[i]). A 1-D sequence serves every value; an
    N-D one has one row per row of `values` (their leading dims equal). `sorter` holds the
    indices that sort an unsorted sequence (argsort). int64 (int32 with out_int32), in
    values' shape; a constant."""
    what = "searchsorted"
    seq = _array(sorted_sequence, what, "sorted_sequence")
    v = _array(values, what, "values")
    side = _side(right, side, what)
    if seq.ndim == 0:
        raise ValueError(f"{what}: sorted_sequence must have at least 1 dim, got a 0-d one")
    if sorter is not None:
        order = _array(sorter, what, "sorter")
        if order.dtype.kind not in "iu" or order.shape != seq.shape:
            raise ValueError(f"{what}: sorter must hold ints in the sequence's shape "
                             f"{seq.shape}, got {order.dtype} of shape {order.shape}")  # fmt: skip
        if order.size and (order.min() < 0 or order.max() >= seq.shape[-1]):
            raise IndexError(f"{what}: sorter holds an index out of range for the last dim "
                             f"of size {seq.shape[-1]}")  # fmt: skip
        seq = np.take_along_axis(seq, order, axis=-1)
    if seq.ndim == 1:
        return _positions(np.searchsorted(seq, v, side=side), out_int32)
    if v.ndim != seq.ndim or v.shape[:-1] != seq.shape[:-1]:
        raise ValueError(f"{what}: the sequence must be 1-D or have the leading dims of "
                         f"values, got shapes {seq.shape} and {v.shape}")  # fmt: skip
    rows, vals = seq.reshape(-1, seq.shape[-1]), v.reshape(-1, v.shape[-1])
    found = [np.searchsorted(s, x, side=side) for s, x in zip(rows, vals)]
    return _positions(np.asarray(found, dtype=np.int64).reshape(v.shape), out_int32)


def bucketize(input: Any, boundaries: Any, *, out_int32: bool = False,
              right: bool = False) -> Tensor:  # fmt: skip
    """The bucket of each element of input among the ascending 1-D `boundaries`: i with
    boundaries[i-1] < x <= boundaries[i], or with right=True boundaries[i-1] <= x <
    boundaries[i] (0 below the first, len(boundaries) above the last). `searchsorted`
    (boundaries, input) with the same `right`; int64 in input's shape, a constant."""
    b = _array(boundaries, "bucketize", "boundaries")
    if b.ndim != 1:
        raise ValueError(f"bucketize: boundaries must be 1-D, got shape {b.shape}")
    x = _array(input, "bucketize", "input")
    return searchsorted(b, x, out_int32=out_int32, right=right)


def isin(elements: Any, test_elements: Any, *, assume_unique: bool = False,
         invert: bool = False) -> Tensor:  # fmt: skip
    """True where an element of `elements` is among `test_elements` (False with
    invert=True), in elements' shape; either may be a number (np.isin). Bool, a constant."""
    a = _array(elements, "isin", "elements")
    b = _array(test_elements, "isin", "test_elements")
    return constant(np.isin(a, b, assume_unique=assume_unique, invert=invert))


# -- index sets ----------------------------------------------------------------------------


def _triangle_indices(row: int, col: int, offset: int, dtype: Any, what: str) -> Tensor:
    row, col = _int(row, what, "row"), _int(col, what, "col")
    offset = _int(offset, what, "offset")
    if row < 0 or col < 0:
        raise ValueError(f"{what}: row and col must be >= 0, got {row} and {col}")
    keep = np.tri(row, col, offset, dtype=bool)  # j <= i + offset
    if what == "triu_indices":
        keep = ~np.tri(row, col, offset - 1, dtype=bool)  # j >= i + offset
    dtype = np.dtype(np.int64 if dtype is None else dtype)
    if dtype.kind not in "iu":
        raise TypeError(f"{what}: dtype must be an integer type, got {dtype}")
    return constant(np.stack(np.nonzero(keep)).astype(dtype).reshape(2, -1))


def tril_indices(row: int, col: int, offset: int = 0, *, dtype: Any = None) -> Tensor:
    """The (2, N) positions [rows; cols] of the lower triangle of a row x col matrix (j <= i
    + offset), in row-major order: m[tuple(td.tril_indices(n, n))] picks what `tril` keeps.
    int64 by default, a constant."""
    return _triangle_indices(row, col, offset, dtype, "tril_indices")


def triu_indices(row: int, col: int, offset: int = 0, *, dtype: Any = None) -> Tensor:
    """The (2, N) positions [rows; cols] of the upper triangle of a row x col matrix (j >= i
    + offset), in row-major order. int64 by default, a constant."""
    return _triangle_indices(row, col, offset, dtype, "triu_indices")


def combinations(input: Any, r: int = 2, with_replacement: bool = False) -> Tensor:
    """The length-r combinations of a 1-D tensor's elements as the rows of a (N, r) tensor,
    in itertools.combinations' order (with_replacement: combinations_with_replacement); an
    empty (0, r) tensor when r exceeds the length, and an empty 1-D one for r = 0, as
    PyTorch. One advanced index of the input, so the gradient adds up each use."""
    x = _t(input, "combinations")
    r = _int(r, "combinations", "r")
    if x.ndim != 1:
        raise ValueError(f"combinations: expects a 1-D tensor, got shape {x.shape}")
    if r < 0:
        raise ValueError(f"combinations: r must be >= 0, got {r}")
    if r == 0:
        return x[np.zeros(0, dtype=np.intp)]
    pick = itertools.combinations_with_replacement if with_replacement else itertools.combinations
    index = np.array(list(pick(range(x.shape[0]), r)), dtype=np.intp).reshape(-1, r)
    return x[index]


def unravel_index(indices: Any, shape: int | Sequence[int]) -> tuple[Tensor, ...]:
    """The coordinates in an array of `shape` of positions `indices` into its flattened
    (row-major) form: one int64 tensor per dim, each in indices' shape (np.unravel_index).
    Indices must be in [-N, N) for N elements (negative ones count from the end, as
    PyTorch's)."""
    what = "unravel_index"
    idx = _array(indices, what, "indices")
    if idx.dtype.kind not in "iu":
        raise TypeError(f"{what}: expected 'indices' of an integer dtype, got {idx.dtype}")
    dims = (_int(shape, what, "shape"),) if _is_int(shape) else _shape_args((shape,), what)
    n = int(np.prod(dims))
    if idx.size and (idx.min() < -n or idx.max() >= n):
        bad = idx.min() if idx.min() < -n else idx.max()
        raise IndexError(f"{what}: index {bad} is out of range for shape {dims} ({n} "
                         f"elements); indices must be in [{-n}, {n})")  # fmt: skip
    if dims and not n:
        return tuple(constant(np.zeros(idx.shape, np.int64)) for _ in dims)
    coords = np.unravel_index(idx % n if n else idx, dims)
    return tuple(constant(np.asarray(c, dtype=np.int64)) for c in coords)
