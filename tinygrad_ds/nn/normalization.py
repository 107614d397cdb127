"""Normalisation layers: BatchNorm1d and BatchNorm2d (batch statistics, running averages),
LayerNorm and GroupNorm (each example's own statistics), and their functions.

All are composed from Tensor operations, so their gradients need no code of their own.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..grad_mode import no_grad
from ..tensor import Tensor
from .layers import _dtype
from .module import Module, Parameter, check_int, check_real

__all__ = [
    "BatchNorm1d", "BatchNorm2d", "LayerNorm", "GroupNorm", "batch_norm", "layer_norm",
    "group_norm",
]  # fmt: skip


def _normalise(x: Tensor, mean: Tensor, var: Tensor, eps: float) -> Tensor:
    return (x - mean) * (var + eps) ** -0.5


def _scale_shift(y: Tensor, weight: Any, bias: Any, shape: tuple[int, ...] | None = None) -> Tensor:
    """y * weight + bias, each left out when None, and reshaped to `shape` when given (a
    per-channel value, broadcast over the other axes)."""
    if weight is not None:
        y = y * (weight if shape is None else weight.reshape(shape))
    if bias is not None:
        y = y + (bias if shape is None else bias.reshape(shape))
    return y


def _moving_average(buffer: Tensor, value: Any, momentum: float) -> None:
    """buffer <- (1 - momentum) buffer + momentum value, in place and outside the graph (a
    running statistic)."""
    with no_grad():
        buffer.mul_(1 - momentum).add_(value * momentum)


def _eps(eps: Any, what: str, positive: bool = False) -> float:
    """eps as a float >= 0 (> 0 if `positive`): a negative or nan one gives nan silently."""
    eps = check_real(eps, what, "eps")
    if not (eps > 0 if positive else eps >= 0):
        need = "> 0 when training (batch statistics)" if positive else ">= 0"
        raise ValueError(f"{what}: eps must be {need}, got {eps}")
    return eps


def _momentum(momentum: Any, what: str) -> None:
    if not 0.0 <= check_real(momentum, what, "momentum") <= 1.0:
        raise ValueError(f"{what}: momentum must be in [0, 1], got {momentum}")


def _shape(normalized_shape: Any, what: str, allow_int: bool) -> tuple[int, ...]:
    """normalized_shape as a non-empty tuple of ints >= 0."""
    if allow_int and isinstance(normalized_shape, (int, np.integer)):
        normalized_shape = (normalized_shape,)
    if isinstance(normalized_shape, (str, bytes)) or not isinstance(
        normalized_shape, (Sequence, np.ndarray)
    ):
        kind = "an int or a tuple of ints" if allow_int else "a tuple of ints"
        raise TypeError(f"{what}: normalized_shape must be {kind}, got {normalized_shape!r}")
    shape = tuple(check_int(n, what, "normalized_shape") for n in normalized_shape)
    if not shape:
        raise ValueError(f"{what}: normalized_shape must have at least one dim, got ()")
    if min(shape) < 0:
        raise ValueError(f"{what}: normalized_shape must hold sizes >= 0, got {shape}")
    return shape


def layer_norm(
    input: Tensor,
    normalized_shape: Sequence[int],
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """y = (x - mean) / sqrt(var + eps) * weight + bias, with mean and the biased variance
    taken over the last len(normalized_shape) axes of each example."""
    x = input  # PyTorch's name for it
    shape = _shape(normalized_shape, "layer_norm", allow_int=False)
    eps = _eps(eps, "layer_norm")
    if x.ndim < len(shape) or x.shape[x.ndim - len(shape) :] != shape:
        raise ValueError(
            f"layer_norm: input of shape {x.shape} does not end with normalized_shape {shape}"
        )
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and np.shape(t.data if isinstance(t, Tensor) else t) != shape:
            raise ValueError(
                f"layer_norm: {name} of shape {np.shape(t.data if isinstance(t, Tensor) else t)} "
                f"does not match normalized_shape {shape}"
            )
    axes = tuple(range(x.ndim - len(shape), x.ndim))
    mean = x.mean(axis=axes, keepdims=True)
    var = x.var(axis=axes, keepdims=True, correction=0)
    return _scale_shift(_normalise(x, mean, var, eps), weight, bias)


def batch_norm(
    input: Tensor,
    running_mean: Tensor | None,
    running_var: Tensor | None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """Normalise each channel (axis 1) of an (N, C, *) input: (N, C), (N, C, L), (N, C, H, W)...

    Training (or without running statistics): by the batch's mean and biased variance over
    every axis but the channel's, and, under no_grad, running = (1 - momentum) running +
    momentum * batch, with the unbiased variance (n / (n - 1)) as PyTorch keeps. Evaluation:
    by the running statistics. running_mean and running_var have shape (C,), weight and bias
    C values.
    """
    x = input  # PyTorch's name for it
    if x.ndim < 2:
        raise ValueError(
            f"batch_norm: expected an input of shape (N, C, *) with at least 2 dims, got shape "
            f"{x.shape}"
        )
    c = x.shape[1]
    eps = _eps(eps, "batch_norm", positive=training)
    _momentum(momentum, "batch_norm")
    for name, t in (("running_mean", running_mean), ("running_var", running_var)):
        if t is not None and t.shape != (c,):
            raise ValueError(f"batch_norm: {name} must have shape ({c},), one value per channel "
                             f"of the input of shape {x.shape}, got {t.shape}")  # fmt: skip
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and math.prod(t.shape) != c:
            raise ValueError(f"batch_norm: {name} must have {c} values, one per channel of the "
                             f"input of shape {x.shape}, got shape {t.shape}")  # fmt: skip
    axes = (0, *range(2, x.ndim))
    shape = (-1,) + (1,) * (x.ndim - 2)  # a per-channel value, broadcast over the other axes
    if training:
        n = math.prod(x.shape[a] for a in axes)
        if n <= 1:
            raise ValueError(
                f"batch_norm: expected more than 1 value per channel when training, got input "
                f"of shape {x.shape}"
            )
        mean = x.mean(axis=axes, keepdims=True)
        var = x.var(axis=axes, keepdims=True, correction=0)
        if running_mean is not None and running_var is not None:
            _moving_average(running_mean, mean.data.reshape(-1), momentum)
            _moving_average(running_var, var.data.reshape(-1) * (n / (n - 1)), momentum)
    elif running_mean is None or running_var is None:
        raise ValueError("batch_norm: evaluation (training=False) needs the running statistics")
    else:
        mean, var = running_mean.reshape(shape), running_var.reshape(shape)
    return _scale_shift(_normalise(x, mean, var, eps), weight, bias, shape)


class _NormBase(Module):
    """What batch and instance normalisation share, as PyTorch's _NormBase: the checked options,
    `weight` (ones) and `bias` (zeros) when `affine`, and the buffers `running_mean`,
    `running_var` and `num_batches_tracked` when `track_running_stats` (else None)."""

    def __init__(
        self,
        num_features: int,
        eps: float,
        momentum: float | None,
        affine: bool,
        track_running_stats: bool,
        device: Any,
        dtype: Any,
        bias: bool = True,
    ) -> None:
        super().__init__()
        what = type(self).__name__  # (each subclass's errors name it)
        d = _dtype(dtype, what, device)
        if check_int(num_features, what, "num_features") < 0:
            raise ValueError(f"{what}: num_features must be >= 0, got {num_features}")
        _eps(eps, what)
        if momentum is not None:
            _momentum(momentum, what)
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.affine, self.track_running_stats = bool(affine), bool(track_running_stats)
        if affine:
            self.weight = Parameter(np.ones(num_features, dtype=d))
        else:
            self.register_parameter("weight", None)
        if affine and bias:
            self.bias = Parameter(np.zeros(num_features, dtype=d))
        else:
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", Tensor(np.zeros(num_features, dtype=d)))
            self.register_buffer("running_var", Tensor(np.ones(num_features, dtype=d)))
            self.register_buffer("num_batches_tracked", Tensor(np.array(0, dtype=np.int64)))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)

    def reset_running_stats(self) -> None:
        """Running mean 0, variance 1, no batches tracked."""
        if self.track_running_stats:
            with no_grad():
                self.running_mean.fill_(0.0)
                self.running_var.fill_(1.0)
                self.num_batches_tracked.fill_(0)


class BatchNorm1d(_NormBase):
    """Batch normalisation over (N, C) or (N, C, L) inputs, as PyTorch's.

    In training mode each channel is normalised by the batch's statistics and the running
    averages are updated (`momentum` 0.1; None for a cumulative average); in eval mode the
    running statistics are used. `weight` starts at 1 and `bias` at 0 (affine=True).
    """

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device, dtype)

    def forward(self, x: Tensor) -> Tensor:
        if x.ndim not in (2, 3) or x.shape[1] != self.num_features:
            raise ValueError(
                f"BatchNorm1d: expected input of shape (N, {self.num_features}) or "
                f"(N, {self.num_features}, L), got {x.shape}"
            )
        momentum = self.momentum
        if self.training and self.track_running_stats:
            with no_grad():
                self.num_batches_tracked.add_(1)
            if momentum is None:  # a cumulative moving average
                momentum = 1.0 / int(self.num_batches_tracked.item())
        training = self.training or self.running_mean is None  # no running stats: batch ones
        return batch_norm(x, self.running_mean, self.running_var, self.weight, self.bias,
                          training, momentum or 0.0, self.eps)  # fmt: skip

    def extra_repr(self) -> str:
        return (
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
            f"affine={self.affine}, track_running_stats={self.track_running_stats}"
        )


class LayerNorm(Module):
    """Normalise each example over its last dims (`normalized_shape`), then scale by `weight`
    (starting at 1) and shift by `bias` (starting at 0)."""

    def __init__(
        self,
        normalized_shape: int | Sequence[int],
        eps: float = 1e-5,
        elementwise_affine: bool = True,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        self.normalized_shape = _shape(normalized_shape, "LayerNorm", allow_int=True)
        self.eps, self.elementwise_affine = _eps(eps, "LayerNorm"), elementwise_affine
        d = _dtype(dtype, "LayerNorm", device)
        if elementwise_affine:
            self.weight = Parameter(np.ones(self.normalized_shape, dtype=d))
            if bias:
                self.bias = Parameter(np.zeros(self.normalized_shape, dtype=d))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)

    def forward(self, x: Tensor) -> Tensor:
        return layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (
            f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"
        )


# ---------------------------------------------------------------------------------------------
# BatchNorm2d and GroupNorm
# ---------------------------------------------------------------------------------------------


class BatchNorm2d(BatchNorm1d):
    """Batch normalisation over (N, C, H, W) inputs, as PyTorch's: each channel by its mean
    and variance over N, H and W. It is BatchNorm1d on the input seen as (N, C, H W), which has
    the same statistics (a view, no copy)."""

    def forward(self, x: Tensor) -> Tensor:
        if x.ndim != 4 or x.shape[1] != self.num_features:
            raise ValueError(
                f"BatchNorm2d: expected input of shape (N, {self.num_features}, H, W), got "
                f"{x.shape}"
            )
        n, c, h, w = x.shape
        return super().forward(x.reshape(n, c, h * w)).reshape(n, c, h, w)


def group_norm(
    input: Tensor,
    num_groups: int,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """Split the C channels of an (N, C, *) input into `num_groups` groups of C / num_groups
    channels; normalise each example's group by its mean and biased variance (over the group's
    channels and all positions); then y * weight + bias per channel (Wu and He 2018)."""
    x = input  # PyTorch's name for it
    g = check_int(num_groups, "group_norm", "num_groups")
    eps = _eps(eps, "group_norm")
    if x.ndim < 2:
        raise ValueError(f"group_norm: expected an input of shape (N, C, *), got {x.shape}")
    n, c = x.shape[:2]
    if g <= 0 or c % g:
        raise ValueError(
            f"group_norm: num_channels ({c}) of the input of shape {x.shape} must be divisible "
            f"by num_groups ({g})"
        )
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and t.shape != (c,):
            raise ValueError(
                f"group_norm: {name} must have shape ({c},), one value per channel, got {t.shape}"
            )
    grouped = x.reshape(n, g, c // g * math.prod(x.shape[2:]))
    mean = grouped.mean(axis=-1, keepdims=True)
    var = grouped.var(axis=-1, keepdims=True, correction=0)
    y = _normalise(grouped, mean, var, eps).reshape(x.shape)
    return _scale_shift(y, weight, bias, (c,) + (1,) * (x.ndim - 2))


class GroupNorm(Module):
    """Group normalisation (see `group_norm`): `num_channels` in `num_groups` groups, with a
    per-channel `weight` (starting at 1) and `bias` (starting at 0) when affine."""

    def __init__(
        self,
        num_groups: int,
        num_channels: int,
        eps: float = 1e-5,
        affine: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        g = check_int(num_groups, "GroupNorm", "num_groups")
        c = check_int(num_channels, "GroupNorm", "num_channels")
        if g <= 0 or c < 0 or c % g:
            raise ValueError(
                f"GroupNorm: num_channels ({c}) must be divisible by num_groups ({g}), both "
                "positive"
            )
        self.num_groups, self.num_channels = g, c
        self.eps, self.affine = _eps(eps, "GroupNorm"), bool(affine)
        d = _dtype(dtype, "GroupNorm", device)
        if affine:
            self.weight = Parameter(np.ones(c, dtype=d))
            self.bias = Parameter(np.zeros(c, dtype=d))
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)

    def forward(self, x: Tensor) -> Tensor:
        if x.ndim < 2 or x.shape[1] != self.num_channels:
            raise ValueError(
                f"GroupNorm: expected input of shape (N, {self.num_channels}, *), got {x.shape}"
            )
        return group_norm(x, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}"
