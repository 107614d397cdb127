"""Window functions for spectral analysis, as PyTorch's `torch.*_window`.

Each is a 1-D tensor w[n], n = 0..N-1, of a symmetric window of length N (`periodic=False`),
or, by default (`periodic=True`), the first N values of the symmetric window of length N + 1
(the window for an N-point DFT). Lengths 0 and 1 give [] and [1]. Values are computed in
float64 and cast to `dtype` (the default float dtype when None), which must be floating.
`device`, `layout` and `pin_memory` are checked as every factory's (the CPU only: device.py).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..device import check_factory
from ..dtypes import get_default_dtype, resolve_dtype
from ..tensor import Tensor, _is_int

__all__ = ["hann_window", "hamming_window", "blackman_window", "bartlett_window", "kaiser_window"]


def _window(
    what: str,
    window_length: Any,
    periodic: bool,
    dtype: Any,
    requires_grad: bool,
    symmetric: Any,
) -> Tensor:
    """The window `symmetric(n, m)` (n = 0..m-1 as float64, m the symmetric length), checked
    and shaped as PyTorch's: lengths 0 and 1 give [] and [1]; periodic drops the last of m."""
    if isinstance(window_length, bool) or not _is_int(window_length):
        raise TypeError(f"{what}: window_length must be an int, got {window_length!r}")
    if window_length < 0:
        raise RuntimeError(
            f"{what} requires non-negative window_length, got window_length={window_length}"
        )
    dt = get_default_dtype() if dtype is None else resolve_dtype(dtype, what)
    if dt.kind != "f":
        raise RuntimeError(f"{what} expects floating point dtypes, got: {dt}")
    n = int(window_length)
    if n <= 1:
        values = np.ones(n)
    else:
        m = n + 1 if periodic else n
        values = symmetric(np.arange(m, dtype=np.float64), m)[:n]
    return Tensor(values.astype(dt), requires_grad=requires_grad)


def hamming_window(
    window_length: int,
    periodic: bool = True,
    alpha: float = 0.54,
    beta: float = 0.46,
    *,
    dtype: Any = None,
    requires_grad: bool = False,
    device: Any = None,
    layout: Any = None,
    pin_memory: bool = False,
) -> Tensor:
    """w[n] = alpha - beta cos(2 pi n / (M - 1)), M the symmetric length (Hamming's
    alpha = 0.54, beta = 0.46 by default)."""
    check_factory("hamming_window", device, layout, pin_memory)
    return _window(
        "hamming_window",
        window_length,
        periodic,
        dtype,
        requires_grad,
        lambda k, m: alpha - beta * np.cos(2 * math.pi * k / (m - 1)),
    )


def hann_window(
    window_length: int,
    periodic: bool = True,
    *,
    dtype: Any = None,
    requires_grad: bool = False,
    device: Any = None,
    layout: Any = None,
    pin_memory: bool = False,
) -> Tensor:
    """w[n] = 0.5 - 0.5 cos(2 pi n / (M - 1)) = sin^2(pi n / (M - 1)), M the symmetric length."""
    check_factory("hann_window", device, layout, pin_memory)
    return _window(
        "hann_window",
        window_length,
        periodic,
        dtype,
        requires_grad,
        lambda k, m: 0.5 - 0.5 * np.cos(2 * math.pi * k / (m - 1)),
    )


def blackman_window(
    window_length: int,
    periodic: bool = True,
    *,
    dtype: Any = None,
    requires_grad: bool = False,
    device: Any = None,
    layout: Any = None,
    pin_memory: bool = False,
) -> Tensor:
    """w[n] = 0.42 - 0.5 cos(2 pi n / (M - 1)) + 0.08 cos(4 pi n / (M - 1))."""
    check_factory("blackman_window", device, layout, pin_memory)

    def blackman(k: np.ndarray, m: int) -> np.ndarray:
        x = 2 * math.pi * k / (m - 1)
        return 0.42 - 0.5 * np.cos(x) + 0.08 * np.cos(2 * x)

    return _window("blackman_window", window_length, periodic, dtype, requires_grad, blackman)


def bartlett_window(
    window_length: int,
    periodic: bool = True,
    *,
    dtype: Any = None,
    requires_grad: bool = False,
    device: Any = None,
    layout: Any = None,
    pin_memory: bool = False,
) -> Tensor:
    """The triangle w[n] = 1 - |2n / (M - 1) - 1|."""
    check_factory("bartlett_window", device, layout, pin_memory)
    return _window(
        "bartlett_window",
        window_length,
        periodic,
        dtype,
        requires_grad,
        lambda k, m: 1 - np.abs(2 * k / (m - 1) - 1),
    )


def kaiser_window(
    window_length: int,
    periodic: bool = True,
    beta: float = 12.0,
    *,
    dtype: Any = None,
    requires_grad: bool = False,
    device: Any = None,
    layout: Any = None,
    pin_memory: bool = False,
) -> Tensor:
    """w[n] = I0(beta sqrt(1 - ((n - c) / c)^2)) / I0(beta), c = (M - 1) / 2, with I0 the
    modified Bessel function (`td.special.i0`)."""
    check_factory("kaiser_window", device, layout, pin_memory)
    from ..torch_api.special import i0

    def kaiser(k: np.ndarray, m: int) -> np.ndarray:
        c = (m - 1) / 2
        r = np.sqrt(np.clip(1 - ((k - c) / c) ** 2, 0.0, None))
        return i0(Tensor(beta * r)).data / i0(Tensor(np.float64(beta))).data

    return _window("kaiser_window", window_length, periodic, dtype, requires_grad, kaiser)
