"""Package-level splitting, stacking and reshaping functions, as PyTorch's: `td.hstack(ts)`,
`td.tensor_split(x, 3)`, `td.atleast_2d(x)`, `td.repeat_interleave(x, 2)`, ...

The splits and reshapes convert their input and call the Tensor method of the same name
(splitting.py). The stacks are `cat` of their inputs made 1-, 2- or 3-D first (`atleast_*d`,
reshapes), so each input's gradient is its slice of the result's.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..functions import _t, _tensors, cat
from ..tensor import Tensor

__all__ = [
    "tensor_split", "hsplit", "vsplit", "dsplit", "hstack", "vstack", "dstack",
    "column_stack", "row_stack", "atleast_1d", "atleast_2d", "atleast_3d",
    "repeat_interleave", "diagflat", "unflatten", "ravel", "concat", "is_same_size",
    "is_nonzero", "is_signed", "is_complex",
]  # fmt: skip

concat = cat  # PyTorch's other name for cat (as concatenate)

# -- splitting -----------------------------------------------------------------------------


def tensor_split(input: Any, indices_or_sections: Any, dim: int = 0) -> tuple[Tensor, ...]:
    """Views of input along `dim`: that many pieces as equal as can be, or the pieces
    between the indices given (`Tensor.tensor_split`)."""
    return _t(input, "tensor_split").tensor_split(indices_or_sections, dim)


def hsplit(input: Any, indices_or_sections: Any) -> tuple[Tensor, ...]:
    """`tensor_split` along dim 1 (dim 0 of a 1-D input); an int must divide it."""
    return _t(input, "hsplit").hsplit(indices_or_sections)


def vsplit(input: Any, indices_or_sections: Any) -> tuple[Tensor, ...]:
    """`tensor_split` along dim 0 of an input of at least 2 dims."""
    return _t(input, "vsplit").vsplit(indices_or_sections)


def dsplit(input: Any, indices_or_sections: Any) -> tuple[Tensor, ...]:
    """`tensor_split` along dim 2 of an input of at least 3 dims."""
    return _t(input, "dsplit").dsplit(indices_or_sections)


# -- at least n dims, and stacking ---------------------------------------------------------


def _at_least(tensors: tuple[Any, ...], shape_of: Any, what: str) -> Any:
    """Each tensor reshaped by `shape_of` (its shape to the new one): one tensor for one, a
    tuple for several or for one list of them, as PyTorch."""
    one = len(tensors) == 1 and not isinstance(tensors[0], (list, tuple))
    items = tensors[0] if len(tensors) == 1 and not one else tensors
    out = tuple(t.reshape(shape_of(t.shape)) for t in (_t(x, what) for x in items))
    return out[0] if one else out


def atleast_1d(*tensors: Any) -> Tensor | tuple[Tensor, ...]:
    """Each input with at least 1 dim: a 0-d one becomes shape (1,), the rest as they are."""
    return _at_least(tensors, lambda s: s or (1,), "atleast_1d")


def atleast_2d(*tensors: Any) -> Tensor | tuple[Tensor, ...]:
    """Each input with at least 2 dims: 0-d becomes (1, 1), (n,) becomes (1, n)."""
    return _at_least(tensors, lambda s: (1,) * (2 - len(s)) + s if len(s) < 2 else s,
                     "atleast_2d")  # fmt: skip


def _3d(shape: tuple[int, ...]) -> tuple[int, ...]:
    """NumPy's and PyTorch's rule: () -> (1, 1, 1), (n,) -> (1, n, 1), (m, n) -> (m, n, 1)."""
    return {0: (1, 1, 1), 1: (1, *shape, 1), 2: (*shape, 1)}.get(len(shape), shape)


def atleast_3d(*tensors: Any) -> Tensor | tuple[Tensor, ...]:
    """Each input with at least 3 dims: () -> (1, 1, 1), (n,) -> (1, n, 1), (m, n) ->
    (m, n, 1)."""
    return _at_least(tensors, _3d, "atleast_3d")


def _stacked(tensors: Sequence[Any], what: str) -> list[Tensor]:
    if isinstance(tensors, (list, tuple)) and not tensors:
        raise ValueError(f"{what}: expected a non-empty sequence of tensors")
    return _tensors(tensors, what)


def _joined(tensors: Sequence[Tensor], dim: int, what: str) -> Tensor:
    """`cat` along `dim`, its errors naming `what`."""
    try:
        return cat(list(tensors), dim=dim)
    except (ValueError, IndexError) as e:
        raise type(e)(f"{what}: {e}") from None


def hstack(tensors: Sequence[Any]) -> Tensor:
    """The tensors side by side: `cat` along dim 1 of them made at least 1-D (along dim 0
    when they are 1-D)."""
    ts = atleast_1d(_stacked(tensors, "hstack"))
    return _joined(ts, 0 if ts[0].ndim == 1 else 1, "hstack")


def vstack(tensors: Sequence[Any]) -> Tensor:
    """The tensors one above the other: `cat` along dim 0 of them made at least 2-D (a 1-D
    one becomes a row)."""
    return _joined(atleast_2d(_stacked(tensors, "vstack")), 0, "vstack")


row_stack = vstack  # PyTorch's other name for vstack


def dstack(tensors: Sequence[Any]) -> Tensor:
    """The tensors in depth: `cat` along dim 2 of them made at least 3-D."""
    return _joined(atleast_3d(_stacked(tensors, "dstack")), 2, "dstack")


def column_stack(tensors: Sequence[Any]) -> Tensor:
    """The tensors as columns side by side: a 0-d or 1-D one becomes a column (n, 1), then
    `cat` along dim 1."""
    ts = _stacked(tensors, "column_stack")
    return _joined([t.reshape(t.numel(), 1) if t.ndim < 2 else t for t in ts], 1, "column_stack")


# -- repeating, reshaping and questions ----------------------------------------------------


def repeat_interleave(input: Any, repeats: Any = None, dim: int | None = None, *,
                      output_size: int | None = None) -> Tensor:  # fmt: skip
    """Each element (or slice along `dim`) repeated in place, np.repeat; with input alone
    (1-D counts), the positions repeated (`Tensor.repeat_interleave`)."""
    return _t(input, "repeat_interleave").repeat_interleave(repeats, dim, output_size=output_size)


def diagflat(input: Any, offset: int = 0) -> Tensor:
    """The square matrix with input's flattened elements on its `offset`-th diagonal
    (`Tensor.diagflat`)."""
    return _t(input, "diagflat").diagflat(offset)


def unflatten(input: Any, dim: int, sizes: Sequence[int]) -> Tensor:
    """Dim `dim` split into dims of `sizes` (one may be -1), as `Tensor.unflatten`."""
    return _t(input, "unflatten").unflatten(dim, sizes)


def ravel(input: Any) -> Tensor:
    """The elements as a 1-D tensor in row-major order (`Tensor.ravel`)."""
    return _t(input, "ravel").ravel()


def is_same_size(input: Any, other: Any) -> bool:
    """Whether the two tensors have one shape (`Tensor.is_same_size`)."""
    return _t(input, "is_same_size").is_same_size(other)


def is_nonzero(input: Any) -> bool:
    """Whether the one element of a 1-element tensor is nonzero (`Tensor.is_nonzero`)."""
    return _t(input, "is_nonzero").is_nonzero()


def is_signed(input: Any) -> bool:
    """Whether input's dtype holds negative numbers (`Tensor.is_signed`)."""
    return _t(input, "is_signed").is_signed()


def is_complex(input: Any) -> bool:
    """Whether input's dtype is complex: never here (`Tensor.is_complex`)."""
    return _t(input, "is_complex").is_complex()
