"""`td.linalg`, PyTorch's `torch.linalg`: inverse, determinants, linear solves, norms and the
cross product, batched over leading dims.

`inv`, `det`, `slogdet` and `solve` are primitives (ops/linalg_more.py: LU factorisations with
their matrix-calculus derivatives); the norms and `cross` are composed from Tensor methods.

>>> import tinygrad_ds as td
>>> A = td.tensor([[2.0, 1.0], [1.0, 3.0]])
>>> td.linalg.solve(A, td.tensor([3.0, 5.0]))
Tensor([0.8, 1.4], dtype=float32)
"""

from __future__ import annotations

import math
from numbers import Real
from typing import Any, NamedTuple

import numpy as np

from .functions import _t
from .ops.linalg_more import Det, Inv, LogAbsDet, Solve, square_matrices
from .tensor import Tensor, _axes, constant
from .torch_api.linalg import _p_norm

__all__ = [
    "inv", "det", "slogdet", "solve", "norm", "vector_norm", "matrix_norm", "cross",
    "SignLogAbsDet",
]  # fmt: skip


class SignLogAbsDet(NamedTuple):
    """What `slogdet` returns, as `torch.linalg.slogdet`: the sign of det A (-1, 0 or 1; no
    gradient) and log |det A| (differentiable)."""

    sign: Tensor
    logabsdet: Tensor


def inv(A: Any) -> Tensor:
    """A^-1 for a square matrix, or a batch of them (the last two dims);  d inv(A) = -A^-1 dA
    A^-1. A singular matrix is an error."""
    A = _t(A, "inv")
    square_matrices(A, "inv")
    return Inv.apply(A)


def det(A: Any) -> Tensor:
    """det A for a square matrix, or a batch (shape A.shape[:-2]);  d det A = det(A) A^-T."""
    A = _t(A, "det")
    square_matrices(A, "det")
    return Det.apply(A)


def slogdet(A: Any) -> SignLogAbsDet:
    """(sign, logabsdet) with det A = sign * exp(logabsdet), computed without overflow;
    d logabsdet = A^-T. A singular matrix gives sign 0 and logabsdet -inf."""
    A = _t(A, "slogdet")
    square_matrices(A, "slogdet")
    sign = np.linalg.slogdet(A.data)[0].astype(A.dtype)
    return SignLogAbsDet(constant(np.asarray(sign)), LogAbsDet.apply(A))


def solve(A: Any, B: Any) -> Tensor:
    """X with A X = B, for square A (..., n, n) and B a vector (..., n) or matrices (..., n, k),
    batch dims broadcast; d: dB = A^-T G, dA = -(A^-T G) X^T. As PyTorch, B is a batch of
    vectors when it is 1-D or has exactly A's batch shape and n; a singular A is an error."""
    A, B = _t(A, "solve")._operands(B, "solve")
    square_matrices(A, "solve")
    n = A.shape[-1]
    vector = B.ndim == 1 or (B.ndim == A.ndim - 1 and B.shape == A.shape[:-1])
    if B.ndim == 0 or B.shape[-1 if vector else -2] != n:
        raise ValueError(
            f"solve: B of shape {B.shape} does not match A of shape {A.shape} (B must be "
            f"(..., {n}) or (..., {n}, k))"
        )
    try:
        np.broadcast_shapes(A.shape[:-2], B.shape[: -1 if vector else -2])
    except ValueError:
        raise ValueError(
            f"solve: the batch dims of A {A.shape} and B {B.shape} do not broadcast"
        ) from None
    if vector:
        return Solve.apply(A, B.unsqueeze(-1)).squeeze(-1)
    return Solve.apply(A, B)


def vector_norm(x: Any, ord: Any = 2, dim: Any = None, keepdim: bool = False) -> Tensor:
    """The vector ord-norm over `dim` (all elements by default): (sum |x|^ord)^(1/ord), inf
    and -inf the max and min |x|, 0 the number of nonzero elements; `Tensor.norm`'s rules (the
    gradient is 0 where the norm is 0)."""
    x = _t(x, "vector_norm")
    return _p_norm(x, ord, _axes(dim, None, x.ndim, "vector_norm"), "vector_norm", keepdim)


def matrix_norm(A: Any, ord: Any = "fro", dim: Any = (-2, -1), keepdim: bool = False) -> Tensor:
    """A matrix norm over the two dims `dim` (the last two by default): "fro" sqrt(sum A^2),
    1 (-1) the largest (smallest) column sum of |A|, inf (-inf) the largest (smallest) row
    sum. The spectral (2, -2) and nuclear ("nuc") norms need an SVD, which is not provided."""
    A = _t(A, "matrix_norm")
    if A.ndim < 2:
        raise ValueError(f"matrix_norm: expects a tensor of at least 2 dims, got shape {A.shape}")
    if A.dtype.kind != "f":
        raise TypeError(f"matrix_norm: expected a floating-point tensor, got {A.dtype}")
    axes = _axes(dim, None, A.ndim, "matrix_norm")
    if axes is None or len(axes) != 2:
        raise ValueError(f"matrix_norm: dim must be two dims, got {dim!r}")
    rows, cols = (d % A.ndim for d in dim)  # in the order given: rows, then columns
    if ord == "fro":
        return A.norm("fro", dim=(rows, cols), keepdim=keepdim)
    if isinstance(ord, Real) and not isinstance(ord, bool) and abs(ord) in (1, math.inf):
        summed, reduced = (rows, cols) if abs(ord) == 1 else (cols, rows)
        sums = A.abs().sum(summed, keepdims=True)
        out = sums.max(reduced, keepdims=True) if ord > 0 else sums.min(reduced, keepdims=True)
        return out if keepdim else out.squeeze((rows, cols))
    raise ValueError(
        f"matrix_norm: ord must be 'fro', 1, -1, inf or -inf, got {ord!r} (2, -2 and 'nuc' "
        "need an SVD, not provided)"
    )


def norm(A: Any, ord: Any = None, dim: Any = None, keepdim: bool = False) -> Tensor:
    """`torch.linalg.norm`: with ord None, the 2-norm of the flattened tensor (or over `dim`);
    otherwise a vector norm for one dim (or a 1-D tensor) and a matrix norm for two dims (or
    a 2-D tensor)."""
    A = _t(A, "norm")
    if ord is None:
        if dim is not None and not isinstance(dim, int) and len(dim) == 2:
            return matrix_norm(A, "fro", dim, keepdim)
        return vector_norm(A, 2, dim, keepdim)
    if dim is None:
        if A.ndim not in (1, 2):
            raise ValueError(
                f"norm: with ord={ord!r} and no dim, A must be 1-D or 2-D, got shape {A.shape}"
            )
        dim = (-2, -1) if A.ndim == 2 else -1
    if isinstance(dim, int) or len(dim) == 1:
        return vector_norm(A, ord, dim, keepdim)
    return matrix_norm(A, ord, dim, keepdim)


def cross(input: Any, other: Any, dim: int = -1) -> Tensor:
    """The cross product of 3-vectors along `dim` (the last by default), the other dims
    broadcast: `input.cross(other, dim)`."""
    return _t(input, "cross").cross(other, dim)
