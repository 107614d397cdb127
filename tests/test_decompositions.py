"""Matrix decompositions (ops/decompositions.py, td.linalg): values against NumPy, gradients
against central differences in float64 (batched too), second derivatives, errors by message,
and values and gradients against PyTorch when it is installed.

Decompositions whose factors are unique only up to signs (QR's, eigh's and the SVD's vectors)
are checked through functions that do not see the signs (A rebuilt, squares, U Vh), and eigh
through A + A^T (PyTorch's own gradient checks do the same: only one triangle is read)."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import assert_backward_paths_agree, check_op

import tinygrad_ds as td
from tinygrad_ds import linalg as LA

R = np.random.default_rng(3)


def r(*shape):
    return R.standard_normal(shape)


def spd(x):
    """A symmetric positive-definite matrix from any square x (Tensor or array)."""
    return x @ x.mT + 3 * np.eye(x.shape[-1], dtype=x.dtype)


def spd_t(t, x):
    """`spd` for a torch tensor."""
    return x @ x.mT + 3 * t.eye(x.shape[-1], dtype=x.dtype)


def spd_np(x):
    return x @ np.swapaxes(x, -1, -2) + 3 * np.eye(x.shape[-1])


def sym(x):
    return x + x.mT


def svd_invariant(full=False):
    """U diag(S) Vh rebuilt, plus sign-blind functions of U and Vh."""

    def f(a):
        U, S, Vh = LA.svd(a, full_matrices=full)
        k = S.shape[-1]
        U, Vh = U[..., :k], Vh[..., :k, :]
        return (U * S[..., None, :]) @ Vh + U @ Vh * 0.5 + (U * U).sum(-1, keepdims=True)

    return f


def svd_invariant_np(a):
    U, S, Vh = np.linalg.svd(a, full_matrices=False)
    return (U * S[..., None, :]) @ Vh + U @ Vh * 0.5 + (U * U).sum(-1, keepdims=True)


def expm_np(a):
    """e^A by its Taylor series (A small), the reference."""
    out, term = np.eye(a.shape[-1]) + 0 * a, np.eye(a.shape[-1]) + 0 * a
    for k in range(1, 40):
        term = term @ a / k
        out = out + term
    return out


DIFFERENTIABLE = [
    # name, fn, reference, inputs (float64, all require grad)
    ("cholesky", lambda a: LA.cholesky(spd(a)), lambda a: np.linalg.cholesky(spd_np(a)),
     [r(4, 4)]),
    ("cholesky_batched_upper", lambda a: LA.cholesky(spd(a), upper=True),
     lambda a: np.swapaxes(np.linalg.cholesky(spd_np(a)), -1, -2), [r(2, 3, 3)]),
    ("cholesky_method", lambda a: spd(a).cholesky(), lambda a: np.linalg.cholesky(spd_np(a)),
     [r(3, 3)]),
    ("qr_rebuilt_and_squares", lambda a: (lambda q, r_: q @ r_ + q * q)(*LA.qr(a)),
     lambda a: (lambda q, r_: q @ r_ + q * q)(*np.linalg.qr(a)), [r(2, 5, 3)]),
    ("qr_R_square", lambda a: LA.qr(a).R * LA.qr(a).R, lambda a: np.linalg.qr(a)[1] ** 2,
     [r(3, 3)]),
    ("qr_mode_r", lambda a: LA.qr(a, mode="r").R.abs(), lambda a: np.abs(np.linalg.qr(a)[1]),
     [r(4, 2)]),
    ("eigh_values", lambda a: LA.eigvalsh(sym(a)), lambda a: np.linalg.eigvalsh(a + a.mT),
     [r(2, 4, 4)]),
    ("eigh_vectors_squared_upper", lambda a: LA.eigh(sym(a), UPLO="U").eigenvectors ** 2,
     lambda a: np.linalg.eigh(a + a.mT)[1] ** 2, [r(3, 3)]),
    ("svdvals", LA.svdvals, lambda a: np.linalg.svd(a, compute_uv=False), [r(2, 4, 3)]),
    ("svd_tall", svd_invariant(), svd_invariant_np, [r(2, 4, 3)]),
    ("svd_wide", svd_invariant(), svd_invariant_np, [r(3, 5)]),
    ("svd_square_full", svd_invariant(True), svd_invariant_np, [r(3, 3)]),
    ("svd_wide_full", svd_invariant(True), svd_invariant_np, [r(2, 4)]),
    ("pinv_tall", LA.pinv, np.linalg.pinv, [r(2, 4, 3)]),
    ("pinv_wide", LA.pinv, np.linalg.pinv, [r(3, 5)]),
    ("pinv_hermitian", lambda a: LA.pinv(spd(a), hermitian=True),
     lambda a: np.linalg.pinv(spd_np(a)), [r(3, 3)]),
    ("pinverse_method", lambda a: a.pinverse(), np.linalg.pinv, [r(3, 2)]),
    ("lstsq", lambda a, b: LA.lstsq(a, b).solution,
     lambda a, b: np.linalg.lstsq(a, b, rcond=None)[0], [r(5, 3), r(5, 2)]),
    ("lstsq_vector_batched", lambda a, b: LA.lstsq(a, b).solution,
     lambda a, b: (np.linalg.pinv(a) @ b[..., None])[..., 0], [r(2, 4, 2), r(2, 4)]),
    ("matrix_exp", LA.matrix_exp, expm_np, [r(2, 3, 3) * 0.5]),
    ("matrix_exp_scaled", lambda a: (a * 4).matrix_exp(), lambda a: expm_np(a * 4), [r(3, 3)]),
    ("solve_triangular_upper", lambda a, b: LA.solve_triangular(a, b, upper=True),
     lambda a, b: np.linalg.solve(np.triu(a), b), [r(3, 3) + 4 * np.eye(3), r(3, 2)]),
    ("solve_triangular_right_unit", lambda a, b: LA.solve_triangular(
        a, b, upper=False, left=False, unitriangular=True),
     lambda a, b: np.linalg.solve((np.tril(a, -1) + np.eye(3)).T, b.T).T, [r(3, 3), r(2, 3)]),
    ("cholesky_solve", lambda b, l: td.cholesky_solve(b, l),
     lambda b, l: np.linalg.solve(np.tril(l) @ np.tril(l).T, b),
     [r(2, 3, 2), np.tril(r(3, 3)) + 3 * np.eye(3)]),
    ("lu_factor", lambda a: LA.lu_factor(a).LU, None, [r(2, 4, 4)]),
    ("cond", LA.cond, lambda a: np.linalg.cond(a), [r(2, 3, 3)]),
    ("cond_wide_minus2", lambda a: LA.cond(a, -2), lambda a: np.linalg.cond(a, -2), [r(3, 5)]),
    ("cond_nuc", lambda a: LA.cond(a, "nuc"), lambda a: np.linalg.cond(a, "nuc"), [r(3, 3)]),
    ("cond_1", lambda a: LA.cond(a, 1), lambda a: np.linalg.cond(a, 1), [r(2, 3, 3)]),
    ("cholesky_inverse", lambda l: td.cholesky_inverse(l.tril() + 3 * np.eye(3)),
     lambda l: np.linalg.inv((np.tril(l) + 3 * np.eye(3)) @ (np.tril(l) + 3 * np.eye(3)).T),
     [r(3, 3)]),
    ("cholesky_solve_method_upper", lambda b, u: b.cholesky_solve(u.triu() + 3 * np.eye(3), True),
     lambda b, u: np.linalg.solve((np.triu(u) + 3 * np.eye(3)).T @ (np.triu(u) + 3 * np.eye(3)),
                                  b), [r(3, 2), r(3, 3)]),
    ("lu_rebuilt", lambda a: (lambda p, l, u: p @ l @ u)(*LA.lu(a)), lambda a: a, [r(4, 4)]),
    ("lu_wide_rebuilt", lambda a: (lambda p, l, u: p @ l @ u)(*LA.lu(a)), lambda a: a,
     [r(2, 3, 5)]),
    ("lu_wide_factors", lambda a: (lambda p, l, u: l.sum(-1, keepdims=True) * u)(*LA.lu(a)),
     None, [r(2, 3, 5)]),
    ("lu_tall", lambda a: LA.lu_factor(a).LU, None, [r(5, 3)]),
    ("lu_solve", lambda a, b: LA.lu_solve(*LA.lu_factor(a), b), np.linalg.solve,
     [r(2, 3, 3), r(2, 3, 2)]),
    ("logdet_spd", lambda a: spd(a).logdet(), lambda a: np.linalg.slogdet(spd_np(a))[1],
     [r(2, 3, 3)]),
]  # fmt: skip


@pytest.mark.parametrize(
    "fn, reference, arrays", [c[1:] for c in DIFFERENTIABLE], ids=[c[0] for c in DIFFERENTIABLE]
)
def test_value_and_gradient(fn, reference, arrays):
    if reference is None:  # (checked against PyTorch below)
        inputs = [td.tensor(a, requires_grad=True) for a in arrays]
        assert td.gradcheck(fn, inputs)
        assert_backward_paths_agree(fn, inputs)
        return
    check_op(fn, reference, arrays)


def test_values_against_numpy():
    a = r(2, 4, 3)
    q, rr = LA.qr(a, mode="complete")
    nq, nr = np.linalg.qr(a, mode="complete")
    np.testing.assert_allclose(q.data, nq)
    np.testing.assert_allclose(rr.data, nr)
    assert LA.qr(a, mode="r").Q.shape == (0,)
    s = spd_np(r(4, 4))
    w, v = LA.eigh(s, UPLO="U")
    np.testing.assert_allclose(w.data, np.linalg.eigh(s, UPLO="U")[0])
    np.testing.assert_allclose(np.abs(v.data), np.abs(np.linalg.eigh(s)[1]), atol=1e-12)
    U, S, Vh = LA.svd(a)
    assert U.shape == (2, 4, 4) and S.shape == (2, 3) and Vh.shape == (2, 3, 3)
    np.testing.assert_allclose(S.data, np.linalg.svd(a)[1])
    U, S, V = td.svd(a)  # PyTorch's old signature: V, reduced
    assert U.shape == (2, 4, 3) and V.shape == (2, 3, 3)
    np.testing.assert_allclose((U * S[..., None, :]) @ V.mT.data, a)
    U0, S0, V0 = td.tensor(a).svd(compute_uv=False)
    assert U0.shape == (2, 4, 4) and V0.shape == (2, 3, 3) and not (U0.data.any() or V0.data.any())
    np.testing.assert_allclose(S0.data, np.linalg.svd(a)[1])
    low = np.diag([1.0, 1e-9, 0.0]) @ r(3, 3)
    assert LA.matrix_rank(low).item() == np.linalg.matrix_rank(low) == 2
    assert LA.matrix_rank(low, atol=1e-6).item() == 1
    assert LA.matrix_rank(np.stack([low, r(3, 3)])).data.tolist() == [2, 3]
    assert LA.matrix_rank(low).dtype == np.int64
    np.testing.assert_allclose(LA.pinv(low, rtol=1e-6).data, np.linalg.pinv(low, rcond=1e-6))
    x = np.array([[1.0, 0.5], [0.0, 0.0]])  # a zero pivot column: LU still runs
    P, L, U_ = LA.lu(x)
    np.testing.assert_allclose((P @ L @ U_).data, x)
    P, L, U_ = LA.lu(r(3, 5))  # rectangular
    assert L.shape == (3, 3) and U_.shape == (3, 5)


@pytest.mark.parametrize("shape", [(0, 0), (2, 0, 0), (0, 3, 3)])
def test_empty_matrices(shape):
    a = td.tensor(np.ones(shape), requires_grad=True)
    for y in [LA.cholesky(a), LA.qr(a).R, LA.eigh(a).eigenvectors, LA.svd(a).U, LA.pinv(a),
              LA.matrix_exp(a), LA.lu(a).U]:  # fmt: skip
        assert y.shape == shape
        y.sum().backward()
        assert a.grad.shape == shape


def test_lstsq_fields_as_pytorch():
    a, b = r(5, 3), r(5, 2)
    out = LA.lstsq(a, b)
    assert out.residuals.shape == (0,) and out.singular_values.shape == (0,)
    assert out.rank.item() == 3 and out.rank.dtype == np.int64
    out = LA.lstsq(a, b, driver="gelsd")
    x, res, rank, sv = np.linalg.lstsq(a, b, rcond=None)
    np.testing.assert_allclose(out.solution.data, x)
    np.testing.assert_allclose(out.residuals.data, res)
    np.testing.assert_allclose(out.singular_values.data, sv)
    assert out.rank.item() == rank
    assert LA.lstsq(r(3, 3), r(3, 1), driver="gelss").residuals.shape == (0,)  # (m = n)


def test_lu_factor_pivots_and_permutation():
    a = r(2, 4, 4)
    LU, piv = LA.lu_factor(a)
    assert piv.dtype == np.int32 and piv.shape == (2, 4) and (piv.data >= 1).all()
    P, L, U = LA.lu(a)
    np.testing.assert_allclose((P @ L @ U).data, a, atol=1e-12)
    np.testing.assert_allclose(L.data, np.tril(L.data))
    np.testing.assert_allclose(np.diagonal(L.data, axis1=-2, axis2=-1), 1.0)


def test_matrix_exp_of_known_matrices():
    theta = 0.7
    rot = LA.matrix_exp(np.array([[0.0, -theta], [theta, 0.0]]))
    c, s = np.cos(theta), np.sin(theta)
    np.testing.assert_allclose(rot.data, [[c, -s], [s, c]], atol=1e-15)
    big = np.diag([10.0, -30.0, 1.0])
    np.testing.assert_allclose(LA.matrix_exp(big).data, np.diag(np.exp([10.0, -30.0, 1.0])),
                               rtol=1e-13)  # fmt: skip
    nil = np.array([[0.0, 1.0], [0.0, 0.0]])
    np.testing.assert_allclose(LA.matrix_exp(nil).data, [[1.0, 1.0], [0.0, 1.0]], atol=1e-15)


SECOND = [
    ("cholesky", lambda a: LA.cholesky(spd(a)), (3, 3)),
    ("qr", lambda a: LA.qr(a).R, (4, 3)),
    ("eigvalsh", lambda a: LA.eigvalsh(sym(a)), (3, 3)),
    ("eigh_vectors", lambda a: LA.eigh(sym(a)).eigenvectors ** 2, (3, 3)),
    ("svdvals", LA.svdvals, (3, 2)),
    ("pinv", LA.pinv, (3, 2)),
    ("matrix_exp", LA.matrix_exp, (2, 2, 2)),
    ("lu_factor", lambda a: LA.lu_factor(a).LU, (3, 3)),
    ("lu_factor_wide", lambda a: LA.lu_factor(a).LU, (2, 4)),
]


@pytest.mark.parametrize("fn, shape", [c[1:] for c in SECOND], ids=[c[0] for c in SECOND])
def test_second_derivative(fn, shape):
    weights = np.cos(np.arange(np.prod(fn(td.tensor(r(*shape))).shape)))

    def derivative(a):
        y = fn(a)
        (g,) = td.grad((y * weights.reshape(y.shape)).sum(), [a], create_graph=True)
        return g

    assert td.gradcheck(derivative, [td.tensor(r(*shape), requires_grad=True)])


def test_float32_stays_float32():
    a = td.tensor(r(3, 3), dtype=td.float32, requires_grad=True)
    outs = [LA.cholesky(spd(a)), LA.qr(a).R, LA.eigvalsh(sym(a)), LA.svdvals(a), LA.pinv(a),
            LA.matrix_exp(a), LA.lu_factor(a).LU, a.logdet()]  # fmt: skip
    for y in outs:
        assert y.dtype == np.float32
        a.grad = None
        y.sum().backward()
        assert a.grad.dtype == np.float32


def test_degenerate_eigenvalues_blow_up_only_the_vectors_gradients():
    a = td.tensor(np.eye(3), requires_grad=True)
    LA.eigvalsh(a).sum().backward()
    np.testing.assert_allclose(a.grad.data, np.eye(3))
    a.grad = None
    LA.svdvals(a * 2).sum().backward()  # (three equal singular values)
    np.testing.assert_allclose(a.grad.data, 2 * np.eye(3))
    q = np.linalg.qr(r(3, 3))[0]
    b = td.tensor(q @ np.diag([1.0, 1.0, 2.0]) @ q.T, requires_grad=True)
    with np.errstate(all="ignore"):
        (LA.eigh(b).eigenvectors * r(3, 3)).sum().backward()
    g = b.grad.data  # (the computed eigenvalues differ by rounding: huge, or inf)
    assert not np.isfinite(g).all() or np.abs(g).max() > 1e10


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: LA.cholesky(td.ones((2, 3))), ValueError, r"cholesky: expects square"),
        (lambda: LA.cholesky(-td.eye(3)), ValueError, r"cholesky: .*not positive-definite"),
        (lambda: LA.cholesky(td.ones(3)), ValueError, r"cholesky: expects square"),
        (lambda: LA.cholesky(td.tensor([[1, 0], [0, 1]])), TypeError, r"cholesky: .*floating"),
        (lambda: LA.qr(td.ones(3)), ValueError, r"qr: expects matrices"),
        (lambda: LA.qr(td.ones((2, 2)), mode="full"), ValueError, r"qr: mode must"),
        (lambda: LA.qr(td.tensor(r(2, 4), requires_grad=True)).R.sum().backward(),
         RuntimeError, r"qr: the gradient is implemented for .*m >= n"),
        (lambda: LA.eigh(td.ones((2, 3))), ValueError, r"eigh: expects square"),
        (lambda: LA.eigh(td.eye(2), UPLO="X"), ValueError, r"eigh: UPLO must"),
        (lambda: LA.eigvalsh(td.ones((2, 3))), ValueError, r"eigvalsh: expects square"),
        (lambda: LA.svd(td.ones(3)), ValueError, r"svd: expects matrices"),
        (lambda: LA.svdvals(td.tensor([[1, 2]])), TypeError, r"svdvals: expects a floating"),
        (lambda: LA.pinv(td.ones(2)), ValueError, r"pinv: expects matrices"),
        (lambda: LA.pinv(td.ones((2, 3)), hermitian=True), ValueError, r"pinv: expects square"),
        (lambda: LA.lstsq(td.ones((3, 2)), td.ones((4, 1))), ValueError, r"lstsq: B of shape"),
        (lambda: LA.lstsq(td.ones((3, 2)), td.ones((3, 1)), driver="x"), ValueError,
         r"lstsq: driver"),
        (lambda: LA.matrix_rank(td.ones(3)), ValueError, r"matrix_rank: expects matrices"),
        (lambda: LA.matrix_exp(td.ones((2, 3))), ValueError, r"matrix_exp: expects square"),
        (lambda: LA.solve_triangular(td.eye(3), td.ones((2, 2)), upper=True), ValueError,
         r"solve_triangular: B of shape"),
        (lambda: LA.solve_triangular(td.ones((2, 3)), td.ones((2, 2)), upper=True), ValueError,
         r"solve_triangular: expects square"),
        (lambda: td.cholesky_solve(td.ones((3, 1)), td.ones((3, 2))), ValueError,
         r"cholesky_solve: expects square"),
        (lambda: LA.lu_factor(td.eye(2), pivot=False), ValueError, r"lu_factor: LU without"),
        (lambda: LA.lu(td.ones(2)), ValueError, r"lu: expects matrices"),
        (lambda: td.svd("a"), TypeError, r"svd"),
        (lambda: LA.cond(td.eye(2), p=3), ValueError, r"cond: p must be"),
        (lambda: LA.cond(td.ones((2, 3)), p="fro"), ValueError, r"cond: expects square"),
    ],
)  # fmt: skip
def test_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()


# -- against PyTorch -----------------------------------------------------------------------


def _t_svd(full=False):
    def f(t, a):
        U, S, Vh = t.linalg.svd(a, full_matrices=full)
        k = S.shape[-1]
        U, Vh = U[..., :k], Vh[..., :k, :]
        return (U * S[..., None, :]) @ Vh + U @ Vh * 0.5 + (U * U).sum(-1, keepdim=True)

    return f


TORCH_CASES = [
    ("cholesky", lambda a: LA.cholesky(spd(a)), lambda t, a: t.linalg.cholesky(spd_t(t, a)),
     [(2, 3, 3)]),
    ("cholesky_upper", lambda a: LA.cholesky(spd(a), upper=True),
     lambda t, a: t.linalg.cholesky(spd_t(t, a), upper=True), [(3, 3)]),
    ("qr", lambda a: (lambda q, r_: q * 2 + r_.sum())(*LA.qr(a)),
     lambda t, a: (lambda q, r_: q * 2 + r_.sum())(*t.linalg.qr(a)), [(2, 5, 3)]),
    ("eigh", lambda a: (lambda w, v: v**2 + w[..., None, :])(*LA.eigh(a)),
     lambda t, a: (lambda w, v: v**2 + w[..., None, :])(*t.linalg.eigh(a)), [(2, 4, 4)]),
    ("eigh_upper", lambda a: LA.eigh(a, UPLO="U").eigenvectors.abs(),
     lambda t, a: t.linalg.eigh(a, UPLO="U").eigenvectors.abs(), [(3, 3)]),
    ("svdvals", LA.svdvals, lambda t, a: t.linalg.svdvals(a), [(2, 3, 5)]),
    ("svd", svd_invariant(), _t_svd(), [(2, 5, 3)]),
    ("svd_full", svd_invariant(True), _t_svd(True), [(3, 5)]),
    ("pinv", LA.pinv, lambda t, a: t.linalg.pinv(a), [(2, 4, 3)]),
    ("lstsq", lambda a, b: LA.lstsq(a, b).solution,
     lambda t, a, b: t.linalg.lstsq(a, b).solution, [(5, 3), (5, 2)]),
    ("matrix_exp", LA.matrix_exp, lambda t, a: t.linalg.matrix_exp(a), [(2, 3, 3)]),
    ("solve_triangular", lambda a, b: LA.solve_triangular(a, b, upper=False),
     lambda t, a, b: t.linalg.solve_triangular(a, b, upper=False), [(3, 3), (3, 2)]),
    ("lu_factor", lambda a: LA.lu_factor(a).LU, lambda t, a: t.linalg.lu_factor(a).LU,
     [(2, 4, 4)]),
    ("lu", lambda a: (lambda p, l, u: l * 2 + u)(*LA.lu(a)),
     lambda t, a: (lambda p, l, u: l * 2 + u)(*t.linalg.lu(a)), [(4, 4)]),
    ("lu_factor_wide", lambda a: LA.lu_factor(a).LU, lambda t, a: t.linalg.lu_factor(a).LU,
     [(2, 3, 5)]),
    ("lu_tall", lambda a: (lambda p, l, u: l * 2 + u.sum())(*LA.lu(a)),
     lambda t, a: (lambda p, l, u: l * 2 + u.sum())(*t.linalg.lu(a)), [(5, 3)]),
    ("logdet", td.logdet, lambda t, a: t.logdet(a), [(3, 3, 3)]),
    ("cond", LA.cond, lambda t, a: t.linalg.cond(a), [(2, 3, 5)]),
    ("cholesky_inverse", lambda a: td.cholesky_inverse(a.tril() + 3 * np.eye(3)),
     lambda t, a: t.cholesky_inverse(a.tril() + 3 * t.eye(3, dtype=a.dtype)), [(3, 3)]),
]  # fmt: skip


@pytest.mark.parametrize("name, ours, theirs, shapes", TORCH_CASES, ids=[c[0] for c in TORCH_CASES])
def test_against_torch(name, ours, theirs, shapes):
    torch = pytest.importorskip("torch")
    arrays = [r(*s) for s in shapes]
    if name.startswith("eigh"):  # symmetric inputs (each library reads one triangle)
        arrays = [a + np.swapaxes(a, -1, -2) for a in arrays]
    xs = [td.tensor(a, requires_grad=True) for a in arrays]
    ts = [torch.tensor(a, requires_grad=True) for a in arrays]
    y, ty = ours(*xs), theirs(torch, *ts)
    np.testing.assert_allclose(y.data, ty.detach().numpy(), rtol=1e-9, atol=1e-11)
    upstream = np.cos(np.arange(y.numel())).reshape(y.shape)
    (y * upstream).sum().backward()
    (ty * torch.tensor(upstream)).sum().backward()
    for x, t in zip(xs, ts):
        np.testing.assert_allclose(x.grad.data, t.grad.numpy(), rtol=1e-8, atol=1e-10)


def test_pivots_and_fields_against_torch():
    torch = pytest.importorskip("torch")
    a = r(3, 4, 4)
    LU, piv = LA.lu_factor(a)
    assert piv.data.tolist() == torch.linalg.lu_factor(torch.tensor(a)).pivots.tolist()
    P, _, _ = LA.lu(a)
    np.testing.assert_array_equal(P.data, torch.linalg.lu(torch.tensor(a)).P.numpy())
    a, b = r(5, 3), r(5, 2)
    ours, theirs = LA.lstsq(a, b, driver="gelsd"), torch.linalg.lstsq(
        torch.tensor(a), torch.tensor(b), driver="gelsd")  # fmt: skip
    for field in ("solution", "residuals", "rank", "singular_values"):
        np.testing.assert_allclose(getattr(ours, field).data, getattr(theirs, field).numpy())
    low = np.diag([1.0, 1e-9, 0.0]) @ r(3, 3)
    assert LA.matrix_rank(low).item() == torch.linalg.matrix_rank(torch.tensor(low)).item()
    a = r(2, 3, 3)  # (cond's values only for p other than 2: PyTorch 2.13's backward fails there)
    for p in ("fro", "nuc", 1, -1, np.inf, -np.inf, -2):
        np.testing.assert_allclose(LA.cond(a, p).data, torch.linalg.cond(torch.tensor(a), p))
