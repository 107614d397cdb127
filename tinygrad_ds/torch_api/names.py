"""PyTorch's names for things the Tensor already does, each composed from Tensor methods.

`Tensor` inherits them from the mixin `TorchNames`, so a PyTorch habit (`x.add(y, alpha=2)`,
`x.masked_fill(m, 0)`, `x.split(2)`, `x.to("cpu")`) carries over. None of them is a new
primitive: each is a line or two over the methods in tensor.py, so none needs a backward, and
gradcheck covers them through the operations they call. Results without a gradient (the
comparisons, `any`, `all`, `long`) are constants, as the Tensor's own comparisons are.

tensor.py imports this module before it defines `Tensor`, so the few names needed from there
and from `ops/` are imported inside the methods that use them.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..device import CPU, check_device
from ..device import device as device_type
from ..dtypes import resolve_dtype

if TYPE_CHECKING:
    from ..tensor import Tensor

__all__ = ["TorchNames", "bool_mask"]


def to_dtype(args: Sequence[Any], dtype: Any, device: Any, what: str) -> np.dtype | None:
    """The dtype asked for by PyTorch's `to(*args, dtype=, device=)` (None for none): args may
    be a dtype, a device (string or td.device) or a tensor (its dtype). Only the CPU exists:
    the device is checked by `device.check_device`."""
    from ..tensor import Tensor

    for a in args:
        if isinstance(a, Tensor):
            dtype = a.dtype
        elif isinstance(a, (device_type, int)) and not isinstance(a, bool):
            device = a  # (an int is a device index in PyTorch)
        elif isinstance(a, str) and not _is_dtype(a):
            device = a
        else:
            dtype = a
    check_device(device, what)
    if dtype is None:
        return None
    try:
        np.dtype(dtype)
    except TypeError:
        raise TypeError(f"{what}: expected a dtype, a device or a tensor, got {dtype!r}") from None
    return resolve_dtype(dtype, what)  # and one a tensor may hold (no str, object, complex)


def bool_mask(mask: Any, what: str) -> np.ndarray:
    """A mask (bool Tensor or array-like) as a bool ndarray; anything else a TypeError naming
    `what` (masked_fill, masked_select, masked_scatter: PyTorch refuses other dtypes too)."""
    from ..tensor import Tensor

    m = mask.data if isinstance(mask, Tensor) else np.asarray(mask)
    if m.dtype != np.bool_:
        raise TypeError(f"{what}: the mask must be a bool tensor, not {m.dtype}")
    return m


def _is_dtype(name: str) -> bool:
    """Whether NumPy reads the string `name` as a dtype ("float64" is one, "cpu" is not)."""
    try:
        np.dtype(name)
    except TypeError:
        return False
    return True


class TorchNames:
    """Mixin of `Tensor`: PyTorch's method names, each composed from the Tensor's own methods."""

    __slots__ = ()  # Tensor keeps __slots__: no instance __dict__ comes from here

    # -- arithmetic ----------------------------------------------------------------------

    def add(self, other: Any, alpha: float = 1) -> Tensor:
        """self + alpha * other (broadcast);  d/dself = 1, d/dother = alpha."""
        return self + (other if alpha == 1 else self._operand(other, "add") * alpha)

    def sub(self, other: Any, alpha: float = 1) -> Tensor:
        """self - alpha * other (broadcast);  d/dself = 1, d/dother = -alpha."""
        return self - (other if alpha == 1 else self._operand(other, "sub") * alpha)

    def mul(self, other: Any) -> Tensor:
        """self * other (broadcast), as the operator `*`."""
        return self * other

    def div(self, other: Any) -> Tensor:
        """self / other (true division, broadcast), as the operator `/`."""
        return self / other

    def pow(self, exponent: Any) -> Tensor:
        """self ** exponent, as the operator `**`;  d/dx = p x^(p-1), d/dp = x^p log x."""
        return self**exponent

    def neg(self) -> Tensor:
        """-self, as the unary operator `-`."""
        return -self

    def square(self) -> Tensor:
        """x * x;  d/dx = 2x."""
        return self * self

    # -- comparisons (bool results, no gradient: the operators) ------------------------

    def eq(self, other: Any) -> Tensor:
        """self == other elementwise (bool, no gradient)."""
        return self == other

    def ne(self, other: Any) -> Tensor:
        """self != other elementwise (bool, no gradient)."""
        return self != other

    def lt(self, other: Any) -> Tensor:
        """self < other elementwise (bool, no gradient)."""
        return self < other

    def le(self, other: Any) -> Tensor:
        """self <= other elementwise (bool, no gradient)."""
        return self <= other

    def gt(self, other: Any) -> Tensor:
        """self > other elementwise (bool, no gradient)."""
        return self > other

    def ge(self, other: Any) -> Tensor:
        """self >= other elementwise (bool, no gradient)."""
        return self >= other

    # -- copies, layout, dtype and device ------------------------------------------------

    def clone(self) -> Tensor:
        """A copy in new memory that stays in the graph: a Cast to its own dtype, whose
        backward is the identity (d clone(x)/dx = 1). Like PyTorch's, it keeps the memory
        layout of a view (a transposed view's clone is Fortran-ordered); see `contiguous`."""
        from ..ops import elementwise as E

        return E.Cast.apply(self, dtype=self.dtype)

    def contiguous(self) -> Tensor:
        """Self when its data is C-contiguous, else a C-ordered copy (differentiable).

        Composed as flatten-then-reshape: NumPy flattens a non-contiguous array by copying it
        in C order; a strided 1-D view that it could flatten without copying is cloned."""
        if self.data.flags.c_contiguous:
            return self
        flat = self.reshape(-1)
        if not flat.data.flags.c_contiguous:  # flattened as a view with a stride: copy it
            flat = flat.clone()
        return flat.reshape(self.shape)

    def dim(self) -> int:
        """The number of axes (`ndim`)."""
        return self.ndim

    def t(self) -> Tensor:
        """The transpose of a matrix; a 0-d or 1-D tensor is returned as it is."""
        if self.ndim > 2:
            raise ValueError(
                f"t: expects a tensor of at most 2 dims, got shape {self.shape} "
                "(use transpose(a, b), permute or mT)"
            )
        return self.transpose(0, 1) if self.ndim == 2 else self

    def long(self) -> Tensor:
        """Converted to int64 (no gradient: integer tensors take no part in autograd)."""
        return self.astype(np.int64)

    # (methods named int and bool, as PyTorch's; Python's int(t) and bool(t) call __int__ and
    # __bool__, which are not these)

    def int(self) -> Tensor:  # noqa: A003 (PyTorch's name)
        """Converted to int32, floats truncated toward zero (no gradient, as `long`)."""
        return self.astype(np.int32)

    def short(self) -> Tensor:
        """Converted to int16 (no gradient, as `long`)."""
        return self.astype(np.int16)

    def bool(self) -> Tensor:  # noqa: A003 (PyTorch's name)
        """Converted to bool: True where nonzero (no gradient)."""
        return self.astype(np.bool_)

    def half(self) -> Tensor:
        """Converted to float16 (differentiable: the gradient is cast back)."""
        return self.astype(np.float16)

    def type(self, dtype: Any = None, non_blocking: bool = False) -> Any:
        """Without an argument, the legacy type's name ('tinygrad_ds.FloatTensor' for float32);
        with a dtype, a legacy type (`td.LongTensor`) or its name, converted to it, as
        PyTorch's `x.type(...)`."""
        from .tensor_types import dtype_of, type_name

        if dtype is None:
            return type_name(self.dtype)
        return self.astype(dtype_of(dtype, "type"))

    def type_as(self, other: Tensor) -> Tensor:
        """Converted to `other`'s dtype (differentiable between float dtypes), as `to(other)`."""
        from ..tensor import Tensor

        if not isinstance(other, Tensor):
            raise TypeError(f"type_as: expected a Tensor, got {type(other).__name__}")
        return self.astype(other.dtype)

    def element_size(self) -> int:
        """The size of one element in bytes (4 for float32)."""
        return self.dtype.itemsize

    def is_floating_point(self) -> bool:
        """Whether the dtype is a floating one (float16, float32, float64)."""
        return self.dtype.kind == "f"

    def nelement(self) -> int:
        """The number of elements (`numel`)."""
        return self.numel()

    def to(self, *args: Any, dtype: Any = None, device: Any = None, non_blocking: bool = False,
           copy: bool = False) -> Tensor:  # fmt: skip
        """PyTorch's `to`: `to(dtype)`, `to("cpu")`, `to("cpu", dtype)`, `to(other_tensor)`
        (its dtype), or the keywords `dtype=` and `device=`. A dtype is anything `np.dtype`
        takes (`td.float64`, "float64"); a cast between float dtypes is differentiable.
        This framework runs on the CPU only: "cpu" (or td.device('cpu')) is a no-op, any other
        device an error. `non_blocking` changes nothing (there is no transfer); `copy=True`
        returns a new tensor even when nothing changes (a clone, in the graph)."""
        dtype = to_dtype(args, dtype, device, "to")
        out = self if dtype is None else self.astype(dtype)
        return out.clone() if copy and out is self else out

    def cpu(self) -> Tensor:
        """Self: every tensor lives in CPU memory already."""
        return self

    def cuda(self, device: Any = None, non_blocking: bool = False) -> Tensor:
        """An error: tinygrad_ds runs on the CPU only (`td.cuda.is_available()` is False)."""
        check_device("cuda" if device is None else device, "cuda")
        raise ValueError(f"cuda: expected a cuda device, got {device!r}")

    @property
    def device(self) -> device_type:
        """device(type='cpu'): every tensor lives in CPU memory."""
        return CPU

    @property
    def is_cpu(self) -> bool:
        """True: every tensor lives in CPU memory."""
        return True

    @property
    def is_cuda(self) -> bool:
        """False: tinygrad_ds runs on the CPU only."""
        return False

    def get_device(self) -> int:
        """-1, PyTorch's device index of a CPU tensor."""
        return -1

    def is_pinned(self) -> bool:
        """False: pinned (page-locked) memory is for copies to an accelerator; there is none."""
        return False

    def pin_memory(self) -> Tensor:
        """Refused, as PyTorch refuses it where no accelerator is available."""
        raise RuntimeError(
            "pin_memory: cannot access accelerator device when none is available "
            "(tinygrad_ds runs on the CPU only)"
        )

    # -- masking and logical reductions --------------------------------------------------

    def masked_fill(self, mask: Any, value: Any) -> Tensor:
        """`value` where `mask` is True, self elsewhere: where(mask, value, self).

        `mask` is a bool tensor or array that broadcasts to self's shape; `value` a number or a
        0-d tensor, converted to self's dtype. The gradient flows to self where the mask is
        False (and to a tensor `value` from every filled place)."""
        from ..functions import where
        from ..tensor import Tensor, broadcasts_to

        m = bool_mask(mask, "masked_fill")
        if not broadcasts_to(m.shape, self.shape):
            raise ValueError(
                f"masked_fill: a mask of shape {m.shape} does not broadcast to the "
                f"tensor's shape {self.shape}"
            )
        if isinstance(value, Tensor) and value.ndim != 0:
            raise ValueError(
                f"masked_fill: value must be a number or a 0-d tensor, got shape {value.shape}"
            )
        # the result keeps self's dtype, as PyTorch's (2.5 in an int64 tensor is 2)
        if isinstance(value, Tensor):
            value = value.astype(self.dtype)
        else:
            v = np.asarray(value)
            if v.dtype.kind not in "biuf" or v.ndim != 0:
                raise TypeError(
                    f"masked_fill: value must be a number or a 0-d tensor, got {value!r} "
                    f"({type(value).__name__})"
                )
            value = Tensor(v.astype(self.dtype))
        return where(m, value, self)

    def any(self, axis: Any = None, keepdims: bool = False, *, dim: Any = None,
            keepdim: bool | None = None) -> Tensor:  # fmt: skip
        """True where some element along `axis`/`dim` is nonzero (bool, no gradient); the
        axes as in `sum`."""
        return self._logical(np.any, "any", axis, keepdims, dim, keepdim)

    def all(self, axis: Any = None, keepdims: bool = False, *, dim: Any = None,
            keepdim: bool | None = None) -> Tensor:  # fmt: skip
        """True where every element along `axis`/`dim` is nonzero (bool, no gradient); the
        axes as in `sum`."""
        return self._logical(np.all, "all", axis, keepdims, dim, keepdim)

    def _logical(self, fn: Any, what: str, axis: Any, keepdims: bool, dim: Any,
                 keepdim: bool | None) -> Tensor:  # fmt: skip
        from ..tensor import _axes, constant

        axes = _axes(axis, dim, self.ndim, what)
        keep = keepdims if keepdim is None else keepdim
        return constant(np.asarray(fn(self.data, axis=axes, keepdims=keep)))

    def amax(self, axis: Any = None, keepdims: bool = False, *, dim: Any = None,
             keepdim: bool | None = None) -> Tensor:  # fmt: skip
        """`max` (PyTorch's amax): the largest values; ties share the gradient equally."""
        from ..tensor import _axes

        axes = _axes(axis, dim, self.ndim, "amax")  # checked here, so errors name amax
        return self.max(axes, keepdims if keepdim is None else keepdim)

    def amin(self, axis: Any = None, keepdims: bool = False, *, dim: Any = None,
             keepdim: bool | None = None) -> Tensor:  # fmt: skip
        """`min` (PyTorch's amin): the smallest values; ties share the gradient equally."""
        from ..tensor import _axes

        axes = _axes(axis, dim, self.ndim, "amin")  # checked here, so errors name amin
        return self.min(axes, keepdims if keepdim is None else keepdim)

    # -- splitting and repeating ---------------------------------------------------------

    def split(
        self, split_size_or_sections: int | Sequence[int], dim: int = 0
    ) -> tuple[Tensor, ...]:
        """Pieces along `dim`, as slices of self (the gradient of each flows back into its
        place): an int gives pieces of that size (the last may be smaller); a list gives
        the sizes, which must add up to the axis' length."""
        from ..tensor import _axis1

        axis = _axis1(dim, self.ndim, "split")
        n = self.shape[axis]
        if isinstance(split_size_or_sections, (int, np.integer)):
            size = int(split_size_or_sections)
            if size <= 0:
                raise ValueError(f"split: the split size must be positive, got {size}")
            sizes = [min(size, n - start) for start in range(0, max(n, 1), size)]
        else:
            sizes = [int(s) for s in split_size_or_sections]
            if sum(sizes) != n or min(sizes, default=0) < 0:
                raise ValueError(
                    f"split: sizes {sizes} must be >= 0 and add up to {n}, the length of dim "
                    f"{axis} of shape {self.shape}"
                )
        lead = (slice(None),) * axis
        starts = itertools.accumulate(sizes, initial=0)
        return tuple(self[lead + (slice(a, a + s),)] for a, s in zip(starts, sizes))

    def chunk(self, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
        """`chunks` pieces along `dim` by PyTorch's rule: each of size ceil(n / chunks), the
        last smaller, so there may be fewer than `chunks` (6 in 4 chunks gives 3 of 2)."""
        from ..tensor import _axis1, _is_int

        if not _is_int(chunks):
            raise TypeError(f"chunk: the number of chunks must be an int, got {chunks!r}")
        if chunks <= 0:
            raise ValueError(f"chunk: the number of chunks must be positive, got {chunks}")
        n = self.shape[_axis1(dim, self.ndim, "chunk")]
        return self.split(max(-(-n // chunks), 1), dim)

    def repeat(self, *sizes: Any) -> Tensor:
        """PyTorch's repeat (NumPy's tile): copies of self, `sizes[i]` times along axis i;
        extra leading sizes add axes. Composed as reshape to (1, n_i, ...), expand to
        (r_i, n_i, ...) and reshape to (r_i * n_i, ...): the gradient sums over the copies.
        The result is always new memory, as in PyTorch."""
        from ..tensor import _shape_args

        sizes = _shape_args(sizes, "repeat", low=None)  # negatives: the message below
        if len(sizes) < self.ndim or min(sizes, default=0) < 0:
            raise ValueError(
                f"repeat: sizes {sizes} must be >= 0, one per dim of shape {self.shape} at "
                "least (extra leading sizes add dims)"
            )
        shape = (1,) * (len(sizes) - self.ndim) + self.shape
        x = self.reshape(tuple(d for n in shape for d in (1, n)))
        x = x.expand(tuple(d for r, n in zip(sizes, shape) for d in (r, n)))
        out = x.reshape(tuple(r * n for r, n in zip(sizes, shape)))
        if np.may_share_memory(out.data, self.data):  # a view (of self, or a broadcast)
            out = out.reshape(-1).clone().reshape(out.shape)
        return out
