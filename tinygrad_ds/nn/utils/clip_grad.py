"""Training utilities: the L2 penalty of the course's cost, gradient clipping, and the
parameters as one vector."""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable
from typing import Any

import numpy as np

from ...functions import cat
from ...grad_mode import no_grad
from ...tensor import Tensor
from ..module import Module

__all__ = [
    "l2_penalty", "clip_grad_norm_", "clip_grad_norm", "clip_grad_value_", "get_total_norm",
    "clip_grads_with_norm_", "parameters_to_vector", "vector_to_parameters",
]  # fmt: skip


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


def _norm_type(norm_type: Any, what: str) -> float:
    """PyTorch also takes the order as a string, e.g. "inf"."""
    if isinstance(norm_type, str):
        try:
            norm_type = float(norm_type)
        except ValueError:
            raise TypeError(
                f"{what}: norm_type must be a real number >= 0 (or one as a string, e.g. "
                f"'inf'), got {norm_type!r}"
            ) from None
    return _real(norm_type, what, "norm_type")


def _tensors(tensors: Any, what: str) -> list[Tensor]:
    if isinstance(tensors, Tensor):
        return [tensors]
    if isinstance(tensors, (str, bytes, dict)) or not isinstance(tensors, Iterable):
        raise TypeError(
            f"{what}: expected a Tensor or an iterable of Tensors, got {type(tensors).__name__}"
        )
    items = list(tensors)
    for i, t in enumerate(items):
        if not isinstance(t, Tensor):
            raise TypeError(f"{what}: item {i} is a {type(t).__name__}, not a Tensor")
    return items


def get_total_norm(
    tensors: Iterable[Tensor] | Tensor,
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
    foreach: bool | None = None,
) -> Tensor:
    """The norm of all the tensors together, ||(||t_1||, ||t_2||, ...)||, of order norm_type
    (inf: the largest |element|; 0: the number of tensors with a nonzero element, as
    PyTorch's), as a constant Tensor of the first tensor's dtype; 0 for no tensors.
    `foreach` is accepted for PyTorch's signature (NumPy has no fused kernels to choose)."""
    what = "get_total_norm"
    norm_type = _norm_type(norm_type, what)
    arrays = [t.data for t in _tensors(tensors, what)]
    if not arrays:
        return Tensor(0.0)
    if math.isinf(norm_type):
        norms = [np.abs(g).max() if g.size else 0.0 for g in arrays]
        total = float(np.max(norms))
    elif norm_type == 0:
        norms = [np.count_nonzero(g) for g in arrays]
        total = float(np.count_nonzero(norms))
    else:
        norms = [np.sum(np.abs(g.astype(np.float64)) ** norm_type) for g in arrays]
        total = float(np.sum(norms) ** (1.0 / norm_type))
    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeError(
            f"{what}: the total norm of order {norm_type} is non-finite ({total}); "
            "pass error_if_nonfinite=False to clip anyway"
        )
    return Tensor(np.asarray(total, dtype=arrays[0].dtype))


def clip_grads_with_norm_(
    parameters: Iterable[Tensor] | Tensor,
    max_norm: float,
    total_norm: Tensor | float,
    foreach: bool | None = None,
) -> None:
    """Scale every gradient in place by min(1, max_norm / (total_norm + 1e-6)), the second
    half of `clip_grad_norm_` (with a total norm computed by `get_total_norm`)."""
    what = "clip_grads_with_norm_"
    max_norm = _real(max_norm, what, "max_norm")
    total = _real(total_norm, what, "total_norm")
    coef = min(1.0, max_norm / (total + 1e-6))
    with no_grad():
        for p in _with_grads(parameters, what):
            p.grad.mul_(coef)


def clip_grad_norm_(
    parameters: Iterable[Tensor] | Tensor,
    max_norm: float,
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
    foreach: bool | None = None,
) -> Tensor:
    """Scale all gradients together, in place, so that their joint norm is at most max_norm:
    g <- g * min(1, max_norm / (total_norm + 1e-6)), as PyTorch. `norm_type` may be inf, or
    0 (as PyTorch: the number of nonzero elements per gradient, then of nonzero norms).
    A negative or NaN `max_norm` or `norm_type` is a ValueError (PyTorch would flip the
    gradients' signs, or make them NaN). `foreach` is accepted and has no effect.

    Returns the total norm before clipping, ||(||g_1||, ||g_2||, ...)||, as a Tensor.
    """
    what = "clip_grad_norm_"
    max_norm = _real(max_norm, what, "max_norm")
    norm_type = _norm_type(norm_type, what)
    ps = _with_grads(parameters, what)
    if not ps:
        return Tensor(0.0)
    try:
        total = get_total_norm([p.grad for p in ps], norm_type, error_if_nonfinite)
    except RuntimeError as e:
        raise RuntimeError(str(e).replace("get_total_norm", what)) from None
    coef = min(1.0, max_norm / (float(total.data) + 1e-6))
    with no_grad():
        for p in ps:
            p.grad.mul_(coef)
    return total


def clip_grad_norm(
    parameters: Iterable[Tensor] | Tensor,
    max_norm: float,
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
    foreach: bool | None = None,
) -> Tensor:
    """Deprecated alias of `clip_grad_norm_` (a FutureWarning says so, as PyTorch's)."""
    warnings.warn(
        "nn.utils.clip_grad_norm is now deprecated in favor of nn.utils.clip_grad_norm_",
        FutureWarning,
        stacklevel=2,
    )
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


def clip_grad_value_(
    parameters: Iterable[Tensor] | Tensor, clip_value: float, foreach: bool | None = None
) -> None:
    """Clamp every gradient element to [-clip_value, clip_value], in place. A negative or NaN
    `clip_value` is a ValueError (PyTorch would set every element to it). `foreach` is
    accepted and has no effect."""
    clip_value = _real(clip_value, "clip_grad_value_", "clip_value")
    with no_grad():
        for p in _with_grads(parameters, "clip_grad_value_"):
            p.grad.clamp_(-clip_value, clip_value)


def parameters_to_vector(parameters: Iterable[Tensor] | Tensor) -> Tensor:
    """All the parameters flattened and concatenated, in order, into one 1-D Tensor (part of
    the graph: gradients flow back to each parameter)."""
    what = "parameters_to_vector"
    if isinstance(parameters, Module):
        raise TypeError(f"{what}: got a Module; did you mean model.parameters()?")
    flat = [p.reshape(-1) for p in _tensors(parameters, what)]
    if not flat:
        raise ValueError(f"{what}: got no parameters")
    return cat(flat)


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor] | Tensor) -> None:
    """Copy consecutive slices of the 1-D `vec` into the parameters, in place and without
    recording a graph (the inverse of `parameters_to_vector`). Its length must be the
    parameters' total size (PyTorch ignores extra elements, and makes each parameter a view
    of `vec`; here each keeps its own memory and dtype)."""
    what = "vector_to_parameters"
    if not isinstance(vec, Tensor):
        raise TypeError(f"{what}: expected a Tensor, but got {type(vec).__name__}")
    if isinstance(parameters, Module):
        raise TypeError(f"{what}: got a Module; did you mean model.parameters()?")
    ps = _tensors(parameters, what)
    total = sum(p.data.size for p in ps)
    if vec.ndim != 1 or vec.shape[0] != total:
        raise ValueError(
            f"{what}: expected a 1-D vector of the parameters' total size {total}, got shape "
            f"{vec.shape}"
        )
    start = 0
    with no_grad():
        for p in ps:
            n = p.data.size
            p.copy_(Tensor._make(vec.data[start : start + n].reshape(p.shape), None))
            start += n
