"""PyTorch's Tensor methods for more elementwise math, predicates and logical operations.

Composed from the Tensor's own methods where that is exact (tan = sin / cos, rsqrt = x^-1/2,
logit, xlogy, lerp, copysign, frac, ...); the rest call the primitives of `ops/trig.py`,
whose docstrings say why each one is one. Predicates, logical and bitwise operations give
constants (bool, or the integers' dtype), as the comparisons do. Binary methods take a Tensor,
an array or a number and broadcast, as `+` does: a number keeps a float32 tensor float32.
The package functions (`td.atan2(y, x)`, `td.isclose(a, b)`, ...) are in
elementwise_functions.py.
"""

from __future__ import annotations

import math
from numbers import Real
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from ..tensor import Tensor

__all__ = ["TorchElementwise"]


def _pair(x: Tensor, other: Any, what: str, floating: bool = False) -> tuple[Tensor, Tensor]:
    """(x, other) for a binary operation: other as `_operand` makes it, both promoted as
    PyTorch promotes (`Tensor._operands`), checked to broadcast, floats with `floating`."""
    a, b = x._operands(other, what)
    try:
        np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise ValueError(
            f"{what}: shapes {a.shape} and {b.shape} do not broadcast together"
        ) from None
    return (a._float(), b._float()) if floating else (a, b)


def _divisible(x: Tensor, y: Tensor, what: str) -> None:
    """Refuse bool operands (as PyTorch) and an integer division by zero (NumPy would give 0
    with a warning; PyTorch and Python raise)."""
    if np.bool_ in (x.dtype, y.dtype):
        raise TypeError(f"{what}: not defined for bool tensors (convert them first, e.g. x.long())")
    if y.dtype.kind in "iu" and x.dtype.kind in "iu" and (y.data == 0).any():
        raise ZeroDivisionError(f"{what}: integer division by zero")


def _integral(x: Tensor, what: str) -> np.ndarray:
    """x's data for a bitwise operation: bool or integer, else a TypeError (as PyTorch)."""
    if x.dtype.kind not in "biu":
        raise TypeError(f"{what}: needs bool or integer tensors, got {x.dtype}")
    return x.data


def _shift(x: Tensor, other: Any, what: str, left: bool, reflected: bool = False) -> Tensor:
    """x << n or x >> n (n << x, n >> x when `reflected`) on integers, with PyTorch's results
    for counts outside [0, width): 0 for <<, and for >> the sign of x spread (0 or -1)."""
    from ..tensor import constant

    a, n = _pair(x, other, what)
    a, n = (n, a) if reflected else (a, n)
    for t in (a, n):
        if t.dtype.kind not in "iu":
            raise TypeError(f"{what}: needs integer tensors, got {t.dtype}")
    a, n = a.data, n.data
    inside = (n >= 0) & (n < 8 * a.dtype.itemsize)
    shifted = (np.left_shift if left else np.right_shift)(a, np.where(inside, n, 0))
    spilled = 0 if left else np.where(a < 0, -1, 0)
    return constant(np.asarray(np.where(inside, shifted, spilled), dtype=shifted.dtype))


def _number(value: Any, name: str, what: str) -> float:
    """`value` as a float, or a TypeError naming the argument and the operation."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, Real):
        raise TypeError(f"{what}: {name} must be a number, got {value!r}")
    return float(value)


class TorchElementwise:
    """Mixin of `Tensor`: more elementwise math, predicates and logical operations, composed."""

    __slots__ = ()  # Tensor keeps __slots__: no instance __dict__ comes from here

    # -- trigonometric functions ---------------------------------------------------------

    def tan(self) -> Tensor:
        """tan x = sin x / cos x (composed: each faithfully rounded, so the quotient is good to
        a few ulp);  d/dx = 1 / cos^2 x = 1 + tan^2 x."""
        x = self._float()
        return x.sin() / x.cos()

    def asin(self) -> Tensor:
        """The inverse sine, in [-pi/2, pi/2];  d/dx = 1 / sqrt(1 - x^2): inf at |x| = 1,
        NaN (value and gradient) outside [-1, 1], as PyTorch's."""
        from ..ops import trig as T

        return T.Asin.apply(self._float())

    def acos(self) -> Tensor:
        """The inverse cosine, in [0, pi];  d/dx = -1 / sqrt(1 - x^2): -inf at |x| = 1, NaN
        outside [-1, 1], as PyTorch's."""
        from ..ops import trig as T

        return T.Acos.apply(self._float())

    def atan(self) -> Tensor:
        """The inverse tangent, in (-pi/2, pi/2);  d/dx = 1 / (1 + x^2)."""
        from ..ops import trig as T

        return T.Atan.apply(self._float())

    def atan2(self, other: Any) -> Tensor:
        """atan2(self, other): the angle of the point (x, y) = (other, self), in (-pi, pi],
        as `torch.atan2(input, other)`;  d/dself = x / (x^2 + y^2), d/dother = -y / (x^2 + y^2)
        (0 at the origin, as PyTorch)."""
        from ..ops import trig as T

        return T.Atan2.apply(*_pair(self, other, "atan2", floating=True))

    arcsin, arccos, arctan, arctan2 = asin, acos, atan, atan2

    # -- hyperbolic functions ------------------------------------------------------------

    def sinh(self) -> Tensor:
        """(e^x - e^-x) / 2, exact to rounding for tiny and huge x;  d/dx = cosh x."""
        from ..ops import trig as T

        return T.Sinh.apply(self._float())

    def cosh(self) -> Tensor:
        """(e^x + e^-x) / 2;  d/dx = sinh x."""
        from ..ops import trig as T

        return T.Cosh.apply(self._float())

    def asinh(self) -> Tensor:
        """The inverse of sinh, log(x + sqrt(x^2 + 1));  d/dx = 1 / sqrt(x^2 + 1)."""
        from ..ops import trig as T

        return T.Asinh.apply(self._float())

    def acosh(self) -> Tensor:
        """The inverse of cosh on [1, inf), log(x + sqrt(x^2 - 1));  d/dx = 1 / sqrt(x^2 - 1):
        inf at x = 1, NaN for x < 1."""
        from ..ops import trig as T

        return T.Acosh.apply(self._float())

    def atanh(self) -> Tensor:
        """The inverse of tanh, log((1 + x) / (1 - x)) / 2: +-inf at x = +-1, NaN beyond;
        d/dx = 1 / (1 - x^2): inf at |x| = 1."""
        from ..ops import trig as T

        return T.Atanh.apply(self._float())

    arcsinh, arccosh, arctanh = asinh, acosh, atanh

    # -- roots, logarithms and powers ----------------------------------------------------

    def rsqrt(self) -> Tensor:
        """1 / sqrt(x) (composed: x ** -0.5);  d/dx = -x^(-3/2) / 2: -inf at 0, as PyTorch."""
        return self._float() ** -0.5

    def log2(self) -> Tensor:
        """The base-2 logarithm, exact at powers of 2 (np.log2);  d/dx = 1 / (x ln 2)."""
        from ..ops import trig as T

        return T.LogBase.apply(self._float(), base=2)

    def log10(self) -> Tensor:
        """The base-10 logarithm, exact at powers of 10 (np.log10: log10(1000) = 3, where
        log(1000) / log(10) is 2.9999999999999996);  d/dx = 1 / (x ln 10)."""
        from ..ops import trig as T

        return T.LogBase.apply(self._float(), base=10)

    def exp2(self) -> Tensor:
        """2^x (composed: 2 ** x, exact at integers);  d/dx = 2^x ln 2."""
        return 2.0 ** self._float()

    def float_power(self, exponent: Any) -> Tensor:
        """self ** exponent in float64 (both converted first), as PyTorch's float_power;
        the gradients are cast back to each input's dtype."""
        from ..tensor import Tensor

        x = self.astype(np.float64)  # (a number or a list is read in float64 itself, not float32)
        e = exponent if isinstance(exponent, Tensor) else np.asarray(exponent)
        return x ** x._operand(e, "float_power").astype(np.float64)

    def logit(self, eps: float | None = None) -> Tensor:
        """log(x / (1 - x)), the inverse of the sigmoid, computed as log x - log1p(-x) (so
        that logit(0) = -inf and logit(1) = inf with infinite gradients, as PyTorch);
        d/dx = 1 / (x (1 - x)).

        With `eps`, x is first clamped to [eps, 1 - eps] (no gradient outside it, as PyTorch);
        eps=None, or a negative eps, leaves x as it is: NaN outside [0, 1], the gradient too.
        (There NaN is added to x first: log's derivative 1 / x alone would stay finite.)"""
        from ..tensor import constant

        x = self._float()
        if eps is not None and _number(eps, "eps", "logit") >= 0:
            x = x.clamp(max=1 - eps).clamp(min=eps)  # (lower bound last, as PyTorch)
        outside = (x.data < 0) | (x.data > 1)
        if outside.any():
            x = x + constant(np.where(outside, np.nan, 0).astype(x.dtype))
        return x.log() - (-x).log1p()

    def xlogy(self, other: Any) -> Tensor:
        """x log y, and 0 where x = 0 (unless y is NaN), as PyTorch;  d/dx = log y, d/dy = x / y.

        Where x = 0 and y <= 0 or y = inf the factor log y (-inf, NaN or inf there) is
        replaced by 0 (a `where`): the value is 0 and so is the gradient to x (PyTorch's is inf
        at y = inf); at x = 0 with finite y > 0 the gradient to x is log y, as PyTorch's."""
        from ..functions import where

        x, y = _pair(self, other, "xlogy", floating=True)
        with np.errstate(divide="ignore", invalid="ignore"):  # log 0 and log(-y): replaced or
            log_y = y.log()  # the result's own -inf and NaN, as PyTorch's (which does not warn)
        zero = (x.data == 0) & ((y.data <= 0) | np.isposinf(y.data))
        return x * (where(zero, 0.0, log_y) if zero.any() else log_y)

    def lerp(self, end: Any, weight: Any) -> Tensor:
        """self + weight (end - self), by PyTorch's formula: where |weight| >= 1/2 it is
        end - (end - self)(1 - weight) instead, so that weight 1 gives end exactly;
        d/dself = 1 - weight, d/dend = weight, d/dweight = end - self. `weight` is a number
        or a tensor (broadcast)."""
        from ..functions import where
        from ..tensor import Tensor, promoted

        x, end = _pair(self, end, "lerp", floating=True)
        if not isinstance(weight, Tensor) and isinstance(weight, (Real, np.number)):
            w = _number(weight, "weight", "lerp")
            return x + (end - x) * w if abs(w) < 0.5 else end - (end - x) * (1 - w)
        x, end, w = promoted([x, end, x._operand(weight, "lerp")._float()])
        try:
            np.broadcast_shapes(x.shape, end.shape, w.shape)
        except ValueError:
            raise ValueError(
                f"lerp: shapes {x.shape}, {end.shape} and {w.shape} (self, end and weight) "
                "do not broadcast together"
            ) from None
        small = np.abs(w.data) < 0.5
        return where(small, x + (end - x) * w, end - (end - x) * (1 - w))

    # -- arithmetic ----------------------------------------------------------------------

    def hypot(self, other: Any) -> Tensor:
        """sqrt(self^2 + other^2), without overflow or underflow;  d/dself = self / hypot,
        d/dother = other / hypot (NaN at 0, 0, as PyTorch)."""
        from ..ops import trig as T

        return T.Hypot.apply(*_pair(self, other, "hypot", floating=True))

    def copysign(self, other: Any) -> Tensor:
        """|self| with the sign of other (its sign bit: -0.0 counts as negative);
        d/dself = +-1 (0 where self = 0, as PyTorch), d/dother = 0. Composed as |x| times
        copysign(1, other), a step function of other (so other's gradient is zeros, as
        PyTorch's)."""
        from ..ops.elementwise import Rounding

        x, y = _pair(self, other, "copysign", floating=True)
        return x.abs() * Rounding.apply(y, mode="sign_bit")

    def deg2rad(self) -> Tensor:
        """Degrees to radians: x pi / 180."""
        return self._float() * (math.pi / 180)

    def rad2deg(self) -> Tensor:
        """Radians to degrees: x 180 / pi."""
        return self._float() * (180 / math.pi)

    def frac(self) -> Tensor:
        """The fractional part x - trunc(x), with x's sign;  d/dx = 1. Floating tensors only,
        as in PyTorch."""
        if self.dtype.kind != "f":
            raise TypeError(f"frac: expected a floating-point tensor, got {self.dtype}")
        return self - self.trunc()

    def sgn(self) -> Tensor:
        """The sign, as `sign` (PyTorch's sgn is sign for real tensors): -1, 0 or 1 (0 at
        NaN), with a zero gradient."""
        return self.sign()

    # -- division ------------------------------------------------------------------------

    def true_divide(self, other: Any) -> Tensor:
        """self / other, true division (integers give floats), as the operator `/`."""
        return self / other

    def floor_divide(self, other: Any) -> Tensor:
        """floor(self / other), as Python's // (PyTorch 2.x floors too, no longer truncates).
        Integers give integers (division by zero is an error); not differentiable, as in
        PyTorch: backward through it raises."""
        return _floor_divide(*_pair(self, other, "floor_divide"), "floor_divide")

    def __floordiv__(self, other: Any) -> Tensor:
        return _floor_divide(*_pair(self, other, "// (floor_divide)"), "// (floor_divide)")

    def __rfloordiv__(self, other: Any) -> Tensor:
        x, y = _pair(self, other, "// (floor_divide)")
        return _floor_divide(y, x, "// (floor_divide)")

    def fmod(self, other: Any) -> Tensor:
        """self - trunc(self / other) other, C's fmod: the sign of self (fmod(-5, 3) = -2);
        d/dself = 1, d/dother = -trunc(self / other). NaN where other = 0 for floats."""
        return _remainder(*_pair(self, other, "fmod"), "fmod", "fmod")

    def remainder(self, other: Any) -> Tensor:
        """self - floor(self / other) other, Python's %: the sign of other (-5 % 3 = 1);
        d/dself = 1, d/dother = -floor(self / other). NaN where other = 0 for floats."""
        return _remainder(*_pair(self, other, "remainder"), "remainder", "remainder")

    def __mod__(self, other: Any) -> Tensor:
        return _remainder(*_pair(self, other, "% (remainder)"), "remainder", "% (remainder)")

    def __rmod__(self, other: Any) -> Tensor:
        x, y = _pair(self, other, "% (remainder)")
        return _remainder(y, x, "remainder", "% (remainder)")

    # -- clamping and replacing ----------------------------------------------------------

    def clamp_min(self, min: Any) -> Tensor:  # noqa: A002
        """max(self, min) (a number or a tensor), as clamp(min=min), with its gradient."""
        if min is None:
            raise TypeError("clamp_min: min must be a number or a tensor, got None")
        return self.clamp(min=min)

    def clamp_max(self, max: Any) -> Tensor:  # noqa: A002
        """min(self, max) (a number or a tensor), as clamp(max=max), with its gradient."""
        if max is None:
            raise TypeError("clamp_max: max must be a number or a tensor, got None")
        return self.clamp(max=max)

    def nan_to_num(
        self, nan: float = 0.0, posinf: float | None = None, neginf: float | None = None
    ) -> Tensor:
        """NaN, inf and -inf replaced by `nan`, `posinf` and `neginf` (by default 0 and the
        dtype's largest and smallest finite values);  d/dx = 1 where x is finite, 0 where it
        was replaced, as PyTorch. Integer and bool tensors are copied unchanged."""
        from ..ops import elementwise as E
        from ..tensor import constant

        for name, value in (("nan", nan), ("posinf", posinf), ("neginf", neginf)):
            if value is not None:
                _number(value, name, "nan_to_num")
        if self.dtype.kind != "f":
            return constant(self.data.copy())
        filled = np.nan_to_num(self.data, nan=nan, posinf=posinf, neginf=neginf)
        return E.Where.apply(constant(np.isfinite(self.data)), self, constant(filled))

    def heaviside(self, values: Any) -> Tensor:
        """The step function: 0 where self < 0, `values` where self = 0, 1 where self > 0.
        Not differentiable, as in PyTorch: backward through it raises."""
        from ..ops import trig as T

        return T.Heaviside.apply(*_pair(self, values, "heaviside"))

    # -- predicates (bool constants) -----------------------------------------------------

    def isnan(self) -> Tensor:
        """True where x is NaN."""
        return self._predicate(np.isnan)

    def isinf(self) -> Tensor:
        """True where x is inf or -inf."""
        return self._predicate(np.isinf)

    def isposinf(self) -> Tensor:
        """True where x is inf."""
        return self._predicate(np.isposinf)

    def isneginf(self) -> Tensor:
        """True where x is -inf."""
        return self._predicate(np.isneginf)

    def isfinite(self) -> Tensor:
        """True where x is neither NaN nor infinite."""
        return self._predicate(np.isfinite)

    def isreal(self) -> Tensor:
        """True everywhere: a tensor here holds real numbers only (PyTorch's is False where a
        complex value has an imaginary part)."""
        return self._predicate(lambda a: np.ones(a.shape, bool))

    def signbit(self) -> Tensor:
        """True where the sign bit is set: where x < 0, and at -0.0 (and a NaN with it)."""
        return self._predicate(np.signbit)

    def _predicate(self, fn: Any) -> Tensor:
        """fn(x) as a bool constant (integers and bools are never NaN nor infinite)."""
        from ..tensor import constant

        return constant(np.asarray(fn(self.data), dtype=bool))

    # -- logical and bitwise operations (constants) --------------------------------------

    def logical_and(self, other: Any) -> Tensor:
        """self and other, elementwise, nonzero meaning True (bool)."""
        return self._logic(np.logical_and, other, "logical_and")

    def logical_or(self, other: Any) -> Tensor:
        """self or other, elementwise, nonzero meaning True (bool)."""
        return self._logic(np.logical_or, other, "logical_or")

    def logical_xor(self, other: Any) -> Tensor:
        """self xor other, elementwise, nonzero meaning True (bool)."""
        return self._logic(np.logical_xor, other, "logical_xor")

    def logical_not(self) -> Tensor:
        """True where self is zero (bool)."""
        from ..tensor import constant

        return constant(np.logical_not(self.data))

    def bitwise_and(self, other: Any) -> Tensor:
        """self & other, bit by bit, for bool and integer tensors (floats are an error)."""
        return self._bitwise(np.bitwise_and, other, "bitwise_and")

    def bitwise_or(self, other: Any) -> Tensor:
        """self | other, bit by bit, for bool and integer tensors (floats are an error)."""
        return self._bitwise(np.bitwise_or, other, "bitwise_or")

    def bitwise_xor(self, other: Any) -> Tensor:
        """self ^ other, bit by bit, for bool and integer tensors (floats are an error)."""
        return self._bitwise(np.bitwise_xor, other, "bitwise_xor")

    def bitwise_not(self) -> Tensor:
        """~self: logical not for bool tensors, -x - 1 for integers (floats are an error)."""
        from ..tensor import constant

        return constant(np.invert(_integral(self, "bitwise_not")))

    def __and__(self, other: Any) -> Tensor:
        return self._bitwise(np.bitwise_and, other, "& (bitwise_and)")

    def __or__(self, other: Any) -> Tensor:
        return self._bitwise(np.bitwise_or, other, "| (bitwise_or)")

    def __xor__(self, other: Any) -> Tensor:
        return self._bitwise(np.bitwise_xor, other, "^ (bitwise_xor)")

    __rand__, __ror__, __rxor__ = __and__, __or__, __xor__  # (each is symmetric)

    def bitwise_left_shift(self, other: Any) -> Tensor:
        """self << other = self * 2^other, for integer tensors; a shift by a negative count or
        by the width or more gives 0, as PyTorch (NumPy leaves those undefined)."""
        return _shift(self, other, "bitwise_left_shift", left=True)

    def bitwise_right_shift(self, other: Any) -> Tensor:
        """self >> other = floor(self / 2^other), for integer tensors; a shift by a negative
        count or by the width or more gives 0 (or -1 for a negative self), as PyTorch."""
        return _shift(self, other, "bitwise_right_shift", left=False)

    def __lshift__(self, other: Any) -> Tensor:
        return _shift(self, other, "<< (bitwise_left_shift)", left=True)

    def __rshift__(self, other: Any) -> Tensor:
        return _shift(self, other, ">> (bitwise_right_shift)", left=False)

    def __rlshift__(self, other: Any) -> Tensor:
        return _shift(self, other, "<< (bitwise_left_shift)", left=True, reflected=True)

    def __rrshift__(self, other: Any) -> Tensor:
        return _shift(self, other, ">> (bitwise_right_shift)", left=False, reflected=True)

    def _logic(self, ufunc: np.ufunc, other: Any, what: str) -> Tensor:
        from ..tensor import constant

        x, y = _pair(self, other, what)
        return constant(ufunc(x.data, y.data))

    def _bitwise(self, ufunc: np.ufunc, other: Any, what: str) -> Tensor:
        from ..tensor import constant

        x, y = _pair(self, other, what)
        return constant(ufunc(_integral(x, what), _integral(y, what)))

    # -- closeness and equality ----------------------------------------------------------

    def isclose(
        self, other: Any, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
    ) -> Tensor:
        """|self - other| <= atol + rtol |other| elementwise (bool, broadcast), as PyTorch and
        NumPy: equal infinities are close, NaN only to NaN with equal_nan=True."""
        from ..tensor import constant

        for name, tol in (("rtol", rtol), ("atol", atol)):
            if _number(tol, name, "isclose") < 0:
                raise ValueError(f"isclose: {name} must be >= 0, got {tol}")
        x, y = _pair(self, other, "isclose")
        return constant(np.isclose(x.data, y.data, rtol=rtol, atol=atol, equal_nan=equal_nan))

    def allclose(
        self, other: Any, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
    ) -> bool:
        """Whether `isclose` holds everywhere (a Python bool)."""
        return bool(self.isclose(other, rtol, atol, equal_nan).data.all())

    def equal(self, other: Any) -> bool:
        """Whether other has self's shape and equal values (a Python bool; NaN is never equal,
        dtypes may differ), as `torch.equal`."""
        other = self._operand(other, "equal")
        return self.shape == other.shape and bool(np.array_equal(self.data, other.data))

    # -- the error function --------------------------------------------------------------

    def erf(self) -> Tensor:
        """erf x = 2/sqrt(pi) int_0^x e^(-t^2) dt, to a few ulps (ops/special.py);
        d/dx = 2/sqrt(pi) e^(-x^2). Integers become the default float dtype."""
        from ..ops.special import Erf

        return Erf.apply(self._float())

    def erfc(self) -> Tensor:
        """erfc x = 1 - erf x, accurate in the tail too (erfc 10 = 2.1e-45, not 0);
        d/dx = -2/sqrt(pi) e^(-x^2)."""
        from ..ops.special import Erfc

        return Erfc.apply(self._float())

    def erfinv(self) -> Tensor:
        """The inverse of erf on [-1, 1] (+-inf at +-1, NaN outside);
        d/dy = sqrt(pi)/2 e^(erfinv(y)^2)."""
        from ..ops.special import Erfinv

        return Erfinv.apply(self._float())


def _floor_divide(x: Tensor, y: Tensor, what: str) -> Tensor:
    from ..ops import trig as T

    _divisible(x, y, what)
    return T.FloorDivide.apply(x, y)


def _remainder(x: Tensor, y: Tensor, mode: str, what: str) -> Tensor:
    from ..ops import trig as T

    _divisible(x, y, what)
    return T.Remainder.apply(x, y, mode=mode)
