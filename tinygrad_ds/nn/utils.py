"""Training utilities: the L2 penalty of the course's cost, and gradient clipping."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from ..grad_mode import no_grad
from ..tensor import Tensor
from .module import Module

__all__ = ["l2_penalty", "clip_grad_norm_", "clip_grad_value_"]


def _named(params: Any) -> list[tuple[str | None, Tensor]]:
    if isinstance(params, Module):
        return list(params.named_parameters())
    if isinstance(params, Tensor):
        return [(None, params)]
    if isinstance(params, dict):
        return list(params.items())
    items = list(params)
    return [item if isinstance(item, tuple) else (None, item) for item in items]


def l2_penalty(params: Any, exclude_bias: bool = True) -> Tensor:
    """R(W, b) = sum of the squared weights (no 1/2), so that `loss + lam * l2_penalty(model)`
    is the course's J(W, b) = (1/N) sum_i L + lambda R, whose gradient adds 2 lambda W.

    `params` is a Module, named parameters (pairs or a dict) or plain Tensors. With
    `exclude_bias` the biases are left out: parameters named "bias" (the last part of the
    dotted name), or, for unnamed Tensors, those with one dimension.
    """
    terms = []
    for name, p in _named(params):
        if exclude_bias:
            is_bias = name.rsplit(".", 1)[-1] == "bias" if name is not None else p.ndim <= 1
            if is_bias:
                continue
        terms.append((p * p).sum())
    if not terms:
        return Tensor(0.0)
    total = terms[0]
    for t in terms[1:]:
        total = total + t
    return total


def _with_grads(parameters: Iterable[Tensor] | Tensor, what: str) -> list[Tensor]:
    """The parameters (a Tensor, an iterable of Tensors or a Module) that have a gradient."""
    if isinstance(parameters, Tensor):
        ps = [parameters]
    elif isinstance(parameters, Module):
        ps = list(parameters.parameters())
    elif isinstance(parameters, Iterable) and not isinstance(parameters, (str, bytes, dict)):
        ps = list(parameters)
    else:
        raise TypeError(
            f"{what}: parameters must be a Tensor or an iterable of Tensors, got "
            f"{type(parameters).__name__}"
        )
    for i, p in enumerate(ps):
        if not isinstance(p, Tensor):
            raise TypeError(f"{what}: parameter {i} is a {type(p).__name__}, not a Tensor")
        if p.grad is not None and not isinstance(p.grad, Tensor):
            raise TypeError(
                f"{what}: the .grad of parameter {i} (shape {p.shape}) is a "
                f"{type(p.grad).__name__}, not a Tensor"
            )
    return [p for p in ps if p.grad is not None]


def _real(value: Any, what: str, name: str, allow_inf: bool = True) -> float:
    """`value` as a float, refusing non-numbers (TypeError) and NaN and negatives (ValueError)."""
    if isinstance(value, Tensor) and value.ndim == 0:
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{what}: {name} must be a real number >= 0, got {value!r:.60}")
    number = float(value)
    if math.isnan(number) or number < 0 or (not allow_inf and math.isinf(number)):
        raise ValueError(f"{what}: {name} must be a real number >= 0, got {value!r}")
    return number


def clip_grad_norm_(
    parameters: Iterable[Tensor] | Tensor,
    max_norm: float,
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
) -> Tensor:
    """Scale all gradients together, in place, so that their joint norm is at most max_norm:
    g <- g * min(1, max_norm / (total_norm + 1e-6)), as PyTorch. `norm_type` may be inf, or
    0 (as PyTorch: the number of nonzero elements per gradient, then of nonzero norms).
    A negative or NaN `max_norm` or `norm_type` is a ValueError (PyTorch would flip the
    gradients' signs, or make them NaN).

    Returns the total norm before clipping, ||(||g_1||, ||g_2||, ...)||, as a Tensor.
    """
    what = "clip_grad_norm_"
    max_norm = _real(max_norm, what, "max_norm")
    norm_type = _real(norm_type, what, "norm_type")
    ps = _with_grads(parameters, what)
    if not ps:
        return Tensor(0.0)
    grads = [p.grad.data for p in ps]
    if math.isinf(norm_type):
        norms = [np.abs(g).max() if g.size else 0.0 for g in grads]
        total = float(np.max(norms))
    elif norm_type == 0:
        norms = [np.count_nonzero(g) for g in grads]
        total = float(np.count_nonzero(norms))
    else:
        norms = [np.sum(np.abs(g.astype(np.float64)) ** norm_type) for g in grads]
        total = float(np.sum(norms) ** (1.0 / norm_type))
    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeError(
            f"clip_grad_norm_: the total norm of order {norm_type} is non-finite ({total}); "
            "pass error_if_nonfinite=False to clip anyway"
        )
    coef = min(1.0, max_norm / (total + 1e-6))
    with no_grad():
        for p in ps:
            p.grad.mul_(coef)
    return Tensor(np.asarray(total, dtype=grads[0].dtype))


def clip_grad_value_(parameters: Iterable[Tensor] | Tensor, clip_value: float) -> None:
    """Clamp every gradient element to [-clip_value, clip_value], in place. A negative or NaN
    `clip_value` is a ValueError (PyTorch would set every element to it)."""
    clip_value = _real(clip_value, "clip_grad_value_", "clip_value")
    with no_grad():
        for p in _with_grads(parameters, "clip_grad_value_"):
            p.grad.clamp_(-clip_value, clip_value)
