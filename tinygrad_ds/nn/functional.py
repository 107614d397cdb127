"""`nn.functional`: stateless forms of the layers and every loss, as in PyTorch.

Activations are one-line calls to the Tensor's operations, or a few of them composed (gelu,
softplus, elu, hardtanh, ... below: no new primitive but erf, so gradients and second derivatives
come free); the losses live in `losses.py` and are re-exported here (`F.cross_entropy`,
`F.binary_cross_entropy`, ...).

Arguments have PyTorch's names (the first is `input`, so `F.relu(input=x)` works). With
`inplace=True` (relu, elu, hardtanh, threshold, dropout, ...) the value is written into the input,
which is returned (the same Tensor), as in PyTorch, through Tensor's `written` (dropout.py's
`_in_place`): its version counter moves, and with autograd on the change is recorded (computed
from an alias of the old value, so the gradient is right) and refused on a leaf that requires
grad. softmax, log_softmax and softmin take `dtype=` (the input is cast first).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..functions import where
from ..grad_mode import is_grad_enabled
from ..ops.conv import conv1d, conv2d
from ..ops.elementwise import Add
from ..ops.linalg import Linear, MatMul
from ..tensor import Tensor, _axis1, broadcasts_to
from .conv_transpose import (
    conv_transpose1d,
    conv_transpose2d,
    max_unpool1d,
    max_unpool2d,
    pixel_shuffle,
    pixel_unshuffle,
)
from .dropout import (
    _feature_dropout,
    _in_place,
    _probability,
    alpha_dropout,
    dropout1d,
    dropout2d,
)
from .losses import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    l1_loss,
    mse_loss,
    nll_loss,
)
from .losses_more import (
    cosine_embedding_loss,
    gaussian_nll_loss,
    hinge_embedding_loss,
    huber_loss,
    kl_div,
    margin_ranking_loss,
    multi_margin_loss,
    multilabel_margin_loss,
    multilabel_soft_margin_loss,
    poisson_nll_loss,
    smooth_l1_loss,
    soft_margin_loss,
    triplet_margin_loss,
    triplet_margin_with_distance_loss,
)
from .module import check_int, check_real
from .normalization import batch_norm, group_norm, layer_norm
from .pooling import (
    adaptive_avg_pool1d,
    adaptive_avg_pool2d,
    adaptive_max_pool1d,
    adaptive_max_pool2d,
    fold,
    unfold,
)
from .sampling import embedding, interpolate, pad

__all__ = [
    "linear", "relu", "leaky_relu", "sigmoid", "tanh", "softmax", "log_softmax", "dropout",
    "one_hot", "binary_cross_entropy", "binary_cross_entropy_with_logits", "cross_entropy",
    "nll_loss", "mse_loss", "l1_loss", "batch_norm", "layer_norm",
    "conv1d", "conv2d", "max_pool1d", "max_pool2d", "avg_pool1d", "avg_pool2d",
    "gelu", "silu", "mish", "softplus", "elu", "selu", "celu", "hardtanh", "relu6",
    "hardsigmoid", "hardswish", "logsigmoid", "softsign", "tanhshrink", "softshrink",
    "hardshrink", "threshold", "glu", "prelu", "softmin", "normalize", "cosine_similarity",
    "pairwise_distance", "group_norm",
    "smooth_l1_loss", "huber_loss", "kl_div", "poisson_nll_loss", "gaussian_nll_loss",
    "margin_ranking_loss", "hinge_embedding_loss", "soft_margin_loss", "cosine_embedding_loss",
    "triplet_margin_loss", "triplet_margin_with_distance_loss", "multilabel_soft_margin_loss",
    "multi_margin_loss", "multilabel_margin_loss",
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
            return Linear.apply_fast(x, weight, bias)  # one node, as PyTorch's addmm
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


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """max(input, 0)."""
    if inplace:
        return _in_place(input, "relu", Tensor.relu)
    return _t(input, "relu").relu()


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """input if input > 0 else negative_slope * input."""
    slope = check_real(negative_slope, "leaky_relu", "negative_slope")
    if inplace:
        return _in_place(input, "leaky_relu", lambda a: a.leaky_relu(slope))
    return _t(input, "leaky_relu").leaky_relu(negative_slope)


def sigmoid(input: Tensor) -> Tensor:
    """1 / (1 + e^-input)."""
    return _t(input, "sigmoid").sigmoid()


def tanh(input: Tensor) -> Tensor:
    """tanh input."""
    return _t(input, "tanh").tanh()


def _cast(x: Tensor, dtype: Any, what: str) -> Tensor:
    """x converted to `dtype` (softmax's `dtype=`, as PyTorch: the cast comes first, so the
    result has that dtype and the gradient flows back to x in x's own dtype)."""
    if dtype is None:
        return x
    try:
        d = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"{what}: dtype {dtype!r} is not a dtype") from None
    if d.kind != "f":
        raise TypeError(f"{what}: dtype must be a floating dtype, got {d}")
    return x if d == x.dtype else x.astype(d)


def softmax(input: Tensor, dim: int = -1, _stacklevel: int = 3, dtype: Any = None) -> Tensor:
    """e^x_i / sum_j e^x_j along `dim` (computed stably); `dtype` converts the input first."""
    if dim is not None:
        check_int(dim, "softmax", "dim")
    return _cast(_t(input, "softmax"), dtype, "softmax").softmax(dim=dim)


def log_softmax(input: Tensor, dim: int = -1, _stacklevel: int = 3, dtype: Any = None) -> Tensor:
    """x_i - log sum_j e^x_j along `dim` (computed stably); `dtype` converts the input first."""
    if dim is not None:
        check_int(dim, "log_softmax", "dim")
    return _cast(_t(input, "log_softmax"), dtype, "log_softmax").log_softmax(dim=dim)


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Inverted dropout: each element is zeroed with probability p and the rest scaled by
    1 / (1 - p), so the expectation is unchanged and evaluation needs no rescaling.
    The identity when `training=False` or p = 0 (input itself is returned)."""
    p = _probability(p, "dropout")
    x = _t(input, "dropout")
    if not isinstance(training, (bool, np.bool_)):
        raise TypeError(f"dropout: training must be True or False, got {training!r}")
    if not training or p == 0.0:
        return x
    if x.dtype.kind != "f":
        raise TypeError(f"dropout: expected a floating tensor, got {x.dtype}")
    if inplace:
        return _in_place(input, "dropout", lambda a: _feature_dropout(a, p, a.shape))
    return _feature_dropout(x, p, x.shape)


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


# ---------------------------------------------------------------------------------------------
# more activations, composed (PyTorch's gradients at the kinks: see each docstring)
# ---------------------------------------------------------------------------------------------

_SELU_ALPHA = 1.6732632423543772848170429916717  # Klambauer et al. 2017, eq. 14
_SELU_SCALE = 1.0507009873554804934193349852946


def _float(x: Any, what: str) -> Tensor:
    """`x` as a floating Tensor (integers become the default float dtype)."""
    return _t(x, what)._float()


def _mask(x: Tensor, mask: np.ndarray, a: Any, b: Any) -> Tensor:
    """`a` where the bool array `mask` holds, else `b`; no gradient flows to the mask."""
    return where(Tensor._make(mask, None), a, b)


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """x Phi(x), Phi the standard normal CDF (Hendrycks & Gimpel 2016): exactly
    x/2 (1 + erf(x/sqrt 2)), computed as x/2 erfc(-x/sqrt 2), which stays accurate where
    Phi(x) is tiny; with `approximate="tanh"`, x/2 (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))),
    computed as x sigmoid(2 sqrt(2/pi) (x + 0.044715 x^3)) for the same reason."""
    if approximate not in ("none", "tanh"):
        raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
    x = _float(input, "gelu")
    if approximate == "tanh":  # 1 + tanh u = 2 sigmoid(2u), which does not cancel for x << 0
        inner = (x + x * x * x * 0.044715) * (2 * math.sqrt(2 / math.pi))
        return x * inner.sigmoid()
    return x * 0.5 * (x * -math.sqrt(0.5)).erfc()


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """x sigmoid(x) (the swish of Ramachandran et al. 2017)."""
    if inplace:
        return _in_place(input, "silu", silu)
    x = _float(input, "silu")
    return x * x.sigmoid()


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    """x tanh(softplus(x)) (Misra 2019)."""
    if inplace:
        return _in_place(input, "mish", mish)
    x = _float(input, "mish")
    return x * softplus(x).tanh()


def _softplus_beta(beta: Any, what: str) -> float:
    """softplus's beta as a float: any real number but 0 (where PyTorch gives inf everywhere,
    log 2 / 0) and NaN."""
    beta = check_real(beta, what, "beta")
    if beta == 0 or math.isnan(beta):
        raise ValueError(f"{what}: beta must be a nonzero number, got {beta}")
    return beta


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """log(1 + e^(beta x)) / beta, and x itself where beta x > threshold (PyTorch's linear
    regime);  d/dx = sigmoid(beta x) (1 there). beta may be negative, as in PyTorch (a smooth
    min(0, x) for beta = -1). e^(beta x) is taken of min(beta x, threshold), so it never
    overflows, and is 0 for large negative beta x: softplus(-1e4) = 0, not nan."""
    beta = _softplus_beta(beta, "softplus")
    threshold = check_real(threshold, "softplus", "threshold")
    x = _float(input, "softplus")
    bx = x * beta if beta != 1 else x
    linear = bx.data > threshold
    if not linear.any():
        return bx.exp().log1p() / beta if beta != 1 else bx.exp().log1p()
    soft = bx.clip(max=threshold).exp().log1p() / beta
    return _mask(x, linear, x, soft)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x for x > 0, alpha (e^x - 1) for x <= 0 (Clevert et al. 2015), as
    max(x, 0) + alpha expm1(min(x, 0));  d/dx at 0 is alpha, as PyTorch."""
    alpha = check_real(alpha, "elu", "alpha")
    if inplace:
        return _in_place(input, "elu", lambda a: elu(a, alpha))
    x = _float(input, "elu")
    return x.relu() + x.clip(max=0).expm1() * alpha


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    """scale elu(x, alpha) with alpha = 1.6733 and scale = 1.0507 (Klambauer et al. 2017)."""
    if inplace:
        return _in_place(input, "selu", selu)
    return elu(_float(input, "selu"), _SELU_ALPHA) * _SELU_SCALE


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """max(0, x) + min(0, alpha (e^(x/alpha) - 1)) (Barron 2017);  d/dx at 0 is 1."""
    alpha = check_real(alpha, "celu", "alpha")
    if alpha == 0:
        raise ValueError("celu: alpha cannot be 0 (it divides x)")
    if inplace:
        return _in_place(input, "celu", lambda a: celu(a, alpha))
    x = _float(input, "celu")
    return x.relu() + (x.clip(max=0) / alpha).expm1() * alpha


def hardtanh(
    input: Tensor, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False
) -> Tensor:
    """x clipped to [min_val, max_val];  d/dx = 1[min_val < x < max_val]: 0 at the bounds, as
    PyTorch (where `clip` gives 1)."""
    min_val = check_real(min_val, "hardtanh", "min_val")
    max_val = check_real(max_val, "hardtanh", "max_val")
    if min_val > max_val:
        raise ValueError(
            f"hardtanh: min_val cannot be greater than max_val, got {min_val} and {max_val}"
        )
    if inplace:
        return _in_place(input, "hardtanh", lambda a: hardtanh(a, min_val, max_val))
    x = _float(input, "hardtanh")
    inside = (x.data > min_val) & (x.data < max_val)
    return _mask(x, inside, x, Tensor._make(np.clip(x.data, min_val, max_val), None))


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """min(max(x, 0), 6) = hardtanh(x, 0, 6);  d/dx = 1[0 < x < 6]."""
    if inplace:
        return _in_place(input, "relu6", relu6)
    return hardtanh(_float(input, "relu6"), 0.0, 6.0)


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    """relu6(x + 3) / 6;  d/dx = 1/6 for -3 < x < 3, else 0."""
    if inplace:
        return _in_place(input, "hardsigmoid", hardsigmoid)
    return hardtanh(_float(input, "hardsigmoid") + 3, 0.0, 6.0) / 6


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    """x relu6(x + 3) / 6 (Howard et al. 2019);  d/dx = x/3 + 1/2 for -3 < x < 3, 0 below
    and 1 above (0 at -3 and 1 at 3, as PyTorch)."""
    if inplace:
        return _in_place(input, "hardswish", hardswish)
    x = _float(input, "hardswish")
    return x * hardtanh(x + 3, 0.0, 6.0) / 6


def logsigmoid(input: Tensor) -> Tensor:
    """log sigmoid(x) = -softplus(-x), computed as min(x, 0) - log(1 + e^-|x|), which never
    overflows (logsigmoid(-1e4) = -1e4) nor rounds to the linear regime;  d/dx = sigmoid(-x)."""
    x = _float(input, "logsigmoid")
    return x.minimum(0.0) - (-x.abs()).exp().log1p()


def softsign(input: Tensor) -> Tensor:
    """x / (1 + |x|)."""
    x = _float(input, "softsign")
    return x / (x.abs() + 1)


def tanhshrink(input: Tensor) -> Tensor:
    """x - tanh x."""
    x = _float(input, "tanhshrink")
    return x - x.tanh()


def softshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """x - lambd above lambd, x + lambd below -lambd, 0 between: x - clip(x, -lambd, lambd);
    d/dx = 1[|x| > lambd]."""
    lambd = check_real(lambd, "softshrink", "lambd")
    if lambd < 0:
        raise ValueError(f"softshrink: lambd must be >= 0, got {lambd}")
    x = _float(input, "softshrink")
    return x - x.clip(-lambd, lambd)


def hardshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """x where |x| > lambd, else 0;  d/dx = 1[|x| > lambd]."""
    lambd = check_real(lambd, "hardshrink", "lambd")
    x = _float(input, "hardshrink")
    return _mask(x, np.abs(x.data) > lambd, x, 0.0)


def threshold(input: Tensor, threshold: float, value: float, inplace: bool = False) -> Tensor:
    """x where x > threshold, else value;  d/dx = 1[x > threshold]."""
    threshold = check_real(threshold, "threshold", "threshold")
    value = check_real(value, "threshold", "value")
    if inplace:
        return _in_place(input, "threshold", lambda a: _threshold(a, threshold, value))
    return _threshold(input, threshold, value)


def _threshold(input: Any, threshold: float, value: float) -> Tensor:
    x = _float(input, "threshold")
    return _mask(x, x.data > threshold, x, value)


def glu(input: Tensor, dim: int = -1) -> Tensor:
    """a sigmoid(b), where a and b are the first and second halves of x along `dim` (the gated
    linear unit of Dauphin et al. 2017)."""
    x = _float(input, "glu")
    if x.ndim == 0:
        raise ValueError("glu: a 0-d tensor has no dim to halve")
    axis = _axis1(check_int(dim, "glu", "dim"), x.ndim, "glu")
    if x.shape[axis] % 2:
        raise ValueError(
            f"glu: halving dimension must be even, but dim {dim} of shape {x.shape} is "
            f"size {x.shape[axis]}"
        )
    a, b = x.chunk(2, axis)
    return a * b.sigmoid()


def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """x where x > 0, else weight x, with one weight for all (shape (1,) or ()) or one per
    channel (dim 1 of x, as PyTorch);  d/dx = weight at 0, as PyTorch; d/dweight = x where
    x <= 0."""
    x = _float(input, "prelu")
    if not isinstance(weight, Tensor):
        raise TypeError(f"prelu: weight must be a Tensor, got {type(weight).__name__}")
    if weight.ndim > 1:
        raise ValueError(f"prelu: weight must be 0-d or 1-D, got shape {weight.shape}")
    channels = x.shape[1] if x.ndim >= 2 else 1
    if weight.numel() not in (1, channels):
        raise ValueError(
            f"prelu: weight of shape {weight.shape} has neither 1 nor {channels} values (the "
            f"channels of an input of shape {x.shape}, dim 1)"
        )
    if weight.numel() == 1:
        w = weight.reshape(())
    else:
        w = weight.reshape((channels,) + (1,) * (x.ndim - 2))
    return _mask(x, x.data > 0, x, w * x)


def softmin(input: Tensor, dim: int = -1, _stacklevel: int = 3, dtype: Any = None) -> Tensor:
    """softmax(-x) along `dim` (the last axis by default, as this package's softmax; PyTorch
    guesses one when dim is None); `dtype` converts the input first."""
    return softmax(-_cast(_t(input, "softmin"), dtype, "softmin"), dim)


def normalize(
    input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12, out: Tensor | None = None
) -> Tensor:
    """x / max(||x||_p, eps) along `dim` (each slice scaled to unit p-norm). With `out` (a
    tensor of the result's shape) the result is written into it and `out` returned; as in
    PyTorch that is refused when autograd would have to record it."""
    x = _float(input, "normalize")
    eps = check_real(eps, "normalize", "eps")
    axis = _axis1(check_int(dim, "normalize", "dim"), max(x.ndim, 1), "normalize")
    if out is None:
        return x / x.norm(p, axis if x.ndim else None, keepdim=True).clip(min=eps)
    if not isinstance(out, Tensor):
        raise TypeError(f"normalize: out must be a Tensor, got {type(out).__name__}")
    if is_grad_enabled() and (x.requires_grad or out.requires_grad):
        raise RuntimeError(
            "normalize: functions with out=... arguments don't support automatic "
            "differentiation, but one of the arguments requires grad"
        )
    if out.shape != x.shape:
        raise ValueError(f"normalize: out has shape {out.shape}, the result has shape {x.shape}")
    if not np.can_cast(x.dtype, out.dtype, "same_kind"):
        raise TypeError(f"normalize: a {x.dtype} result can't be stored in out ({out.dtype})")
    return out.copy_(normalize(x, p, dim, eps))


def _pair(x1: Any, x2: Any, what: str) -> tuple[Tensor, Tensor]:
    """x1 and x2 as floating Tensors broadcast to one shape (the error names `what`)."""
    x1, x2 = _float(x1, what), _float(x2, what)
    try:
        shape = np.broadcast_shapes(x1.shape, x2.shape)
    except ValueError:
        raise ValueError(
            f"{what}: shapes {x1.shape} and {x2.shape} do not broadcast together"
        ) from None
    return x1.expand(shape), x2.expand(shape)


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """sum(x1 x2) / (max(||x1||, eps) max(||x2||, eps)) along `dim`, x1 and x2 broadcast.

    As PyTorch, the max is applied to the norm's value only: below eps the gradient still flows
    through ||x|| (PyTorch clamps a copy of the norm in place, unrecorded).
    """
    x1, x2 = _pair(x1, x2, "cosine_similarity")
    eps = check_real(eps, "cosine_similarity", "eps")
    axis = _axis1(check_int(dim, "cosine_similarity", "dim"), x1.ndim, "cosine_similarity")

    def unit(x: Tensor) -> Tensor:
        norm = x.norm(2, axis, keepdim=True)
        lift = np.maximum(norm.data, eps) - norm.data  # 0 unless the norm is below eps
        return x / (norm + Tensor._make(lift, None))

    return (unit(x1) * unit(x2)).sum(axis)


def pairwise_distance(
    x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False
) -> Tensor:
    """||x1 - x2 + eps||_p along the last dim (eps keeps the gradient finite at x1 = x2)."""
    x1, x2 = _pair(x1, x2, "pairwise_distance")
    eps = check_real(eps, "pairwise_distance", "eps")
    return (x1 - x2 + eps).norm(p, -1 if x1.ndim else None, keepdim=keepdim)


__all__ += [
    "pad", "interpolate", "embedding", "adaptive_avg_pool1d", "adaptive_avg_pool2d",
    "adaptive_max_pool1d", "adaptive_max_pool2d", "unfold", "fold", "dropout1d", "dropout2d",
    "alpha_dropout", "conv_transpose1d", "conv_transpose2d", "pixel_shuffle", "pixel_unshuffle",
    "max_unpool1d", "max_unpool2d",
]  # fmt: skip

# -- attention (attention.py, which imports this module: hence last) --------------------------

from .attention import scaled_dot_product_attention  # noqa: E402

__all__ += ["scaled_dot_product_attention"]

# -- instance, RMS and local response norms; bilinear (distance.py imports this module) ------

from .distance import bilinear  # noqa: E402
from .normalization_more import instance_norm, local_response_norm, rms_norm  # noqa: E402

__all__ += ["instance_norm", "rms_norm", "local_response_norm", "bilinear"]

# -- CTC loss, embedding_bag, grid_sample and more (functional_extra.py imports this module) --

from .ctc import ctc_loss  # noqa: E402
from .embedding_bag import embedding_bag  # noqa: E402
from .functional_extra import (  # noqa: E402
    celu_,
    channel_shuffle,
    elu_,
    feature_alpha_dropout,
    gumbel_softmax,
    hardtanh_,
    leaky_relu_,
    pdist,
    relu_,
    rrelu,
    rrelu_,
    selu_,
    threshold_,
    upsample,
    upsample_bilinear,
    upsample_nearest,
)
from .grid import affine_grid, grid_sample  # noqa: E402

__all__ += [
    "ctc_loss", "embedding_bag", "affine_grid", "grid_sample", "gumbel_softmax", "rrelu", "pdist",
    "channel_shuffle", "feature_alpha_dropout", "relu_", "elu_", "leaky_relu_", "hardtanh_",
    "selu_", "celu_", "threshold_", "rrelu_", "upsample", "upsample_nearest", "upsample_bilinear",
]  # fmt: skip

# -- volumes (N, C, D, H, W) and pooling with every option (three_d.py, three_d_pool.py) -----

from .three_d import conv3d, conv_transpose3d, dropout3d, max_unpool3d  # noqa: E402
from .three_d_pool import (  # noqa: E402
    adaptive_avg_pool3d,
    adaptive_max_pool1d_with_indices,
    adaptive_max_pool2d_with_indices,
    adaptive_max_pool3d,
    adaptive_max_pool3d_with_indices,
    avg_pool1d,
    avg_pool2d,
    avg_pool3d,
    lp_pool1d,
    lp_pool2d,
    lp_pool3d,
    max_pool1d,
    max_pool1d_with_indices,
    max_pool2d,
    max_pool2d_with_indices,
    max_pool3d,
    max_pool3d_with_indices,
)

__all__ += [
    "conv3d", "conv_transpose3d", "dropout3d", "max_unpool3d", "max_pool3d", "avg_pool3d",
    "max_pool1d_with_indices", "max_pool2d_with_indices", "max_pool3d_with_indices",
    "lp_pool1d", "lp_pool2d", "lp_pool3d", "adaptive_avg_pool3d", "adaptive_max_pool3d",
    "adaptive_max_pool1d_with_indices", "adaptive_max_pool2d_with_indices",
    "adaptive_max_pool3d_with_indices",
]  # fmt: skip
