"""Neural-network primitives kept whole for numerical stability: softmax and log-softmax."""

from __future__ import annotations

import numpy as np

from ..function import Function

__all__ = ["Softmax", "LogSoftmax", "max_keepdims", "sum_keepdims"]

SHORT_ROW = 32
"""Rows at most this long are reduced column by column (`_reduce_keepdims`)."""


def _reduce_keepdims(x: np.ndarray, axis: int, ufunc: np.ufunc) -> np.ndarray:
    """ufunc.reduce(x, axis, keepdims=True).

    NumPy reduces a short contiguous last axis slowly, one tiny reduction per row (max: 10 us
    for 128 rows of 10 logits); so a 2-D array of short rows is copied transposed and reduced
    over its first axis instead, element-wise across rows (max: 2.5 us for the same; sum: 2.8
    us instead of 4.3 us).
    """
    if x.ndim == 2 and axis in (-1, 1) and x.shape[1] <= SHORT_ROW:
        return ufunc.reduce(np.ascontiguousarray(x.T), axis=0)[:, None]
    return ufunc.reduce(x, axis=axis, keepdims=True)


def max_keepdims(x: np.ndarray, axis: int) -> np.ndarray:
    """x.max(axis, keepdims=True), the shift that keeps exp from overflowing."""
    return _reduce_keepdims(x, axis, np.maximum)


def sum_keepdims(x: np.ndarray, axis: int) -> np.ndarray:
    """x.sum(axis, keepdims=True), the softmax's normaliser."""
    return _reduce_keepdims(x, axis, np.add)


class LogSoftmax(Function):
    """z = x - logsumexp(x), with the max subtracted first so that exp never overflows;
    dL/dx = g - softmax(x) * sum(g)  (sums along `axis`)."""

    @staticmethod
    def forward(ctx, x, axis=-1):
        ctx.axis = axis
        ctx.save_output()
        shifted = x.data - max_keepdims(x.data, axis)
        return shifted - np.log(sum_keepdims(np.exp(shifted), axis))

    @staticmethod
    def backward(ctx, g):
        z = ctx.saved_output()
        return g - z.exp() * g.sum(axis=ctx.axis, keepdims=True)

    @staticmethod
    def backward_array(ctx, g):
        z = ctx.saved_output_array()
        return g - np.exp(z) * g.sum(axis=ctx.axis, keepdims=True)


class Softmax(Function):
    """s = e^(x - max x) / sum e^(x - max x);  dL/dx = s * (g - sum(g * s))  (along `axis`)."""

    @staticmethod
    def forward(ctx, x, axis=-1):
        ctx.axis = axis
        ctx.save_output()
        e = np.exp(x.data - max_keepdims(x.data, axis))
        return e / sum_keepdims(e, axis)

    @staticmethod
    def backward(ctx, g):
        s = ctx.saved_output()
        return s * (g - (g * s).sum(axis=ctx.axis, keepdims=True))

    @staticmethod
    def backward_array(ctx, g):
        s = ctx.saved_output_array()
        return s * (g - (g * s).sum(axis=ctx.axis, keepdims=True))
