"""PyTorch's scatter family: values written, added or reduced into a tensor at indexed places
(`scatter`, `scatter_add`, `scatter_reduce`, `index_add`, `index_copy`, `index_fill`,
`masked_scatter`, `put`), their in-place forms (`scatter_`, ...) and `masked_fill_`.

None is a new primitive. Each method turns its indices into *targets*, flat positions in self
(one per value written), checked as PyTorch checks them, and then does one of three things:

- a write: `where(written, placed, self)`, where `placed` holds the values put at their
  targets by `ScatterAdd` (the gradient of an advanced index, so a value's gradient is g
  gathered at its target, and self's is g with the written places zeroed). When a target
  repeats, the last write wins (PyTorch leaves the result undefined) and only that value
  gets a gradient (PyTorch sends g to every one of them);
- an add: `self + ScatterAdd(values)`, repeats adding up (sum and mean reductions too);
- prod, amax, amin: the values laid out in a table with a row per element of self (padded
  with the reduction's identity: 1, -inf, inf) and reduced along the rows by `prod`, `amax`
  or `amin`, so the gradients are theirs: exact at zeros for prod, shared equally among ties
  for amax and amin, as PyTorch's.

The in-place forms compute the out-of-place result and write it back through inplace.py's
machinery (`inplace_methods.written`): recorded for autograd on non-leaf tensors, version
counter moved, refused on a leaf that requires grad outside no_grad.

tensor.py imports this module before it defines `Tensor`, so the names needed from there are
imported inside the functions that use them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .inplace_methods import written
from .names import bool_mask
from .shape import _check_range, _dim, _index_array

if TYPE_CHECKING:
    from ..tensor import Tensor

__all__ = ["TorchIndexing"]

_REDUCES = ("sum", "prod", "mean", "amax", "amin")


# -- arguments -------------------------------------------------------------------------------


def _tensor(x: Any, what: str, name: str) -> Tensor:
    """`x` (a Tensor, array or nested list) as a Tensor; anything else a TypeError."""
    from ..tensor import Tensor

    if isinstance(x, Tensor):
        return x
    try:
        a = np.asarray(x)
        if a.dtype.kind not in "biuf":
            raise TypeError
        return Tensor(a)
    except (TypeError, ValueError):
        raise TypeError(f"{what}: {name} must be a tensor, got {type(x).__name__}") from None


def _same_dtype(self: Tensor, src: Tensor, what: str, name: str) -> None:
    if src.dtype != self.dtype:
        raise TypeError(
            f"{what}: self and {name} must have the same dtype, got {self.dtype} and {src.dtype}"
        )


def _value(self: Tensor, value: Any, what: str) -> Tensor:
    """A fill value (a number, or a 0-d tensor, differentiable) in self's dtype."""
    from ..tensor import Tensor, constant

    if isinstance(value, Tensor):
        if value.ndim:
            raise ValueError(f"{what}: value must be a number or a 0-d tensor, got shape "
                             f"{value.shape}")  # fmt: skip
        return value.astype(self.dtype)
    v = np.asarray(value)
    if v.ndim or v.dtype.kind not in "biuf":
        raise TypeError(f"{what}: value must be a number or a 0-d tensor, got {value!r}")
    return constant(v.astype(self.dtype))


def _alpha(self: Tensor, alpha: Any, what: str) -> Any:
    """index_add's alpha: a number; an integer one for an integer self."""
    from ..tensor import _is_int

    if isinstance(alpha, (bool, np.bool_)) or not isinstance(alpha, (int, float, np.number)):
        raise TypeError(f"{what}: alpha must be a number, got {alpha!r}")
    if self.dtype.kind != "f" and not _is_int(alpha):
        raise TypeError(f"{what}: alpha must be an int for a {self.dtype} tensor, got {alpha!r}")
    return alpha


# -- targets: the flat positions in self that the values go to -------------------------------


def _scatter_targets(self: Tensor, dim: int, index: Any, src: Tensor | None, what: str
                     ) -> tuple[np.ndarray, Tensor | None]:  # fmt: skip
    """(targets, src cut to index's shape) of scatter's out[index[i][j]][j] = src[i][j]
    (for dim 0): index has self's number of dims, is no larger than src along any dim nor
    than self along any but `dim`, with values in [0, self.shape[dim])."""
    from ..tensor import _check_0d_axis

    idx = _index_array(index, what)
    if idx.size == 0:  # nothing written, nothing checked (as PyTorch)
        return np.zeros(0, np.int64), None if src is None else src.reshape(-1)[:0]
    if self.ndim == 0:  # one value along dim 0 (or -1); index and src 0-d or 1-D
        _check_0d_axis(dim, what)
        if idx.ndim > 1 or (src is not None and src.ndim > 1):
            shapes = "" if src is None else f" and src shape {src.shape}"
            raise ValueError(f"{what}: the index of a 0-d tensor must be 0-d or 1-D, got index "
                             f"shape {idx.shape}{shapes}")  # fmt: skip
        idx, src = idx.reshape(-1), None if src is None else src.reshape(-1)
        shape, axis = (1,), 0
    else:
        shape, axis = self.shape, _dim(self, dim, what)
    if src is not None and src.ndim == 0 and idx.ndim == 1:  # as 1-D, as in PyTorch
        src = src.reshape(1)
    for name, ndim in (("self", len(shape)), ("src", None if src is None else src.ndim)):
        if ndim is not None and idx.ndim != ndim:
            other = self if name == "self" else src
            raise ValueError(f"{what}: the index must have as many dims as {name}, got index "
                             f"shape {idx.shape} and {name} shape {other.shape}")  # fmt: skip
    for d, m in enumerate(idx.shape):
        if d != axis and m > shape[d]:
            raise ValueError(
                f"{what}: index shape {idx.shape} is larger than self's shape {self.shape} at "
                f"dim {d} (only dim {axis}, the scattered one, may be larger)"
            )
        if src is not None and m > src.shape[d]:
            raise ValueError(f"{what}: index shape {idx.shape} is larger than src's shape "
                             f"{src.shape} at dim {d}")  # fmt: skip
    n = shape[axis]
    _check_range(idx, n, what, f"dim {axis} of size {n} (shape {self.shape})", negative=False)
    grid = _grid(idx.shape, axis, idx)
    if src is not None and src.shape != idx.shape:
        src = src[tuple(slice(0, m) for m in idx.shape)]
    return np.ravel_multi_index(grid, shape), src


def _grid(shape: tuple[int, ...], axis: int, idx: np.ndarray) -> list[np.ndarray]:
    """np.ogrid-style positions of every element of `shape`, with `idx` in place of the
    positions along `axis`."""
    grid = [np.arange(m).reshape([-1 if e == d else 1 for e in range(len(shape))])
            for d, m in enumerate(shape)]  # fmt: skip
    grid[axis] = idx.astype(np.intp, copy=False)
    return np.broadcast_arrays(*grid)


def _index_targets(self: Tensor, dim: int, index: Any, what: str, negative: bool = False,
                   source: Tensor | None = None) -> np.ndarray:  # fmt: skip
    """The targets of the slices of self at the 1-D (or 0-d) `index` along `dim`, in the
    shape of `source` (self's shape with index's length along dim), which is checked."""
    from ..tensor import _check_0d_axis

    idx = _index_array(index, what)
    if idx.ndim > 1:
        raise ValueError(f"{what}: the index must be 1-D (or 0-d), got shape {idx.shape}")
    idx = idx.reshape(-1)
    if self.ndim == 0:
        _check_0d_axis(dim, what)
        shape, axis = (1,), 0
    else:
        shape, axis = self.shape, _dim(self, dim, what)
    n = shape[axis]
    _check_range(idx, n, what, f"dim {axis} of size {n} (shape {self.shape})", negative)
    sliced = shape[:axis] + (idx.size,) + shape[axis + 1 :]
    fits = source is None or source.shape == sliced
    if not fits and self.ndim == 0:  # a 0-d self: a 0-d or 1-D source, one value per index
        fits = source.ndim <= 1 and source.numel() == idx.size
    if not fits:
        raise ValueError(
            f"{what}: source shape {source.shape} must be self's shape {self.shape} with "
            f"dim {axis} of the index's length {idx.size}, i.e. {sliced}"
        )
    along = (idx % n if n else idx).reshape([-1 if d == axis else 1 for d in range(len(shape))])
    return np.ravel_multi_index(_grid(sliced, axis, along), shape)


def _mask_targets(self: Tensor, mask: Any, what: str, inplace: bool) -> tuple[Tensor, np.ndarray]:
    """(self broadcast with the bool mask, the flat positions where the mask is True)."""
    from ..tensor import broadcasts_to

    m = bool_mask(mask, what)
    if inplace and not broadcasts_to(m.shape, self.shape):
        raise ValueError(f"{what}: a mask of shape {m.shape} does not broadcast to the "
                         f"tensor's shape {self.shape}")  # fmt: skip
    try:
        shape = np.broadcast_shapes(self.shape, m.shape)
    except ValueError:
        raise ValueError(f"{what}: a mask of shape {m.shape} and a tensor of shape "
                         f"{self.shape} do not broadcast together") from None  # fmt: skip
    x = self if shape == self.shape else self.expand(shape)
    return x, np.flatnonzero(np.broadcast_to(m, shape))


# -- writing, adding and reducing at targets -------------------------------------------------


def _placed(self: Tensor, targets: np.ndarray, values: Tensor) -> Tensor:
    """Zeros of self's shape with values (flat, as many as the targets) at the targets,
    through ScatterAdd, so a value's gradient is g at its target."""
    from ..ops.movement import ScatterAdd

    return ScatterAdd.apply(values, index=targets, shape=(self.numel(),)).reshape(self.shape)


def _write(self: Tensor, targets: np.ndarray, values: Tensor) -> Tensor:
    """self with self.flat[targets] = values (a 0-d tensor: the same value everywhere);
    at a repeated target the last write wins, and only it gets a gradient."""
    from ..functions import where

    t = targets.reshape(-1)
    written_at = np.zeros(self.numel(), dtype=bool)
    written_at[t] = True
    if values.ndim:
        values = values.reshape(-1)
        _, first_of_reversed = np.unique(t[::-1], return_index=True)
        if first_of_reversed.size < t.size:  # repeats: keep each target's last value
            last = t.size - 1 - first_of_reversed
            t, values = t[last], values[last]
        values = _placed(self, t, values)
    return where(written_at.reshape(self.shape), values, self)


def _add(self: Tensor, targets: np.ndarray, values: Tensor) -> Tensor:
    """self with values added at the targets (repeats add up)."""
    return self + _placed(self, targets.reshape(-1), values.reshape(-1))


def _reduce(self: Tensor, targets: np.ndarray, values: Tensor, reduce: str, include_self: bool
            ) -> Tensor:  # fmt: skip
    """scatter_reduce's combination of the values at each target, and self's own value
    (include_self), or self where no value goes."""
    from ..functions import cat, where
    from ..ops.movement import ScatterAdd
    from ..tensor import constant

    t, v, n = targets.reshape(-1), values.reshape(-1), self.numel()
    if not t.size:
        return _write(self, t, v)
    counts = np.bincount(t, minlength=n).reshape(self.shape)
    touched = counts > 0
    if reduce in ("sum", "mean"):
        total = _add(self if include_self else where(touched, 0, self), t, v)
        if reduce == "sum":
            return total
        count = np.maximum(counts + include_self, 1).astype(self.dtype)
        if self.dtype.kind == "f":
            return total / constant(count)
        return constant(np.floor_divide(total.data, count))  # PyTorch's integer mean
    # prod, amax, amin: a table of (element of self, k-th value there), padded with the
    # identity; a value's rank among those going to its target is its column. (Where the
    # values' max is -inf, or min inf, the padding ties with them and takes a share of g.)
    order = np.argsort(t, kind="stable")
    rank = np.empty_like(t)
    rank[order] = np.arange(t.size) - np.searchsorted(t[order], t[order])
    k = int(rank.max()) + 1
    filled = np.zeros((n, k), dtype=bool)
    filled[t, rank] = True
    table = ScatterAdd.apply(v, index=(t, rank), shape=(n, k))
    table = where(filled, table, constant(_identity(reduce, self.dtype)))
    if include_self:
        table = cat([self.reshape(n, 1), table], axis=1)
    if reduce == "prod":
        out = table.prod(1).astype(self.dtype)
    else:
        out = table.amax(1) if reduce == "amax" else table.amin(1)
    out = out.reshape(self.shape)
    return out if include_self else where(touched, out, self)


def _identity(reduce: str, dtype: np.dtype) -> np.ndarray:
    """The value that leaves the reduction unchanged, of `dtype`."""
    if reduce == "prod":
        return np.ones((), dtype)
    low = reduce == "amax"
    if dtype.kind == "f":
        return np.asarray(-np.inf if low else np.inf, dtype)
    if dtype.kind == "b":
        return np.asarray(not low)
    info = np.iinfo(dtype)
    return np.asarray(info.min if low else info.max, dtype)


# -- the methods -----------------------------------------------------------------------------


def _scatter(self: Tensor, dim: int, index: Any, src: Any, value: Any, what: str) -> Tensor:
    if (src is None) == (value is None):
        raise TypeError(f"{what}: give src (a tensor) or value (a number), not both or neither")
    if value is not None or isinstance(src, (int, float, bool, np.number, np.bool_)):
        targets, _ = _scatter_targets(self, dim, index, None, what)
        return _write(self, targets, _value(self, src if value is None else value, what))
    src = _tensor(src, what, "src")
    _same_dtype(self, src, what, "src")
    targets, src = _scatter_targets(self, dim, index, src, what)
    return _write(self, targets, src)


def _scatter_reduce(self: Tensor, dim: int, index: Any, src: Any, reduce: str,
                    include_self: bool, what: str) -> Tensor:  # fmt: skip
    if reduce not in _REDUCES:
        raise ValueError(f"{what}: reduce must be one of {', '.join(_REDUCES)}, got {reduce!r}")
    src = _tensor(src, what, "src")
    _same_dtype(self, src, what, "src")
    targets, src = _scatter_targets(self, dim, index, src, what)
    return _reduce(self, targets, src, reduce, bool(include_self))


def _index_add(self: Tensor, dim: int, index: Any, source: Any, alpha: Any, what: str) -> Tensor:
    source = _tensor(source, what, "source")
    _same_dtype(self, source, what, "source")
    alpha = _alpha(self, alpha, what)
    targets = _index_targets(self, dim, index, what, source=source)
    return _add(self, targets, source if alpha == 1 else source * alpha)


def _index_copy(self: Tensor, dim: int, index: Any, source: Any, what: str) -> Tensor:
    source = _tensor(source, what, "source")
    _same_dtype(self, source, what, "source")
    return _write(self, _index_targets(self, dim, index, what, source=source), source)


def _index_fill(self: Tensor, dim: int, index: Any, value: Any, what: str) -> Tensor:
    targets = _index_targets(self, dim, index, what, negative=True)
    return _write(self, targets, _value(self, value, what))


def _masked_scatter(self: Tensor, mask: Any, source: Any, what: str, inplace: bool) -> Tensor:
    source = _tensor(source, what, "source")
    _same_dtype(self, source, what, "source")
    x, targets = _mask_targets(self, mask, what, inplace)
    if source.numel() < targets.size:
        raise ValueError(f"{what}: the mask has {targets.size} True elements but source (shape "
                         f"{source.shape}) only {source.numel()} elements")  # fmt: skip
    return _write(x, targets, source.reshape(-1)[: targets.size])


def _put(self: Tensor, index: Any, source: Any, accumulate: bool, what: str) -> Tensor:
    source = _tensor(source, what, "source")
    _same_dtype(self, source, what, "source")
    idx = _index_array(index, what)
    n = self.numel()
    if source.numel() != idx.size:
        raise ValueError(
            f"{what}: source and index must have the same number of elements, got source "
            f"shape {source.shape} and index shape {idx.shape}"
        )
    _check_range(idx, n, what, f"a tensor of {n} elements (shape {self.shape})", negative=True)
    targets = idx.reshape(-1) % n if n else idx.reshape(-1)
    values = source.reshape(-1)
    return _add(self, targets, values) if accumulate else _write(self, targets, values)


class TorchIndexing:
    """Mixin of `Tensor`: the scatter family, out of place and in place."""

    __slots__ = ()  # Tensor keeps __slots__: no instance __dict__ comes from here

    # -- out of place ----------------------------------------------------------------------

    def scatter(self, dim: int, index: Any, src: Any = None, *, value: Any = None) -> Tensor:
        """A copy of self with values from `src` written at `index` along `dim`: for 2-D and
        dim = 0, out[index[i][j]][j] = src[i][j] (dim 1: out[i][index[i][j]] = src[i][j]), the
        inverse of `gather`. `src` may be a number (or `value=`): written everywhere index
        points. index has self's number of dims, no larger than src along any dim nor than
        self along any but dim, values in [0, self.shape[dim]); src has self's dtype.
        Gradients: g with the written places zeroed to self, g gathered at index to src.
        Where index repeats a place the last write (in row-major order) wins and alone gets a
        gradient (PyTorch's result is undefined there)."""
        return _scatter(self, dim, index, src, value, "scatter")

    def scatter_add(self, dim: int, index: Any, src: Any) -> Tensor:
        """A copy of self with src added at index along `dim` (for dim 0, out[index[i][j]][j]
        += src[i][j]); repeats add up. Index as in `scatter`. Gradients: g to self, g gathered
        at index to src."""
        return _scatter_reduce(self, dim, index, src, "sum", True, "scatter_add")

    def scatter_reduce(self, dim: int, index: Any, src: Any, reduce: str, *,
                       include_self: bool = True) -> Tensor:  # fmt: skip
        """A copy of self where each place that index points to (along `dim`, as `scatter`)
        holds the reduction of the src values sent there, with its own value among them when
        include_self: reduce is "sum", "prod", "mean", "amax" or "amin" (the mean of an
        integer tensor rounds down). Places no value goes to keep self's value. Gradients as
        PyTorch's: through sum, a mean's division by the count, prod (exact at zeros) and
        amax/amin (shared equally among ties)."""
        return _scatter_reduce(self, dim, index, src, reduce, include_self, "scatter_reduce")

    def index_add(self, dim: int, index: Any, source: Any, *, alpha: Any = 1) -> Tensor:
        """A copy of self with alpha * source added to the slices at the 1-D `index` along
        `dim`: out[..., index[i], ...] += alpha * source[..., i, ...]; repeats add up. source
        is self's shape with len(index) along dim, and self's dtype; indices in [0, n)."""
        return _index_add(self, dim, index, source, alpha, "index_add")

    def index_copy(self, dim: int, index: Any, source: Any) -> Tensor:
        """A copy of self with its slices at the 1-D `index` along `dim` replaced by source's:
        out[..., index[i], ...] = source[..., i, ...] (source as in `index_add`). At a repeated
        index the last slice wins and alone gets a gradient."""
        return _index_copy(self, dim, index, source, "index_copy")

    def index_fill(self, dim: int, index: Any, value: Any) -> Tensor:
        """A copy of self with `value` (a number, or a 0-d tensor, which gets the sum of g over
        the filled places) in the slices at the 1-D `index` along `dim` (< 0 counts from the
        end, as in PyTorch)."""
        return _index_fill(self, dim, index, value, "index_fill")

    def masked_scatter(self, mask: Any, source: Any) -> Tensor:
        """A copy of self (broadcast with the bool mask) with the first mask.sum() elements of
        source, in row-major order, at the places where the mask is True. Gradients: g where
        the mask is False to self; g at the masked places to those source elements, 0 to the
        rest."""
        return _masked_scatter(self, mask, source, "masked_scatter", False)

    def put(self, index: Any, source: Any, accumulate: bool = False) -> Tensor:
        """A copy of self with source's elements written at the positions `index` of the
        flattened self (index and source of any shapes with as many elements; index < 0
        counts from the end), or added there with accumulate=True (repeats add up). Without
        accumulate, at a repeated position the last write wins."""
        return _put(self, index, source, accumulate, "put")

    # -- in place --------------------------------------------------------------------------

    def scatter_(self, dim: int, index: Any, src: Any = None, *, value: Any = None) -> Tensor:
        """`scatter`, in place (recorded when autograd needs it)."""
        what = "scatter_"
        return written(self, what, lambda a: _scatter(a, dim, index, src, value, what), src)

    def scatter_add_(self, dim: int, index: Any, src: Any) -> Tensor:
        """`scatter_add`, in place (recorded when autograd needs it)."""
        what = "scatter_add_"
        return written(
            self, what, lambda a: _scatter_reduce(a, dim, index, src, "sum", True, what), src
        )

    def scatter_reduce_(self, dim: int, index: Any, src: Any, reduce: str, *,
                        include_self: bool = True) -> Tensor:  # fmt: skip
        """`scatter_reduce`, in place (recorded when autograd needs it)."""
        what = "scatter_reduce_"
        return written(self, what, lambda a: _scatter_reduce(
            a, dim, index, src, reduce, include_self, what), src)  # fmt: skip

    def index_add_(self, dim: int, index: Any, source: Any, *, alpha: Any = 1) -> Tensor:
        """`index_add`, in place (recorded when autograd needs it)."""
        what = "index_add_"
        return written(self, what, lambda a: _index_add(a, dim, index, source, alpha, what), source)

    def index_copy_(self, dim: int, index: Any, source: Any) -> Tensor:
        """`index_copy`, in place (recorded when autograd needs it)."""
        what = "index_copy_"
        return written(self, what, lambda a: _index_copy(a, dim, index, source, what), source)

    def index_fill_(self, dim: int, index: Any, value: Any) -> Tensor:
        """`index_fill`, in place (recorded when autograd needs it)."""
        what = "index_fill_"
        return written(self, what, lambda a: _index_fill(a, dim, index, value, what), value)

    def masked_fill_(self, mask: Any, value: Any) -> Tensor:
        """`masked_fill`, in place: `value` where the bool mask (broadcast to self's shape) is
        True (recorded when autograd needs it)."""
        return written(self, "masked_fill_", lambda a: a.masked_fill(mask, value), value)

    def masked_scatter_(self, mask: Any, source: Any) -> Tensor:
        """`masked_scatter`, in place; the mask must broadcast to self's shape."""
        what = "masked_scatter_"
        return written(self, what, lambda a: _masked_scatter(a, mask, source, what, True), source)

    def put_(self, index: Any, source: Any, accumulate: bool = False) -> Tensor:
        """`put`, in place (recorded when autograd needs it)."""
        what = "put_"
        return written(self, what, lambda a: _put(a, index, source, accumulate, what), source)
