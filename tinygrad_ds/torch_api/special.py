"""PyTorch's special functions and a few more numerical tools, as Tensor methods: lgamma,
digamma, polygamma, mvlgamma, i0, sinc, logaddexp, fmax, gcd, ldexp, frexp, cov, renorm,
logdet, and the decompositions' methods (cholesky, qr, svd, pinverse, matrix_exp).

lgamma, digamma, polygamma and i0 are primitives (ops/gamma.py: series no composition gives);
the rest is composed from Tensor methods (so gradients and second derivatives come free). The
package functions (`td.lgamma`, `td.cov`, `td.trapezoid`, ...) are at the end of this file;
`td.special` (special.py) gathers PyTorch's `torch.special` names.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from .elementwise import _pair
from .shape import _int

if TYPE_CHECKING:
    from ..tensor import Tensor

__all__ = [
    "TorchSpecial", "Frexp", "lgamma", "digamma", "polygamma", "mvlgamma", "i0", "sinc",
    "logaddexp", "logaddexp2", "fmax", "fmin", "gcd", "lcm", "ldexp", "frexp", "nextafter",
    "trapezoid", "trapz", "cumulative_trapezoid", "cov", "corrcoef", "renorm", "logdet",
    "cholesky", "qr", "svd", "pinverse", "matrix_exp", "cholesky_solve", "cholesky_inverse",
]  # fmt: skip


class Frexp(NamedTuple):
    """What `frexp` returns, as `torch.frexp`: x = mantissa * 2^exponent, 0.5 <= |mantissa| < 1
    (mantissa 0 for x = 0), the exponent int32."""

    mantissa: Tensor
    exponent: Tensor


def _t(x: Any, what: str) -> Tensor:
    """`x` as a Tensor (`functions._t`, imported late: tensor.py imports this module)."""
    from ..functions import _t

    return _t(x, what)


def _no_bool(x: Tensor, what: str) -> None:
    if x.dtype == np.bool_:
        raise TypeError(f"{what}: not defined for bool tensors (convert them first, e.g. x.long())")


def _mask(array: np.ndarray) -> Tensor:
    from ..tensor import constant

    return constant(np.asarray(array))


class TorchSpecial:
    """Mixin of `Tensor`: the gamma family, Bessel I0, sinc, logaddexp, fmax/fmin, gcd/lcm,
    ldexp/frexp/nextafter, cov/corrcoef, renorm, and the matrix decompositions' methods."""

    __slots__ = ()  # Tensor keeps __slots__: no instance __dict__ comes from here

    # -- the gamma function and its derivatives ------------------------------------------

    def lgamma(self) -> Tensor:
        """log |Gamma(x)|;  d/dx = digamma(x). inf at 0, -1, -2, ... (a primitive)."""
        from ..ops.gamma import Lgamma

        return Lgamma.apply(self._float())

    def digamma(self) -> Tensor:
        """psi(x) = d/dx lgamma(x);  d/dx = polygamma(1, x). -inf at 0, NaN at -1, -2, ..."""
        from ..ops.gamma import Polygamma

        return Polygamma.apply(self._float(), n=0)

    def polygamma(self, n: int) -> Tensor:
        """psi^(n)(x), the n-th derivative of digamma (n >= 0; n = 0 is digamma);
        d/dx = psi^(n+1)(x). As PyTorch's Tensor.polygamma(n)."""
        from ..ops.gamma import Polygamma

        n = _int(n, "polygamma", "n")
        if n < 0:
            raise ValueError(f"polygamma: n must be a nonnegative integer, got {n}")
        return Polygamma.apply(self._float(), n=n)

    def mvlgamma(self, p: int) -> Tensor:
        """The multivariate log-gamma function of dimension p: p (p - 1)/4 log pi +
        sum_{i<p} lgamma(x - i/2) (composed)."""
        p = _int(p, "mvlgamma", "p")
        if p < 1:
            raise ValueError(f"mvlgamma: p must be at least 1, got {p}")
        x = self._float()
        out = x.lgamma()
        for i in range(1, p):
            out = out + (x - i / 2).lgamma()
        return out + p * (p - 1) / 4 * math.log(math.pi)

    # -- Bessel and sinc -----------------------------------------------------------------

    def i0(self) -> Tensor:
        """The modified Bessel function of the first kind, order 0: sum_k (x^2/4)^k / (k!)^2;
        d/dx = I1(x) (`td.special.i1`). A primitive (ops/gamma.py)."""
        from ..ops.gamma import I0

        return I0.apply(self._float())

    def sinc(self) -> Tensor:
        """The normalised sinc, sin(pi x) / (pi x), 1 at x = 0 with gradient 0 there (as
        PyTorch); composed with x replaced by 1 at 0, so no 0/0 reaches the gradient."""
        from ..functions import where

        x = self._float()
        zero = x.data == 0
        if not zero.any():
            return (x * math.pi).sin() / (x * math.pi)
        safe = where(zero, 1.0, x) * math.pi
        return where(zero, 1.0, safe.sin() / safe)

    # -- log-sum-exp of two, NaN-ignoring extremes ---------------------------------------

    def logaddexp(self, other: Any) -> Tensor:
        """log(e^x + e^y) = max(x, y) + log1p(e^-|x - y|), without overflow;
        d/dx = sigmoid(x - y). Both inf (or both -inf) give that infinity."""
        return _logaddexp(self, other, "logaddexp", base2=False)

    def logaddexp2(self, other: Any) -> Tensor:
        """log2(2^x + 2^y) = max(x, y) + log1p(2^-|x - y|) / log 2, without overflow."""
        return _logaddexp(self, other, "logaddexp2", base2=True)

    def fmax(self, other: Any) -> Tensor:
        """The elementwise maximum ignoring NaN (NaN only where both are NaN), as np.fmax;
        the gradient goes to self where self >= other or other is NaN, else to other (so at
        ties to self, as PyTorch)."""
        from ..functions import where

        x, y = _pair(self, other, "fmax")
        _no_bool(x, "fmax")
        return where(_mask((x.data >= y.data) | np.isnan(y.data)), x, y)

    def fmin(self, other: Any) -> Tensor:
        """The elementwise minimum ignoring NaN (NaN only where both are NaN), as np.fmin;
        the gradient goes to self where self <= other or other is NaN, else to other."""
        from ..functions import where

        x, y = _pair(self, other, "fmin")
        _no_bool(x, "fmin")
        return where(_mask((x.data <= y.data) | np.isnan(y.data)), x, y)

    # -- integers and floating-point representation --------------------------------------

    def gcd(self, other: Any) -> Tensor:
        """The greatest common divisor of integer tensors (nonnegative; gcd(0, 0) = 0), a
        constant."""
        return _integer_op(self, other, np.gcd, "gcd")

    def lcm(self, other: Any) -> Tensor:
        """The least common multiple of integer tensors (nonnegative; 0 if either is 0)."""
        return _integer_op(self, other, np.lcm, "lcm")

    def ldexp(self, other: Any) -> Tensor:
        """self * 2^other (a floating result), as PyTorch's; d/dself = 2^other,
        d/dother = self 2^other log 2."""
        x, e = _pair(self, other, "ldexp", floating=True)
        return x * e.exp2()

    def frexp(self) -> Frexp:
        """(mantissa, exponent) with self = mantissa * 2^exponent, 0.5 <= |mantissa| < 1, the
        exponent int32 (a constant), as np.frexp; the mantissa is self * 2^-exponent, so its
        gradient is 2^-exponent."""
        from ..tensor import constant

        if self.dtype.kind != "f":
            raise TypeError(f"frexp: expects a floating-point tensor, got {self.dtype}")
        _, e = np.frexp(self.data)
        half = -e // 2  # 2^-e in two factors: 2^-e alone overflows for subnormal x
        one = np.ones((), self.dtype)
        scale1, scale2 = np.ldexp(one, half), np.ldexp(one, -e - half)
        mantissa = self * constant(scale1.astype(self.dtype)) * constant(scale2.astype(self.dtype))
        return Frexp(mantissa, constant(e.astype(np.int32)))

    def nextafter(self, other: Any) -> Tensor:
        """The next floating-point value after self towards other, elementwise (np.nextafter);
        a constant (PyTorch defines no gradient for it)."""
        from ..tensor import constant

        x, y = _pair(self, other, "nextafter")
        if x.dtype.kind != "f":
            raise TypeError(f"nextafter: expects floating-point tensors, got {x.dtype}")
        return constant(np.asarray(np.nextafter(x.data, y.data)))

    # -- statistics of variables ---------------------------------------------------------

    def cov(self, *, correction: int = 1, fweights: Any = None, aweights: Any = None) -> Tensor:
        """The covariance matrix of the variables in the rows of a 2-D tensor (observations in
        the columns; a 1-D tensor is one variable, giving a 0-d result), as np.cov:
        sum_k w_k (x_ik - m_i)(x_jk - m_j) / (sum w - correction * sum(w a) / sum w), w the
        product of the integer frequency weights and the observation weights a."""
        return _cov(self, correction, fweights, aweights, "cov")

    def corrcoef(self) -> Tensor:
        """Pearson's correlation coefficients of the rows: cov_ij / sqrt(cov_ii cov_jj),
        clipped to [-1, 1], as np.corrcoef."""
        c = _cov(self, 1, None, None, "corrcoef")
        if c.ndim == 0:
            return c / c
        d = c.diagonal().sqrt()
        return (c / d.reshape(-1, 1) / d.reshape(1, -1)).clamp(-1, 1)

    def renorm(self, p: float, dim: int, maxnorm: float) -> Tensor:
        """Each slice along `dim` (self.select(dim, i)) whose p-norm exceeds maxnorm scaled to
        have norm maxnorm: x * maxnorm / (norm + 1e-7) there, as PyTorch (composed)."""
        from ..functions import where
        from ..tensor import _axis1

        if self.dtype.kind != "f":
            raise TypeError(f"renorm: expects a floating-point tensor, got {self.dtype}")
        if not isinstance(p, (int, float)) or p <= 0:
            raise ValueError(f"renorm: p must be a positive number, got {p!r}")
        if maxnorm < 0:
            raise ValueError(f"renorm: maxnorm must be nonnegative, got {maxnorm!r}")
        axis = _axis1(dim, self.ndim, "renorm")
        others = tuple(d for d in range(self.ndim) if d != axis)
        norm = self.norm(p, dim=others, keepdim=True) if others else self.abs()
        over = norm.data > maxnorm
        return self * where(over, maxnorm / (norm + 1e-7), 1.0)

    # -- linear algebra ------------------------------------------------------------------

    def logdet(self) -> Tensor:
        """log det A for square matrices (batched): NaN where det A < 0 (with gradient 0, as
        PyTorch), -inf where it is 0; d/dA = A^-T (through `td.linalg.slogdet`)."""
        from ..functions import where
        from ..linalg import slogdet

        sign, logabsdet = slogdet(self)
        negative = sign.data < 0
        return where(negative, math.nan, logabsdet) if negative.any() else logabsdet

    def cholesky(self, upper: bool = False) -> Tensor:
        """The Cholesky factor of a symmetric positive-definite matrix (`td.linalg.cholesky`):
        lower L with A = L L^T, or upper U = L^T with A = U^T U."""
        from ..linalg import cholesky

        return cholesky(self, upper=upper)

    def qr(self, some: bool = True) -> Any:
        """(Q, R) with A = QR (`td.linalg.qr`, mode 'reduced' if some else 'complete')."""
        from ..linalg import qr

        return qr(self, mode="reduced" if some else "complete")

    def svd(self, some: bool = True, compute_uv: bool = True) -> Any:
        """(U, S, V) with A = U diag(S) V^T, PyTorch's old `torch.svd` (V, not V^T; `some`
        the reduced factors). compute_uv=False gives S and zero U (m, m) and V (n, n), as
        PyTorch."""
        from ..linalg import svd, svdvals
        from ..tensor import constant

        if not compute_uv:
            S = svdvals(self)
            m, n = self.shape[-2:]
            zeros = [constant(np.zeros(self.shape[:-2] + (k, k), S.dtype)) for k in (m, n)]
            return _SVD(zeros[0], S, zeros[1])
        U, S, Vh = svd(self, full_matrices=not some)
        return _SVD(U, S, Vh.mT)

    def cholesky_solve(self, input2: Any, upper: bool = False) -> Tensor:
        """X with A X = self, A = L L^T given its Cholesky factor L = input2
        (`td.cholesky_solve`)."""
        return cholesky_solve(self, input2, upper)

    def cholesky_inverse(self, upper: bool = False) -> Tensor:
        """A^-1 for A = L L^T (U^T U with upper) given its Cholesky factor L = self."""
        from ..tensor import constant

        eye = np.broadcast_to(np.eye(self.shape[-1], dtype=self.dtype), self.shape)
        return cholesky_solve(constant(eye.copy()), self, upper)

    def pinverse(self, rcond: float = 1e-15) -> Tensor:
        """The Moore-Penrose pseudo-inverse, singular values below rcond * the largest dropped
        (`td.linalg.pinv` with rtol=rcond)."""
        from ..linalg import pinv

        return pinv(self, rtol=rcond)

    def matrix_exp(self) -> Tensor:
        """The matrix exponential sum_k A^k / k! (`td.linalg.matrix_exp`)."""
        from ..linalg import matrix_exp

        return matrix_exp(self)


class _SVD(NamedTuple):
    """What `Tensor.svd` returns, as `torch.svd`: U, S and V (not V^T)."""

    U: Tensor
    S: Tensor
    V: Tensor


def _logaddexp(x: Tensor, other: Any, what: str, base2: bool) -> Tensor:
    from ..functions import maximum

    x, y = _pair(x, other, what, floating=True)
    top = maximum(x, y)
    both_inf = np.isinf(top.data) & (x.data == y.data)
    with np.errstate(invalid="ignore"):
        diff = x - y
    if both_inf.any():  # inf - inf is NaN: there the result is the infinity itself
        from ..functions import where

        diff = where(_mask(both_inf), 0.0, diff)
        top = where(_mask(both_inf), x.detach(), top)
    if base2:
        return top + (-diff.abs()).exp2().log1p() / math.log(2)
    return top + (-diff.abs()).exp().log1p()


def _integer_op(x: Tensor, other: Any, ufunc: np.ufunc, what: str) -> Tensor:
    from ..tensor import constant

    a, b = _pair(x, other, what)
    if a.dtype.kind not in "iu" or b.dtype.kind not in "iu":
        raise TypeError(f"{what}: expects integer tensors, got {a.dtype} and {b.dtype}")
    return constant(np.asarray(ufunc(a.data, b.data)))


def _cov(x: Tensor, correction: Any, fweights: Any, aweights: Any, what: str) -> Tensor:
    """cov's formula (see `TorchSpecial.cov`), its errors naming `what`."""
    if x.ndim > 2:
        raise ValueError(f"{what}: expects a 1-D or 2-D tensor, got shape {x.shape}")
    obs = x._float().reshape(1, -1) if x.ndim < 2 else x._float()
    n = obs.shape[1]
    w = None
    if fweights is not None:
        f = _t(fweights, what)
        if f.ndim > 1 or f.numel() != n or f.dtype.kind not in "iu":
            raise ValueError(
                f"{what}: fweights must be a 1-D integer tensor of {n} elements (the "
                f"observations), got shape {f.shape} and dtype {f.dtype}"
            )
        if (f.data < 0).any():
            raise ValueError(f"{what}: fweights cannot be negative")
        w = f.reshape(-1).astype(obs.dtype)
    if aweights is not None:
        a = _t(aweights, what)
        if a.ndim > 1 or a.numel() != n or a.dtype.kind != "f":
            raise ValueError(
                f"{what}: aweights must be a 1-D floating tensor of {n} elements (the "
                f"observations), got shape {a.shape} and dtype {a.dtype}"
            )
        if (a.data < 0).any():
            raise ValueError(f"{what}: aweights cannot be negative")
        a = a.reshape(-1).astype(obs.dtype)
        w = a if w is None else w * a
    if w is None:
        total = float(n)
        mean = obs.mean(1, keepdims=True)
        norm = total - correction
    else:
        total = w.sum()
        mean = (obs * w).sum(1, keepdims=True) / total
        norm = total - correction if aweights is None else (
            total - correction * (w * a).sum() / total)  # fmt: skip
    centred = obs - mean
    weighted = centred if w is None else centred * w
    norm = norm.clamp(min=0) if not isinstance(norm, float) else max(norm, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = weighted.matmul(centred.mT) / norm
    return out.reshape(()) if x.ndim < 2 else out


# ---------------------------------------------------------------------------------------------
# package-level functions (td.lgamma, td.trapezoid, td.cov, ...)
# ---------------------------------------------------------------------------------------------


def lgamma(input: Any) -> Tensor:
    """log |Gamma(x)|, as `input.lgamma()`."""
    return _t(input, "lgamma").lgamma()


def digamma(input: Any) -> Tensor:
    """psi(x) = d/dx lgamma(x), as `input.digamma()`."""
    return _t(input, "digamma").digamma()


def polygamma(n: int, input: Any) -> Tensor:
    """psi^(n)(x) (PyTorch's argument order: n first), as `input.polygamma(n)`."""
    return _t(input, "polygamma").polygamma(n)


def mvlgamma(input: Any, p: int) -> Tensor:
    """The multivariate log-gamma function of dimension p, as `input.mvlgamma(p)`."""
    return _t(input, "mvlgamma").mvlgamma(p)


def i0(input: Any) -> Tensor:
    """The modified Bessel function I0, as `input.i0()`."""
    return _t(input, "i0").i0()


def sinc(input: Any) -> Tensor:
    """sin(pi x) / (pi x), 1 at 0, as `input.sinc()`."""
    return _t(input, "sinc").sinc()


def logaddexp(input: Any, other: Any) -> Tensor:
    """log(e^x + e^y), as `input.logaddexp(other)`."""
    return _t(input, "logaddexp").logaddexp(other)


def logaddexp2(input: Any, other: Any) -> Tensor:
    """log2(2^x + 2^y), as `input.logaddexp2(other)`."""
    return _t(input, "logaddexp2").logaddexp2(other)


def fmax(input: Any, other: Any) -> Tensor:
    """The maximum ignoring NaN, as `input.fmax(other)`."""
    return _t(input, "fmax").fmax(other)


def fmin(input: Any, other: Any) -> Tensor:
    """The minimum ignoring NaN, as `input.fmin(other)`."""
    return _t(input, "fmin").fmin(other)


def gcd(input: Any, other: Any) -> Tensor:
    """The greatest common divisor of integer tensors, as `input.gcd(other)`."""
    return _t(input, "gcd").gcd(other)


def lcm(input: Any, other: Any) -> Tensor:
    """The least common multiple of integer tensors, as `input.lcm(other)`."""
    return _t(input, "lcm").lcm(other)


def ldexp(input: Any, other: Any) -> Tensor:
    """input * 2^other, as `input.ldexp(other)`."""
    return _t(input, "ldexp").ldexp(other)


def frexp(input: Any) -> Frexp:
    """(mantissa, exponent) with input = mantissa * 2^exponent, as `input.frexp()`."""
    return _t(input, "frexp").frexp()


def nextafter(input: Any, other: Any) -> Tensor:
    """The next float after input towards other, as `input.nextafter(other)`."""
    return _t(input, "nextafter").nextafter(other)


def _spacing(y: Tensor, x: Any, dx: Any, axis: int, what: str) -> Any:
    """The widths x[i+1] - x[i] along `axis` (broadcasting against y's), or the number dx."""
    if x is None:
        return 1.0 if dx is None else dx
    if dx is not None:
        raise TypeError(f"{what}: give x or dx, not both")
    x = _t(x, what)._float()
    n = y.shape[axis]
    if x.ndim == 1:
        if x.shape[0] != n:
            raise ValueError(
                f"{what}: x of shape {x.shape} does not match y's dim {axis} of size {n}"
            )
        shape = [1] * y.ndim
        shape[axis] = n - 1
        return x.diff().reshape(shape)
    if x.ndim != y.ndim or x.shape[axis] != n:
        raise ValueError(f"{what}: x of shape {x.shape} does not match y of shape {y.shape}")
    return x.diff(dim=axis)


def _trapezoids(y: Any, x: Any, dx: Any, dim: int, what: str) -> tuple[Tensor, Any, int]:
    from ..tensor import _axis1

    y = _t(y, what)._float()
    if y.ndim == 0:
        raise ValueError(f"{what}: expects a tensor of at least 1 dim, got a 0-d tensor")
    axis = _axis1(dim, y.ndim, what)
    n = y.shape[axis]
    width = _spacing(y, x, dx, axis, what)
    if n == 0:
        return y.sum(axis, keepdims=True), 0.0, axis
    heights = (y.narrow(axis, 1, n - 1) + y.narrow(axis, 0, n - 1)) / 2
    return heights, width, axis


def trapezoid(y: Any, x: Any = None, *, dx: Any = None, dim: int = -1) -> Tensor:
    """The trapezoidal rule along `dim`: sum_i (x[i+1] - x[i]) (y[i+1] + y[i]) / 2, with
    sample points x (1-D, or y's shape) or a constant spacing dx (default 1), as np.trapezoid."""
    heights, width, axis = _trapezoids(y, x, dx, dim, "trapezoid")
    return (heights * width).sum(axis)


def trapz(y: Any, x: Any = None, *, dx: Any = None, dim: int = -1) -> Tensor:
    """`trapezoid`'s older name (PyTorch's torch.trapz)."""
    heights, width, axis = _trapezoids(y, x, dx, dim, "trapz")
    return (heights * width).sum(axis)


def cumulative_trapezoid(y: Any, x: Any = None, *, dx: Any = None, dim: int = -1) -> Tensor:
    """The running trapezoidal rule along `dim` (one fewer element than y there), as
    scipy.integrate.cumulative_trapezoid without an initial value."""
    heights, width, axis = _trapezoids(y, x, dx, dim, "cumulative_trapezoid")
    return (heights * width).cumsum(axis)


def cov(input: Any, *, correction: int = 1, fweights: Any = None, aweights: Any = None) -> Tensor:
    """The covariance matrix of the rows, as `input.cov(...)`."""
    return _t(input, "cov").cov(correction=correction, fweights=fweights, aweights=aweights)


def corrcoef(input: Any) -> Tensor:
    """Pearson's correlation coefficients of the rows, as `input.corrcoef()`."""
    return _t(input, "corrcoef").corrcoef()


def renorm(input: Any, p: float, dim: int, maxnorm: float) -> Tensor:
    """Slices along `dim` with p-norm above maxnorm scaled down to it, as `input.renorm`."""
    return _t(input, "renorm").renorm(p, dim, maxnorm)


def logdet(input: Any) -> Tensor:
    """log det A (NaN for det A < 0), as `input.logdet()`."""
    return _t(input, "logdet").logdet()


def cholesky(input: Any, upper: bool = False) -> Tensor:
    """The Cholesky factor, as `input.cholesky(upper)` (`td.linalg.cholesky`)."""
    return _t(input, "cholesky").cholesky(upper)


def qr(input: Any, some: bool = True) -> Any:
    """(Q, R) with A = QR, as `input.qr(some)`."""
    return _t(input, "qr").qr(some)


def svd(input: Any, some: bool = True, compute_uv: bool = True) -> Any:
    """(U, S, V) with A = U diag(S) V^T (V, not V^T), as `input.svd(some, compute_uv)`."""
    return _t(input, "svd").svd(some, compute_uv)


def pinverse(input: Any, rcond: float = 1e-15) -> Tensor:
    """The pseudo-inverse, as `input.pinverse(rcond)`."""
    return _t(input, "pinverse").pinverse(rcond)


def matrix_exp(input: Any) -> Tensor:
    """The matrix exponential, as `input.matrix_exp()`."""
    return _t(input, "matrix_exp").matrix_exp()


def cholesky_solve(B: Any, L: Any, upper: bool = False) -> Tensor:
    """X with A X = B given A's Cholesky factor L (`td.linalg`'s two triangular solves), as
    torch.cholesky_solve(B, L, upper). Only L's triangle is read, so only it gets a gradient
    (PyTorch's also has entries on the other side)."""
    from ..linalg import _cholesky_solve

    return _cholesky_solve(B, L, upper)


def cholesky_inverse(L: Any, upper: bool = False) -> Tensor:
    """A^-1 from A's Cholesky factor, as `L.cholesky_inverse(upper)`."""
    return _t(L, "cholesky_inverse").cholesky_inverse(upper)
