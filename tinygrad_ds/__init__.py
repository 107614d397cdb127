"""tinygrad_ds: a small, fast, readable reverse-mode autodiff framework on NumPy.

>>> import tinygrad_ds as td
>>> x = td.Tensor([1.0, 2.0, 3.0], requires_grad=True)
>>> (x * x).sum().backward()
>>> x.grad
Tensor([2., 4., 6.], dtype=float32)
"""

from . import data, datasets, nn, optim
from .autograd import backward, grad
from .creation import (
    arange,
    eye,
    full,
    full_like,
    ones,
    ones_like,
    rand,
    randn,
    randn_like,
    tensor,
    zeros,
    zeros_like,
)
from .dtypes import bool_, float32, float64, get_default_dtype, int32, int64, set_default_dtype
from .function import Function
from .functions import (
    abs,
    cat,
    clip,
    concatenate,
    cos,
    einsum,
    exp,
    expm1,
    log,
    log1p,
    log_softmax,
    matmul,
    maximum,
    minimum,
    relu,
    sigmoid,
    sin,
    softmax,
    sqrt,
    stack,
    tanh,
    where,
)
from .grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .gradcheck import GradcheckError, gradcheck
from .jacobian import hessian, jacobian
from .rng import manual_seed
from .serialization import load, save
from .tensor import Tensor
from .torch_api.elementwise_functions import (
    acos,
    acosh,
    add,
    allclose,
    arccos,
    arccosh,
    arcsin,
    arcsinh,
    arctan,
    arctan2,
    arctanh,
    asin,
    asinh,
    atan,
    atan2,
    atanh,
    bitwise_and,
    bitwise_not,
    bitwise_or,
    bitwise_xor,
    ceil,
    clamp,
    clamp_max,
    clamp_min,
    copysign,
    cosh,
    deg2rad,
    div,
    equal,
    exp2,
    float_power,
    floor,
    floor_divide,
    fmod,
    frac,
    heaviside,
    hypot,
    isclose,
    isfinite,
    isinf,
    isnan,
    isneginf,
    isposinf,
    isreal,
    lerp,
    log2,
    log10,
    logical_and,
    logical_not,
    logical_or,
    logical_xor,
    logit,
    mul,
    nan_to_num,
    neg,
    pow,
    rad2deg,
    reciprocal,
    remainder,
    round,
    rsqrt,
    sgn,
    sign,
    signbit,
    sinh,
    square,
    sub,
    tan,
    true_divide,
    trunc,
    xlogy,
)

__version__ = "0.1.0"

__all__ = [
    "Tensor", "Function", "backward", "grad", "gradcheck", "GradcheckError", "jacobian", "hessian",
    "no_grad", "enable_grad", "is_grad_enabled", "set_grad_enabled", "manual_seed",
    "float32", "float64", "int32", "int64", "bool_", "set_default_dtype", "get_default_dtype",
    "matmul", "maximum", "minimum", "where", "cat", "concatenate", "stack", "einsum",
    "exp", "expm1", "log", "log1p", "sqrt", "tanh", "sin", "cos", "sigmoid", "relu", "abs", "clip",
    "softmax", "log_softmax",
    "tensor", "zeros", "ones", "full", "randn", "rand", "arange", "eye", "zeros_like",
    "ones_like", "full_like", "randn_like",
]  # fmt: skip
__all__ += ["nn", "optim", "data", "datasets", "save", "load"]
__all__ += [  # PyTorch's elementwise functions beyond the core (torch_api/elementwise_functions.py)
    "tan", "asin", "acos", "atan", "atan2", "arcsin", "arccos", "arctan", "arctan2", "sinh",
    "cosh", "asinh", "acosh", "atanh", "arcsinh", "arccosh", "arctanh", "rsqrt", "log2", "log10",
    "exp2", "logit", "xlogy", "lerp", "hypot", "copysign", "deg2rad", "rad2deg", "frac", "sgn",
    "float_power", "true_divide", "floor_divide", "fmod", "remainder", "clamp_min", "clamp_max",
    "nan_to_num", "heaviside", "isnan", "isinf", "isposinf", "isneginf", "isfinite", "isreal",
    "signbit", "logical_and", "logical_or", "logical_xor", "logical_not", "bitwise_and",
    "bitwise_or", "bitwise_xor", "bitwise_not", "isclose", "allclose", "equal", "sign",
    "reciprocal", "square", "floor", "ceil", "round", "trunc", "clamp", "pow", "add", "sub", "mul",
    "div", "neg",
]  # fmt: skip
