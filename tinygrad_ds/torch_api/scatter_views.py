"""PyTorch's remaining Tensor methods: values put at advanced indices (`index_put`,
`index_reduce`), a view's places written (`diagonal_scatter`, `select_scatter`,
`slice_scatter`), new tensors (`new_empty`, `new_empty_strided`, `narrow_copy`), dtype methods
(`byte`, `char`), Python functions applied in place (`apply_`, `map_`), `float_power_`, the
gradient bookkeeping PyTorch exposes (`retains_grad`, `register_post_accumulate_grad_hook`),
and small names (`where`, `mH`, `H`, `adjoint`, `angle`, `prelu`, `hardshrink`,
`unsafe_chunk`, `unsafe_split`, `unsafe_split_with_sizes`).

None is a new primitive: each scatter finds its *targets*, the flat positions in self that
its values go to, and writes or adds them through indexing.py's `_write` / `_add` / `_reduce`,
so the gradients are theirs (a value's gradient is g at its target; self's is g with the
written places zeroed, or g itself where values were added). A view's targets are found by
taking the same view of an array of positions, `arange(numel).reshape(shape)`.

tensor.py imports this module before it defines `Tensor`, so the names needed from there are
imported inside the functions that use them.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..dtypes import get_default_dtype
from .indexing import _add, _index_targets, _reduce, _same_dtype, _tensor, _write
from .inplace_methods import written
from .shape import _check_range, _int

if TYPE_CHECKING:
    from ..tensor import HookHandle, Tensor

__all__ = ["TorchScatterViews"]

_INDEX_REDUCES = ("prod", "mean", "amax", "amin")


def _put_targets(self: Tensor, indices: Any, what: str) -> np.ndarray:
    """The flat targets of `self[indices]`, in its shape: indices is a tuple of integer or bool
    index tensors over self's leading dims, broadcast together (NumPy's advanced indexing; a
    bool mask stands for the indices of its True places over its ndim dims)."""
    from ..tensor import Tensor

    if not isinstance(indices, (tuple, list)):
        raise TypeError(f"{what}: indices must be a tuple of tensors, got "
                        f"{type(indices).__name__}")  # fmt: skip
    arrays: list[np.ndarray] = []
    for i in indices:
        a = i.data if isinstance(i, Tensor) else np.asarray(i)
        if a.dtype == np.bool_ and a.ndim:
            arrays.extend(np.nonzero(a))
        elif a.dtype.kind in "iu":
            arrays.append(a.astype(np.int64))
        else:
            raise TypeError(f"{what}: indices must hold integers or bools (a bool mask of at "
                            f"least 1 dim), got {a.dtype} of shape {a.shape}")  # fmt: skip
    k = len(arrays)
    if k > self.ndim:
        raise IndexError(f"{what}: too many indices ({k}) for a tensor of shape {self.shape}")
    for axis, a in enumerate(arrays):
        n = self.shape[axis]
        _check_range(a, n, what, f"dim {axis} of size {n} (shape {self.shape})", True)
    try:
        arrays = np.broadcast_arrays(*arrays)
    except ValueError:
        shapes = ", ".join(str(a.shape) for a in arrays)
        raise ValueError(f"{what}: the index shapes {shapes} do not broadcast") from None
    lead, rest = self.shape[:k], self.shape[k:]
    blocks = np.arange(int(np.prod(lead, dtype=np.int64))).reshape(lead)[tuple(arrays)]
    per = int(np.prod(rest, dtype=np.int64))  # each block: the trailing dims' elements
    return (blocks.reshape(-1, 1) * per + np.arange(per)).reshape(blocks.shape + rest)


def _view_targets(self: Tensor, what: str, view: Callable[[Tensor], Tensor]) -> np.ndarray:
    """The flat positions in self of the elements of `view(self)` (in the view's shape);
    the view's own errors are re-raised naming `what`."""
    from ..tensor import constant

    positions = constant(np.arange(self.numel()).reshape(self.shape))
    try:
        return view(positions).data
    except (ValueError, IndexError, TypeError) as e:
        raise type(e)(f"{what}: {e}") from None


def _scatter_view(self: Tensor, src: Any, what: str, view: Callable[[Tensor], Tensor]) -> Tensor:
    """self with the elements of `view(self)` replaced by src (of the view's shape; cast to
    self's dtype, as PyTorch's)."""
    src = _tensor(src, what, "src")
    targets = _view_targets(self, what, view)
    if src.shape != targets.shape:
        raise ValueError(f"{what}: src must have the shape of the slice it replaces, "
                         f"{targets.shape}, got {src.shape}")  # fmt: skip
    return _write(self, targets, src.astype(self.dtype))


def _python_map(self: Tensor, fn: Callable, args: Sequence[np.ndarray], what: str) -> Tensor:
    """self <- fn(*elements) elementwise, as Python numbers, converted to self's dtype."""
    from ..tensor import constant

    if not callable(fn):
        raise TypeError(f"{what}: expected a function, got {type(fn).__name__}")
    if self.requires_grad:
        raise RuntimeError(f"{what}: can't be called on a tensor that requires grad (a Python "
                           f"function has no gradient); use x.detach().{what}(...)")  # fmt: skip
    out = [fn(*xs) for xs in zip(*(a.ravel().tolist() for a in args))]
    bad = [v for v in out if not isinstance(v, (bool, int, float, np.bool_, np.number))]
    if bad:
        raise TypeError(f"{what}: the function must return a number, got {type(bad[0]).__name__}")
    new = np.array(out, dtype=self.dtype).reshape(self.shape)
    return written(self, what, lambda a: constant(new))


class TorchScatterViews:
    """Mixin of `Tensor`: index_put, index_reduce, the view scatters, new_empty, apply_,
    map_, byte/char, float_power_, retains_grad, post-accumulate-grad hooks and small names
    (where, mH, H, adjoint, angle, prelu, hardshrink, unsafe_*)."""

    __slots__ = ()  # Tensor keeps __slots__: no instance __dict__ comes from here
    # register_post_accumulate_grad_hook's hooks, id(leaf) -> list, one table for the class
    # (autograd.backward calls them; an entry goes when its leaf is collected)
    _post_accumulate_hooks: dict[int, list[Callable]] = {}

    # -- values put at indices ----------------------------------------------------------------

    def index_put(self, indices: Sequence[Any], values: Any, accumulate: bool = False) -> Tensor:
        """A copy of self with self[indices] = values (or += values with accumulate, repeats
        adding up): indices is a tuple of integer or bool tensors over the leading dims (as
        `x[i, j]`), values of self's dtype broadcast to the indexed shape. Without accumulate,
        at a repeated index the last value wins (PyTorch leaves it undefined)."""
        what = "index_put"
        values = _tensor(values, what, "values")
        _same_dtype(self, values, what, "values")
        flat = _put_targets(self, indices, what)
        try:
            values = values.broadcast_to(flat.shape)
        except ValueError:
            raise ValueError(f"{what}: values of shape {values.shape} can't be broadcast to the "
                             f"indexed shape {flat.shape}") from None  # fmt: skip
        return _add(self, flat, values) if accumulate else _write(self, flat, values)

    def index_put_(self, indices: Sequence[Any], values: Any, accumulate: bool = False) -> Tensor:
        """`index_put`, in place."""
        return written(self, "index_put_", lambda a: a.index_put(indices, values, accumulate),
                       values)  # fmt: skip

    def index_reduce(self, dim: int, index: Any, source: Any, reduce: str, *,
                     include_self: bool = True) -> Tensor:  # fmt: skip
        """A copy of self whose slices at the 1-D `index` along `dim` are reduced with the
        slices of source sent there (source[..., i, ...] to index[i]): reduce is "prod",
        "mean", "amax" or "amin", self's own value among them when include_self. Gradients as
        `scatter_reduce`'s."""
        what = "index_reduce"
        if reduce not in _INDEX_REDUCES:
            raise ValueError(f"{what}: reduce must be one of {', '.join(_INDEX_REDUCES)}, got "
                             f"{reduce!r}")  # fmt: skip
        source = _tensor(source, what, "source")
        _same_dtype(self, source, what, "source")
        targets = _index_targets(self, dim, index, what, source=source)
        return _reduce(self, targets, source, reduce, bool(include_self))

    def index_reduce_(self, dim: int, index: Any, source: Any, reduce: str, *,
                      include_self: bool = True) -> Tensor:  # fmt: skip
        """`index_reduce`, in place."""
        return written(self, "index_reduce_", lambda a: a.index_reduce(
            dim, index, source, reduce, include_self=include_self), source)  # fmt: skip

    # -- a view's places written ----------------------------------------------------------------

    def diagonal_scatter(self, src: Any, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
        """A copy of self with `self.diagonal(offset, dim1, dim2)` replaced by src (of that
        diagonal's shape)."""
        return _scatter_view(self, src, "diagonal_scatter",
                             lambda p: p.diagonal(offset, dim1, dim2))  # fmt: skip

    def select_scatter(self, src: Any, dim: int, index: int) -> Tensor:
        """A copy of self with `self.select(dim, index)` replaced by src (of its shape)."""
        return _scatter_view(self, src, "select_scatter", lambda p: p.select(dim, index))

    def slice_scatter(self, src: Any, dim: int = 0, start: int | None = None,
                      end: int | None = None, step: int = 1) -> Tensor:  # fmt: skip
        """A copy of self with the slice start:end:step along `dim` replaced by src (of the
        slice's shape); step must be positive."""
        from ..tensor import _axis1

        what = "slice_scatter"
        step = _int(step, what, "step")
        if step <= 0:
            raise ValueError(f"{what}: step must be positive, got {step}")
        axis = _axis1(dim, max(self.ndim, 1), what)
        cut = (slice(None),) * axis + (slice(start, end, step),)
        return _scatter_view(self, src, what, lambda p: p[cut])

    # -- new tensors -----------------------------------------------------------------------

    def new_empty(self, *size: Any, dtype: Any = None, requires_grad: bool = False,
                  device: Any = None, layout: Any = None,
                  pin_memory: bool = False) -> Tensor:  # fmt: skip
        """A new tensor of `size` with self's dtype (or `dtype`), zero-filled (as td.empty:
        PyTorch leaves its values unset). `device` is checked (the CPU only: device.py)."""
        from ..device import check_factory

        check_factory("new_empty", device, layout, pin_memory)
        return self.new_zeros(*size, dtype=dtype, requires_grad=requires_grad)

    def new_empty_strided(self, size: Sequence[int], stride: Sequence[int], *, dtype: Any = None,
                          requires_grad: bool = False) -> Tensor:  # fmt: skip
        """`new_empty(size)`: NumPy arrays here are contiguous, so `stride` (one int per dim)
        is checked but has no effect on the values."""
        size, stride = tuple(size), tuple(stride)
        if len(size) != len(stride):
            raise ValueError(f"new_empty_strided: size {size} and stride {stride} must have "
                             "the same length")  # fmt: skip
        return self.new_zeros(size, dtype=dtype, requires_grad=requires_grad)

    def narrow_copy(self, dim: int, start: int, length: int) -> Tensor:
        """`narrow(dim, start, length)`, as a new tensor rather than a view."""
        return self.narrow(dim, start, length).clone()

    def byte(self) -> Tensor:
        """Converted to uint8 (no gradient, as `long`)."""
        return self.astype(np.uint8)

    def char(self) -> Tensor:
        """Converted to int8 (no gradient, as `long`)."""
        return self.astype(np.int8)

    # -- Python functions in place ------------------------------------------------------------

    def apply_(self, callable: Callable[[Any], Any]) -> Tensor:  # noqa: A002 (PyTorch's name)
        """self[i] <- callable(self[i]) for each element (a Python number), converted to
        self's dtype; refused on a tensor that requires grad, as in PyTorch."""
        return _python_map(self, callable, [self.data], "apply_")

    def map_(self, tensor: Any, callable: Callable[[Any, Any], Any]) -> Tensor:  # noqa: A002
        """self[i] <- callable(self[i], tensor[i]), tensor broadcast to self's shape (not self
        to tensor's); refused on a tensor that requires grad, as in PyTorch."""
        other = _tensor(tensor, "map_", "tensor")
        try:
            b = np.broadcast_to(other.data, self.shape)
        except ValueError:
            raise ValueError(f"map_: tensor of shape {other.shape} can't be broadcast to "
                             f"self's shape {self.shape}") from None  # fmt: skip
        return _python_map(self, callable, [self.data, b], "map_")

    def float_power_(self, exponent: Any) -> Tensor:
        """`float_power`, in place: its result is float64, so self must be float64 (PyTorch
        refuses other dtypes the same way)."""
        if self.dtype != np.float64:
            raise TypeError(f"float_power_: the base has dtype {self.dtype} but the result "
                            "requires float64; use float_power (out of place)")  # fmt: skip
        return written(self, "float_power_", lambda a: a.float_power(exponent), exponent)

    # -- small PyTorch names ------------------------------------------------------------------

    def where(self, condition: Any, y: Any) -> Tensor:
        """self where condition is True, else y: `td.where(condition, self, y)`."""
        from ..functions import where

        return where(condition, self, y)

    @property
    def mH(self) -> Tensor:  # noqa: N802 (PyTorch's name)
        """The conjugate transpose of a batch of matrices: `mT` (real tensors here)."""
        return self.mT

    @property
    def H(self) -> Tensor:  # noqa: N802 (PyTorch's name)
        """The conjugate transpose of a matrix (0-d or 2-D, as PyTorch's): `t()` here."""
        if self.ndim not in (0, 2):
            raise ValueError(f"H: only a matrix (2-D) or a 0-d tensor, got shape {self.shape}; "
                             "use mH for a batch of matrices")  # fmt: skip
        return self.t()

    def adjoint(self) -> Tensor:
        """The conjugate transpose of the last two dims: `mT` (real tensors here)."""
        return self.mT

    def angle(self) -> Tensor:
        """The argument of a real number: pi where x < 0, else 0 (nan stays nan); its
        gradient is 0, as PyTorch's. An integer tensor gives the default float dtype."""
        from ..functions import where

        x = self if self.dtype.kind == "f" else self.astype(get_default_dtype())
        return where(x < 0, np.pi, 0.0).astype(x.dtype) + x * 0

    def prelu(self, weight: Any) -> Tensor:
        """max(0, x) + weight * min(0, x), weight per channel (`F.prelu`)."""
        from ..nn.functional import prelu

        return prelu(self, weight)

    def hardshrink(self, lambd: float = 0.5) -> Tensor:
        """x where |x| > lambd, else 0 (`F.hardshrink`)."""
        from ..nn.functional import hardshrink

        return hardshrink(self, lambd)

    def unsafe_chunk(self, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
        """`chunk` (PyTorch's name without the aliasing checks, which mean nothing here)."""
        return self.chunk(chunks, dim)

    def unsafe_split(self, split_size: int, dim: int = 0) -> tuple[Tensor, ...]:
        """`split` (as `unsafe_chunk`)."""
        return self.split(split_size, dim)

    def unsafe_split_with_sizes(self, split_sizes: Sequence[int], dim: int = 0
                                ) -> tuple[Tensor, ...]:  # fmt: skip
        """`split_with_sizes` (as `unsafe_chunk`)."""
        return self.split_with_sizes(split_sizes, dim)

    # -- gradient bookkeeping ---------------------------------------------------------------

    @property
    def retains_grad(self) -> bool:
        """True for a non-leaf tensor whose `.grad` is kept by `retain_grad()`."""
        node = self.grad_fn
        return node is not None and node._retained is not None and node._retained() is self

    def register_post_accumulate_grad_hook(self, hook: Callable[[Tensor], None]) -> HookHandle:
        """Call `hook(self)` in `backward` each time self's `.grad` has been accumulated (not
        in td.grad, which accumulates nothing): a leaf that requires grad only, as in PyTorch.
        The hook's return value is ignored; `handle.remove()` removes it."""
        from ..tensor import HookHandle

        what = "register_post_accumulate_grad_hook"
        HookHandle.check(hook, what)
        if not self.requires_grad:
            raise RuntimeError(f"{what}: cannot register a hook on a tensor (shape "
                               f"{self.shape}) that does not require grad")  # fmt: skip
        if self.grad_fn is not None:
            raise RuntimeError(f"{what}: post accumulate grad hooks cannot be registered on "
                               "non-leaf tensors")  # fmt: skip
        table = TorchScatterViews._post_accumulate_hooks
        hooks = table.get(id(self))
        if hooks is None:
            hooks = table[id(self)] = []
            weakref.finalize(self, table.pop, id(self), None)
        return HookHandle.add(hooks, hook, what)
