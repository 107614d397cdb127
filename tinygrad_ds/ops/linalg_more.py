"""Inverse, determinant, log-determinant and linear solve: primitives over NumPy's LAPACK calls,
batched over leading dims.

None of them can be composed from the Tensor's operations (they are LU factorisations), so each
is a `Function` with its matrix-calculus derivative (the standard results, e.g. Giles 2008,
"An extended collection of matrix derivative results"). Each backward is written with these
same primitives and `matmul`, so second derivatives come free.
"""

from __future__ import annotations

import numpy as np

from ..function import Function
from ..tensor import Tensor
from .linalg import MatMul

__all__ = ["Inv", "Det", "LogAbsDet", "Solve", "square_matrices"]


def square_matrices(a: Tensor, what: str) -> None:
    """A floating tensor of square matrices (the last two dims): else a clear error."""
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise ValueError(
            f"{what}: expects square matrices (the last two dims), got shape {a.shape}"
        )
    if a.dtype.kind != "f":
        raise TypeError(
            f"{what}: expects a floating-point tensor, got {a.dtype} (convert it first, e.g. "
            "A.double())"
        )


def _singular(what: str, shape: tuple[int, ...]) -> ValueError:
    return ValueError(f"{what}: the matrix (shape {shape}) is singular, so it has no inverse")


def _mT(x: Tensor) -> Tensor:
    return x.mT


class Inv(Function):
    """Z = A^-1 (batched);  dL/dA = -Z^T G Z^T.

    From d(A A^-1) = 0: dZ = -Z dA Z, so <G, dZ> = <-Z^T G Z^T, dA>. The output Z is saved;
    a singular matrix is an error (NumPy's LinAlgError, named)."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_output()
        try:
            return np.linalg.inv(a.data)
        except np.linalg.LinAlgError:
            raise _singular("inv", a.shape) from None

    @staticmethod
    def backward(ctx, g):
        zt = _mT(ctx.saved_output())
        return -MatMul.apply(MatMul.apply(zt, g), zt)

    @staticmethod
    def backward_array(ctx, g):
        zt = ctx.saved_output_array().swapaxes(-1, -2)
        return -(zt @ g @ zt)


def _adjugate_t(a: np.ndarray) -> np.ndarray:
    """adj(A)^T, the derivative of det A, also where A is singular (where det A A^-T is not
    defined): from the SVD A = U S V^T, adj(A) = det(U) det(V) V adj(S) U^T with adj(S) the
    diagonal of the products of all the other singular values."""
    u, s, vt = np.linalg.svd(a)
    n = s.shape[-1]
    others = np.stack(
        [np.prod(np.delete(s, i, axis=-1), axis=-1) for i in range(n)], axis=-1
    ) if n else s  # fmt: skip
    sign = np.linalg.det(u) * np.linalg.det(vt)
    adj = (vt.swapaxes(-1, -2) * others[..., None, :]) @ u.swapaxes(-1, -2)
    return (sign[..., None, None] * adj).swapaxes(-1, -2)


class Det(Function):
    """z = det A (batched);  dz/dA = det(A) A^-T.

    Jacobi's formula, d det A = det(A) tr(A^-1 dA). Where A is singular, det(A) A^-T is
    undefined but the derivative exists: there the first-order pass takes adj(A)^T from the
    SVD (`_adjugate_t`); the recorded pass (create_graph) needs an invertible A."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        ctx.save_output()
        return np.linalg.det(a.data)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        z = ctx.saved_output()
        return (g * z).reshape(g.shape + (1, 1)) * _mT(Inv.apply(a))

    @staticmethod
    def backward_array(ctx, g):
        (a,) = ctx.saved_tensors
        z = ctx.saved_output_array()
        try:
            cofactor = z[..., None, None] * np.linalg.inv(a.data).swapaxes(-1, -2)
        except np.linalg.LinAlgError:
            cofactor = _adjugate_t(a.data)
        return g[..., None, None] * cofactor


class LogAbsDet(Function):
    """z = log |det A| (batched);  dz/dA = A^-T.

    Jacobi's formula divided by det A. Computed by LU (np.linalg.slogdet), so it neither
    overflows nor underflows where det A would; -inf for a singular A."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.linalg.slogdet(a.data)[1]

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g.reshape(g.shape + (1, 1)) * _mT(Inv.apply(a))

    @staticmethod
    def backward_array(ctx, g):
        (a,) = ctx.saved_tensors
        try:
            return g[..., None, None] * np.linalg.inv(a.data).swapaxes(-1, -2)
        except np.linalg.LinAlgError:
            raise _singular("slogdet (its gradient)", a.shape) from None


class Solve(Function):
    """X = A^-1 B for B of shape (..., n, k) (batch dims broadcast);  dL/dB = A^-T G.

    From A X = B: dX = A^-1 (dB - dA X), so with G_B = A^-T G the adjoints are dL/dB = G_B and
    dL/dA = -G_B X^T; G_B is itself a solve, with A^T. The output X is saved."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a)
        ctx.save_output()
        try:
            return np.linalg.solve(a.data, b.data)
        except np.linalg.LinAlgError:
            raise _singular("solve", a.shape) from None

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        gb = Solve.apply(_mT(a), g)
        ga = -MatMul.apply(gb, ctx.saved_output(), transpose_b=True)
        need_a, need_b = ctx.needs_input_grad
        return ga if need_a else None, gb if need_b else None

    @staticmethod
    def backward_array(ctx, g):
        (a,) = ctx.saved_tensors
        gb = np.linalg.solve(a.data.swapaxes(-1, -2), g)
        need_a, need_b = ctx.needs_input_grad
        ga = -(gb @ ctx.saved_output_array().swapaxes(-1, -2)) if need_a else None
        return ga, gb if need_b else None
