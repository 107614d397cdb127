"""PyTorch's Tensor methods for diagonals, triangles, rolling, splitting, selecting and taking.

None is a new primitive: each is a permute, a reshape, a slice or one advanced index
(`x[..., rows, cols]`), a `where` with a constant mask, or a `cat` of slices, so its gradient
is theirs (an index scatters the gradient back to where each element came from, adding up
repeats) and second derivatives come free. Results without a gradient (`nonzero`) are int64
constants. Dims may be negative (counted from the end); errors name the method and the shape.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from ..tensor import Tensor

__all__ = ["TorchShape"]

_ALL = slice(None)


def _int(n: Any, what: str, name: str) -> int:
    """`n` as a Python int (NumPy ints pass; bools, floats and the rest are a TypeError)."""
    from ..tensor import _is_int

    if not _is_int(n):
        raise TypeError(f"{what}: {name} must be an int, got {n!r} ({type(n).__name__})")
    return int(n)


def _ints(value: Any, what: str, name: str) -> tuple[int, ...]:
    """One int or a sequence of ints as a tuple of ints (`roll`'s shifts, `movedim`'s dims)."""
    values = tuple(value) if isinstance(value, (tuple, list)) else (value,)
    return tuple(_int(v, what, name) for v in values)


def _dim(x: Tensor, dim: Any, what: str, ndim: int | None = None) -> int:
    """One dim of x (of a tensor of `ndim` dims, x's by default) in range(ndim); an error
    names `what` and x's shape."""
    from ..tensor import _axis1

    try:
        return _axis1(dim, x.ndim if ndim is None else ndim, what)
    except IndexError as e:
        raise IndexError(f"{e} (shape {x.shape})") from None


def _two_dims(x: Tensor, dim1: Any, dim2: Any, what: str, ndim: int | None = None) -> tuple:
    """Two different dims (a matrix's rows and columns within x), each in range(ndim)."""
    a, b = _dim(x, dim1, what, ndim), _dim(x, dim2, what, ndim)
    if a == b:
        raise ValueError(
            f"{what}: dim1 and dim2 are both {a} for a tensor of shape {x.shape} "
            f"(given {dim1} and {dim2}); they must differ"
        )
    return a, b


def _at_least(x: Tensor, ndim: int, what: str) -> None:
    """A ValueError naming `what` unless x has at least `ndim` dims."""
    if x.ndim < ndim:
        dims = "dim" if ndim == 1 else "dims"
        raise ValueError(f"{what}: expects a tensor of at least {ndim} {dims}, got shape {x.shape}")


def _index_array(index: Any, what: str, name: str = "index") -> np.ndarray:
    """An index (Tensor or array-like) as an integer ndarray; bool and float are a TypeError
    (an empty list is an empty integer index)."""
    from ..tensor import Tensor

    idx = index.data if isinstance(index, Tensor) else np.asarray(index)
    if idx.size == 0 and idx.dtype.kind == "f" and not isinstance(index, (Tensor, np.ndarray)):
        idx = idx.astype(np.int64)
    if idx.dtype.kind not in "iu":
        raise TypeError(f"{what}: the {name} must hold integers, not {idx.dtype}")
    return idx


def _check_range(idx: np.ndarray, n: int, what: str, place: str, negative: bool) -> None:
    """An IndexError naming `what` and `place` unless every index is in [0, n) (in [-n, n)
    when negative indices count from the end)."""
    low = -n if negative else 0
    if idx.size and (idx.min() < low or idx.max() >= n):
        bad = idx.min() if idx.min() < low else idx.max()
        raise IndexError(
            f"{what}: index {bad} is out of range for {place}; indices must be in [{low}, {n})"
        )


def _shape_of(other: Any, what: str) -> tuple[int, ...]:
    """The shape of `other`, a Tensor or an ndarray (the `*_as` methods' argument)."""
    from ..tensor import Tensor

    if not isinstance(other, (Tensor, np.ndarray)):
        raise TypeError(f"{what}: expected a tensor, got {type(other).__name__}")
    return tuple(other.shape)


def _zero(x: Tensor) -> Tensor:
    """A 0-d constant 0 of x's dtype (what `where` puts off a diagonal or triangle)."""
    from ..tensor import constant

    return constant(np.zeros((), x.dtype))


class TorchShape:
    """Mixin of `Tensor`: diagonals, triangles, rolling, splitting, selecting, taking."""

    __slots__ = ()  # Tensor keeps __slots__: no instance __dict__ comes from here

    # -- diagonals and triangles ---------------------------------------------------------

    def diagonal(self, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
        """The diagonal out[..., i] = self[..., i, i + offset] of the matrices over dims
        `dim1` (rows) and `dim2` (columns), as a new LAST dim after the others (offset > 0:
        above the main diagonal, < 0: below; empty beyond the edge), as PyTorch. Composed:
        the two dims permuted to the end, then one advanced index with two aranges, so the
        gradient goes back onto the diagonal. A copy (PyTorch's is a view)."""
        offset = _int(offset, "diagonal", "offset")
        _at_least(self, 2, "diagonal")
        a, b = _two_dims(self, dim1, dim2, "diagonal")
        n, m = self.shape[a], self.shape[b]
        length = max(0, min(n, m - offset) if offset >= 0 else min(n + offset, m))
        i = np.arange(length)
        rest = [d for d in range(self.ndim) if d not in (a, b)]
        return self.permute(*rest, a, b)[..., i + max(-offset, 0), i + max(offset, 0)]

    def trace(self) -> Tensor:
        """sum_i self[i, i] of a matrix (2-D only, as PyTorch): the diagonal's sum, so the
        gradient is g times the identity. Integer and bool matrices give int64."""
        if self.ndim != 2:
            raise ValueError(f"trace: expects a matrix (2-D), got shape {self.shape}")
        return self.diagonal().sum()

    def diag_embed(self, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
        """Diagonal matrices from the last dim: out[..., i, i + offset] = self[..., i] over the
        dims `dim1`, `dim2` of the result (which has one dim more; size n + |offset|), zero
        elsewhere: the inverse of `diagonal`. Composed: `where(eye, self, 0)` with self
        broadcast along a new dim, padded for the offset, the two new dims then moved to
        dim1, dim2; the gradient is the diagonal of g."""
        from ..functions import where

        offset = _int(offset, "diag_embed", "offset")
        _at_least(self, 1, "diag_embed")
        a, b = _two_dims(self, dim1, dim2, "diag_embed", self.ndim + 1)
        n, k = self.shape[-1], abs(offset)
        square = where(np.eye(n, dtype=bool), self.unsqueeze(-1), _zero(self))
        rows, cols = ((0, k), (k, 0)) if offset >= 0 else ((k, 0), (0, k))
        square = square.pad([(0, 0)] * (self.ndim - 1) + [rows, cols])
        return square.movedim((-2, -1), (a, b))

    def diag(self, diagonal: int = 0) -> Tensor:
        """PyTorch's diag: of a 1-D tensor, the square matrix with it on the `diagonal`-th
        diagonal (`diag_embed`); of a matrix, its `diagonal`-th diagonal (`diagonal`)."""
        if self.ndim == 1:
            return self.diag_embed(diagonal, 0, 1)
        if self.ndim == 2:
            return self.diagonal(diagonal)
        raise ValueError(f"diag: expects a 1-D or 2-D tensor, got shape {self.shape}")

    def tril(self, diagonal: int = 0) -> Tensor:
        """The lower triangle of the matrices in the last two dims: self[..., i, j] where
        j <= i + diagonal, 0 elsewhere; where(mask, self, 0), so the gradient is g times
        the mask."""
        return self._triangle(diagonal, "tril")

    def triu(self, diagonal: int = 0) -> Tensor:
        """The upper triangle of the matrices in the last two dims: self[..., i, j] where
        j >= i + diagonal, 0 elsewhere; where(mask, self, 0), so the gradient is g times
        the mask."""
        return self._triangle(diagonal, "triu")

    def _triangle(self, diagonal: int, what: str) -> Tensor:
        from ..functions import where

        diagonal = _int(diagonal, what, "diagonal")
        _at_least(self, 2, what)
        n, m = self.shape[-2:]
        if what == "tril":
            keep = np.tri(n, m, diagonal, dtype=bool)  # j <= i + diagonal
        else:
            keep = ~np.tri(n, m, diagonal - 1, dtype=bool)  # j >= i + diagonal
        return where(keep, self, _zero(self))

    # -- rolling, tiling, reordering -----------------------------------------------------

    def roll(self, shifts: int | tuple[int, ...], dims: int | tuple[int, ...] | None = None
             ) -> Tensor:  # fmt: skip
        """Elements shifted cyclically: out[..., (i + shift) % n, ...] = self[..., i, ...]
        along each dim in `dims` (ints or tuples, shifts and dims paired); without dims the
        flattened tensor is rolled and its shape restored, as PyTorch. Composed: a `cat` of
        the two slices, so the gradient is rolled back. A copy."""
        from ..functions import cat

        steps = _ints(shifts, "roll", "shifts")
        if dims is None:
            if len(steps) != 1:
                raise ValueError(
                    f"roll: without dims, shifts must be one int (the flattened tensor is "
                    f"rolled), got {shifts!r} for shape {self.shape}"
                )
            return self.reshape(-1).roll(steps, 0).reshape(self.shape)
        axes = _ints(dims, "roll", "dims")
        if len(axes) != len(steps):
            raise ValueError(
                f"roll: shifts {shifts!r} and dims {dims!r} must have the same length "
                f"(shape {self.shape})"
            )
        x = self
        for shift, dim in zip(steps, axes):
            axis = _dim(self, dim, "roll")
            n = self.shape[axis]
            if n and shift % n:  # the last `shift` elements first, then the others
                lead, cut = (_ALL,) * axis, n - shift % n
                x = cat([x[lead + (slice(cut, None),)], x[lead + (slice(0, cut),)]], dim=axis)
        return self.clone() if x is self else x

    def tile(self, *dims: Any) -> Tensor:
        """PyTorch's tile: copies of self, dims[i] times along dim i; with fewer dims than
        self has, ones are prepended (tile(2) of a matrix repeats its columns), with more,
        new leading dims are added. `repeat` with those sizes (the gradient sums the copies)."""
        from ..tensor import _shape_args

        sizes = _shape_args(dims, "tile")
        return self.repeat(*((1,) * (self.ndim - len(sizes)) + sizes))

    def movedim(self, source: int | tuple[int, ...], destination: int | tuple[int, ...]
                ) -> Tensor:  # fmt: skip
        """Dims moved: each dim in `source` (an int or a tuple) goes to the place of the
        matching one in `destination`, the others keep their order. A `permute` (a view)."""
        src = _ints(source, "movedim", "source")
        dst = _ints(destination, "movedim", "destination")
        if len(src) != len(dst):
            raise ValueError(
                f"movedim: source {source!r} and destination {destination!r} must name as "
                f"many dims (shape {self.shape})"
            )
        nd = max(self.ndim, 1)  # a 0-d tensor's one dim is 0 (or -1)
        src = tuple(_dim(self, d, "movedim", nd) for d in src)
        dst = tuple(_dim(self, d, "movedim", nd) for d in dst)
        for name, given, dims in (("source", source, src), ("destination", destination, dst)):
            if len(set(dims)) != len(dims):
                raise ValueError(f"movedim: repeated dim in {name} {given!r}")
        if self.ndim == 0:
            return self
        order = [d for d in range(self.ndim) if d not in src]
        for d, s in sorted(zip(dst, src)):
            order.insert(d, s)
        return self.permute(order)

    moveaxis = movedim

    def swapaxes(self, axis0: int, axis1: int) -> Tensor:
        """Dims axis0 and axis1 swapped (`transpose(axis0, axis1)`), a view."""
        return self.transpose(_dim(self, axis0, "swapaxes"), _dim(self, axis1, "swapaxes"))

    def swapdims(self, dim0: int, dim1: int) -> Tensor:
        """Dims dim0 and dim1 swapped (`transpose(dim0, dim1)`), a view."""
        return self.transpose(_dim(self, dim0, "swapdims"), _dim(self, dim1, "swapdims"))

    def view_as(self, other: Any) -> Tensor:
        """`view(other.shape)`: self's elements with other's shape (numbers must agree)."""
        return self._reshaped_as(other, "view_as")

    def reshape_as(self, other: Any) -> Tensor:
        """`reshape(other.shape)`: self's elements with other's shape (numbers must agree)."""
        return self._reshaped_as(other, "reshape_as")

    def _reshaped_as(self, other: Any, what: str) -> Tensor:
        shape = _shape_of(other, what)
        if int(np.prod(shape)) != self.numel():
            raise ValueError(
                f"{what}: cannot reshape a tensor of shape {self.shape} ({self.numel()} "
                f"elements) into shape {shape}"
            )
        return self.reshape(shape)

    def expand_as(self, other: Any) -> Tensor:
        """`expand(other.shape)`: self broadcast to other's shape, without copying; the
        gradient is summed back over the broadcast dims."""
        from ..tensor import broadcasts_to

        shape = _shape_of(other, "expand_as")
        if not broadcasts_to(self.shape, shape):
            raise ValueError(f"expand_as: cannot broadcast shape {self.shape} to {shape}")
        return self.expand(shape)

    def fliplr(self) -> Tensor:
        """Columns in reverse order: `flip(1)` (at least 2 dims)."""
        _at_least(self, 2, "fliplr")
        return self.flip(1)

    def flipud(self) -> Tensor:
        """Rows in reverse order: `flip(0)` (at least 1 dim)."""
        _at_least(self, 1, "flipud")
        return self.flip(0)

    def rot90(self, k: int = 1, dims: tuple[int, int] = (0, 1)) -> Tensor:
        """Rotated by k * 90 degrees in the plane of `dims`, from the first dim towards the
        second (k < 0 the other way), as PyTorch and np.rot90: k = 1 is flip(dims[1]) then
        the two dims swapped, k = 2 flip of both, k = 3 flip(dims[0]) then swapped. A copy."""
        k = _int(k, "rot90", "k")
        if not isinstance(dims, (tuple, list)) or len(dims) != 2:
            raise ValueError(f"rot90: dims must be a pair of dims, got {dims!r}")
        _at_least(self, 2, "rot90")
        a, b = _two_dims(self, dims[0], dims[1], "rot90")
        k %= 4
        if k == 0:
            return self.clone()
        if k == 2:
            return self.flip(a, b)
        return self.flip(b if k == 1 else a).transpose(a, b)

    # -- splitting and selecting ---------------------------------------------------------

    def unbind(self, dim: int = 0) -> tuple[Tensor, ...]:
        """The slices along `dim`, each without that dim: (select(dim, 0), select(dim, 1),
        ...), as a tuple of views."""
        if self.ndim == 0:
            raise ValueError("unbind: a 0-d tensor has no dim to unbind")
        axis = _dim(self, dim, "unbind")
        return tuple(self.select(axis, i) for i in range(self.shape[axis]))

    def narrow(self, dim: int, start: int, length: int) -> Tensor:
        """self[..., start : start + length, ...] along `dim` (start < 0 counts from the
        end), a view."""
        if self.ndim == 0:
            raise ValueError("narrow: cannot narrow a 0-d tensor")
        axis = _dim(self, dim, "narrow")
        start, length = _int(start, "narrow", "start"), _int(length, "narrow", "length")
        n = self.shape[axis]
        if not -n <= start <= n:
            raise IndexError(
                f"narrow: start {start} is out of range for dim {axis} of size {n} (shape "
                f"{self.shape}); it must be in [{-n}, {n}]"
            )
        start += n if start < 0 else 0
        if length < 0:
            raise ValueError(f"narrow: length must be >= 0, got {length}")
        if start + length > n:
            raise ValueError(
                f"narrow: start ({start}) + length ({length}) exceeds the size {n} of dim "
                f"{axis} (shape {self.shape})"
            )
        return self[(_ALL,) * axis + (slice(start, start + length),)]

    def select(self, dim: int, index: int) -> Tensor:
        """self[..., index, ...] along `dim` (that dim removed; index < 0 counts from the
        end), a view."""
        if self.ndim == 0:
            raise IndexError("select: cannot select from a 0-d tensor")
        axis = _dim(self, dim, "select")
        index, n = _int(index, "select", "index"), self.shape[axis]
        if not -n <= index < n:
            raise IndexError(
                f"select: index {index} is out of range for dim {axis} of size {n} (shape "
                f"{self.shape}); it must be in [{-n}, {n})"
            )
        return self[(_ALL,) * axis + (index,)]

    # -- taking by index -----------------------------------------------------------------

    def index_select(self, dim: int, index: Any) -> Tensor:
        """The slices at positions `index` (a 1-D int index; a 0-d one counts as 1-D) along
        `dim`, in its order: self[..., index, ...]. One advanced index, so a repeated
        position's gradient adds up. Indices must be in [0, n), as in PyTorch."""
        from ..tensor import _check_0d_axis

        idx = _index_array(index, "index_select")
        if idx.ndim > 1:
            raise ValueError(f"index_select: the index must be 1-D (or 0-d), got shape {idx.shape}")
        if self.ndim == 0:  # one value along dim 0 (or -1)
            _check_0d_axis(dim, "index_select")
            return self.reshape(1).index_select(0, idx).reshape(idx.shape)
        axis = _dim(self, dim, "index_select")
        n = self.shape[axis]
        _check_range(idx, n, "index_select", f"dim {axis} of size {n} (shape {self.shape})",
                     negative=False)  # fmt: skip
        return self[(_ALL,) * axis + (idx.reshape(-1).astype(np.intp, copy=False),)]

    def take(self, index: Any) -> Tensor:
        """Elements of the flattened self at `index` (any shape; < 0 counts from the end):
        the result has index's shape. `reshape(-1)[index]`, so repeats add up their
        gradients."""
        idx = _index_array(index, "take")
        n = self.numel()
        _check_range(idx, n, "take", f"a tensor of {n} elements (shape {self.shape})",
                     negative=True)  # fmt: skip
        return self.reshape(-1)[idx.astype(np.intp, copy=False)]

    def take_along_dim(self, indices: Any, dim: int | None = None) -> Tensor:
        """`gather` along `dim` with self and `indices` broadcast against each other outside
        that dim (NumPy's take_along_axis); indices < 0 count from the end. Without dim, of
        the flattened self by the flattened indices (there in [0, n), as in PyTorch)."""
        idx = _index_array(indices, "take_along_dim", "indices")
        if dim is None:
            n = self.numel()
            _check_range(idx, n, "take_along_dim", f"a tensor of {n} elements (shape "
                         f"{self.shape})", negative=False)  # fmt: skip
            return self.reshape(-1)[idx.reshape(-1).astype(np.intp, copy=False)]
        axis = _dim(self, dim, "take_along_dim")
        if idx.ndim != self.ndim:
            raise ValueError(
                f"take_along_dim: the indices must have as many dims as the tensor, got "
                f"shapes {idx.shape} and {self.shape}"
            )
        n = self.shape[axis]
        _check_range(idx, n, "take_along_dim", f"dim {axis} of size {n} (shape {self.shape})",
                     negative=True)  # fmt: skip
        try:
            outer = np.broadcast_shapes(*[s[:axis] + (1,) + s[axis + 1 :]
                                          for s in (self.shape, idx.shape)])  # fmt: skip
        except ValueError:
            raise ValueError(
                f"take_along_dim: shapes {self.shape} and {idx.shape} do not broadcast "
                f"outside dim {axis}"
            ) from None
        x = self.expand(outer[:axis] + (n,) + outer[axis + 1 :])
        idx = np.broadcast_to(idx, outer[:axis] + (idx.shape[axis],) + outer[axis + 1 :])
        return x.gather(axis, idx % n if n else idx)

    def masked_select(self, mask: Any) -> Tensor:
        """The elements where the bool `mask` is True, as a 1-D tensor in row-major order;
        self and mask are broadcast together first. One boolean index of the broadcast self
        (the gradient is summed back over broadcast dims)."""

        from .names import bool_mask

        m = bool_mask(mask, "masked_select")
        try:
            shape = np.broadcast_shapes(self.shape, m.shape)
        except ValueError:
            raise ValueError(
                f"masked_select: a mask of shape {m.shape} does not broadcast with the "
                f"tensor's shape {self.shape}"
            ) from None
        return self.expand(shape)[np.broadcast_to(m, shape)]

    def nonzero(self, as_tuple: bool = False) -> Tensor | tuple[Tensor, ...]:
        """The positions of the nonzero elements, in row-major order: an int64 (count, ndim)
        tensor, or with as_tuple=True a tuple of one 1-D int64 tensor per dim (a 0-d tensor
        counts as 1-D there, as in PyTorch). Constants (no gradient)."""
        from ..tensor import constant

        if as_tuple:
            return tuple(constant(i.astype(np.int64, copy=False))
                         for i in np.nonzero(self.data.reshape(-1) if self.ndim == 0
                                             else self.data))  # fmt: skip
        return constant(np.argwhere(self.data).astype(np.int64, copy=False))

    def diff(self, n: int = 1, dim: int = -1, prepend: Any = None, append: Any = None
             ) -> Tensor:  # fmt: skip
        """The n-th forward difference along `dim`: out[i] = x[i + 1] - x[i], n times, where
        x is self with `prepend` and `append` (tensors of self's shape outside `dim`) joined
        on either side; n = 0 gives self. Bool tensors give x[i + 1] != x[i] (a constant), as
        PyTorch's logical xor. Slices and a subtraction, so the gradient is exact."""
        from ..functions import cat

        n = _int(n, "diff", "n")
        if n < 0:
            raise ValueError(f"diff: n must be >= 0, got {n}")
        _at_least(self, 1, "diff")
        axis = _dim(self, dim, "diff")
        parts = [self]
        for name, extra in (("prepend", prepend), ("append", append)):
            if extra is None:
                continue
            e = self._operand(extra, "diff")
            if e.ndim != self.ndim or any(
                p != q for d, (p, q) in enumerate(zip(e.shape, self.shape)) if d != axis
            ):
                raise ValueError(
                    f"diff: {name} of shape {e.shape} must match the tensor's shape "
                    f"{self.shape} in every dim but dim {axis}"
                )
            parts.insert(0 if name == "prepend" else len(parts), e)
        if n == 0 or len(parts) == 1:  # (n = 0 leaves prepend and append out, as PyTorch)
            x = self
        else:
            x = cat(parts, dim=axis)
        lead = (_ALL,) * axis
        for _ in range(n):
            after, before = x[lead + (slice(1, None),)], x[lead + (slice(None, -1),)]
            x = after != before if x.dtype == np.bool_ else after - before
        return x

    def unfold(self, dimension: int, size: int, step: int) -> Tensor:
        """The windows self[..., i * step : i * step + size, ...] along `dimension`, each as a
        new LAST dim of length `size`: `dimension` becomes (n - size) // step + 1 long. One
        advanced index with a (windows, size) grid of positions, so where windows overlap
        their gradients add up."""
        from ..tensor import _check_0d_axis

        size, step = _int(size, "unfold", "size"), _int(step, "unfold", "step")
        if self.ndim == 0:  # one value along dim 0 (or -1), as in PyTorch
            _check_0d_axis(dimension, "unfold")
            return self.reshape(1).unfold(0, size, step).reshape(-1)
        axis = _dim(self, dimension, "unfold")
        n = self.shape[axis]
        if size < 0:
            raise ValueError(f"unfold: size must be >= 0, got {size}")
        if size > n:
            raise ValueError(
                f"unfold: size {size} is larger than dim {axis} of size {n} (shape {self.shape})"
            )
        if step <= 0:
            raise ValueError(f"unfold: step must be positive, got {step}")
        windows = np.arange((n - size) // step + 1)[:, None] * step + np.arange(size)
        return self[(_ALL,) * axis + (windows,)].movedim(axis + 1, -1)
