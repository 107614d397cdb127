"""Products and the running log-sum-exp: prod over axes, cumprod and logcumsumexp along one.

Each is a primitive for a reason its docstring gives: a product composed as exp(sum(log x))
fails at zeros and negative numbers, and a running log-sum-exp composed from cumsum overflows or
underflows. The derivatives at zeros are the delicate part: z / x_i, the textbook form of the
product of the other factors, is 0 / 0 there. So the backward passes treat slices holding a
zero apart, and the Tensor forms (`backward`, run under create_graph) use only products, never
a division by x, where x has zeros, so that second derivatives stay right there too.

`axis` arrives normalised by the Tensor method: None or a sorted tuple of non-negative ints
(for cumprod and logcumsumexp, one non-negative int).
"""

from __future__ import annotations

import numpy as np

from ..function import Function
from ..tensor import Tensor, constant
from . import movement as M
from .reduce import CumSum, _keepdims_shape

__all__ = ["Prod", "CumProd", "LogCumSumExp"]


class Prod(Function):
    """z = prod_i x_i over `axis`;  dz/dx_i = prod_{j != i} x_j, the product of the others.

    A primitive: exp(sum(log x)) fails at zeros and negative x. Where a slice holds no zero the
    derivative is z / x_i; where it holds one zero, only that element gets the product of the
    others (the rest get 0); where it holds two or more, every derivative is 0. The Tensor form
    takes, when x has zeros, the product of the others as the product of exclusive running
    products from the left and from the right (no division: PyTorch's method), so that its own
    derivative is right at zeros too.
    """

    @staticmethod
    def forward(ctx, x, axis=None, keepdims=False):
        ctx.axis, ctx.kept = axis, _keepdims_shape(x.data.shape, axis)
        ctx.save_for_backward(x)
        ctx.save_output()
        return np.prod(x.data, axis=axis, keepdims=keepdims)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        g = g.reshape(ctx.kept)
        if not (x.data == 0).any():
            return g * (ctx.saved_output().reshape(ctx.kept) / x)
        return g * _others_product(x, ctx.axis)

    @staticmethod
    def backward_array(ctx, g):
        x = ctx.saved_tensors[0].data
        g = g.reshape(ctx.kept)
        zero = x == 0
        if not zero.any():
            return g * (ctx.saved_output_array().reshape(ctx.kept) / x)
        safe = np.where(zero, 1, x)  # the zeros as ones: the product of the nonzero elements
        nonzero = np.prod(safe, axis=ctx.axis, keepdims=True)
        count = zero.sum(axis=ctx.axis, keepdims=True)
        lone_zero = np.where(zero & (count == 1), nonzero, 0)
        return g * np.where(count == 0, nonzero / safe, lone_zero).astype(x.dtype, copy=False)


def _others_product(x: Tensor, axis: tuple[int, ...] | None) -> Tensor:
    """prod_{j != i} x_j over `axis` at each i, in Tensor operations without a division: the
    reduced axes moved last and merged, the product of those before i (a running product of
    [1, x_0, ..., x_{n-2}]) times the product of those after i (the same from the far end)."""
    axes = tuple(range(x.ndim)) if axis is None else axis
    perm = [d for d in range(x.ndim) if d not in axes] + list(axes)
    moved = x.permute(perm) if perm else x
    rest = moved.shape[: x.ndim - len(axes)]
    flat = moved.reshape(rest + (-1,))
    last = flat.ndim - 1
    ones = constant(np.ones(rest + (1,), dtype=x.dtype))
    before = CumProd.apply(M.Cat.apply(ones, flat[..., :-1], axis=last), axis=last)
    after = CumProd.apply(M.Cat.apply(ones, flat[..., :0:-1], axis=last), axis=last)
    others = (before * after[..., ::-1]).reshape(moved.shape)
    return others.permute(list(np.argsort(perm))) if perm else others


class CumProd(Function):
    """z_i = prod_{j <= i} x_j along `axis`;  dz_i/dx_j = prod_{k <= i, k != j} x_k for j <= i.

    So dL/dx_j = sum_{i >= j} g_i z_i / x_j where x has no zero. With p the first zero of a
    slice: before p the same formula holds (z_i = 0 from p on); at p, dL/dx_p = z_{p-1}
    sum_{i >= p} g_i prod_{p < k <= i} x_k; after p every derivative is 0. The Tensor form, where
    x has zeros, spells out the n products of the others for each i (O(n^2) memory, as PyTorch's
    double backward) so that its own derivative is right at zeros too.
    """

    @staticmethod
    def forward(ctx, x, axis=0):
        ctx.axis = axis
        ctx.save_for_backward(x)
        ctx.save_output()
        return np.cumprod(x.data, axis=axis)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        axis = ctx.axis
        if not (x.data == 0).any():
            rev = (slice(None),) * axis + (slice(None, None, -1),)
            return CumSum.apply((g * ctx.saved_output())[rev], axis=axis)[rev] / x
        from ..functions import where

        xt, gt = x.transpose(axis, -1), g.transpose(axis, -1)
        n = xt.shape[-1]
        rows = where(constant(np.eye(n, dtype=bool)), 1.0, xt.unsqueeze(-2))  # row j: x_j := 1
        others = CumProd.apply(rows, axis=rows.ndim - 1)  # [j, i]: prod_{k <= i, k != j} x_k
        upper = constant(np.triu(np.ones((n, n), dtype=x.dtype)))  # [j, i]: 1 where i >= j
        return (gt.unsqueeze(-2) * others * upper).sum(-1).transpose(axis, -1)

    @staticmethod
    def backward_array(ctx, g):
        x = ctx.saved_tensors[0].data
        axis, z = ctx.axis, ctx.saved_output_array()
        zero = x == 0
        running = np.flip(np.cumsum(np.flip(g * z, axis), axis=axis), axis)
        if not zero.any():
            return running / x
        zeros_so_far = np.cumsum(zero, axis=axis)
        before = zeros_so_far == 0  # j < p
        first = zero & (zeros_so_far == 1)  # j = p
        after_first = (zeros_so_far > 0) & ~first  # k > p
        head = np.prod(np.where(before, x, 1), axis=axis, keepdims=True)  # z_{p-1}
        tail = np.cumprod(np.where(after_first, x, 1), axis=axis)  # prod_{p < k <= i} x_k
        at_first = head * np.sum(np.where(zeros_so_far > 0, g * tail, 0), axis, keepdims=True)
        grad = np.where(first, at_first, 0)
        return np.where(before, running / np.where(before, x, 1), grad).astype(x.dtype, copy=False)


class LogCumSumExp(Function):
    """z_i = log sum_{j <= i} e^(x_j) along `axis`;  dz_i/dx_j = e^(x_j - z_i) for j <= i.

    A primitive: composed as m + log cumsum e^(x - m) with one m per slice, the early terms
    underflow when the values spread widely (x = [0, 1e4] gives log 0 = -inf for the first);
    NumPy's logaddexp.accumulate adds one term at a time, stably. The gradient
    dL/dx_j = sum_{i >= j} g_i e^(x_j - z_i) is summed stably in the log domain, the positive
    and the negative g apart: e^(x_j + logcumsumexp_reversed(log g_i - z_i)) for each sign.
    """

    @staticmethod
    def forward(ctx, x, axis=0):
        ctx.axis = axis
        ctx.save_for_backward(x)
        ctx.save_output()
        return np.logaddexp.accumulate(x.data, axis=axis)

    @staticmethod
    def backward(ctx, g):
        from ..functions import where

        (x,) = ctx.saved_tensors
        z, axis = ctx.saved_output(), ctx.axis
        rev = (slice(None),) * axis + (slice(None, None, -1),)
        empty = constant(np.isneginf(z.data))  # z_i = -inf: all x_j = -inf, no term
        out = None
        for part in (g > 0, g < 0):  # (log |g| of 1 where g is not in this part: no inf there)
            log_g = where(part, where(part, g.abs(), 1.0).log(), -np.inf)
            terms = where(empty, -np.inf, log_g - where(empty, 0.0, z))
            s = (LogCumSumExp.apply(terms[rev], axis=axis)[rev] + x).exp()
            out = s if out is None else out - s
        return out

    @staticmethod
    def backward_array(ctx, g):
        x = ctx.saved_tensors[0].data
        z, axis = ctx.saved_output_array(), ctx.axis
        empty = np.isneginf(z)  # z_i = -inf: all x_j = -inf, no term
        with np.errstate(divide="ignore", invalid="ignore"):  # log 0 = -inf: the other sign
            parts = [np.log(np.where(g > 0, g, 0)), np.log(np.where(g < 0, -g, 0))]
            pos, neg = (
                np.exp(_reverse_logcumsumexp(np.where(empty, -np.inf, p - z), axis) + x)
                for p in parts
            )
        return (pos - neg).astype(x.dtype, copy=False)


def _reverse_logcumsumexp(a: np.ndarray, axis: int) -> np.ndarray:
    """log sum_{i >= j} e^(a_i) along `axis`, for each j."""
    return np.flip(np.logaddexp.accumulate(np.flip(a, axis), axis=axis), axis)
