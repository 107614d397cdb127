"""Neural-network primitives kept whole for numerical stability: softmax and log-softmax."""

from __future__ import annotations

import numpy as np

from ..function import Function

__all__ = ["Softmax", "LogSoftmax"]


class LogSoftmax(Function):
    """z = x - logsumexp(x), with the max subtracted first so that exp never overflows;
    dL/dx = g - softmax(x) * sum(g)  (sums along `axis`)."""

    @staticmethod
    def forward(ctx, x, axis=-1):
        ctx.axis = axis
        ctx.save_output()
        shifted = x.data - x.data.max(axis=axis, keepdims=True)
        return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))

    @staticmethod
    def backward(ctx, g):
        z = ctx.saved_output()
        return g - z.exp() * g.sum(axis=ctx.axis, keepdims=True)


class Softmax(Function):
    """s = e^(x - max x) / sum e^(x - max x);  dL/dx = s * (g - sum(g * s))  (along `axis`)."""

    @staticmethod
    def forward(ctx, x, axis=-1):
        ctx.axis = axis
        ctx.save_output()
        e = np.exp(x.data - x.data.max(axis=axis, keepdims=True))
        return e / e.sum(axis=axis, keepdims=True)

    @staticmethod
    def backward(ctx, g):
        s = ctx.saved_output()
        return s * (g - (g * s).sum(axis=ctx.axis, keepdims=True))
