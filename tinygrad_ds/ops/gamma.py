"""The gamma function's logarithm and derivatives, the modified Bessel functions I0 and I1, the
scaled complementary error function and the normal quantile, vectorised in NumPy.

None of these is a composition of the Tensor's operations (each is an infinite series, an
asymptotic expansion or an inverse), so each is a primitive, computed here in float64 (float32
inputs are computed in float64 and rounded back) to within a few ulps:

lgamma x = log |Gamma(x)|: the Taylor series of lgamma(2 + z) in z for |z| <= 1/2,
    lgamma(2 + z) = (1 - gamma) z + sum_{k>=2} (-1)^k (zeta(k) - 1) z^k / k,
    whose terms fall as 4^-k; lgamma(1 + z) = lgamma(2 + z) - log1p z near 1 (and so for
    0 < x < 1/2 with log x subtracted), so the roots at 1 and 2 keep their relative accuracy;
    the recurrence lgamma(x) = lgamma(x - 1) + log(x - 1) down to [3/2, 5/2) below 13, and
    Stirling's series (x - 1/2) log x - x + log(2 pi)/2 + sum B_2k / (2k (2k - 1) x^(2k-1))
    above; negative x by the reflection Gamma(x) Gamma(1 - x) = pi / sin(pi x).
psi^(n) x (digamma for n = 0, polygamma for n >= 1): for n >= 1,
    psi^(n)(x) = (-1)^(n+1) n! zeta(n + 1, x), the Hurwitz zeta function by Euler-Maclaurin
    summation (terms up to x + N >= 20 + n summed, the tail integrated with 10 Bernoulli
    corrections), negative x by the reflection psi^(n)(x) = (-1)^n psi^(n)(1 - x) -
    pi d^n/dx^n cot(pi x) (a polynomial in cot(pi x)); digamma by psi(x) = psi(x + 1) - 1/x
    up to x >= 10 and the asymptotic series log x - 1/(2x) - sum B_2k / (2k x^2k), negative x
    by psi(1 - x) - psi(x) = pi cot(pi x).
I0, I1 (and e^-|x| I0, e^-|x| I1): the power series sum (x^2/4)^k / (k! (k + nu)!) (x/2)^nu
    (positive terms: no cancellation) for |x| <= 20, 45 terms; the asymptotic series
    e^x / sqrt(2 pi x) sum_k (-1)^k prod_{j<=k} (4 nu^2 - (2j - 1)^2) / (8 j x) above, whose
    smallest term there is below e^-40.
erfcx x = e^(x^2) erfc x: for x >= 1/2 the Chebyshev series of ops/special.py divided by
    (1 + 2x) (that series *is* erfcx there), e^(x^2) erfc x below, 2 e^(x^2) - erfcx(-x) for
    x < 0. Composed, e^(x^2) erfc x would be inf * 0 beyond x = 26.6.
ndtri p, the normal quantile (ndtr z = p), for q = min(p, 1 - p) (1 - p exact there):
    for q >= 1e-3 Winitzki's closed form for sqrt 2 erfinv(2q - 1) (as ops/special.py's) and
    two Halley steps on ndtr z = q (on erf(z / sqrt 2) / 2 = q - 1/2 for q >= 1/4); below
    (where 2q - 1 rounds to -1 for q < 1e-17) the tail's asymptotic
    z = -sqrt(-2 log q - log(-2 log q) - log(2 pi)) and three steps, with
    ndtr z / phi(z) = sqrt(pi/2) erfcx(-z/sqrt 2).
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import numpy as np
from numpy.polynomial import chebyshev, polynomial

from ..function import Function
from .special import _CHEBYSHEV, _float64, _split, erf_array, erfc_array

__all__ = [
    "Lgamma", "Polygamma", "I0", "I0e", "I1", "I1e", "Erfcx", "Ndtri", "lgamma_array",
    "polygamma_array", "bessel_i_array", "erfcx_array", "ndtri_array", "hurwitz_zeta_array",
]  # fmt: skip

_EULER = 0.57721566490153286061  # the Euler-Mascheroni constant gamma
_HALF_LOG_2PI = 0.5 * math.log(2 * math.pi)


def _bernoulli(count: int) -> list[Fraction]:
    """B_2, B_4, ..., B_2count, exactly (the recurrence sum_{j<=m} C(m+1, j) B_j = 0)."""
    b = [Fraction(1)]
    for m in range(1, 2 * count + 1):
        b.append(-sum(math.comb(m + 1, j) * b[j] for j in range(m)) / (m + 1))
    return [b[2 * k] for k in range(1, count + 1)]


_B2K = _bernoulli(10)


def _zeta_int(k: int, terms: int = 60) -> float:
    """zeta(k) - 1 for an integer k >= 2, summed to float64 accuracy (Euler-Maclaurin)."""
    n = terms
    parts = [float(j) ** -k for j in range(2, n)]
    parts += [1 / ((k - 1) * float(n) ** (k - 1)), 0.5 * float(n) ** -k]
    rising = float(k)
    for j, b in enumerate(_B2K[:6], 1):  # B_2j / (2j)! k (k+1)...(k+2j-2) / n^(k+2j-1)
        parts.append(float(b) / math.factorial(2 * j) * rising * float(n) ** (-k - 2 * j + 1))
        rising *= (k + 2 * j - 1) * (k + 2 * j)
    return math.fsum(parts)


# lgamma(2 + z) = sum_{k>=1} c_k z^k: c_1 = 1 - gamma, c_k = (-1)^k (zeta(k) - 1) / k; highest first
_LGAMMA2 = tuple([(-1) ** k * _zeta_int(k) / k for k in range(30, 1, -1)] + [1 - _EULER])
# Stirling: sum_k B_2k / (2k (2k - 1)) t^(2k - 1), t = 1/x, as t times a polynomial in t^2
_STIRLING = tuple(float(b / (2 * k * (2 * k - 1))) for k, b in reversed(list(enumerate(_B2K, 1))))
# digamma: sum_k B_2k / (2k) t^(2k) as a polynomial in t^2 (highest first, no constant term)
_DIGAMMA = tuple(float(b / (2 * k)) for k, b in reversed(list(enumerate(_B2K[:8], 1))))


def _horner(coefficients: tuple[float, ...], z: np.ndarray) -> np.ndarray:
    p = np.full_like(z, coefficients[0])
    for c in coefficients[1:]:
        p *= z
        p += c
    return p


def _cotpi(x: np.ndarray) -> np.ndarray:
    """cot(pi x), with r = x - round(x) (exact) and cos(pi r) = sin(pi (1/2 - |r|)) (1/2 - |r|
    exact too), so that it is exactly 0 at half-integers."""
    r = x - np.round(x)
    return np.sin(math.pi * (0.5 - np.abs(r))) / np.sin(math.pi * r)


def _sinpi(x: np.ndarray) -> np.ndarray:
    """sin(pi x) with the argument reduced exactly first (x - round(x) is exact), so that it
    is 0 at integers and accurate near them."""
    n = np.round(x)
    r = x - n
    return np.sin(math.pi * r) * np.where(np.fmod(n, 2) == 0, 1.0, -1.0)


# ---------------------------------------------------------------------------------------------
# the functions on arrays
# ---------------------------------------------------------------------------------------------


def _lgamma_positive(x: np.ndarray) -> np.ndarray:
    """lgamma x for x > 0 (float64, flat)."""
    out = np.empty_like(x)
    tiny = x < 0.5  # lgamma x = lgamma(2 + x) - log1p x - log x
    near1 = (x >= 0.5) & (x < 1.5)  # lgamma x = lgamma(2 + z) - log1p z, z = x - 1
    mid = (x >= 1.5) & (x < 13)  # down to [1.5, 2.5) by the recurrence
    big = x >= 13  # Stirling
    z = x[tiny]
    out[tiny] = z * _horner(_LGAMMA2, z) - np.log1p(z) - np.log(z)
    z = x[near1] - 1
    out[near1] = z * _horner(_LGAMMA2, z) - np.log1p(z)
    y = x[mid]
    product = np.ones_like(y)
    while True:
        down = y >= 2.5
        if not down.any():
            break
        y = np.where(down, y - 1, y)
        product = np.where(down, product * y, product)
    z = y - 2
    out[mid] = z * _horner(_LGAMMA2, z) + np.log(product)
    y = x[big]
    t = 1 / np.minimum(y, 1e17)
    series = t * _horner(_STIRLING, t * t)
    with np.errstate(over="ignore", invalid="ignore"):
        out[big] = np.where(np.isinf(y), np.inf, (y - 0.5) * np.log(y) - y + _HALF_LOG_2PI + series)
    return out


def lgamma_array(x: np.ndarray) -> np.ndarray:
    """log |Gamma(x)|, elementwise, in x's floating dtype: inf at the poles (0, -1, -2, ...)
    and at +-inf, as PyTorch."""
    x = np.asarray(x)
    flat, dtype = _float64(x)
    out = np.full_like(flat, np.nan)
    positive = flat > 0
    out[positive] = _lgamma_positive(flat[positive])
    neg = flat <= 0
    y = flat[neg]
    with np.errstate(divide="ignore", invalid="ignore"):
        finite = np.isfinite(y)
        s = np.abs(_sinpi(np.where(finite, y, 0.5)))
        reflected = np.log(math.pi / s) - _lgamma_positive(np.where(finite, 1 - y, 1.0))
        out[neg] = np.where(finite & (s > 0), reflected, np.inf)
    return out.reshape(x.shape).astype(dtype, copy=False)


def _digamma(x: np.ndarray) -> np.ndarray:
    """psi x (float64, flat), by the recurrence, the asymptotic series and the reflection."""
    out = np.full_like(x, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        neg = x < 0
        reflect = np.where(neg, -math.pi * _cotpi(x), 0.0)
        y = np.where(neg, 1 - x, x)
        shift = np.zeros_like(y)
        while True:
            up = y < 10
            if not up.any():
                break
            shift = np.where(up, shift + 1 / y, shift)
            y = np.where(up, y + 1, y)
        t2 = 1 / (y * y)
        series = np.log(y) - 0.5 / y - t2 * _horner(_DIGAMMA, t2)
        out = series - shift + reflect
        out = np.where(x == 0, -np.inf, out)
        out = np.where((x < 0) & (x == np.round(x)), np.nan, out)  # (and -inf: NaN)
        return np.where(x == np.inf, np.inf, out)


def hurwitz_zeta_array(s: Any, a: np.ndarray) -> np.ndarray:
    """zeta(s, a) = sum_k (a + k)^-s for s > 1 (a number or an array broadcasting with a;
    float64): the terms up to a + N >= 20 + s summed, the tail by Euler-Maclaurin,
    a^(1-s)/(s-1) + a^-s/2 + sum_j B_2j/(2j)! s(s+1)..(s+2j-2) a^(-s-2j+1). A negative a
    is summed up through 0 (meaningful for an integer s)."""
    total = np.zeros_like(a)
    bound = 20.0 + s
    while True:
        low = a < bound
        if not low.any():
            break
        total = np.where(low, total + np.power(a, -s), total)
        a = np.where(low, a + 1, a)
    tail = np.power(a, 1 - s) / (s - 1) + 0.5 * np.power(a, -s)
    term = s * np.power(a, -s - 1)
    for j, b in enumerate(_B2K, 1):
        tail = tail + float(b) / math.factorial(2 * j) * term
        term = term * (s + 2 * j - 1) * (s + 2 * j) / (a * a)
    return total + tail


def _cot_derivative(n: int, x: np.ndarray) -> np.ndarray:
    """d^n/dx^n cot(pi x) = P_n(cot(pi x)), the polynomials P_0(c) = c,
    P_(k+1)(c) = -pi (1 + c^2) P_k'(c)."""
    coefficients = np.array([0.0, 1.0])  # (lowest first)
    for _ in range(n):
        coefficients = -math.pi * polynomial.polymul(polynomial.polyder(coefficients), [1, 0, 1])
    return polynomial.polyval(_cotpi(x), coefficients)


def polygamma_array(n: int, x: np.ndarray) -> np.ndarray:
    """psi^(n)(x), the n-th derivative of digamma, elementwise, in x's floating dtype (n = 0
    is digamma). At the poles (0, -1, ...) inf for odd n and -inf for even n, as PyTorch."""
    x = np.asarray(x)
    flat, dtype = _float64(x)
    if n == 0:
        out = _digamma(flat)
    else:
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            neg = flat < 0  # reflected: psi^(n)(x) = (-1)^n psi^(n)(1 - x) - pi d^n/dx^n cot(pi x)
            a = np.where(np.isfinite(flat), np.where(neg, 1 - flat, flat), 1e300)
            out = (-1.0) ** (n + 1) * math.factorial(n) * hurwitz_zeta_array(n + 1.0, a)
            if neg.any():
                reflected = (-1.0) ** n * out - math.pi * _cot_derivative(n, flat)
                out = np.where(neg, reflected, out)
            pole = (flat <= 0) & (flat == np.round(flat))
            out = np.where(pole, np.inf if n % 2 else -np.inf, out)
            out = np.where(flat == np.inf, 0.0, out)
            out = np.where(np.isnan(flat) | (flat == -np.inf), np.nan, out)
    return out.reshape(x.shape).astype(dtype, copy=False)


def bessel_i_array(nu: int, x: np.ndarray, scaled: bool = False) -> np.ndarray:
    """I_nu(x) for nu = 0 or 1 (e^-|x| I_nu(x) with `scaled`), elementwise, in x's dtype."""
    x = np.asarray(x)
    flat, dtype = _float64(x)
    a = np.abs(flat)
    out = np.empty_like(a)
    small = a <= 20
    z = a[small]
    q = z * z / 4
    term = np.ones_like(z) if nu == 0 else z / 2
    total = term.copy()
    for k in range(1, 46):  # term_k = term_(k-1) (x^2/4) / (k (k + nu))
        term = term * q / (k * (k + nu))
        total += term
    out[small] = total * np.exp(-z) if scaled else total
    z = a[~small]
    mu = 4.0 * nu * nu
    term, total = np.ones_like(z), np.ones_like(z)
    for j in range(1, 40):
        term = term * -(mu - (2 * j - 1) ** 2) / (8 * j * z)
        total += term
    with np.errstate(over="ignore", invalid="ignore"):
        root = np.sqrt(2 * math.pi * np.where(np.isinf(z), 1.0, z))
        if scaled:
            big = np.where(np.isinf(z), 0.0, total / root)
        else:
            big = np.exp(z - np.log(root)) * total
    out[~small] = np.where(np.isnan(z), np.nan, big)
    if nu == 1:
        out = np.copysign(out, flat)
    return out.reshape(x.shape).astype(dtype, copy=False)


def erfcx_array(x: np.ndarray) -> np.ndarray:
    """e^(x^2) erfc x, elementwise, in x's dtype (inf for x < -26.6, 1/(x sqrt pi) far out)."""
    x = np.asarray(x)
    out, dtype = _float64(x)
    with np.errstate(over="ignore", invalid="ignore"):
        small, large = _split(out, 0.5)  # (NaN among the large: it stays NaN)
        xs, xl = out.take(small), out.take(large)
        out[small] = np.exp(xs * xs) * erfc_array(xs)
        a = np.abs(xl)
        s = (a - 4) / (a + 3)
        far = a > 1e8  # (1/(x sqrt pi) to float64's precision; the series' s is 1 there)
        tail = np.where(far, 1 / (math.sqrt(math.pi) * a), 0.0)
        tail = np.where(far, tail, chebyshev.chebval(s, _CHEBYSHEV) / (1 + 2 * a))
        out[large] = np.where(xl < 0, 2 * np.exp(xl * xl) - tail, tail)
    return out.reshape(x.shape).astype(dtype, copy=False)


def _ndtr_over_pdf(z: np.ndarray) -> np.ndarray:
    """ndtr(z) / phi(z) = sqrt(pi / 2) erfcx(-z / sqrt 2)."""
    return math.sqrt(math.pi / 2) * erfcx_array(-z / math.sqrt(2))


def _halley_ndtr(z: np.ndarray, q: np.ndarray, steps: int) -> np.ndarray:
    """`steps` Halley steps on f(z) = ndtr z - q (f' = phi(z), f''/f' = -z), for z <= 0:
    f / f' = ndtr(z) / phi(z) - q / phi(z), except for q >= 1/4 (|z| < 0.68), where
    (erf(z / sqrt 2) / 2 - (q - 1/2)) / phi(z) does not cancel."""
    centre = q >= 0.25
    for _ in range(steps):
        over_pdf = math.sqrt(2 * math.pi) * np.exp(z * z / 2)
        if centre.all():
            d = (erf_array(z * math.sqrt(0.5)) / 2 - (q - 0.5)) * over_pdf
        else:
            d = _ndtr_over_pdf(z) - q * over_pdf
        z = z - d / (1 + z * d / 2)
    return z


def ndtri_array(p: np.ndarray) -> np.ndarray:
    """The z with ndtr z = p for p in [0, 1] (-inf at 0, inf at 1, NaN outside), in p's dtype."""
    p = np.asarray(p)
    flat, dtype = _float64(p)
    q = np.minimum(flat, 1 - flat)  # (1 - p exact for p >= 1/2)
    z = np.full_like(q, np.nan)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        # central: Winitzki's guess for sqrt 2 erfinv(2q - 1) (within 0.2%), with
        # log(1 - (2q - 1)^2) = log(4 q (1 - q)), then two steps
        for middle in (np.flatnonzero((q >= 1e-3) & (q < 0.25)), np.flatnonzero(q >= 0.25)):
            qm = q.take(middle)
            log_1my2, k = np.log(4 * qm * (1 - qm)), 0.147
            t = 2 / (math.pi * k) + log_1my2 / 2
            guess = -np.sqrt(2 * ((-log_1my2 / k) / (np.sqrt(t * t - log_1my2 / k) + t)))
            z[middle] = _halley_ndtr(guess, qm, 2)
        # tail: the asymptotic guess (within 1%), then three steps
        tail = np.flatnonzero((q > 0) & (q < 1e-3))
        qt = q.take(tail)
        ll = -2 * np.log(qt)
        z[tail] = _halley_ndtr(-np.sqrt(ll - np.log(ll) - math.log(2 * math.pi)), qt, 3)
        z = np.where(q == 0, -np.inf, z)
        z = np.where(flat > 0.5, -z, z)
        z = np.where((flat < 0) | (flat > 1) | np.isnan(flat), np.nan, z)
    return z.reshape(p.shape).astype(dtype, copy=False)


# ---------------------------------------------------------------------------------------------
# the primitives
# ---------------------------------------------------------------------------------------------


class Lgamma(Function):
    """z = lgamma x = log |Gamma(x)|;  dz/dx = digamma(x).

    A primitive: lgamma is a series (see the module's docstring); log(Gamma(x)) composed would
    overflow beyond x = 171 and lose lgamma's roots at 1 and 2."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return lgamma_array(x.data)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * Polygamma.apply(x, n=0)

    @staticmethod
    def backward_array(ctx, g):
        (x,) = ctx.saved_tensors
        return g * polygamma_array(0, x.data)


class Polygamma(Function):
    """z = psi^(n)(x), digamma's n-th derivative (n = 0: digamma);  dz/dx = psi^(n+1)(x).

    A primitive: a Hurwitz zeta sum or an asymptotic series (see the module's docstring)."""

    @staticmethod
    def forward(ctx, x, n=0):
        ctx.save_for_backward(x)
        ctx.n = n
        return polygamma_array(n, x.data)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * Polygamma.apply(x, n=ctx.n + 1)

    @staticmethod
    def backward_array(ctx, g):
        (x,) = ctx.saved_tensors
        return g * polygamma_array(ctx.n + 1, x.data)


def _i1_over_x(x):
    """I1(x) / x (1/2 at x = 0), for Tensors: I1 of a zero-safe x divided by it."""
    from ..functions import where

    zero = x.data == 0
    safe = where(zero, 1.0, x)
    return where(zero, 0.5, I1.apply(safe) / safe)


class I0(Function):
    """z = I0(x) = sum_k (x^2/4)^k / (k!)^2;  dz/dx = I1(x).

    A primitive: a power series or an asymptotic series (see the module's docstring)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return bessel_i_array(0, x.data)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * I1.apply(x)

    @staticmethod
    def backward_array(ctx, g):
        (x,) = ctx.saved_tensors
        return g * bessel_i_array(1, x.data)


class I1(Function):
    """z = I1(x) = sum_k (x/2)^(2k+1) / (k! (k+1)!);  dz/dx = I0(x) - I1(x)/x (1/2 at 0).

    A primitive: a power series or an asymptotic series (see the module's docstring)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return bessel_i_array(1, x.data)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * (I0.apply(x) - _i1_over_x(x))

    @staticmethod
    def backward_array(ctx, g):
        (x,) = ctx.saved_tensors
        x = x.data
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(x == 0, 0.5, bessel_i_array(1, x) / x)
        return g * (bessel_i_array(0, x) - ratio).astype(x.dtype, copy=False)


class I0e(Function):
    """z = i0e x = e^-|x| I0(x);  dz/dx = i1e(x) - sign(x) i0e(x).

    A primitive: I0(x) e^-|x| composed would be inf * 0 beyond x = 713."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        ctx.save_output()
        return bessel_i_array(0, x.data, scaled=True)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * (I1e.apply(x) - x.sign() * ctx.saved_output())

    @staticmethod
    def backward_array(ctx, g):
        (x,) = ctx.saved_tensors
        z = ctx.saved_output_array()
        return g * (bessel_i_array(1, x.data, scaled=True) - np.sign(x.data) * z)


class I1e(Function):
    """z = i1e x = e^-|x| I1(x);  dz/dx = i0e(x) - i1e(x) (sign(x) + 1/x) (1/2 at 0).

    A primitive: I1(x) e^-|x| composed would be inf * 0 beyond x = 713."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return bessel_i_array(1, x.data, scaled=True)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        # i1e(x)/x = e^-|x| I1(x)/x, 1/2 at 0
        over_x = _i1_over_x(x) * (-x.abs()).exp()
        return g * (I0e.apply(x) - x.sign() * I1e.apply(x) - over_x)

    @staticmethod
    def backward_array(ctx, g):
        (x,) = ctx.saved_tensors
        x = x.data
        i1e = bessel_i_array(1, x, scaled=True)
        with np.errstate(divide="ignore", invalid="ignore"):
            over_x = np.where(x == 0, 0.5, i1e / x)
        d = bessel_i_array(0, x, scaled=True) - np.sign(x) * i1e - over_x
        return g * d.astype(x.dtype, copy=False)


class Erfcx(Function):
    """z = erfcx x = e^(x^2) erfc x;  dz/dx = 2 x erfcx(x) - 2/sqrt(pi).

    A primitive: e^(x^2) erfc x composed is inf * 0 beyond x = 26.6 (see the module's
    docstring)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        ctx.save_output()
        return erfcx_array(x.data)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * (2 * x * ctx.saved_output() - 2 / math.sqrt(math.pi))

    @staticmethod
    def backward_array(ctx, g):
        (x,) = ctx.saved_tensors
        z = ctx.saved_output_array()
        return g * (2 * x.data * z - z.dtype.type(2 / math.sqrt(math.pi)))


class Ndtri(Function):
    """z = ndtri p, the z with ndtr z = p;  dz/dp = sqrt(2 pi) e^(z^2 / 2).

    A primitive: an inverse found by Halley's iteration (see the module's docstring)."""

    @staticmethod
    def forward(ctx, p):
        ctx.save_output()
        return ndtri_array(p.data)

    @staticmethod
    def backward(ctx, g):
        z = ctx.saved_output()
        return g * ((z * z * 0.5).exp() * math.sqrt(2 * math.pi))

    @staticmethod
    def backward_array(ctx, g):
        z = ctx.saved_output_array()
        return g * (np.exp(z * z / 2) * z.dtype.type(math.sqrt(2 * math.pi)))
