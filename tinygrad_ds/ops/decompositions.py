"""Matrix decompositions and functions: Cholesky, QR, the symmetric eigendecomposition, the SVD,
LU, the pseudo-inverse and the matrix exponential, primitives over NumPy's LAPACK calls,
batched over leading dims, with their matrix-calculus derivatives.

None can be composed from the Tensor's operations (each is an iterative factorisation). A
decomposition with several factors is one node whose output packs them, flattened, side by
side in its last dim (`pack`); td.linalg slices them apart, so the gradient reaching the node
is the factors' gradients packed the same way (zero for a factor not used).

Each derivative is written once (`_*_grad`), on Tensors or on ndarrays alike (`@`, `*`, `.mT`
and the few helpers below that dispatch on the type): `backward` runs it on Tensors, so
second derivatives come free, `backward_array` on arrays. The formulas are the standard ones
(Murray 2016 for Cholesky; Walter and Lehmann 2018 for QR; Giles 2008 for eigh, the
pseudo-inverse and the matrix exponential's block trick; Townsend 2016 for the SVD), written
as PyTorch writes them (its FunctionsManual.cpp).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..function import Function
from ..tensor import Tensor, constant
from .linalg_more import Inv, Solve

__all__ = [
    "Cholesky", "QR", "Eigh", "SVD", "LU", "Pinv", "MatrixExp", "pack", "unpack",
    "expm_array", "lu_array",
]  # fmt: skip


# ---------------------------------------------------------------------------------------------
# helpers for Tensors and arrays alike
# ---------------------------------------------------------------------------------------------


def pack(*arrays: np.ndarray, batch: tuple[int, ...]) -> np.ndarray:
    """The arrays (each batch + its own shape) flattened and joined along one last dim."""
    sizes = [int(np.prod(a.shape[len(batch) :], dtype=np.int64)) for a in arrays]
    return np.concatenate([a.reshape(batch + (n,)) for a, n in zip(arrays, sizes)], axis=-1)


def unpack(x: Any, shapes: list[tuple[int, ...]]) -> list[Any]:
    """`pack` undone: the pieces of x's last dim, reshaped to batch + each shape (x a Tensor
    or an array)."""
    out, start, batch = [], 0, tuple(x.shape[:-1])
    for shape in shapes:
        size = int(np.prod(shape, dtype=np.int64))
        out.append(x[..., start : start + size].reshape(batch + tuple(shape)))
        start += size
    return out


def _inv(x: Any) -> Any:
    return Inv.apply(x) if isinstance(x, Tensor) else np.linalg.inv(x)


def _solve(a: Any, b: Any) -> Any:
    return Solve.apply(a, b) if isinstance(a, Tensor) else np.linalg.solve(a, b)


def _tril(x: Any, k: int = 0) -> Any:
    return x.tril(k) if isinstance(x, Tensor) else np.tril(x, k)


def _triu(x: Any, k: int = 0) -> Any:
    return x.triu(k) if isinstance(x, Tensor) else np.triu(x, k)


def _eye(n: int, like: Any) -> np.ndarray:
    return np.eye(n, dtype=like.dtype)


def _row(v: Any) -> Any:
    """A vector (..., k) as a row (..., 1, k)."""
    return v[..., None, :]


def _col(v: Any) -> Any:
    """A vector (..., k) as a column (..., k, 1)."""
    return v[..., :, None]


def _over_gaps(num: Any, gaps: Any) -> Any:
    """num / gaps, but 0 where both are 0 (a degenerate pair of eigen- or singular values that
    no gradient reaches: the eigenvalues' own gradient stays finite there)."""
    both = (_data(num) == 0) & (_data(gaps) == 0)
    return num / (gaps + both.astype(_data(gaps).dtype)) if both.any() else num / gaps


def _data(x: Any) -> np.ndarray:
    return x.data if isinstance(x, Tensor) else x


def _floating64(a: np.ndarray) -> np.ndarray:
    return a.astype(np.float64, copy=False)


# ---------------------------------------------------------------------------------------------
# Cholesky
# ---------------------------------------------------------------------------------------------


def _cholesky_grad(L: Any, g: Any) -> Any:
    """dL/dA = sym(L^-T Phi(L^T G) L^-1), Phi the lower triangle with the diagonal halved."""
    X = L.mT @ g
    eye = _eye(L.shape[-1], L)
    phi = _tril(X, -1) + X * (eye * 0.5)
    Linv = _inv(L)
    gA = Linv.mT @ phi @ Linv
    return (gA + gA.mT) * 0.5


class Cholesky(Function):
    """L = cholesky(A), A = L L^T (lower, batched);  dL/dA = sym(L^-T Phi(L^T G) L^-1).

    Phi keeps the lower triangle with the diagonal halved; the gradient is symmetrised (only A's
    lower triangle is read, but A is meant symmetric), as PyTorch's. Not positive-definite: an
    error naming the op."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_output()
        try:
            return np.linalg.cholesky(a.data)
        except np.linalg.LinAlgError:
            raise ValueError(
                f"cholesky: the input (shape {a.shape}) is not positive-definite, so it has no "
                "Cholesky factorization"
            ) from None

    @staticmethod
    def backward(ctx, g):
        return _cholesky_grad(ctx.saved_output(), g)

    @staticmethod
    def backward_array(ctx, g):
        return _cholesky_grad(ctx.saved_output_array(), g)


# ---------------------------------------------------------------------------------------------
# QR
# ---------------------------------------------------------------------------------------------


def _qr_grad(Q: Any, R: Any, gQ: Any, gR: Any) -> Any:
    """dL/dA = (G_Q + Q copyltu(M)) R^-T, M = R G_R^T - G_Q^T Q, for m >= n (reduced):
    copyltu(M) = tril(M) + tril(M, -1)^T, the symmetric matrix of M's lower triangle."""
    M = R @ gR.mT - gQ.mT @ Q
    lower = _tril(M, -1)
    copyltu = lower + lower.mT + M * _eye(M.shape[-1], M)
    return _solve(R, (gQ + Q @ copyltu).mT).mT


class QR(Function):
    """QR = qr(A), Q and R packed side by side;  dL/dA = (G_Q + Q copyltu(M)) R^-T.

    M = R G_R^T - G_Q^T Q; the gradient needs m >= n and the reduced factors (for A's of full
    column rank), as Walter and Lehmann derive; otherwise backward is an error."""

    @staticmethod
    def forward(ctx, a, mode="reduced"):
        q, r = np.linalg.qr(a.data, mode=mode)
        ctx.shapes = [q.shape[-2:], r.shape[-2:]]
        ctx.save_output()
        m, n = a.shape[-2:]
        ctx.differentiable = m >= n and q.shape[-1] == n
        return pack(q, r, batch=a.shape[:-2])

    @staticmethod
    def _grad(ctx, out, g):
        if not ctx.differentiable:
            raise RuntimeError(
                "qr: the gradient is implemented for mode='reduced' (or 'r') with m >= n only; "
                f"got factors of shapes {ctx.shapes[0]} and {ctx.shapes[1]}"
            )
        Q, R = unpack(out, ctx.shapes)
        gQ, gR = unpack(g, ctx.shapes)
        return _qr_grad(Q, R, gQ, gR)

    @staticmethod
    def backward(ctx, g):
        return QR._grad(ctx, ctx.saved_output(), g)

    @staticmethod
    def backward_array(ctx, g):
        return QR._grad(ctx, ctx.saved_output_array(), g)


# ---------------------------------------------------------------------------------------------
# the symmetric eigendecomposition
# ---------------------------------------------------------------------------------------------


def _eigh_grad(w: Any, V: Any, gw: Any, gV: Any) -> Any:
    """dL/dA = V (diag(G_w) + skew(V^T G_V)/2 / E) V^T, E_ij = w_j - w_i (i != j)."""
    n = w.shape[-1]
    eye = _eye(n, w)
    E = _row(w) - _col(w) + eye  # (1 on the diagonal, where skew(.) is 0)
    VtgV = V.mT @ gV
    inner = _over_gaps((VtgV - VtgV.mT) * 0.5, E) + _row(gw) * eye
    return V @ inner @ V.mT


class Eigh(Function):
    """wV = eigh(A), w and V packed (A = V diag(w) V^T);  dL/dA = V (diag(G_w) +
    skew(V^T G_V)/2 / E) V^T.

    The eigenvalues w ascending; E_ij = w_j - w_i: the eigenvectors' gradient is infinite (or
    NaN) where two eigenvalues coincide (the eigenvectors are then not unique); the
    eigenvalues' alone is always finite.
    Only the UPLO triangle of A is read; the gradient is symmetric, as PyTorch's."""

    @staticmethod
    def forward(ctx, a, UPLO="L"):
        w, v = np.linalg.eigh(a.data, UPLO=UPLO)
        n = a.shape[-1]
        ctx.shapes = [(n,), (n, n)]
        ctx.save_output()
        return pack(w, v, batch=a.shape[:-2])

    @staticmethod
    def _grad(ctx, out, g):
        w, V = unpack(out, ctx.shapes)
        gw, gV = unpack(g, ctx.shapes)
        return _eigh_grad(w, V, gw, gV)

    @staticmethod
    def backward(ctx, g):
        return Eigh._grad(ctx, ctx.saved_output(), g)

    @staticmethod
    def backward_array(ctx, g):
        return Eigh._grad(ctx, ctx.saved_output_array(), g)


# ---------------------------------------------------------------------------------------------
# the singular value decomposition
# ---------------------------------------------------------------------------------------------


def _svd_grad(U: Any, S: Any, Vh: Any, gU: Any, gS: Any, gVh: Any) -> Any:
    """Townsend's formula as PyTorch writes it, for the reduced factors (k = min(m, n)):
    dL/dA = U [(skew(U^T G_U) S + S skew(V^T G_V)) / E + diag(G_S)] V^T plus, when m > k,
    (I - U U^T) G_U S^-1 V^T, or, when n > k, U S^-1 G_V^T (I - V V^T); E_ij = S_j^2 - S_i^2."""
    m, n, k = U.shape[-2], Vh.shape[-1], S.shape[-1]
    eye = _eye(k, S)
    V, gV = Vh.mT, gVh.mT
    UtgU, VtgV = U.mT @ gU, V.mT @ gV
    S2 = S * S
    E = _row(S2) - _col(S2) + eye
    inner = _over_gaps((UtgU - UtgU.mT) * _row(S) + _col(S) * (VtgV - VtgV.mT), E)
    inner = inner + _row(gS) * eye
    if m > k:
        gUSinv = gU / _row(S)
        return (U @ inner + gUSinv - U @ (U.mT @ gUSinv)) @ Vh
    if n > k:
        SinvgVh = gVh / _col(S)
        return U @ (inner @ Vh + SinvgVh - (SinvgVh @ V) @ Vh)
    return U @ inner @ Vh


class SVD(Function):
    """USVh = svd(A), U, S and Vh packed (A = U diag(S) Vh);  dL/dA = U [(skew(U^T G_U) S
    + S skew(V^T G_V)) / E + diag(G_S)] V^T + the parts outside U's and V's spans.

    S descending; E_ij = S_j^2 - S_i^2: the singular vectors' gradient is infinite (or NaN)
    where two singular values coincide (or one is 0 with m != n); the singular values' alone
    is always finite.
    With full_matrices the extra columns of U (rows of Vh), which are not unique, get no
    gradient, as PyTorch's."""

    @staticmethod
    def forward(ctx, a, full_matrices=False):
        u, s, vh = np.linalg.svd(a.data, full_matrices=full_matrices)
        ctx.shapes = [u.shape[-2:], s.shape[-1:], vh.shape[-2:]]
        ctx.save_output()
        return pack(u, s, vh, batch=a.shape[:-2])

    @staticmethod
    def _grad(ctx, out, g):
        U, S, Vh = unpack(out, ctx.shapes)
        gU, gS, gVh = unpack(g, ctx.shapes)
        k = S.shape[-1]
        U, gU, Vh, gVh = U[..., :k], gU[..., :k], Vh[..., :k, :], gVh[..., :k, :]
        return _svd_grad(U, S, Vh, gU, gS, gVh)

    @staticmethod
    def backward(ctx, g):
        return SVD._grad(ctx, ctx.saved_output(), g)

    @staticmethod
    def backward_array(ctx, g):
        return SVD._grad(ctx, ctx.saved_output_array(), g)


# ---------------------------------------------------------------------------------------------
# LU with partial pivoting
# ---------------------------------------------------------------------------------------------


def lu_array(a: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """LU with partial pivoting of a batch of (m, n) matrices (Doolittle, column by column):
    (LU, perm, pivots) with a[..., perm, :] = L U, L unit lower (stored below LU's diagonal),
    U upper (on and above it), perm the row order and pivots LAPACK's (row j was swapped with
    row pivots[j] - 1 at step j). A zero pivot leaves its column as it is."""
    lu = np.array(a, dtype=np.result_type(a.dtype, np.float32), copy=True)
    batch, (m, n) = lu.shape[:-2], lu.shape[-2:]
    lu = lu.reshape((int(np.prod(batch, dtype=np.int64)), m, n))
    perm = np.broadcast_to(np.arange(m), (lu.shape[0], m)).copy()
    pivots = np.zeros((lu.shape[0], min(m, n)), np.int32)
    rows = np.arange(lu.shape[0])
    for j in range(min(m, n)):
        p = j + np.argmax(np.abs(lu[:, j:, j]), axis=1)  # the pivot row of each matrix
        pivots[:, j] = p + 1
        lu[rows, j], lu[rows, p] = lu[rows, p].copy(), lu[rows, j].copy()
        perm[rows, j], perm[rows, p] = perm[rows, p], perm[rows, j].copy()
        pivot = lu[:, j, j : j + 1]
        with np.errstate(divide="ignore", invalid="ignore"):
            factors = np.where(pivot != 0, lu[:, j + 1 :, j] / pivot, 0.0)
        lu[:, j + 1 :, j] = factors
        lu[:, j + 1 :, j + 1 :] -= factors[:, :, None] * lu[:, j : j + 1, j + 1 :]
    k = min(m, n)
    return lu.reshape(batch + (m, n)), perm.reshape(batch + (m,)), pivots.reshape(batch + (k,))


def _lu_grad(LU: Any, perm: np.ndarray, g: Any) -> Any:
    """dL/dA for A = P^T L U (rows permuted by perm; L (m, k) unit lower, U (k, n) upper,
    k = min(m, n)), G_L and G_U the parts of G below and on or above the diagonal.

    Square: P^T L^-T (tril(L^T G_L, -1) + triu(G_U U^T)) U^-T. Wide (m < n, U = [U1 U2]):
    the square formula for A1 = L U1 with L's gradient G_L - L^-T G_U2 U2^T (U2 = L^-1 A2
    depends on L), and dL/dA2 = L^-T G_U2. Tall (m > n, L = [L1; L2]): likewise with U's
    gradient G_U - L2^T G_L2 U^-T (L2 = A2 U^-1), and dL/dA2 = G_L2 U^-T."""
    m, n = LU.shape[-2:]
    k = min(m, n)
    L = _tril(LU, -1)[..., :, :k] + np.eye(m, k, dtype=LU.dtype)
    U = _triu(LU)[..., :k, :]
    gL, gU = _tril(g, -1)[..., :, :k], _triu(g)[..., :k, :]
    L1, U1, gL1, gU1 = L[..., :k, :], U[..., :, :k], gL[..., :k, :], gU[..., :, :k]
    lower, upper = L1.mT @ gL1, gU1 @ U1.mT
    if m < n:
        lower = lower - gU[..., :, k:] @ U[..., :, k:].mT
    if m > n:
        upper = upper - L[..., k:, :].mT @ gL[..., k:, :]
    inner = _tril(lower, -1) + _triu(upper)
    X = _solve(U1, _solve(L1.mT, inner).mT).mT  # L1^-T inner U1^-T
    if m < n:
        X = _cat([X, _solve(L1.mT, gU[..., :, k:])], -1)
    if m > n:
        X = _cat([X, _solve(U1, gL[..., k:, :].mT).mT], -2)
    inverse = np.argsort(perm, axis=-1)  # row i of A is row inverse[i] of L U
    return _take_rows(X, inverse)


def _cat(parts: list[Any], axis: int) -> Any:
    if isinstance(parts[0], Tensor):
        from ..functions import cat

        return cat(parts, axis)
    return np.concatenate(parts, axis)


def _take_rows(x: Any, index: np.ndarray) -> Any:
    """x[..., index[...], :] row by row of each batch (gather along the rows)."""
    idx = np.broadcast_to(index[..., :, None], x.shape)
    if isinstance(x, Tensor):
        return x.gather(-2, constant(np.ascontiguousarray(idx)))
    return np.take_along_axis(x, idx, axis=-2)


class LU(Function):
    """LU = lu_factor(A) (L and U packed, rows permuted by partial pivoting, batched);
    dL/dA = P^T L^-T (tril(L^T G_L, -1) + triu(G_U U^T)) U^-T (square A).

    The caller computes the factorisation (`lu_array`: it needs the permutation, a constant,
    as well) and hands it in. Rectangular A: see `_lu_grad`. The gradient needs the square
    factors (L's and U's first k rows and columns) invertible."""

    @staticmethod
    def forward(ctx, a, lu=None, perm=None):
        ctx.perm = perm
        ctx.save_output()
        return lu.astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        return _lu_grad(ctx.saved_output(), ctx.perm, g)

    @staticmethod
    def backward_array(ctx, g):
        return _lu_grad(ctx.saved_output_array(), ctx.perm, g)


# ---------------------------------------------------------------------------------------------
# the pseudo-inverse
# ---------------------------------------------------------------------------------------------


def _pinv_grad(A: Any, P: Any, G: Any) -> Any:
    """dL/dA = -P^T G P^T + (I - A P) G^T P P^T + P^T P G^T (I - P A)."""
    m, n = A.shape[-2:]
    left = _eye(m, P) - A @ P
    right = _eye(n, P) - P @ A
    return -(P.mT @ G @ P.mT) + left @ G.mT @ (P @ P.mT) + (P.mT @ P) @ G.mT @ right


class Pinv(Function):
    """P = pinv(A), the Moore-Penrose pseudo-inverse (batched);  dL/dA = -P^T G P^T +
    (I - A P) G^T P P^T + P^T P G^T (I - P A).

    Golub and Pereyra's derivative, which holds where the rank of A does not change (the
    singular values dropped by the cutoff stay dropped). Computed by SVD (np.linalg.pinv)."""

    @staticmethod
    def forward(ctx, a, rtol=None, atol=None, hermitian=False):
        ctx.save_for_backward(a)
        ctx.save_output()
        data = a.data
        if data.size == 0:
            return np.zeros(data.shape[:-2] + data.shape[-2:][::-1], data.dtype)
        s = np.linalg.svd(data, compute_uv=False, hermitian=hermitian)
        cutoff = np.maximum(atol, rtol * s[..., :1])  # (..., 1)
        keep = s > cutoff
        u, s, vh = np.linalg.svd(data, full_matrices=False, hermitian=hermitian)
        with np.errstate(divide="ignore"):
            s_inv = np.where(keep, 1 / np.where(keep, s, 1), 0).astype(data.dtype)
        return (vh.mT * _row(s_inv)) @ u.mT

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return _pinv_grad(a, ctx.saved_output(), g)

    @staticmethod
    def backward_array(ctx, g):
        (a,) = ctx.saved_tensors
        return _pinv_grad(a.data, ctx.saved_output_array(), g)


# ---------------------------------------------------------------------------------------------
# the matrix exponential
# ---------------------------------------------------------------------------------------------

# Higham (2005): the [13/13] Pade approximant's coefficients, and the 1-norm up to which it is
# accurate to float64's precision (larger A are scaled by 2^-s first, the result squared s times)
_PADE13 = (64764752532480000.0, 32382376266240000.0, 7771770303897600.0, 1187353796428800.0,
           129060195264000.0, 10559470521600.0, 670442572800.0, 33522128640.0, 1323241920.0,
           40840800.0, 960960.0, 16380.0, 182.0, 1.0)  # fmt: skip
_THETA13 = 5.371920351148152


def expm_array(a: np.ndarray) -> np.ndarray:
    """e^A for a batch of square matrices, by scaling and squaring with the [13/13] Pade
    approximant (Higham 2005), in float64; in a's dtype."""
    dtype = a.dtype
    a = _floating64(np.asarray(a))
    n = a.shape[-1]
    if a.size == 0:
        return a.astype(dtype)
    norm = np.abs(a).sum(axis=-2).max(axis=-1)  # the 1-norm of each matrix
    with np.errstate(divide="ignore"):
        s = np.where(norm > _THETA13, np.ceil(np.log2(norm / _THETA13)), 0).astype(np.int64)
    s = np.where(np.isfinite(norm), s, 0)
    a = a / (2.0**s)[..., None, None]
    b = _PADE13
    eye = np.eye(n)
    a2 = a @ a
    a4 = a2 @ a2
    a6 = a4 @ a2
    u = a @ (a6 @ (b[13] * a6 + b[11] * a4 + b[9] * a2) + b[7] * a6 + b[5] * a4 + b[3] * a2
             + b[1] * eye)  # fmt: skip
    v = a6 @ (b[12] * a6 + b[10] * a4 + b[8] * a2) + b[6] * a6 + b[4] * a4 + b[2] * a2 + b[0] * eye
    r = np.linalg.solve(v - u, v + u)
    for i in range(int(s.max(initial=0))):
        r = np.where((i < s)[..., None, None], r @ r, r)
    return r.astype(dtype)


def _expm_block(a: Any, g: Any) -> Any:
    """The upper right block of exp([[A^T, G], [0, A^T]]): the gradient of e^A (Mathias)."""
    n = a.shape[-1]
    at = a.mT
    if isinstance(a, Tensor):
        from ..functions import cat

        zero = constant(np.zeros(at.shape, at.dtype))
        block = cat([cat([at, g], -1), cat([zero, at], -1)], -2)
        return MatrixExp.apply(block)[..., :n, n:]
    g = np.broadcast_to(g, at.shape)
    block = np.concatenate(
        [np.concatenate([at, g], -1), np.concatenate([np.zeros_like(at), at], -1)], -2
    )
    return expm_array(block)[..., :n, n:]


class MatrixExp(Function):
    """Z = e^A = sum_k A^k / k! (batched);  dL/dA = the upper right block of
    exp([[A^T, G], [0, A^T]]).

    A primitive: scaling and squaring with a Pade approximant (`expm_array`). Its derivative,
    the Frechet derivative's adjoint, is itself a matrix exponential (of a block matrix twice the
    size), so the backward is this same op and second derivatives come free."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return expm_array(a.data)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return _expm_block(a, g)

    @staticmethod
    def backward_array(ctx, g):
        (a,) = ctx.saved_tensors
        return _expm_block(a.data, g)
