"""Primitives behind the methods of `torch_api/elementwise.py`: inverse and hyperbolic
trigonometry, hypot, base-2 and base-10 logarithms, remainders, and the two operations that
PyTorch does not differentiate (floor_divide, heaviside).

Each is a primitive because no composition of the Tensor's methods computes it exactly:
asin, acos, atan and their kin have no finite composition of the existing ones, log(x) / log(b)
misses exact powers (log(1000) / log(10) = 2.9999999999999996), and x - trunc(x / y) y is off
by the rounding of x / y (np.fmod and np.remainder are exact). FloorDivide and Heaviside are
nodes only so that backward through them raises, as PyTorch's does. The derivatives near the domain
edges follow PyTorch's: inf where the derivative blows up (asin at |x| = 1), NaN outside the
domain, never an error. NumPy warns where its result is NaN or infinite, as for `log`.
"""

from __future__ import annotations

import numpy as np

from ..function import Function
from ..tensor import Tensor, _scalar
from ..tensor import constant as _const

__all__ = [
    "Asin", "Acos", "Atan", "Atan2", "Sinh", "Cosh", "Asinh", "Acosh", "Atanh", "Hypot",
    "LogBase", "Remainder", "FloorDivide", "Heaviside",
]  # fmt: skip


# ---------------------------------------------------------------------------------------------
# inverse trigonometric functions
# ---------------------------------------------------------------------------------------------


class Asin(Function):
    """z = asin x;  dz/dx = 1 / sqrt(1 - x^2).

    1 - x^2 is computed as (1 - x)(1 + x), which is exact to rounding near |x| = 1 (where
    1 - x^2 would lose the digits of x^2): the derivative is inf at |x| = 1, as PyTorch's.
    """

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.arcsin(x.data)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g / ((1 - x) * (1 + x)).sqrt()

    @staticmethod
    def backward_array(ctx, g):
        x = ctx.saved_tensors[0].data
        return g / np.sqrt((1 - x) * (1 + x))


class Acos(Function):
    """z = acos x;  dz/dx = -1 / sqrt(1 - x^2).

    A primitive, not pi/2 - asin x: near x = 1 that difference of nearly equal numbers
    keeps only the leading digits of a small result. 1 - x^2 is (1 - x)(1 + x), as in `Asin`.
    """

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.arccos(x.data)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return -g / ((1 - x) * (1 + x)).sqrt()

    @staticmethod
    def backward_array(ctx, g):
        x = ctx.saved_tensors[0].data
        return -g / np.sqrt((1 - x) * (1 + x))


class Atan(Function):
    """z = atan x;  dz/dx = 1 / (1 + x^2)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.arctan(x.data)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g / (1 + x * x)

    @staticmethod
    def backward_array(ctx, g):
        x = ctx.saved_tensors[0].data
        return g / (1 + x * x)


class Atan2(Function):
    """z = atan2(y, x), the angle of the point (x, y), from -pi to pi;  dz/dy = x / r^2,
    dz/dx = -y / r^2 with r = hypot(x, y).

    Each is computed as (x / r) / r, so that x^2 + y^2 neither overflows (x = 1e200) nor
    underflows (x = 1e-200). At the origin the gradient is 0, as PyTorch's: r is taken as 1
    there (a `Where`, so that under create_graph its own derivatives are finite too).
    """

    @staticmethod
    def forward(ctx, y, x):
        ctx.save_for_backward(y, x)
        return np.arctan2(y.data, x.data)

    @staticmethod
    def backward(ctx, g):
        y, x = ctx.saved_tensors
        gy, gx = ctx.needs_input_grad
        r = Hypot.apply(y, x)
        origin = r.data == 0
        if origin.any():
            from .elementwise import Where

            r = Where.apply(_const(origin), _scalar(1, r.dtype), r)
        return (g * (x / r) / r if gy else None), (-g * (y / r) / r if gx else None)

    @staticmethod
    def backward_array(ctx, g):
        y, x = (t.data for t in ctx.saved_tensors)
        gy, gx = ctx.needs_input_grad
        r = np.hypot(y, x)
        r = np.where(r == 0, 1, r).astype(r.dtype, copy=False)
        return (g * (x / r / r) if gy else None), (-g * (y / r / r) if gx else None)


# ---------------------------------------------------------------------------------------------
# hyperbolic functions and their inverses
# ---------------------------------------------------------------------------------------------


class Sinh(Function):
    """z = sinh x;  dz/dx = cosh x.

    A primitive, not (e^x - e^-x) / 2: for tiny x that difference cancels (sinh 1e-10 would
    keep 6 digits); with expm1 it would be accurate, but e^x overflows at x = 709.8 (float64)
    while sinh x = e^x / 2 is finite up to 710.5. np.sinh is exact to rounding everywhere.
    """

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.sinh(x.data)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * Cosh.apply(x)

    @staticmethod
    def backward_array(ctx, g):
        return g * np.cosh(ctx.saved_tensors[0].data)


class Cosh(Function):
    """z = cosh x;  dz/dx = sinh x.

    A primitive, as `Sinh` (whose derivative it is): (e^x + e^-x) / 2 overflows early too.
    """

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.cosh(x.data)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * Sinh.apply(x)

    @staticmethod
    def backward_array(ctx, g):
        return g * np.sinh(ctx.saved_tensors[0].data)


class Asinh(Function):
    """z = asinh x;  dz/dx = 1 / sqrt(x^2 + 1) = 1 / hypot(x, 1).

    A primitive, not log(x + sqrt(x^2 + 1)): that cancels for negative x (asinh(-1e10) would be
    log of about 0) and loses tiny x. The derivative takes hypot, for which x^2 + 1 never
    overflows (for |x| > 1e154 it is 1 / |x|, not 0).
    """

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.arcsinh(x.data)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g / Hypot.apply(x, _scalar(1, x.dtype))

    @staticmethod
    def backward_array(ctx, g):
        return g / np.hypot(ctx.saved_tensors[0].data, 1)


class Acosh(Function):
    """z = acosh x;  dz/dx = 1 / (sqrt(x - 1) sqrt(x + 1)).

    The same as 1 / sqrt(x^2 - 1) on the domain x >= 1, but exact to rounding near 1 and
    without overflow for huge x; inf at x = 1 (as PyTorch), NaN for x < 1 (where the value is
    NaN; PyTorch's 1 / sqrt(x^2 - 1) is finite below -1).
    """

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.arccosh(x.data)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g / ((x - 1).sqrt() * (x + 1).sqrt())

    @staticmethod
    def backward_array(ctx, g):
        x = ctx.saved_tensors[0].data
        return g / (np.sqrt(x - 1) * np.sqrt(x + 1))


class Atanh(Function):
    """z = atanh x;  dz/dx = 1 / (1 - x^2), computed as 1 / ((1 - x)(1 + x)).

    (Exact to rounding near |x| = 1, where the derivative is inf, as PyTorch's.)
    """

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.arctanh(x.data)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g / ((1 - x) * (1 + x))

    @staticmethod
    def backward_array(ctx, g):
        x = ctx.saved_tensors[0].data
        return g / ((1 - x) * (1 + x))


# ---------------------------------------------------------------------------------------------
# hypot and logarithms to bases 2 and 10
# ---------------------------------------------------------------------------------------------


class Hypot(Function):
    """z = hypot(x, y) = sqrt(x^2 + y^2), without overflow or underflow;  dz/dx = x / z,
    dz/dy = y / z.

    A primitive, as sqrt(x * x + y * y) overflows for |x| > 1e154 (float64). At x = y = 0 the
    gradient is 0 / 0 = NaN, as PyTorch's.
    """

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        ctx.save_output()
        return np.hypot(x.data, y.data)

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        z = ctx.saved_output()
        gx, gy = ctx.needs_input_grad
        return (g * x / z if gx else None), (g * y / z if gy else None)

    @staticmethod
    def backward_array(ctx, g):
        x, y = (t.data for t in ctx.saved_tensors)
        z = ctx.saved_output_array()
        gx, gy = ctx.needs_input_grad
        return (g * (x / z) if gx else None), (g * (y / z) if gy else None)


_LOGS = {2: np.log2, 10: np.log10}


class LogBase(Function):
    """z = log_b x for `base` b = 2 or 10;  dz/dx = 1 / (x ln b).

    A primitive, as np.log2 and np.log10 are exact at powers of b and log x / log b is not
    (log 1000 / log 10 = 2.9999999999999996). Narrower floats are computed in float64 and
    rounded once: NumPy's own float32 log10 is an ulp off at powers of 10 (3.0000002 for 1000).
    """

    @staticmethod
    def forward(ctx, x, base=2):
        ctx.save_for_backward(x)
        ctx.base = base
        data = x.data
        if data.dtype == np.float64:
            return _LOGS[base](data)
        return _LOGS[base](data.astype(np.float64)).astype(data.dtype)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g / (x * float(np.log(ctx.base)))

    @staticmethod
    def backward_array(ctx, g):
        x = ctx.saved_tensors[0].data
        return g / (x * x.dtype.type(np.log(ctx.base)))


# ---------------------------------------------------------------------------------------------
# remainders and floor division
# ---------------------------------------------------------------------------------------------


_QUOTIENTS = {"fmod": lambda x, y: np.trunc(x / y), "remainder": np.floor_divide}
_REMAINDERS = {"fmod": np.fmod, "remainder": np.remainder}


class Remainder(Function):
    """z = x - q y with q = trunc(x / y) for `mode` "fmod" or q = floor(x / y) for
    "remainder";  dz/dx = 1, dz/dy = -q.

    fmod is C's (the result has the sign of x), remainder Python's % (the sign of y); both
    are computed exactly by NumPy (x - q y would carry the rounding of x / y). y = 0 gives NaN
    for floats; integer tensors are checked for it by the caller.
    """

    @staticmethod
    def forward(ctx, x, y, mode="remainder"):
        ctx.save_for_backward(x, y)
        ctx.mode = mode
        return _REMAINDERS[mode](x.data, y.data)

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        gx, gy = ctx.needs_input_grad
        quotient = _QUOTIENTS[ctx.mode](x.data, y.data) if gy else None
        return (g if gx else None), (-g * _const(quotient) if gy else None)

    @staticmethod
    def backward_array(ctx, g):
        x, y = ctx.saved_tensors
        gx, gy = ctx.needs_input_grad
        quotient = _QUOTIENTS[ctx.mode](x.data, y.data) if gy else None
        return (g if gx else None), (-g * quotient if gy else None)


def _not_differentiable(ctx: Function, g: Tensor) -> None:
    """The backward of an op that PyTorch does not differentiate either: an error."""
    raise RuntimeError(
        f"{ctx.what}: the derivative is not implemented, as in PyTorch (backward through it is "
        f"an error); detach() its inputs to use its result in a differentiated computation"
    )


class FloorDivide(Function):
    """z = floor(x / y), as Python's // (np.floor_divide);  dz/dx: none (backward raises, as
    in PyTorch)."""

    @staticmethod
    def forward(ctx, x, y):
        ctx.what = "floor_divide"
        return np.floor_divide(x.data, y.data)

    backward = staticmethod(_not_differentiable)
    backward_array = backward


class Heaviside(Function):
    """z = 0 where x < 0, v where x = 0, 1 where x > 0 (NaN x gives 0, as PyTorch);  dz/dx:
    none (backward raises, as in PyTorch)."""

    @staticmethod
    def forward(ctx, x, v):
        ctx.what = "heaviside"
        out = np.where(x.data == 0, v.data, x.data > 0)
        return out.astype(np.result_type(x.data, v.data), copy=False)

    backward = staticmethod(_not_differentiable)
    backward_array = backward
