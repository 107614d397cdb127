"""Matrix product (a primitive for speed: one BLAS call forward, two backward)."""

from __future__ import annotations

import numpy as np

from .. import grad_mode
from ..function import Function
from ..tensor import Tensor, constant
from .movement import Permute, swap_last_two

__all__ = ["MatMul", "Linear"]


def _is_transposed_view(x) -> bool:
    flags = x.data.flags
    return x.data.ndim >= 2 and flags.f_contiguous and not flags.c_contiguous


def _mT(x):
    return Permute.apply(x, dims=swap_last_two(x.data.ndim))


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
        ctx.save_for_backward(a if b.requires_grad else None, b if a.requires_grad else None)
        ctx.transpose_a, ctx.transpose_b = transpose_a, transpose_b
        ctx.b_transposed = (
            b.requires_grad and not (transpose_a or transpose_b) and _is_transposed_view(b)
        )
        return _product(a.data, b.data, transpose_a, transpose_b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        ga, gb = ctx.needs_input_grad
        ta, tb = ctx.transpose_a, ctx.transpose_b
        grad_a = grad_b = None
        if ga and ta:  # B' @ G^T
            grad_a = _matmul(b, g, tb, True)
        elif ga:  # G @ B'^T
            grad_a = _matmul(g, b, False, not tb)
        if gb and ctx.b_transposed:  # (G^T @ A)^T: contiguous where W = B^T is
            grad_b = _mT(_matmul(g, a, True, False))
        elif gb and tb:  # G^T @ A'
            grad_b = _matmul(g, a, True, ta)
        elif gb:  # A'^T @ G
            grad_b = _matmul(a, g, not ta, False)
        return grad_a, grad_b


def _product(a: np.ndarray, b: np.ndarray, transpose_a: bool, transpose_b: bool) -> np.ndarray:
    """op(a) @ op(b), op a transpose of the last two axes where asked (a view: BLAS reads it
    transposed, nothing is copied)."""
    return (a.swapaxes(-1, -2) if transpose_a else a) @ (b.swapaxes(-1, -2) if transpose_b else b)


def _matmul(a: Tensor, b: Tensor, transpose_a: bool, transpose_b: bool) -> Tensor:
    """A product inside MatMul's backward: a recorded MatMul under create_graph, else the plain
    product (first order records nothing, so the node's bookkeeping is skipped)."""
    if grad_mode.enabled:
        return MatMul.apply(a, b, transpose_a=transpose_a, transpose_b=transpose_b)
    return constant(_product(a.data, b.data, transpose_a, transpose_b))


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
        ctx.save_for_backward(x if w.requires_grad else None, w if x.requires_grad else None)
        z = x.data @ w.data.T
        z += b.data  # z is this node's own new array: the bias goes into it
        return z

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        gx, gw, gb = ctx.needs_input_grad
        if grad_mode.enabled:  # create_graph: the gradients as recorded operations
            return (
                MatMul.apply(g, w) if gx else None,
                MatMul.apply(g, x, transpose_a=True) if gw else None,
                g.sum(axis=0) if gb else None,
            )
        gd = g.data
        return (
            constant(gd @ w.data) if gx else None,
            constant(gd.T @ x.data) if gw else None,
            constant(gd.sum(axis=0)) if gb else None,
        )
