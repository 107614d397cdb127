"""PyTorch's top-level names the package lacked: the Tensor methods as functions
(`td.clone(x)`, `td.reshape(x, shape)`, `td.index_put(x, indices, values)`, `td.exp_(x)`, ...),
dtype names and rules (`td.long`, `td.finfo`, `td.promote_types`, `td.can_cast`,
`td.result_type`, `td.broadcast_shapes`), a few composed functions (`vander`, `rsub`,
`chain_matmul`, `frobenius_norm`, `nuclear_norm`, `scalar_tensor`), and the random seed and
default device. The nn.functional copies are in toplevel_nn.py.

Each function converts its input (a Tensor, an array or a nested list) and calls the method of
the same name, naming itself in errors.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .. import rng
from ..dtypes import get_default_dtype, resolve_dtype
from ..functions import _t
from ..tensor import Tensor

__all__ = [
    "clone", "detach", "flatten", "reshape", "squeeze", "unsqueeze", "permute", "transpose",
    "t", "masked_fill", "is_floating_point", "index_put", "index_put_", "index_reduce",
    "diagonal_scatter", "select_scatter", "slice_scatter", "narrow_copy", "scalar_tensor",
    "result_type", "promote_types", "can_cast", "broadcast_shapes", "finfo", "iinfo",
    "long", "int", "float", "double", "half", "bool", "short", "uint8", "int8", "int16",
    "float16", "chain_matmul", "vander", "rsub", "frobenius_norm", "nuclear_norm", "seed",
    "initial_seed", "set_default_tensor_type", "get_default_device", "set_default_device",
    "abs_", "acos_", "acosh_", "arccos_", "arccosh_", "arcsin_", "arcsinh_", "arctan_",
    "arctanh_", "asin_", "asinh_", "atan_", "atanh_", "ceil_", "clamp_", "clamp_max_",
    "clamp_min_", "clip_", "cos_", "cosh_", "deg2rad_", "detach_", "erf_", "erfc_", "exp2_",
    "exp_", "expm1_", "fill_", "fix_", "floor_", "frac_", "gcd_", "i0_", "lcm_", "ldexp_",
    "log10_", "log1p_", "log2_", "log_", "logit_", "nan_to_num_", "neg_", "negative_",
    "rad2deg_", "reciprocal_", "round_", "rsqrt_", "sigmoid_", "sin_", "sinc_", "sinh_",
    "sqrt_", "square_", "tan_", "tanh_", "trunc_", "xlogy_", "zero_", "addmv_", "adjoint",
    "angle", "fill", "constant_pad_nd", "masked_scatter", "split_with_sizes", "unsafe_chunk",
    "unsafe_split", "unsafe_split_with_sizes", "put", "empty_strided",
]  # fmt: skip

# -- dtypes under PyTorch's names (NumPy dtypes, as td.float32) ------------------------------

long = np.dtype(np.int64)
int = np.dtype(np.int32)  # noqa: A001
float = np.dtype(np.float32)  # noqa: A001
double = np.dtype(np.float64)
half = float16 = np.dtype(np.float16)
bool = np.dtype(np.bool_)  # noqa: A001
short = int16 = np.dtype(np.int16)
uint8, int8 = np.dtype(np.uint8), np.dtype(np.int8)

_CATEGORY = {"b": 0, "u": 1, "i": 1, "f": 2}  # bool < integer < floating


def promote_types(type1: Any, type2: Any) -> np.dtype:
    """The smallest dtype both promote to, by PyTorch's rule: the higher category (bool <
    integer < floating) wins with its own dtype (int64 with float16 is float16); within one
    category NumPy's promotion (int8 with uint8 is int16)."""
    a, b = resolve_dtype(type1, "promote_types"), resolve_dtype(type2, "promote_types")
    ca, cb = _CATEGORY[a.kind], _CATEGORY[b.kind]
    if ca != cb:
        return a if ca > cb else b
    return np.promote_types(a, b)


def can_cast(from_: Any, to: Any) -> bool:
    """Whether PyTorch's type promotion allows casting `from_` to `to`: any cast within a
    category or to a higher one (bool < integer < floating), none to a lower one."""
    a, b = resolve_dtype(from_, "can_cast"), resolve_dtype(to, "can_cast")
    return _CATEGORY[a.kind] <= _CATEGORY[b.kind]


def result_type(tensor1: Any, tensor2: Any) -> np.dtype:
    """The dtype of an arithmetic operation on the two operands (Tensors or numbers), by the
    package's promotion rules (`tensor1 + tensor2`'s dtype; bool with bool stays bool)."""
    from ..tensor import constant

    def probe(x: Any) -> Any:
        if isinstance(x, Tensor):  # an empty (or 0-d) stand-in of its dtype
            return constant(np.zeros((0,) if x.ndim else (), x.dtype))
        if isinstance(x, (builtins.bool, np.bool_, builtins.int, builtins.float)):
            return x
        raise TypeError(f"result_type: expected tensors or numbers, got {type(x).__name__}")

    a, b = probe(tensor1), probe(tensor2)
    if all(
        isinstance(v, (builtins.bool, np.bool_)) or getattr(v, "dtype", None) == np.bool_
        for v in (a, b)
    ):
        return np.dtype(np.bool_)
    if not isinstance(a, Tensor):
        if not isinstance(b, Tensor):
            return Tensor(a).add(b).dtype
        a, b = b, a
    return (a + (b.astype(np.int64) if getattr(b, "dtype", None) == np.bool_ else b)).dtype


def broadcast_shapes(*shapes: Any) -> tuple[builtins.int, ...]:
    """The shape the given shapes (tuples, or ints for 1-D) broadcast to, as a tuple."""
    given = [(s,) if isinstance(s, builtins.int) else tuple(s) for s in shapes]
    try:
        return tuple(builtins.int(n) for n in np.broadcast_shapes(*given))
    except ValueError:
        raise ValueError(f"broadcast_shapes: the shapes {', '.join(map(str, given))} do not "
                         "broadcast") from None  # fmt: skip


class finfo:  # noqa: N801 (PyTorch's name)
    """Machine limits of a floating dtype (default: the default dtype) under PyTorch's names:
    bits, eps, max, min, tiny (= smallest_normal), resolution, dtype."""

    def __init__(self, type: Any = None) -> None:  # noqa: A002
        d = get_default_dtype() if type is None else resolve_dtype(type, "finfo")
        if d.kind != "f":
            raise TypeError(f"finfo: expected a floating dtype, got {d} (use iinfo)")
        f = np.finfo(d)
        self.dtype, self.bits = d.name, builtins.int(f.bits)
        self.eps, self.max, self.min = (
            builtins.float(f.eps),
            builtins.float(f.max),
            builtins.float(f.min),
        )
        self.tiny = self.smallest_normal = builtins.float(f.smallest_normal)
        self.resolution = 10.0**-f.precision  # (PyTorch's: a power of ten, exactly)

    def __repr__(self) -> str:
        return (f"finfo(resolution={self.resolution}, min={self.min}, max={self.max}, "
                f"eps={self.eps}, smallest_normal={self.tiny}, tiny={self.tiny}, "
                f"dtype={self.dtype})")  # fmt: skip


class iinfo:  # noqa: N801 (PyTorch's name)
    """Limits of an integer (or bool) dtype under PyTorch's names: bits, max, min, dtype."""

    def __init__(self, type: Any) -> None:  # noqa: A002
        d = resolve_dtype(type, "iinfo")
        if d.kind not in "iub":
            raise TypeError(f"iinfo: expected an integer dtype, got {d} (use finfo)")
        self.dtype = d.name
        if d.kind == "b":
            self.bits, self.min, self.max = 8, 0, 1
        else:
            i = np.iinfo(d)
            self.bits, self.min, self.max = (
                builtins.int(i.bits),
                builtins.int(i.min),
                builtins.int(i.max),
            )

    def __repr__(self) -> str:
        return f"iinfo(min={self.min}, max={self.max}, dtype={self.dtype})"


# -- the methods as functions ---------------------------------------------------------------


def clone(input: Any) -> Tensor:
    """A copy of input, in the graph (`Tensor.clone`)."""
    return _t(input, "clone").clone()


def detach(input: Any) -> Tensor:
    """input out of the graph, sharing its memory (`Tensor.detach`)."""
    return _t(input, "detach").detach()


def flatten(input: Any, start_dim: builtins.int = 0, end_dim: builtins.int = -1) -> Tensor:
    """Dims start_dim..end_dim merged into one (`Tensor.flatten`)."""
    return _t(input, "flatten").flatten(start_dim, end_dim)


def reshape(input: Any, shape: Sequence[builtins.int]) -> Tensor:
    """input with a new shape of the same size, -1 inferred (`Tensor.reshape`)."""
    return _t(input, "reshape").reshape(shape)


def squeeze(input: Any, dim: Any = None) -> Tensor:
    """input without its size-1 dims (or only `dim`'s, an int or a tuple) (`Tensor.squeeze`)."""
    x = _t(input, "squeeze")
    return x.squeeze() if dim is None else x.squeeze(dim)


def unsqueeze(input: Any, dim: builtins.int) -> Tensor:
    """input with a size-1 dim inserted at `dim` (`Tensor.unsqueeze`)."""
    return _t(input, "unsqueeze").unsqueeze(dim)


def permute(input: Any, dims: Sequence[builtins.int]) -> Tensor:
    """input's dims reordered (`Tensor.permute`)."""
    return _t(input, "permute").permute(*dims)


def transpose(input: Any, dim0: builtins.int, dim1: builtins.int) -> Tensor:
    """input with dims dim0 and dim1 swapped (`Tensor.transpose`)."""
    return _t(input, "transpose").transpose(dim0, dim1)


def t(input: Any) -> Tensor:
    """The transpose of a tensor of at most 2 dims (`Tensor.t`)."""
    return _t(input, "t").t()


def masked_fill(input: Any, mask: Any, value: Any) -> Tensor:
    """input with `value` where mask is True (`Tensor.masked_fill`)."""
    return _t(input, "masked_fill").masked_fill(mask, value)


def is_floating_point(input: Any) -> builtins.bool:
    """Whether input's dtype is a floating one (`Tensor.is_floating_point`)."""
    if not isinstance(input, Tensor):
        raise TypeError(f"is_floating_point: expected a Tensor, got {type(input).__name__}")
    return input.is_floating_point()


def index_put(input: Any, indices: Sequence[Any], values: Any,
              accumulate: builtins.bool = False) -> Tensor:  # fmt: skip
    """input with input[indices] = values, or += with accumulate (`Tensor.index_put`)."""
    return _t(input, "index_put").index_put(indices, values, accumulate)


def index_put_(input: Tensor, indices: Sequence[Any], values: Any,
               accumulate: builtins.bool = False) -> Tensor:  # fmt: skip
    """`index_put`, in place (`Tensor.index_put_`)."""
    return input.index_put_(indices, values, accumulate)


def index_reduce(input: Any, dim: builtins.int, index: Any, source: Any, reduce: str, *,
                 include_self: builtins.bool = True) -> Tensor:  # fmt: skip
    """input's slices at index along dim reduced with source's (`Tensor.index_reduce`)."""
    x = _t(input, "index_reduce")
    return x.index_reduce(dim, index, source, reduce, include_self=include_self)


def diagonal_scatter(input: Any, src: Any, offset: builtins.int = 0, dim1: builtins.int = 0,
                     dim2: builtins.int = 1) -> Tensor:  # fmt: skip
    """input with its diagonal replaced by src (`Tensor.diagonal_scatter`)."""
    return _t(input, "diagonal_scatter").diagonal_scatter(src, offset, dim1, dim2)


def select_scatter(input: Any, src: Any, dim: builtins.int, index: builtins.int) -> Tensor:
    """input with input.select(dim, index) replaced by src (`Tensor.select_scatter`)."""
    return _t(input, "select_scatter").select_scatter(src, dim, index)


def slice_scatter(input: Any, src: Any, dim: builtins.int = 0, start: Any = None,
                  end: Any = None, step: builtins.int = 1) -> Tensor:  # fmt: skip
    """input with the slice start:end:step along dim replaced by src
    (`Tensor.slice_scatter`)."""
    return _t(input, "slice_scatter").slice_scatter(src, dim, start, end, step)


def narrow_copy(input: Any, dim: builtins.int, start: builtins.int,
                length: builtins.int) -> Tensor:  # fmt: skip
    """A copy of input.narrow(dim, start, length) (`Tensor.narrow_copy`)."""
    return _t(input, "narrow_copy").narrow_copy(dim, start, length)


def adjoint(input: Any) -> Tensor:
    """The conjugate transpose of the last two dims, `mT` for real tensors
    (`Tensor.adjoint`)."""
    return _t(input, "adjoint").adjoint()


def angle(input: Any) -> Tensor:
    """pi where input < 0, else 0, with a zero gradient (`Tensor.angle`)."""
    return _t(input, "angle").angle()


def fill(input: Any, value: Any) -> Tensor:
    """A tensor like input holding `value` everywhere, out of place (a 0-d tensor value gets
    the sum of the gradient): `input.clone().fill_(value)`."""
    x = _t(input, "fill")
    return (
        x.clone().fill_(value) if not isinstance(value, Tensor) else value.astype(x.dtype) + x * 0
    )


def constant_pad_nd(input: Any, pad: Sequence[builtins.int], value: Any = 0) -> Tensor:
    """input padded with `value` (pad as `F.pad`'s: last dim first, (left, right) pairs)."""
    from ..nn.functional import pad as _pad

    return _pad(_t(input, "constant_pad_nd"), pad, "constant", value)


def masked_scatter(input: Any, mask: Any, source: Any) -> Tensor:
    """input with source's first values, in order, where mask is True
    (`Tensor.masked_scatter`)."""
    return _t(input, "masked_scatter").masked_scatter(mask, source)


def put(input: Any, index: Any, source: Any, accumulate: builtins.bool = False) -> Tensor:
    """input with source written (or added, with accumulate) at the flat positions index
    (`Tensor.put`)."""
    return _t(input, "put").put(index, source, accumulate)


def empty_strided(size: Sequence[builtins.int], stride: Sequence[builtins.int], *,
                  dtype: Any = None, requires_grad: builtins.bool = False, device: Any = None,
                  layout: Any = None, pin_memory: builtins.bool = False) -> Tensor:  # fmt: skip
    """`td.empty(size)` (zero-filled): arrays here are contiguous, so `stride` (one int per
    dim) is checked but has no effect on the values."""
    from ..creation import empty
    from ..device import check_factory

    check_factory("empty_strided", device, layout, pin_memory)
    size, stride = tuple(size), tuple(stride)
    if len(size) != len(stride):
        raise ValueError(f"empty_strided: size {size} and stride {stride} must have the same "
                         "length")  # fmt: skip
    return empty(size, dtype=dtype, requires_grad=requires_grad)


def split_with_sizes(input: Any, split_sizes: Sequence[builtins.int],
                     dim: builtins.int = 0) -> tuple[Tensor, ...]:  # fmt: skip
    """Pieces of the listed sizes along dim (`Tensor.split_with_sizes`)."""
    return _t(input, "split_with_sizes").split_with_sizes(split_sizes, dim)


def unsafe_chunk(input: Any, chunks: builtins.int, dim: builtins.int = 0) -> tuple[Tensor, ...]:
    """`chunk` (`Tensor.unsafe_chunk`)."""
    return _t(input, "unsafe_chunk").unsafe_chunk(chunks, dim)


def unsafe_split(input: Any, split_size: builtins.int,
                 dim: builtins.int = 0) -> tuple[Tensor, ...]:  # fmt: skip
    """`split` (`Tensor.unsafe_split`)."""
    return _t(input, "unsafe_split").unsafe_split(split_size, dim)


def unsafe_split_with_sizes(input: Any, split_sizes: Sequence[builtins.int],
                            dim: builtins.int = 0) -> tuple[Tensor, ...]:  # fmt: skip
    """`split_with_sizes` (`Tensor.unsafe_split_with_sizes`)."""
    return _t(input, "unsafe_split_with_sizes").unsafe_split_with_sizes(split_sizes, dim)


def _in_place_function(name: str) -> Callable[..., Tensor]:
    """The package-level form of the in-place method `name`: input.name(*args, **kwargs)."""

    def function(input: Tensor, *args: Any, **kwargs: Any) -> Tensor:
        if not isinstance(input, Tensor):
            raise TypeError(f"{name}: expected a Tensor to change in place, got "
                            f"{type(input).__name__}")  # fmt: skip
        return getattr(input, name)(*args, **kwargs)

    function.__name__ = function.__qualname__ = name
    function.__doc__ = f"`Tensor.{name}`: input changed in place."
    return function


abs_ = _in_place_function("abs_")
acos_ = _in_place_function("acos_")
acosh_ = _in_place_function("acosh_")
arccos_ = _in_place_function("arccos_")
arccosh_ = _in_place_function("arccosh_")
arcsin_ = _in_place_function("arcsin_")
arcsinh_ = _in_place_function("arcsinh_")
arctan_ = _in_place_function("arctan_")
arctanh_ = _in_place_function("arctanh_")
asin_ = _in_place_function("asin_")
asinh_ = _in_place_function("asinh_")
atan_ = _in_place_function("atan_")
atanh_ = _in_place_function("atanh_")
ceil_ = _in_place_function("ceil_")
clamp_ = _in_place_function("clamp_")
clamp_max_ = _in_place_function("clamp_max_")
clamp_min_ = _in_place_function("clamp_min_")
clip_ = _in_place_function("clip_")
cos_ = _in_place_function("cos_")
cosh_ = _in_place_function("cosh_")
deg2rad_ = _in_place_function("deg2rad_")
detach_ = _in_place_function("detach_")
erf_ = _in_place_function("erf_")
erfc_ = _in_place_function("erfc_")
exp2_ = _in_place_function("exp2_")
exp_ = _in_place_function("exp_")
expm1_ = _in_place_function("expm1_")
fill_ = _in_place_function("fill_")
fix_ = _in_place_function("fix_")
floor_ = _in_place_function("floor_")
frac_ = _in_place_function("frac_")
gcd_ = _in_place_function("gcd_")
i0_ = _in_place_function("i0_")
lcm_ = _in_place_function("lcm_")
ldexp_ = _in_place_function("ldexp_")
log10_ = _in_place_function("log10_")
log1p_ = _in_place_function("log1p_")
log2_ = _in_place_function("log2_")
log_ = _in_place_function("log_")
logit_ = _in_place_function("logit_")
nan_to_num_ = _in_place_function("nan_to_num_")
neg_ = _in_place_function("neg_")
negative_ = _in_place_function("negative_")
rad2deg_ = _in_place_function("rad2deg_")
reciprocal_ = _in_place_function("reciprocal_")
round_ = _in_place_function("round_")
rsqrt_ = _in_place_function("rsqrt_")
sigmoid_ = _in_place_function("sigmoid_")
sin_ = _in_place_function("sin_")
sinc_ = _in_place_function("sinc_")
sinh_ = _in_place_function("sinh_")
sqrt_ = _in_place_function("sqrt_")
square_ = _in_place_function("square_")
tan_ = _in_place_function("tan_")
tanh_ = _in_place_function("tanh_")
trunc_ = _in_place_function("trunc_")
xlogy_ = _in_place_function("xlogy_")
zero_ = _in_place_function("zero_")
addmv_ = _in_place_function("addmv_")


# -- composed functions -------------------------------------------------------------------


def scalar_tensor(s: Any, *, dtype: Any = None, requires_grad: builtins.bool = False,
                  device: Any = None, layout: Any = None,
                  pin_memory: builtins.bool = False) -> Tensor:  # fmt: skip
    """A 0-d tensor holding the number s, of the default float dtype unless `dtype` is given
    (an int too, as PyTorch's)."""
    from ..device import check_factory

    check_factory("scalar_tensor", device, layout, pin_memory)
    if isinstance(s, Tensor) or np.ndim(s) != 0:
        raise TypeError(f"scalar_tensor: expected a number, got {type(s).__name__}")
    d = get_default_dtype() if dtype is None else resolve_dtype(dtype, "scalar_tensor")
    return Tensor(np.asarray(s, dtype=d), requires_grad=requires_grad)


def rsub(input: Any, other: Any, *, alpha: Any = 1) -> Tensor:
    """other - alpha * input (subtraction with the operands reversed)."""
    x = _t(input, "rsub")
    return -(x if alpha == 1 else x * alpha) + other


def chain_matmul(*matrices: Any) -> Tensor:
    """The product of the 2-D matrices, left to right (PyTorch deprecates it for
    linalg.multi_dot)."""
    if not matrices:
        raise ValueError("chain_matmul: expected at least one matrix")
    ms = [_t(m, "chain_matmul") for m in matrices]
    for m in ms:
        if m.ndim != 2:
            raise ValueError(f"chain_matmul: expected 2-D matrices, got shape {m.shape}")
    out = ms[0]
    for m in ms[1:]:
        out = out @ m
    return out if len(ms) > 1 else out.clone()


def vander(x: Any, N: builtins.int | None = None, increasing: builtins.bool = False) -> Tensor:  # noqa: N803
    """The Vandermonde matrix of a 1-D x: column j is x^(N-1-j) (x^j when increasing),
    composed of cumulative products (so x = 0 has finite gradients); N defaults to len(x)."""
    from ..functions import cat

    x = _t(x, "vander")
    if x.ndim != 1:
        raise ValueError(f"vander: x must be 1-D, got shape {x.shape}")
    n = x.shape[0] if N is None else N
    if not isinstance(n, builtins.int) or n < 0:
        raise ValueError(f"vander: N must be a nonnegative int, got {N!r}")
    if x.dtype == np.bool_:
        x = x.astype(np.int64)
    ones = x.new_ones((x.shape[0], min(n, 1)))
    powers = x.unsqueeze(-1).expand(x.shape[0], max(n - 1, 0)).cumprod(-1)
    out = cat([ones, powers], dim=-1)
    return out if increasing else out.flip(-1)


def frobenius_norm(input: Any, dim: Any = (-2, -1), keepdim: builtins.bool = False) -> Tensor:
    """sqrt(sum x^2) over `dim` (an int or up to 2 ints)."""
    x = _t(input, "frobenius_norm")
    dims = (dim,) if isinstance(dim, builtins.int) else tuple(dim)
    if not 1 <= len(dims) <= 2:
        raise ValueError(f"frobenius_norm: dim must hold 1 or 2 dims, got {dim!r}")
    return (x * x).sum(dims, keepdim=keepdim).sqrt()


def nuclear_norm(input: Any, dim: Any = (-2, -1), keepdim: builtins.bool = False) -> Tensor:
    """The sum of the singular values of the matrices over `dim` (linalg.matrix_norm 'nuc')."""
    from ..linalg import matrix_norm

    return matrix_norm(_t(input, "nuclear_norm"), "nuc", tuple(dim), keepdim)


# -- seeds and devices ---------------------------------------------------------------------


def seed() -> builtins.int:
    """Seed the package's generator with a fresh random 64-bit number, and return it:
    `td.default_generator.seed()`."""
    return rng.default_generator.seed()


def initial_seed() -> builtins.int:
    """The seed of the package's generator (the last manual_seed or seed; before any, the
    fresh seed it drew at import): `td.default_generator.initial_seed()`."""
    return rng.default_generator.initial_seed()


def set_default_tensor_type(t: Any) -> None:
    """Refused: tensor types are deprecated in PyTorch, and this package has one tensor
    type; use td.set_default_dtype."""
    raise RuntimeError("set_default_tensor_type: tensor types are deprecated in PyTorch and not "
                       "supported here; use td.set_default_dtype(td.float64) instead")  # fmt: skip


# the default device: td.device('cpu'), the one there is (device.py)
from ..device import get_default_device, set_default_device  # noqa: E402
