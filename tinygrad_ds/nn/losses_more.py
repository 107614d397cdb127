"""More of PyTorch's losses, as functions (also in `nn.functional`) and as modules: robust
regression (smooth L1, Huber), divergences and likelihoods (KL, Poisson, Gaussian), and the
margin and embedding losses. Every one is composed from Tensor operations, so gradients and
second derivatives come free; the shared checks and the `_Loss` base live in `losses.py`.

Shapes follow PyTorch: kl_div, poisson_nll_loss, gaussian_nll_loss, hinge_embedding_loss and
margin_ranking_loss broadcast their operands (an error names the shapes when they can't);
smooth_l1_loss and huber_loss want a target of the input's shape, as `mse_loss` here does
(PyTorch only warns and broadcasts, the classic (N, 1) against (N,) mistake).

At a hinge's kink the gradient is PyTorch's: max(0, z) is `clamp_min`, whose gradient is 1 at
z = 0 (margin_ranking, hinge_embedding, cosine_embedding, triplet), except in the multi-class
hinges, which PyTorch sums over z > 0 only (`relu`, 0 at z = 0).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from ..functions import where
from ..tensor import Tensor, constant
from .losses import (
    REDUCTIONS,
    _check_reduction,
    _elementwise_weight,
    _input,
    _legacy_reduction,
    _like,
    _Loss,
    _numbers,
    _reduce,
    _same_shape_target,
    _WeightedLoss,
)
from .module import check_int, check_real

__all__ = [
    "smooth_l1_loss", "huber_loss", "kl_div", "poisson_nll_loss", "gaussian_nll_loss",
    "margin_ranking_loss", "hinge_embedding_loss", "soft_margin_loss", "cosine_embedding_loss",
    "triplet_margin_loss", "triplet_margin_with_distance_loss", "multilabel_soft_margin_loss",
    "multi_margin_loss", "multilabel_margin_loss",
    "SmoothL1Loss", "HuberLoss", "KLDivLoss", "PoissonNLLLoss", "GaussianNLLLoss",
    "MarginRankingLoss", "HingeEmbeddingLoss", "SoftMarginLoss", "CosineEmbeddingLoss",
    "TripletMarginLoss", "TripletMarginWithDistanceLoss", "MultiLabelSoftMarginLoss",
    "MultiMarginLoss", "MultiLabelMarginLoss",
]  # fmt: skip


# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------


def _broadcast(what: str, **named: Tensor) -> tuple[int, ...]:
    """The shape the named tensors broadcast to; a ValueError naming them if they don't."""
    shapes = {k: v.shape for k, v in named.items()}
    try:
        return tuple(np.broadcast_shapes(*shapes.values()))
    except ValueError:
        desc = ", ".join(f"{k} of shape {s}" for k, s in shapes.items())
        raise ValueError(f"{what}: {desc} do not broadcast together") from None


def _const(a: Any) -> Tensor:
    """A mask or array as a constant (`tensor.constant`), through np.asarray: comparing 0-d
    arrays gives a NumPy scalar."""
    return constant(np.asarray(a))


def _positive(value: Any, what: str, name: str, or_zero: bool = False) -> float:
    """A number that must be > 0 (>= 0 with `or_zero`), as a float; errors name the loss (or
    module) and the argument."""
    v = check_real(value, what, name)
    if not (v >= 0 if or_zero else v > 0):
        raise ValueError(f"{what}: {name} must be {'>=' if or_zero else '>'} 0, got {value}")
    return v


def _kl_options(reduction: str, log_target: Any, what: str) -> None:
    """kl_div's reduction (which may also be 'batchmean') and its bool log_target."""
    if reduction not in REDUCTIONS + ("batchmean",):
        raise ValueError(
            f"{what}: reduction must be 'mean', 'batchmean', 'sum' or 'none', got {reduction!r}"
        )
    if not isinstance(log_target, bool):
        raise TypeError(f"{what}: log_target must be a bool, got {log_target!r}")


def _margin_power(p: Any, what: str) -> int:
    """multi_margin_loss's exponent p: the int 1 or 2."""
    if check_int(p, what, "p") not in (1, 2):
        raise ValueError(f"{what}: p must be 1 or 2, got {p}")
    return p


def _class_indices(target: Any, what: str) -> np.ndarray:
    """A class-index target (Tensor or array-like) as an integer array, unchecked in shape."""
    t = np.asarray(target.data if isinstance(target, Tensor) else target)
    if t.dtype.kind not in "iu":
        raise TypeError(f"{what}: target must hold class indices (integers), got dtype {t.dtype}")
    return t


def _logsigmoid(x: Tensor) -> Tensor:
    """log sigmoid(x) = min(x, 0) - log(1 + e^-|x|): never overflows; d/dx = sigmoid(-x)
    (1/2 at 0, where min splits the tie)."""
    return x.minimum(0.0) - (-x.abs()).exp().log1p()


# ---------------------------------------------------------------------------------------------
# regression, divergences and likelihoods
# ---------------------------------------------------------------------------------------------


def smooth_l1_loss(
    input: Any,
    target: Any,
    reduction: str = "mean",
    beta: float = 1.0,
    *,
    size_average: bool | None = None,
    reduce: bool | None = None,
) -> Tensor:
    """L = 0.5 d^2 / beta where |d| < beta, else |d| - 0.5 beta, for d = x - y (Girshick 2015);
    d/dx = d / beta, then sign(d). beta = 0 is `l1_loss`.

    Computed as 0.5 m^2 / beta + |d - m| with m = clip(d, -beta, beta): one formula, no
    branch, so the second derivative is 1 / beta inside, 0 outside."""
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    what = "smooth_l1_loss"
    _check_reduction(reduction, what)
    beta = _positive(beta, what, "beta", or_zero=True)
    x = _input(input, what)
    d = x - _same_shape_target(x, target, what)
    if beta == 0:
        return _reduce(d.abs(), reduction)
    m = d.clip(-beta, beta)
    return _reduce(m * m * (0.5 / beta) + (d - m).abs(), reduction)


def huber_loss(
    input: Any, target: Any, reduction: str = "mean", delta: float = 1.0, weight: Any = None
) -> Tensor:
    """L = 0.5 d^2 where |d| <= delta, else delta (|d| - 0.5 delta), for d = x - y (Huber
    1964); d/dx = d, then delta sign(d). Equal to delta * smooth_l1_loss(beta=delta).
    With `weight` (the input's shape), w L, and 'mean' its plain mean (PyTorch's, unlike
    mse_loss's weighted mean)."""
    what = "huber_loss"
    _check_reduction(reduction, what)
    delta = _positive(delta, what, "delta")
    x = _input(input, what)
    d = x - _same_shape_target(x, target, what)
    m = d.clip(-delta, delta)
    loss = m * m * 0.5 + (d - m).abs() * delta
    if weight is not None:
        w = _like(x, weight, "weight", what)
        if w.shape != x.shape:
            raise ValueError(
                f"{what}: weight of shape {w.shape} does not match input of shape {x.shape} "
                "(they must be equal)"
            )
        loss = loss * w
    return _reduce(loss, reduction)


_KL_MEAN_WARNING = (
    "kl_div: reduction='mean' divides the total loss by both the batch size and the support "
    "size; 'batchmean' divides only by the batch size, as the KL divergence's definition does"
)


def kl_div(
    input: Any,
    target: Any,
    reduction: str = "mean",
    log_target: bool = False,
    *,
    size_average: bool | None = None,
    reduce: bool | None = None,
) -> Tensor:
    """Pointwise KL divergence of the target from the input, given log-probabilities x:
    L = y (log y - x), with 0 log 0 = 0 (so d/dx = -y is 0 there); with `log_target=True`
    the target is log y too and L = e^y (y - x).

    'batchmean' divides the sum by input.shape[0], the true KL per example for (N, C) inputs;
    'mean' divides by the number of elements and warns, as PyTorch does. Input and target
    broadcast. As PyTorch, the gradient to a target of exactly 0 is nan (0/0): d/dy = log y +
    1 - x tends to -inf there. A negative probability target is an error."""
    legacy = size_average is not None or reduce is not None
    if legacy:
        reduction = _legacy_reduction(size_average, reduce)
    what = "kl_div"
    _kl_options(reduction, log_target, what)
    x = _input(input, what)
    y = _like(x, target, "target", what)
    _broadcast(what, input=x, target=y)
    if reduction == "mean" and not legacy:  # (PyTorch's legacy path does not warn)
        warnings.warn(_KL_MEAN_WARNING, UserWarning, stacklevel=2)
    if log_target:
        loss = y.exp() * (y - x)
    else:
        if (y.data < 0).any():
            bad = y.data[y.data < 0].flat[0]
            raise ValueError(
                f"{what}: target probabilities must be >= 0, found {bad} "
                "(for log-probability targets pass log_target=True)"
            )
        with np.errstate(divide="ignore"):  # log 0 = -inf, multiplied by 0 -> 0 by xlogy
            loss = y.xlogy(y) - y * x
    if reduction == "batchmean":
        total = loss.sum()
        return total / x.shape[0] if x.ndim else total
    return _reduce(loss, reduction)


def poisson_nll_loss(
    input: Any,
    target: Any,
    log_input: bool = True,
    full: bool = False,
    eps: float = 1e-8,
    reduction: str = "mean",
    *,
    size_average: bool | None = None,
    reduce: bool | None = None,
) -> Tensor:
    """Negative log-likelihood of a target count y under Poisson(lambda), dropping log(y!):
    L = e^x - y x for log-rates x (`log_input=True`), else L = x - y log(x + eps) for rates x.

    `full=True` adds Stirling's approximation of log(y!), y log y - y + 0.5 log(2 pi y), only
    where y > 1 (0 elsewhere, as PyTorch; its gradient there is 0, where PyTorch's is nan for
    y = 0). Input and target broadcast."""
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    what = "poisson_nll_loss"
    _check_reduction(reduction, what)
    eps = check_real(eps, what, "eps")
    x = _input(input, what)
    y = _like(x, target, "target", what)
    _broadcast(what, input=x, target=y)
    loss = x.exp() - y * x if log_input else x - y * (x + eps).log()
    if full:
        big = y.data > 1
        if big.any():
            yb = where(_const(big), y, 2.0)  # log is taken of values > 1 only
            stirling = yb * yb.log() - yb + 0.5 * (yb * (2 * math.pi)).log()
            loss = loss + where(_const(big), stirling, 0.0)
    return _reduce(loss, reduction)


def _gaussian_var(x: Tensor, var: Any, what: str) -> Tensor:
    """var as a tensor that broadcasts to x by PyTorch's rules: x's shape, x's shape without
    its last dim (one variance per row), or x's shape with exactly one dim of size 1."""
    if not isinstance(var, Tensor) and isinstance(var, (int, float, np.number)):
        var = check_real(var, what, "var")
        if var < 0:
            raise ValueError(f"{what}: var must be >= 0 (a variance), got {var}")
        return _const(np.full(x.shape, var, dtype=x.dtype))
    v = _like(x, var, "var", what)
    if (v.data < 0).any():
        bad = v.data[v.data < 0].flat[0]
        raise ValueError(f"{what}: var has negative entries (found {bad}); it is a variance")
    if v.shape == x.shape:
        return v
    if x.ndim and v.shape == x.shape[:-1]:
        return v.unsqueeze(-1)
    if v.ndim == x.ndim and sum(b for a, b in zip(x.shape, v.shape) if a != b) == 1:
        return v
    raise ValueError(
        f"{what}: var of shape {v.shape} does not fit input of shape {x.shape} (give the "
        "input's shape, the input's shape without its last dim, or the input's shape with one "
        "dim of size 1)"
    )


def gaussian_nll_loss(
    input: Any,
    target: Any,
    var: Any,
    full: bool = False,
    eps: float = 1e-6,
    reduction: str = "mean",
) -> Tensor:
    """Negative log-likelihood of y under N(mean x, variance v):
    L = 0.5 (log max(v, eps) + (x - y)^2 / max(v, eps)), plus 0.5 log(2 pi) with `full=True`.

    As PyTorch, the clamp changes v's value only: below eps the gradient still flows to v
    (PyTorch clamps a copy in place, unrecorded). var is a number, or a tensor of the input's
    shape, of that shape without the last dim, or with one dim of size 1; negative entries are
    an error. Input and target broadcast."""
    what = "gaussian_nll_loss"
    _check_reduction(reduction, what)
    eps = check_real(eps, what, "eps")
    x = _input(input, what)
    y = _like(x, target, "target", what)
    _broadcast(what, input=x, target=y)
    v = _gaussian_var(x, var, what)
    _broadcast(what, input=x, target=y, var=v)
    lift = np.maximum(v.data, eps) - v.data  # 0 unless v < eps
    if lift.any():
        v = v + _const(lift.astype(x.dtype))
    d = x - y
    loss = (v.log() + d * d / v) * 0.5
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)


# ---------------------------------------------------------------------------------------------
# margin and embedding losses
# ---------------------------------------------------------------------------------------------


def margin_ranking_loss(
    input1: Any,
    input2: Any,
    target: Any,
    margin: float = 0.0,
    reduction: str = "mean",
    *,
    size_average: bool | None = None,
    reduce: bool | None = None,
) -> Tensor:
    """L = max(0, -y (x1 - x2) + margin), y = 1 when x1 should rank higher, -1 when x2 should.

    The three must have the same number of dims (as PyTorch) and broadcast together."""
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    what = "margin_ranking_loss"
    _check_reduction(reduction, what)
    margin = check_real(margin, what, "margin")
    x1 = _input(input1, what)
    x2 = _like(x1, _input(input2, what), "input2", what)
    y = _like(x1, target, "target", what)
    if not x1.ndim == x2.ndim == y.ndim:
        raise ValueError(
            f"{what}: input1, input2 and target must have the same number of dims, got shapes "
            f"{x1.shape}, {x2.shape} and {y.shape}"
        )
    _broadcast(what, input1=x1, input2=x2, target=y)
    return _reduce((-y * (x1 - x2) + margin).clamp_min(0.0), reduction)


def hinge_embedding_loss(
    input: Any,
    target: Any,
    margin: float = 1.0,
    reduction: str = "mean",
    *,
    size_average: bool | None = None,
    reduce: bool | None = None,
) -> Tensor:
    """L = x where y = 1, max(0, margin - x) where y = -1 (x typically a distance).

    As PyTorch, a target that is neither adds both terms. Input and target broadcast."""
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    what = "hinge_embedding_loss"
    _check_reduction(reduction, what)
    margin = check_real(margin, what, "margin")
    x = _input(input, what)
    y = _numbers(target, "target", what)
    shape = _broadcast(what, input=x, target=_const(y))
    x = x if x.shape == shape else x.expand(shape)
    y = np.broadcast_to(y, shape)
    loss = where(_const(y != 1), (margin - x).clamp_min(0.0), 0.0) + where(_const(y != -1), x, 0.0)
    return _reduce(loss, reduction)


def soft_margin_loss(
    input: Any,
    target: Any,
    reduction: str = "mean",
    *,
    size_average: bool | None = None,
    reduce: bool | None = None,
) -> Tensor:
    """L = log(1 + e^(-y x)) for labels y = +-1 (a two-class logistic loss), computed stably
    as -logsigmoid(y x): no overflow for large |x| (PyTorch's gives inf in float32 beyond
    y x < -88); d/dx = -y sigmoid(-y x). The target has the input's shape."""
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    what = "soft_margin_loss"
    _check_reduction(reduction, what)
    x = _input(input, what)
    y = _same_shape_target(x, target, what)
    return _reduce(-_logsigmoid(x * y), reduction)


def cosine_embedding_loss(
    input1: Any,
    input2: Any,
    target: Any,
    margin: float = 0.0,
    reduction: str = "mean",
    *,
    size_average: bool | None = None,
    reduce: bool | None = None,
) -> Tensor:
    """L = 1 - cos(x1, x2) where y = 1, max(0, cos(x1, x2) - margin) where y = -1 (0 for other
    y), cos = x1.x2 / sqrt((|x1|^2 + 1e-12)(|x2|^2 + 1e-12)) as PyTorch's.

    Inputs (N, D) with target (N,), or (D,) with a 0-d target."""
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    what = "cosine_embedding_loss"
    _check_reduction(reduction, what)
    margin = check_real(margin, what, "margin")
    x1 = _input(input1, what)
    x2 = _like(x1, _input(input2, what), "input2", what)
    y = _numbers(target, "target", what)
    if y.ndim > 1:
        raise ValueError(f"{what}: target must be 0-d or 1-d, got shape {y.shape}")
    if x1.ndim != y.ndim + 1 or x2.ndim != y.ndim + 1:
        raise ValueError(
            f"{what}: a {y.ndim}-d target needs {y.ndim + 1}-d inputs, got shapes {x1.shape} "
            f"and {x2.shape}"
        )
    _broadcast(what, input1=x1, input2=x2)
    axis = y.ndim
    dot = (x1 * x2).sum(axis)
    cos = dot / ((x1 * x1).sum(axis) + 1e-12).mul((x2 * x2).sum(axis) + 1e-12).sqrt()
    try:
        np.broadcast_shapes(cos.shape, y.shape)
    except ValueError:
        raise ValueError(
            f"{what}: target of shape {y.shape} does not match inputs of shapes {x1.shape} and "
            f"{x2.shape}"
        ) from None
    loss = where(_const(y == 1), 1 - cos, 0.0) + where(
        _const(y == -1), (cos - margin).clamp_min(0.0), 0.0
    )
    return _reduce(loss, reduction)


def _distance(a: Tensor, b: Tensor, p: float = 2.0, eps: float = 1e-6) -> Tensor:
    """`F.pairwise_distance`: ||a - b + eps||_p along the last dim."""
    from .functional import pairwise_distance  # functional.py imports this module

    return pairwise_distance(a, b, p, eps)


def _triplet(
    a: Tensor, pos: Tensor, neg: Tensor, dist: Callable, margin: float, swap: bool, what: str
) -> Tensor:
    if not a.ndim == pos.ndim == neg.ndim:
        raise ValueError(
            f"{what}: anchor, positive and negative must have the same number of dims, got "
            f"shapes {a.shape}, {pos.shape} and {neg.shape}"
        )
    d_pos, d_neg = dist(a, pos), dist(a, neg)
    if swap:  # the positive may be the closer anchor (Balntas et al. 2016)
        d_neg = d_neg.minimum(dist(pos, neg))
    return (d_pos - d_neg + margin).clamp_min(0.0)


def triplet_margin_loss(
    anchor: Any,
    positive: Any,
    negative: Any,
    margin: float = 1.0,
    p: float = 2,
    eps: float = 1e-6,
    swap: bool = False,
    reduction: str = "mean",
    *,
    size_average: bool | None = None,
    reduce: bool | None = None,
) -> Tensor:
    """L = max(0, d(a, p) - d(a, n) + margin), d(u, v) = ||u - v + eps||_p along the last dim
    (`F.pairwise_distance`), the triplet loss of Schroff et al. 2015; `swap=True` uses
    min(d(a, n), d(p, n)) instead of d(a, n) (Balntas et al. 2016)."""
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    what = "triplet_margin_loss"
    _check_reduction(reduction, what)
    margin = _positive(margin, what, "margin")
    p, eps = check_real(p, what, "p"), check_real(eps, what, "eps")
    a = _input(anchor, what)
    pos = _like(a, _input(positive, what), "positive", what)
    neg = _like(a, _input(negative, what), "negative", what)
    loss = _triplet(a, pos, neg, lambda u, v: _distance(u, v, p, eps), margin, swap, what)
    return _reduce(loss, reduction)


def triplet_margin_with_distance_loss(
    anchor: Any,
    positive: Any,
    negative: Any,
    *,
    distance_function: Callable[[Tensor, Tensor], Tensor] | None = None,
    margin: float = 1.0,
    swap: bool = False,
    reduction: str = "mean",
) -> Tensor:
    """`triplet_margin_loss` with any distance d(u, v) -> Tensor (default: the Euclidean
    `F.pairwise_distance`)."""
    what = "triplet_margin_with_distance_loss"
    _check_reduction(reduction, what)
    margin = _positive(margin, what, "margin")
    if distance_function is not None and not callable(distance_function):
        raise TypeError(f"{what}: distance_function must be callable, got {distance_function!r}")
    dist = distance_function or _distance
    a = _input(anchor, what)
    pos, neg = _input(positive, what), _input(negative, what)
    return _reduce(_triplet(a, pos, neg, dist, margin, swap, what), reduction)


def multilabel_soft_margin_loss(
    input: Any,
    target: Any,
    weight: Any = None,
    reduction: str = "mean",
    *,
    size_average: bool | None = None,
    reduce: bool | None = None,
) -> Tensor:
    """L_i = -(1/C) sum_c w_c [y_ic log sigmoid(x_ic) + (1 - y_ic) log sigmoid(-x_ic)]: one
    logistic loss per class, averaged over the C classes (the last dim). Stable for any x."""
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    what = "multilabel_soft_margin_loss"
    _check_reduction(reduction, what)
    x = _input(input, what)
    if not x.ndim:
        raise ValueError(f"{what}: input must have a class dim, got a 0-d tensor")
    y = _same_shape_target(x, target, what)
    loss = -(y * _logsigmoid(x) + (1 - y) * _logsigmoid(-x))
    w = _elementwise_weight(x, weight, what)
    loss = loss if w is None else loss * w
    return _reduce(loss.sum(-1) / x.shape[-1], reduction)


def _class_rows(x: Tensor, what: str) -> Tensor:
    if x.ndim not in (1, 2):
        raise ValueError(f"{what}: input must be (C,) or (N, C), got shape {x.shape}")
    return x if x.ndim == 2 else x.reshape(1, -1)


def multi_margin_loss(
    input: Any,
    target: Any,
    p: int = 1,
    margin: float = 1.0,
    weight: Any = None,
    reduction: str = "mean",
    *,
    size_average: bool | None = None,
    reduce: bool | None = None,
) -> Tensor:
    """Multi-class hinge loss (Weston & Watkins 1999): for input (N, C) and class indices y (N,),
    L_i = (1/C) sum_{j != y_i} w_{y_i} max(0, margin - x_{i,y_i} + x_ij)^p, p = 1 or 2."""
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    what = "multi_margin_loss"
    _check_reduction(reduction, what)
    p = _margin_power(p, what)
    margin = check_real(margin, what, "margin")
    x = _input(input, what)
    x2 = _class_rows(x, what)
    n, c = x2.shape
    t = _class_indices(target, what)
    if t.shape != x.shape[:-1]:
        raise ValueError(
            f"{what}: target of shape {t.shape} does not match input of shape {x.shape} "
            f"(want {x.shape[:-1]})"
        )
    t = t.reshape(-1).astype(np.int64)
    if t.size and (t.min() < 0 or t.max() >= c):
        bad = t[(t < 0) | (t >= c)][0]
        raise ValueError(f"{what}: target class {bad} is out of range for {c} classes")
    rows = np.arange(n)
    z = (x2 - x2[rows, t].reshape(n, 1) + margin).relu()
    z = z * z if p == 2 else z
    if weight is not None:
        w = _numbers(weight, "weight", what)
        if w.shape != (c,):
            raise ValueError(f"{what}: weight must have shape ({c},), got {w.shape}")
        z = z * _const(w[t].reshape(n, 1).astype(x.dtype))
    others = np.ones((n, c), dtype=bool)
    others[rows, t] = False
    loss = where(_const(others), z, 0.0).sum(1) / c
    return _reduce(loss if x.ndim == 2 else loss.reshape(()), reduction)


def multilabel_margin_loss(
    input: Any,
    target: Any,
    reduction: str = "mean",
    *,
    size_average: bool | None = None,
    reduce: bool | None = None,
) -> Tensor:
    """Multi-label hinge loss: target row i lists the classes of example i, ended by the first
    -1 (PyTorch's layout, same shape as the input); then
    L_i = (1/C) sum_{j listed} sum_{k not listed} max(0, 1 - (x_ij - x_ik))."""
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    what = "multilabel_margin_loss"
    _check_reduction(reduction, what)
    x = _input(input, what)
    x2 = _class_rows(x, what)
    n, c = x2.shape
    t = _class_indices(target, what)
    if t.shape != x.shape:
        raise ValueError(
            f"{what}: target of shape {t.shape} does not match input of shape {x.shape}"
        )
    t = t.reshape(n, c).astype(np.int64)
    listed = np.cumprod(t != -1, axis=1).astype(bool)  # entries before the first -1
    if ((t[listed] < 0) | (t[listed] >= c)).any():
        bad = t[listed][(t[listed] < 0) | (t[listed] >= c)][0]
        raise ValueError(f"{what}: target class {bad} is out of range for {c} classes")
    counts = np.zeros((n, c))  # how often class j is listed (PyTorch counts repeats)
    np.add.at(counts, (np.nonzero(listed)[0], t[listed]), 1)
    pairs = counts[:, :, None] * (counts == 0)[:, None, :]  # (N, j listed, k not)
    hinge = (1 - x2.reshape(n, c, 1) + x2.reshape(n, 1, c)).relu()
    loss = (hinge * _const(pairs.astype(x.dtype))).sum((1, 2)) / c
    return _reduce(loss if x.ndim == 2 else loss.reshape(()), reduction)


# ---------------------------------------------------------------------------------------------
# the losses as modules
# ---------------------------------------------------------------------------------------------


def _extra(self: _Loss, **non_defaults: Any) -> str:
    """`reduction=...` and the given settings, each shown only if it differs from its default
    (default-built modules print as PyTorch's: `HuberLoss()`)."""
    parts = [_Loss.extra_repr(self)] if self.reduction != "mean" else []
    parts += [f"{k}={v!r}" for k, (v, default) in non_defaults.items() if v != default]
    return ", ".join(parts)


class SmoothL1Loss(_Loss):
    """Module form of `smooth_l1_loss`."""

    def __init__(
        self,
        reduction: str = "mean",
        beta: float = 1.0,
        *,
        size_average: bool | None = None,
        reduce: bool | None = None,
    ) -> None:
        if size_average is not None or reduce is not None:
            reduction = _legacy_reduction(size_average, reduce)
        super().__init__(reduction)
        self.beta = _positive(beta, "SmoothL1Loss", "beta", or_zero=True)

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return smooth_l1_loss(input, target, self.reduction, self.beta)

    def extra_repr(self) -> str:
        return _extra(self, beta=(self.beta, 1.0))


class HuberLoss(_Loss):
    """Module form of `huber_loss`."""

    def __init__(self, reduction: str = "mean", delta: float = 1.0) -> None:
        super().__init__(reduction)
        self.delta = _positive(delta, "HuberLoss", "delta")

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return huber_loss(input, target, self.reduction, self.delta)

    def extra_repr(self) -> str:
        return _extra(self, delta=(self.delta, 1.0))


class KLDivLoss(_Loss):
    """Module form of `kl_div` (reduction may also be 'batchmean')."""

    def __init__(
        self,
        reduction: str = "mean",
        log_target: bool = False,
        *,
        size_average: bool | None = None,
        reduce: bool | None = None,
    ) -> None:
        if size_average is not None or reduce is not None:
            reduction = _legacy_reduction(size_average, reduce)
        _kl_options(reduction, log_target, "KLDivLoss")
        super().__init__("sum" if reduction == "batchmean" else reduction)
        self.reduction, self.log_target = reduction, log_target

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return kl_div(input, target, self.reduction, self.log_target)

    def extra_repr(self) -> str:
        return _extra(self, log_target=(self.log_target, False))


class PoissonNLLLoss(_Loss):
    """Module form of `poisson_nll_loss`."""

    def __init__(
        self,
        log_input: bool = True,
        full: bool = False,
        eps: float = 1e-8,
        reduction: str = "mean",
        *,
        size_average: bool | None = None,
        reduce: bool | None = None,
    ) -> None:
        if size_average is not None or reduce is not None:
            reduction = _legacy_reduction(size_average, reduce)
        super().__init__(reduction)
        self.log_input, self.full = bool(log_input), bool(full)
        self.eps = check_real(eps, "PoissonNLLLoss", "eps")

    def forward(self, log_input: Tensor, target: Any) -> Tensor:
        return poisson_nll_loss(
            log_input, target, self.log_input, self.full, self.eps, self.reduction
        )

    def extra_repr(self) -> str:
        return _extra(
            self, log_input=(self.log_input, True), full=(self.full, False), eps=(self.eps, 1e-8)
        )


class GaussianNLLLoss(_Loss):
    """Module form of `gaussian_nll_loss`: called as loss(input, target, var)."""

    def __init__(self, *, full: bool = False, eps: float = 1e-6, reduction: str = "mean") -> None:
        super().__init__(reduction)
        self.full = bool(full)
        self.eps = check_real(eps, "GaussianNLLLoss", "eps")

    def forward(self, input: Tensor, target: Any, var: Any) -> Tensor:
        return gaussian_nll_loss(input, target, var, self.full, self.eps, self.reduction)

    def extra_repr(self) -> str:
        return _extra(self, full=(self.full, False), eps=(self.eps, 1e-6))


class MarginRankingLoss(_Loss):
    """Module form of `margin_ranking_loss`: called as loss(x1, x2, y)."""

    def __init__(
        self,
        margin: float = 0.0,
        reduction: str = "mean",
        *,
        size_average: bool | None = None,
        reduce: bool | None = None,
    ) -> None:
        if size_average is not None or reduce is not None:
            reduction = _legacy_reduction(size_average, reduce)
        super().__init__(reduction)
        self.margin = check_real(margin, "MarginRankingLoss", "margin")

    def forward(self, input1: Tensor, input2: Tensor, target: Any) -> Tensor:
        return margin_ranking_loss(input1, input2, target, self.margin, self.reduction)

    def extra_repr(self) -> str:
        return _extra(self, margin=(self.margin, 0.0))


class HingeEmbeddingLoss(_Loss):
    """Module form of `hinge_embedding_loss`."""

    def __init__(
        self,
        margin: float = 1.0,
        reduction: str = "mean",
        *,
        size_average: bool | None = None,
        reduce: bool | None = None,
    ) -> None:
        if size_average is not None or reduce is not None:
            reduction = _legacy_reduction(size_average, reduce)
        super().__init__(reduction)
        self.margin = check_real(margin, "HingeEmbeddingLoss", "margin")

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return hinge_embedding_loss(input, target, self.margin, self.reduction)

    def extra_repr(self) -> str:
        return _extra(self, margin=(self.margin, 1.0))


class SoftMarginLoss(_Loss):
    """Module form of `soft_margin_loss`."""

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return soft_margin_loss(input, target, self.reduction)


class CosineEmbeddingLoss(_Loss):
    """Module form of `cosine_embedding_loss`: called as loss(x1, x2, y)."""

    def __init__(
        self,
        margin: float = 0.0,
        reduction: str = "mean",
        *,
        size_average: bool | None = None,
        reduce: bool | None = None,
    ) -> None:
        if size_average is not None or reduce is not None:
            reduction = _legacy_reduction(size_average, reduce)
        super().__init__(reduction)
        self.margin = check_real(margin, "CosineEmbeddingLoss", "margin")

    def forward(self, input1: Tensor, input2: Tensor, target: Any) -> Tensor:
        return cosine_embedding_loss(input1, input2, target, self.margin, self.reduction)

    def extra_repr(self) -> str:
        return _extra(self, margin=(self.margin, 0.0))


class TripletMarginLoss(_Loss):
    """Module form of `triplet_margin_loss`: called as loss(anchor, positive, negative)."""

    def __init__(
        self,
        margin: float = 1.0,
        p: float = 2.0,
        eps: float = 1e-6,
        swap: bool = False,
        reduction: str = "mean",
        *,
        size_average: bool | None = None,
        reduce: bool | None = None,
    ) -> None:
        if size_average is not None or reduce is not None:
            reduction = _legacy_reduction(size_average, reduce)
        super().__init__(reduction)
        self.margin = _positive(margin, "TripletMarginLoss", "margin")
        self.p = check_real(p, "TripletMarginLoss", "p")
        self.eps = check_real(eps, "TripletMarginLoss", "eps")
        self.swap = bool(swap)

    def forward(self, anchor: Tensor, positive: Tensor, negative: Tensor) -> Tensor:
        return triplet_margin_loss(
            anchor, positive, negative, self.margin, self.p, self.eps, self.swap, self.reduction
        )

    def extra_repr(self) -> str:
        return _extra(
            self,
            margin=(self.margin, 1.0),
            p=(self.p, 2.0),
            eps=(self.eps, 1e-6),
            swap=(self.swap, False),
        )


class TripletMarginWithDistanceLoss(_Loss):
    """Module form of `triplet_margin_with_distance_loss` (a distance that is a Module is
    registered as a submodule, as in PyTorch)."""

    def __init__(
        self,
        *,
        distance_function: Callable[[Tensor, Tensor], Tensor] | None = None,
        margin: float = 1.0,
        swap: bool = False,
        reduction: str = "mean",
    ) -> None:
        super().__init__(reduction)
        what = "TripletMarginWithDistanceLoss"
        if distance_function is not None and not callable(distance_function):
            raise TypeError(
                f"{what}: distance_function must be callable, got {distance_function!r}"
            )
        self.distance_function = distance_function
        self.margin = _positive(margin, what, "margin")
        self.swap = bool(swap)

    def forward(self, anchor: Tensor, positive: Tensor, negative: Tensor) -> Tensor:
        return triplet_margin_with_distance_loss(
            anchor,
            positive,
            negative,
            distance_function=self.distance_function,
            margin=self.margin,
            swap=self.swap,
            reduction=self.reduction,
        )

    def extra_repr(self) -> str:
        return _extra(self, margin=(self.margin, 1.0), swap=(self.swap, False))


class MultiLabelSoftMarginLoss(_WeightedLoss):
    """Module form of `multilabel_soft_margin_loss` (`weight` is a buffer)."""

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return multilabel_soft_margin_loss(input, target, self.weight, self.reduction)


class MultiMarginLoss(_WeightedLoss):
    """Module form of `multi_margin_loss` (`weight` is a buffer)."""

    def __init__(
        self,
        p: int = 1,
        margin: float = 1.0,
        weight: Any = None,
        reduction: str = "mean",
        *,
        size_average: bool | None = None,
        reduce: bool | None = None,
    ) -> None:
        if size_average is not None or reduce is not None:
            reduction = _legacy_reduction(size_average, reduce)
        super().__init__(weight, reduction)
        self.p = _margin_power(p, "MultiMarginLoss")
        self.margin = check_real(margin, "MultiMarginLoss", "margin")

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return multi_margin_loss(input, target, self.p, self.margin, self.weight, self.reduction)

    def extra_repr(self) -> str:
        return _extra(self, p=(self.p, 1), margin=(self.margin, 1.0))


class MultiLabelMarginLoss(_Loss):
    """Module form of `multilabel_margin_loss`."""

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return multilabel_margin_loss(input, target, self.reduction)
