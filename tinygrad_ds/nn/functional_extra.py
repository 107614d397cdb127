"""More of `nn.functional`, composed of existing Tensor operations (gradients come free):
gumbel_softmax, rrelu, pdist, channel_shuffle, feature_alpha_dropout, the in-place
activations (relu_, elu_, ...), the deprecated upsample, upsample_nearest and upsample_bilinear,
and the modules RReLU, ChannelShuffle and FeatureAlphaDropout.
Random draws use the package's generator (`td.manual_seed`). embedding_bag is in
embedding_bag.py, grid_sample and affine_grid in grid.py.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..rng import generator
from ..tensor import Tensor, _axis1
from ..tensor import constant as _const
from ..torch_api.inplace_methods import written
from . import functional as F
from .dropout import _ALPHA_PRIME, _check_dropout, _DropoutNd, _in_place
from .module import Module, check_int, check_real

__all__ = [
    "gumbel_softmax", "rrelu", "pdist", "channel_shuffle", "feature_alpha_dropout", "relu_",
    "elu_", "leaky_relu_", "hardtanh_", "selu_", "celu_", "threshold_", "rrelu_", "RReLU",
    "ChannelShuffle", "FeatureAlphaDropout", "upsample", "upsample_nearest", "upsample_bilinear",
]  # fmt: skip

# ---------------------------------------------------------------------------------------------
# gumbel_softmax, rrelu, pdist, channel_shuffle, feature_alpha_dropout
# ---------------------------------------------------------------------------------------------


def gumbel_softmax(
    logits: Tensor, tau: float = 1.0, hard: bool = False, eps: float = 1e-10, dim: int = -1
) -> Tensor:
    """softmax((logits + g) / tau) along `dim`, g ~ Gumbel(0, 1) drawn as -log E with
    E ~ Exponential(1) (Jang et al. 2017, eq. 1). With `hard`, the one-hot of its argmax in
    value, with the soft sample's gradient (straight-through: y_hard - y_soft.detach() +
    y_soft). `eps` is unused, as in PyTorch."""
    tau = check_real(tau, "gumbel_softmax", "tau")
    if not tau > 0:
        raise ValueError(f"gumbel_softmax: tau must be > 0, got {tau}")
    x = F._float(logits, "gumbel_softmax")
    if x.ndim == 0:
        raise ValueError("gumbel_softmax: logits must have at least one dim, got a 0-d tensor")
    axis = _axis1(check_int(dim, "gumbel_softmax", "dim"), x.ndim, "gumbel_softmax")
    gumbels = -np.log(generator().standard_exponential(x.shape)).astype(x.dtype)
    y_soft = ((x + _const(gumbels)) / tau).softmax(axis)
    if not hard:
        return y_soft
    top = np.argmax(y_soft.data, axis=axis)
    y_hard = np.zeros(x.shape, dtype=x.dtype)
    np.put_along_axis(y_hard, np.expand_dims(top, axis), 1.0, axis=axis)
    return _const(y_hard) - y_soft.detach() + y_soft


def _bounds(lower: Any, upper: Any, who: str) -> tuple[float, float]:
    lower, upper = check_real(lower, who, "lower"), check_real(upper, who, "upper")
    if lower > upper:
        raise ValueError(f"{who}: lower must be <= upper, got lower={lower}, upper={upper}")
    return lower, upper


def _rrelu(x: Tensor, lower: float, upper: float, training: bool) -> Tensor:
    if training:
        slope = _const(generator().uniform(lower, upper, x.shape).astype(x.dtype))
    else:
        slope = (lower + upper) / 2
    return F._mask(x, x.data >= 0, x, x * slope)


def rrelu(
    input: Tensor,
    lower: float = 1.0 / 8,
    upper: float = 1.0 / 3,
    training: bool = False,
    inplace: bool = False,
) -> Tensor:
    """Randomised leaky relu (Xu et al. 2015): x for x >= 0, a x below, with a ~ U(lower,
    upper) drawn per element in training and a = (lower + upper) / 2 in evaluation;
    d/dx = a below 0, 1 above. `inplace=True` writes the result into input (see nn.functional)."""
    lower, upper = _bounds(lower, upper, "rrelu")
    if inplace:
        return _in_place(input, "rrelu", lambda a: _rrelu(a, lower, upper, bool(training)))
    return _rrelu(F._float(input, "rrelu"), lower, upper, bool(training))


def pdist(input: Tensor, p: float = 2.0) -> Tensor:
    """The p-norm distances ||x_i - x_j||_p between the rows of input (N, M), for i < j in
    row-major order: N (N - 1) / 2 values (the upper triangle of cdist(x, x)). The gradient
    of a zero distance is 0, as PyTorch's."""
    x = F._float(input, "pdist")
    p = check_real(p, "pdist", "p")
    if x.ndim != 2:
        raise ValueError(f"pdist: input must be 2-D (N, M), got shape {x.shape}")
    if p < 0:
        raise ValueError(f"pdist: p must be >= 0, got {p}")
    i, j = np.triu_indices(x.shape[0], 1)
    if i.size == 0:
        return _const(np.zeros(0, dtype=x.dtype))
    return (x[i] - x[j]).norm(p, 1)


def channel_shuffle(input: Tensor, groups: int) -> Tensor:
    """Channels (dim 1) of (N, C, *) input regrouped (Zhang et al. 2017, ShuffleNet): seen as
    (groups, C / groups), transposed and flattened, so channel g * (C / groups) + k moves to
    k * groups + g."""
    x = F._t(input, "channel_shuffle")
    groups = check_int(groups, "channel_shuffle", "groups")
    if x.ndim < 3:
        raise ValueError(f"channel_shuffle: input must have more than 2 dims, got shape {x.shape}")
    if groups <= 0 or x.shape[1] % groups:
        raise ValueError(
            f"channel_shuffle: the {x.shape[1]} channels must split into groups={groups} "
            "equal groups"
        )
    n, c, rest = x.shape[0], x.shape[1], x.shape[2:]
    return x.reshape(n, groups, c // groups, *rest).transpose(1, 2).reshape(n, c, *rest)


def feature_alpha_dropout(
    input: Tensor, p: float = 0.5, training: bool = False, inplace: bool = False
) -> Tensor:
    """alpha_dropout with one draw per channel: whole channels (dim 1) of (N, C, *) input
    become selu's saturation value -alpha' = -1.7581, then all are scaled and shifted as in
    `alpha_dropout` to keep zero mean and unit variance. The identity when not training."""
    x = _check_dropout(input, p, training, "feature_alpha_dropout")
    if x.ndim < 2:
        raise ValueError(
            f"feature_alpha_dropout: input must have at least 2 dims (N, C, *), got shape {x.shape}"
        )
    if not training or p == 0:
        return x
    if inplace:
        return _in_place(
            input, "feature_alpha_dropout", lambda a: feature_alpha_dropout(a, p, True)
        )
    if p == 1.0:
        return x * 0.0
    shape = x.shape[:2] + (1,) * (x.ndim - 2)
    m = (generator().random(shape) >= p).astype(x.dtype)
    a = 1.0 / math.sqrt((_ALPHA_PRIME**2 * p + 1) * (1 - p))
    shift = ((m - 1) * _ALPHA_PRIME * a + _ALPHA_PRIME * a * p).astype(x.dtype)
    return x * _const((m * a).astype(x.dtype)) + _const(shift)


# ---------------------------------------------------------------------------------------------
# in-place activations: the function's value written back into input (Tensor's `written`)
# ---------------------------------------------------------------------------------------------


def _inplace(input: Any, what: str) -> Tensor:
    if not isinstance(input, Tensor):
        raise TypeError(f"{what}: input must be a Tensor, got {type(input).__name__}")
    return input


def relu_(input: Tensor) -> Tensor:
    """relu, in place: input <- max(input, 0)."""
    return written(_inplace(input, "relu_"), "relu_", F.relu)


def elu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    """elu, in place."""
    alpha = check_real(alpha, "elu_", "alpha")
    return written(_inplace(input, "elu_"), "elu_", lambda a: F.elu(a, alpha))


def leaky_relu_(input: Tensor, negative_slope: float = 0.01) -> Tensor:
    """leaky_relu, in place."""
    slope = check_real(negative_slope, "leaky_relu_", "negative_slope")
    return written(_inplace(input, "leaky_relu_"), "leaky_relu_", lambda a: a.leaky_relu(slope))


def hardtanh_(input: Tensor, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    """hardtanh, in place."""
    return written(_inplace(input, "hardtanh_"), "hardtanh_",
                   lambda a: F.hardtanh(a, min_val, max_val))  # fmt: skip


def selu_(input: Tensor) -> Tensor:
    """selu, in place."""
    return written(_inplace(input, "selu_"), "selu_", F.selu)


def celu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    """celu, in place."""
    return written(_inplace(input, "celu_"), "celu_", lambda a: F.celu(a, alpha))


def threshold_(input: Tensor, threshold: float, value: float) -> Tensor:
    """threshold, in place: input <- input where input > threshold, else value."""
    return written(_inplace(input, "threshold_"), "threshold_",
                   lambda a: F.threshold(a, threshold, value))  # fmt: skip


def rrelu_(
    input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False
) -> Tensor:
    """rrelu, in place (random slopes in training, their mean otherwise)."""
    lower, upper = _bounds(lower, upper, "rrelu_")
    return written(_inplace(input, "rrelu_"), "rrelu_",
                   lambda a: _rrelu(a, lower, upper, bool(training)))  # fmt: skip


# ---------------------------------------------------------------------------------------------
# the deprecated upsampling functions: interpolate, with PyTorch's warning
# ---------------------------------------------------------------------------------------------


def _deprecated(name: str) -> None:
    warnings.warn(
        f"`nn.functional.{name}` is deprecated. Use `nn.functional.interpolate` instead.",
        UserWarning,
        stacklevel=3,
    )


def upsample(
    input: Tensor,
    size: int | Sequence[int] | None = None,
    scale_factor: float | Sequence[float] | None = None,
    mode: str = "nearest",
    align_corners: bool | None = None,
) -> Tensor:
    """`interpolate(input, size, scale_factor, mode, align_corners)`, deprecated (it warns)."""
    _deprecated("upsample")
    return F.interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(
    input: Tensor,
    size: int | Sequence[int] | None = None,
    scale_factor: float | Sequence[float] | None = None,
) -> Tensor:
    """`interpolate(input, size, scale_factor, mode="nearest")`, deprecated (it warns)."""
    _deprecated("upsample_nearest")
    return F.interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(
    input: Tensor,
    size: int | Sequence[int] | None = None,
    scale_factor: float | Sequence[float] | None = None,
) -> Tensor:
    """`interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)` (the
    corners' centres kept in place, as PyTorch's), deprecated (it warns)."""
    _deprecated("upsample_bilinear")
    return F.interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


# ---------------------------------------------------------------------------------------------
# modules
# ---------------------------------------------------------------------------------------------


class RReLU(Module):
    """F.rrelu as a module: random slopes in [lower, upper] in train mode, their mean in eval."""

    def __init__(self, lower: float = 1.0 / 8, upper: float = 1.0 / 3, inplace: bool = False):
        super().__init__()
        self.lower, self.upper = _bounds(lower, upper, "RReLU")
        self.inplace = bool(inplace)

    def forward(self, x: Tensor) -> Tensor:
        return rrelu(x, self.lower, self.upper, self.training, self.inplace)

    def extra_repr(self) -> str:
        return f"lower={self.lower}, upper={self.upper}" + (
            ", inplace=True" if self.inplace else ""
        )


class ChannelShuffle(Module):
    """F.channel_shuffle as a module."""

    def __init__(self, groups: int) -> None:
        super().__init__()
        self.groups = check_int(groups, "ChannelShuffle", "groups")

    def forward(self, x: Tensor) -> Tensor:
        return channel_shuffle(x, self.groups)

    def extra_repr(self) -> str:
        return f"groups={self.groups}"


class FeatureAlphaDropout(_DropoutNd):
    """F.feature_alpha_dropout as a module: whole channels, in train mode."""

    fn = staticmethod(feature_alpha_dropout)
