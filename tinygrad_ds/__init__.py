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


# PyTorch's reductions as functions (td.sum, td.prod, td.median, ...): torch_api/
from .torch_api.reduction_functions import (  # noqa: E402
    all,
    amax,
    amin,
    aminmax,
    any,
    argmax,
    argmin,
    argsort,
    count_nonzero,
    cummax,
    cummin,
    cumprod,
    cumsum,
    kthvalue,
    logcumsumexp,
    logsumexp,
    max,
    mean,
    median,
    min,
    mode,
    msort,
    nanmean,
    nanmedian,
    nanquantile,
    nansum,
    prod,
    quantile,
    sort,
    std,
    std_mean,
    sum,
    topk,
    var,
    var_mean,
)

__all__ += [
    "sum", "mean", "std", "var", "std_mean", "var_mean", "prod", "cumsum", "cumprod", "max",
    "min", "amax", "amin", "aminmax", "argmax", "argmin", "logsumexp", "logcumsumexp", "sort",
    "argsort", "msort", "topk", "median", "nanmedian", "kthvalue", "mode", "quantile",
    "nanquantile", "nansum", "nanmean", "count_nonzero", "cummax", "cummin", "all", "any",
]  # fmt: skip
