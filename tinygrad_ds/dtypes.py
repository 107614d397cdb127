"""Data types: NumPy dtypes, the default float dtype, and the conversion rules of `Tensor(...)`."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = [
    "float32", "float64", "int64", "int32", "bool_", "set_default_dtype", "get_default_dtype",
]  # fmt: skip

float32 = np.dtype(np.float32)
float64 = np.dtype(np.float64)
int64 = np.dtype(np.int64)
int32 = np.dtype(np.int32)
bool_ = np.dtype(np.bool_)

_default_float = float32


def set_default_dtype(dtype: Any) -> None:
    """Set the float dtype of Python floats, factories and new layers (float32 or float64)."""
    global _default_float
    d = np.dtype(dtype)
    if d.kind != "f":
        raise TypeError(f"set_default_dtype: expected a floating dtype, got {d}")
    _default_float = d


def get_default_dtype() -> np.dtype:
    """The current default float dtype (float32 unless changed)."""
    return _default_float


def as_array(data: Any, dtype: Any = None) -> np.ndarray:
    """Convert `data` to an ndarray by the Tensor's rules.

    Python floats (and lists of them) become the default float dtype, NumPy arrays keep their
    dtype, Python ints become int64 and bools bool; `dtype` (anything `np.dtype` accepts) wins.
    """
    if dtype is not None:
        return np.array(data, dtype=np.dtype(dtype))
    if isinstance(data, np.ndarray):
        return data
    if isinstance(data, np.generic):
        return np.asarray(data)
    arr = np.array(data)
    if arr.dtype == np.float64:
        return arr.astype(_default_float, copy=False)
    if arr.dtype.kind in "iu" and arr.dtype != np.int64:
        return arr.astype(np.int64)
    if arr.dtype.kind not in "fiub":
        raise TypeError(f"Tensor: cannot make a tensor from data of dtype {arr.dtype}")
    return arr
