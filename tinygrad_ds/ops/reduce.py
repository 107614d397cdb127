"""Reductions: sum and max over axes (mean, var, std, min are composed from them in tensor.py),
and the running sum along one axis, cumsum.

`axis` arrives normalised by the Tensor method: None or a tuple of non-negative ints (for
cumsum, one non-negative int).
"""

from __future__ import annotations

import numpy as np

from ..function import Function
from ..tensor import Tensor
from . import movement as M

__all__ = ["Sum", "Max", "CumSum"]


def _keepdims_shape(shape: tuple[int, ...], axis: tuple[int, ...] | None) -> tuple[int, ...]:
    if axis is None:
        return (1,) * len(shape)
    return tuple(1 if i in axis else n for i, n in enumerate(shape))


class Sum(Function):
    """z = sum_i x_i over `axis`;  dz/dx_i = 1, so the gradient is g broadcast back to x."""

    @staticmethod
    def forward(ctx, x, axis=None, keepdims=False):
        ctx.in_shape = x.data.shape
        ctx.axis = axis
        return x.data.sum(axis=axis, keepdims=keepdims)

    @staticmethod
    def backward(ctx, g):
        kept = M.Reshape.apply(g, shape=_keepdims_shape(ctx.in_shape, ctx.axis))
        return M.Expand.apply(kept, shape=ctx.in_shape)

    @staticmethod
    def backward_array(ctx, g):
        return M.broadcast_view(g.reshape(_keepdims_shape(ctx.in_shape, ctx.axis)), ctx.in_shape)


class Max(Function):
    """z = max_i x_i over `axis`;  dz/dx_i = 1[x_i = z] / #{j: x_j = z} (ties share equally).

    A NaN is the max of its slice (NumPy propagates it), so there the NaNs share the gradient,
    as in PyTorch, and the other elements get 0 (rather than 0/0 for all of them).
    """

    @staticmethod
    def forward(ctx, x, axis=None, keepdims=False):
        shape = x.data.shape
        if x.data.size == 0 and (axis is None or 0 in [shape[a] for a in axis]):
            raise ValueError(f"max: cannot reduce over an empty axis of shape {x.shape}")
        ctx.in_shape = x.data.shape
        ctx.axis = axis
        out = x.data.max(axis=axis, keepdims=True)
        winners = x.data == out
        if out.dtype.kind in "fc" and np.isnan(out).any():  # (a pass over the reduced array)
            winners |= np.isnan(x.data)
        ctx.save_for_backward(Tensor._make(winners, None))  # freed after backward
        return out if keepdims else out.reshape(_reduced_shape(x.data.shape, axis))

    @staticmethod
    def backward(ctx, g):
        g = M.Reshape.apply(g, shape=_keepdims_shape(ctx.in_shape, ctx.axis))
        return g * Tensor._make(_tie_shares(ctx, g.dtype), None)

    @staticmethod
    def backward_array(ctx, g):
        return g.reshape(_keepdims_shape(ctx.in_shape, ctx.axis)) * _tie_shares(ctx, g.dtype)


def _tie_shares(ctx: Function, dtype: np.dtype) -> np.ndarray:
    """1[x_i = max] / #{j: x_j = max}, in `dtype`: how ties share the max's gradient."""
    winners = ctx.saved_tensors[0].data
    share = winners / winners.sum(axis=ctx.axis, keepdims=True)
    return share.astype(dtype, copy=False)


def _reduced_shape(shape: tuple[int, ...], axis: tuple[int, ...] | None) -> tuple[int, ...]:
    if axis is None:
        return ()
    return tuple(n for i, n in enumerate(shape) if i not in axis)


class CumSum(Function):
    """z_i = sum_{j <= i} x_j along `axis`;  dz_i/dx_j = 1[j <= i].

    So dL/dx_j = sum_{i >= j} g_i: the running sum of g taken from the far end (g reversed
    along the axis, summed cumulatively, reversed back).
    """

    @staticmethod
    def forward(ctx, x, axis=0):
        ctx.axis = axis
        return np.cumsum(x.data, axis=axis)

    @staticmethod
    def backward(ctx, g):
        reverse = (slice(None),) * ctx.axis + (slice(None, None, -1),)
        return CumSum.apply(g[reverse], axis=ctx.axis)[reverse]

    @staticmethod
    def backward_array(ctx, g):
        return np.flip(np.cumsum(np.flip(g, ctx.axis), axis=ctx.axis), ctx.axis)
