"""The error function and its relatives: erf, erfc and erfinv, vectorised in NumPy.

NumPy has no erf, and `math.erf` called element by element is far too slow for training, so
these are primitives computed here to float64 accuracy (a few ulps against `math.erf`):

    erf x = 2/sqrt(pi) int_0^x e^(-t^2) dt,    erfc x = 1 - erf x,    erfinv(erf x) = x.

|x| < 0.84 for erf, |x| < 1/2 for erfc: the Taylor series
    erf x = 2/sqrt(pi) sum_n (-1)^n x^(2n+1) / (n! (2n+1)), whose 18 terms (to n = 17) leave
    out less than 1e-19 of it at 0.84; erfc x = 1 - erf x below 1/2 (erfc is 1/2 to 3/2
    there, so nothing cancels).

Larger |x|: erfc |x| = e^(-x^2) h(s) / (1 + 2|x|), where h(s) = sum_k c_k T_k(s) is a
    Chebyshev series in s = (|x| - 4) / (|x| + 3), which maps [1/2, inf) onto [-1, 1)
    (Schonfelder's device, Math. Comp. 32, 1978: the map t = (x - K)/(x + K) with K = 3,
    rescaled to start at 1/2). (1 + 2x) e^(x^2) erfc x is smooth and bounded (1.23 at x = 1/2,
    2/sqrt(pi) as x -> inf), so its coefficients fall geometrically: the 26 below, computed by
    `chebyshev_coefficients` (in 40-digit arithmetic with mpmath, at Chebyshev nodes; the tests
    compute them again), leave out about 1e-19. e^(-x^2) is taken as e^(-h^2) e^(-(x-h)(x+h))
    with h = x cut to 26 bits, so that h^2 is exact: e^(-x^2) from a rounded x^2 would be off by
    x^2 / 2 ulps (340 at x = 26). So erfc keeps its relative accuracy far into the tail
    (erfc 10 = 2.09e-45, where 1 - erf 10 is 0), and erf x = 1 - erfc x there (erf > 0.76:
    the Taylor series goes that far for erf so that this loses little), with
    erf(-x) = -erf x and erfc(-x) = 2 - erfc x for negative x.

erfinv: a first guess (Winitzki's closed form, within 0.2%), then three Halley steps on
    erf z = y (on erfc z = 1 - y for |y| > 1/2, whose 1 - |y| is exact).

float32 (and float16) inputs are computed in float64 and rounded back: they keep their dtype.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.polynomial import chebyshev

from ..function import Function
from ..tensor import Tensor

__all__ = [
    "Erf", "Erfc", "Erfinv", "erf", "erfc", "erfinv", "erf_array", "erfc_array",
    "erfinv_array", "chebyshev_coefficients",
]  # fmt: skip

_TWO_OVER_SQRT_PI = 2 / math.sqrt(math.pi)  # d erf/dx at 0
_HALF_SQRT_PI = math.sqrt(math.pi) / 2  # d erfinv/dy at 0

# erf x / x = sum_n a_n (x^2)^n with a_n = 2/sqrt(pi) (-1)^n / (n! (2n+1)); highest first (Horner)
_TAYLOR = tuple(
    _TWO_OVER_SQRT_PI * (-1) ** n / (math.factorial(n) * (2 * n + 1)) for n in range(17, -1, -1)
)

# (1 + 2x) e^(x^2) erfc x = sum_k c_k T_k(s), s = (x - 4) / (x + 3), for x >= 1/2
_CHEBYSHEV = np.array([
    1.2131177209271748, -0.07225473646563542, -0.02632189276459184,
    0.019186588533428105, -0.006682350310928109, 0.0015522847050575515,
    -0.00023571658348154882, 1.5690562205135226e-05, 2.153875719667181e-06,
    -6.012574627859283e-07, 1.3854950323746626e-08, 1.3575814484993745e-08,
    -1.3070972098097831e-09, -3.06373327557849e-10, 5.062873791614194e-11,
    8.050230187118965e-12, -1.74987484220058e-12, -2.6365750400882025e-13,
    5.909950702659242e-14, 1.0548914766564293e-14, -1.9235530211488676e-15,
    -4.764157943707682e-16, 5.502036001020429e-17, 2.2407847347890268e-17,
    -9.34576582602128e-19, -1.0296097026701757e-18,
])  # fmt: skip

_SMALL = 0.5  # below it the Taylor series for erfc, above it the Chebyshev series
_SMALL_ERF = 0.84375  # the same for erf (27/32)
_TAIL = 30.0  # erfc x is 0 in float64 beyond 27.3: larger x (and inf) are computed as this one


def chebyshev_coefficients(n: int = 26, digits: int = 40) -> list[float]:
    """The coefficients c_k (k < n) of (1 + 2x) e^(x^2) erfc x = sum_k c_k T_k(s),
    s = (x - 4) / (x + 3), by Chebyshev interpolation at n + 20 nodes in `digits`-digit
    arithmetic (needs mpmath, which PyTorch installs): how `_CHEBYSHEV` was made."""
    import mpmath as mp

    with mp.workdps(digits):
        m = n + 20
        angles = [mp.pi * (j + mp.mpf(1) / 2) / m for j in range(m)]
        values = []
        for angle in angles:
            s = mp.cos(angle)
            x = (4 + 3 * s) / (1 - s)  # s = (x - 4) / (x + 3) solved for x
            values.append((1 + 2 * x) * mp.exp(x * x) * mp.erfc(x))
        c = [2 * mp.fsum(v * mp.cos(k * a) for v, a in zip(values, angles)) / m for k in range(n)]
        c[0] /= 2
        return [float(ck) for ck in c]


# ---------------------------------------------------------------------------------------------
# the functions on arrays
# ---------------------------------------------------------------------------------------------


def _erf_small(x: np.ndarray) -> np.ndarray:
    """erf x for |x| < 0.84: x times the Taylor polynomial in x^2."""
    z = x * x
    p = np.full_like(x, _TAYLOR[0])
    for a in _TAYLOR[1:]:
        p *= z
        p += a
    return x * p


def _erfc_large(a: np.ndarray) -> np.ndarray:
    """erfc a for a >= 1/2 (float64): e^(-a^2) h(s) / (1 + 2a), e^(-a^2) in two exact parts.
    The factor that may be subnormal (e^(-h^2), for a > 26.6) is multiplied in last."""
    a = np.minimum(a, _TAIL)
    # h = a with the low 27 of its 52 mantissa bits cleared: 26 significant bits, h^2 exact
    h = (a.view(np.uint64) & np.uint64(~(2**27 - 1) & (2**64 - 1))).view(np.float64)
    s = (a - 4) / (a + 3)
    scaled = chebyshev.chebval(s, _CHEBYSHEV) / (1 + 2 * a)
    return scaled * np.exp(-(a - h) * (a + h)) * np.exp(-h * h)


def _float64(x: np.ndarray) -> tuple[np.ndarray, np.dtype]:
    """x as a flat float64 array (a copy: the results are written into it) and the dtype."""
    dtype = x.dtype if x.dtype.kind == "f" else np.dtype(np.float64)
    return np.array(x, dtype=np.float64).reshape(-1), dtype


def _split(values: np.ndarray, bound: float) -> tuple[np.ndarray, np.ndarray]:
    """The positions of |values| < bound and of the rest (NaN among the rest), as index
    arrays: NumPy's boolean indexing branches on each element, which costs about 6 ns per
    element on a random mask, four times what an index array's take and put cost."""
    small = np.abs(values) < bound
    return np.flatnonzero(small), np.flatnonzero(~small)


def erf_array(x: np.ndarray) -> np.ndarray:
    """erf x, elementwise, in x's floating dtype (see the module's docstring)."""
    x = np.asarray(x)
    out, dtype = _float64(x)
    small, large = _split(out, _SMALL_ERF)  # (NaN is large: it stays NaN)
    out[small] = _erf_small(out.take(small))
    xl = out.take(large)
    out[large] = np.copysign(1 - _erfc_large(np.abs(xl)), xl)
    return out.reshape(x.shape).astype(dtype, copy=False)


def erfc_array(x: np.ndarray) -> np.ndarray:
    """erfc x = 1 - erf x, elementwise, accurate in the tail (see the module's docstring)."""
    x = np.asarray(x)
    out, dtype = _float64(x)
    small, large = _split(out, _SMALL)
    out[small] = 1 - _erf_small(out.take(small))
    xl = out.take(large)
    e = _erfc_large(np.abs(xl))
    out[large] = np.where(xl < 0, 2 - e, e)
    return out.reshape(x.shape).astype(dtype, copy=False)


def erfinv_array(y: np.ndarray) -> np.ndarray:
    """erfinv y for y in [-1, 1] (+-inf at +-1, NaN outside), elementwise, in y's dtype."""
    y = np.asarray(y)
    flat, dtype = _float64(y)
    a = np.abs(flat)
    w = 1 - a  # exact for a >= 1/2 (Sterbenz), where the tail equation uses it
    tail = a > _SMALL
    with np.errstate(divide="ignore", invalid="ignore"):
        # Winitzki's guess: z^2 = sqrt(t^2 - L/k) - t, t = 2/(pi k) + L/2, L = log(1 - y^2),
        # k = 0.147, written as (-L/k) / (sqrt(t^2 - L/k) + t), which does not cancel at y = 0
        log_1my2 = np.where(tail, np.log(w * (1 + a)), np.log1p(-a * a))
        k = 0.147
        t = 2 / (math.pi * k) + log_1my2 / 2
        z = np.sqrt((-log_1my2 / k) / (np.sqrt(t * t - log_1my2 / k) + t))
        for _ in range(3):  # Halley on f(z) = erf z - a (= w - erfc z): f''/f' = -2z
            f = np.where(tail, w - erfc_array(z), erf_array(z) - a)
            d = f / (_TWO_OVER_SQRT_PI * np.exp(-z * z))
            z = z - d / (1 + z * d)
    z = np.where(a == 1, np.inf, np.where(a > 1, np.nan, z))
    return np.copysign(z, flat).reshape(y.shape).astype(dtype, copy=False)


# ---------------------------------------------------------------------------------------------
# the primitives
# ---------------------------------------------------------------------------------------------


class Erf(Function):
    """z = erf x = 2/sqrt(pi) int_0^x e^(-t^2) dt;  dz/dx = 2/sqrt(pi) e^(-x^2).

    A primitive: erf is no composition of the other operations (see the module's docstring).
    """

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return erf_array(x.data)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * ((-(x * x)).exp() * _TWO_OVER_SQRT_PI)

    @staticmethod
    def backward_array(ctx, g):
        (x,) = ctx.saved_tensors
        x = x.data
        return g * (np.exp(-(x * x)) * x.dtype.type(_TWO_OVER_SQRT_PI))


class Erfc(Function):
    """z = erfc x = 1 - erf x;  dz/dx = -2/sqrt(pi) e^(-x^2).

    A primitive of its own: 1 - erf x is 0 in floating point for x > 6 (float64), where
    erfc x itself is still far above the smallest number (erfc 10 = 2.1e-45).
    """

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return erfc_array(x.data)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * ((-(x * x)).exp() * -_TWO_OVER_SQRT_PI)

    @staticmethod
    def backward_array(ctx, g):
        (x,) = ctx.saved_tensors
        x = x.data
        return g * (np.exp(-(x * x)) * x.dtype.type(-_TWO_OVER_SQRT_PI))


class Erfinv(Function):
    """z = erfinv y, the z with erf z = y;  dz/dy = sqrt(pi)/2 e^(z^2).

    A primitive: an inverse found by Halley's iteration (see the module's docstring).
    """

    @staticmethod
    def forward(ctx, y):
        ctx.save_output()
        return erfinv_array(y.data)

    @staticmethod
    def backward(ctx, g):
        z = ctx.saved_output()
        return g * ((z * z).exp() * _HALF_SQRT_PI)

    @staticmethod
    def backward_array(ctx, g):
        z = ctx.saved_output_array()
        return g * (np.exp(z * z) * z.dtype.type(_HALF_SQRT_PI))


# ---------------------------------------------------------------------------------------------
# package-level functions (td.erf, td.erfc, td.erfinv)
# ---------------------------------------------------------------------------------------------


def _tensor(x: Any, what: str) -> Tensor:
    """`x` as a Tensor; anything no tensor can hold is a TypeError naming `what`."""
    if isinstance(x, Tensor):
        return x
    try:
        return Tensor(x)
    except (TypeError, ValueError) as e:
        raise TypeError(f"{what}: expected a tensor, an array or a number, got {x!r}") from e


def erf(x: Any) -> Tensor:
    """The error function, 2/sqrt(pi) int_0^x e^(-t^2) dt, elementwise (see `Tensor.erf`)."""
    return _tensor(x, "erf").erf()


def erfc(x: Any) -> Tensor:
    """The complementary error function, 1 - erf x, accurate in the tail (see `Tensor.erfc`)."""
    return _tensor(x, "erfc").erfc()


def erfinv(x: Any) -> Tensor:
    """The inverse error function on [-1, 1], elementwise (see `Tensor.erfinv`)."""
    return _tensor(x, "erfinv").erfinv()
