"""Package-level functions, as in PyTorch: `tinygrad_ds.exp(x)`, `cat`, `stack`, `where`, ..."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from .ops import elementwise as E
from .ops import movement as M
from .ops.einsum import Einsum, parse_subscripts
from .tensor import Tensor, _axis1, matmul, promoted

__all__ = [
    "matmul", "maximum", "minimum", "where", "cat", "concatenate", "stack", "einsum", "exp",
    "expm1", "log", "log1p", "sqrt", "tanh", "sin", "cos", "sigmoid", "relu", "abs", "clip",
    "softmax", "log_softmax",
]  # fmt: skip


def _t(x: Any, what: str = "Tensor") -> Tensor:
    """`x` as a Tensor; data no tensor can hold is a TypeError naming `what` (the caller)."""
    if isinstance(x, Tensor):
        return x
    try:
        return Tensor(x)
    except TypeError:
        kind = type(x).__name__
        if isinstance(x, (list, tuple, np.ndarray, np.generic)):
            kind += f" of dtype {np.asarray(x).dtype}"
        raise TypeError(f"{what}: expected tensors, arrays or numbers, got {kind}") from None


def _tensors(tensors: Any, what: str) -> list[Tensor]:
    """The sequence of tensors that `cat` and `stack` join (a single Tensor is refused)."""
    if isinstance(tensors, (Tensor, np.ndarray)) or not isinstance(tensors, Iterable):
        raise TypeError(f"{what}: expected a sequence of tensors, got a {type(tensors).__name__}")
    return promoted([_t(t, what) for t in tensors])  # int with float: float, as PyTorch


def maximum(a: Any, b: Any) -> Tensor:
    """Elementwise max; at ties each side gets half the gradient."""
    return _t(a, "maximum").maximum(b)


def minimum(a: Any, b: Any) -> Tensor:
    """Elementwise min (composed: -max(-a, -b))."""
    return _t(a, "minimum").minimum(b)


def where(cond: Any, a: Any = None, b: Any = None) -> Any:
    """`a` where `cond` is true, else `b` (broadcast); no gradient flows to `cond`.
    `where(cond)` alone is `nonzero(cond, as_tuple=True)`, the indices of its true elements,
    one int64 tensor per axis (as NumPy's and PyTorch's one-argument where)."""
    cond = _t(cond, "where")
    if a is None and b is None:
        return cond.nonzero(as_tuple=True)
    if a is None or b is None:
        raise TypeError("where: give both a and b, or neither (for the indices of cond's true "
                        "elements)")  # fmt: skip
    if cond.dtype != np.bool_:
        cond = Tensor._make(cond.data.astype(bool), None)
    a_t = a if isinstance(a, Tensor) else None
    b_t = b if isinstance(b, Tensor) else None
    like = a_t if a_t is not None else b_t
    a_t = (
        a_t
        if a_t is not None
        else (like._operand(a, "where") if like is not None else _t(a, "where"))
    )
    b_t = b_t if b_t is not None else a_t._operand(b, "where")
    a_t, b_t = a_t._operands(b_t, "where")  # int with float: the float's dtype, as PyTorch
    try:
        np.broadcast_shapes(cond.shape, a_t.shape, b_t.shape)
    except ValueError:
        raise ValueError(f"where: shapes {cond.shape}, {a_t.shape} and {b_t.shape} do not "
                         "broadcast") from None  # fmt: skip
    return E.Where.apply(cond, a_t, b_t)


def cat(tensors: Sequence[Any], axis: int = 0, *, dim: int | None = None) -> Tensor:
    """Join tensors along an existing axis."""
    ts = _tensors(tensors, "cat")
    if not ts:
        raise ValueError("cat: expected a non-empty sequence of tensors")
    axis = _axis1(axis if dim is None else dim, ts[0].ndim, "cat")
    for t in ts[1:]:
        if t.ndim != ts[0].ndim or any(
            n != m for i, (n, m) in enumerate(zip(t.shape, ts[0].shape)) if i != axis
        ):
            shapes = [x.shape for x in ts]
            raise ValueError(f"cat: shapes {shapes} differ outside axis {axis}")
    return M.Cat.apply(*ts, axis=axis)


concatenate = cat


def stack(tensors: Sequence[Any], axis: int = 0, *, dim: int | None = None) -> Tensor:
    """Join tensors along a new axis (cat of unsqueezed tensors)."""
    ts = _tensors(tensors, "stack")
    if not ts:
        raise ValueError("stack: expected a non-empty sequence of tensors")
    if any(t.shape != ts[0].shape for t in ts):
        raise ValueError(f"stack: all tensors must have one shape, got {[t.shape for t in ts]}")
    axis = _axis1(axis if dim is None else dim, ts[0].ndim + 1, "stack")
    return M.Cat.apply(*[t.unsqueeze(axis) for t in ts], axis=axis)


def einsum(subscripts: str, *operands: Any) -> Tensor:
    """Einstein summation, as `np.einsum` / `torch.einsum`: `einsum("ij,jk->ik", a, b)` is
    a @ b, `einsum("...ij,...jk->...ik", a, b)` batches of them (broadcast), `einsum("i,i->",
    u, v)` a dot product, `einsum("ij->ji", a)` a transpose. Operands may also come as one
    list; letters of size 1 broadcast. A letter repeated within one operand names a diagonal:
    `einsum("ii", a)` is the trace, `einsum("ii->i", a)` the diagonal, `einsum("bii->bi", a)`
    a batch of them (taken first by `Tensor.diagonal`). Its gradient with respect to each
    operand is another einsum (see `ops.einsum.Einsum`)."""
    from .ops.einsum import take_diagonals

    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    if not operands:
        raise ValueError("einsum: give at least one operand")
    tensors = promoted([_t(x, "einsum") for x in operands])  # int with float: float
    ins, out = parse_subscripts(subscripts, [t.shape for t in tensors])
    tensors, ins = take_diagonals(tensors, ins)
    return Einsum.apply(*tensors, ins=ins, out=out)


def exp(x: Any) -> Tensor:
    """The elementwise exp of x, as the method `x.exp()`."""
    return _t(x, "exp").exp()


def expm1(x: Any) -> Tensor:
    """The elementwise e^x - 1 of x (accurate for tiny x), as the method `x.expm1()`."""
    return _t(x, "expm1").expm1()


def log(x: Any) -> Tensor:
    """The elementwise log of x, as the method `x.log()`."""
    return _t(x, "log").log()


def log1p(x: Any) -> Tensor:
    """The elementwise log(1 + x) of x (accurate for tiny x), as the method `x.log1p()`."""
    return _t(x, "log1p").log1p()


def sqrt(x: Any) -> Tensor:
    """The elementwise sqrt of x, as the method `x.sqrt()`."""
    return _t(x, "sqrt").sqrt()


def tanh(x: Any) -> Tensor:
    """The elementwise tanh of x, as the method `x.tanh()`."""
    return _t(x, "tanh").tanh()


def sin(x: Any) -> Tensor:
    """The elementwise sin of x, as the method `x.sin()`."""
    return _t(x, "sin").sin()


def cos(x: Any) -> Tensor:
    """The elementwise cos of x, as the method `x.cos()`."""
    return _t(x, "cos").cos()


def sigmoid(x: Any) -> Tensor:
    """The elementwise sigmoid of x, as the method `x.sigmoid()`."""
    return _t(x, "sigmoid").sigmoid()


def relu(x: Any) -> Tensor:
    """The elementwise relu of x, as the method `x.relu()`."""
    return _t(x, "relu").relu()


def abs(x: Any) -> Tensor:  # noqa: A001
    """The elementwise abs of x, as the method `x.abs()`."""
    return _t(x, "abs").abs()


def clip(x: Any, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
    """x clipped to [min, max], as the method `x.clip(min, max)`."""
    return _t(x, "clip").clip(min, max)


def softmax(x: Any, dim: int, dtype: Any = None) -> Tensor:
    """e^x_i / sum_j e^x_j along `dim` (stable), as `x.softmax(dim=dim)`; `dtype` casts x
    first, as in `torch.softmax`."""
    x = _t(x, "softmax")
    return (x if dtype is None else x.astype(dtype)).softmax(dim=dim)


def log_softmax(x: Any, dim: int, dtype: Any = None) -> Tensor:
    """x_i - log sum_j e^x_j along `dim` (stable), as `x.log_softmax(dim=dim)`; `dtype` casts
    x first, as in `torch.log_softmax`."""
    x = _t(x, "log_softmax")
    return (x if dtype is None else x.astype(dtype)).log_softmax(dim=dim)
