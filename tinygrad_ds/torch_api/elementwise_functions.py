"""Package functions for the methods of elementwise.py, as PyTorch's `torch.<name>`:
`td.atan2(y, x)`, `td.isclose(a, b)`, `td.logical_and(m, n)`, ... Each converts its first
argument (a Tensor, an array or a number) and calls the method of the same name; arguments
carry PyTorch's names (input, other, ...). (tensor.py never imports this module, so it imports
from there at the top, unlike elementwise.py.) Also the functions that PyTorch has for the Tensor's
older methods: `td.sign`, `td.floor`, `td.clamp`, `td.pow`, `td.add`, ...
"""

from __future__ import annotations

from typing import Any

from ..functions import _t
from ..tensor import Tensor

__all__ = [
    # trigonometric and hyperbolic
    "tan", "asin", "acos", "atan", "atan2", "arcsin", "arccos", "arctan", "arctan2", "sinh",
    "cosh", "asinh", "acosh", "atanh", "arcsinh", "arccosh", "arctanh",
    # logarithms, powers and arithmetic
    "rsqrt", "log2", "log10", "exp2", "logit", "xlogy", "lerp", "hypot", "copysign", "deg2rad",
    "rad2deg", "frac", "sgn", "float_power",
    # division, clamping and replacing
    "true_divide", "floor_divide", "fmod", "remainder", "clamp_min", "clamp_max", "nan_to_num",
    "heaviside",
    # predicates, logic and closeness
    "isnan", "isinf", "isposinf", "isneginf", "isfinite", "isreal", "signbit", "logical_and",
    "logical_or", "logical_xor", "logical_not", "bitwise_and", "bitwise_or", "bitwise_xor",
    "bitwise_not", "bitwise_left_shift", "bitwise_right_shift", "isclose", "allclose", "equal",
    # the Tensor's older methods, as torch.<name> functions
    "sign", "reciprocal", "square", "floor", "ceil", "round", "trunc", "clamp", "pow", "add",
    "sub", "mul", "div", "neg",
]  # fmt: skip


def tan(input: Any) -> Tensor:
    """tan x, as `x.tan()`."""
    return _t(input, "tan").tan()


def asin(input: Any) -> Tensor:
    """The inverse sine, as `x.asin()`."""
    return _t(input, "asin").asin()


def acos(input: Any) -> Tensor:
    """The inverse cosine, as `x.acos()`."""
    return _t(input, "acos").acos()


def atan(input: Any) -> Tensor:
    """The inverse tangent, as `x.atan()`."""
    return _t(input, "atan").atan()


def atan2(input: Any, other: Any) -> Tensor:
    """The angle of the point (other, input), as `input.atan2(other)`."""
    return _t(input, "atan2").atan2(other)


arcsin, arccos, arctan, arctan2 = asin, acos, atan, atan2


def sinh(input: Any) -> Tensor:
    """sinh x, as `x.sinh()`."""
    return _t(input, "sinh").sinh()


def cosh(input: Any) -> Tensor:
    """cosh x, as `x.cosh()`."""
    return _t(input, "cosh").cosh()


def asinh(input: Any) -> Tensor:
    """The inverse of sinh, as `x.asinh()`."""
    return _t(input, "asinh").asinh()


def acosh(input: Any) -> Tensor:
    """The inverse of cosh, as `x.acosh()`."""
    return _t(input, "acosh").acosh()


def atanh(input: Any) -> Tensor:
    """The inverse of tanh, as `x.atanh()`."""
    return _t(input, "atanh").atanh()


arcsinh, arccosh, arctanh = asinh, acosh, atanh


def rsqrt(input: Any) -> Tensor:
    """1 / sqrt(x), as `x.rsqrt()`."""
    return _t(input, "rsqrt").rsqrt()


def log2(input: Any) -> Tensor:
    """The base-2 logarithm, as `x.log2()`."""
    return _t(input, "log2").log2()


def log10(input: Any) -> Tensor:
    """The base-10 logarithm, as `x.log10()`."""
    return _t(input, "log10").log10()


def exp2(input: Any) -> Tensor:
    """2^x, as `x.exp2()`."""
    return _t(input, "exp2").exp2()


def float_power(input: Any, exponent: Any) -> Tensor:
    """input ** exponent in float64, as `input.float_power(exponent)`."""
    return _t(input, "float_power").float_power(exponent)


def logit(input: Any, eps: float | None = None) -> Tensor:
    """log(x / (1 - x)), as `x.logit(eps)`."""
    return _t(input, "logit").logit(eps)


def xlogy(input: Any, other: Any) -> Tensor:
    """input log(other), 0 where input = 0, as `input.xlogy(other)`."""
    return _t(input, "xlogy").xlogy(other)


def lerp(input: Any, end: Any, weight: Any) -> Tensor:
    """input + weight (end - input), as `input.lerp(end, weight)`."""
    return _t(input, "lerp").lerp(end, weight)


def hypot(input: Any, other: Any) -> Tensor:
    """sqrt(input^2 + other^2), as `input.hypot(other)`."""
    return _t(input, "hypot").hypot(other)


def copysign(input: Any, other: Any) -> Tensor:
    """|input| with other's sign, as `input.copysign(other)`."""
    return _t(input, "copysign").copysign(other)


def deg2rad(input: Any) -> Tensor:
    """Degrees to radians, as `x.deg2rad()`."""
    return _t(input, "deg2rad").deg2rad()


def rad2deg(input: Any) -> Tensor:
    """Radians to degrees, as `x.rad2deg()`."""
    return _t(input, "rad2deg").rad2deg()


def frac(input: Any) -> Tensor:
    """x - trunc(x), as `x.frac()`."""
    return _t(input, "frac").frac()


def sgn(input: Any) -> Tensor:
    """The sign, as `x.sgn()`."""
    return _t(input, "sgn").sgn()


def true_divide(input: Any, other: Any) -> Tensor:
    """input / other, as `input.true_divide(other)`."""
    return _t(input, "true_divide").true_divide(other)


def floor_divide(input: Any, other: Any) -> Tensor:
    """floor(input / other), as `input // other`."""
    return _t(input, "floor_divide").floor_divide(other)


def fmod(input: Any, other: Any) -> Tensor:
    """C's remainder (the sign of input), as `input.fmod(other)`."""
    return _t(input, "fmod").fmod(other)


def remainder(input: Any, other: Any) -> Tensor:
    """Python's remainder (the sign of other), as `input % other`."""
    return _t(input, "remainder").remainder(other)


def clamp_min(input: Any, min: Any) -> Tensor:  # noqa: A002
    """max(input, min), as `input.clamp_min(min)`."""
    return _t(input, "clamp_min").clamp_min(min)


def clamp_max(input: Any, max: Any) -> Tensor:  # noqa: A002
    """min(input, max), as `input.clamp_max(max)`."""
    return _t(input, "clamp_max").clamp_max(max)


def nan_to_num(
    input: Any,
    nan: float = 0.0,
    posinf: float | None = None,
    neginf: float | None = None,
) -> Tensor:
    """NaN and infinities replaced, as `x.nan_to_num(nan, posinf, neginf)`."""
    return _t(input, "nan_to_num").nan_to_num(nan, posinf, neginf)


def heaviside(input: Any, values: Any) -> Tensor:
    """The step function, as `input.heaviside(values)`."""
    return _t(input, "heaviside").heaviside(values)


def isnan(input: Any) -> Tensor:
    """True where NaN, as `x.isnan()`."""
    return _t(input, "isnan").isnan()


def isinf(input: Any) -> Tensor:
    """True where infinite, as `x.isinf()`."""
    return _t(input, "isinf").isinf()


def isposinf(input: Any) -> Tensor:
    """True where inf, as `x.isposinf()`."""
    return _t(input, "isposinf").isposinf()


def isneginf(input: Any) -> Tensor:
    """True where -inf, as `x.isneginf()`."""
    return _t(input, "isneginf").isneginf()


def isfinite(input: Any) -> Tensor:
    """True where finite, as `x.isfinite()`."""
    return _t(input, "isfinite").isfinite()


def isreal(input: Any) -> Tensor:
    """True everywhere (real tensors), as `x.isreal()`."""
    return _t(input, "isreal").isreal()


def signbit(input: Any) -> Tensor:
    """True where the sign bit is set, as `x.signbit()`."""
    return _t(input, "signbit").signbit()


def logical_and(input: Any, other: Any) -> Tensor:
    """input and other (bool), as `input.logical_and(other)`."""
    return _t(input, "logical_and").logical_and(other)


def logical_or(input: Any, other: Any) -> Tensor:
    """input or other (bool), as `input.logical_or(other)`."""
    return _t(input, "logical_or").logical_or(other)


def logical_xor(input: Any, other: Any) -> Tensor:
    """input xor other (bool), as `input.logical_xor(other)`."""
    return _t(input, "logical_xor").logical_xor(other)


def logical_not(input: Any) -> Tensor:
    """not input (bool), as `x.logical_not()`."""
    return _t(input, "logical_not").logical_not()


def bitwise_left_shift(input: Any, other: Any) -> Tensor:
    """input << other, as `input.bitwise_left_shift(other)`."""
    return _t(input, "bitwise_left_shift").bitwise_left_shift(other)


def bitwise_right_shift(input: Any, other: Any) -> Tensor:
    """input >> other, as `input.bitwise_right_shift(other)`."""
    return _t(input, "bitwise_right_shift").bitwise_right_shift(other)


def bitwise_and(input: Any, other: Any) -> Tensor:
    """input & other, as `input.bitwise_and(other)`."""
    return _t(input, "bitwise_and").bitwise_and(other)


def bitwise_or(input: Any, other: Any) -> Tensor:
    """input | other, as `input.bitwise_or(other)`."""
    return _t(input, "bitwise_or").bitwise_or(other)


def bitwise_xor(input: Any, other: Any) -> Tensor:
    """input ^ other, as `input.bitwise_xor(other)`."""
    return _t(input, "bitwise_xor").bitwise_xor(other)


def bitwise_not(input: Any) -> Tensor:
    """~input, as `x.bitwise_not()`."""
    return _t(input, "bitwise_not").bitwise_not()


def isclose(
    input: Any,
    other: Any,
    rtol: float = 1e-05,
    atol: float = 1e-08,
    equal_nan: bool = False,
) -> Tensor:
    """|input - other| <= atol + rtol |other| (bool), as `input.isclose(other, ...)`."""
    return _t(input, "isclose").isclose(other, rtol, atol, equal_nan)


def allclose(
    input: Any,
    other: Any,
    rtol: float = 1e-05,
    atol: float = 1e-08,
    equal_nan: bool = False,
) -> bool:
    """Whether isclose holds everywhere (a Python bool), as `input.allclose(other, ...)`."""
    return _t(input, "allclose").allclose(other, rtol, atol, equal_nan)


def equal(input: Any, other: Any) -> bool:
    """Whether both have one shape and equal values (a Python bool), as `input.equal(other)`."""
    return _t(input, "equal").equal(other)


def sign(input: Any) -> Tensor:
    """The sign, -1, 0 or 1 (0 at NaN), as `x.sign()`."""
    return _t(input, "sign").sign()


def reciprocal(input: Any) -> Tensor:
    """1 / x, as `x.reciprocal()`."""
    return _t(input, "reciprocal").reciprocal()


def square(input: Any) -> Tensor:
    """x * x, as `x.square()`."""
    return _t(input, "square").square()


def floor(input: Any) -> Tensor:
    """The largest integer <= x, as `x.floor()`."""
    return _t(input, "floor").floor()


def ceil(input: Any) -> Tensor:
    """The smallest integer >= x, as `x.ceil()`."""
    return _t(input, "ceil").ceil()


def round(input: Any, *, decimals: int = 0) -> Tensor:  # noqa: A001, A002
    """The nearest integer (or multiple of 10^-decimals), halves to even, as `x.round()`."""
    return _t(input, "round").round(decimals=decimals)


def trunc(input: Any) -> Tensor:
    """x rounded towards zero, as `x.trunc()`."""
    return _t(input, "trunc").trunc()


def clamp(input: Any, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
    """input clamped to [min, max], as `input.clamp(min, max)`."""
    return _t(input, "clamp").clamp(min, max)


def pow(input: Any, exponent: Any) -> Tensor:  # noqa: A001, A002
    """input ** exponent (either may be a number), as `input.pow(exponent)`."""
    return _t(input, "pow").pow(exponent)


def add(input: Any, other: Any, *, alpha: float = 1) -> Tensor:
    """input + alpha other, as `input.add(other, alpha=alpha)`."""
    return _t(input, "add").add(other, alpha=alpha)


def sub(input: Any, other: Any, *, alpha: float = 1) -> Tensor:
    """input - alpha other, as `input.sub(other, alpha=alpha)`."""
    return _t(input, "sub").sub(other, alpha=alpha)


def mul(input: Any, other: Any) -> Tensor:
    """input * other, as `input.mul(other)`."""
    return _t(input, "mul").mul(other)


def div(input: Any, other: Any) -> Tensor:
    """input / other (true division), as `input.div(other)`."""
    return _t(input, "div").div(other)


def neg(input: Any) -> Tensor:
    """-x, as `x.neg()`."""
    return _t(input, "neg").neg()
