"""Package-level shape functions, as in PyTorch: `td.diag(x)`, `td.roll(x, 1)`, `td.meshgrid`.

Each converts its input (a Tensor, an array or a nested list) and calls the Tensor method of
the same name (see shape.py, names.py and more.py), so errors name the function;
`broadcast_tensors`, `broadcast_to` and `meshgrid` are `expand`s (views; their gradients sum
back over the broadcast dims).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..functions import _t
from ..tensor import Tensor, _shape_args

__all__ = [
    "diag", "diagonal", "diag_embed", "trace", "tril", "triu", "roll", "tile", "unbind",
    "narrow", "select", "movedim", "moveaxis", "swapaxes", "swapdims", "index_select", "take",
    "take_along_dim", "masked_select", "nonzero", "diff", "fliplr", "flipud", "rot90", "flip",
    "gather", "split", "chunk", "broadcast_tensors", "broadcast_to", "meshgrid",
]  # fmt: skip

# -- diagonals and triangles -----------------------------------------------------------------


def diag(input: Any, diagonal: int = 0) -> Tensor:
    """A 1-D input as a square matrix with it on the `diagonal`-th diagonal; of a matrix,
    that diagonal (`Tensor.diag`)."""
    return _t(input, "diag").diag(diagonal)


def diagonal(input: Any, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    """out[..., i] = input[..., i, i + offset] over dims dim1, dim2, as a last dim
    (`Tensor.diagonal`)."""
    return _t(input, "diagonal").diagonal(offset, dim1, dim2)


def diag_embed(input: Any, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
    """Diagonal matrices out[..., i, i + offset] = input[..., i] in the new dims dim1, dim2
    (`Tensor.diag_embed`)."""
    return _t(input, "diag_embed").diag_embed(offset, dim1, dim2)


def trace(input: Any) -> Tensor:
    """sum_i input[i, i] of a matrix (`Tensor.trace`)."""
    return _t(input, "trace").trace()


def tril(input: Any, diagonal: int = 0) -> Tensor:
    """input[..., i, j] where j <= i + diagonal, 0 elsewhere (`Tensor.tril`)."""
    return _t(input, "tril").tril(diagonal)


def triu(input: Any, diagonal: int = 0) -> Tensor:
    """input[..., i, j] where j >= i + diagonal, 0 elsewhere (`Tensor.triu`)."""
    return _t(input, "triu").triu(diagonal)


# -- rolling, tiling, reordering -------------------------------------------------------------


def roll(input: Any, shifts: Any, dims: Any = None) -> Tensor:
    """Elements shifted cyclically along dims (the flattened input without dims), as
    `Tensor.roll`."""
    return _t(input, "roll").roll(shifts, dims)


def tile(input: Any, dims: Sequence[int]) -> Tensor:
    """Copies of input, dims[i] times along dim i (ones prepended to dims), as `Tensor.tile`."""
    return _t(input, "tile").tile(dims)


def movedim(input: Any, source: Any, destination: Any) -> Tensor:
    """Dims `source` moved to `destination`, the others in order (`Tensor.movedim`)."""
    return _t(input, "movedim").movedim(source, destination)


moveaxis = movedim


def swapaxes(input: Any, axis0: int, axis1: int) -> Tensor:
    """Dims axis0 and axis1 swapped (`Tensor.swapaxes`)."""
    return _t(input, "swapaxes").swapaxes(axis0, axis1)


def swapdims(input: Any, dim0: int, dim1: int) -> Tensor:
    """Dims dim0 and dim1 swapped (`Tensor.swapdims`)."""
    return _t(input, "swapdims").swapdims(dim0, dim1)


def fliplr(input: Any) -> Tensor:
    """Columns reversed: flip(input, 1) (`Tensor.fliplr`)."""
    return _t(input, "fliplr").fliplr()


def flipud(input: Any) -> Tensor:
    """Rows reversed: flip(input, 0) (`Tensor.flipud`)."""
    return _t(input, "flipud").flipud()


def rot90(input: Any, k: int = 1, dims: Sequence[int] = (0, 1)) -> Tensor:
    """Rotated by k * 90 degrees from dims[0] towards dims[1] (`Tensor.rot90`)."""
    return _t(input, "rot90").rot90(k, dims)


def flip(input: Any, dims: Any) -> Tensor:
    """Elements reversed along each of `dims`, an int or a tuple (`Tensor.flip`)."""
    return _t(input, "flip").flip(dims)


# -- splitting, selecting and taking ---------------------------------------------------------


def unbind(input: Any, dim: int = 0) -> tuple[Tensor, ...]:
    """The slices along `dim`, each without that dim (`Tensor.unbind`)."""
    return _t(input, "unbind").unbind(dim)


def split(tensor: Any, split_size_or_sections: Any, dim: int = 0) -> tuple[Tensor, ...]:
    """Pieces along `dim` of one size (the last smaller) or of the sizes listed
    (`Tensor.split`)."""
    return _t(tensor, "split").split(split_size_or_sections, dim)


def chunk(input: Any, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
    """At most `chunks` pieces along `dim`, of size ceil(n / chunks) (`Tensor.chunk`)."""
    return _t(input, "chunk").chunk(chunks, dim)


def narrow(input: Any, dim: int, start: int, length: int) -> Tensor:
    """input[..., start : start + length, ...] along `dim` (`Tensor.narrow`)."""
    return _t(input, "narrow").narrow(dim, start, length)


def select(input: Any, dim: int, index: int) -> Tensor:
    """input[..., index, ...] along `dim`, that dim removed (`Tensor.select`)."""
    return _t(input, "select").select(dim, index)


def index_select(input: Any, dim: int, index: Any) -> Tensor:
    """The slices at the 1-D `index` along `dim` (`Tensor.index_select`)."""
    return _t(input, "index_select").index_select(dim, index)


def take(input: Any, index: Any) -> Tensor:
    """Elements of the flattened input at `index`, in index's shape (`Tensor.take`)."""
    return _t(input, "take").take(index)


def take_along_dim(input: Any, indices: Any, dim: int | None = None) -> Tensor:
    """`gather` along `dim` with input and indices broadcast (`Tensor.take_along_dim`)."""
    return _t(input, "take_along_dim").take_along_dim(indices, dim)


def gather(input: Any, dim: int, index: Any) -> Tensor:
    """out[i][j] = input[index[i][j]][j] for dim 0 (and so on), as `Tensor.gather`."""
    return _t(input, "gather").gather(dim, index)


def masked_select(input: Any, mask: Any) -> Tensor:
    """The elements where the (broadcast) bool mask is True, 1-D (`Tensor.masked_select`)."""
    return _t(input, "masked_select").masked_select(mask)


def nonzero(input: Any, *, as_tuple: bool = False) -> Tensor | tuple[Tensor, ...]:
    """The int64 positions of the nonzero elements (`Tensor.nonzero`)."""
    return _t(input, "nonzero").nonzero(as_tuple)


def diff(input: Any, n: int = 1, dim: int = -1, prepend: Any = None,
         append: Any = None) -> Tensor:  # fmt: skip
    """The n-th forward difference along `dim` (`Tensor.diff`)."""
    return _t(input, "diff").diff(n, dim, prepend, append)


# -- broadcasting ----------------------------------------------------------------------------


def broadcast_tensors(*tensors: Any) -> tuple[Tensor, ...]:
    """The tensors expanded to their common broadcast shape (views; each gradient is summed
    back to its tensor's shape)."""
    ts = [_t(t, "broadcast_tensors") for t in tensors]
    try:
        shape = np.broadcast_shapes(*[t.shape for t in ts])
    except ValueError:
        raise ValueError(
            f"broadcast_tensors: shapes {[t.shape for t in ts]} do not broadcast"
        ) from None
    return tuple(t.expand(shape) for t in ts)


def broadcast_to(input: Any, size: Any) -> Tensor:
    """input expanded to `size` (-1 keeps a dim), a view: `Tensor.expand`."""
    x = _t(input, "broadcast_to")
    shape = _shape_args((size,), "broadcast_to", low=-1)
    try:
        return x.expand(shape)
    except ValueError:
        raise ValueError(f"broadcast_to: cannot broadcast shape {x.shape} to {shape}") from None


def meshgrid(*tensors: Any, indexing: str = "ij") -> tuple[Tensor, ...]:
    """Coordinate grids from 1-D (or 0-d) tensors x_1, ..., x_k (or one list of them): with
    indexing "ij" every output has shape (n_1, ..., n_k) and out_i[..., a_i, ...] = x_i[a_i];
    with "xy" (Cartesian, as NumPy's default) the first two dims are swapped. Each output is
    x_i reshaped and expanded (a view), so its gradient sums back onto x_i."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing not in ("ij", "xy"):
        raise ValueError(f"meshgrid: indexing must be 'ij' or 'xy', got {indexing!r}")
    ts = [_t(t, "meshgrid") for t in tensors]
    if not ts:
        raise ValueError("meshgrid: expects at least one tensor")
    for t in ts:
        if t.ndim > 1:
            raise ValueError(f"meshgrid: expects 0-d or 1-D tensors, got shape {t.shape}")
    if len({t.dtype for t in ts}) > 1:
        raise TypeError(f"meshgrid: expects tensors of one dtype, got {[str(t.dtype) for t in ts]}")
    axes = list(range(len(ts)))
    if indexing == "xy" and len(ts) > 1:
        axes[0], axes[1] = 1, 0
    shape = [0] * len(ts)
    for t, a in zip(ts, axes):
        shape[a] = t.numel()
    return tuple(t.reshape([-1 if d == a else 1 for d in range(len(ts))]).expand(shape)
                 for t, a in zip(ts, axes))  # fmt: skip
