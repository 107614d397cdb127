"""Matrix product (a primitive for speed: one BLAS call forward, two backward)."""

from __future__ import annotations

from ..function import Function

__all__ = ["MatMul"]


class MatMul(Function):
    """Z = A @ B over the last two axes (batch axes broadcast);
    dL/dA = G @ B^T,  dL/dB = A^T @ G  (the engine sums broadcast batch axes away)."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a if b.requires_grad else None, b if a.requires_grad else None)
        return a.data @ b.data

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        ga, gb = ctx.needs_input_grad
        return (g @ b.mT if ga else None), (a.mT @ g if gb else None)
