"""Package-level reductions, as PyTorch's: `td.sum(x, 1)`, `td.prod(x)`, `td.median(x, 0)`, ...

Each converts its input (a Tensor, an array or a nested list) and calls the Tensor method of
the same name, with PyTorch's argument names and order (`dim`, `keepdim`). `max` and `min`
take PyTorch's three forms; `std_mean` and `var_mean`, which PyTorch has only as functions,
return a tuple.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..functions import _t
from ..tensor import Tensor, _is_int
from .more import ValuesIndices
from .reductions import MinMax

__all__ = [
    "sum", "mean", "std", "var", "std_mean", "var_mean", "prod", "cumsum", "cumprod", "max",
    "min", "amax", "amin", "aminmax", "argmax", "argmin", "logsumexp", "logcumsumexp", "sort",
    "argsort", "msort", "topk", "median", "nanmedian", "kthvalue", "mode", "quantile",
    "nanquantile", "nansum", "nanmean", "count_nonzero", "cummax", "cummin", "all", "any",
]  # fmt: skip

# (sum, max, min, all and any shadow Python's builtins in this module, which uses none of them)


def _cast(x: Any, dtype: Any, what: str) -> Tensor:
    x = _t(x, what)
    return x if dtype is None else x.astype(dtype)


def sum(x: Any, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:  # noqa: A001
    """The sum over `dim` (an int, a tuple, or None for all), as `x.sum(dim)`; `dtype`
    converts x first."""
    return _cast(x, dtype, "sum").sum(dim=dim, keepdim=keepdim)


def mean(x: Any, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """The mean over `dim`, as `x.mean(dim)`; `dtype` converts x first."""
    return _cast(x, dtype, "mean").mean(dim=dim, keepdim=keepdim)


def _unbiased(dim: Any, unbiased: Any) -> tuple[Any, Any]:
    """PyTorch's older `std(x, unbiased)`: a bool in dim's place is `unbiased`."""
    return (None, dim) if isinstance(dim, (bool, np.bool_)) else (dim, unbiased)


def std(x: Any, dim: Any = None, unbiased: bool | None = None, keepdim: bool = False, *,
        correction: int = 1) -> Tensor:  # fmt: skip
    """The standard deviation over `dim`, sqrt(sum (x - mean)^2 / (n - correction)), as
    `x.std(dim)`."""
    dim, unbiased = _unbiased(dim, unbiased)
    return _t(x, "std").std(dim, unbiased, keepdim, correction=correction)


def var(x: Any, dim: Any = None, unbiased: bool | None = None, keepdim: bool = False, *,
        correction: int = 1) -> Tensor:  # fmt: skip
    """The variance over `dim`, sum (x - mean)^2 / (n - correction), as `x.var(dim)`."""
    dim, unbiased = _unbiased(dim, unbiased)
    return _t(x, "var").var(dim, unbiased, keepdim, correction=correction)


def std_mean(x: Any, dim: Any = None, unbiased: bool | None = None, keepdim: bool = False, *,
             correction: int = 1) -> tuple[Tensor, Tensor]:  # fmt: skip
    """(std, mean) over `dim`, as PyTorch's tuple: `std(x, dim)` and `mean(x, dim)`."""
    dim, unbiased = _unbiased(dim, unbiased)
    x = _t(x, "std_mean")
    return x.std(dim, unbiased, keepdim, correction=correction), x.mean(dim, keepdim)


def var_mean(x: Any, dim: Any = None, unbiased: bool | None = None, keepdim: bool = False, *,
             correction: int = 1) -> tuple[Tensor, Tensor]:  # fmt: skip
    """(var, mean) over `dim`, as PyTorch's tuple: `var(x, dim)` and `mean(x, dim)`."""
    dim, unbiased = _unbiased(dim, unbiased)
    x = _t(x, "var_mean")
    return x.var(dim, unbiased, keepdim, correction=correction), x.mean(dim, keepdim)


def prod(x: Any, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """The product over `dim` (an int, a tuple, or None for all), as `x.prod(dim)`."""
    return _t(x, "prod").prod(dim=dim, keepdim=keepdim, dtype=dtype)


def cumsum(x: Any, dim: int, *, dtype: Any = None) -> Tensor:
    """The running sum along `dim`, as `x.cumsum(dim)`; `dtype` converts x first."""
    return _cast(x, dtype, "cumsum").cumsum(dim=dim)


def cumprod(x: Any, dim: int, *, dtype: Any = None) -> Tensor:
    """The running product along `dim`, as `x.cumprod(dim)`; `dtype` converts x first."""
    return _t(x, "cumprod").cumprod(dim=dim, dtype=dtype)


def max(x: Any, dim: Any = None, keepdim: bool = False) -> Any:  # noqa: A001
    """PyTorch's three forms: `max(x)`, the largest value (0-d; equal maxima share the
    gradient); `max(x, dim, keepdim=False)`, (values, indices) along `dim`, the index the first
    of equal maxima and the gradient going to it; `max(x, other)`, the elementwise
    `maximum`."""
    return _extreme(_t(x, "max"), dim, keepdim, "max")


def min(x: Any, dim: Any = None, keepdim: bool = False) -> Any:  # noqa: A001
    """PyTorch's three forms, as `max`: `min(x)`, `min(x, dim, keepdim=False)` (values,
    indices), `min(x, other)` (the elementwise `minimum`)."""
    return _extreme(_t(x, "min"), dim, keepdim, "min")


def _extreme(x: Tensor, dim: Any, keepdim: bool, what: str) -> Any:
    if dim is None:
        return x.max() if what == "max" else x.min()
    if not _is_int(dim):  # the form with a second tensor
        return x.maximum(dim) if what == "max" else x.minimum(dim)
    index = (x.argmax if what == "max" else x.argmin)(dim, keepdim=True)
    if x.ndim == 0:
        return ValuesIndices(x, index)
    values = x.gather(dim, index)
    if not keepdim:
        values, index = values.squeeze(dim), index.squeeze(dim)
    return ValuesIndices(values, index)


def amax(x: Any, dim: Any = (), keepdim: bool = False) -> Tensor:
    """The largest values over `dim` (all when () or None), equal ones sharing the gradient."""
    return _t(x, "amax").amax(dim=_all_if_empty(dim), keepdim=keepdim)


def amin(x: Any, dim: Any = (), keepdim: bool = False) -> Tensor:
    """The smallest values over `dim` (all when () or None), equal ones sharing the gradient."""
    return _t(x, "amin").amin(dim=_all_if_empty(dim), keepdim=keepdim)


def _all_if_empty(dim: Any) -> Any:
    """amax's and amin's dim: () (their default), [] or None is every dim."""
    return None if dim is None or (isinstance(dim, (tuple, list)) and not dim) else dim


def aminmax(x: Any, *, dim: int | None = None, keepdim: bool = False) -> MinMax:
    """(min, max) over `dim` (all when None), as `x.aminmax(dim=dim)`."""
    return _t(x, "aminmax").aminmax(dim=dim, keepdim=keepdim)


def argmax(x: Any, dim: int | None = None, keepdim: bool = False) -> Tensor:
    """The int64 index of the largest value along `dim` (of the flattened x when None)."""
    return _t(x, "argmax").argmax(dim=dim, keepdim=keepdim)


def argmin(x: Any, dim: int | None = None, keepdim: bool = False) -> Tensor:
    """The int64 index of the smallest value along `dim` (of the flattened x when None)."""
    return _t(x, "argmin").argmin(dim=dim, keepdim=keepdim)


def logsumexp(x: Any, dim: Any, keepdim: bool = False) -> Tensor:
    """log sum e^x over `dim`, stably, as `x.logsumexp(dim)`."""
    return _t(x, "logsumexp").logsumexp(dim=dim, keepdim=keepdim)


def logcumsumexp(x: Any, dim: int) -> Tensor:
    """The running log-sum-exp along `dim`, stably, as `x.logcumsumexp(dim)`."""
    return _t(x, "logcumsumexp").logcumsumexp(dim)


def sort(x: Any, dim: int = -1, descending: bool = False, *, stable: bool = False) -> Any:
    """(values, indices) sorted along `dim` (stable), as `x.sort(dim)`."""
    return _t(x, "sort").sort(dim, descending, stable=stable)


def argsort(x: Any, dim: int = -1, descending: bool = False, *, stable: bool = False) -> Tensor:
    """The int64 indices that sort x along `dim` (stable), as `x.argsort(dim)`."""
    return _t(x, "argsort").argsort(dim, descending, stable=stable)


def msort(x: Any) -> Tensor:
    """x sorted along dim 0, as `x.msort()`."""
    return _t(x, "msort").msort()


def topk(x: Any, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> Any:  # noqa: A002
    """(values, indices) of the k largest (or smallest) along `dim`, as `x.topk(k, dim)`."""
    return _t(x, "topk").topk(k, dim, largest, sorted)


def median(x: Any, dim: int | None = None, keepdim: bool = False) -> Any:
    """The lower median of all values (0-d), or (values, indices) along `dim`, as
    `x.median(dim)`."""
    return _t(x, "median").median(dim, keepdim)


def nanmedian(x: Any, dim: int | None = None, keepdim: bool = False) -> Any:
    """`median` of the values that are not NaN, as `x.nanmedian(dim)`."""
    return _t(x, "nanmedian").nanmedian(dim, keepdim)


def kthvalue(x: Any, k: int, dim: int = -1, keepdim: bool = False) -> ValuesIndices:
    """(values, indices) of the k-th smallest along `dim`, as `x.kthvalue(k, dim)`."""
    return _t(x, "kthvalue").kthvalue(k, dim, keepdim)


def mode(x: Any, dim: int = -1, keepdim: bool = False) -> ValuesIndices:
    """(values, indices) of the most frequent value along `dim`, as `x.mode(dim)`."""
    return _t(x, "mode").mode(dim, keepdim)


def quantile(x: Any, q: Any, dim: int | None = None, keepdim: bool = False, *,
             interpolation: str = "linear") -> Tensor:  # fmt: skip
    """The q-th quantiles along `dim` (of all values when None), as `x.quantile(q, dim)`."""
    return _t(x, "quantile").quantile(q, dim, keepdim, interpolation=interpolation)


def nanquantile(x: Any, q: Any, dim: int | None = None, keepdim: bool = False, *,
                interpolation: str = "linear") -> Tensor:  # fmt: skip
    """`quantile` of the values that are not NaN, as `x.nanquantile(q, dim)`."""
    return _t(x, "nanquantile").nanquantile(q, dim, keepdim, interpolation=interpolation)


def nansum(x: Any, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """The sum over `dim` with NaNs as 0, as `x.nansum(dim)`; `dtype` converts x first."""
    return _cast(x, dtype, "nansum").nansum(dim=dim, keepdim=keepdim)


def nanmean(x: Any, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """The mean over `dim` of the values that are not NaN, as `x.nanmean(dim)`."""
    return _cast(x, dtype, "nanmean").nanmean(dim=dim, keepdim=keepdim)


def count_nonzero(x: Any, dim: Any = None) -> Tensor:
    """The int64 number of nonzero elements over `dim`, as `x.count_nonzero(dim)`."""
    return _t(x, "count_nonzero").count_nonzero(dim)


def cummax(x: Any, dim: int) -> ValuesIndices:
    """(values, indices) of the running max along `dim`, as `x.cummax(dim)`."""
    return _t(x, "cummax").cummax(dim)


def cummin(x: Any, dim: int) -> ValuesIndices:
    """(values, indices) of the running min along `dim`, as `x.cummin(dim)`."""
    return _t(x, "cummin").cummin(dim)


def all(x: Any, dim: Any = None, keepdim: bool = False) -> Tensor:  # noqa: A001
    """True where every element over `dim` is nonzero (bool), as `x.all(dim)`."""
    return _t(x, "all").all(dim=dim, keepdim=keepdim)


def any(x: Any, dim: Any = None, keepdim: bool = False) -> Tensor:  # noqa: A001
    """True where some element over `dim` is nonzero (bool), as `x.any(dim)`."""
    return _t(x, "any").any(dim=dim, keepdim=keepdim)
