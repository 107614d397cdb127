"""`td.testing.assert_close`: PyTorch's check that a result agrees with the expected one, within
tolerances that depend on the dtype; for tests of gradients and models (the course's manual
deltas against autograd, say).

Two values a (actual) and e (expected) are close when a == e or |a - e| <= atol + rtol |e|
(NaN equal to NaN only with `equal_nan=True`). Without tolerances given, they come from the
dtypes (the looser of the two): float16 (rtol 1e-3, atol 1e-5), float32 (1.3e-6, 1e-5),
float64 and Python floats (1e-7, 1e-7); integers and bools must be equal.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np

from .tensor import Tensor

__all__ = ["assert_close"]

_TOLERANCES = {  # dtype -> (rtol, atol), PyTorch's defaults
    np.dtype(np.float16): (1e-3, 1e-5),
    np.dtype(np.float32): (1.3e-6, 1e-5),
    np.dtype(np.float64): (1e-7, 1e-7),
}


class _Mismatch(AssertionError):
    """A failed comparison: its message, and where in nested inputs it happened."""

    def __init__(self, message: str, path: str = "") -> None:
        super().__init__(message)
        self.message, self.path = message, path


def assert_close(
    actual: Any,
    expected: Any,
    *,
    allow_subclasses: bool = True,
    rtol: float | None = None,
    atol: float | None = None,
    equal_nan: bool = False,
    check_device: bool = True,
    check_dtype: bool = True,
    check_layout: bool = True,
    check_stride: bool = False,
    msg: str | Callable[[str], str] | None = None,
) -> None:
    """Raise AssertionError unless `actual` and `expected` are close (see the module's
    docstring): Tensors (or NumPy arrays) of the same shape and dtype (`check_dtype=False`
    compares values of different dtypes), Python numbers of the same type, or the same
    nesting of sequences and mappings of them. The message says how many elements differ and
    where the greatest differences are; `msg` replaces it (a function gets it and returns the
    new one). `check_device`, `check_layout` and `allow_subclasses` are PyTorch's; there is one
    device and one layout. `check_stride=True` also compares the strides."""
    if (rtol is None) != (atol is None):
        given, missing = ("rtol", "atol") if atol is None else ("atol", "rtol")
        raise ValueError(
            f"assert_close: both 'rtol' and 'atol' must be either specified or omitted, but got "
            f"{given}={rtol if atol is None else atol} and no {missing}"
        )
    options = _Options(rtol, atol, equal_nan, check_dtype, check_stride, allow_subclasses)
    try:
        _compare(actual, expected, "", options)
    except _Mismatch as failure:
        message = failure.message
        if failure.path:
            message += f"\n\nThe failure occurred for item {failure.path}"
        if msg is not None:
            message = msg(message) if callable(msg) else msg
        raise AssertionError(message) from None


class _Options(NamedTuple):
    rtol: float | None
    atol: float | None
    equal_nan: bool
    check_dtype: bool
    check_stride: bool
    allow_subclasses: bool


def _compare(actual: Any, expected: Any, path: str, options: _Options) -> None:
    """Compare two inputs, recursing into mappings and sequences; `path` is where we are."""
    if isinstance(actual, Mapping) and isinstance(expected, Mapping):
        if set(actual) != set(expected):
            missing = sorted(set(expected) - set(actual), key=repr)
            extra = sorted(set(actual) - set(expected), key=repr)
            raise _Mismatch(
                "The keys of the mappings do not match:\n"
                f"Missing keys in the actual mapping: {missing}\n"
                f"Additional keys in the actual mapping: {extra}",
                path,
            )
        for key in expected:
            _compare(actual[key], expected[key], f"{path}[{key!r}]", options)
        return
    if _is_sequence(actual) and _is_sequence(expected):
        if len(actual) != len(expected):
            raise _Mismatch(
                f"The length of the sequences mismatch: {len(actual)} != {len(expected)}", path
            )
        for i, (a, e) in enumerate(zip(actual, expected)):
            _compare(a, e, f"{path}[{i}]", options)
        return
    if _is_tensor_like(actual) and _is_tensor_like(expected):
        mixed = isinstance(actual, Tensor) != isinstance(expected, Tensor)
        if mixed or (not options.allow_subclasses and type(actual) is not type(expected)):
            raise TypeError(
                f"assert_close: cannot compare a {type(actual).__name__} with a "
                f"{type(expected).__name__}{_at(path)}"
                + ("; make both Tensors (td.as_tensor)" if mixed else " (allow_subclasses=False)")
            )
        _compare_arrays(np.asarray(actual), np.asarray(expected), path, options)
        return
    if _is_number(actual) and _is_number(expected):
        _compare_numbers(actual, expected, path, options)
        return
    raise TypeError(
        f"assert_close: no way to compare inputs of type {type(actual).__name__} and "
        f"{type(expected).__name__}{_at(path)} (expected Tensors, NumPy arrays, Python numbers, "
        "or sequences and mappings of them)"
    )


def _compare_arrays(a: np.ndarray, e: np.ndarray, path: str, options: _Options) -> None:
    if a.shape != e.shape:
        raise _Mismatch(
            f"The values for attribute 'shape' do not match: {a.shape} != {e.shape}.", path
        )
    if options.check_dtype and a.dtype != e.dtype:
        raise _Mismatch(
            f"The values for attribute 'dtype' do not match: {a.dtype} != {e.dtype}.", path
        )
    if options.check_stride and a.strides != e.strides:
        raise _Mismatch(
            f"The values for attribute 'stride()' do not match: {_strides(a)} != {_strides(e)}.",
            path,
        )
    rtol, atol = (options.rtol, options.atol) if options.rtol is not None else _tolerances(a, e)
    a64, e64 = a.astype(np.float64), e.astype(np.float64)
    if rtol == 0 and atol == 0 and a.dtype.kind in "biu" and e.dtype.kind in "biu":
        close = np.asarray(a == e)  # integers exactly (float64 would merge those above 2^53)
    else:
        close = np.asarray(_close(a64, e64, rtol, atol, options.equal_nan))
    if close.all():
        return
    exact = rtol == 0 and atol == 0
    if a.ndim == 0:  # reported as two numbers, as PyTorch does
        _scalar_mismatch(a.item(), e.item(), rtol, atol, path)
    with np.errstate(divide="ignore", invalid="ignore"):  # (inf - inf, x / 0)
        abs_diff = np.abs(a64 - e64)
        rel_diff = abs_diff / np.abs(e64)
    abs_diff[close], rel_diff[close] = 0, 0  # (the greatest differences among the mismatches)
    where_abs = np.unravel_index(np.argmax(abs_diff), a.shape)
    where_rel = np.unravel_index(np.argmax(rel_diff), a.shape)
    bad, total = int(close.size - close.sum()), close.size
    allowed_abs = "" if exact else f" (up to {atol} allowed)"
    allowed_rel = "" if exact else f" (up to {rtol} allowed)"
    raise _Mismatch(
        f"Tensor-likes are not {'equal' if exact else 'close'}!\n\n"
        f"Mismatched elements: {bad} / {total} ({100 * bad / total:.1f}%)\n"
        f"Greatest absolute difference: {_number(abs_diff[where_abs], a.dtype)} at index "
        f"{tuple(int(i) for i in where_abs)}{allowed_abs}\n"
        f"Greatest relative difference: {float(rel_diff[where_rel])} at index "
        f"{tuple(int(i) for i in where_rel)}{allowed_rel}",
        path,
    )


def _compare_numbers(a: Any, e: Any, path: str, options: _Options) -> None:
    if type(a) is not type(e):
        raise _Mismatch(f"The (d)types do not match: {type(a)} != {type(e)}.", path)
    rtol, atol = options.rtol, options.atol
    if rtol is None:
        rtol, atol = (1e-7, 1e-7) if isinstance(a, float) else (0.0, 0.0)
    if isinstance(a, int) and rtol == 0 and atol == 0:
        close = a == e  # exactly (float64 would merge integers above 2^53)
    else:
        close = _close(np.float64(a), np.float64(e), rtol, atol, options.equal_nan)
    if not close:
        _scalar_mismatch(a, e, rtol, atol, path)


def _scalar_mismatch(a: Any, e: Any, rtol: float, atol: float, path: str) -> None:
    """Raise the mismatch of two numbers a (actual) and e (expected)."""
    exact = rtol == 0 and atol == 0
    a64, e64 = np.float64(a), np.float64(e)
    with np.errstate(divide="ignore", invalid="ignore"):
        abs_diff = abs(a64 - e64)
        rel_diff = abs_diff / abs(e64)
    raise _Mismatch(
        f"Scalars are not {'equal' if exact else 'close'}!\n\nExpected {e} but got {a}.\n"
        f"Absolute difference: {_number(abs_diff, type(a))}"
        f"{'' if exact else f' (up to {atol} allowed)'}\n"
        f"Relative difference: {float(rel_diff)}{'' if exact else f' (up to {rtol} allowed)'}",
        path,
    )


def _close(a: Any, e: Any, rtol: float, atol: float, equal_nan: bool) -> Any:
    """a == e or |a - e| <= atol + rtol |e| for a finite e (elementwise: an infinity is close
    only to itself), and NaN == NaN if `equal_nan`."""
    with np.errstate(invalid="ignore"):
        close = (a == e) | (np.isfinite(e) & (np.abs(a - e) <= atol + rtol * np.abs(e)))
    if equal_nan:
        close = close | (np.isnan(a) & np.isnan(e))
    return close


def _tolerances(*arrays: np.ndarray) -> tuple[float, float]:
    """The looser of the dtypes' default (rtol, atol); exact for integers and bools."""
    pairs = [_TOLERANCES.get(a.dtype, (0.0, 0.0)) for a in arrays]
    return max(p[0] for p in pairs), max(p[1] for p in pairs)


def _number(value: Any, kind: Any) -> Any:
    """A difference as the inputs' kind of number (1 for integers, 0.5 for floats)."""
    integral = kind in (int, bool) or (isinstance(kind, np.dtype) and kind.kind in "biu")
    return int(value) if integral and np.isfinite(value) else float(value)


def _strides(a: np.ndarray) -> tuple[int, ...]:
    """Strides in elements, as PyTorch's stride()."""
    return tuple(s // a.itemsize for s in a.strides) if a.itemsize else a.strides


def _is_tensor_like(x: Any) -> bool:
    return isinstance(x, (Tensor, np.ndarray, np.generic))  # (NumPy scalars: 0-d arrays)


def _is_number(x: Any) -> bool:
    return isinstance(x, (bool, int, float))


def _is_sequence(x: Any) -> bool:
    return isinstance(x, Sequence) and not isinstance(x, (str, bytes))


def _at(path: str) -> str:
    return f" at item {path}" if path else ""
