"""`nn.functional`: stateless forms of the layers and every loss, as in PyTorch.

Activations are one-line calls to the Tensor's operations; the losses live in `losses.py` and
are re-exported here (`F.cross_entropy`, `F.binary_cross_entropy`, ...).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..ops.conv import avg_pool1d, avg_pool2d, conv1d, conv2d, max_pool1d, max_pool2d
from ..ops.elementwise import Add
from ..ops.linalg import Linear, MatMul
from ..rng import generator
from ..tensor import Tensor, broadcasts_to
from .losses import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    l1_loss,
    mse_loss,
    nll_loss,
)
from .module import check_int, check_real
from .normalization import batch_norm, layer_norm

__all__ = [
    "linear", "relu", "leaky_relu", "sigmoid", "tanh", "softmax", "log_softmax", "dropout",
    "one_hot", "binary_cross_entropy", "binary_cross_entropy_with_logits", "cross_entropy",
    "nll_loss", "mse_loss", "l1_loss", "batch_norm", "layer_norm",
    "conv1d", "conv2d", "max_pool1d", "max_pool2d", "avg_pool1d", "avg_pool2d",
]  # fmt: skip


def _t(x: Any, what: str) -> Tensor:
    """`x` as a Tensor (array-likes are converted); errors name the function `what`."""
    if isinstance(x, Tensor):
        return x
    if x is None or isinstance(x, (str, bytes)):
        raise TypeError(f"{what}: expected a Tensor or an array of numbers, got {x!r}")
    try:
        return Tensor(x)
    except (TypeError, ValueError) as e:
        raise type(e)(f"{what}: cannot make a tensor from the input: {e}") from None


def linear(x: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y = x W^T + b, with W of shape (out, in) and b of shape (out,) (the course's
    z = W a + b, one example per row)."""
    x = x if isinstance(x, Tensor) else _t(x, "linear")
    if isinstance(weight, Tensor) and isinstance(bias, Tensor):
        xd, wd, bd = x.data, weight.data, bias.data  # the common case, checked in one go:
        if (
            xd.ndim == 2
            and wd.ndim == 2
            and bd.shape == wd.shape[:1]
            and xd.shape[1] == wd.shape[1]
            and wd.dtype is xd.dtype
            and bd.dtype is xd.dtype
        ):
            return Linear.apply(x, weight, bias)  # one node, as PyTorch's addmm
    if not isinstance(weight, Tensor):
        raise TypeError(f"linear: weight must be a Tensor, got {type(weight).__name__}")
    x_shape, w_shape = x.data.shape, weight.data.shape
    if not x_shape or not w_shape or x_shape[-1] != w_shape[-1]:
        raise ValueError(
            f"linear: input of shape {x_shape} does not match weight of shape {w_shape} "
            f"(expected a weight of shape (out, {x_shape[-1] if x_shape else 'in'}))"
        )
    if len(x_shape) < 2 or len(w_shape) != 2:
        if len(w_shape) > 2:
            raise ValueError(f"linear: weight must be 1-D or 2-D (out, in), got shape {w_shape}")
        out = x @ weight.T
        return out if bias is None else _add_bias(out, bias, w_shape)
    b = bias.data if isinstance(bias, Tensor) else None
    out = MatMul.apply(x, weight, transpose_b=True)  # x W^T: one node, with W itself as input
    if bias is None:
        return out
    if b is not None and b.dtype == out.data.dtype and b.shape == w_shape[:1]:
        # The product is this function's own temporary, which nothing has saved: the sum
        # can go into its memory (one allocation and one pass over fresh memory fewer).
        return Add.apply(out, bias, into_x=True)
    return _add_bias(out, bias, w_shape)


def _add_bias(out: Tensor, bias: Any, w_shape: tuple[int, ...]) -> Tensor:
    """out + bias, for a bias that broadcasts to the output without changing its shape."""
    if not isinstance(bias, Tensor):
        raise TypeError(f"linear: bias must be a Tensor or None, got {type(bias).__name__}")
    if not broadcasts_to(bias.shape, out.shape):
        raise ValueError(
            f"linear: bias of shape {bias.shape} does not match the output of shape {out.shape} "
            f"(weight of shape {w_shape}: expected a bias of shape {w_shape[:1]})"
        )
    return out + bias


def relu(x: Tensor) -> Tensor:
    """max(x, 0)."""
    return _t(x, "relu").relu()


def leaky_relu(x: Tensor, negative_slope: float = 0.01) -> Tensor:
    """x if x > 0 else negative_slope * x."""
    check_real(negative_slope, "leaky_relu", "negative_slope")
    return _t(x, "leaky_relu").leaky_relu(negative_slope)


def sigmoid(x: Tensor) -> Tensor:
    """1 / (1 + e^-x)."""
    return _t(x, "sigmoid").sigmoid()


def tanh(x: Tensor) -> Tensor:
    """tanh x."""
    return _t(x, "tanh").tanh()


def softmax(x: Tensor, dim: int = -1) -> Tensor:
    """e^x_i / sum_j e^x_j along `dim` (computed stably)."""
    if dim is not None:
        check_int(dim, "softmax", "dim")
    return _t(x, "softmax").softmax(dim=dim)


def log_softmax(x: Tensor, dim: int = -1) -> Tensor:
    """x_i - log sum_j e^x_j along `dim` (computed stably)."""
    if dim is not None:
        check_int(dim, "log_softmax", "dim")
    return _t(x, "log_softmax").log_softmax(dim=dim)


def dropout(x: Tensor, p: float = 0.5, training: bool = True) -> Tensor:
    """Inverted dropout: each element is zeroed with probability p and the rest scaled by
    1 / (1 - p), so the expectation is unchanged and evaluation needs no rescaling.
    The identity when `training=False` or p = 0."""
    if not 0.0 <= check_real(p, "dropout", "probability p") <= 1.0:
        raise ValueError(f"dropout: probability p must be in [0, 1], got {p!r}")
    x = _t(x, "dropout")
    if not isinstance(training, (bool, np.bool_)):
        raise TypeError(f"dropout: training must be True or False, got {training!r}")
    if not training or p == 0.0:
        return x
    if x.dtype.kind != "f":
        raise TypeError(f"dropout: expected a floating tensor, got {x.dtype}")
    if p == 1.0:
        return x * 0.0
    keep = generator().random(x.shape) >= p
    mask = keep.astype(x.dtype) * x.dtype.type(1.0 / (1.0 - p))
    return x * Tensor._make(mask, None)


def one_hot(tensor: Any, num_classes: int = -1) -> Tensor:
    """An int64 tensor with one more axis: out[..., k] = 1 where tensor == k.

    `num_classes=-1` takes max(tensor) + 1; indices outside [0, num_classes) are an error.
    """
    idx = np.asarray(tensor.data if isinstance(tensor, Tensor) else tensor)
    if idx.dtype.kind not in "iu":
        raise TypeError(f"one_hot: class indices must be integers, got dtype {idx.dtype}")
    num_classes = check_int(num_classes, "one_hot", "num_classes")
    if num_classes < -1:
        raise ValueError(f"one_hot: num_classes must be -1 or >= 0, got {num_classes}")
    if num_classes == -1:
        num_classes = int(idx.max()) + 1 if idx.size else 0
    if idx.size and (idx.min() < 0 or idx.max() >= num_classes):
        bad = int(idx.min()) if idx.min() < 0 else int(idx.max())
        raise ValueError(f"one_hot: class {bad} is out of range for {num_classes} classes")
    out = np.zeros(idx.shape + (num_classes,), dtype=np.int64)
    np.put_along_axis(out, idx[..., None].astype(np.intp), 1, axis=-1)
    return Tensor._make(out, None)
