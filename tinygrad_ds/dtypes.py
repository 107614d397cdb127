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


# The dtypes a tensor may hold, by NumPy kind: bool, signed and unsigned integers, floats.
# (No complex, strings, bytes, objects, dates or records: NumPy would take them silently.)
KINDS = "biuf"


def resolve_dtype(dtype: Any, what: str) -> np.dtype:
    """`dtype` (anything `np.dtype` reads: `td.float32`, "int64", `bool`) as a NumPy dtype,
    checked to be one a tensor may hold; `what` names the caller in the error."""
    if not isinstance(dtype, (np.dtype, type, str)):  # np.dtype() would take an array's dtype
        raise TypeError(f"{what}: expected a dtype, got {type(dtype).__name__}")
    try:
        d = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"{what}: {dtype!r} is not a dtype") from None
    if d.kind not in KINDS:
        raise TypeError(
            f"{what}: dtype {d} is not supported; a tensor holds bool, integer or float values"
        )
    return d


def set_default_dtype(dtype: Any) -> None:
    """Set the float dtype of Python floats, factories and new layers (float32 or float64)."""
    global _default_float
    d = resolve_dtype(dtype, "set_default_dtype")
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
    Only bool, integer and float data make a tensor (see `KINDS`); ragged lists are refused.
    """
    if isinstance(data, (np.ndarray, np.generic)):
        arr = data if isinstance(data, np.ndarray) else np.asarray(data)
    else:
        try:
            arr = np.array(data)
        except ValueError as e:
            if "inhomogeneous" not in str(e):
                raise
            raise ValueError(
                "Tensor: nested lists of unequal lengths (a ragged shape) do not make a tensor; "
                f"NumPy: {e}"
            ) from None
        if dtype is None:
            if arr.dtype == np.float64:
                return arr.astype(_default_float, copy=False)
            if arr.dtype.kind in "iu" and arr.dtype != np.int64:
                return arr.astype(np.int64)
    if arr.dtype.kind not in KINDS:
        raise TypeError(
            f"Tensor: cannot make a tensor from {type(data).__name__} data of dtype {arr.dtype}; "
            "a tensor holds bool, integer or float values"
        )
    if dtype is not None:
        return arr.astype(resolve_dtype(dtype, "Tensor"))  # a copy, as np.array(data, dtype)
    return arr


class _PerDtype(dict):
    """dtype -> `value` as a read-only 0-d array of that dtype, made on first use."""

    def __init__(self, value: float) -> None:
        super().__init__()
        self.value = value

    def __missing__(self, dtype: np.dtype) -> np.ndarray:
        a = self[dtype] = _read_only(np.asarray(self.value, dtype=dtype))
        return a


def _read_only(a: np.ndarray) -> np.ndarray:
    a.flags.writeable = False
    return a


ONE, ZERO = _PerDtype(1), _PerDtype(0)
"""`ONE[dtype]`, `ZERO[dtype]`: the constants of `1 - z * z`, `max(x, 0)` and friends inside the
ops, as 0-d arrays. NumPy 2 takes a Python number in an operation through its weak-scalar
promotion (NEP 50), which costs 0.5-1 us a call more than a 0-d array of the operand's dtype,
for the same result (0.7 us of Tanh's backward, at 16 elements)."""

_scalar_arrays: dict[tuple[float, np.dtype], np.ndarray] = {}


def scalar_array(value: float, dtype: np.dtype) -> np.ndarray:
    """`value` as a read-only 0-d array of `dtype` (see `ONE`), cached unless it is zero
    (0.0 == -0.0 as keys, but the arrays differ): an optimiser's -lr, say."""
    key = (value, dtype)
    a = _scalar_arrays.get(key)
    if a is None:
        a = _read_only(np.asarray(value, dtype=dtype))  # (a new array: no one else's memory)
        if value:
            if len(_scalar_arrays) > 4096:
                _scalar_arrays.clear()
            _scalar_arrays[key] = a
    return a
