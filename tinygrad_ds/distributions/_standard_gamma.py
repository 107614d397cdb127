"""A Gamma(alpha, 1) draw that is differentiable in alpha: implicit reparameterisation
(Figurnov et al. 2018). With P(alpha, x) the Gamma cdf held fixed at the draw's uniform level,
dx/dalpha = -(dP/dalpha)(alpha, x) / p(x; alpha).

dP/dalpha comes from P's series P(alpha, x) = sum_n t_n, t_n = x^(alpha + n) e^-x /
Gamma(alpha + n + 1), differentiated term by term: dt_n/dalpha = t_n (log x -
psi(alpha + n + 1)), with lgamma and digamma of alpha + n + 1 by their recurrences from
alpha + 1. Terms are summed (in float64) until they fall below 1e-17 of the peak: about
max(x - alpha, 0) + 12 sqrt(x) + 40 of them; past x > alpha + 40 sqrt(x) + 100, P = 1 and
dP/dalpha = 0 to double precision. The same series gives the Gamma cdf (`GammaIncP`).
P is good to about 1e-13 relative; dP/dalpha to 1e-10 relative in the bulk and 1e-16
absolute in the upper tail (where the terms cancel).
"""

from __future__ import annotations

import numpy as np

from ..function import Function
from ..ops.gamma import lgamma_array, polygamma_array
from ..rng import generator
from ..tensor import constant

__all__ = ["StandardGamma", "GammaIncP", "standard_gamma_grad", "gammainc_array"]

_CHUNK = 1 << 20  # entries (terms x points) per block, to bound memory


def _series(a: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """P's series at flat float64 a, x > 0: the largest term's log m, and sum t_n / e^m and
    sum (dt_n/da) / e^m (so P = e^m S0, dP/da = e^m S1), in blocks to bound memory."""
    m, s0, s1 = np.empty_like(x), np.empty_like(x), np.empty_like(x)
    if not x.size:
        return m, s0, s1
    n_terms = int(np.ceil(np.max(np.maximum(x - a, 0) + 12 * np.sqrt(x)))) + 40
    step = max(1, _CHUNK // n_terms)
    for i in range(0, x.size, step):
        part = slice(i, i + step)
        m[part], s0[part], s1[part] = _series_block(a[part], x[part], n_terms)
    return m, s0, s1


def _series_block(a: np.ndarray, x: np.ndarray, n_terms: int) -> tuple[np.ndarray, ...]:
    log_x = np.log(x)
    n = np.arange(1, n_terms)[:, None]
    first = np.zeros_like(a)[None]
    lg = lgamma_array(a + 1) + np.vstack([first, np.cumsum(np.log(a + n), 0)])
    psi = polygamma_array(0, a + 1) + np.vstack([first, np.cumsum(1 / (a + n), 0)])
    log_t = (a + np.arange(n_terms)[:, None]) * log_x - x - lg
    m = log_t.max(0)
    t = np.exp(log_t - m)  # scaled by the largest term, so none overflows
    return m, t.sum(0), (t * (log_x - psi)).sum(0)


def _far(a: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Where P(a, x) = 1 to double precision (x past the mode by 40 standard deviations)."""
    return x > a + 40 * np.sqrt(x) + 100


def standard_gamma_grad(alpha: np.ndarray, x: np.ndarray) -> np.ndarray:
    """dx/dalpha of a Gamma(alpha, 1) draw x (arrays of one shape, float64)."""
    alpha = np.asarray(alpha, np.float64).ravel()
    x = np.maximum(np.asarray(x, np.float64).ravel(), np.finfo(np.float64).tiny)
    out = np.zeros_like(x)
    near = ~_far(alpha, x)
    a, xs = alpha[near], x[near]
    m, _, s1 = _series(a, xs)
    log_pdf = (a - 1) * np.log(xs) - xs - lgamma_array(a)
    out[near] = -s1 * np.exp(m - log_pdf)
    return out


def gammainc_array(a: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """P(a, x), the regularised lower incomplete gamma, and dP/da (float64; 0 for x <= 0)."""
    a, x = np.broadcast_arrays(np.asarray(a, np.float64), np.asarray(x, np.float64))
    shape, a, x = a.shape, a.ravel(), x.ravel()
    p, dp = np.zeros_like(x), np.zeros_like(x)
    far = _far(a, x)
    p[far] = 1.0
    inside = (x > 0) & ~far
    m, s0, s1 = _series(a[inside], x[inside])
    p[inside], dp[inside] = np.minimum(np.exp(m) * s0, 1.0), np.exp(m) * s1
    return p.reshape(shape), dp.reshape(shape)


class GammaIncP(Function):
    """z = P(a, x), the regularised lower incomplete gamma (the Gamma(a, 1) cdf at x);  dz/dx =
    x^(a-1) e^-x / Gamma(a), dz/da = sum_n t_n (log x - psi(a + n + 1)).

    A primitive: a series (see the module's docstring). The derivative in a is a constant of
    the inputs (no second derivative through it); the one in x is composed, so it has one."""

    @staticmethod
    def forward(ctx, a, x):
        p, dp = gammainc_array(a.data, x.data)
        ctx.save_for_backward(a, x)
        dtype = np.result_type(a.dtype, x.dtype)
        ctx.dpda = dp.astype(dtype)
        return p.astype(dtype)

    @staticmethod
    def backward(ctx, g):
        a, x = ctx.saved_tensors
        pdf = ((a - 1) * x.log() - x - a.lgamma()).exp()
        return g * constant(ctx.dpda), g * pdf

    @staticmethod
    def backward_array(ctx, g):
        a, x = ctx.saved_tensors
        with np.errstate(divide="ignore"):
            pdf = np.exp((a.data - 1) * np.log(x.data) - x.data - lgamma_array(a.data))
        return g * ctx.dpda, g * pdf


class StandardGamma(Function):
    """z = a Gamma(alpha, 1) draw;  dz/dalpha = -(dP/dalpha)(alpha, z) / p(z; alpha).

    A primitive: a random draw (NumPy's standard_gamma, from the package generator) with its
    implicit-reparameterisation derivative (see the module's docstring). Draws are at least the
    dtype's smallest normal number. The derivative is a constant of the draw: no second
    derivative in alpha."""

    @staticmethod
    def forward(ctx, alpha):
        a = alpha.data.astype(np.float64)
        x = generator().standard_gamma(a)
        x = np.maximum(x, np.finfo(alpha.dtype).tiny).astype(alpha.dtype)
        if ctx.needs_input_grad[0]:
            ctx.dxda = standard_gamma_grad(a, x).reshape(x.shape).astype(alpha.dtype)
        return x

    @staticmethod
    def backward(ctx, g):
        return g * constant(ctx.dxda)

    @staticmethod
    def backward_array(ctx, g):
        return g * ctx.dxda
