"""Initialisers, with PyTorch's fan and gain conventions; each fills a tensor in place.

For a weight of shape (out, in, *kernel), fan_in = in * prod(kernel) and
fan_out = out * prod(kernel). Randomness comes from `generator=` (a td.Generator), as in
PyTorch, or else the package generator (`td.manual_seed`).
"""

from __future__ import annotations

import functools
import math
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from ..grad_mode import no_grad
from ..rng import generator as resolve
from ..tensor import Tensor, _is_int

__all__ = [
    "calculate_gain", "zeros_", "ones_", "constant_", "normal_", "uniform_", "xavier_uniform_",
    "xavier_normal_", "kaiming_uniform_", "kaiming_normal_", "trunc_normal_", "orthogonal_",
    "eye_", "dirac_", "sparse_",
    # PyTorch's deprecated names without the underscore (a FutureWarning, then the same)
    "normal", "uniform", "constant", "xavier_uniform", "xavier_normal", "kaiming_uniform",
    "kaiming_normal", "orthogonal", "sparse", "dirac", "eye",
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


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0,
            generator: Any = None) -> Tensor:  # fmt: skip
    """Samples of N(mean, std^2)."""
    return _normal(tensor, mean, std, generator, "normal_")


def _normal(tensor: Tensor, mean: float, std: float, generator: Any, what: str) -> Tensor:
    _tensor(tensor, what, random=True)
    rng = resolve(generator, what)
    mean, std = _real(mean, what, "mean"), _real(std, what, "std")
    if not std >= 0:
        raise ValueError(f"{what}: std must be >= 0, got {std}")
    return _fill(tensor, rng.normal(mean, std, tensor.shape))


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0,
             generator: Any = None) -> Tensor:  # fmt: skip
    """Samples of U(a, b)."""
    return _uniform(tensor, a, b, generator, "uniform_")


def _uniform(tensor: Tensor, a: float, b: float, generator: Any, what: str) -> Tensor:
    _tensor(tensor, what, random=True)
    rng = resolve(generator, what)
    a, b = _real(a, what, "a"), _real(b, what, "b")
    if not (math.isfinite(a) and math.isfinite(b)):
        raise ValueError(f"{what}: the bounds must be finite, got a={a}, b={b}")
    if not a <= b:
        raise ValueError(f"{what}: need a <= b, got a={a}, b={b}")
    return _fill(tensor, rng.uniform(a, b, tensor.shape))


def _gain(gain: Any, what: str) -> float:
    """A gain >= 0 (PyTorch refuses a negative one too, as a range with from > to)."""
    if not _real(gain, what, "gain") >= 0:
        raise ValueError(f"{what}: gain must be >= 0, got {gain}")
    return float(gain)


def xavier_uniform_(tensor: Tensor, gain: float = 1.0, generator: Any = None) -> Tensor:
    """U(-bound, bound) with bound = gain * sqrt(6 / (fan_in + fan_out))  (Glorot and Bengio)."""
    what = "xavier_uniform_"
    fan_in, fan_out = _fans(_tensor(tensor, what, random=True), what)
    bound = _gain(gain, what) * math.sqrt(6.0 / (fan_in + fan_out))
    return _uniform(tensor, -bound, bound, generator, what)


def xavier_normal_(tensor: Tensor, gain: float = 1.0, generator: Any = None) -> Tensor:
    """N(0, std^2) with std = gain * sqrt(2 / (fan_in + fan_out))."""
    what = "xavier_normal_"
    fan_in, fan_out = _fans(_tensor(tensor, what, random=True), what)
    std = _gain(gain, what) * math.sqrt(2.0 / (fan_in + fan_out))
    return _normal(tensor, 0.0, std, generator, what)


def kaiming_uniform_(
    tensor: Tensor,
    a: float = 0.0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    generator: Any = None,
) -> Tensor:
    """U(-bound, bound) with bound = gain * sqrt(3 / fan)  (He et al.); `a` is the leaky_relu
    slope for the gain, `mode` picks fan_in (keeps forward variance) or fan_out (backward)."""
    what = "kaiming_uniform_"
    fan = _fan(_tensor(tensor, what, random=True), mode, what)
    bound = calculate_gain(nonlinearity, a) * math.sqrt(3.0 / fan) if fan else 0.0
    return _uniform(tensor, -bound, bound, generator, what)


def kaiming_normal_(
    tensor: Tensor,
    a: float = 0.0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    generator: Any = None,
) -> Tensor:
    """N(0, std^2) with std = gain / sqrt(fan)."""
    what = "kaiming_normal_"
    fan = _fan(_tensor(tensor, what, random=True), mode, what)
    std = calculate_gain(nonlinearity, a) / math.sqrt(fan) if fan else 0.0
    return _normal(tensor, 0.0, std, generator, what)


# ---------------------------------------------------------------------------------------------
# truncated normal, orthogonal, identities, sparse
# ---------------------------------------------------------------------------------------------


def _truncated_normal(
    n: int, mean: float, std: float, a: float, b: float, rng: np.random.Generator
) -> np.ndarray:
    """n samples of N(mean, std^2) conditioned on [a, b], by rejection: from the normal when
    the interval holds much of its mass, else uniform proposals on [a, b] accepted with
    probability exp(-(x - mean)^2 / (2 std^2)) / its maximum on [a, b]."""
    if std == 0 or a == b:
        return np.full(n, min(max(mean, a), b))
    lo, hi = (a - mean) / std, (b - mean) / std
    mass = (math.erf(hi / math.sqrt(2)) - math.erf(lo / math.sqrt(2))) / 2
    uniform = mass < 0.1 and math.isfinite(a) and math.isfinite(b)
    peak = min(max(0.0, lo), hi)  # where the density is highest on [lo, hi]
    out = np.empty(n)
    filled = 0
    while filled < n:
        want = n - filled
        if uniform:
            z = rng.uniform(lo, hi, 2 * want + 16)
            z = z[rng.uniform(size=z.size) < np.exp((peak**2 - z**2) / 2)]
        else:
            z = rng.standard_normal(int(want / max(mass, 1e-3)) + 16)
            z = z[(z >= lo) & (z <= hi)]
        take = z[:want]
        out[filled : filled + take.size] = take
        filled += take.size
    return np.clip(mean + std * out, a, b)


def trunc_normal_(
    tensor: Tensor,
    mean: float = 0.0,
    std: float = 1.0,
    a: float = -2.0,
    b: float = 2.0,
    generator: Any = None,
) -> Tensor:
    """Samples of N(mean, std^2) truncated to [a, b] (absolute bounds, as PyTorch's: a = -2,
    b = 2 are two standard deviations only when std = 1): values outside are redrawn."""
    what = "trunc_normal_"
    _tensor(tensor, what, random=True)
    rng = resolve(generator, what)
    mean, std = _real(mean, what, "mean"), _real(std, what, "std")
    a, b = _real(a, what, "a"), _real(b, what, "b")
    if not std >= 0 or not math.isfinite(std):
        raise ValueError(f"{what}: std must be a finite number >= 0, got {std}")
    if not a <= b:
        raise ValueError(f"{what}: need a <= b, got a={a}, b={b}")
    if not math.isfinite(mean):
        raise ValueError(f"{what}: mean must be finite, got {mean}")
    values = _truncated_normal(int(np.prod(tensor.shape)), mean, std, a, b, rng)
    return _fill(tensor, values.reshape(tensor.shape))


def orthogonal_(tensor: Tensor, gain: float = 1.0, generator: Any = None) -> Tensor:
    """A (semi-)orthogonal matrix times `gain` (Saxe et al., 2013): the Q of the QR
    decomposition of a standard normal matrix, its signs fixed by R's diagonal so that Q is
    uniformly (Haar) distributed. A tensor of more than 2 dims is viewed as (shape[0], rest):
    its rows are orthonormal if shape[0] <= rest, else its columns are."""
    what = "orthogonal_"
    _tensor(tensor, what, random=True)
    rng = resolve(generator, what)
    if tensor.ndim < 2:
        raise ValueError(f"{what}: needs a tensor of 2 or more dims, got shape {tensor.shape}")
    gain = _gain(gain, what)
    if tensor.data.size == 0:
        return tensor
    rows = tensor.shape[0]
    cols = tensor.data.size // rows
    flat = rng.standard_normal((rows, cols))
    if rows < cols:
        flat = flat.T
    q, r = np.linalg.qr(flat)
    q *= np.sign(np.diag(r))
    if rows < cols:
        q = q.T
    return _fill(tensor, (q * gain).reshape(tensor.shape))


def eye_(tensor: Tensor) -> Tensor:
    """Fill a 2-D tensor with the identity (ones on the main diagonal), preserving the identity
    of a Linear layer's inputs."""
    _tensor(tensor, "eye_")
    if tensor.ndim != 2:
        raise ValueError(f"eye_: needs a 2-D tensor, got shape {tensor.shape}")
    return _fill(tensor, np.eye(*tensor.shape))


def dirac_(tensor: Tensor, groups: int = 1) -> Tensor:
    """Fill a 3-, 4- or 5-D convolution weight (out, in, *kernel) with the Dirac delta: output
    channel i of each of `groups` groups copies input channel i at the kernel's centre, so
    the convolution preserves as many input channels as it can."""
    _tensor(tensor, "dirac_")
    if tensor.ndim not in (3, 4, 5):
        raise ValueError(f"dirac_: needs a 3-, 4- or 5-D tensor, got shape {tensor.shape}")
    if not _is_int(groups) or groups < 1:
        raise ValueError(f"dirac_: groups must be an int >= 1, got {groups!r}")
    if tensor.shape[0] % groups:
        raise ValueError(
            f"dirac_: dim 0 of shape {tensor.shape} is not divisible by groups={groups}"
        )
    per_group = tensor.shape[0] // groups
    values = np.zeros(tensor.shape)
    centre = tuple(k // 2 for k in tensor.shape[2:])
    for g in range(groups):
        for d in range(min(per_group, tensor.shape[1])):
            values[(g * per_group + d, d, *centre)] = 1
    return _fill(tensor, values)


def sparse_(tensor: Tensor, sparsity: float, std: float = 0.01, generator: Any = None) -> Tensor:
    """Fill a 2-D tensor with samples of N(0, std^2), then zero ceil(sparsity * rows) randomly
    chosen entries of each column (Martens, 2010)."""
    what = "sparse_"
    _tensor(tensor, what, random=True)
    rng = resolve(generator, what)
    if tensor.ndim != 2:
        raise ValueError(f"{what}: needs a 2-D tensor, got shape {tensor.shape}")
    sparsity, std = _real(sparsity, what, "sparsity"), _real(std, what, "std")
    if not 0 <= sparsity <= 1:
        raise ValueError(f"{what}: sparsity must be in [0, 1], got {sparsity}")
    if not std >= 0:
        raise ValueError(f"{what}: std must be >= 0, got {std}")
    rows, cols = tensor.shape
    values = rng.normal(0.0, std, (rows, cols))
    zeros = math.ceil(sparsity * rows)
    for col in range(cols):
        values[rng.permutation(rows)[:zeros], col] = 0
    return _fill(tensor, values)


# ---------------------------------------------------------------------------------------------
# deprecated aliases: PyTorch's names from before in-place functions took a trailing underscore
# ---------------------------------------------------------------------------------------------


def _deprecated(function: Callable[..., Tensor]) -> Callable[..., Tensor]:
    """`function` under its old name (without the trailing underscore), with PyTorch's
    FutureWarning on each call."""
    new_name = function.__name__
    old_name = new_name[:-1]

    @functools.wraps(function)
    def deprecated(*args: Any, **kwargs: Any) -> Tensor:
        warnings.warn(
            f"`nn.init.{old_name}` is now deprecated in favor of `nn.init.{new_name}`.",
            FutureWarning,
            stacklevel=2,
        )
        return function(*args, **kwargs)

    deprecated.__name__ = deprecated.__qualname__ = old_name
    deprecated.__doc__ = f"Deprecated: `{new_name}` (a FutureWarning, as in PyTorch)."
    return deprecated


normal = _deprecated(normal_)
uniform = _deprecated(uniform_)
constant = _deprecated(constant_)
xavier_uniform = _deprecated(xavier_uniform_)
xavier_normal = _deprecated(xavier_normal_)
kaiming_uniform = _deprecated(kaiming_uniform_)
kaiming_normal = _deprecated(kaiming_normal_)
orthogonal = _deprecated(orthogonal_)
sparse = _deprecated(sparse_)
dirac = _deprecated(dirac_)
eye = _deprecated(eye_)
