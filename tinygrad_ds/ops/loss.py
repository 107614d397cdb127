"""Loss primitives, kept whole for numerical stability and speed.

Composing these from exp and log would overflow at large logits, take log 0 at probabilities
of exactly 0 or 1, and (for the logits forms) give a wrong gradient at the kink of the stable
rewrite. Each backward is written with Tensor operations, so gradients of gradients work.
Reductions and weights that need no special care are applied outside, in `nn/losses.py`.
"""

from __future__ import annotations

import numpy as np

from ..dtypes import ONE, scalar_array
from ..function import Function
from ..tensor import constant as _const
from .nn import max_keepdims, sum_keepdims

__all__ = ["SoftmaxCrossEntropy", "BinaryCrossEntropy", "BinaryCrossEntropyWithLogits"]

LOG_FLOOR = -100.0
"""log p is clamped at >= -100 in binary cross-entropy, as PyTorch does."""

EPSILON = 1e-12
"""The floor of p (1 - p) in binary cross-entropy's gradient, as PyTorch's."""


class SoftmaxCrossEntropy(Function):
    """l_i = -log softmax(z_i)_(y_i) for logits z of shape (N, C) and class indices y;
    dl_i/dz_i = softmax(z_i) - onehot(y_i). The cross-entropy of softmax(z), in its plain case.

    With q_ic = (1 - s) w_yi 1[c = y_i] + (s / C) w_c (label smoothing s, class weights w, and
    q_i = 0 for a target equal to `ignore_index`, None when no target is to be ignored), the
    per-example loss is
    l_i = -sum_c q_ic log softmax(z_i)_c, and 'mean' divides the sum by sum_i w_yi.
    dl_i/dz_ic = (sum_c' q_ic') softmax(z_i)_c - q_ic, which is softmax(z) - onehot(y) in the
    plain case. log-softmax is computed once, with the max subtracted (stable at any logit).
    A 'mean' over a total weight of 0 (every target ignored, or of weight 0) is 0/0 = nan, as
    in PyTorch, whose gradient is likewise nan for the examples kept and exactly 0 for the
    ignored ones.
    """

    @staticmethod
    def forward(
        ctx, z, target=None, weight=None, ignore_index=-100, label_smoothing=0.0, reduction="mean"
    ):
        x = z.data
        n, c = x.shape
        logp = x - max_keepdims(x, 1)
        p = np.exp(logp)
        total = sum_keepdims(p, 1)
        logp -= np.log(total)
        p /= total
        ctx.save_for_backward(z, _const(p))  # softmax(z): freed with the graph after backward
        ctx.reduction = reduction
        ignores = ignore_index is not None and ignore_index in target
        # (an empty batch, whose mean is 0/0, takes the general path)
        ctx.plain = weight is None and not label_smoothing and not ignores and n > 0
        if ctx.plain:  # the common case: softmax(z) - onehot(y) needs only p and y
            # Where each row's target sits in the flattened (N, C) arrays: one flat index is
            # cheaper than a (row, column) pair, here and in backward's in-place subtraction.
            ctx.at_target = np.arange(0, n * c, c) + target
            picked = logp.ravel()[ctx.at_target]  # log softmax(z_i)_(y_i)
            if reduction == "none":
                return np.negative(picked, out=picked)
            total_loss = -np.add.reduce(picked)  # (.sum()'s Python layer skipped)
            return np.asarray(total_loss / n if reduction == "mean" else total_loss, x.dtype)
        valid = target != ignore_index if ignores else np.ones(n, dtype=bool)
        t = np.where(valid, target, 0)
        rows = ctx.rows = np.arange(n)
        w_t = (weight[t] if weight is not None else np.ones(n, x.dtype)) * valid
        loss = -w_t * logp[rows, t]
        if label_smoothing:
            smooth = -(logp @ weight if weight is not None else logp.sum(axis=1)) * valid
            loss = (1 - label_smoothing) * loss + (label_smoothing / c) * smooth
        ctx.t, ctx.w_t, ctx.valid = t, w_t, valid
        ctx.weight, ctx.smoothing = weight, label_smoothing
        if reduction == "none":
            return loss.astype(x.dtype, copy=False)
        total_loss = loss.sum()
        if reduction == "mean":
            total = w_t.sum()
            total_loss = total_loss / total if total else np.nan  # 0/0, as PyTorch
        return np.asarray(total_loss, dtype=x.dtype)

    @staticmethod
    def backward(ctx, g):
        z, _ = ctx.saved_tensors
        n, c = z.shape
        g = g.reshape(n, 1) if ctx.reduction == "none" else g
        q, q_sum, scale = _class_mix(ctx, n, c, z.dtype)
        dz = z.softmax(axis=1) * _const(q_sum[:, None]) - _const(q)  # softmax differentiable
        return g * dz * _const(np.asarray(scale, dtype=z.dtype))

    @staticmethod
    def backward_array(ctx, g):
        z, probs = ctx.saved_tensors
        n, c = z.shape
        g = g.reshape(n, 1) if ctx.reduction == "none" else g
        if ctx.plain:  # softmax(z) - onehot(y), scaled
            dz = probs.data.copy()
            dz.ravel()[ctx.at_target] -= ONE[dz.dtype]  # (0-d constants: see dtypes.ONE)
            dz *= g
            if ctx.reduction == "mean":
                dz *= scalar_array(1.0 / n, dz.dtype)
            return dz
        q, q_sum, scale = _class_mix(ctx, n, c, z.dtype)
        dz = probs.data * q_sum[:, None]
        dz -= q
        dz *= g * z.dtype.type(scale)
        return dz.astype(z.dtype, copy=False)


def _class_mix(ctx: Function, n: int, c: int, dtype: np.dtype) -> tuple:
    """q with q_ic = (1 - s) w_t[i] 1[c = t_i] + (s / C) w_c valid_i, its row sums, and the
    scale of the reduction (1 / sum_i w_t[i] for 'mean'; a column of nan for the examples kept
    and 0 for the ignored ones when that sum is 0)."""
    if ctx.plain:
        q = np.zeros((n, c), dtype=dtype)
        q.ravel()[ctx.at_target] = 1
        return q, np.ones(n, dtype=dtype), (1.0 / n if ctx.reduction == "mean" else 1.0)
    s = ctx.smoothing
    q = np.zeros((n, c), dtype=dtype)
    q[ctx.rows, ctx.t] = (1 - s) * ctx.w_t
    q_sum = (1 - s) * ctx.w_t
    if s:
        w = ctx.weight if ctx.weight is not None else np.ones(c, dtype)
        q += (s / c) * w * ctx.valid[:, None]
        q_sum = q_sum + (s / c) * w.sum() * ctx.valid
    scale = 1.0
    if ctx.reduction == "mean":
        total = ctx.w_t.sum()
        # 1 / 0 would make an ignored example's zero gradient 0 * inf = nan: as in PyTorch,
        # only the examples kept get the nan of the 0/0 mean
        scale = 1.0 / total if total else np.where(ctx.valid, np.nan, 0.0)[:, None]
    return q, q_sum, scale


class BinaryCrossEntropy(Function):
    """l = -[y max(log p, -100) + (1 - y) max(log(1 - p), -100)], elementwise (PyTorch's clamp,
    so that p = 0 or 1 gives a finite loss).

    dl/dp = (p - y) / max(p (1 - p), 1e-12)  (finite at p = 0 and 1, about 1e12 there);
    dl/dy = max(log(1 - p), -100) - max(log p, -100).
    """

    @staticmethod
    def forward(ctx, p, y):
        ctx.save_for_backward(p, y)
        with np.errstate(divide="ignore"):
            log_p = np.maximum(np.log(p.data), LOG_FLOOR)
            log_q = np.maximum(np.log1p(-p.data), LOG_FLOOR)
        return -(y.data * log_p + (1 - y.data) * log_q)

    @staticmethod
    def backward(ctx, g):
        p, y = ctx.saved_tensors
        gp, gy = ctx.needs_input_grad
        dp = dy = None
        if gp:
            dp = g * (p - y) / (p * (1 - p)).clip(min=EPSILON)
        if gy:
            with np.errstate(divide="ignore"):
                dy = g * ((1 - p).log().clip(min=LOG_FLOOR) - p.log().clip(min=LOG_FLOOR))
        return dp, dy


class BinaryCrossEntropyWithLogits(Function):
    """l = (1 - y) x + r softplus(-x), elementwise, with r = 1 + (pos_weight - 1) y and
    softplus(-x) = max(-x, 0) + log(1 + e^-|x|) (never overflows);
    this is the binary cross-entropy of sigmoid(x).

    dl/dx = (1 - y) - r sigmoid(-x)  (sigmoid(x) - y without pos_weight);
    dl/dy = -x + (pos_weight - 1) softplus(-x).
    """

    @staticmethod
    def forward(ctx, x, y, pos_weight=None):
        ctx.save_for_backward(x, y)
        ctx.pos_weight = pos_weight
        softplus = np.maximum(-x.data, 0) + np.log1p(np.exp(-np.abs(x.data)))
        r = 1 if pos_weight is None else 1 + (pos_weight - 1) * y.data
        return (1 - y.data) * x.data + r * softplus

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        gx, gy = ctx.needs_input_grad
        pw = None if ctx.pos_weight is None else _const(ctx.pos_weight)
        dx = dy = None
        if gx and pw is None:
            dx = g * (x.sigmoid() - y)
        elif gx:
            dx = g * ((1 - y) - (1 + (pw - 1) * y) * (-x).sigmoid())
        if gy:
            dy = -g * x
            if pw is not None:
                softplus = (-x).relu() + ((-x.abs()).exp() + 1).log()
                dy = dy + g * (pw - 1) * softplus
        return dx, dy
