"""`td.special`, PyTorch's `torch.special`: the gamma family (with the incomplete gamma functions
and Hurwitz's zeta), Bessel I0/I1, the normal distribution's ndtr, ndtri and log_ndtr, erfcx,
entr, xlog1py, and aliases of functions found elsewhere (expit is sigmoid, gammaln lgamma,
psi digamma, ...).

i1, i0e, i1e, erfcx and ndtri are primitives (ops/gamma.py), as zeta, gammainc and gammaincc
(ops/zeta.py); ndtr, log_ndtr, entr and xlog1py are composed here.

>>> import tinygrad_ds as td
>>> td.special.ndtr(td.tensor([0.0]))
Tensor([0.5], dtype=float32)
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .functions import _t, where
from .ops.gamma import I1, Erfcx, I0e, I1e, Ndtri
from .ops.special import erf, erfc, erfinv
from .ops.zeta import Gammainc, Zeta
from .tensor import Tensor, constant
from .torch_api.elementwise import _pair
from .torch_api.elementwise_functions import exp2, logit, round, xlogy  # noqa: A004
from .torch_api.reduction_functions import logsumexp
from .torch_api.special import digamma, i0, lgamma, polygamma, sinc

__all__ = [
    "lgamma", "gammaln", "digamma", "psi", "polygamma", "multigammaln", "i0", "i0e", "i1",
    "i1e", "sinc", "erf", "erfc", "erfcx", "erfinv", "ndtr", "ndtri", "log_ndtr", "entr",
    "xlogy", "xlog1py", "expit", "logit", "exp2", "expm1", "log1p", "logsumexp", "softmax",
    "log_softmax", "round", "zeta", "gammainc", "gammaincc",
]  # fmt: skip

_SQRT_HALF = math.sqrt(0.5)


def gammaln(input: Any) -> Tensor:
    """log |Gamma(x)|, PyTorch's (and SciPy's) name for `lgamma`."""
    return _t(input, "gammaln").lgamma()


def psi(input: Any) -> Tensor:
    """The digamma function, under its other name."""
    return _t(input, "psi").digamma()


def multigammaln(input: Any, p: int) -> Tensor:
    """The multivariate log-gamma function of dimension p (`Tensor.mvlgamma`)."""
    return _t(input, "multigammaln").mvlgamma(p)


def i0e(input: Any) -> Tensor:
    """e^-|x| I0(x), which does not overflow;  d/dx = i1e(x) - sign(x) i0e(x)."""
    return I0e.apply(_t(input, "i0e")._float())


def i1(input: Any) -> Tensor:
    """The modified Bessel function of the first kind, order 1: sum_k (x/2)^(2k+1) /
    (k! (k+1)!);  d/dx = I0(x) - I1(x)/x."""
    return I1.apply(_t(input, "i1")._float())


def i1e(input: Any) -> Tensor:
    """e^-|x| I1(x), which does not overflow."""
    return I1e.apply(_t(input, "i1e")._float())


def erfcx(input: Any) -> Tensor:
    """The scaled complementary error function e^(x^2) erfc x, finite far into x > 26 where
    erfc underflows;  d/dx = 2 x erfcx(x) - 2/sqrt(pi)."""
    return Erfcx.apply(_t(input, "erfcx")._float())


def ndtr(input: Any) -> Tensor:
    """The standard normal CDF, (1 + erf(x / sqrt 2)) / 2, computed as erfc(-x / sqrt 2) / 2
    so that it keeps its relative accuracy in the lower tail;  d/dx = e^(-x^2/2) / sqrt(2 pi)."""
    return (_t(input, "ndtr")._float() * -_SQRT_HALF).erfc() * 0.5


def ndtri(input: Any) -> Tensor:
    """The standard normal quantile, the inverse of `ndtr` on [0, 1] (-inf at 0, inf at 1);
    d/dp = sqrt(2 pi) e^(z^2/2). A primitive, accurate for tiny p too."""
    return Ndtri.apply(_t(input, "ndtri")._float())


def log_ndtr(input: Any) -> Tensor:
    """log ndtr(x), accurate in both tails: log(erfcx(-x/sqrt 2) / 2) - x^2/2 for x < -1
    (where ndtr underflows), log1p(-erfc(x/sqrt 2) / 2) above."""
    x = _t(input, "log_ndtr")._float()
    low = x.data < -1
    xl = x.clamp(max=-1.0)  # each branch sees only its own side: no inf reaches a gradient
    xh = x.clamp(min=-1.0)
    with np.errstate(divide="ignore"):  # (log 0 = -inf at x = -inf)
        lower = (Erfcx.apply(xl * -_SQRT_HALF) * 0.5).log() - xl * xl * 0.5
    upper = ((xh * _SQRT_HALF).erfc() * -0.5).log1p()
    return where(low, lower, upper)


def entr(input: Any) -> Tensor:
    """The entropy term -x log x for x > 0, 0 at x = 0 and -inf for x < 0, as PyTorch;
    d/dx = -(log x + 1) for x > 0 (0 elsewhere: PyTorch's is inf at 0 and NaN below)."""
    x = _t(input, "entr")._float()
    positive = x.data > 0
    safe = where(positive, x, 1.0)
    rest = np.where(x.data == 0, 0.0, np.where(np.isnan(x.data), np.nan, -np.inf))
    return where(positive, -(safe * safe.log()), constant(rest.astype(x.dtype)))


def xlog1py(input: Any, other: Any) -> Tensor:
    """x log1p(y), and 0 where x = 0 (unless y is NaN), as PyTorch;  d/dx = log1p y (at x = 0
    too, as PyTorch's), d/dy = x / (1 + y). Where x = 0 and log1p y is infinite (y = -1) or
    NaN (y < -1) the value is set to 0 by a `where` (no gradient to x there)."""
    x, y = _pair(_t(input, "xlog1py"), other, "xlog1py", floating=True)
    with np.errstate(invalid="ignore", divide="ignore"):  # (fixed below)
        out = x * y.log1p()
        log1p_y = np.log1p(y.data)
    zero = (x.data == 0) & ~np.isnan(y.data) & ~np.isfinite(log1p_y)
    return where(zero, 0.0, out) if zero.any() else out


def expit(input: Any) -> Tensor:
    """The logistic sigmoid 1 / (1 + e^-x), SciPy's name (`Tensor.sigmoid`)."""
    return _t(input, "expit")._float().sigmoid()


def expm1(input: Any) -> Tensor:
    """e^x - 1, accurate near 0."""
    return _t(input, "expm1")._float().expm1()


def log1p(input: Any) -> Tensor:
    """log(1 + x), accurate near 0."""
    return _t(input, "log1p")._float().log1p()


def softmax(input: Any, dim: int, *, dtype: Any = None) -> Tensor:
    """e^x / sum e^x along `dim`; `dtype` converts the input first, as torch.special.softmax."""
    x = _t(input, "softmax")
    return (x if dtype is None else x.astype(dtype)).softmax(dim)


def log_softmax(input: Any, dim: int, *, dtype: Any = None) -> Tensor:
    """x - logsumexp(x) along `dim`; `dtype` converts the input first."""
    x = _t(input, "log_softmax")
    return (x if dtype is None else x.astype(dtype)).log_softmax(dim)


def zeta(input: Any, other: Any) -> Tensor:
    """The Hurwitz zeta function zeta(x, q) = sum_{k>=0} (q + k)^-x (x = input, q = other,
    broadcast; zeta(x, 1) is Riemann's);  d/dq = -x zeta(x + 1, q), no gradient in x (as
    PyTorch's: asking for one is an error)."""
    x, q = _pair(_t(input, "zeta"), other, "zeta", floating=True)
    return Zeta.apply(x, q)


def gammainc(input: Any, other: Any) -> Tensor:
    """The regularized lower incomplete gamma function P(a, x) = 1/Gamma(a) int_0^x t^(a-1)
    e^-t dt (a = input, x = other, broadcast);  d/dx = x^(a-1) e^-x / Gamma(a), no gradient
    in a (as PyTorch's)."""
    a, x = _pair(_t(input, "gammainc"), other, "gammainc", floating=True)
    return Gammainc.apply(a, x, upper=False)


def gammaincc(input: Any, other: Any) -> Tensor:
    """The regularized upper incomplete gamma function Q(a, x) = 1 - P(a, x), accurate where
    P is near 1;  d/dx = -x^(a-1) e^-x / Gamma(a), no gradient in a."""
    a, x = _pair(_t(input, "gammaincc"), other, "gammaincc", floating=True)
    return Gammainc.apply(a, x, upper=True)
