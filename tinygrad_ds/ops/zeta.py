"""The Hurwitz zeta function and the regularized incomplete gamma functions, vectorised in NumPy.

zeta(x, q) = sum_{k>=0} (q + k)^-x (x > 1): `gamma.hurwitz_zeta_array`, Euler-Maclaurin
    summation. As PyTorch's (Cephes'): inf at x = 1 and at q = 0, -1, -2, ...; NaN for x < 1,
    and for q < 0 unless x is an integer (q^-x is not real otherwise).
P(a, x) = gamma(a, x) / Gamma(a) = 1/Gamma(a) int_0^x t^(a-1) e^-t dt, and Q = 1 - P (both
    regularized): for x < a + 1 the series P = x^a e^-x / Gamma(a + 1) sum_n x^n /
    ((a + 1)...(a + n)) (positive terms), Q = 1 - P; otherwise Legendre's continued fraction
    for Q = x^a e^-x / Gamma(a) / (x + 1 - a - 1 (1 - a) / (x + 3 - a - 2 (2 - a) / ...)),
    evaluated by the modified Lentz method, P = 1 - Q (Numerical Recipes, 6.2). The loser of
    each pair is at least about 1/2 (at x = a + 1, P is 0.5 to 0.7), so 1 - (the other) loses
    nothing. Both iterate until every element has converged: about sqrt(a) steps for large a,
    where the prefactor's exponent a log x - x - lgamma(a) cancels (to 1e-13 at a = 1e4).

Primitives: each is a series or a continued fraction. As in PyTorch, only the gradients in q
and x exist (d zeta / dq = -x zeta(x + 1, q), dP/dx = x^(a-1) e^-x / Gamma(a)); asking for the
one in x (zeta) or a (P, Q) is an error.
"""

from __future__ import annotations

import numpy as np

from ..function import Function
from .gamma import hurwitz_zeta_array, lgamma_array
from .special import _float64

__all__ = ["Zeta", "Gammainc", "zeta_array", "gammainc_array"]

_EPS = np.finfo(np.float64).eps
_TINY = 1e-300


def zeta_array(x: np.ndarray, q: np.ndarray) -> np.ndarray:
    """zeta(x, q), elementwise (x and q broadcast), in their floating dtype."""
    x, q = np.broadcast_arrays(np.asarray(x), np.asarray(q))
    dtype = np.result_type(x.dtype, q.dtype, np.float32)
    s, a = _float64(x)[0], _float64(q)[0]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        integer = s == np.round(s)
        fine = (s > 1) & ((a > 0) | integer) & np.isfinite(a)
        out = np.full_like(s, np.nan)
        idx = np.flatnonzero(fine)
        out[idx] = hurwitz_zeta_array(s.take(idx), a.take(idx))
        out = np.where((s == 1) | ((a <= 0) & (a == np.round(a)) & (s > 1)), np.inf, out)
        out = np.where((a == np.inf) & (s > 1), 0.0, out)
    return out.reshape(x.shape).astype(dtype, copy=False)


def _series(a: np.ndarray, x: np.ndarray) -> np.ndarray:
    """P(a, x) by its series (for x < a + 1)."""
    total, term = np.ones_like(x), np.ones_like(x)
    n, active = 0, np.ones(x.shape, bool)
    while active.any() and n < 100000:
        n += 1
        term = np.where(active, term * x / (a + n), term)
        total = np.where(active, total + term, total)
        active &= term > _EPS * total
    return np.exp(a * np.log(x) - x - lgamma_array(a + 1)) * total


def _continued_fraction(a: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Q(a, x) by Legendre's continued fraction (for x >= a + 1), modified Lentz."""
    b = x + 1 - a
    c = np.full_like(x, 1 / _TINY)
    d = 1 / b
    h = d.copy()
    i, active = 0, np.ones(x.shape, bool)
    while active.any() and i < 100000:
        i += 1
        an = -i * (i - a)
        b = b + 2
        d = an * d + b
        d = np.where(np.abs(d) < _TINY, _TINY, d)
        c = b + an / c
        c = np.where(np.abs(c) < _TINY, _TINY, c)
        d = 1 / d
        delta = d * c
        h = np.where(active, h * delta, h)
        active &= np.abs(delta - 1) > _EPS
    return np.exp(a * np.log(x) - x - lgamma_array(a)) * h


def gammainc_array(a: np.ndarray, x: np.ndarray, upper: bool = False) -> np.ndarray:
    """P(a, x) (Q(a, x) with `upper`), elementwise (a and x broadcast), in their dtype: NaN
    for a < 0 or x < 0; P(0, x > 0) = 1 and P(a, 0) = 0, as PyTorch."""
    a, x = np.broadcast_arrays(np.asarray(a), np.asarray(x))
    dtype = np.result_type(a.dtype, x.dtype, np.float32)
    af, xf = _float64(a)[0], _float64(x)[0]
    p = np.full_like(xf, np.nan)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        inside = (af > 0) & (xf > 0) & np.isfinite(af) & np.isfinite(xf)
        low = np.flatnonzero(inside & (xf < af + 1))
        high = np.flatnonzero(inside & ~(xf < af + 1))
        p[low] = _series(af.take(low), xf.take(low))
        q_high = _continued_fraction(af.take(high), xf.take(high))
        p[high] = 1 - q_high
        q = 1 - p
        q[high] = q_high
        out = q if upper else p
        one, zero = (0.0, 1.0) if upper else (1.0, 0.0)  # (P's 1 is Q's 0)
        out = np.where((af == 0) & (xf > 0), one, out)
        out = np.where((xf == 0) & (af >= 0), zero, out)
        out = np.where((xf == np.inf) & (af >= 0) & (af < np.inf), one, out)
        out = np.where((af < 0) | (xf < 0) | np.isnan(af) | np.isnan(xf), np.nan, out)
    return out.reshape(a.shape).astype(dtype, copy=False)


def _refuse_first(ctx, message: str):
    """The saved inputs; an error if the first one (whose derivative is not provided, as in
    PyTorch) asks for a gradient."""
    if ctx.needs_input_grad[0]:
        raise RuntimeError(message)
    return ctx.saved_tensors


_NO_A_GRADIENT = {
    upper: f"{'gammaincc' if upper else 'gammainc'}: the derivative with respect to a (input) "
    "is not implemented"
    for upper in (False, True)
}


class Zeta(Function):
    """z = zeta(x, q) = sum_k (q + k)^-x;  dz/dq = -x zeta(x + 1, q).

    A primitive: an Euler-Maclaurin sum (see the module's docstring). No gradient in x (as
    PyTorch): asking for one is an error."""

    @staticmethod
    def forward(ctx, x, q):
        ctx.save_for_backward(x, q)
        return zeta_array(x.data, q.data)

    @staticmethod
    def backward(ctx, g):
        x, q = _refuse_first(ctx, "zeta: the derivative with respect to x is not implemented")
        return None, g * -x * Zeta.apply(x + 1, q)

    @staticmethod
    def backward_array(ctx, g):
        x, q = _refuse_first(ctx, "zeta: the derivative with respect to x is not implemented")
        return None, g * -x.data * zeta_array(x.data + 1, q.data)


class Gammainc(Function):
    """z = P(a, x) = 1/Gamma(a) int_0^x t^(a-1) e^-t dt (Q = 1 - P with upper);
    dz/dx = +-x^(a-1) e^-x / Gamma(a).

    A primitive: a series or a continued fraction (see the module's docstring). No gradient
    in a (as PyTorch): asking for one is an error."""

    @staticmethod
    def forward(ctx, a, x, upper=False):
        ctx.save_for_backward(a, x)
        ctx.upper = upper
        return gammainc_array(a.data, x.data, upper)

    @staticmethod
    def backward(ctx, g):
        from .gamma import Lgamma

        a, x = _refuse_first(ctx, _NO_A_GRADIENT[ctx.upper])
        density = ((a - 1) * x.log() - x - Lgamma.apply(a)).exp()
        return None, g * (-density if ctx.upper else density)

    @staticmethod
    def backward_array(ctx, g):
        a, x = _refuse_first(ctx, _NO_A_GRADIENT[ctx.upper])
        a, x = a.data, x.data
        with np.errstate(divide="ignore", invalid="ignore"):
            density = np.exp((a - 1) * np.log(x) - x - lgamma_array(a)).astype(g.dtype)
        return None, g * (-density if ctx.upper else density)
