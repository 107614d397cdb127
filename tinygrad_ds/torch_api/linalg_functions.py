"""Package-level products, fused multiply-adds and distances, as PyTorch's: `td.dot(a, b)`,
`td.addmm(c, a, b)`, `td.tensordot(a, b, dims)`, `td.cdist(x1, x2)`, ...

Each converts its first argument (a Tensor, an array or a number) and calls the Tensor method
of the same name (linalg.py), with PyTorch's argument names, so errors name the function.
`tensordot`, `cdist`, `block_diag` and `cartesian_prod`, which PyTorch has only as functions,
are composed here from `matmul`, `norm`, `pad`, `cat` and `stack`.
"""

from __future__ import annotations

import math
from numbers import Real
from typing import Any

import numpy as np

from ..functions import _t, _tensors, cat, stack
from ..tensor import Tensor, _axis1, _is_int
from .linalg import _p_norm

__all__ = [
    "dot", "vdot", "inner", "mv", "outer", "kron", "addmm", "addmv", "addr", "baddbmm",
    "addbmm", "addcmul", "addcdiv", "cross", "matrix_power", "dist", "tensordot", "cdist",
    "norm", "mm", "bmm", "block_diag", "cartesian_prod",
]  # fmt: skip


def dot(input: Any, other: Any) -> Tensor:
    """sum_i x_i y_i of two 1-D tensors, as `input.dot(other)`."""
    return _t(input, "dot").dot(other)


def vdot(input: Any, other: Any) -> Tensor:
    """`dot` for real tensors, as `input.vdot(other)`."""
    return _t(input, "vdot").vdot(other)


def inner(input: Any, other: Any) -> Tensor:
    """The sum of products over the last dims, as `input.inner(other)`."""
    return _t(input, "inner").inner(other)


def mv(input: Any, vec: Any) -> Tensor:
    """The matrix-vector product, as `input.mv(vec)`."""
    return _t(input, "mv").mv(vec)


def outer(input: Any, vec2: Any) -> Tensor:
    """out[i, j] = x_i y_j, as `input.outer(vec2)`."""
    return _t(input, "outer").outer(vec2)


def kron(input: Any, other: Any) -> Tensor:
    """The Kronecker product, as `input.kron(other)`."""
    return _t(input, "kron").kron(other)


def addmm(input: Any, mat1: Any, mat2: Any, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
    """beta * input + alpha * (mat1 @ mat2), as `input.addmm(mat1, mat2)`."""
    return _t(input, "addmm").addmm(mat1, mat2, beta=beta, alpha=alpha)


def addmv(input: Any, mat: Any, vec: Any, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
    """beta * input + alpha * (mat @ vec), as `input.addmv(mat, vec)`."""
    return _t(input, "addmv").addmv(mat, vec, beta=beta, alpha=alpha)


def addr(input: Any, vec1: Any, vec2: Any, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
    """beta * input + alpha * outer(vec1, vec2), as `input.addr(vec1, vec2)`."""
    return _t(input, "addr").addr(vec1, vec2, beta=beta, alpha=alpha)


def baddbmm(input: Any, batch1: Any, batch2: Any, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
    """beta * input + alpha * bmm(batch1, batch2), as `input.baddbmm(batch1, batch2)`."""
    return _t(input, "baddbmm").baddbmm(batch1, batch2, beta=beta, alpha=alpha)


def addbmm(input: Any, batch1: Any, batch2: Any, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
    """beta * input + alpha * sum_b batch1[b] @ batch2[b], as `input.addbmm(batch1, batch2)`."""
    return _t(input, "addbmm").addbmm(batch1, batch2, beta=beta, alpha=alpha)


def addcmul(input: Any, tensor1: Any, tensor2: Any, *, value: Any = 1) -> Tensor:
    """input + value * tensor1 * tensor2, as `input.addcmul(tensor1, tensor2)`."""
    return _t(input, "addcmul").addcmul(tensor1, tensor2, value=value)


def addcdiv(input: Any, tensor1: Any, tensor2: Any, *, value: Any = 1) -> Tensor:
    """input + value * tensor1 / tensor2, as `input.addcdiv(tensor1, tensor2)`."""
    return _t(input, "addcdiv").addcdiv(tensor1, tensor2, value=value)


def cross(input: Any, other: Any, dim: int | None = None) -> Tensor:
    """The cross product along `dim` (None: the first dim of size 3), as `input.cross(other)`."""
    return _t(input, "cross").cross(other, dim)


def matrix_power(input: Any, n: int) -> Tensor:
    """A square matrix (or a batch) to the integer power n, as `input.matrix_power(n)`."""
    return _t(input, "matrix_power").matrix_power(n)


def dist(input: Any, other: Any, p: Any = 2) -> Tensor:
    """The p-norm of input - other, as `input.dist(other, p)`."""
    return _t(input, "dist").dist(other, p)


def norm(input: Any, p: Any = "fro", dim: Any = None, keepdim: bool = False) -> Tensor:
    """The vector p-norm over `dim` (all elements by default), as `input.norm(p, dim, keepdim)`."""
    return _t(input, "norm").norm(p, dim, keepdim)


def mm(input: Any, mat2: Any) -> Tensor:
    """The product of two matrices (no broadcasting), as `input.mm(mat2)`."""
    return _t(input, "mm").mm(mat2)


def bmm(input: Any, mat2: Any) -> Tensor:
    """A batch of matrix products (equal batch sizes), as `input.bmm(mat2)`."""
    return _t(input, "bmm").bmm(mat2)


def tensordot(a: Any, b: Any, dims: Any = 2) -> Tensor:
    """The sum of products over the given dims (np.tensordot, torch.tensordot): dims = k
    contracts a's last k dims with b's first k; dims = (dims_a, dims_b), two lists of one
    length, contracts a's dims_a[i] with b's dims_b[i]. The result has a's remaining dims,
    then b's. Composed as one `matmul`: (free_a, contracted) @ (contracted, free_b)."""
    x, y = _t(a, "tensordot")._operands(b, "tensordot")
    if _is_int(dims):
        k = int(dims)
        if not 0 <= k <= min(x.ndim, y.ndim):
            raise ValueError(
                f"tensordot: dims={k} must be in [0, {min(x.ndim, y.ndim)}] for shapes "
                f"{x.shape} and {y.shape}"
            )
        dims_a, dims_b = list(range(x.ndim - k, x.ndim)), list(range(k))
    else:
        try:
            dims_a, dims_b = ([d] if _is_int(d) else list(d) for d in dims)
        except (TypeError, ValueError):
            raise TypeError(
                f"tensordot: dims must be an int or a pair of lists of dims, got {dims!r}"
            ) from None
        if len(dims_a) != len(dims_b):
            raise ValueError(f"tensordot: dims {dims_a} and {dims_b} must have the same length")
        dims_a = [_axis1(d, x.ndim, "tensordot") for d in dims_a]
        dims_b = [_axis1(d, y.ndim, "tensordot") for d in dims_b]
        if len(set(dims_a)) != len(dims_a) or len(set(dims_b)) != len(dims_b):
            raise ValueError(f"tensordot: a dim is repeated in {dims_a} or {dims_b}")
    for i, j in zip(dims_a, dims_b):
        if x.shape[i] != y.shape[j]:
            raise ValueError(
                f"tensordot: contracted dims differ in size: {x.shape[i]} (dim {i} of shape "
                f"{x.shape}) and {y.shape[j]} (dim {j} of shape {y.shape})"
            )
    free_a = [d for d in range(x.ndim) if d not in dims_a]
    free_b = [d for d in range(y.ndim) if d not in dims_b]
    k = math.prod(x.shape[d] for d in dims_a)
    shape_a, shape_b = [x.shape[d] for d in free_a], [y.shape[d] for d in free_b]
    xm = x.permute(free_a + dims_a).reshape(math.prod(shape_a), k)
    ym = y.permute(dims_b + free_b).reshape(k, math.prod(shape_b))
    return xm.matmul(ym).reshape(tuple(shape_a + shape_b))


def cdist(x1: Any, x2: Any, p: float = 2.0) -> Tensor:
    """Pairwise p-norm distances: out[..., i, j] = ||x1[..., i, :] - x2[..., j, :]||_p for x1
    of shape (..., P, M) and x2 of shape (..., R, M), the batch dims broadcast. Composed as the
    norm of the broadcast difference (..., P, R, M) over the last dim, so where two points
    coincide the gradient is 0 (not NaN), as PyTorch's; p = 0 counts the differing coordinates."""
    x1, x2 = _t(x1, "cdist"), _t(x2, "cdist")
    if x1.ndim < 2 or x2.ndim < 2:
        raise ValueError(
            f"cdist: expects tensors of at least 2 dims (..., points, coordinates), got shapes "
            f"{x1.shape} and {x2.shape}"
        )
    if x1.shape[-1] != x2.shape[-1]:
        raise ValueError(
            f"cdist: the points have different numbers of coordinates ({x1.shape[-1]} and "
            f"{x2.shape[-1]}), got shapes {x1.shape} and {x2.shape}"
        )
    try:
        np.broadcast_shapes(x1.shape[:-2], x2.shape[:-2])
    except ValueError:
        raise ValueError(
            f"cdist: the batch dims of shapes {x1.shape} and {x2.shape} do not broadcast"
        ) from None
    if x1.dtype.kind != "f" or x2.dtype.kind != "f":
        raise TypeError(f"cdist: expected floating-point tensors, got {x1.dtype} and {x2.dtype}")
    if isinstance(p, Real) and not isinstance(p, bool) and p < 0:
        raise ValueError(f"cdist: p must be >= 0, got {p}")
    return _p_norm(x1.unsqueeze(-2) - x2.unsqueeze(-3), p, -1, "cdist")


def block_diag(*tensors: Any) -> Tensor:
    """The tensors (each 0-d, 1-D or 2-D, taken as 1 x 1, 1 x n or n x m) on the diagonal of
    one matrix, zeros elsewhere; dtypes promoted. Composed as each one padded with zeros to
    the full width, then stacked (`cat`) by rows."""
    if not tensors:
        return Tensor.zeros(1, 0)
    ts = _tensors(tensors, "block_diag")
    for i, t in enumerate(ts):
        if t.ndim > 2:
            raise ValueError(
                f"block_diag: tensors must have at most 2 dims, tensor {i} has shape {t.shape}"
            )
    ts = [t.reshape(1, -1) if t.ndim < 2 else t for t in ts]
    width = sum(t.shape[1] for t in ts)
    rows, left = [], 0
    for t in ts:
        rows.append(t.pad(((0, 0), (left, width - left - t.shape[1]))))
        left += t.shape[1]
    return cat(rows, 0)


def cartesian_prod(*tensors: Any) -> Tensor:
    """Every combination of one element from each 1-D tensor, in order (itertools.product), as
    the rows of an (N, k) tensor; one tensor is returned as it is. Dtypes are promoted."""
    ts = _tensors(tensors, "cartesian_prod") if tensors else []
    if not ts or any(t.ndim != 1 for t in ts):
        raise ValueError(
            f"cartesian_prod: expects one or more 1-D tensors, got shapes {[t.shape for t in ts]}"
        )
    if len(ts) == 1:
        return ts[0]
    shape = tuple(t.shape[0] for t in ts)
    k = len(ts)
    grids = [t.reshape([-1 if d == i else 1 for d in range(k)]).expand(shape)
             for i, t in enumerate(ts)]  # fmt: skip
    return stack(grids, dim=-1).reshape(-1, k)
