"""Connectionist temporal classification (Graves et al. 2006): F.ctc_loss and nn.CTCLoss.

The loss of one sequence is -log p(l | x), summed over every alignment of the target l to the
T frames. With the extended target l' = (blank, l_1, blank, l_2, ..., l_S, blank) of length
2S + 1, the forward variables (Graves et al. 2006, eqs. 5-8, in log space)

    alpha_0(0) = y_0(blank),  alpha_0(1) = y_0(l_1),
    alpha_t(s) = y_t(l'_s) + logsumexp(alpha_{t-1}(s), alpha_{t-1}(s-1), alpha_{t-1}(s-2)),

the last term only where l'_s is not blank and differs from l'_{s-2}, give
-log p = -logsumexp(alpha_{T-1}(2S), alpha_{T-1}(2S - 1)). The backward variables beta run the
same recursion from the end (eqs. 10-13), and the occupancy of state s at time t,
exp(alpha_t(s) + beta_t(s) - y_t(l'_s) + nll), summed over the states of label c, is
-d nll / d y_t(c) (eq. 14).

The recursion is one primitive, `CTC`, vectorised over the batch and the 2S + 1 states with
a Python loop over time. Composed of Tensor operations it would record about ten nodes per
time step, keep every alpha_t for backward, and, worse, differentiate logsumexp where all its
terms are -inf (the states no alignment reaches yet, present in every problem), which gives
nan gradients; the beta recursion gives the gradient directly, in O(T N S) like the forward.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..function import Function
from ..tensor import Tensor
from ..tensor import constant as _const
from .losses import _check_reduction, _Loss
from .module import check_int

__all__ = ["ctc_loss", "CTCLoss"]


def _lse3(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """log(e^a + e^b + e^c) elementwise, -inf where all three are -inf (never nan there)."""
    m = np.maximum(np.maximum(a, b), c)
    shift = np.where(np.isfinite(m), m, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return shift + np.log(np.exp(a - shift) + np.exp(b - shift) + np.exp(c - shift))


def _shifted(x: np.ndarray, k: int) -> np.ndarray:
    """x moved k places along the last axis (right for k > 0, left for k < 0), -inf filled."""
    out = np.full_like(x, -np.inf)
    if k > 0:
        out[:, k:] = x[:, :-k]
    else:
        out[:, :k] = x[:, -k:]
    return out


class CTC(Function):
    """nll_n = -log sum over the alignments pi of target n of prod_t exp(x[t,n,pi_t]), by the
    alpha recursion in log space;  dnll_n/dx = -sum over the states s of label c of
    exp(alpha_t(s) + beta_t(s) - x[t,n,c] + nll_n), at [t,n,c].

    Inputs: log-probabilities x (T, N, C), the extended targets ext (N, 2S + 1), the input
    lengths (N,) and the target lengths (N,). The derivative is the true one for any x: it
    differs from PyTorch's, which adds e^x (its formula assumes x = log_softmax(z) and gives
    the gradient w.r.t. z), by exactly what log_softmax's backward removes. Through
    log_softmax the two agree. An impossible target (nll = inf) gets nan as its gradient at
    t < T_n, as PyTorch's, unless `zero_infinity`, which makes it 0.
    """

    @staticmethod
    def forward(ctx, x, ext, input_lengths, target_lengths, zero_infinity=False):
        lp = x.data
        T, N, _ = lp.shape
        rows = np.arange(N)[:, None]
        lpe = lp[:, rows, ext]  # (T, N, L): y_t(l'_s)
        skip = np.zeros(ext.shape, dtype=bool)  # the s - 2 -> s transition is allowed
        skip[:, 2:] = (ext[:, 2:] != ext[:, :1]) & (ext[:, 2:] != ext[:, :-2])
        alpha = np.full(lpe.shape, -np.inf, dtype=lp.dtype)
        alpha[0, :, :2] = lpe[0, :, :2]
        for t in range(1, T):
            prev = alpha[t - 1]
            two_back = np.where(skip, _shifted(prev, 2), -np.inf)
            alpha[t] = lpe[t] + _lse3(prev, _shifted(prev, 1), two_back)
        last = np.maximum(input_lengths - 1, 0)
        end = 2 * target_lengths
        a_end = alpha[last, np.arange(N), end]
        a_before = np.where(end > 0, alpha[last, np.arange(N), np.maximum(end - 1, 0)], -np.inf)
        nll = -np.logaddexp(a_end, a_before)
        nll[input_lengths == 0] = np.where(target_lengths[input_lengths == 0] == 0, 0.0, np.inf)
        ctx.alpha, ctx.lpe, ctx.skip, ctx.nll = alpha, lpe, skip, nll
        ctx.ext, ctx.lengths, ctx.ends, ctx.zero_infinity = ext, input_lengths, end, zero_infinity
        ctx.shape = lp.shape
        ctx.save_for_backward(x)
        return nll.astype(lp.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g.reshape(1, -1, 1) * CTCGradient.apply(x, node=ctx)

    @staticmethod
    def backward_array(ctx, g):
        return g.reshape(1, -1, 1) * _gradient(ctx)


def _gradient(ctx: Function) -> np.ndarray:
    """dnll_n/dx[t,n,c] for every t, n, c (T, N, C), from the saved alphas and the betas."""
    alpha, lpe, skip, nll = ctx.alpha, ctx.lpe, ctx.skip, ctx.nll
    T, N, C = ctx.shape
    lengths, ends = ctx.lengths, ctx.ends
    beta = np.full_like(alpha, -np.inf)
    skip_back = np.zeros_like(skip)  # s + 2 -> s allowed, read at s
    skip_back[:, :-2] = skip[:, 2:]
    states = np.arange(alpha.shape[2])
    finals = (states == ends[:, None]) | (states == ends[:, None] - 1)  # (N, L)
    for t in range(T - 1, -1, -1):
        nxt = beta[t + 1] if t + 1 < T else np.full_like(beta[0], -np.inf)
        two_on = np.where(skip_back, _shifted(nxt, -2), -np.inf)
        rec = lpe[t] + _lse3(nxt, _shifted(nxt, -1), two_on)
        start = np.where(finals, lpe[t], -np.inf)
        here = (lengths - 1 == t)[:, None]
        beta[t] = np.where(here, start, np.where(t < lengths[:, None] - 1, rec, -np.inf))
    log_occ = alpha + beta
    with np.errstate(invalid="ignore", over="ignore"):
        occ = np.where(log_occ == -np.inf, 0.0, np.exp(log_occ - lpe + nll[None, :, None]))
    grad = np.zeros((T, N * C), dtype=alpha.dtype)
    flat = (np.arange(N)[:, None] * C + ctx.ext).ravel()  # (N L,) column of each state
    np.add.at(grad.T, flat, -occ.reshape(T, -1).T)
    grad = grad.reshape(T, N, C)
    impossible = np.isinf(nll)
    if impossible.any():  # nan (as PyTorch) or 0 for t < T_n, 0 after
        before = np.arange(T)[:, None] < lengths[None, :]
        bad = before & impossible[None, :]
        grad[bad] = 0.0 if ctx.zero_infinity else np.nan
    return grad


class CTCGradient(Function):
    """z = dnll/dx of `CTC`, the occupancies from its saved alphas and betas;  dz/dx: not
    implemented (a second derivative of the CTC loss, which PyTorch does not give either)."""

    @staticmethod
    def forward(ctx, x, node):
        return _gradient(node)

    @staticmethod
    def backward(ctx, g):
        raise RuntimeError(
            "ctc_loss: the derivative of its gradient (a second derivative) is not implemented"
        )


def _lengths(value: Any, n: int, name: str, batched: bool) -> np.ndarray:
    """input_lengths or target_lengths as an int64 array of shape (n,)."""
    a = np.asarray(value.data if isinstance(value, Tensor) else value)
    if a.dtype.kind not in "iu" or (a.dtype.kind == "b"):
        raise TypeError(f"ctc_loss: {name} must hold integers, got {value!r}")
    if a.ndim > 1 or (a.ndim == 1 and a.shape[0] != n) or (a.ndim == 0 and batched):
        expected = f"shape ({n},)" if batched else "one value"
        raise ValueError(f"ctc_loss: {name} must have {expected}, got shape {a.shape}")
    a = a.reshape(-1).astype(np.int64)
    if a.size and a.min() < 0:
        raise ValueError(f"ctc_loss: {name} must be >= 0, got {a.min()}")
    return a


def _extended(targets: Any, target_lengths: np.ndarray, n: int, c: int, blank: int,
              batched: bool) -> np.ndarray:  # fmt: skip
    """The extended targets (blank, l_1, blank, ..., l_S, blank), padded with blanks to
    (n, 2 max(S) + 1), from padded (n, S) or concatenated targets."""
    t = np.asarray(targets.data if isinstance(targets, Tensor) else targets)
    if t.dtype.kind not in "iu":
        raise TypeError(f"ctc_loss: targets must be integers, got dtype {t.dtype}")
    s_max = int(target_lengths.max()) if n else 0
    labels = np.full((n, s_max), blank, dtype=np.int64)
    if t.ndim == 2 and batched:
        if t.shape[0] != n or t.shape[1] < s_max:
            raise ValueError(
                f"ctc_loss: padded targets of shape {t.shape} need shape ({n}, S) with S at "
                f"least the longest target length, {s_max}"
            )
        keep = np.arange(s_max) < target_lengths[:, None]
        labels[keep] = t[:, :s_max][keep]
    elif t.ndim == 1:
        total = int(target_lengths.sum())
        if (batched and t.shape[0] != total) or (not batched and t.shape[0] < total):
            raise ValueError(
                f"ctc_loss: concatenated targets of shape {t.shape} must have the sum of "
                f"target_lengths, {total}, values"
            )
        keep = np.arange(s_max) < target_lengths[:, None]
        labels[keep] = t[:total]
    else:
        need = "(N, S) or 1-D" if batched else "1-D (S,)"
        raise ValueError(f"ctc_loss: targets must be {need}, got shape {t.shape}")
    used = labels[np.arange(s_max) < target_lengths[:, None]]
    if used.size and (used.min() < 0 or used.max() >= c or (used == blank).any()):
        bad = used[(used < 0) | (used >= c) | (used == blank)][0]
        raise ValueError(f"ctc_loss: target label {bad} is the blank ({blank}) or outside [0, {c})")
    ext = np.full((n, 2 * s_max + 1), blank, dtype=np.int64)
    ext[:, 1::2] = labels
    return ext


def ctc_loss(
    log_probs: Tensor,
    targets: Any,
    input_lengths: Any,
    target_lengths: Any,
    blank: int = 0,
    reduction: str = "mean",
    zero_infinity: bool = False,
) -> Tensor:
    """The CTC loss -log p(target | log_probs) of each sequence (Graves et al. 2006).

    log_probs: (T, N, C) log-probabilities (usually log_softmax outputs), or (T, C) for one
    sequence; targets: padded (N, S) or the N targets concatenated (1-D); input_lengths and
    target_lengths: N lengths each. 'mean' divides each loss by its target length (at least
    1) and averages over the batch, as PyTorch; `zero_infinity` makes the loss (and
    gradient) of an impossible alignment 0 instead of inf. The gradient is the exact
    derivative w.r.t. log_probs (see `CTC`: PyTorch's adds e^log_probs, which cancels through
    a log_softmax).
    """
    if not isinstance(log_probs, Tensor):
        raise TypeError(f"ctc_loss: log_probs must be a Tensor, got {type(log_probs).__name__}")
    if log_probs.dtype.kind != "f":
        raise TypeError(f"ctc_loss: log_probs must be floating, got dtype {log_probs.dtype}")
    if log_probs.ndim not in (2, 3):
        raise ValueError(
            f"ctc_loss: log_probs must be (T, N, C) or (T, C), got shape {log_probs.shape}"
        )
    blank = check_int(blank, "ctc_loss", "blank")
    _check_reduction(reduction, "ctc_loss")
    if not isinstance(zero_infinity, (bool, np.bool_)):
        raise TypeError(f"ctc_loss: zero_infinity must be True or False, got {zero_infinity!r}")
    batched = log_probs.ndim == 3
    x = log_probs if batched else log_probs.unsqueeze(1)
    T, n, c = x.shape
    if x.numel() == 0:
        raise ValueError(f"ctc_loss: log_probs must not be empty, got shape {log_probs.shape}")
    if not 0 <= blank < c:
        raise ValueError(f"ctc_loss: blank {blank} is outside [0, {c}) ({c} classes)")
    lengths = _lengths(input_lengths, n, "input_lengths", batched)
    if lengths.size and lengths.max() > T:
        raise ValueError(
            f"ctc_loss: input_lengths must be at most T = {T} (log_probs of shape "
            f"{log_probs.shape}), got {lengths.max()}"
        )
    t_lengths = _lengths(target_lengths, n, "target_lengths", batched)
    ext = _extended(targets, t_lengths, n, c, blank, batched)
    loss = CTC.apply(x, ext=ext, input_lengths=lengths, target_lengths=t_lengths,
                     zero_infinity=bool(zero_infinity))  # fmt: skip
    if zero_infinity and np.isinf(loss.data).any():
        loss = loss.masked_fill(_const(np.isinf(loss.data)), 0.0)
    if reduction == "mean":
        per = np.maximum(t_lengths, 1).astype(x.dtype)
        return (loss / _const(per)).mean()
    if reduction == "sum":
        return loss.sum()
    return loss if batched else loss.reshape(())


class CTCLoss(_Loss):
    """Module form of `ctc_loss`: CTCLoss(blank=0, reduction='mean', zero_infinity=False)."""

    def __init__(self, blank: int = 0, reduction: str = "mean", zero_infinity: bool = False):
        super().__init__(reduction)
        self.blank = check_int(blank, "CTCLoss", "blank")
        self.zero_infinity = bool(zero_infinity)

    def forward(
        self, log_probs: Tensor, targets: Any, input_lengths: Any, target_lengths: Any
    ) -> Tensor:
        return ctc_loss(log_probs, targets, input_lengths, target_lengths, self.blank,
                        self.reduction, self.zero_infinity)  # fmt: skip
