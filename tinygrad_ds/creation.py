"""Factories: `Tensor.zeros`, `ones`, `full`, `randn`, `rand`, `uniform`, `arange`, `eye`, ...
and `tensor(data)`, PyTorch's copying constructor. (The package exports them: `td.zeros(2, 3)`.)

A shape is given as varargs or as one tuple; every factory takes `dtype` and `requires_grad`.
Floats default to `get_default_dtype()`; randomness comes from the package generator
(`manual_seed`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .dtypes import get_default_dtype
from .rng import generator
from .tensor import Tensor, _shape_args

__all__ = [
    "tensor", "zeros", "ones", "full", "randn", "rand", "uniform", "arange", "eye", "zeros_like",
    "ones_like", "full_like", "randn_like",
]  # fmt: skip


def _finish(data: np.ndarray, dtype: Any, requires_grad: bool) -> Tensor:
    dtype = get_default_dtype() if dtype is None else np.dtype(dtype)
    return Tensor(data.astype(dtype, copy=False), requires_grad=requires_grad)


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
    return _finish(np.zeros(_shape_args(shape, "zeros")), dtype, requires_grad)


def ones(*shape: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of ones: `Tensor.ones(2, 3)` or `Tensor.ones((2, 3))`."""
    return _finish(np.ones(_shape_args(shape, "ones")), dtype, requires_grad)


def full(shape: Any, fill_value: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of `shape` filled with `fill_value` (ints give int64, bools bool)."""
    shape = _shape_args((shape,), "full")
    if dtype is None and isinstance(fill_value, (bool, int)):
        dtype = np.bool_ if isinstance(fill_value, bool) else np.int64
    return _finish(np.full(shape, fill_value), dtype, requires_grad)


def randn(*shape: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Standard normal samples."""
    return _finish(generator().standard_normal(_shape_args(shape, "randn")), dtype, requires_grad)


def rand(*shape: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Uniform samples in [0, 1)."""
    return _finish(generator().random(_shape_args(shape, "rand")), dtype, requires_grad)


def uniform(*shape: Any, low: float = -1.0, high: float = 1.0, dtype: Any = None,
            requires_grad: bool = False) -> Tensor:  # fmt: skip
    """Uniform samples in [low, high)."""
    if not high > low:
        raise ValueError(f"uniform: need low < high, got low={low}, high={high}")
    data = generator().uniform(low, high, _shape_args(shape, "uniform"))
    return _finish(data, dtype, requires_grad)


def arange(start: Any, stop: Any = None, step: Any = 1, dtype: Any = None,
           requires_grad: bool = False) -> Tensor:  # fmt: skip
    """NumPy's arange: integer arguments give int64, any float gives the default float dtype."""
    data = np.arange(start, stop, step) if stop is not None else np.arange(start)
    if dtype is None:
        dtype = np.int64 if data.dtype.kind in "iu" else get_default_dtype()
    return Tensor(data.astype(dtype), requires_grad=requires_grad)


def eye(n: int, m: int | None = None, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """The identity matrix (n x m, m = n by default)."""
    return _finish(np.eye(n, m), dtype, requires_grad)


def zeros_like(t: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Zeros with `t`'s shape and dtype (or `dtype`)."""
    t = np.asarray(t)
    return Tensor(np.zeros(t.shape, dtype or t.dtype), requires_grad=requires_grad)


def ones_like(t: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Ones with `t`'s shape and dtype (or `dtype`)."""
    t = np.asarray(t)
    return Tensor(np.ones(t.shape, dtype or t.dtype), requires_grad=requires_grad)


def full_like(t: Any, fill_value: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """`fill_value` everywhere, with `t`'s shape and dtype (or `dtype`)."""
    t = np.asarray(t)
    return Tensor(np.full(t.shape, fill_value, dtype or t.dtype), requires_grad=requires_grad)


def randn_like(t: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Standard normal samples with `t`'s shape."""
    t = np.asarray(t)
    dtype = dtype or (t.dtype if t.dtype.kind == "f" else None)
    return _finish(generator().standard_normal(t.shape), dtype, requires_grad)
