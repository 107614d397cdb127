"""Losses, as functions (also in `nn.functional`) and as modules, with PyTorch's semantics.

Every loss takes `reduction`: 'mean' (the default), 'sum' or 'none' (one value per example);
those of PyTorch that still take the deprecated `size_average` and `reduce` take them too
(keyword-only here), mapped to a reduction as PyTorch does, with its warning.
Targets of the wrong shape, dtype or range are errors that name the loss.

The course's per-example loss L(y_hat, y) = -[(1 - y) log(1 - y_hat) + y log y_hat] is
`binary_cross_entropy`, and its cost J = (1/N) sum_i L is the 'mean' reduction.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from ..ops.loss import BinaryCrossEntropy, BinaryCrossEntropyWithLogits, SoftmaxCrossEntropy
from ..tensor import Tensor
from .module import Module, check_int, check_real

__all__ = [
    "binary_cross_entropy", "binary_cross_entropy_with_logits", "cross_entropy", "nll_loss",
    "mse_loss", "l1_loss", "BCELoss", "BCEWithLogitsLoss", "CrossEntropyLoss", "NLLLoss",
    "MSELoss", "L1Loss",
]  # fmt: skip

REDUCTIONS = ("mean", "sum", "none")


# ---------------------------------------------------------------------------------------------
# checks shared by the losses
# ---------------------------------------------------------------------------------------------


def _input(x: Any, what: str) -> Tensor:
    x = x if isinstance(x, Tensor) else Tensor(x)
    if x.dtype.kind != "f":
        raise TypeError(f"{what}: input must be a floating tensor, got dtype {x.dtype}")
    return x


def _check_reduction(reduction: str, what: str) -> None:
    if reduction not in REDUCTIONS:
        raise ValueError(f"{what}: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")


def _legacy_reduction(size_average: Any, reduce: Any) -> str:
    """PyTorch's deprecated `size_average` and `reduce` (each None, True or False) as a
    reduction, as its `_Reduction.legacy_get_string` maps them (either overrides `reduction`):
    'none' if reduce is False, else 'sum' if size_average is False, else 'mean' (None counts
    as True); with its UserWarning."""
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    reduction = "mean" if size_average and reduce else "sum" if reduce else "none"
    warnings.warn(
        "size_average and reduce args will be deprecated, please use "
        f"reduction='{reduction}' instead.",
        UserWarning,
        stacklevel=3,
    )
    return reduction


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return loss.mean()
    return loss.sum() if reduction == "sum" else loss


def _like(x: Tensor, value: Any, name: str, what: str) -> Tensor:
    """`value` (the argument `name`) as a tensor of x's dtype, any shape: bools and integers
    converted, a floating tensor cast in the graph (so it keeps its gradient)."""
    t = value if isinstance(value, Tensor) else np.asarray(value)
    if t.dtype.kind not in "biuf":
        raise TypeError(f"{what}: {name} must hold numbers, got dtype {t.dtype}")
    t = t if isinstance(t, Tensor) else Tensor(t)
    if t.dtype != x.dtype:
        t = t.astype(x.dtype) if t.dtype.kind == "f" else Tensor._make(t.data.astype(x.dtype), None)
    return t


def _same_shape_target(x: Tensor, target: Any, what: str) -> Tensor:
    """The target as a tensor of x's dtype (bools and integers are converted), same shape."""
    t = _like(x, target, "target", what)
    if t.shape != x.shape:
        raise ValueError(
            f"{what}: target of shape {t.shape} does not match input of shape {x.shape} "
            "(they must be equal; reshape one, e.g. y.reshape(-1, 1))"
        )
    return t


def _in_unit_interval(values: np.ndarray, name: str, what: str) -> None:
    if values.size and not ((values >= 0) & (values <= 1)).all():
        bad = values[~((values >= 0) & (values <= 1))].flat[0]
        raise ValueError(f"{what}: every {name} must be between 0 and 1, found {bad}")


def _numbers(values: Any, name: str, what: str) -> np.ndarray:
    """A weight argument as an array of numbers (TypeError naming it otherwise)."""
    a = np.asarray(values.data if isinstance(values, Tensor) else values)
    if a.dtype.kind not in "biuf":
        raise TypeError(f"{what}: {name} must hold numbers, got {values!r} (dtype {a.dtype})")
    return a


def _elementwise_weight(x: Tensor, weight: Any, what: str) -> Tensor | None:
    if weight is None:
        return None
    w = _numbers(weight, "weight", what)
    try:
        np.broadcast_to(w, x.shape)
    except ValueError:
        raise ValueError(
            f"{what}: weight of shape {w.shape} does not broadcast to input of shape {x.shape}"
        ) from None
    return Tensor._make(w.astype(x.dtype, copy=False), None)


def _class_weight(weight: Any, n_classes: int, dtype: np.dtype, what: str) -> np.ndarray | None:
    if weight is None:
        return None
    w = _numbers(weight, "weight", what)
    if w.shape != (n_classes,):
        raise ValueError(
            f"{what}: weight must have one entry per class, shape ({n_classes},), got {w.shape}"
        )
    return w.astype(dtype)


def _class_layout(x: Tensor, what: str) -> tuple[Tensor, int, tuple[int, ...]]:
    """Logits or log-probabilities of shape (C,), (N, C) or (N, C, d1, ...) as (M, C), with
    the class axis last; also the number of classes and the shape of a class-index target."""
    shape = x.data.shape
    if len(shape) == 2:
        return x, shape[1], shape[:1]
    if not shape:
        raise ValueError(f"{what}: input must have a class axis, got a 0-d tensor")
    if len(shape) == 1:
        return x.reshape(1, -1), shape[0], ()
    c = shape[1]
    x = x.permute((0,) + tuple(range(2, len(shape))) + (1,))
    return x.reshape(-1, c), c, shape[:1] + shape[2:]


def _class_target(
    target: Any, x_shape: tuple[int, ...], shape: tuple[int, ...], c: int, ignore_index: int,
    what: str,
) -> tuple[np.ndarray, bool]:  # fmt: skip
    """Class indices as a flat int array, checked for dtype, shape and range; and whether
    `ignore_index` may be among them (False when it can't be: every target is a class and it
    is not one)."""
    t = np.asarray(target.data if isinstance(target, Tensor) else target)
    if t.dtype.kind not in "iu":
        hint = (
            f"; probability targets need the input's shape {x_shape}" if t.dtype.kind == "f" else ""
        )
        raise TypeError(f"{what}: class-index targets must be integers, got dtype {t.dtype}{hint}")
    if t.shape != shape:
        raise ValueError(
            f"{what}: target of shape {t.shape} does not match input of shape {x_shape}: "
            f"class-index targets must have shape {shape}"
        )
    flat = t if t.ndim == 1 and t.dtype == np.int64 else t.reshape(-1).astype(np.int64, copy=False)
    if not flat.size:
        return flat, False
    # One reduction in the common case: read as unsigned, a negative index is huge, so a
    # largest value below C means every target is a class (and a negative ignore_index absent).
    if int(np.maximum.reduce(flat.view(np.uint64))) < c:  # (.max()'s Python layer skipped)
        return flat, 0 <= ignore_index < c
    bad = (flat != ignore_index) & ((flat < 0) | (flat >= c))
    if bad.any():
        raise ValueError(f"{what}: target class {flat[bad][0]} is out of range for {c} classes")
    return flat, True


def _per_example(loss: Tensor, shape: tuple[int, ...], reduction: str) -> Tensor:
    return loss.reshape(shape) if reduction == "none" else loss


# ---------------------------------------------------------------------------------------------
# the losses
# ---------------------------------------------------------------------------------------------


def binary_cross_entropy(
    input: Any,
    target: Any,
    weight: Any = None,
    reduction: str = "mean",
    *,
    size_average: bool | None = None,
    reduce: bool | None = None,
) -> Tensor:
    """L(p, y) = -w [y log p + (1 - y) log(1 - p)] for probabilities p (the course's loss).

    Both logs are clamped at >= -100 as in PyTorch, so p of exactly 0 or 1 gives a finite loss,
    and the gradient (p - y) / max(p (1 - p), 1e-12) is finite there too. `weight` broadcasts
    to the input. Integer or bool targets are converted; p and y must lie in [0, 1].
    """
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    what = "binary_cross_entropy"
    _check_reduction(reduction, what)
    p = _input(input, what)
    y = _same_shape_target(p, target, what)
    _in_unit_interval(p.data, "input probability", what)
    _in_unit_interval(y.data, "target", what)
    loss = BinaryCrossEntropy.apply(p, y)
    w = _elementwise_weight(p, weight, what)
    return _reduce(loss if w is None else loss * w, reduction)


def binary_cross_entropy_with_logits(
    input: Any,
    target: Any,
    weight: Any = None,
    reduction: str = "mean",
    pos_weight: Any = None,
    *,
    size_average: bool | None = None,
    reduce: bool | None = None,
) -> Tensor:
    """Binary cross-entropy of sigmoid(x), computed stably from the logits x:
    L = w [(1 - y) x + r log(1 + e^-x)] with r = 1 + (pos_weight - 1) y, never inf or nan.

    `pos_weight` (one value per class, the last axis) weighs the positive examples.
    """
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    what = "binary_cross_entropy_with_logits"
    _check_reduction(reduction, what)
    x = _input(input, what)
    y = _same_shape_target(x, target, what)
    _in_unit_interval(y.data, "target", what)
    pw = None
    if pos_weight is not None:
        pw = _numbers(pos_weight, "pos_weight", what)
        try:
            np.broadcast_to(pw, x.shape)
        except ValueError:
            raise ValueError(
                f"{what}: pos_weight of shape {pw.shape} does not broadcast to input of shape "
                f"{x.shape} (give one value per class, the last axis)"
            ) from None
        pw = pw.astype(x.dtype)
    loss = BinaryCrossEntropyWithLogits.apply(x, y, pos_weight=pw)
    w = _elementwise_weight(x, weight, what)
    return _reduce(loss if w is None else loss * w, reduction)


def cross_entropy(
    input: Any,
    target: Any,
    weight: Any = None,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
    *,
    size_average: bool | None = None,
    reduce: bool | None = None,
) -> Tensor:
    """Softmax cross-entropy of logits z (shape (N, C), (C,) or (N, C, d1, ...)).

    With class-index targets y: L_i = -w_yi log softmax(z_i)_yi, 'mean' dividing the sum by
    sum_i w_yi over the targets that are not `ignore_index` (PyTorch's weighted mean);
    label smoothing s mixes in -(s / C) sum_c w_c log softmax(z_i)_c. One fused primitive,
    stable for any logits; its gradient is softmax(z) - onehot(y) (scaled).
    With class-probability targets (the input's shape, floating):
    L_i = -sum_c w_c y_ic log softmax(z_i)_c, 'mean' dividing by the number of examples.
    """
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    what = "cross_entropy"
    _check_reduction(reduction, what)
    check_int(ignore_index, what, "ignore_index")
    if not 0.0 <= check_real(label_smoothing, what, "label_smoothing") <= 1.0:
        raise ValueError(f"{what}: label_smoothing must be in [0, 1], got {label_smoothing}")
    z = _input(input, what)
    z2, c, shape = _class_layout(z, what)
    w = _class_weight(weight, c, z.dtype, what)
    values = np.asarray(target.data if isinstance(target, Tensor) else target)
    if values.dtype.kind == "f" and values.shape == z.shape:  # probabilities (may need grad)
        return _cross_entropy_probs(z, target, w, reduction, label_smoothing, what)
    t, may_ignore = _class_target(values, z.shape, shape, c, ignore_index, what)
    loss = SoftmaxCrossEntropy.apply(
        z2,
        target=t,
        weight=w,
        ignore_index=ignore_index if may_ignore else None,
        label_smoothing=float(label_smoothing),
        reduction=reduction,
    )
    return _per_example(loss, shape, reduction)


def _cross_entropy_probs(
    z: Tensor, target: Any, w: np.ndarray | None, reduction: str, smoothing: float, what: str
) -> Tensor:
    y = _same_shape_target(z, target, what)
    axis = 0 if z.ndim == 1 else 1
    c = z.shape[axis]
    if smoothing:
        y = y * (1 - smoothing) + smoothing / c
    logp = z.log_softmax(axis=axis)
    if w is not None:
        w_shape = (c,) + (1,) * (z.ndim - axis - 1)
        logp = logp * Tensor._make(w.reshape(w_shape), None)
    loss = -(logp * y).sum(axis=axis)
    return _reduce(loss, reduction)


def nll_loss(
    input: Any,
    target: Any,
    weight: Any = None,
    ignore_index: int = -100,
    reduction: str = "mean",
    *,
    size_average: bool | None = None,
    reduce: bool | None = None,
) -> Tensor:
    """Negative log-likelihood of log-probabilities: L_i = -w_yi input[i, y_i], with the same
    shapes, weights, `ignore_index` and weighted mean as `cross_entropy`
    (cross_entropy(z, y) = nll_loss(log_softmax(z), y)).

    'mean' weighs each example by w_yi / sum_j w_yj. A total weight of 0 makes the mean 0/0 =
    nan; as in PyTorch, the gradient is then nan for the examples kept and 0 for the ignored."""
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    what = "nll_loss"
    _check_reduction(reduction, what)
    check_int(ignore_index, what, "ignore_index")
    x = _input(input, what)
    x2, c, shape = _class_layout(x, what)
    w = _class_weight(weight, c, x.dtype, what)
    t, _ = _class_target(target, x.shape, shape, c, ignore_index, what)
    valid = t != ignore_index
    t0 = np.where(valid, t, 0)
    w_t = (w[t0] if w is not None else np.ones(t.shape, x.dtype)) * valid
    if reduction == "mean":
        total = w_t.sum()
        w_t = w_t / total if total else np.where(valid, np.nan, 0.0)
    loss = -x2[np.arange(t.shape[0]), t0] * Tensor._make(w_t.astype(x.dtype), None)
    if reduction != "mean":
        return _per_example(_reduce(loss, reduction), shape, reduction)
    if total:
        return loss.sum()  # the weights are divided by their sum already
    return loss.sum() + Tensor._make(np.asarray(np.nan, dtype=x.dtype), None)  # 0/0, no gradient


def _weighted(loss: Tensor, weight: Any, reduction: str, what: str) -> Tensor:
    """w L, reduced as PyTorch's mse_loss and l1_loss with `weight`: 'mean' is the weighted
    mean sum(w L) / sum(w). The weight has the input's shape and may require grad; without
    one, L reduced as usual."""
    if weight is None:
        return _reduce(loss, reduction)
    w = _like(loss, weight, "weight", what)
    if w.shape != loss.shape:
        raise ValueError(
            f"{what}: weight of shape {w.shape} does not match input of shape {loss.shape} "
            "(they must be equal)"
        )
    loss = loss * w
    return loss.sum() / w.sum() if reduction == "mean" else _reduce(loss, reduction)


def mse_loss(
    input: Any,
    target: Any,
    reduction: str = "mean",
    *,
    size_average: bool | None = None,
    reduce: bool | None = None,
    weight: Any = None,
) -> Tensor:
    """L = (x - y)^2 elementwise (mean squared error with 'mean'). With `weight` (the input's
    shape), L = w (x - y)^2 and 'mean' is the weighted mean sum(w L) / sum(w), as PyTorch."""
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    what = "mse_loss"
    _check_reduction(reduction, what)
    x = _input(input, what)
    diff = x - _same_shape_target(x, target, what)
    return _weighted(diff * diff, weight, reduction, what)


def l1_loss(
    input: Any,
    target: Any,
    reduction: str = "mean",
    *,
    size_average: bool | None = None,
    reduce: bool | None = None,
    weight: Any = None,
) -> Tensor:
    """L = |x - y| elementwise (its gradient is sign(x - y), 0 where equal). With `weight`
    (the input's shape), L = w |x - y| and 'mean' is sum(w L) / sum(w), as PyTorch."""
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    what = "l1_loss"
    _check_reduction(reduction, what)
    x = _input(input, what)
    loss = (x - _same_shape_target(x, target, what)).abs()
    return _weighted(loss, weight, reduction, what)


# ---------------------------------------------------------------------------------------------
# the losses as modules
# ---------------------------------------------------------------------------------------------


class _Loss(Module):
    def __init__(
        self,
        reduction: str = "mean",
        *,
        size_average: bool | None = None,
        reduce: bool | None = None,
    ) -> None:
        if size_average is not None or reduce is not None:
            reduction = _legacy_reduction(size_average, reduce)
        super().__init__()
        _check_reduction(reduction, type(self).__name__)
        self.reduction = reduction

    def extra_repr(self) -> str:
        return f"reduction={self.reduction!r}" if self.reduction != "mean" else ""


class _WeightedLoss(_Loss):
    """A loss with a `weight` buffer (saved in state_dict, as PyTorch does)."""

    def __init__(
        self,
        weight: Any = None,
        reduction: str = "mean",
        *,
        size_average: bool | None = None,
        reduce: bool | None = None,
    ) -> None:
        if size_average is not None or reduce is not None:
            reduction = _legacy_reduction(size_average, reduce)
        super().__init__(reduction)
        if weight is not None and not isinstance(weight, Tensor):
            weight = Tensor(_numbers(weight, "weight", type(self).__name__))
        self.register_buffer("weight", weight)


class BCELoss(_WeightedLoss):
    """Module form of `binary_cross_entropy` (inputs are probabilities)."""

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return binary_cross_entropy(input, target, self.weight, self.reduction)


class BCEWithLogitsLoss(_WeightedLoss):
    """Module form of `binary_cross_entropy_with_logits` (inputs are logits)."""

    def __init__(
        self,
        weight: Any = None,
        reduction: str = "mean",
        pos_weight: Any = None,
        *,
        size_average: bool | None = None,
        reduce: bool | None = None,
    ):
        if size_average is not None or reduce is not None:
            reduction = _legacy_reduction(size_average, reduce)
        super().__init__(weight, reduction)
        if pos_weight is not None and not isinstance(pos_weight, Tensor):
            pos_weight = Tensor(_numbers(pos_weight, "pos_weight", type(self).__name__))
        self.register_buffer("pos_weight", pos_weight)

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return binary_cross_entropy_with_logits(
            input, target, self.weight, self.reduction, self.pos_weight
        )


class CrossEntropyLoss(_WeightedLoss):
    """Module form of `cross_entropy` (inputs are logits)."""

    def __init__(
        self,
        weight: Any = None,
        ignore_index: int = -100,
        reduction: str = "mean",
        label_smoothing: float = 0.0,
        *,
        size_average: bool | None = None,
        reduce: bool | None = None,
    ) -> None:
        if size_average is not None or reduce is not None:
            reduction = _legacy_reduction(size_average, reduce)
        super().__init__(weight, reduction)
        self.ignore_index = check_int(ignore_index, "CrossEntropyLoss", "ignore_index")
        if not 0.0 <= check_real(label_smoothing, "CrossEntropyLoss", "label_smoothing") <= 1.0:
            raise ValueError(
                f"CrossEntropyLoss: label_smoothing must be in [0, 1], got {label_smoothing}"
            )
        self.label_smoothing = label_smoothing

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return cross_entropy(
            input, target, self.weight, self.ignore_index, self.reduction, self.label_smoothing
        )


class NLLLoss(_WeightedLoss):
    """Module form of `nll_loss` (inputs are log-probabilities)."""

    def __init__(
        self,
        weight: Any = None,
        ignore_index: int = -100,
        reduction: str = "mean",
        *,
        size_average: bool | None = None,
        reduce: bool | None = None,
    ):
        if size_average is not None or reduce is not None:
            reduction = _legacy_reduction(size_average, reduce)
        super().__init__(weight, reduction)
        self.ignore_index = check_int(ignore_index, "NLLLoss", "ignore_index")

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return nll_loss(input, target, self.weight, self.ignore_index, self.reduction)


class MSELoss(_Loss):
    """Module form of `mse_loss`."""

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return mse_loss(input, target, self.reduction)


class L1Loss(_Loss):
    """Module form of `l1_loss`."""

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return l1_loss(input, target, self.reduction)
