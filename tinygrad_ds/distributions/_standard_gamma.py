"""A Gamma(alpha, 1) draw that is differentiable in alpha: implicit reparameterisation
(Figurnov et al. 2018). With P(alpha, x) the Gamma cdf held fixed at the draw's uniform level,
dx/dalpha = -(dP/dalpha)(alpha, x) / p(x; alpha).

dP/dalpha comes from P's series P(alpha, x) = sum_n t_n, t_n = x^(alpha + n) e^-x /
Gamma(alpha + n + 1), differentiated term by term: dt_n/dalpha = t_n (log x -
psi(alpha + n + 1)), with lgamma and digamma of alpha + n + 1 by their recurrences from
alpha + 1. Terms are summed (in float64) until they fall below 1e-17 of the peak: about
max(x - alpha, 0) + 12 sqrt(x) + 40 of them.
"""

from __future__ import annotations

import numpy as np

from ..function import Function
from ..ops.gamma import lgamma_array, polygamma_array
from ..rng import generator
from ..tensor import constant

__all__ = ["StandardGamma", "standard_gamma_grad"]

_CHUNK = 1 << 20  # entries (terms x draws) per block, to bound memory


def standard_gamma_grad(alpha: np.ndarray, x: np.ndarray) -> np.ndarray:
    """dx/dalpha of a Gamma(alpha, 1) draw x (arrays of one shape, float64)."""
    alpha = np.asarray(alpha, np.float64).ravel()
    x = np.maximum(np.asarray(x, np.float64).ravel(), np.finfo(np.float64).tiny)
    out = np.empty_like(x)
    if not x.size:
        return out
    n_terms = int(np.ceil(np.max(np.maximum(x - alpha, 0) + 12 * np.sqrt(x)))) + 40
    step = max(1, _CHUNK // n_terms)
    for i in range(0, x.size, step):
        out[i : i + step] = _grad_block(alpha[i : i + step], x[i : i + step], n_terms)
    return out


def _grad_block(a: np.ndarray, x: np.ndarray, n_terms: int) -> np.ndarray:
    log_x = np.log(x)
    n = np.arange(1, n_terms)[:, None]
    log_a_n = np.log(a + n)  # log(alpha + j), j = 1..N-1
    lg = lgamma_array(a + 1) + np.vstack([np.zeros_like(a)[None], np.cumsum(log_a_n, 0)])
    psi = polygamma_array(0, a + 1) + np.vstack([np.zeros_like(a)[None], np.cumsum(1 / (a + n), 0)])
    k = np.arange(n_terms)[:, None]
    log_t = (a + k) * log_x - x - lg
    t = np.exp(log_t - log_t.max(0))  # scaled by the largest term, so none overflows
    dp_scaled = (t * (log_x - psi)).sum(0)
    log_pdf = (a - 1) * log_x - x - lgamma_array(a)
    return -dp_scaled * np.exp(log_t.max(0) - log_pdf)


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
