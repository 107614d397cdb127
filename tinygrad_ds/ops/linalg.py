"""Matrix product (a primitive for speed: one BLAS call forward, two backward)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..function import Function
from ..tensor import Tensor
from .movement import Permute, swap_last_two

__all__ = ["MatMul", "Linear"]


def _is_transposed_view(x) -> bool:
    flags = x.data.flags
    return x.data.ndim >= 2 and flags.f_contiguous and not flags.c_contiguous


def _mT(x: Any) -> Any:
    """x with its last two axes swapped: a Permute node for a Tensor, a view for an array."""
    if isinstance(x, Tensor):
        return Permute.apply(x, dims=swap_last_two(x.data.ndim))
    return x.swapaxes(-1, -2)


class MatMul(Function):
    """Z = A' @ B' over the last two axes (batch axes broadcast), where A' is A or, with
    `transpose_a`, A^T (and B' likewise), so that no transpose node is needed around it.

    dL/dA' = G @ B'^T and dL/dB' = A'^T @ G (the engine sums broadcast batch axes away); so
    dL/dA = G @ B'^T, or B' @ G^T when A was transposed, and dL/dB = A'^T @ G, or G^T @ A'.
    A layer's x W^T is `transpose_b=True` with W kept as it is. When B is a transposed view (as
    in `x @ W.T`), dL/dB is computed as (G^T A)^T, so that the gradient that reaches W is
    contiguous, as W is (and an optimiser's update stays fast).
    """

    @staticmethod
    def forward(ctx, a, b, transpose_a=False, transpose_b=False):
        need_a, need_b = ctx.needs_input_grad
        ctx.save_for_backward(a if need_b else None, b if need_a else None)
        ctx.transpose_a, ctx.transpose_b = transpose_a, transpose_b
        ctx.b_transposed = need_b and not (transpose_a or transpose_b) and _is_transposed_view(b)
        return _product(a.data, b.data, transpose_a, transpose_b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        return _matmul_grads(ctx, g, a, b, _recorded)

    @staticmethod
    def backward_array(ctx, g):
        a, b = ctx.saved_tensors
        return _matmul_grads(ctx, g, _data(a), _data(b), _product)


def _data(t: Tensor | None) -> np.ndarray | None:
    return None if t is None else t.data


def _matmul_grads(ctx: Function, g: Any, a: Any, b: Any, matmul: Callable) -> tuple:
    """MatMul's two gradients, with `matmul(a, b, transpose_a, transpose_b)` the product:
    `_recorded` on Tensors (backward), `_product` on arrays (backward_array)."""
    ga, gb = ctx.needs_input_grad
    ta, tb = ctx.transpose_a, ctx.transpose_b
    grad_a = grad_b = None
    if ga and ta:  # B' @ G^T
        grad_a = matmul(b, g, tb, True)
    elif ga:  # G @ B'^T
        grad_a = matmul(g, b, False, not tb)
    if gb and ctx.b_transposed:  # (G^T @ A)^T: contiguous where W = B^T is
        grad_b = _mT(matmul(g, a, True, False))
    elif gb and tb:  # G^T @ A'
        grad_b = matmul(g, a, True, ta)
    elif gb:  # A'^T @ G
        grad_b = matmul(a, g, not ta, False)
    return grad_a, grad_b


def _product(a: np.ndarray, b: np.ndarray, transpose_a: bool, transpose_b: bool) -> np.ndarray:
    """op(a) @ op(b), op a transpose of the last two axes where asked (a view: BLAS reads it
    transposed, nothing is copied)."""
    return (a.swapaxes(-1, -2) if transpose_a else a) @ (b.swapaxes(-1, -2) if transpose_b else b)


def _recorded(a: Tensor, b: Tensor, transpose_a: bool, transpose_b: bool) -> Tensor:
    """op(a) @ op(b) as a MatMul node."""
    return MatMul.apply(a, b, transpose_a=transpose_a, transpose_b=transpose_b)


class Linear(Function):
    """z = x W^T + b;  dz/dx = W, dz/dW = x, dz/db = 1.

    A layer's affine map in one node, as PyTorch's addmm: x of shape (N, in), W of shape
    (out, in) as the layer keeps it, b of shape (out,) (the course's z = W a + b, one example
    per row). With G = dL/dz: dL/dx = G W, dL/dW = G^T x and dL/db = sum_i G_i (the sum over
    the rows, where b was broadcast). `nn.functional.linear` uses it when x is 2-D and x, W and
    b share a dtype; otherwise it is a MatMul and an Add.
    """

    @staticmethod
    def forward(ctx, x, w, b):
        need_x, need_w = ctx.needs_input_grad[:2]
        ctx.save_for_backward(x if need_w else None, w if need_x else None)
        z = x.data @ w.data.T
        z += b.data  # z is this node's own new array: the bias goes into it
        return z

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        gx, gw, gb = ctx.needs_input_grad
        return (
            MatMul.apply(g, w) if gx else None,
            MatMul.apply(g, x, transpose_a=True) if gw else None,
            g.sum(axis=0) if gb else None,
        )

    @staticmethod
    def backward_array(ctx, g):
        x, w = ctx.saved_tensors
        gx, gw, gb = ctx.needs_input_grad
        return (
            g @ w.data if gx else None,
            g.T @ x.data if gw else None,
            np.add.reduce(g, 0) if gb else None,  # (g.sum's Python wrapper skipped)
        )
