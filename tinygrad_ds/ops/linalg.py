"""Matrix product (a primitive for speed: one BLAS call forward, two backward)."""

from __future__ import annotations

from ..function import Function

__all__ = ["MatMul"]


def _is_transposed_view(x) -> bool:
    flags = x.data.flags
    return x.data.ndim >= 2 and flags.f_contiguous and not flags.c_contiguous


class MatMul(Function):
    """Z = A @ B over the last two axes (batch axes broadcast);
    dL/dA = G @ B^T,  dL/dB = A^T @ G  (the engine sums broadcast batch axes away).

    When B is a transposed view (as in `x @ W.T`), dL/dB is computed as (G^T A)^T, so that the
    gradient that reaches W is contiguous, as W is (and an optimiser's update stays fast).
    """

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a if b.requires_grad else None, b if a.requires_grad else None)
        ctx.b_transposed = b.requires_grad and _is_transposed_view(b)
        return a.data @ b.data

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        ga, gb = ctx.needs_input_grad
        grad_a = g @ b.mT if ga else None
        if not gb:
            return grad_a, None
        return grad_a, ((g.mT @ a).mT if ctx.b_transposed else a.mT @ g)
