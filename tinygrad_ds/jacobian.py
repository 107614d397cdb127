"""Whole derivative matrices by reverse mode: `jacobian` and `hessian` (PyTorch's
`torch.autograd.functional.jacobian` / `hessian`).

Row i of the Jacobian of y = f(x) is the vector-Jacobian product e_i^T J = d y_i / dx: one
backward pass per output element, with `grad_outputs` the one-hot e_i. The Hessian of a scalar
f is the Jacobian of its gradient, whose backward passes run through a recorded
(`create_graph`) first one. Both are meant for small functions: a softmax's Jacobian
diag(s) - s s^T, a loss's curvature at a point; for large ones use Hessian-vector products
(`td.grad` twice) instead.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .autograd import grad
from .functions import stack
from .grad_mode import enable_grad
from .tensor import Tensor

__all__ = ["jacobian", "hessian"]


def jacobian(fn: Callable[..., Any], inputs: Any, create_graph: bool = False) -> Any:
    """J[i..., j...] = d fn(inputs)[i...] / d inputs[j...], of shape out.shape + in.shape.

    `inputs` is a Tensor or a tuple of them (float; they are used through fresh leaves, so
    they need not require grad, and are not changed); `fn` returns a Tensor or a tuple of
    them. As in PyTorch the result is a Tensor for one input and one output, a tuple over the
    inputs for several inputs, and a tuple over the outputs (of those) for several outputs.
    An output that does not depend on an input gives zeros. `create_graph=True` records the
    result, so that it can be differentiated again (with respect to the inputs that require
    grad).
    """
    single_in, xs = _leaves(inputs, "jacobian", create_graph)
    with enable_grad():
        out = fn(*xs)
    single_out, outs = isinstance(out, Tensor), out
    if single_out:
        outs = (out,)
    if not isinstance(outs, (tuple, list)) or not all(isinstance(o, Tensor) for o in outs):
        raise TypeError(
            f"jacobian: fn must return a Tensor or a tuple of Tensors, got {type(out).__name__}"
        )
    per_output = []
    for y in outs:
        rows: list[list[Tensor]] = [[] for _ in xs]
        for i in range(y.data.size if y.requires_grad else 0):
            e_i = np.zeros(y.shape, y.dtype)
            e_i.flat[i] = 1
            gs = grad(y, xs, e_i, retain_graph=True, create_graph=create_graph, allow_unused=True)
            for row, g in zip(rows, _zeros_for_unused(gs, xs)):
                row.append(g)
        blocks = tuple(
            stack(row).reshape(y.shape + x.shape)
            if row
            else Tensor.zeros(y.shape + x.shape, dtype=x.dtype)  # no element, or no dependence
            for row, x in zip(rows, xs)
        )
        per_output.append(blocks[0] if single_in else blocks)
    return per_output[0] if single_out else tuple(per_output)


def hessian(fn: Callable[..., Any], inputs: Any, create_graph: bool = False) -> Any:
    """H[i..., j...] = d^2 fn(inputs) / d inputs[i...] d inputs[j...] for a `fn` that returns
    one number: the Jacobian of its gradient, of shape in.shape + in.shape (for several
    inputs, a tuple of tuples: H[a][b] = d^2 f / dx_a dx_b). Symmetric for smooth f."""
    single_in, _ = _leaves(inputs, "hessian", False)

    def gradient(*xs: Tensor) -> Any:
        out = fn(*xs)
        if not isinstance(out, Tensor) or out.data.size != 1:
            shape = out.shape if isinstance(out, Tensor) else type(out).__name__
            raise ValueError(f"hessian: fn must return a Tensor with one element, got {shape}")
        if not out.requires_grad:  # f does not depend on the inputs: its Hessian is zero
            gs = (None,) * len(xs)
        else:
            gs = grad(out, xs, create_graph=True, allow_unused=True)
        gs = _zeros_for_unused(gs, xs)
        return gs[0] if single_in else gs

    return jacobian(gradient, inputs, create_graph=create_graph)


def _zeros_for_unused(grads: tuple, xs: tuple[Tensor, ...]) -> tuple[Tensor, ...]:
    """`grads` with zeros of each input's shape and dtype where `td.grad` gave None (unused)."""
    return tuple(g if g is not None else Tensor.zeros(x.shape, dtype=x.dtype)
                 for g, x in zip(grads, xs))  # fmt: skip


def _leaves(inputs: Any, what: str, create_graph: bool) -> tuple[bool, tuple[Tensor, ...]]:
    """(whether `inputs` is one Tensor, the tensors to differentiate with respect to): fresh
    float leaves that require grad, or under create_graph an input that requires grad itself,
    so that the result stays connected to it."""
    single = isinstance(inputs, Tensor)
    items = (inputs,) if single else inputs
    if not isinstance(items, (tuple, list)) or not items:
        raise TypeError(
            f"{what}: inputs must be a Tensor or a tuple of Tensors, got {inputs!r:.60}"
        )
    leaves = []
    for k, x in enumerate(items):
        if not isinstance(x, Tensor):
            raise TypeError(f"{what}: input {k} is a {type(x).__name__}, not a Tensor")
        if x.dtype.kind != "f":
            raise TypeError(f"{what}: input {k} has dtype {x.dtype}; derivatives need floats")
        leaves.append(x if create_graph and x.requires_grad else x.detach().requires_grad_())
    return single, tuple(leaves)
