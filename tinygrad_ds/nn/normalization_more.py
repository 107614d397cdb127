"""More normalisation, as PyTorch's: InstanceNorm1d/2d (each example's channel by its own
statistics over the positions), RMSNorm (by the root mean square) and LocalResponseNorm
(by the squares of the neighbouring channels), and their functions.

All are composed from Tensor operations, so their gradients need no code of their own.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..grad_mode import no_grad
from ..tensor import Tensor
from .layers import _dtype
from .module import Module, Parameter, check_int, check_real
from .normalization import (
    _eps,
    _momentum,
    _moving_average,
    _normalise,
    _NormBase,
    _scale_shift,
    _shape,
)

__all__ = [
    "InstanceNorm1d", "InstanceNorm2d", "RMSNorm", "LocalResponseNorm", "instance_norm",
    "rms_norm", "local_response_norm",
]  # fmt: skip


def instance_norm(
    input: Tensor,
    running_mean: Tensor | None = None,
    running_var: Tensor | None = None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    use_input_stats: bool = True,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """Normalise each example's channel of an (N, C, *) input by its own mean and biased
    variance over the positions (Ulyanov et al. 2016), then * weight + bias per channel.

    With use_input_stats, running statistics given are updated under no_grad by the batch
    mean of the examples' statistics (running = (1 - momentum) running + momentum * stat, the
    variance unbiased); without it, the running statistics normalise instead.
    """
    x = input
    if x.ndim < 3:
        raise ValueError(
            f"instance_norm: expected an input of shape (N, C, *) with at least 3 dims, got "
            f"shape {x.shape}"
        )
    c = x.shape[1]
    eps = _eps(eps, "instance_norm")
    _momentum(momentum, "instance_norm")
    for name, t in (("running_mean", running_mean), ("running_var", running_var)):
        if t is not None and t.shape != (c,):
            raise ValueError(f"instance_norm: {name} must have shape ({c},), one value per "
                             f"channel of the input of shape {x.shape}, got {t.shape}")  # fmt: skip
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and t.shape != (c,):
            raise ValueError(f"instance_norm: {name} must have shape ({c},), one value per "
                             f"channel of the input of shape {x.shape}, got {t.shape}")  # fmt: skip
    axes = tuple(range(2, x.ndim))
    shape = (-1,) + (1,) * (x.ndim - 2)  # a per-channel value, broadcast over the positions
    if use_input_stats:
        n = int(np.prod([x.shape[a] for a in axes]))
        if n <= 1:
            raise ValueError(
                f"instance_norm: expected more than 1 spatial element when training, got input "
                f"of shape {x.shape}"
            )
        mean = x.mean(axis=axes, keepdims=True)
        var = x.var(axis=axes, keepdims=True, correction=0)
        if running_mean is not None:
            _moving_average(running_mean, mean.data.reshape(x.shape[0], c).mean(axis=0), momentum)
        if running_var is not None:
            unbiased = var.data.reshape(x.shape[0], c).mean(axis=0) * (n / (n - 1))
            _moving_average(running_var, unbiased, momentum)
    elif running_mean is None or running_var is None:
        raise ValueError("instance_norm: use_input_stats=False needs running_mean and running_var")
    else:
        mean, var = running_mean.reshape(shape), running_var.reshape(shape)
    return _scale_shift(_normalise(x, mean, var, eps), weight, bias, shape)


class InstanceNorm1d(_NormBase):
    """Instance normalisation over (N, C, L) or unbatched (C, L) inputs, as PyTorch's (see
    `instance_norm`). affine=False and track_running_stats=False by default: with
    track_running_stats the running averages update in train mode and normalise in eval."""

    _spatial = 1  # the number of position dims after the channel's

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = False,
        track_running_stats: bool = False,
        device: Any = None,
        dtype: Any = None,
        *,
        bias: bool = True,
    ) -> None:
        super().__init__(
            num_features, eps, momentum, affine, track_running_stats, device, dtype, bias
        )

    def forward(self, x: Tensor) -> Tensor:
        what, s, c = type(self).__name__, self._spatial, self.num_features
        if x.ndim not in (s + 1, s + 2):
            dims = ("L", "H, W", "D, H, W")[s - 1]
            raise ValueError(
                f"{what}: expected input of shape (N, C, {dims}) or (C, {dims}), got {x.shape}"
            )
        unbatched = x.ndim == s + 1
        if x.shape[-s - 1] != c and (self.affine or self.track_running_stats):
            raise ValueError(
                f"{what}: expected input with {c} channels (num_features), got shape {x.shape}"
            )
        xb = x.unsqueeze(0) if unbatched else x
        use_input_stats = self.training or not self.track_running_stats
        momentum = 0.0 if self.momentum is None else self.momentum
        y = instance_norm(xb, self.running_mean, self.running_var, self.weight, self.bias,
                          use_input_stats, momentum, self.eps)  # fmt: skip
        return y.squeeze(0) if unbatched else y

    def extra_repr(self) -> str:
        return (
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
            f"affine={self.affine}, bias={self.bias is not None}, "
            f"track_running_stats={self.track_running_stats}"
        )


class InstanceNorm2d(InstanceNorm1d):
    """Instance normalisation over (N, C, H, W) or unbatched (C, H, W) inputs (see
    InstanceNorm1d and `instance_norm`)."""

    _spatial = 2


def _rms_eps(eps: Any, dtype: np.dtype, what: str) -> float:
    """eps, or the dtype's machine epsilon when None (PyTorch's default)."""
    return float(np.finfo(dtype).eps) if eps is None else _eps(eps, what)


def rms_norm(
    input: Tensor,
    normalized_shape: Sequence[int],
    weight: Tensor | None = None,
    eps: float | None = None,
) -> Tensor:
    """y = x / sqrt(mean(x^2) + eps) * weight, the mean over the last len(normalized_shape)
    axes (Zhang and Sennrich 2019); eps None is the input dtype's machine epsilon."""
    x = input
    shape = _shape(normalized_shape, "rms_norm", allow_int=True)
    if x.ndim < len(shape) or x.shape[x.ndim - len(shape) :] != shape:
        raise ValueError(
            f"rms_norm: input of shape {x.shape} does not end with normalized_shape {shape}"
        )
    if weight is not None and weight.shape != shape:
        raise ValueError(
            f"rms_norm: weight of shape {weight.shape} does not match normalized_shape {shape}"
        )
    eps = _rms_eps(eps, x.dtype if x.dtype.kind == "f" else np.float32, "rms_norm")
    axes = tuple(range(x.ndim - len(shape), x.ndim))
    y = x * ((x * x).mean(axis=axes, keepdims=True) + eps) ** -0.5
    return y if weight is None else y * weight


class RMSNorm(Module):
    """Root-mean-square normalisation over the last dims (`normalized_shape`), then scale by
    `weight` (starting at 1); see `rms_norm`."""

    def __init__(
        self,
        normalized_shape: int | Sequence[int],
        eps: float | None = None,
        elementwise_affine: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        self.normalized_shape = _shape(normalized_shape, "RMSNorm", allow_int=True)
        self.eps = None if eps is None else _eps(eps, "RMSNorm")
        self.elementwise_affine = bool(elementwise_affine)
        d = _dtype(dtype, "RMSNorm", device)
        if elementwise_affine:
            self.weight = Parameter(np.ones(self.normalized_shape, dtype=d))
        else:
            self.register_parameter("weight", None)

    def reset_parameters(self) -> None:
        if self.weight is not None:
            with no_grad():
                self.weight.fill_(1.0)

    def forward(self, x: Tensor) -> Tensor:
        return rms_norm(x, self.normalized_shape, self.weight, self.eps)

    def extra_repr(self) -> str:
        return (
            f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"
        )


def local_response_norm(
    input: Tensor, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0
) -> Tensor:
    """b_c = a_c / (k + alpha / size * sum of a_c'^2 over the `size` channels c' around c)^beta
    (Krizhevsky et al. 2012), channels beyond the edges counting as 0; input (N, C, *)."""
    x = input
    n = check_int(size, "local_response_norm", "size")
    alpha = check_real(alpha, "local_response_norm", "alpha")
    beta = check_real(beta, "local_response_norm", "beta")
    k = check_real(k, "local_response_norm", "k")
    if n <= 0:
        raise ValueError(f"local_response_norm: size must be positive, got {size}")
    if x.ndim < 3:
        raise ValueError(
            f"local_response_norm: expected an input of shape (N, C, *) with at least 3 dims, "
            f"got shape {x.shape}"
        )
    if x.numel() == 0:
        return x * 1.0
    from .sampling import pad

    c = x.shape[1]
    sq = (x * x).movedim(1, -1)  # channels last, to pad them with pad's last-dim pair
    sq = pad(sq, (n // 2, (n - 1) // 2))
    window = sq[..., 0:c]
    for i in range(1, n):
        window = window + sq[..., i : i + c]
    div = (window.movedim(-1, 1) * (alpha / n) + k) ** beta
    return x / div


class LocalResponseNorm(Module):
    """Local response normalisation across channels (see `local_response_norm`)."""

    def __init__(self, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0) -> None:
        super().__init__()
        if check_int(size, "LocalResponseNorm", "size") <= 0:
            raise ValueError(f"LocalResponseNorm: size must be positive, got {size}")
        self.size = size
        self.alpha = check_real(alpha, "LocalResponseNorm", "alpha")
        self.beta = check_real(beta, "LocalResponseNorm", "beta")
        self.k = check_real(k, "LocalResponseNorm", "k")

    def forward(self, x: Tensor) -> Tensor:
        return local_response_norm(x, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self) -> str:
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"
