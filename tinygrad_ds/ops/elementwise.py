"""Elementwise primitives: each op's forward beside its backward.

Every backward is written with Tensor operations (so `create_graph=True` differentiates it
again) and for the broadcast shapes: the engine sums gradients back to each input's shape.
Composed operations (sub, div, sqrt, minimum, ...) live in `tensor.py` as one-liners.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from ..dtypes import ONE, ZERO
from ..function import Function
from ..tensor import Tensor
from ..tensor import constant as _const

__all__ = [
    "Add", "Sub", "Mul", "Div", "Neg", "Reciprocal", "Pow", "Exp", "Expm1", "Log", "Log1p", "Sin",
    "Cos", "Abs", "Tanh", "Sigmoid", "Rounding", "Relu", "LeakyRelu", "Maximum", "Clip",
    "ClipBound", "Where", "Cast",
]  # fmt: skip


def _times(g: Any, local: np.ndarray) -> Any:
    """g * local, for a local derivative that is a constant array (a mask, 1 - z^2, ...): a
    Tensor product for a Tensor g (recorded under create_graph), the plain product for an
    array g (`backward_array`). So a backward written with it serves as both.

    A bool mask of g's shape is made floats first, in its own new memory, and the product
    written there: NumPy multiplies float by bool through a slow casting loop (for 128 x 256,
    about 22 us against 14 us this way). ReLU, the hottest, builds its float mask directly.
    """
    if isinstance(g, Tensor):
        return g * _const(local)
    if local.dtype == np.bool_ and local.shape == g.shape:
        mask = local.astype(g.dtype)
        mask *= g
        return mask
    return g * local


def sign_array(a: np.ndarray) -> np.ndarray:
    """np.sign(a), but 0 where a is NaN (NumPy gives NaN there; PyTorch's sign gives 0), and a
    bool array as itself (True is 1), as PyTorch's; `Tensor.sign` and `Abs`'s derivative."""
    if a.dtype == np.bool_:
        return a.copy()
    sign = np.asarray(np.sign(a))  # (a scalar for 0-d a)
    if sign.dtype.kind == "f":
        np.copyto(sign, 0, where=np.isnan(sign))
    return sign


@functools.cache
def _exp_limit(dtype: np.dtype) -> float:
    """A little under the largest y with e^y finite in `dtype` (88.7 for float32)."""
    return 0.99 * float(np.log(np.finfo(dtype).max))


# ---------------------------------------------------------------------------------------------
# arithmetic
# ---------------------------------------------------------------------------------------------


class Add(Function):
    """z = x + y;  dz/dx = 1, dz/dy = 1.

    `into_x=True` writes z into x's memory; only for a caller that made x itself, saved it
    nowhere and will not read it again (`nn.functional.linear` adding the bias to x W^T), and
    whose z has x's shape and dtype.
    """

    @staticmethod
    def forward(ctx, x, y, into_x=False):
        if into_x:
            return np.add(x.data, y.data, out=x.data)
        return x.data + y.data

    @staticmethod
    def backward(ctx, g):
        return g, g

    backward_array = backward  # the same on arrays


class Sub(Function):
    """z = x - y;  dz/dx = 1, dz/dy = -1.  (A primitive for speed: it is add(x, neg(y)).)"""

    @staticmethod
    def forward(ctx, x, y):
        return x.data - y.data

    @staticmethod
    def backward(ctx, g):
        return g, (-g if ctx.needs_input_grad[1] else None)

    backward_array = backward


class Mul(Function):
    """z = x * y;  dz/dx = y, dz/dy = x (each saved only if the other needs a gradient)."""

    @staticmethod
    def forward(ctx, x, y):
        gx, gy = ctx.needs_input_grad
        ctx.save_for_backward(x if gy else None, y if gx else None)
        return x.data * y.data

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        gx, gy = ctx.needs_input_grad
        return (g * y if gx else None), (g * x if gy else None)

    @staticmethod
    def backward_array(ctx, g):
        x, y = ctx.saved_tensors
        gx, gy = ctx.needs_input_grad
        return (g * y.data if gx else None), (g * x.data if gy else None)


class Div(Function):
    """z = x / y;  dz/dx = 1 / y, dz/dy = -x / y^2 = -z / y.
    (A primitive for speed and exact IEEE division: it is mul(x, reciprocal(y)).)"""

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(None, y)
        if ctx.needs_input_grad[1]:
            ctx.save_output()
        return x.data / y.data

    @staticmethod
    def backward(ctx, g):
        _, y = ctx.saved_tensors
        gx, gy = ctx.needs_input_grad
        return (g / y if gx else None), (-g * ctx.saved_output() / y if gy else None)

    @staticmethod
    def backward_array(ctx, g):
        _, y = ctx.saved_tensors
        gx, gy = ctx.needs_input_grad
        y = y.data
        return (g / y if gx else None), (-g * ctx.saved_output_array() / y if gy else None)


class Neg(Function):
    """z = -x;  dz/dx = -1."""

    grad_fits_input = True

    @staticmethod
    def forward(ctx, x):
        return -x.data

    @staticmethod
    def backward(ctx, g):
        return -g

    backward_array = backward


class Reciprocal(Function):
    """z = 1 / x;  dz/dx = -1 / x^2 = -z^2."""

    grad_fits_input = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_output()
        return 1 / x.data

    @staticmethod
    def backward(ctx, g):
        z = ctx.saved_output()
        return -g * z * z

    @staticmethod
    def backward_array(ctx, g):
        z = ctx.saved_output_array()
        return -g * z * z


class Pow(Function):
    """z = x ** y;  dz/dx = y x^(y-1), dz/dy = z log x.

    At x = 0 the formulas meet 0 inf and 0 log 0; their limits are used instead, as PyTorch:
    dz/dx = 0 where y = 0, and dz/dy = 0 where x = 0 and y >= 0. Those entries are computed
    with x replaced by 1 (elsewhere 0 x^-1 is 0 as it stands) rather than masked afterwards, so
    that under create_graph their own derivatives are finite too, never 0 inf = nan: the 2nd
    derivative of x^1 at 0 is 0, the 3rd of x^2 too.
    """

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        if ctx.needs_input_grad[1]:
            ctx.save_output()
        return x.data**y.data

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        gx, gy = ctx.needs_input_grad
        dx = g * _pow_dx(x, y) if gx else None
        dy = g * _pow_dy(x, y, ctx.saved_output()) if gy else None
        return dx, dy

    @staticmethod
    def backward_array(ctx, g):
        x, y = ctx.saved_tensors
        gx, gy = ctx.needs_input_grad
        xd, yd = x.data, y.data
        dx = dy = None
        if gx:
            if yd.ndim == 0 and yd != 0:  # x ** 2, the common case: no 0 x^-1 to mask
                dx = g * (yd * xd ** (yd - 1))
            else:
                dx = g * (yd * _one_at(xd, (xd == 0) & (yd == 0)) ** (yd - 1))
        if gy:  # 0^y is 0 or 1 where x becomes 1: z log 1 = 0 there
            z = ctx.saved_output_array()
            dy = g * (z * np.log(_one_at(xd, (xd == 0) & (yd >= 0))))
        return dx, dy


def _relu_mask(z: np.ndarray) -> np.ndarray:
    """dz/dx of z = max(x, 0) from z itself, as a new array of z's dtype: 1[z != 0], since z is
    >= 0 or NaN. That is 1[x > 0], and 1 at NaN as PyTorch's (NaN <= 0 is false). The bool mask
    cast to floats beats NumPy writing the comparison straight into a float array (`out=`),
    whose casting loop costs about 1 us a call: 3.0 against 4.2 us for 32 elements, 17.7
    against 20.3 us for 128 x 256, with the product with g (NumPy 2.4)."""
    mask = (z != ZERO[z.dtype]).astype(z.dtype)
    return mask if type(mask) is np.ndarray else np.asarray(mask)  # (a 0-d z gives a scalar)


def _one_at(x: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """x with 1 where `mask` (broadcast), or x itself when the mask is empty."""
    return np.where(mask, 1, x) if mask.any() else x


def _pow_dx(x: Tensor, y: Tensor) -> Tensor:
    """y x^(y-1) as Tensor operations, with x = 1 where x = y = 0 (there 0 1^-1 = 0, the
    limit, and the factor's own derivatives are finite: Where sends x none of them)."""
    at0 = (x.data == 0) & (y.data == 0)
    if at0.any():
        x = Where.apply(_const(at0), x._operand(1), x)
    return y * x ** (y - 1)


def _pow_dy(x: Tensor, y: Tensor, z: Tensor) -> Tensor:
    """z log x as Tensor operations, with x = 1 where x = 0 and y >= 0 (there 1^y log 1 = 0,
    the limit). z is recomputed from that x, as z's own derivative at x = 0 is inf for
    0 < y < 1 and would meet the 0 that Where sends it: 0 inf = nan."""
    at0 = (x.data == 0) & (y.data >= 0)
    if at0.any():
        x = Where.apply(_const(at0), x._operand(1), x)
        z = x**y
    return z * x.log()


# ---------------------------------------------------------------------------------------------
# unary functions
# ---------------------------------------------------------------------------------------------


class Exp(Function):
    """z = e^x;  dz/dx = z."""

    grad_fits_input = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_output()
        return np.exp(x.data)

    @staticmethod
    def backward(ctx, g):
        return g * ctx.saved_output()

    @staticmethod
    def backward_array(ctx, g):
        return g * ctx.saved_output_array()


class Expm1(Function):
    """z = e^x - 1, accurate for tiny x (np.expm1);  dz/dx = e^x = z + 1.

    As in PyTorch the derivative is taken from z: where e^x is below the dtype's epsilon
    (x < -37 in float64), z + 1 is exact to epsilon only.
    """

    grad_fits_input = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_output()
        return np.expm1(x.data)

    @staticmethod
    def backward(ctx, g):
        return g * (ctx.saved_output() + 1)

    @staticmethod
    def backward_array(ctx, g):
        return g * (ctx.saved_output_array() + 1)


class Log(Function):
    """z = log x;  dz/dx = 1 / x."""

    grad_fits_input = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.log(x.data)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g / x

    @staticmethod
    def backward_array(ctx, g):
        (x,) = ctx.saved_tensors
        return g / x.data


class Log1p(Function):
    """z = log(1 + x), accurate for tiny x (np.log1p);  dz/dx = 1 / (1 + x)."""

    grad_fits_input = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.log1p(x.data)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g / (1 + x)

    @staticmethod
    def backward_array(ctx, g):
        (x,) = ctx.saved_tensors
        return g / (1 + x.data)


class Sin(Function):
    """z = sin x;  dz/dx = cos x."""

    grad_fits_input = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.sin(x.data)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * x.cos()

    @staticmethod
    def backward_array(ctx, g):
        (x,) = ctx.saved_tensors
        return g * np.cos(x.data)


class Cos(Function):
    """z = cos x;  dz/dx = -sin x."""

    grad_fits_input = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.cos(x.data)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return -g * x.sin()

    @staticmethod
    def backward_array(ctx, g):
        (x,) = ctx.saved_tensors
        return -g * np.sin(x.data)


class Abs(Function):
    """z = |x|;  dz/dx = sign(x) (0 at x = 0, and at NaN, as PyTorch)."""

    grad_fits_input = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.abs(x.data)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return _times(g, sign_array(x.data))

    backward_array = backward  # (`_times` serves both)


class Tanh(Function):
    """z = tanh x;  dz/dx = 1 - z^2."""

    grad_fits_input = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_output()
        return np.tanh(x.data)

    @staticmethod
    def backward(ctx, g):
        z = ctx.saved_output()
        return g * (1 - z * z)

    @staticmethod
    def backward_array(ctx, g):
        z = ctx.saved_output_array()
        local = z * z  # 1 - z^2, written over z^2 (`ONE`: a 0-d 1)
        if type(local) is np.ndarray:
            np.subtract(ONE[z.dtype], local, out=local)
        else:  # (z^2 of a 0-d z is a NumPy scalar)
            local = ONE[z.dtype] - local
        local *= g
        return local


class Sigmoid(Function):
    """z = 1 / (1 + e^-x), computed without overflow;  dz/dx = z (1 - z).

    1 / (1 + e^-x) as written is exact to rounding wherever e^-x is finite; only when some
    e^-x would overflow (x < -88 in float32) is z computed as e^x / (1 + e^x) there instead,
    e = e^-|x| blended in by multiplying with the sign masks (np.where is ten times slower than
    arithmetic on NumPy 2.x).
    """

    grad_fits_input = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_output()
        x = x.data
        one = ONE[x.dtype]
        if x.size == 0 or np.minimum.reduce(x, None) > -_exp_limit(x.dtype):  # e^-x finite
            e = np.exp(-x)
            e += one
            return one / e
        e = np.exp(-np.abs(x))
        r = one / (one + e)
        positive = x >= 0
        return r * positive + (e * r) * ~positive  # r where x >= 0, e / (1 + e) elsewhere

    @staticmethod
    def backward(ctx, g):
        z = ctx.saved_output()
        return g * z * (1 - z)

    @staticmethod
    def backward_array(ctx, g):
        z = ctx.saved_output_array()
        local = ONE[z.dtype] - z
        local *= z
        local *= g
        return local


def _sign_bit(x: np.ndarray) -> np.ndarray:
    """copysign(1, x): +-1 by x's sign bit (-0.0 and -nan give -1)."""
    return np.copysign(np.ones((), x.dtype), x)


_ROUNDINGS = {"floor": np.floor, "ceil": np.ceil, "round": np.rint, "trunc": np.trunc,
              "sign": sign_array, "sign_bit": _sign_bit}  # fmt: skip


class Rounding(Function):
    """z = floor x, ceil x, round x, trunc x, sign x or copysign(1, x), by `mode`;  dz/dx = 0.

    A step function, flat between its jumps (at a jump PyTorch says 0 too); round takes
    halves to even, as NumPy and PyTorch do, and sign is 0 at NaN, as PyTorch's. The result
    of a tensor that requires grad requires grad, as in PyTorch, and its gradient is exactly
    zero everywhere.
    """

    grad_fits_input = True

    @staticmethod
    def forward(ctx, x, mode="floor"):
        return _ROUNDINGS[mode](x.data)

    @staticmethod
    def backward(ctx, g):
        return _const(np.zeros(g.shape, g.dtype))

    @staticmethod
    def backward_array(ctx, g):
        return np.zeros(g.shape, g.dtype)


class Relu(Function):
    """z = max(x, 0);  dz/dx = 1[x > 0] (0 at the kink; 1 at NaN, as PyTorch)."""

    grad_fits_input = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_output()
        x = x.data
        return np.maximum(x, ZERO[x.dtype])

    @staticmethod
    def backward(ctx, g):
        return g * _const(_relu_mask(ctx.saved_output_array()))

    @staticmethod
    def backward_array(ctx, g):
        mask = _relu_mask(ctx.saved_output_array())
        mask *= g
        return mask


class LeakyRelu(Function):
    """z = x if x > 0 else a x;  dz/dx = 1 if x > 0 else a."""

    grad_fits_input = True

    @staticmethod
    def forward(ctx, x, negative_slope=0.01):
        ctx.slope = negative_slope
        ctx.save_for_backward(x)
        scaled = x.data * x.data.dtype.type(negative_slope)
        if 0 <= negative_slope <= 1:  # then x > 0 exactly where x >= a x: one ufunc, no where
            return np.maximum(x.data, scaled)
        return np.where(x.data > 0, x.data, scaled)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        positive = x.data > 0
        slope = g.dtype.type(ctx.slope)
        return _times(g, positive + slope * ~positive)  # 1 where x > 0, a elsewhere (exact)

    backward_array = backward  # (`_times` serves both)


class Maximum(Function):
    """z = max(x, y);  dz/dx = 1[x > y] + 1/2 1[x = y], dz/dy = 1[x < y] + 1/2 1[x = y].

    Ties split the gradient equally. Where x or y is NaN (so is z), both get all of it, as in
    PyTorch (neither x > y, x < y nor x = y holds there).
    """

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return np.maximum(x.data, y.data)

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        half_tie = 0.5 * (x.data == y.data)
        share_x = (x.data > y.data) + half_tie
        share_y = (x.data < y.data) + half_tie
        unordered = np.isnan(x.data) | np.isnan(y.data)
        if unordered.any():
            share_x = share_x + unordered
            share_y = share_y + unordered
        gx, gy = ctx.needs_input_grad
        return (
            _times(g, share_x.astype(g.dtype, copy=False)) if gx else None,
            _times(g, share_y.astype(g.dtype, copy=False)) if gy else None,
        )

    backward_array = backward  # (`_times` serves both)


class Clip(Function):
    """z = min(max(x, low), high) for number bounds;  dz/dx = 1[low <= x <= high].

    (Tensor bounds, which get gradients, go through `ClipBound`; numbers stay this one node.)
    """

    @staticmethod
    def forward(ctx, x, low=None, high=None):
        ctx.save_for_backward(x)
        ctx.low, ctx.high = low, high
        return np.clip(x.data, low, high)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        inside = np.ones(x.shape, dtype=bool)
        if ctx.low is not None:
            inside &= x.data >= ctx.low
        if ctx.high is not None:
            inside &= x.data <= ctx.high
        return _times(g, inside)

    backward_array = backward  # (`_times` serves both)


class ClipBound(Function):
    """z = max(x, b), or min(x, b) with `upper=True` (ties go to x);  dz/dx = 1[x >= b],
    dz/db = 1[x < b] (with upper: 1[x <= b], 1[x > b]).

    One Tensor bound of clip (Maximum would split the ties).

    `Tensor.clip` applies the lower bound, then the upper one: where min > max that gives max
    and its gradient everywhere, as PyTorch; where min = max and x < min, min gets it (PyTorch
    gives it to nobody). A NaN in x or b gives NaN and no gradient.
    """

    @staticmethod
    def forward(ctx, x, b, upper=False):
        ctx.save_for_backward(x, b)
        ctx.upper = upper
        return np.minimum(x.data, b.data) if upper else np.maximum(x.data, b.data)

    @staticmethod
    def backward(ctx, g):
        x, b = ctx.saved_tensors
        gx, gb = ctx.needs_input_grad
        x, b = x.data, b.data
        x_wins, b_wins = ((x <= b), (x > b)) if ctx.upper else ((x >= b), (x < b))
        return (_times(g, x_wins) if gx else None), (_times(g, b_wins) if gb else None)

    backward_array = backward  # (`_times` serves both)


class Where(Function):
    """z = cond ? x : y;  dz/dx = cond, dz/dy = not cond (no gradient to cond)."""

    @staticmethod
    def forward(ctx, cond, x, y):
        ctx.save_for_backward(cond)
        return np.where(cond.data, x.data, y.data)

    @staticmethod
    def backward(ctx, g):
        (cond,) = ctx.saved_tensors
        _, gx, gy = ctx.needs_input_grad
        return (
            None,
            _times(g, cond.data) if gx else None,
            _times(g, ~cond.data) if gy else None,
        )

    backward_array = backward  # (`_times` serves both)


class Cast(Function):
    """z = x converted to another dtype;  dz/dx = 1 (the gradient is cast back)."""

    @staticmethod
    def forward(ctx, x, dtype=None):
        ctx.in_dtype = x.data.dtype
        # NumPy keeps the memory order ("K"), which for a broadcast (stride 0) is no order at
        # all: its copy is made C-ordered instead, so that a reshape of it is a view
        return x.data.astype(dtype, order="C" if 0 in x.data.strides else "K")

    @staticmethod
    def backward(ctx, g):
        return g.astype(ctx.in_dtype)

    backward_array = backward  # (ndarray.astype too)
