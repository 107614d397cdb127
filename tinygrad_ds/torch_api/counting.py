"""PyTorch's Tensor methods that count, find sets and bin: `unique`, `unique_consecutive`,
`bincount`, `histc`, `histogram`, `argwhere`.

Their results are constants (no gradient, as in PyTorch, whose `unique` and `histc` have no
derivative): the values a tensor holds, how often, and where. Positions and counts are int64;
a histogram has its input's floating dtype. Each is a NumPy call (np.unique, np.bincount,
np.histogram) wrapped with PyTorch's argument names, defaults and checks; the package-level
functions, and those PyTorch has only as functions (`searchsorted`, `bucketize`, `isin`,
`tril_indices`, `combinations`, ...), are in counting_functions.py.

tensor.py imports this module before it defines `Tensor`, so the names needed from there are
imported inside the functions that use them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from .shape import _dim, _int

if TYPE_CHECKING:
    from ..tensor import Tensor

__all__ = ["TorchCounting", "Histogram"]


class Histogram(NamedTuple):
    """What `histogram` returns, as PyTorch's `torch.return_types.histogram`: the counts (or
    weights, or densities) per bin and the bins' edges (one more than the bins)."""

    hist: Tensor
    bin_edges: Tensor


def _const(array: Any, dtype: Any = None) -> Tensor:
    """A NumPy result as a constant Tensor (int64 unless `dtype` says otherwise)."""
    from ..tensor import constant

    return constant(np.asarray(array, dtype=np.int64 if dtype is None else dtype))


def _results(values: Tensor, inverse: Any, counts: Any, return_inverse: bool,
             return_counts: bool) -> Tensor | tuple[Tensor, ...]:  # fmt: skip
    """`values`, with the inverse indices and the counts when asked for, as PyTorch's."""
    out = (values,)
    if return_inverse:
        out += (_const(inverse),)
    if return_counts:
        out += (_const(counts),)
    return out[0] if len(out) == 1 else out


def _check_floating(x: Tensor, what: str) -> None:
    if x.dtype.kind != "f":
        raise TypeError(f"{what}: expects a floating-point tensor, got {x.dtype} (convert it "
                        "with .float() first)")  # fmt: skip


def _rows(x: Tensor, axis: int) -> np.ndarray:
    """x's slices along `axis` as the rows of a 2-D array (to compare whole slices)."""
    return np.moveaxis(x.data, axis, 0).reshape(x.shape[axis], -1)


class TorchCounting:
    """Mixin of `Tensor`: unique values, counts, histograms and the positions of nonzeros."""

    __slots__ = ()  # Tensor keeps __slots__: no instance __dict__ comes from here

    def unique(self, sorted: bool = True, return_inverse: bool = False,  # noqa: A002
               return_counts: bool = False, dim: int | None = None
               ) -> Tensor | tuple[Tensor, ...]:  # fmt: skip
        """The distinct elements in ascending order (a 1-D constant; a 0-d tensor counts as
        1-D), with `return_inverse` the int64 position in it of each element (input's
        shape: values[inverse] == self) and with `return_counts` how often each occurs. With
        `dim`, the distinct slices along dim (compared whole, sorted lexicographically), the
        inverse then of length self.shape[dim]. Each NaN counts as distinct, as in PyTorch.
        `sorted=False` also sorts (PyTorch's order is then unspecified)."""
        if dim is None:
            flat = self.data.reshape(-1)
            values, inverse, counts = np.unique(
                flat, return_inverse=True, return_counts=True, equal_nan=False
            )
            return _results(_const(values, self.dtype), inverse.reshape(self.shape), counts,
                            return_inverse, return_counts)  # fmt: skip
        if self.ndim == 0:
            raise IndexError(f"unique: dim {dim} given for a 0-d tensor, which has no dims")
        axis = _dim(self, dim, "unique")
        if self.shape[axis] == 0:  # nothing to compare: no slices, empty positions
            return _results(_const(self.data.copy(), self.dtype), np.zeros(0), np.zeros(0),
                            return_inverse, return_counts)  # fmt: skip
        values, inverse, counts = np.unique(
            self.data, return_inverse=True, return_counts=True, axis=axis
        )
        return _results(_const(values, self.dtype), inverse.reshape(-1), counts,
                        return_inverse, return_counts)  # fmt: skip

    def unique_consecutive(self, return_inverse: bool = False, return_counts: bool = False,
                           dim: int | None = None) -> Tensor | tuple[Tensor, ...]:  # fmt: skip
        """Each run of equal consecutive elements kept once (itertools.groupby; the flattened
        tensor without `dim`, else whole slices along dim), with the int64 run each element
        belongs to (`return_inverse`) and the runs' lengths (`return_counts`), as PyTorch's.
        Constants."""
        if dim is None:
            flat = self.data.reshape(-1)
            starts = np.ones(flat.shape, dtype=bool)
            starts[1:] = flat[1:] != flat[:-1]
            values, shape = _const(flat[starts], self.dtype), self.shape
        else:
            if self.ndim == 0:
                raise IndexError(f"unique_consecutive: dim {dim} given for a 0-d tensor")
            axis = _dim(self, dim, "unique_consecutive")
            rows = _rows(self, axis)
            starts = np.ones(rows.shape[0], dtype=bool)
            starts[1:] = np.any(rows[1:] != rows[:-1], axis=1)
            values = _const(np.compress(starts, self.data, axis=axis), self.dtype)
            shape = (self.shape[axis],)
        inverse = (np.cumsum(starts) - 1).reshape(shape)
        counts = np.diff(np.append(np.flatnonzero(starts), starts.size))
        return _results(values, inverse, counts, return_inverse, return_counts)

    def bincount(self, weights: Any = None, minlength: int = 0) -> Tensor:
        """out[v] = how many times v occurs in self (a 1-D tensor of non-negative ints), or
        the sum of `weights` (1-D, self's length) where it occurs; of length
        max(max(self) + 1, minlength). int64 without weights; with them, the weights' dtype
        when floating, else float64, as PyTorch. A constant (no gradient)."""
        from ..tensor import Tensor

        minlength = _int(minlength, "bincount", "minlength")
        if self.ndim != 1 or self.dtype.kind not in "iu":
            raise ValueError(f"bincount: expects a 1-D tensor of non-negative ints, got shape "
                             f"{self.shape} and dtype {self.dtype}")  # fmt: skip
        if self.numel() and self.data.min() < 0:
            raise ValueError(f"bincount: expects non-negative ints, got {self.data.min()}")
        if minlength < 0:
            raise ValueError(f"bincount: minlength must be >= 0, got {minlength}")
        if weights is None:
            return _const(np.bincount(self.data, minlength=minlength))
        w = weights.data if isinstance(weights, Tensor) else np.asarray(weights)
        if w.shape != self.shape:
            raise ValueError(f"bincount: weights must be 1-D of the input's length, got shapes "
                             f"{w.shape} and {self.shape}")  # fmt: skip
        dtype = w.dtype if w.dtype.kind == "f" else np.float64
        return _const(np.bincount(self.data, w, minlength), dtype)

    def histc(self, bins: int = 100, min: float = 0, max: float = 0) -> Tensor:  # noqa: A002
        """Counts in `bins` equal bins over [min, max] (the last bin closed), in self's
        floating dtype; elements outside (and NaN) are left out. With min == max the data's
        own min and max are used (made 1 apart if those are equal too), as PyTorch. An
        element x goes to bin floor((x - min) * bins / (max - min)). A constant."""
        _check_floating(self, "histc")
        bins = _int(bins, "histc", "bins")
        if bins <= 0:
            raise ValueError(f"histc: bins must be > 0, got {bins}")
        lo, hi = float(min), float(max)
        if lo > hi:
            raise ValueError(f"histc: max must be larger than min, got min={min}, max={max}")
        data = self.data.reshape(-1).astype(np.float64)
        if lo == hi and data.size:
            lo, hi = float(np.nanmin(data)), float(np.nanmax(data))
        if lo == hi:
            lo, hi = lo - 1, hi + 1
        data = data[(data >= lo) & (data <= hi)]
        pos = np.minimum(((data - lo) * bins / (hi - lo)).astype(np.int64), bins - 1)
        return _const(np.bincount(pos, minlength=bins), self.dtype)

    def histogram(self, bins: Any = 100, *, range: tuple[float, float] | None = None,  # noqa: A002
                  weight: Any = None, density: bool = False) -> Histogram:  # fmt: skip
        """A histogram of self's elements (np.histogram): `bins` equal bins over `range`
        (the data's min and max by default), or the increasing edges given as a 1-D tensor;
        every bin is half-open but the last. `weight` (self's shape) adds weights instead of
        ones; density=True divides by the total and the bin widths (an integral of 1).
        Returns (hist, bin_edges) in self's floating dtype, constants."""
        from ..tensor import Tensor

        what = "histogram"
        _check_floating(self, what)
        if isinstance(bins, (Tensor, np.ndarray, list, tuple)):
            edges = np.asarray(bins.data if isinstance(bins, Tensor) else bins, np.float64)
            if range is not None:
                raise ValueError(f"{what}: range is only for a number of bins, not for edges")
            if edges.ndim != 1 or edges.size < 2 or np.any(np.diff(edges) < 0):
                raise ValueError(f"{what}: bin edges must be a 1-D increasing tensor of at "
                                 f"least 2 elements, got {edges.tolist()}")  # fmt: skip
            bins = edges
        else:
            bins = _int(bins, what, "bins")
            if bins <= 0:
                raise ValueError(f"{what}: bins must be > 0, got {bins}")
            if range is not None:
                range = tuple(float(b) for b in range)  # noqa: A001
                if len(range) != 2 or not range[0] <= range[1]:
                    raise ValueError(f"{what}: range must be (min, max) with min <= max, got "
                                     f"{range}")  # fmt: skip
        w = None
        if weight is not None:
            w = weight.data if isinstance(weight, Tensor) else np.asarray(weight)
            if w.shape != self.shape:
                raise ValueError(f"{what}: weight of shape {w.shape} must have the input's "
                                 f"shape {self.shape}")  # fmt: skip
        hist, edges = np.histogram(self.data, bins, range, weights=w, density=density)
        return Histogram(_const(hist, self.dtype), _const(edges, self.dtype))

    def argwhere(self) -> Tensor:
        """The int64 positions of the nonzero elements, one row each: `nonzero()`."""
        return self.nonzero()
