"""`td.linalg`, PyTorch's `torch.linalg`: inverse, determinants, linear solves, norms, the
cross product and the decompositions, batched over leading dims.

`inv`, `det`, `slogdet` and `solve` are primitives (ops/linalg_more.py: LU factorisations with
their matrix-calculus derivatives); the norms and `cross` are composed from Tensor methods.
`cholesky`, `qr`, `eigh`, `svd`, `lu`, `pinv` and `matrix_exp` are primitives of
ops/decompositions.py with their gradients; `eigvalsh`, `svdvals`, `lstsq`, `matrix_rank`,
`solve_triangular`, `lu_solve` and `cond` are composed on them.

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
    sum, 2 (-2) the largest (smallest) singular value and "nuc" their sum (through `svdvals`,
    whose gradient assumes distinct singular values)."""
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
    if ord in (2, -2, "nuc") and not isinstance(ord, bool):
        s = svdvals(A.movedim((rows, cols), (-2, -1)))
        out = s.sum(-1) if ord == "nuc" else s.max(-1) if ord == 2 else s.min(-1)
        if keepdim:
            for d in sorted((rows, cols)):
                out = out.unsqueeze(d)
        return out
    raise ValueError(
        f"matrix_norm: ord must be 'fro', 'nuc', 1, -1, 2, -2, inf or -inf, got {ord!r}"
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


# ---------------------------------------------------------------------------------------------
# decompositions and the functions built on them (ops/decompositions.py)
# ---------------------------------------------------------------------------------------------

__all__ += [
    "cholesky", "qr", "eigh", "eigvalsh", "svd", "svdvals", "pinv", "lstsq", "matrix_rank",
    "matrix_exp", "solve_triangular", "lu_factor", "lu", "lu_solve", "cond", "QRResult",
    "EighResult",
    "SVDResult", "LstsqResult", "LUFactorResult", "LUResult",
]  # fmt: skip


class QRResult(NamedTuple):
    """What `qr` returns: Q with orthonormal columns and upper-triangular R, A = QR."""

    Q: Tensor
    R: Tensor


class EighResult(NamedTuple):
    """What `eigh` returns: the eigenvalues (ascending) and the eigenvectors (columns)."""

    eigenvalues: Tensor
    eigenvectors: Tensor


class SVDResult(NamedTuple):
    """What `svd` returns: A = U diag(S) Vh, S descending."""

    U: Tensor
    S: Tensor
    Vh: Tensor


class LstsqResult(NamedTuple):
    """What `lstsq` returns, as `torch.linalg.lstsq`: the solution, the squared residuals (empty
    unless computed, see `lstsq`), the rank and the singular values (empty unless computed)."""

    solution: Tensor
    residuals: Tensor
    rank: Tensor
    singular_values: Tensor


class LUFactorResult(NamedTuple):
    """What `lu_factor` returns: L (unit, below the diagonal) and U packed, LAPACK's pivots."""

    LU: Tensor
    pivots: Tensor


class LUResult(NamedTuple):
    """What `lu` returns: A = P L U."""

    P: Tensor
    L: Tensor
    U: Tensor


def _matrices(A: Any, what: str, square: bool = False) -> Tensor:
    """A floating tensor of matrices (of square ones with `square`): else a clear error."""
    A = _t(A, what)
    if square:
        square_matrices(A, what)
    elif A.ndim < 2:
        raise ValueError(f"{what}: expects matrices (at least 2 dims), got shape {A.shape}")
    elif A.dtype.kind != "f":
        raise TypeError(f"{what}: expects a floating-point tensor, got {A.dtype}")
    return A


def _unpacked(out: Tensor, shapes: list[tuple[int, ...]]) -> list[Tensor]:
    from .ops.decompositions import unpack

    return unpack(out, shapes)


def cholesky(A: Any, *, upper: bool = False) -> Tensor:
    """The Cholesky factor of a symmetric positive-definite matrix (batched): lower L with
    A = L L^T (only A's lower triangle is read), or with upper=True U = L^T with A = U^T U
    (the upper triangle read). dA = sym(L^-T Phi(L^T G) L^-1) (ops/decompositions.py)."""
    from .ops.decompositions import Cholesky

    A = _matrices(A, "cholesky", square=True)
    return Cholesky.apply(A.mT).mT if upper else Cholesky.apply(A)


def qr(A: Any, mode: str = "reduced") -> QRResult:
    """A = QR (batched) with Q's columns orthonormal and R upper triangular: mode 'reduced'
    (Q (m, k), R (k, n), k = min(m, n)), 'complete' (Q (m, m), R (m, n)) or 'r' (R alone, Q
    empty). Differentiable for m >= n in modes 'reduced' and 'r' (Walter and Lehmann)."""
    from .ops.decompositions import QR

    A = _matrices(A, "qr")
    if mode not in ("reduced", "complete", "r"):
        raise ValueError(f"qr: mode must be 'reduced', 'complete' or 'r', got {mode!r}")
    m, n = A.shape[-2:]
    k = m if mode == "complete" else min(m, n)
    out = QR.apply(A, mode="complete" if mode == "complete" else "reduced")
    Q, R = _unpacked(out, [(m, k), (k, n)])
    if mode == "r":
        return QRResult(constant(np.zeros((0,), A.dtype)), R)
    return QRResult(Q, R)


def eigh(A: Any, UPLO: str = "L") -> EighResult:
    """The eigenvalues (ascending) and eigenvectors of a symmetric matrix (batched), reading
    its lower (UPLO='L') or upper ('U') triangle: A = V diag(w) V^T. The eigenvectors'
    gradient assumes distinct eigenvalues (it is inf or NaN where two coincide, where the
    eigenvectors are not unique; the eigenvalues' gradient V diag(G) V^T is always finite)."""
    from .ops.decompositions import Eigh

    A = _matrices(A, "eigh", square=True)
    if UPLO not in ("L", "U"):
        raise ValueError(f"eigh: UPLO must be 'L' or 'U', got {UPLO!r}")
    n = A.shape[-1]
    w, V = _unpacked(Eigh.apply(A, UPLO=UPLO), [(n,), (n, n)])
    return EighResult(w, V)


def eigvalsh(A: Any, UPLO: str = "L") -> Tensor:
    """The eigenvalues of a symmetric matrix, ascending (`eigh`'s first result)."""
    try:
        return eigh(A, UPLO).eigenvalues
    except (TypeError, ValueError) as e:
        raise type(e)(str(e).replace("eigh:", "eigvalsh:", 1)) from None


def svd(A: Any, full_matrices: bool = True) -> SVDResult:
    """A = U diag(S) Vh (batched), S descending: U (m, m) and Vh (n, n) with full_matrices
    (PyTorch's default), else U (m, k) and Vh (k, n), k = min(m, n). The singular vectors'
    gradient assumes distinct nonzero singular values (inf or NaN otherwise, where they are
    not unique); with full_matrices the extra columns get none, as PyTorch's."""
    from .ops.decompositions import SVD

    A = _matrices(A, "svd")
    m, n = A.shape[-2:]
    k = min(m, n)
    shapes = [(m, m), (k,), (n, n)] if full_matrices else [(m, k), (k,), (k, n)]
    U, S, Vh = _unpacked(SVD.apply(A, full_matrices=bool(full_matrices)), shapes)
    return SVDResult(U, S, Vh)


def svdvals(A: Any) -> Tensor:
    """The singular values, descending (`svd`'s S; its gradient U diag(G) V^T is finite)."""
    try:
        return svd(A, full_matrices=False).S
    except (TypeError, ValueError) as e:
        raise type(e)(str(e).replace("svd:", "svdvals:", 1)) from None


def _tolerances(A: Tensor, atol: Any, rtol: Any) -> tuple[float, float]:
    """PyTorch's rule: with neither given, rtol = eps * max(m, n); with atol alone, rtol = 0."""
    if rtol is None:
        rtol = np.finfo(A.dtype).eps * max(A.shape[-2:]) if atol is None or atol <= 0 else 0.0
    return (0.0 if atol is None else float(atol)), float(rtol)


def pinv(A: Any, *, atol: Any = None, rtol: Any = None, hermitian: bool = False) -> Tensor:
    """The Moore-Penrose pseudo-inverse (batched), singular values at or below
    max(atol, rtol * the largest) treated as 0 (PyTorch's default rtol = eps * max(m, n)).
    dA = -P^T G P^T + (I - A P) G^T P P^T + P^T P G^T (I - P A) (where the rank is constant)."""
    from .ops.decompositions import Pinv

    A = _matrices(A, "pinv", square=hermitian)
    atol, rtol = _tolerances(A, atol, rtol)
    return Pinv.apply(A, rtol=rtol, atol=atol, hermitian=bool(hermitian))


def matrix_rank(A: Any, *, atol: Any = None, rtol: Any = None, hermitian: bool = False) -> Tensor:
    """The number of singular values above max(atol, rtol * the largest) (`pinv`'s rule),
    int64, batched; a constant."""
    A = _matrices(A, "matrix_rank", square=hermitian)
    atol, rtol = _tolerances(A, atol, rtol)
    if A.numel() == 0:
        return constant(np.zeros(A.shape[:-2], np.int64))
    s = np.linalg.svd(A.data, compute_uv=False, hermitian=hermitian)
    cutoff = np.maximum(atol, rtol * s[..., :1])
    return constant(np.asarray((s > cutoff).sum(-1), dtype=np.int64))


def lstsq(A: Any, B: Any, rcond: Any = None, *, driver: str | None = None) -> LstsqResult:
    """The least-squares solution X minimising ||A X - B|| (batched; B (..., m, k), or
    (..., m) for one vector): the minimum-norm one, pinv(A) B, singular values at or below
    rcond * the largest dropped (default eps * max(m, n)); differentiable as `pinv`.
    As PyTorch: residuals ||A X - B||^2 per column only for m > n, A of full rank and
    driver 'gels', 'gelsd' or 'gelss'; rank unless driver 'gels'; singular values for 'gelsd'
    and 'gelss' (driver None is 'gelsy'). Else those are empty."""
    A = _matrices(A, "lstsq")
    B = _t(B, "lstsq")
    if driver not in (None, "gels", "gelsy", "gelsd", "gelss"):
        raise ValueError(
            f"lstsq: driver must be None, 'gels', 'gelsy', 'gelsd' or 'gelss', got {driver!r}"
        )
    m, n = A.shape[-2:]
    vector = B.ndim == A.ndim - 1
    if B.ndim < 1 or B.shape[-1 if vector else -2] != m:
        raise ValueError(
            f"lstsq: B of shape {B.shape} does not match A of shape {A.shape} (B must be "
            f"(..., {m}) or (..., {m}, k))"
        )
    B = B.astype(A.dtype)
    Bm = B.unsqueeze(-1) if vector else B
    X = pinv(A, rtol=rcond).matmul(Bm)
    driver = driver or "gelsy"
    empty = constant(np.zeros((0,), A.dtype))
    rank = matrix_rank(A, rtol=rcond) if driver != "gels" else constant(np.zeros(0, np.int64))
    full = driver != "gels" and bool((rank.data == n).all()) or driver == "gels"
    residuals = empty
    if m > n and full and driver != "gelsy":
        residuals = (A.matmul(X) - Bm).square().sum(-2)
        residuals = residuals.squeeze(-1) if vector else residuals
    values = empty
    if driver in ("gelsd", "gelss"):
        values = constant(np.linalg.svd(A.data, compute_uv=False))
    return LstsqResult(X.squeeze(-1) if vector else X, residuals, rank, values)


def matrix_exp(A: Any) -> Tensor:
    """e^A = sum_k A^k / k! for square matrices (batched), by scaling and squaring with a
    Pade approximant; dA = the upper right block of exp([[A^T, G], [0, A^T]])."""
    from .ops.decompositions import MatrixExp

    return MatrixExp.apply(_matrices(A, "matrix_exp", square=True))


def solve_triangular(A: Any, B: Any, *, upper: bool, left: bool = True,
                     unitriangular: bool = False) -> Tensor:  # fmt: skip
    """X with A X = B (left) or X A = B (left=False), A triangular: only its upper (or lower)
    triangle is read, and its diagonal taken as 1s with unitriangular. Composed: `solve` with
    the triangle, so the gradient reaches that triangle only."""
    A = _matrices(A, "solve_triangular", square=True)
    B = _t(B, "solve_triangular")
    n = A.shape[-1]
    if B.ndim < 2 or B.shape[-2 if left else -1] != n:
        raise ValueError(
            f"solve_triangular: B of shape {B.shape} does not match A of shape {A.shape} "
            f"(B must be (..., {n}, k) with left=True, (..., k, {n}) with left=False)"
        )
    T = A.triu() if upper else A.tril()
    if unitriangular:
        T = (A.triu(1) if upper else A.tril(-1)) + np.eye(n, dtype=A.dtype)
    B = B.astype(A.dtype)
    if left:
        return solve(T, B)
    return solve(T.mT, B.mT).mT


def _cholesky_solve(B: Any, L: Any, upper: bool = False) -> Tensor:
    """torch.cholesky_solve(B, L, upper): X with (L L^T) X = B (or (U^T U) X = B), two
    triangular solves."""
    L = _matrices(L, "cholesky_solve", square=True)
    B = _t(B, "cholesky_solve")
    if upper:
        Y = solve_triangular(L.mT, B, upper=False)
        return solve_triangular(L, Y, upper=True)
    Y = solve_triangular(L, B, upper=False)
    return solve_triangular(L.mT, Y, upper=True)


def lu_factor(A: Any, *, pivot: bool = True) -> LUFactorResult:
    """LU with partial pivoting (batched): L (unit diagonal, below the diagonal of LU) and U
    (on and above it) packed, and LAPACK's 1-based pivots (int32): row j was swapped with row
    pivots[j] - 1 at step j. Differentiable (square or not) where L's and U's square parts
    are invertible."""
    from .ops.decompositions import LU, lu_array

    A = _matrices(A, "lu_factor")
    if not pivot:
        raise ValueError("lu_factor: LU without pivoting is not provided (pivot=False)")
    lu_data, perm, pivots = lu_array(A.data)
    return LUFactorResult(LU.apply(A, lu=lu_data, perm=perm), constant(pivots))


def lu(A: Any, *, pivot: bool = True) -> LUResult:
    """A = P L U (batched): P a permutation matrix, L unit lower triangular (m, k), U upper
    triangular (k, n), k = min(m, n); composed from `lu_factor`."""
    from .ops.decompositions import LU, lu_array

    A = _matrices(A, "lu")
    if not pivot:
        raise ValueError("lu: LU without pivoting is not provided (pivot=False)")
    lu_data, perm, _ = lu_array(A.data)
    packed = LU.apply(A, lu=lu_data, perm=perm)
    m, n = A.shape[-2:]
    k = min(m, n)
    L = packed[..., :, :k].tril(-1) + np.eye(m, k, dtype=A.dtype)
    U = packed[..., :k, :].triu()
    P = np.zeros(A.shape[:-2] + (m, m), A.dtype)
    np.put_along_axis(P, perm[..., None, :], 1, axis=-2)  # P[perm[i], i] = 1
    return LUResult(constant(P), L, U)


def lu_solve(LU: Any, pivots: Any, B: Any) -> Tensor:
    """X with A X = B from `lu_factor`'s (LU, pivots): B's rows permuted as the pivots say,
    then two triangular solves (L unit lower, U upper)."""
    LU = _matrices(LU, "lu_solve", square=True)
    B = _t(B, "lu_solve")
    pivots = np.asarray(_t(pivots, "lu_solve").data, dtype=np.int64) - 1
    n = LU.shape[-1]
    perm = np.broadcast_to(np.arange(n), pivots.shape[:-1] + (n,)).copy()
    for j in range(pivots.shape[-1]):  # replay the row swaps
        p = pivots[..., j : j + 1]
        pj = perm[..., j : j + 1].copy()
        np.put_along_axis(perm, np.full_like(p, j), np.take_along_axis(perm, p, -1), -1)
        np.put_along_axis(perm, p, pj, -1)
    index = np.broadcast_to(perm[..., :, None], perm.shape + (B.shape[-1],))
    PB = B.gather(-2, constant(np.ascontiguousarray(index)))
    Y = solve_triangular(LU, PB, upper=False, unitriangular=True)
    return solve_triangular(LU, Y, upper=True)


def cond(A: Any, p: Any = None) -> Tensor:
    """The condition number of A (batched): for p None or 2 the ratio of the largest to the
    smallest singular value (-2 the inverse ratio; any shape), otherwise ||A||_p ||A^-1||_p
    for p 'fro', 'nuc', 1, -1, inf or -inf (square, invertible A). Composed: differentiable
    as `svdvals`, `inv` and `matrix_norm`."""
    A = _matrices(A, "cond")
    if p is None or p == 2 or p == -2:
        s = svdvals(A)
        ratio = s[..., 0] / s[..., -1]
        return ratio if p != -2 else 1 / ratio
    if p not in ("fro", "nuc", 1, -1, math.inf, -math.inf):
        raise ValueError(
            f"cond: p must be None, 2, -2, 'fro', 'nuc', 1, -1, inf or -inf, got {p!r}"
        )
    square_matrices(A, "cond")
    return matrix_norm(A, p) * matrix_norm(inv(A), p)
