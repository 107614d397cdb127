"""Factories: `Tensor.zeros`, `ones`, `full`, `randn`, `rand`, `uniform`, `arange`, `eye`, ...
and `tensor(data)`, PyTorch's copying constructor. (The package exports them: `td.zeros(2, 3)`.)

A shape is given as varargs or as one tuple; every factory takes `dtype` and `requires_grad`.
Floats default to `get_default_dtype()`; randomness comes from the package generator
(`manual_seed`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .dtypes import get_default_dtype, resolve_dtype
from .rng import generator
from .tensor import Tensor, _shape_args

__all__ = [
    "tensor", "zeros", "ones", "full", "randn", "rand", "uniform", "arange", "eye", "zeros_like",
    "ones_like", "full_like", "randn_like",
]  # fmt: skip


def _finish(data: np.ndarray, dtype: Any, requires_grad: bool, what: str) -> Tensor:
    dtype = get_default_dtype() if dtype is None else resolve_dtype(dtype, what)
    return Tensor(data.astype(dtype, copy=False), requires_grad=requires_grad)


def _random(dtype: Any, what: str) -> Any:
    """The dtype of random samples: a float dtype (or None for the default), as in PyTorch,
    where `torch.rand(3, dtype=torch.long)` is "not implemented for 'Long'"."""
    if dtype is not None and resolve_dtype(dtype, what).kind != "f":
        raise TypeError(f"{what}: random samples need a floating dtype, got {np.dtype(dtype)}")
    return dtype


def _number(value: Any, what: str, name: str) -> Any:
    """A number argument: bool, int, float or a one-element tensor/array of those."""
    if isinstance(value, (bool, int, float)):
        return value
    v = np.asarray(value.data if isinstance(value, Tensor) else value)
    if v.dtype.kind not in "biuf" or v.size != 1:
        shown = repr(value) if v.dtype.kind == "O" or v.size == 1 else f"shape {v.shape}"
        raise TypeError(f"{what}: {name} must be a number, got {shown} ({type(value).__name__})")
    return v.item()


def _size(n: Any, what: str) -> int:
    return _shape_args((n,), what)[0]


def tensor(data: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """PyTorch's `torch.tensor`: a new leaf holding a copy of `data`, by `Tensor`'s dtype rules
    (Python floats become the default float dtype). `Tensor(array)` shares a NumPy array's
    memory instead; a Tensor given here is copied and cut from its graph."""
    if isinstance(data, Tensor):
        data = data.data
    if isinstance(data, np.ndarray):
        data = data.copy()
    return Tensor(data, requires_grad=requires_grad, dtype=dtype)


def zeros(*shape: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of zeros: `Tensor.zeros(2, 3)` or `Tensor.zeros((2, 3))`."""
    return _finish(np.zeros(_shape_args(shape, "zeros")), dtype, requires_grad, "zeros")


def ones(*shape: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of ones: `Tensor.ones(2, 3)` or `Tensor.ones((2, 3))`."""
    return _finish(np.ones(_shape_args(shape, "ones")), dtype, requires_grad, "ones")


def full(shape: Any, fill_value: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of `shape` filled with `fill_value` (ints give int64, bools bool)."""
    shape = _shape_args((shape,), "full")
    fill_value = _number(fill_value, "full", "fill_value")
    if dtype is None and isinstance(fill_value, (bool, int)):
        dtype = np.bool_ if isinstance(fill_value, bool) else np.int64
    return _finish(np.full(shape, fill_value), dtype, requires_grad, "full")


def randn(*shape: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Standard normal samples (a floating dtype)."""
    dtype = _random(dtype, "randn")
    data = generator().standard_normal(_shape_args(shape, "randn"))
    return _finish(data, dtype, requires_grad, "randn")


def rand(*shape: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Uniform samples in [0, 1) (a floating dtype)."""
    dtype = _random(dtype, "rand")
    return _finish(generator().random(_shape_args(shape, "rand")), dtype, requires_grad, "rand")


def uniform(*shape: Any, low: float = -1.0, high: float = 1.0, dtype: Any = None,
            requires_grad: bool = False) -> Tensor:  # fmt: skip
    """Uniform samples in [low, high) (a floating dtype)."""
    low, high = _number(low, "uniform", "low"), _number(high, "uniform", "high")
    if not (np.isfinite(low) and np.isfinite(high) and high > low):
        raise ValueError(f"uniform: need finite low < high, got low={low}, high={high}")
    dtype = _random(dtype, "uniform")
    data = generator().uniform(low, high, _shape_args(shape, "uniform"))
    return _finish(data, dtype, requires_grad, "uniform")


def arange(start: Any, stop: Any = None, step: Any = 1, dtype: Any = None,
           requires_grad: bool = False) -> Tensor:  # fmt: skip
    """NumPy's arange: integer arguments give int64, any float gives the default float dtype."""
    start, step = _number(start, "arange", "start"), _number(step, "arange", "step")
    ends = (start,) if stop is None else (start, _number(stop, "arange", "end"))
    if not all(np.isfinite(v) for v in (*ends, step)):
        raise ValueError(f"arange: start, end and step must be finite, got {(*ends, step)}")
    if step == 0:
        raise ValueError("arange: step must be nonzero, got 0")
    data = np.arange(*ends, step=step)
    if dtype is None:
        dtype = np.int64 if data.dtype.kind in "iu" else get_default_dtype()
    return Tensor(data.astype(resolve_dtype(dtype, "arange")), requires_grad=requires_grad)


def eye(n: int, m: int | None = None, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """The identity matrix (n x m, m = n by default)."""
    n, m = _size(n, "eye"), None if m is None else _size(m, "eye")
    return _finish(np.eye(n, m), dtype, requires_grad, "eye")


def _like(t: Any, dtype: Any, what: str) -> tuple[tuple[int, ...], np.dtype]:
    """The shape and dtype of a `*_like` result: `t`'s (a tensor, or data that makes one),
    the dtype replaced by `dtype` when given."""
    if not isinstance(t, Tensor):
        try:
            t = Tensor(t)
        except TypeError:
            raise TypeError(
                f"{what}: expected a tensor (or data that makes one), got {type(t).__name__}"
            ) from None
    return t.shape, t.dtype if dtype is None else resolve_dtype(dtype, what)


def zeros_like(t: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Zeros with `t`'s shape and dtype (or `dtype`)."""
    shape, dtype = _like(t, dtype, "zeros_like")
    return Tensor(np.zeros(shape, dtype), requires_grad=requires_grad)


def ones_like(t: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Ones with `t`'s shape and dtype (or `dtype`)."""
    shape, dtype = _like(t, dtype, "ones_like")
    return Tensor(np.ones(shape, dtype), requires_grad=requires_grad)


def full_like(t: Any, fill_value: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """`fill_value` everywhere, with `t`'s shape and dtype (or `dtype`)."""
    shape, dtype = _like(t, dtype, "full_like")
    fill_value = _number(fill_value, "full_like", "fill_value")
    return Tensor(np.full(shape, fill_value, dtype), requires_grad=requires_grad)


def randn_like(t: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Standard normal samples with `t`'s shape (and dtype, when floating)."""
    shape, t_dtype = _like(t, None, "randn_like")
    if dtype is None:
        dtype = t_dtype if t_dtype.kind == "f" else None
    dtype = _random(dtype, "randn_like")
    return _finish(generator().standard_normal(shape), dtype, requires_grad, "randn_like")
