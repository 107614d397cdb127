"""Initialisers, with PyTorch's fan and gain conventions; each fills a tensor in place.

For a weight of shape (out, in, *kernel), fan_in = in * prod(kernel) and
fan_out = out * prod(kernel). Randomness comes from the package generator (`td.manual_seed`).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..grad_mode import no_grad
from ..rng import generator
from ..tensor import Tensor

__all__ = [
    "calculate_gain", "zeros_", "ones_", "constant_", "normal_", "uniform_", "xavier_uniform_",
    "xavier_normal_", "kaiming_uniform_", "kaiming_normal_",
]  # fmt: skip


_REALS = (int, float, np.integer, np.floating)


def _tensor(tensor: Any, what: str, random: bool = False) -> Tensor:
    """`tensor`, checked to be a Tensor (and, for random values, a floating one)."""
    if not isinstance(tensor, Tensor):
        raise TypeError(f"{what}: expected a Tensor to fill, got {type(tensor).__name__}")
    if random and tensor.dtype.kind != "f":
        raise TypeError(f"{what}: random values need a floating tensor, got dtype {tensor.dtype}")
    return tensor


def _real(value: Any, what: str, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, _REALS):
        raise TypeError(f"{what}: {name} must be a number, got {value!r}")
    return float(value)


def _fill(tensor: Tensor, values: Any) -> Tensor:
    """Write `values` into `tensor` in place (under no_grad, so parameters allow it)."""
    with no_grad():
        tensor.copy_(Tensor._make(np.asarray(values, dtype=tensor.dtype), None))
    return tensor


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The recommended gain for a nonlinearity: 1 for linear/sigmoid, 5/3 for tanh, sqrt(2) for
    relu, sqrt(2 / (1 + a^2)) for leaky_relu with slope a (0.01 unless given), 3/4 for selu."""
    linear = ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
              "conv_transpose3d", "sigmoid")  # fmt: skip
    if nonlinearity in linear:
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else param
        if isinstance(slope, bool) or not isinstance(slope, (int, float)):
            raise ValueError(f"calculate_gain: negative_slope {slope!r} is not a number")
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"calculate_gain: unsupported nonlinearity {nonlinearity!r}")


def _fans(tensor: Tensor, what: str) -> tuple[int, int]:
    """(fan_in, fan_out) of a weight of shape (out, in, *kernel)."""
    if tensor.ndim < 2:
        raise ValueError(
            f"{what}: fan in and fan out need a tensor of 2 or more dims, got shape {tensor.shape}"
        )
    receptive = int(np.prod(tensor.shape[2:]))
    return tensor.shape[1] * receptive, tensor.shape[0] * receptive


def _fan(tensor: Tensor, mode: str, what: str) -> int:
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"{what}: mode must be 'fan_in' or 'fan_out', got {mode!r}")
    fan_in, fan_out = _fans(tensor, what)
    return fan_in if mode == "fan_in" else fan_out


def zeros_(tensor: Tensor) -> Tensor:
    """Fill `tensor` with 0 in place (without recording a graph)."""
    return _fill(_tensor(tensor, "zeros_"), 0)


def ones_(tensor: Tensor) -> Tensor:
    """Fill `tensor` with 1 in place (without recording a graph)."""
    return _fill(_tensor(tensor, "ones_"), 1)


def constant_(tensor: Tensor, val: float) -> Tensor:
    """Fill `tensor` with `val` in place (without recording a graph)."""
    _tensor(tensor, "constant_")
    if not isinstance(val, (bool, np.bool_)):
        _real(val, "constant_", "val")
    return _fill(tensor, val)


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0) -> Tensor:
    """Samples of N(mean, std^2)."""
    return _normal(tensor, mean, std, "normal_")


def _normal(tensor: Tensor, mean: float, std: float, what: str) -> Tensor:
    _tensor(tensor, what, random=True)
    mean, std = _real(mean, what, "mean"), _real(std, what, "std")
    if not std >= 0:
        raise ValueError(f"{what}: std must be >= 0, got {std}")
    return _fill(tensor, generator().normal(mean, std, tensor.shape))


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0) -> Tensor:
    """Samples of U(a, b)."""
    return _uniform(tensor, a, b, "uniform_")


def _uniform(tensor: Tensor, a: float, b: float, what: str) -> Tensor:
    _tensor(tensor, what, random=True)
    a, b = _real(a, what, "a"), _real(b, what, "b")
    if not (math.isfinite(a) and math.isfinite(b)):
        raise ValueError(f"{what}: the bounds must be finite, got a={a}, b={b}")
    if not a <= b:
        raise ValueError(f"{what}: need a <= b, got a={a}, b={b}")
    return _fill(tensor, generator().uniform(a, b, tensor.shape))


def _gain(gain: Any, what: str) -> float:
    """A gain >= 0 (PyTorch refuses a negative one too, as a range with from > to)."""
    if not _real(gain, what, "gain") >= 0:
        raise ValueError(f"{what}: gain must be >= 0, got {gain}")
    return float(gain)


def xavier_uniform_(tensor: Tensor, gain: float = 1.0) -> Tensor:
    """U(-bound, bound) with bound = gain * sqrt(6 / (fan_in + fan_out))  (Glorot and Bengio)."""
    what = "xavier_uniform_"
    fan_in, fan_out = _fans(_tensor(tensor, what, random=True), what)
    bound = _gain(gain, what) * math.sqrt(6.0 / (fan_in + fan_out))
    return _uniform(tensor, -bound, bound, what)


def xavier_normal_(tensor: Tensor, gain: float = 1.0) -> Tensor:
    """N(0, std^2) with std = gain * sqrt(2 / (fan_in + fan_out))."""
    what = "xavier_normal_"
    fan_in, fan_out = _fans(_tensor(tensor, what, random=True), what)
    return _normal(tensor, 0.0, _gain(gain, what) * math.sqrt(2.0 / (fan_in + fan_out)), what)


def kaiming_uniform_(
    tensor: Tensor, a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu"
) -> Tensor:
    """U(-bound, bound) with bound = gain * sqrt(3 / fan)  (He et al.); `a` is the leaky_relu
    slope for the gain, `mode` picks fan_in (keeps forward variance) or fan_out (backward)."""
    what = "kaiming_uniform_"
    fan = _fan(_tensor(tensor, what, random=True), mode, what)
    bound = calculate_gain(nonlinearity, a) * math.sqrt(3.0 / fan) if fan else 0.0
    return _uniform(tensor, -bound, bound, what)


def kaiming_normal_(
    tensor: Tensor, a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu"
) -> Tensor:
    """N(0, std^2) with std = gain / sqrt(fan)."""
    what = "kaiming_normal_"
    fan = _fan(_tensor(tensor, what, random=True), mode, what)
    std = calculate_gain(nonlinearity, a) / math.sqrt(fan) if fan else 0.0
    return _normal(tensor, 0.0, std, what)
