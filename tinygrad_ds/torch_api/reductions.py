"""PyTorch's Tensor methods for products, medians, NaN-ignoring and cumulative reductions.

Three are primitives, in ops/products.py (`prod`, `cumprod`, `logcumsumexp`: their docstrings
say why). The rest are composed: a median, k-th value, mode or running max is a value picked
from self by `gather` at an index NumPy finds, so its gradient goes to that element (as
PyTorch's); a quantile is a weighted pair of such values; the NaN-ignoring reductions put 0
where x is NaN (`where`, whose gradient there is 0).

Axes are taken as `sum` takes them (`_axes`: `axis` or `dim`, `keepdims` or `keepdim`) where
PyTorch allows several, and as `cumsum` takes its one (`_axis1`) elsewhere. Indices are int64
constants.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from .more import ValuesIndices, _argsort
from .shape import _int

if TYPE_CHECKING:
    from ..tensor import Tensor

__all__ = ["TorchReductions", "MinMax"]

INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


class MinMax(NamedTuple):
    """What `aminmax` returns, as PyTorch's `torch.return_types.aminmax`."""

    min: Tensor
    max: Tensor


def _one_axis(x: Tensor, axis: Any, dim: Any, what: str) -> int | None:
    """The one axis of a running or selecting reduction (`axis` or `dim`, required) as an int
    in range(ndim); None for a 0-d tensor, whose only axis is 0 (or -1), as in PyTorch."""
    from ..tensor import _axis1, _check_0d_axis

    if dim is not None and axis is not None:
        raise TypeError(f"{what}: give axis or dim, not both")
    axis = axis if dim is None else dim
    if axis is None:
        raise TypeError(f"{what}: missing the dim (x.{what}(0), x.{what}(dim=-1)) for a tensor "
                        f"of shape {x.shape}")  # fmt: skip
    try:
        if x.ndim == 0:
            _check_0d_axis(axis, what)
            return None
        return _axis1(axis, x.ndim, what)
    except IndexError as e:
        raise IndexError(f"{e} (shape {x.shape})") from None


def _keep(keepdims: bool, keepdim: bool | None) -> bool:
    return bool(keepdims if keepdim is None else keepdim)


def _nan_count(data: np.ndarray, axis: int) -> np.ndarray:
    """The number of NaNs along `axis` (kept as length 1); 0 for integer data."""
    if data.dtype.kind != "f":
        return np.zeros(_kept(data.shape, axis), np.int64)
    return np.isnan(data).sum(axis=axis, keepdims=True)


def _kept(shape: tuple[int, ...], axis: int) -> tuple[int, ...]:
    return shape[:axis] + (1,) + shape[axis + 1 :]


class TorchReductions:
    """Mixin of `Tensor`: products, medians, NaN-ignoring and cumulative reductions."""

    __slots__ = ()  # Tensor keeps __slots__: no instance __dict__ comes from here

    # -- products --------------------------------------------------------------------------

    def prod(self, axis: Any = None, keepdims: bool = False, *, dim: Any = None,
             keepdim: bool | None = None, dtype: Any = None) -> Tensor:  # fmt: skip
        """The product of the elements over `axis`/`dim` (an int, a tuple, or None for all),
        as `sum` takes them; `dtype` converts self first. Its gradient is the product of the
        other elements, right at zeros too (ops/products.py `Prod`): with one zero in a
        slice only the zero gets a gradient, with two none does. Integer and bool tensors give
        int64, as in PyTorch (no gradient)."""
        from ..ops.products import Prod
        from ..tensor import _axes, constant

        x = self if dtype is None else self.astype(dtype)
        axes = _axes(axis, dim, self.ndim, "prod")
        keep = _keep(keepdims, keepdim)
        if x.dtype.kind != "f":
            out_dtype = np.int64 if dtype is None else x.dtype
            return constant(np.asarray(np.prod(x.data, axis=axes, keepdims=keep, dtype=out_dtype)))
        return Prod.apply(x, axis=axes, keepdims=keep)

    def cumprod(self, axis: int | None = None, *, dim: int | None = None,
                dtype: Any = None) -> Tensor:  # fmt: skip
        """The running product along `axis`/`dim` (one int, required, as `cumsum`): z_i =
        prod_{j <= i} x_j. The gradient is right at zeros (ops/products.py `CumProd`), to
        second order too. `dtype` converts self first; integer and bool tensors give int64."""
        from ..ops.products import CumProd
        from ..tensor import constant

        x = self if dtype is None else self.astype(dtype)
        axis = _one_axis(x, axis, dim, "cumprod")
        if axis is None:
            return x.reshape(1).cumprod(0).reshape(())
        if x.dtype.kind != "f":
            out_dtype = np.int64 if dtype is None else x.dtype
            return constant(np.cumprod(x.data, axis=axis, dtype=out_dtype))
        return CumProd.apply(x, axis=axis)

    # -- values picked by rank: median, kthvalue, mode -------------------------------------

    def median(self, dim: int | None = None, keepdim: bool = False) -> Any:
        """The lower median: of n values the ((n - 1) // 2)-th smallest, counting from 0 (NaN
        if any value is NaN).

        Without `dim`: of all values, a 0-d tensor whose gradient is shared equally by the
        elements equal to it (as PyTorch's). With `dim`: (values, indices) along it, the
        gradient going to the element at the index. Among equal values the index is the one a
        stable sort puts at that rank (PyTorch leaves it unspecified)."""
        return self._by_rank(dim, keepdim, "median", _median_rank)

    def nanmedian(self, dim: int | None = None, keepdim: bool = False) -> Any:
        """`median` of the values that are not NaN (NaN where all are NaN)."""
        return self._by_rank(dim, keepdim, "nanmedian", _nanmedian_rank)

    def kthvalue(self, k: int, dim: int = -1, keepdim: bool = False) -> ValuesIndices:
        """(values, indices) of the k-th smallest element along `dim` (k from 1; NaN counts as
        the largest value), the gradient going to the element at the index. Among equal values
        the index is the one a stable sort puts at rank k (PyTorch leaves it unspecified)."""
        k = _int(k, "kthvalue", "k")
        n = 1 if self.ndim == 0 else self.shape[_one_axis(self, None, dim, "kthvalue")]
        if not 1 <= k <= n:
            raise ValueError(
                f"kthvalue: k={k} is out of range for a dim of size {n} (shape {self.shape}); "
                f"k must be in [1, {n}]"
            )
        return self._by_rank(dim, keepdim, "kthvalue", lambda n, nans: np.full(nans.shape, k - 1))

    def _by_rank(self, dim: Any, keepdim: bool, what: str, rank: Callable) -> Any:
        """The element at rank `rank(n, nan_counts)` (0 = smallest) of each slice along `dim`,
        with its index; or, with dim None, of all elements, its gradient shared by equal ones."""
        from ..functions import where
        from ..tensor import constant

        if dim is None:
            if keepdim:  # (PyTorch's median(keepdim=True) asks for the dim too)
                raise TypeError(f"{what}: keepdim=True needs a dim, as x.{what}(0, keepdim=True)")
            if self.data.size == 0:
                raise ValueError(f"{what}: no {what} of an empty tensor (shape {self.shape})")
            flat = self.data.reshape(-1)
            m = constant(flat[_rank_index(flat, 0, rank)].reshape(()))
            if self.dtype.kind != "f":
                return m
            ties = constant((self.data == m.data) | (np.isnan(self.data) & np.isnan(m.data)))
            share = ties.astype(self.dtype) / float(ties.data.sum())
            return m + (where(ties, self - m, 0.0) * share).sum()  # = m; d/dx = share
        axis = _one_axis(self, None, dim, what)
        if axis is None:  # a 0-d tensor: its value, at index 0
            out = self.reshape(1)._by_rank(0, keepdim, what, rank)
            return ValuesIndices(out.values.reshape(()), out.indices.reshape(()))
        n = self.shape[axis]
        if n == 0:
            raise ValueError(f"{what}: dim {axis} is empty (shape {self.shape})")
        index = _rank_index(self.data, axis, rank)
        values = self.gather(axis, index)
        if not keepdim:
            values, index = values.squeeze(axis), index.squeeze(axis)
        return ValuesIndices(values, constant(index))

    def mode(self, dim: int = -1, keepdim: bool = False) -> ValuesIndices:
        """(values, indices): the most frequent value along `dim` (the smallest of those
        equally frequent) and the index of its last occurrence, as PyTorch gives; the gradient
        goes to the element at the index."""
        from ..tensor import constant

        axis = _one_axis(self, None, dim, "mode")
        if axis is None:
            out = self.reshape(1).mode(0, keepdim)
            return ValuesIndices(out.values.reshape(()), out.indices.reshape(()))
        if self.shape[axis] == 0:
            raise ValueError(f"mode: dim {axis} is empty (shape {self.shape})")
        order = _argsort(self.data, axis, False)
        s = np.take_along_axis(self.data, order, axis)
        pos = np.arange(s.shape[axis]).reshape((-1,) + (1,) * (s.ndim - axis - 1))
        starts = np.ones(s.shape, bool)  # where a run of equal sorted values begins
        body = (slice(None),) * axis
        starts[body + (slice(1, None),)] = (s[body + (slice(1, None),)]
                                            != s[body + (slice(None, -1),)])  # fmt: skip
        run_start = np.maximum.accumulate(np.where(starts, pos, 0), axis=axis)
        # a run's length peaks at its last element; argmax takes the first (smallest) longest
        # run, and there the stable order holds the value's last occurrence
        last = np.argmax(pos - run_start, axis=axis, keepdims=True)
        index = np.take_along_axis(order, last, axis)
        values = self.gather(axis, index)
        if not keepdim:
            values, index = values.squeeze(axis), index.squeeze(axis)
        return ValuesIndices(values, constant(index))

    # -- quantiles -------------------------------------------------------------------------

    def quantile(self, q: Any, dim: int | None = None, keepdim: bool = False, *,
                 interpolation: str = "linear") -> Tensor:  # fmt: skip
        """The q-th quantiles along `dim` (of all values when None), NaN where a slice holds
        a NaN. With the values of a slice sorted, v_0 <= ... <= v_{n-1}, the quantile lies at
        rank r = q (n - 1); between i = floor(r) and j = ceil(r) it is, by `interpolation`:
        "linear" v_i + (r - i)(v_j - v_i), "lower" v_i, "higher" v_j, "midpoint"
        (v_i + v_j) / 2, "nearest" v at r rounded (halves to even). `q`, a number or a 1-D
        tensor in [0, 1]: a 1-D q puts one row per q first. The gradient goes to v_i and v_j
        with those weights (and, for "linear", to a q that requires grad: (v_j - v_i)(n - 1)).
        Floating tensors only, as PyTorch's."""
        return self._quantile(q, dim, keepdim, interpolation, "quantile")

    def nanquantile(self, q: Any, dim: int | None = None, keepdim: bool = False, *,
                    interpolation: str = "linear") -> Tensor:  # fmt: skip
        """`quantile` of the values that are not NaN (NaN where all are NaN)."""
        return self._quantile(q, dim, keepdim, interpolation, "nanquantile")

    def _quantile(self, q: Any, dim: Any, keepdim: bool, how: str, what: str) -> Tensor:
        from ..functions import stack, where
        from ..tensor import Tensor, _axis1, _check_0d_axis, constant

        if self.dtype.kind != "f":
            raise TypeError(f"{what}: expects a floating-point tensor, got {self.dtype}")
        qs = np.asarray(q.data if isinstance(q, Tensor) else q)
        if qs.dtype.kind not in "iuf" or qs.ndim > 1:
            raise ValueError(f"{what}: q must be a number or a 1-D tensor of numbers, got {q!r}")
        if qs.size and not ((qs >= 0) & (qs <= 1)).all():
            raise ValueError(f"{what}: q must be in [0, 1], got {q!r}")
        if how not in INTERPOLATIONS:
            raise ValueError(f"{what}: interpolation must be one of {', '.join(INTERPOLATIONS)}; "
                             f"got {how!r}")  # fmt: skip
        if self.data.size == 0:
            raise ValueError(f"{what}: the tensor must not be empty (shape {self.shape})")
        if self.ndim == 0 and dim is not None:  # as in PyTorch: a 0-d tensor's dim is 0 or -1
            _check_0d_axis(dim, what)
            dim = None
        x, axis = (self.reshape(-1), 0) if dim is None else (self, _axis1(dim, self.ndim, what))
        s = x.sort(axis).values  # NaN last
        nans = _nan_count(x.data, axis)
        n = x.shape[axis]
        count = n - nans if what == "nanquantile" else np.where(nans > 0, 0, n)
        valid = count > 0  # else the quantile is NaN: a NaN's rank (the last or the first)
        q_grad = isinstance(q, Tensor) and q.requires_grad and how == "linear"
        rows = []
        for k, qk in enumerate(qs.reshape(-1).astype(np.float64)):
            r = np.where(valid, qk * (count - 1), n - 1 if what == "quantile" else 0)
            lo, hi = np.floor(r).astype(np.int64), np.ceil(r).astype(np.int64)
            if how in ("lower", "higher", "nearest"):
                at = {"lower": lo, "higher": hi, "nearest": np.round(r).astype(np.int64)}[how]
                rows.append(s.gather(axis, at))
                continue
            below, above = s.gather(axis, lo), s.gather(axis, hi)
            if how == "midpoint":
                w = 0.5
            elif q_grad:  # r - lo = q (count - 1) - lo, differentiable in q (as PyTorch's)
                qt = q.astype(x.dtype) if q.ndim == 0 else q.astype(x.dtype)[k]
                w = qt * constant(np.where(valid, count - 1, 0).astype(x.dtype)) - constant(
                    np.where(valid, lo, 0).astype(x.dtype)
                )
            else:
                w = constant((r - lo).astype(x.dtype))
            diff = above - below
            if not valid.all():  # (NaN - NaN there: no gradient for q through it)
                diff = where(constant(valid), diff, 0.0)
            rows.append(below + diff * w)
        out = [_unkeep(t, self, axis, dim, keepdim) for t in rows]
        return out[0] if qs.ndim == 0 else stack(out)

    # -- NaN-ignoring reductions and counts ------------------------------------------------

    def nansum(self, axis: Any = None, keepdims: bool = False, *, dim: Any = None,
               keepdim: bool | None = None) -> Tensor:  # fmt: skip
        """`sum` with NaNs counted as 0 (their gradient is 0); integer and bool tensors sum
        to int64, as in PyTorch."""
        from ..tensor import _axes, constant

        axes = _axes(axis, dim, self.ndim, "nansum")
        keep = _keep(keepdims, keepdim)
        if self.dtype.kind != "f":
            return constant(np.asarray(np.sum(self.data, axis=axes, keepdims=keep, dtype=np.int64)))
        return self._nan_as_zero().sum(axes, keepdims=keep)

    def nanmean(self, axis: Any = None, keepdims: bool = False, *, dim: Any = None,
                keepdim: bool | None = None) -> Tensor:  # fmt: skip
        """`mean` of the values that are not NaN: nansum / their number (NaN where there are
        none); the gradient at NaNs is 0, also where all are NaN (PyTorch's is NaN there: it
        divides by the count 0). Floating tensors only, as PyTorch's."""
        from ..tensor import _axes, constant

        if self.dtype.kind != "f":
            raise TypeError(f"nanmean: expects a floating-point tensor, got {self.dtype}")
        axes = _axes(axis, dim, self.ndim, "nanmean")
        keep = _keep(keepdims, keepdim)
        count = np.asarray((~np.isnan(self.data)).sum(axis=axes, keepdims=keep))
        scale = constant((1.0 / np.maximum(count, 1)).astype(self.dtype))  # (1 where none)
        none = constant(np.where(count == 0, np.nan, 0).astype(self.dtype))  # NaN there
        return self._nan_as_zero().sum(axes, keepdims=keep) * scale + none

    def _nan_as_zero(self) -> Tensor:
        from ..functions import where
        from ..tensor import constant

        nan = np.isnan(self.data)
        return where(constant(nan), 0.0, self) if nan.any() else self

    def count_nonzero(self, dim: Any = None) -> Tensor:
        """The number of nonzero elements over `dim` (an int, a tuple, or None for all), int64."""
        from ..tensor import _axes, constant

        axes = _axes(dim, None, self.ndim, "count_nonzero")
        return constant(np.asarray(np.count_nonzero(self.data, axis=axes), np.int64))

    # -- orders ----------------------------------------------------------------------------

    def argsort(self, dim: int = -1, descending: bool = False, *, stable: bool = False) -> Tensor:
        """The int64 indices that sort self along `dim` (`sort(...).indices`): always stable,
        whatever `stable` says; NaN sorts as the largest value."""
        return self.sort(dim, descending, stable=stable).indices

    def msort(self) -> Tensor:
        """The values sorted along dim 0 (`sort(0).values`), differentiable."""
        return self.sort(0).values

    # -- running reductions ----------------------------------------------------------------

    def cummax(self, dim: int) -> ValuesIndices:
        """(values, indices): the running max along `dim` and where it was found. As PyTorch,
        an element equal to the max so far takes over the index (ties: the latest), and a NaN
        becomes the max (each later NaN taking over). The gradient goes to the indexed
        elements (`gather`)."""
        return self._running_extreme(dim, np.maximum, "cummax")

    def cummin(self, dim: int) -> ValuesIndices:
        """(values, indices): the running min along `dim`, as `cummax` (ties: the latest)."""
        return self._running_extreme(dim, np.minimum, "cummin")

    def _running_extreme(self, dim: Any, ufunc: np.ufunc, what: str) -> ValuesIndices:
        from ..tensor import constant

        axis = _one_axis(self, None, dim, what)
        if axis is None:
            out = self.reshape(1)._running_extreme(0, ufunc, what)
            return ValuesIndices(out.values.reshape(()), out.indices.reshape(()))
        data = self.data
        best = ufunc.accumulate(data, axis=axis)
        takes_over = data == best
        if data.dtype.kind == "f":
            takes_over |= np.isnan(data)
        pos = np.arange(data.shape[axis]).reshape((-1,) + (1,) * (data.ndim - axis - 1))
        index = np.maximum.accumulate(np.where(takes_over, pos, 0), axis=axis).astype(np.int64)
        return ValuesIndices(self.gather(axis, index), constant(index))

    def logcumsumexp(self, dim: int) -> Tensor:
        """The running log-sum-exp along `dim`: z_i = log sum_{j <= i} e^(x_j), stable for
        any values (ops/products.py `LogCumSumExp`); integer tensors become floating."""
        from ..ops.products import LogCumSumExp

        axis = _one_axis(self, None, dim, "logcumsumexp")
        if axis is None:
            return self.reshape(1).logcumsumexp(0).reshape(())
        return LogCumSumExp.apply(self._float(), axis=axis)

    # -- both extremes ---------------------------------------------------------------------

    def aminmax(self, *, dim: int | None = None, keepdim: bool = False) -> MinMax:
        """(min, max) over `dim` (all elements when None): `amin` and `amax`, ties sharing
        the gradient equally."""
        from ..tensor import _axes

        axes = _axes(dim, None, self.ndim, "aminmax")  # checked here, so errors name aminmax
        if self.data.size == 0:
            raise ValueError(f"aminmax: cannot reduce an empty tensor (shape {self.shape})")
        return MinMax(self.amin(axes, keepdim), self.amax(axes, keepdim))


def _rank_index(data: np.ndarray, axis: int, rank: Callable) -> np.ndarray:
    """Where the element of rank `rank(n, nan_counts)` (0 = the smallest) of each slice along
    `axis` is, kept as length 1 along it: a stable sort's, with NaN last."""
    order = _argsort(data, axis, False)
    at = rank(data.shape[axis], _nan_count(data, axis)).astype(np.int64)
    return np.take_along_axis(order, at, axis)


def _median_rank(n: int, nans: np.ndarray) -> np.ndarray:
    """The lower median's rank, or the first NaN's where a slice holds NaNs."""
    return np.where(nans > 0, n - nans, (n - 1) // 2)


def _nanmedian_rank(n: int, nans: np.ndarray) -> np.ndarray:
    """The lower median's rank among the values that are not NaN (0 where all are NaN)."""
    return np.maximum((n - nans - 1) // 2, 0)


def _unkeep(t: Tensor, x: Tensor, axis: int, dim: Any, keepdim: bool) -> Tensor:
    """A quantile of shape kept along `axis` as the caller asked: the axis dropped, or, for
    dim None, shaped as x with every axis of length 1 (keepdim) or 0-d."""
    if dim is None:
        return t.reshape((1,) * x.ndim if keepdim else ())
    return t if keepdim else t.squeeze(axis)
