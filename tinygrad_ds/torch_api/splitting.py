"""PyTorch's Tensor methods for splitting, repeating and reshaping (`tensor_split`, `hsplit`,
`repeat_interleave`, `unflatten`, `diagflat`, `sum_to_size`, ...) and for asking about a
tensor's layout and dtype (`is_contiguous`, `stride`, `nbytes`, `is_signed`, ...).

None is a new primitive: the splits are slices (views whose gradients flow back into their
places), `repeat_interleave` one advanced index (repeats add up their gradients),
`unflatten` and `ravel` a reshape, `diagflat` a flatten then `diag`, `sum_to_size` the
engine's own sum over broadcast dims. The layout answers come from the NumPy array under the
tensor (its strides, in elements, and its offset in its base array's memory).

tensor.py imports this module before it defines `Tensor`, so the names needed from there are
imported inside the functions that use them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from .shape import _at_least, _dim, _int

if TYPE_CHECKING:
    from ..tensor import Tensor

__all__ = ["TorchSplitting"]

_ALL = slice(None)


def _bounds(spec: Any, n: int, what: str) -> list[int] | None:
    """The split points of `tensor_split`'s indices_or_sections: a list of indices for a
    sequence or a 1-D tensor; None (sections) for an int or a 0-d tensor."""
    from ..tensor import Tensor, _is_int

    if isinstance(spec, (Tensor, np.ndarray)):
        a = spec.data if isinstance(spec, Tensor) else spec
        if a.dtype.kind not in "iu" or a.ndim > 1:
            raise TypeError(f"{what}: a tensor of indices_or_sections must hold ints and be "
                            f"0-d or 1-D, got {a.dtype} of shape {a.shape}")  # fmt: skip
        return None if a.ndim == 0 else [int(i) for i in a]
    if _is_int(spec):
        return None
    if isinstance(spec, (list, tuple)):
        return [_int(i, what, "an index") for i in spec]
    raise TypeError(f"{what}: indices_or_sections must be an int, a sequence of ints or a "
                    f"tensor, got {spec!r}")  # fmt: skip


class TorchSplitting:
    """Mixin of `Tensor`: splitting, repeating, unflattening; layout and dtype questions."""

    __slots__ = ()  # Tensor keeps __slots__: no instance __dict__ comes from here

    # -- splitting -----------------------------------------------------------------------

    def tensor_split(self, indices_or_sections: Any, dim: int = 0) -> tuple[Tensor, ...]:
        """Views of self along `dim`: `sections` (an int) pieces as equal as can be (the
        first n % sections one longer), or the pieces between the given indices
        (self[:i0], self[i0:i1], ..., self[ik:], each as a Python slice, so indices past
        the end give empty pieces), as np.array_split."""
        what = "tensor_split"
        if self.ndim == 0:
            raise ValueError(f"{what}: expects a tensor of at least 1 dim, got a 0-d one")
        axis = _dim(self, dim, what)
        n = self.shape[axis]
        cuts = _bounds(indices_or_sections, n, what)
        if cuts is None:
            sections = np.asarray(indices_or_sections).item()  # (an int, or a 0-d tensor)
            sections = _int(sections, what, "the number of sections")
            if sections <= 0:
                raise ValueError(f"{what}: the number of sections must be > 0, got {sections}")
            size, extra = divmod(n, sections)
            cuts = [i * size + min(i, extra) for i in range(1, sections)]
        lead = (_ALL,) * axis
        starts, stops = [0, *cuts], [*cuts, None]
        return tuple(self[lead + (slice(a, b),)] for a, b in zip(starts, stops))

    def _split_even(self, spec: Any, axis: int, what: str) -> tuple[Tensor, ...]:
        """hsplit, vsplit, dsplit: tensor_split along `axis`, where sections must divide."""
        from ..tensor import _is_int

        if _is_int(spec) and spec > 0 and self.shape[axis] % spec:
            raise ValueError(f"{what}: dim {axis} of size {self.shape[axis]} (shape "
                             f"{self.shape}) is not divisible into {spec} sections")  # fmt: skip
        return self.tensor_split(spec, axis)

    def hsplit(self, indices_or_sections: Any) -> tuple[Tensor, ...]:
        """Split horizontally: along dim 1 (dim 0 of a 1-D tensor); an int must divide it."""
        _at_least(self, 1, "hsplit")
        return self._split_even(indices_or_sections, 0 if self.ndim == 1 else 1, "hsplit")

    def vsplit(self, indices_or_sections: Any) -> tuple[Tensor, ...]:
        """Split vertically: along dim 0 of a tensor of at least 2 dims."""
        _at_least(self, 2, "vsplit")
        return self._split_even(indices_or_sections, 0, "vsplit")

    def dsplit(self, indices_or_sections: Any) -> tuple[Tensor, ...]:
        """Split in depth: along dim 2 of a tensor of at least 3 dims."""
        _at_least(self, 3, "dsplit")
        return self._split_even(indices_or_sections, 2, "dsplit")

    def split_with_sizes(self, split_sizes: Sequence[int], dim: int = 0) -> tuple[Tensor, ...]:
        """Pieces of the sizes listed along `dim` (they must add up to its length): `split`
        with a list."""
        what = "split_with_sizes"
        if not isinstance(split_sizes, (list, tuple)):
            raise TypeError(f"{what}: split_sizes must be a list of ints, got {split_sizes!r}")
        sizes = [_int(s, what, "a split size") for s in split_sizes]
        axis = _dim(self, dim, what)
        if sum(sizes) != self.shape[axis] or min(sizes, default=0) < 0:
            raise ValueError(f"{what}: sizes {sizes} must be >= 0 and add up to "
                             f"{self.shape[axis]}, the size of dim {axis} (shape "
                             f"{self.shape})")  # fmt: skip
        return self.split(sizes, axis)

    # -- repeating and reshaping ---------------------------------------------------------

    def repeat_interleave(self, repeats: Any = None, dim: int | None = None, *,
                          output_size: int | None = None) -> Tensor:  # fmt: skip
        """Each element (each slice along `dim`; of the flattened self without dim) repeated
        in place: out = [x0]*r0 + [x1]*r1 + ..., np.repeat. `repeats` is an int, or a tensor
        of one count per slice (0-d: one for all). One advanced index, so a repeated
        element's gradient is the sum of its copies'. Without repeats, self (1-D ints) holds
        the counts and the result is the positions repeated: [0]*r0 + [1]*r1 + ...
        `output_size`, if given, must be the result's length."""
        from ..tensor import Tensor, _check_0d_axis, constant

        what = "repeat_interleave"
        if repeats is None:
            if self.ndim != 1 or self.dtype.kind not in "iu":
                raise ValueError(f"{what}: without repeats, the tensor must be 1-D ints (the "
                                 f"counts), got shape {self.shape} and {self.dtype}")  # fmt: skip
            counts = constant(np.arange(self.shape[0], dtype=np.int64))
            return counts.repeat_interleave(self, output_size=output_size)
        if dim is None:
            x, axis = self.reshape(-1), 0
        elif self.ndim == 0:  # one value along dim 0 (or -1), as in PyTorch
            _check_0d_axis(dim, what)
            x, axis = self.reshape(1), 0
        else:
            x, axis = self, _dim(self, dim, what)
        n = x.shape[axis]
        r = repeats.data if isinstance(repeats, Tensor) else np.asarray(repeats)
        if r.dtype.kind not in "iu" or r.ndim > 1:
            raise TypeError(f"{what}: repeats must be an int or a 0-d or 1-D tensor of ints, "
                            f"got {r.dtype} of shape {r.shape}")  # fmt: skip
        if r.ndim == 1 and r.shape[0] != n:
            raise ValueError(f"{what}: repeats must have one count per slice along dim {axis}, "
                             f"got {r.shape[0]} for size {n}")  # fmt: skip
        if r.size and r.min() < 0:
            raise ValueError(f"{what}: repeats must be >= 0, got {r.min()}")
        index = np.repeat(np.arange(n), r)
        if output_size is not None and _int(output_size, what, "output_size") != index.size:
            raise ValueError(f"{what}: output_size {output_size} differs from the result's "
                             f"length {index.size}")  # fmt: skip
        return x[(_ALL,) * axis + (index,)]

    def diagflat(self, offset: int = 0) -> Tensor:
        """The square matrix with self's flattened elements on its `offset`-th diagonal:
        `flatten().diag(offset)`."""
        return self.reshape(-1).diag(_int(offset, "diagflat", "offset"))

    def unflatten(self, dim: int, sizes: Sequence[int]) -> Tensor:
        """Dim `dim` split into dims of `sizes` (one may be -1, inferred), the inverse of
        `flatten`: a reshape (a view)."""
        from ..tensor import _shape_args

        what = "unflatten"
        axis = _dim(self, dim, what)
        sizes = _shape_args((sizes,), what, low=-1)
        if not sizes:
            raise ValueError(f"{what}: sizes must be non-empty")
        known = int(np.prod([s for s in sizes if s != -1]))
        n = self.shape[axis]
        free = sizes.count(-1)
        if free > 1 or (free == 0 and known != n) or (free == 1 and (known == 0 or n % known)):
            raise ValueError(f"{what}: sizes {list(sizes)} don't multiply up to the size {n} "
                             f"of dim {axis} (shape {self.shape})")  # fmt: skip
        return self.reshape(self.shape[:axis] + sizes + self.shape[axis + 1 :])

    def ravel(self) -> Tensor:
        """The elements as a 1-D tensor in row-major order: `reshape(-1)` (a view when the
        memory allows)."""
        return self.reshape(-1)

    def sum_to_size(self, *size: Any) -> Tensor:
        """Summed over the dims that broadcasting `size` to self's shape would expand, down to
        `size` (the adjoint of `expand`): size must be expandable to self's shape."""
        from ..tensor import _shape_args, broadcasts_to

        shape = _shape_args(size, "sum_to_size")
        if not broadcasts_to(shape, self.shape):
            raise ValueError(f"sum_to_size: size {shape} is not expandable to the tensor's "
                             f"shape {self.shape}")  # fmt: skip
        return self.sum_to(shape)

    # -- questions about the tensor ------------------------------------------------------

    def is_same_size(self, other: Tensor) -> bool:
        """Whether other has self's shape."""
        from .shape import _shape_of

        return _shape_of(other, "is_same_size") == self.shape

    def is_nonzero(self) -> bool:
        """Whether the one element of a 1-element tensor is nonzero (more or none is an
        error, as in PyTorch)."""
        if self.numel() != 1:
            many = "no values" if self.numel() == 0 else "more than one value"
            raise RuntimeError(f"is_nonzero: the truth value of a tensor with {many} (shape "
                               f"{self.shape}) is ambiguous")  # fmt: skip
        return bool(self.data.reshape(-1)[0] != 0)

    def is_signed(self) -> bool:
        """Whether the dtype holds negative numbers: signed ints and floats (not bool and
        unsigned ints)."""
        return self.dtype.kind in "if"

    def is_complex(self) -> bool:
        """Whether the dtype is complex: never (a tensor holds no complex numbers here)."""
        return False

    def is_contiguous(self) -> bool:
        """Whether the elements lie in row-major order without gaps in memory (NumPy's
        C_CONTIGUOUS flag): False for a transposed or strided view or an expand, as in
        PyTorch; `contiguous()` makes a copy that is."""
        return bool(self.data.flags.c_contiguous)

    def ndimension(self) -> int:
        """The number of dims (`ndim`, `dim()`)."""
        return self.ndim

    @property
    def nbytes(self) -> int:
        """The bytes of the elements: numel() * itemsize (what the tensor's view spans, not
        its base's memory)."""
        return self.numel() * self.dtype.itemsize

    @property
    def itemsize(self) -> int:
        """The size of one element in bytes (`element_size()`)."""
        return self.dtype.itemsize

    def stride(self, dim: int | None = None) -> Any:
        """The step in memory, in elements, from one index to the next along each dim (a
        tuple), or along `dim`: NumPy's strides divided by the itemsize. An expanded dim's
        is 0. (For dims of size 0 or 1 NumPy and PyTorch may give different, equally
        valid, steps.)"""
        strides = tuple(s // self.dtype.itemsize for s in self.data.strides)
        if dim is None:
            return strides
        return strides[_dim(self, dim, "stride", max(self.ndim, 1))] if self.ndim else 1

    def storage_offset(self) -> int:
        """Where the first element lies in the memory the tensor shares (that of the NumPy
        array that owns it), in elements: 0 unless self is a view that starts further in
        (x[1:].storage_offset() is 1)."""
        base = self.data
        while isinstance(base.base, np.ndarray):
            base = base.base
        return (self.data_ptr() - base.__array_interface__["data"][0]) // self.dtype.itemsize

    def data_ptr(self) -> int:
        """The address of the first element in memory (an int; views share their base's)."""
        return int(self.data.__array_interface__["data"][0])
