"""Channel dropout (whole feature maps, Tompson et al. 2015) and alpha dropout (for selu
networks, Klambauer et al. 2017), seeded by `td.manual_seed` as every random draw here.

F.dropout1d, F.dropout2d, F.alpha_dropout; Dropout1d, Dropout2d, AlphaDropout. The rate check
and the masking (`_probability`, `_feature_dropout`) serve F.dropout and nn.Dropout too, and
`_in_place` every `inplace=True` of nn.functional.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from ..ops.conv import _as_tensor
from ..rng import generator
from ..tensor import Tensor
from ..torch_api.inplace_methods import written
from .module import Module, check_real

__all__ = ["dropout1d", "dropout2d", "alpha_dropout", "Dropout1d", "Dropout2d", "AlphaDropout"]

# ---------------------------------------------------------------------------------------------
# channel dropout and alpha dropout
# ---------------------------------------------------------------------------------------------


def _probability(p: Any, who: str, name: str = "probability p") -> float:
    """A dropout probability as a float: a TypeError if it is not a number, a ValueError
    outside [0, 1] (each naming `who` and the argument). Also F.dropout's, Dropout's and the
    attention modules'."""
    if not 0.0 <= check_real(p, who, name) <= 1.0:
        raise ValueError(f"{who}: {name} must be in [0, 1], got {p!r}")
    return float(p)


def _in_place(input: Any, what: str, fn: Callable[[Tensor], Tensor]) -> Tensor:
    """input <- fn(input), in place, for PyTorch's `inplace=True` (here, in nn.functional and
    functional_extra): Tensor's `written` stores the value in input's memory and returns input
    itself with its version counter moved; with autograd on, the change is recorded (input
    takes the new node) and refused on a leaf that requires grad, as in PyTorch."""
    if not isinstance(input, Tensor):
        raise TypeError(f"{what}: inplace=True needs a Tensor, got {type(input).__name__}")
    return written(input, what, fn)


def _check_dropout(x: Any, p: Any, training: Any, who: str) -> Tensor:
    _probability(p, who)
    if not isinstance(training, (bool, np.bool_)):
        raise TypeError(f"{who}: training must be True or False, got {training!r}")
    x = _as_tensor(x, who)
    if training and p > 0 and x.dtype.kind != "f":
        raise TypeError(f"{who}: expected a floating tensor, got {x.dtype}")
    return x


def _feature_dropout(x: Tensor, p: float, mask_shape: tuple[int, ...]) -> Tensor:
    """x times a mask of `mask_shape` (broadcast over the rest): 0 with probability p, else
    1 / (1 - p). F.dropout is the case mask_shape = x.shape."""
    if p == 1.0:
        return x * 0.0
    keep = generator().random(mask_shape) >= p
    return x * Tensor._make(keep.astype(x.dtype) * x.dtype.type(1.0 / (1.0 - p)), None)


def dropout1d(
    input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False
) -> Tensor:
    """Zero whole channels of (C, L) or (N, C, L) input with probability p (scaling the rest
    by 1 / (1 - p)), in training mode; the identity otherwise."""
    x = _check_dropout(input, p, training, "dropout1d")
    if x.ndim not in (2, 3):
        raise ValueError(f"dropout1d: expected a 2-D or 3-D input, got shape {x.shape}")
    if not training or p == 0:
        return x
    if inplace:
        return _in_place(input, "dropout1d", lambda a: _feature_dropout(a, p, a.shape[:-1] + (1,)))
    return _feature_dropout(x, p, x.shape[:-1] + (1,))


def dropout2d(
    input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False
) -> Tensor:
    """Zero whole channels of (N, C, H, W) input with probability p (scaling the rest by
    1 / (1 - p)), in training mode. As PyTorch, the mask is (N, C, 1, ...) for any input: a
    3-D input is taken as (N, C, L), with PyTorch's warning, and others warn too."""
    x = _check_dropout(input, p, training, "dropout2d")
    if x.ndim == 3:
        warnings.warn(
            "dropout2d: received a 3-D input and assuming channel-wise 1-D dropout: the input "
            "is taken as (N, C, L), C the channel dim (as PyTorch does)",
            stacklevel=2,
        )
    elif x.ndim != 4:
        warnings.warn(
            f"dropout2d: received a {x.ndim}-D input; it expects 3-D or 4-D inputs", stacklevel=2
        )
    if not training or p == 0 or x.ndim < 2:
        return x
    shape = x.shape[:2] + (1,) * (x.ndim - 2)
    if inplace:
        return _in_place(input, "dropout2d", lambda a: _feature_dropout(a, p, shape))
    return _feature_dropout(x, p, shape)


_ALPHA_PRIME = 1.7580993408473766  # -scale alpha of selu: the value selu saturates at, negated


def alpha_dropout(
    input: Tensor, p: float = 0.5, training: bool = False, inplace: bool = False
) -> Tensor:
    """Dropout that keeps selu's zero mean and unit variance (Klambauer et al. 2017): dropped
    values become -alpha' = -1.7581, then a (x m + (m - 1) alpha') + a alpha' p with
    a = ((1 - p)(1 + p alpha'^2))^(-1/2) and the keep mask m ~ Bernoulli(1 - p)."""
    x = _check_dropout(input, p, training, "alpha_dropout")
    if not training or p == 0:
        return x
    if inplace:
        return _in_place(input, "alpha_dropout", lambda a: alpha_dropout(a, p, True))
    if p == 1.0:
        return x * 0.0
    m = (generator().random(x.shape) >= p).astype(x.dtype)
    a = 1.0 / math.sqrt((_ALPHA_PRIME**2 * p + 1) * (1 - p))
    shift = ((m - 1) * _ALPHA_PRIME * a + _ALPHA_PRIME * a * p).astype(x.dtype)
    return x * Tensor._make((m * a).astype(x.dtype), None) + Tensor._make(shift, None)


class _DropoutNd(Module):
    fn: Callable[..., Tensor]  # the functional form, set by each subclass

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        self.p, self.inplace = _probability(p, type(self).__name__), bool(inplace)

    def forward(self, x: Tensor) -> Tensor:
        return type(self).fn(x, self.p, self.training, self.inplace)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


class Dropout1d(_DropoutNd):
    """F.dropout1d as a module: whole channels of (C, L) or (N, C, L) input, in train mode."""

    fn = staticmethod(dropout1d)


class Dropout2d(_DropoutNd):
    """F.dropout2d as a module: whole channels of (N, C, H, W) input, in train mode."""

    fn = staticmethod(dropout2d)


class AlphaDropout(_DropoutNd):
    """F.alpha_dropout as a module (for selu networks), in train mode."""

    fn = staticmethod(alpha_dropout)
