"""Matrix product (a primitive for speed: one BLAS call forward, two backward)."""

from __future__ import annotations

from ..function import Function
from .movement import Permute, swap_last_two

__all__ = ["MatMul"]


def _is_transposed_view(x) -> bool:
    flags = x.data.flags
    return x.data.ndim >= 2 and flags.f_contiguous and not flags.c_contiguous


def _mT(x):
    return Permute.apply(x, dims=swap_last_two(x.data.ndim))


class MatMul(Function):
    """Z = A @ B over the last two axes (batch axes broadcast);
    dL/dA = G @ B^T,  dL/dB = A^T @ G  (the engine sums broadcast batch axes away).

    With `transpose_b=True` it is Z = A @ B^T (a layer's x W^T, with W kept as it is: no
    transpose node in the graph), and dL/dA = G @ B, dL/dB = G^T @ A.
    When B is a transposed view (as in `x @ W.T`), dL/dB is computed as (G^T A)^T, so that the
    gradient that reaches W is contiguous, as W is (and an optimiser's update stays fast).
    """

    @staticmethod
    def forward(ctx, a, b, transpose_b=False):
        ctx.save_for_backward(a if b.requires_grad else None, b if a.requires_grad else None)
        ctx.transpose_b = transpose_b
        ctx.b_transposed = b.requires_grad and not transpose_b and _is_transposed_view(b)
        return a.data @ (b.data.swapaxes(-1, -2) if transpose_b else b.data)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        ga, gb = ctx.needs_input_grad
        if ctx.transpose_b:
            grad_a = MatMul.apply(g, b) if ga else None
            return grad_a, (MatMul.apply(_mT(g), a) if gb else None)
        grad_a = MatMul.apply(g, b, transpose_b=True) if ga else None
        if not gb:
            return grad_a, None
        if ctx.b_transposed:
            return grad_a, _mT(MatMul.apply(_mT(g), a))
        return grad_a, MatMul.apply(_mT(a), g)
