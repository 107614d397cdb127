"""Products, fused multiply-adds and distances (torch_api/linalg.py): values against NumPy
closed forms, gradients against central differences in float64 (batched and broadcast),
second derivatives, errors by message, and values and gradients against PyTorch."""

from __future__ import annotations

import math

import numpy as np
import pytest
from helpers import check_op

import tinygrad_ds as td

R = np.random.default_rng(7)
INF = math.inf


def r(*shape):
    return R.standard_normal(shape)


def np_cdist(x1, x2, p):
    diff = np.abs(x1[..., :, None, :] - x2[..., None, :, :])
    if p == 0:
        return (diff != 0).sum(-1).astype(float)
    if p == INF:
        return diff.max(-1)
    return (diff**p).sum(-1) ** (1 / p)


def np_block_diag(*arrays):
    arrays = [np.atleast_2d(a) for a in arrays]
    out = np.zeros((sum(a.shape[0] for a in arrays), sum(a.shape[1] for a in arrays)))
    i = j = 0
    for a in arrays:
        out[i : i + a.shape[0], j : j + a.shape[1]] = a
        i, j = i + a.shape[0], j + a.shape[1]
    return out


def np_cross(a, b, axis):
    a, b = np.broadcast_arrays(a, b)
    return np.cross(a, b, axis=axis)


DIFFERENTIABLE = [
    # name, fn, reference, inputs (float64, all require grad)
    ("dot", lambda a, b: a.dot(b), np.dot, [r(4), r(4)]),
    ("vdot", lambda a, b: td.vdot(a, b), np.vdot, [r(3), r(3)]),
    ("inner_2d_3d", lambda a, b: a.inner(b), np.inner, [r(2, 3), r(4, 5, 3)]),
    ("inner_1d", lambda a, b: td.inner(a, b), np.inner, [r(3), r(3)]),
    ("inner_0d", lambda a, b: a.inner(b), np.inner, [r(), r(2, 3)]),
    ("mv", lambda a, b: a.mv(b), np.matmul, [r(3, 4), r(4)]),
    ("outer", lambda a, b: td.outer(a, b), np.outer, [r(3), r(4)]),
    ("kron_2d", lambda a, b: a.kron(b), np.kron, [r(2, 3), r(3, 2)]),
    ("kron_mixed_ndim", lambda a, b: td.kron(a, b), np.kron, [r(2), r(2, 2, 3)]),
    ("kron_3d_1d", lambda a, b: a.kron(b), np.kron, [r(2, 1, 3), r(2)]),
    ("tensordot_2", lambda a, b: td.tensordot(a, b), np.tensordot, [r(2, 3, 4), r(3, 4, 5)]),
    ("tensordot_0", lambda a, b: td.tensordot(a, b, 0), lambda a, b: np.tensordot(a, b, 0),
     [r(2, 3), r(4)]),
    ("tensordot_lists", lambda a, b: td.tensordot(a, b, ([1, 0], [0, 2])),
     lambda a, b: np.tensordot(a, b, ([1, 0], [0, 2])), [r(3, 2, 4), r(2, 5, 3)]),
    ("tensordot_neg", lambda a, b: td.tensordot(a, b, dims=([-1], [0])),
     lambda a, b: np.tensordot(a, b, ([2], [0])), [r(2, 3, 4), r(4, 2)]),
    ("cross_first_3", lambda a, b: a.cross(b), lambda a, b: np_cross(a, b, 1),
     [r(2, 3, 3), r(2, 3, 3)]),
    ("cross_dim_broadcast", lambda a, b: td.cross(a, b, dim=-1),
     lambda a, b: np_cross(a, b, -1), [r(4, 1, 3), r(1, 2, 3)]),
    ("cross_dim0", lambda a, b: a.cross(b, 0), lambda a, b: np_cross(a, b, 0),
     [r(3, 2), r(3, 1)]),
    ("matrix_power_1", lambda a: a.matrix_power(1), lambda a: a, [r(3, 3)]),
    ("matrix_power_5", lambda a: a.matrix_power(5), lambda a: np.linalg.matrix_power(a, 5),
     [0.5 * r(3, 3)]),
    ("matrix_power_batched", lambda a: td.matrix_power(a, 6),
     lambda a: np.linalg.matrix_power(a, 6), [0.5 * r(2, 3, 3)]),
    ("addmm", lambda i, a, b: i.addmm(a, b), lambda i, a, b: i + a @ b,
     [r(2, 4), r(2, 3), r(3, 4)]),
    ("addmm_broadcast_scaled", lambda i, a, b: td.addmm(i, a, b, beta=0.5, alpha=-2),
     lambda i, a, b: 0.5 * i - 2 * a @ b, [r(4), r(2, 3), r(3, 4)]),
    ("addmm_beta0", lambda i, a, b: td.addmm(i, a, b, beta=0), lambda i, a, b: a @ b,
     [r(2, 1), r(2, 3), r(3, 4)]),
    ("addmv", lambda i, a, b: td.addmv(i, a, b, alpha=3), lambda i, a, b: i + 3 * a @ b,
     [r(1), r(2, 3), r(3)]),
    ("addr", lambda i, a, b: i.addr(a, b, beta=2), lambda i, a, b: 2 * i + np.outer(a, b),
     [r(3, 1), r(3), r(4)]),
    ("baddbmm", lambda i, a, b: td.baddbmm(i, a, b, alpha=0.5),
     lambda i, a, b: i + 0.5 * a @ b, [r(2, 1), r(3, 2, 4), r(3, 4, 2)]),
    ("addbmm", lambda i, a, b: i.addbmm(a, b, beta=-1),
     lambda i, a, b: -i + (a @ b).sum(0), [r(2, 5), r(3, 2, 4), r(3, 4, 5)]),
    ("addcmul", lambda i, a, b: i.addcmul(a, b, value=0.5), lambda i, a, b: i + 0.5 * a * b,
     [r(2), r(3, 1), r(2)]),
    ("addcdiv", lambda i, a, b: td.addcdiv(i, a, b, value=2), lambda i, a, b: i + 2 * a / b,
     [r(2, 3), r(3), 1.5 + np.abs(r(2, 1))]),
    ("dist_2", lambda a, b: a.dist(b), lambda a, b: np.linalg.norm((a - b).ravel()),
     [r(2, 3), r(3)]),
    ("dist_1", lambda a, b: td.dist(a, b, 1), lambda a, b: np.abs(a - b).sum(), [r(4), r(4)]),
    ("dist_3", lambda a, b: a.dist(b, p=3), lambda a, b: (np.abs(a - b) ** 3).sum() ** (1 / 3),
     [r(4), r(4)]),
    ("dist_inf", lambda a, b: a.dist(b, INF), lambda a, b: np.abs(a - b).max(), [r(5), r(5)]),
    ("cdist_2", lambda a, b: td.cdist(a, b), lambda a, b: np_cdist(a, b, 2), [r(3, 2), r(4, 2)]),
    ("cdist_batched_broadcast", lambda a, b: td.cdist(a, b, p=1.5),
     lambda a, b: np_cdist(a, b, 1.5), [r(2, 1, 3, 2), r(4, 2, 2)]),
    ("cdist_1", lambda a, b: td.cdist(a, b, 1), lambda a, b: np_cdist(a, b, 1),
     [r(3, 4), r(2, 4)]),
    ("cdist_inf", lambda a, b: td.cdist(a, b, INF), lambda a, b: np_cdist(a, b, INF),
     [r(3, 4), r(2, 4)]),
    ("norm_fn", lambda a: td.norm(a, dim=1, keepdim=True),
     lambda a: np.linalg.norm(a, axis=1, keepdims=True), [r(3, 4)]),
    ("mm_fn", lambda a, b: td.mm(a, b), np.matmul, [r(2, 3), r(3, 4)]),
    ("bmm_fn", lambda a, b: td.bmm(a, b), np.matmul, [r(2, 2, 3), r(2, 3, 4)]),
    ("block_diag", lambda a, b, c: td.block_diag(a, b, c), np_block_diag, [r(), r(3), r(2, 2)]),
    ("cartesian_prod", lambda a, b: td.cartesian_prod(a, b),
     lambda a, b: np.array([[x, y] for x in a for y in b]), [r(2), r(3)]),
]  # fmt: skip


@pytest.mark.parametrize(
    "fn, reference, arrays",
    [row[1:] for row in DIFFERENTIABLE],
    ids=[row[0] for row in DIFFERENTIABLE],
)
def test_value_and_gradient(fn, reference, arrays):
    check_op(fn, reference, arrays)


# -- values, dtypes and special cases --------------------------------------------------------


def test_integer_products_stay_int64():
    a, b = td.tensor([1, 2, 3]), td.tensor([4, 5, 6])
    assert a.dot(b).item() == 32 and a.dot(b).dtype == np.int64 and a.dot(b).shape == ()
    assert (
        a.outer(b).dtype == np.int64
        and a.kron(b).tolist() == np.kron([1, 2, 3], [4, 5, 6]).tolist()
    )
    assert a.cross(b).tolist() == [-3, 6, -3]
    m = td.tensor([[1, 2], [3, 4]])
    assert (
        m.matrix_power(3).tolist() == np.linalg.matrix_power(np.array([[1, 2], [3, 4]]), 3).tolist()
    )
    assert (
        td.addmm(m, m, m, alpha=2, beta=3).tolist() == (3 * m.data + 2 * m.data @ m.data).tolist()
    )


def test_float32_stays_float32():
    a, b = td.randn(3, 3), td.randn(3, 3)
    for out in (a[0].dot(b[0]), a.kron(b), a.cross(b), td.tensordot(a, b),
                a.addmm(a, b), a.addcmul(a, b, value=2.0), td.cdist(a, b), a.dist(b),
                a.matrix_power(3), td.block_diag(a, b)):  # fmt: skip
        assert out.dtype == np.float32


def test_int_and_float_operands_promote():
    out = td.tensor([1, 2]).dot(td.tensor([0.5, 0.25]))
    assert out.dtype == np.float32 and out.item() == 1.0
    assert td.block_diag(td.tensor([[1]]), td.tensor([2.5])).dtype == np.float32


def test_matrix_power_0_is_identity_and_1_a_copy():
    a = td.randn(2, 3, 3, requires_grad=True)
    eye = a.matrix_power(0)
    np.testing.assert_array_equal(eye.data, np.broadcast_to(np.eye(3), (2, 3, 3)))
    assert eye.dtype == np.float32
    one = a.matrix_power(1)
    assert one is not a and not np.shares_memory(one.data, a.data)
    np.testing.assert_array_equal(one.data, a.data)


def test_beta_0_ignores_nan_and_gives_a_zero_gradient():
    i = td.Tensor(np.full((2, 2), np.nan), requires_grad=True)
    a, b = td.randn(2, 3, requires_grad=True), td.randn(3, 2)
    out = td.addmm(i, a, b, beta=0)
    np.testing.assert_allclose(out.data, a.data @ b.data, rtol=1e-6)
    out.sum().backward()
    np.testing.assert_array_equal(i.grad.data, np.zeros((2, 2)))


def test_cdist_and_dist_gradient_is_zero_where_points_coincide():
    x = td.Tensor([[0.0, 1.0], [2.0, 3.0]], dtype=td.float64, requires_grad=True)
    y = td.Tensor([[0.0, 1.0]], dtype=td.float64, requires_grad=True)
    d = td.cdist(x, y)
    np.testing.assert_allclose(d.data.ravel(), [0, math.sqrt(8)])
    gx, gy = td.grad(d.sum(), [x, y])
    s = 1 / math.sqrt(2)
    np.testing.assert_allclose(gx.data, [[0, 0], [s, s]])
    np.testing.assert_allclose(gy.data, [[-s, -s]])
    (g,) = td.grad(x.dist(x.detach()), [x])
    np.testing.assert_array_equal(g.data, np.zeros((2, 2)))


def test_p_0_counts_differences_with_zero_gradient():
    a = td.Tensor([1.0, 2.0, 3.0], requires_grad=True)
    assert a.dist(td.tensor([1.0, 0.0, 0.0]), 0).item() == 2.0
    np.testing.assert_array_equal(
        td.cdist(td.tensor([[0.0, 1.0]]), td.tensor([[0.0, 2.0], [1.0, 2.0]]), 0).data, [[1, 2]]
    )


def test_block_diag_of_nothing_and_cartesian_prod_of_one():
    assert td.block_diag().shape == (1, 0)
    a = td.tensor([1, 2])
    assert td.cartesian_prod(a) is a
    assert td.cartesian_prod(a, td.tensor([3, 4]), td.tensor([5])).tolist() == [
        [1, 3, 5], [1, 4, 5], [2, 3, 5], [2, 4, 5]]  # fmt: skip


# -- second derivatives ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "fn, shapes",
    [
        (lambda i, a, b: td.addmm(i, a, b, alpha=2).tanh().sum(), [(2, 2), (2, 3), (3, 2)]),
        (lambda x, y: td.cdist(x, y).sum(), [(3, 2), (2, 2)]),
        (lambda x, y: x.cross(y, -1).square().sum(), [(2, 3), (2, 3)]),
        (lambda x, y: x.kron(y).sin().sum(), [(2, 2), (2,)]),
        (lambda x: x.matrix_power(3).sum(), [(3, 3)]),
    ],
    ids=["addmm", "cdist", "cross", "kron", "matrix_power"],
)
def test_second_derivative(fn, shapes):
    inputs = [td.Tensor(r(*s), requires_grad=True) for s in shapes]
    assert td.gradcheck(
        lambda *xs: td.grad(fn(*xs), xs, create_graph=True)[0].square().sum(), inputs
    )


# -- errors ----------------------------------------------------------------------------------


ERRORS = [
    (
        lambda: td.dot(td.randn(3), td.randn(4)),
        ValueError,
        r"dot: the vectors' lengths differ.*\(3,\) and \(4,\)",
    ),
    (
        lambda: td.randn(3, 1).dot(td.randn(3)),
        ValueError,
        r"dot: expects two 1-D tensors, got shapes \(3, 1\)",
    ),
    (lambda: td.vdot(td.randn(2, 2), td.randn(2)), ValueError, r"vdot: expects two 1-D"),
    (
        lambda: td.inner(td.randn(2, 3), td.randn(2)),
        ValueError,
        r"inner: the last dims differ \(3 and 2\)",
    ),
    (
        lambda: td.outer(td.randn(2, 2), td.randn(3)),
        ValueError,
        r"outer: expects two 1-D tensors, got shapes \(2, 2\)",
    ),
    (
        lambda: td.mv(td.randn(2, 3), td.randn(4)),
        ValueError,
        r"mv: expects a matrix \(n, m\).*\(2, 3\) and \(4,\)",
    ),
    (
        lambda: td.cross(td.randn(2, 4), td.randn(2, 4)),
        ValueError,
        r"cross: no dim of size 3 in shape \(2, 4\)",
    ),
    (
        lambda: td.cross(td.randn(3), td.randn(2, 3)),
        ValueError,
        r"cross: the inputs must have the same number of dims",
    ),
    (
        lambda: td.cross(td.randn(3, 3), td.randn(1, 3)),
        ValueError,
        r"cross: dim 0 must have length 3 in both.*\(1, 3\)",
    ),
    (
        lambda: td.cross(td.randn(3, 2), td.randn(3, 2), dim=1),
        ValueError,
        r"cross: dim 1 must have length 3",
    ),
    (
        lambda: td.cross(td.randn(2, 3), td.randn(4, 3)),
        ValueError,
        r"cross: shapes \(2, 3\) and \(4, 3\) do not broadcast",
    ),
    (
        lambda: td.cross(td.randn(3), td.randn(3), dim=-2),
        IndexError,
        r"cross: axis -2 is out of range",
    ),
    (
        lambda: td.matrix_power(td.randn(2, 3), 2),
        ValueError,
        r"matrix_power: expects square matrices.*\(2, 3\)",
    ),
    (lambda: td.matrix_power(td.randn(3), 2), ValueError, r"matrix_power: expects square"),
    (lambda: td.matrix_power(td.randn(3, 3), 1.5), TypeError, r"matrix_power: n must be an int"),
    (
        lambda: td.addmm(td.randn(4, 3), td.randn(2, 3), td.randn(3, 3)),
        ValueError,
        r"addmm: input of shape \(4, 3\) does not broadcast to the product's shape \(2, 3\)",
    ),
    (
        lambda: td.addmm(td.randn(2, 3), td.randn(2, 3), td.randn(2, 3)),
        ValueError,
        r"addmm: the inner sizes differ \(3 and 2\)",
    ),
    (
        lambda: td.addmm(td.tensor([[1]]), td.tensor([[1]]), td.tensor([[1]]), alpha=0.5),
        TypeError,
        r"addmm: alpha=0.5 must be an int for integer tensors",
    ),
    (
        lambda: td.addmm(td.randn(2, 2), td.randn(2, 2), td.randn(2, 2), beta="1"),
        TypeError,
        r"addmm: beta must be a number",
    ),
    (
        lambda: td.addmv(td.randn(2), td.randn(2, 3), td.randn(4)),
        ValueError,
        r"addmv: expects a matrix",
    ),
    (
        lambda: td.addr(td.randn(2, 3), td.randn(2, 1), td.randn(3)),
        ValueError,
        r"addr: expects two 1-D",
    ),
    (
        lambda: td.baddbmm(td.randn(3, 1), td.randn(5, 2, 4), td.randn(5, 4, 3)),
        ValueError,
        r"baddbmm: input of shape \(3, 1\) does not broadcast to the product's shape \(5, 2, 3\)",
    ),
    (
        lambda: td.baddbmm(td.randn(1), td.randn(5, 2, 4), td.randn(1, 4, 3)),
        ValueError,
        r"baddbmm: the batch sizes differ \(5 and 1\)",
    ),
    (
        lambda: td.addbmm(td.randn(1), td.randn(2, 4), td.randn(4, 3)),
        ValueError,
        r"addbmm: expects two batches of matrices",
    ),
    (
        lambda: td.addcmul(td.randn(2), td.randn(3), td.randn(2)),
        ValueError,
        r"addcmul: shapes \(2,\), \(3,\) and \(2,\) \(input, tensor1, tensor2\) do not broadcast",
    ),
    (
        lambda: td.addcdiv(td.tensor([1.0]), td.tensor([1]), td.tensor([2])),
        TypeError,
        r"addcdiv: integer division is not supported",
    ),
    (
        lambda: td.dist(td.randn(2), td.randn(3)),
        ValueError,
        r"dist: shapes \(2,\) and \(3,\) do not broadcast",
    ),
    (
        lambda: td.dist(td.tensor([1, 2]), td.tensor([1, 3])),
        TypeError,
        r"dist: expected floating-point tensors, got int64",
    ),
    (lambda: td.dist(td.randn(2), td.randn(2), -1), ValueError, r"dist: p must be positive"),
    (
        lambda: td.tensordot(td.randn(2, 3, 4), td.randn(4, 3, 5), ([1], [0])),
        ValueError,
        r"tensordot: contracted dims differ in size: 3 \(dim 1 of shape \(2, 3, 4\)\) and 4",
    ),
    (
        lambda: td.tensordot(td.randn(2, 3), td.randn(3, 5), -1),
        ValueError,
        r"tensordot: dims=-1 must be in \[0, 2\]",
    ),
    (
        lambda: td.tensordot(td.randn(2, 3), td.randn(3, 5), 3),
        ValueError,
        r"tensordot: dims=3 must be in",
    ),
    (
        lambda: td.tensordot(td.randn(2, 3), td.randn(3, 5), ([0, 1], [0])),
        ValueError,
        r"tensordot: dims \[0, 1\] and \[0\] must have",
    ),
    (
        lambda: td.tensordot(td.randn(2, 3), td.randn(3, 5), "x"),
        TypeError,
        r"tensordot: dims must be an int or a pair",
    ),
    (
        lambda: td.tensordot(td.randn(2, 3), td.randn(3, 5), ([5], [0])),
        IndexError,
        r"tensordot: axis 5 is out of range",
    ),
    (
        lambda: td.cdist(td.randn(3), td.randn(4, 3)),
        ValueError,
        r"cdist: expects tensors of at least 2 dims.*\(3,\)",
    ),
    (
        lambda: td.cdist(td.randn(2, 3), td.randn(4, 2)),
        ValueError,
        r"cdist: the points have different numbers of coordinates \(3 and 2\)",
    ),
    (
        lambda: td.cdist(td.randn(2, 2, 3), td.randn(3, 4, 3)),
        ValueError,
        r"cdist: the batch dims of shapes",
    ),
    (
        lambda: td.cdist(td.randn(2, 3), td.randn(4, 3), p=-1),
        ValueError,
        r"cdist: p must be >= 0, got -1",
    ),
    (
        lambda: td.cdist(td.tensor([[1, 2]]), td.tensor([[1, 2]])),
        TypeError,
        r"cdist: expected floating-point tensors",
    ),
    (
        lambda: td.block_diag(td.ones(2, 2, 2)),
        ValueError,
        r"block_diag: tensors must have at most 2 dims, tensor 0 has shape \(2, 2, 2\)",
    ),
    (
        lambda: td.cartesian_prod(td.ones(2, 2)),
        ValueError,
        r"cartesian_prod: expects one or more 1-D tensors",
    ),
    (lambda: td.dot("ab", [1]), TypeError, r"dot: expected tensors"),
    (lambda: td.mm(td.randn(2, 3), td.randn(2, 3)), ValueError, r"mm: the inner sizes differ"),
]


@pytest.mark.parametrize("fn, error, match", ERRORS, ids=[m for _, _, m in ERRORS])
def test_errors(fn, error, match):
    with pytest.raises(error, match=match):
        fn()


# -- against PyTorch -------------------------------------------------------------------------


TORCH_CASES = [
    # name, our fn, torch fn (same argument order), input shapes
    ("dot", td.dot, "dot", [(4,), (4,)]),
    ("inner", td.inner, "inner", [(2, 3), (4, 3)]),
    ("mv", td.mv, "mv", [(2, 3), (3,)]),
    ("outer", td.outer, "outer", [(2,), (3,)]),
    ("kron", td.kron, "kron", [(2, 1, 3), (2, 2)]),
    ("tensordot", lambda a, b: td.tensordot(a, b, ([0, 2], [2, 0])),
     lambda torch, a, b: torch.tensordot(a, b, ([0, 2], [2, 0])), [(2, 3, 4), (4, 5, 2)]),
    ("cross_default_dim", td.cross, "cross", [(2, 3, 3), (1, 3, 3)]),
    ("cross_dim", lambda a, b: td.cross(a, b, dim=-1),
     lambda torch, a, b: torch.cross(a, b, dim=-1), [(2, 3, 3), (1, 3, 3)]),
    ("matrix_power", lambda a: td.matrix_power(a, 7), lambda torch, a: torch.matrix_power(a, 7),
     [(2, 3, 3)]),
    ("addmm", lambda i, a, b: td.addmm(i, a, b, beta=0.5, alpha=2),
     lambda torch, i, a, b: torch.addmm(i, a, b, beta=0.5, alpha=2), [(3,), (2, 4), (4, 3)]),
    ("addmv", td.addmv, "addmv", [(2,), (2, 3), (3,)]),
    ("addr", lambda i, a, b: td.addr(i, a, b, alpha=-1),
     lambda torch, i, a, b: torch.addr(i, a, b, alpha=-1), [(2, 3), (2,), (3,)]),
    ("baddbmm", td.baddbmm, "baddbmm", [(1, 3), (2, 2, 4), (2, 4, 3)]),
    ("addbmm", lambda i, a, b: td.addbmm(i, a, b, beta=2),
     lambda torch, i, a, b: torch.addbmm(i, a, b, beta=2), [(2, 3), (4, 2, 5), (4, 5, 3)]),
    ("addcmul", lambda i, a, b: td.addcmul(i, a, b, value=3),
     lambda torch, i, a, b: torch.addcmul(i, a, b, value=3), [(3,), (2, 3), (2, 1)]),
    ("addcdiv", lambda i, a, b: td.addcdiv(i, a, b, value=0.5),
     lambda torch, i, a, b: torch.addcdiv(i, a, b, value=0.5), [(3,), (2, 3), (2, 1)]),
    ("dist", lambda a, b: td.dist(a, b, 3), lambda torch, a, b: torch.dist(a, b, 3),
     [(2, 3), (3,)]),
    ("cdist", td.cdist, "cdist", [(2, 3, 4), (1, 5, 4)]),
    ("cdist_p1", lambda a, b: td.cdist(a, b, 1.0), lambda torch, a, b: torch.cdist(a, b, 1.0),
     [(3, 4), (5, 4)]),
    ("norm", lambda a: td.norm(a, 3, dim=0), lambda torch, a: torch.norm(a, 3, dim=0), [(3, 4)]),
    ("block_diag", td.block_diag, "block_diag", [(2, 3), (1,), ()]),
    ("cartesian_prod", td.cartesian_prod, "cartesian_prod", [(2,), (3,)]),
]  # fmt: skip


@pytest.mark.filterwarnings("ignore:Using torch.cross without specifying the dim")
@pytest.mark.parametrize(
    "ours, theirs, shapes", [c[1:] for c in TORCH_CASES], ids=[c[0] for c in TORCH_CASES]
)
def test_against_torch(ours, theirs, shapes):
    torch = pytest.importorskip("torch")
    if isinstance(theirs, str):
        name = theirs
        theirs = lambda torch, *xs: getattr(torch, name)(*xs)  # noqa: E731
    arrays = [r(*s) for s in shapes]
    # a positive divisor for addcdiv, away from 0
    if len(arrays) == 3:
        arrays[2] = np.abs(arrays[2]) + 1.0
    xs = [td.Tensor(a, requires_grad=True) for a in arrays]
    ts = [torch.tensor(a, requires_grad=True) for a in arrays]
    out, expected = ours(*xs), theirs(torch, *ts)
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-10, atol=1e-12)
    weights = r(*out.shape)
    ours_grad = td.grad(out, xs, weights)
    theirs_grad = torch.autograd.grad(expected, ts, torch.tensor(weights))
    for g, h in zip(ours_grad, theirs_grad):
        np.testing.assert_allclose(g.data, h.numpy(), rtol=1e-9, atol=1e-12)


# -- td.linalg: inv, det, slogdet, solve (primitives), norms and cross (composed) -------------


def well(*shape):
    """Well-conditioned square matrices: random plus n on the diagonal."""
    n = shape[-1]
    return r(*shape) + n * np.eye(n)


def np_solve(a, b):
    vector = b.ndim == 1 or (b.ndim == a.ndim - 1 and b.shape == a.shape[:-1])
    if vector:
        return np.linalg.solve(a, b[..., None])[..., 0]
    return np.linalg.solve(a, b)


LINALG = [
    ("inv", td.linalg.inv, np.linalg.inv, [well(3, 3)]),
    ("inv_batched", td.linalg.inv, np.linalg.inv, [well(2, 3, 3)]),
    ("det", td.linalg.det, np.linalg.det, [r(3, 3)]),
    ("det_batched", td.linalg.det, np.linalg.det, [r(2, 2, 4, 4)]),
    ("logabsdet", lambda a: td.linalg.slogdet(a).logabsdet,
     lambda a: np.linalg.slogdet(a)[1], [r(2, 3, 3)]),
    ("solve_vector", td.linalg.solve, np_solve, [well(3, 3), r(3)]),
    ("solve_matrix", td.linalg.solve, np_solve, [well(3, 3), r(3, 2)]),
    ("solve_batched_vectors", td.linalg.solve, np_solve, [well(2, 3, 3), r(2, 3)]),
    ("solve_broadcast_A", td.linalg.solve, np_solve, [well(3, 3), r(4, 3, 2)]),
    ("solve_broadcast_B", td.linalg.solve, np_solve, [well(2, 1, 3, 3), r(5, 3, 1)]),
    ("matrix_power_neg", lambda a: a.matrix_power(-3), lambda a: np.linalg.matrix_power(a, -3),
     [well(3, 3)]),
    ("norm_default", td.linalg.norm, lambda a: np.linalg.norm(a.ravel()), [r(2, 3, 4)]),
    ("norm_ord_inf_2d", lambda a: td.linalg.norm(a, INF), lambda a: np.linalg.norm(a, INF),
     [r(3, 4)]),
    ("norm_ord_1_1d", lambda a: td.linalg.norm(a, 1), lambda a: np.linalg.norm(a, 1), [r(5)]),
    ("norm_fro_dims", lambda a: td.linalg.norm(a, dim=(0, 2)),
     lambda a: np.linalg.norm(a, axis=(0, 2)), [r(2, 3, 4)]),
    ("vector_norm", lambda a: td.linalg.vector_norm(a, 3, dim=-1, keepdim=True),
     lambda a: np.linalg.norm(a, 3, axis=-1, keepdims=True), [r(3, 4)]),
    ("matrix_norm_fro", td.linalg.matrix_norm, lambda a: np.linalg.norm(a, "fro", (-2, -1)),
     [r(2, 3, 4)]),
    ("matrix_norm_1", lambda a: td.linalg.matrix_norm(a, 1),
     lambda a: np.linalg.norm(a, 1, (-2, -1)), [r(2, 3, 4)]),
    ("matrix_norm_neg_inf_keepdim", lambda a: td.linalg.matrix_norm(a, -INF, keepdim=True),
     lambda a: np.linalg.norm(a, -INF, (-2, -1), keepdims=True), [r(2, 3, 4)]),
    ("matrix_norm_dims_swapped", lambda a: td.linalg.matrix_norm(a, 1, dim=(1, 0)),
     lambda a: np.linalg.norm(a, 1, (1, 0)), [r(3, 4)]),
    ("matrix_norm_2", lambda a: td.linalg.matrix_norm(a, 2),
     lambda a: np.linalg.norm(a, 2, (-2, -1)), [r(2, 3, 4)]),
    ("matrix_norm_neg2_keepdim", lambda a: td.linalg.matrix_norm(a, -2, dim=(0, 2), keepdim=True),
     lambda a: np.linalg.norm(a, -2, (0, 2), keepdims=True), [r(3, 2, 4)]),
    ("matrix_norm_nuc_swapped", lambda a: td.linalg.matrix_norm(a, "nuc", dim=(1, 0)),
     lambda a: np.linalg.norm(a, "nuc", (1, 0)), [r(3, 4)]),
    ("norm_2_matrix", lambda a: td.linalg.norm(a, 2), lambda a: np.linalg.norm(a, 2), [r(3, 4)]),
    ("linalg_cross", td.linalg.cross, lambda a, b: np_cross(a, b, -1), [r(2, 1, 3), r(1, 4, 3)]),
]  # fmt: skip


@pytest.mark.parametrize(
    "fn, reference, arrays", [row[1:] for row in LINALG], ids=[row[0] for row in LINALG]
)
def test_linalg_value_and_gradient(fn, reference, arrays):
    check_op(fn, reference, arrays)


@pytest.mark.parametrize(
    "fn, shapes",
    [
        (lambda a: td.linalg.inv(a).sum(), [(3, 3)]),
        (lambda a: td.linalg.det(a), [(3, 3)]),
        (lambda a: td.linalg.slogdet(a).logabsdet, [(3, 3)]),
        (lambda a, b: td.linalg.solve(a, b).square().sum(), [(3, 3), (3, 2)]),
    ],
    ids=["inv", "det", "slogdet", "solve"],
)
def test_linalg_second_derivative(fn, shapes):
    inputs = [td.Tensor(well(*s) if i == 0 else r(*s), requires_grad=True)
              for i, s in enumerate(shapes)]  # fmt: skip
    for k in range(len(inputs)):
        assert td.gradcheck(
            lambda *xs, k=k: td.grad(fn(*xs), xs, create_graph=True)[k].square().sum(), inputs
        )


def test_det_gradient_at_a_singular_matrix_is_the_adjugate():
    a = td.Tensor([[1.0, 2.0], [2.0, 4.0]], dtype=td.float64, requires_grad=True)
    d = td.linalg.det(a)
    assert d.item() == pytest.approx(0.0, abs=1e-12)
    d.backward()
    np.testing.assert_allclose(a.grad.data, [[4.0, -2.0], [-2.0, 1.0]], atol=1e-12)
    z = td.Tensor(np.zeros((3, 3)), requires_grad=True)
    td.linalg.det(z).backward()
    np.testing.assert_allclose(z.grad.data, np.zeros((3, 3)), atol=1e-12)


def test_slogdet_sign_and_a_singular_matrix():
    sign, logabsdet = td.linalg.slogdet(td.tensor([[0.0, 1.0], [1.0, 0.0]]))
    assert sign.item() == -1.0 and logabsdet.item() == pytest.approx(0.0)
    assert not sign.requires_grad and sign.dtype == np.float32
    big = td.Tensor(np.eye(3) * 1e200)  # det overflows, its log does not
    assert td.linalg.slogdet(big).logabsdet.item() == pytest.approx(600 * np.log(10))
    s, l = td.linalg.slogdet(td.tensor([[1.0, 2.0], [2.0, 4.0]]))
    assert s.item() == 0.0 and l.item() == -np.inf


def test_linalg_float32_stays_float32_and_doctest():
    import doctest

    a = td.Tensor(well(3, 3).astype(np.float32))
    outs = [td.linalg.inv(a), td.linalg.det(a), td.linalg.slogdet(a).logabsdet]
    outs += [td.linalg.solve(a, a[0]), td.linalg.norm(a), td.linalg.matrix_norm(a, 1)]
    assert all(out.dtype == np.float32 for out in outs)
    result = doctest.testmod(td.linalg)
    assert result.attempted > 0 and result.failed == 0


LINALG_ERRORS = [
    (lambda: td.linalg.inv(td.tensor([[1.0, 2.0], [2.0, 4.0]])), ValueError,
     r"inv: the matrix \(shape \(2, 2\)\) is singular"),
    (lambda: td.linalg.inv(td.randn(2, 3)), ValueError,
     r"inv: expects square matrices \(the last two dims\), got shape \(2, 3\)"),
    (lambda: td.linalg.det(td.randn(3)), ValueError, r"det: expects square matrices"),
    (lambda: td.linalg.det(td.tensor([[1, 2], [3, 4]])), TypeError,
     r"det: expects a floating-point tensor, got int64"),
    (lambda: td.linalg.slogdet(td.randn(2, 3)), ValueError, r"slogdet: expects square"),
    (lambda: td.linalg.solve(td.tensor([[1.0, 2.0], [2.0, 4.0]]), td.ones(2)), ValueError,
     r"solve: the matrix \(shape \(2, 2\)\) is singular"),
    (lambda: td.linalg.solve(td.randn(3, 3), td.randn(4)), ValueError,
     r"solve: B of shape \(4,\) does not match A of shape \(3, 3\)"),
    (lambda: td.linalg.solve(td.randn(2, 3, 3), td.randn(4, 3, 1)), ValueError,
     r"solve: the batch dims of A \(2, 3, 3\) and B \(4, 3, 1\) do not broadcast"),
    (lambda: td.matrix_power(td.tensor([[1, 2], [3, 4]]), -1), TypeError,
     r"inv: expects a floating-point tensor"),
    (lambda: td.linalg.matrix_norm(td.randn(3, 3), 3), ValueError,
     r"matrix_norm: ord must be 'fro', 'nuc', 1, -1, 2, -2, inf or -inf, got 3"),
    (lambda: td.linalg.matrix_norm(td.randn(3)), ValueError,
     r"matrix_norm: expects a tensor of at least 2 dims"),
    (lambda: td.linalg.matrix_norm(td.randn(3, 3), dim=(0, 0)), ValueError,
     r"matrix_norm: repeated axis"),
    (lambda: td.linalg.norm(td.randn(2, 2, 2), 1), ValueError,
     r"norm: with ord=1 and no dim, A must be 1-D or 2-D"),
    (lambda: td.linalg.vector_norm(td.randn(3), -2), ValueError, r"vector_norm: p must be"),
    (lambda: td.linalg.cross(td.randn(3, 2), td.randn(3, 2)), ValueError,
     r"cross: dim 1 must have length 3"),
]  # fmt: skip


@pytest.mark.parametrize("fn, error, match", LINALG_ERRORS, ids=[m for _, _, m in LINALG_ERRORS])
def test_linalg_errors(fn, error, match):
    with pytest.raises(error, match=match):
        fn()


LINALG_TORCH = [
    ("inv", td.linalg.inv, lambda torch, a: torch.linalg.inv(a), [well(2, 3, 3)]),
    ("det", td.linalg.det, lambda torch, a: torch.linalg.det(a), [r(2, 3, 3)]),
    ("det_singular", td.linalg.det, lambda torch, a: torch.linalg.det(a),
     [np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [1.0, 0.0, 1.0]])]),
    ("slogdet", lambda a: td.linalg.slogdet(a).logabsdet,
     lambda torch, a: torch.linalg.slogdet(a).logabsdet, [r(3, 3)]),
    ("solve_vector", td.linalg.solve, lambda torch, a, b: torch.linalg.solve(a, b),
     [well(3, 3), r(3)]),
    ("solve_broadcast", td.linalg.solve, lambda torch, a, b: torch.linalg.solve(a, b),
     [well(2, 1, 3, 3), r(4, 3, 2)]),
    ("matrix_power_neg", lambda a: td.matrix_power(a, -2),
     lambda torch, a: torch.matrix_power(a, -2), [well(3, 3)]),
    ("norm", lambda a: td.linalg.norm(a, -INF), lambda torch, a: torch.linalg.norm(a, -INF),
     [r(3, 4)]),
    ("vector_norm", lambda a: td.linalg.vector_norm(a, 0.5, dim=(0, 1)),
     lambda torch, a: torch.linalg.vector_norm(a, 0.5, dim=(0, 1)), [r(2, 3, 4)]),
    ("matrix_norm", lambda a: td.linalg.matrix_norm(a, INF),
     lambda torch, a: torch.linalg.matrix_norm(a, INF), [r(2, 3, 4)]),
    ("cross", td.linalg.cross, lambda torch, a, b: torch.linalg.cross(a, b),
     [r(3, 3, 3), r(1, 3, 3)]),
]  # fmt: skip


@pytest.mark.parametrize(
    "ours, theirs, arrays", [c[1:] for c in LINALG_TORCH], ids=[c[0] for c in LINALG_TORCH]
)
def test_linalg_against_torch(ours, theirs, arrays):
    torch = pytest.importorskip("torch")
    xs = [td.Tensor(a, requires_grad=True) for a in arrays]
    ts = [torch.tensor(a, requires_grad=True) for a in arrays]
    out, expected = ours(*xs), theirs(torch, *ts)
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-9, atol=1e-12)
    weights = r(*out.shape)
    ours_grad = td.grad(out, xs, weights)
    theirs_grad = torch.autograd.grad(expected, ts, torch.tensor(weights))
    for g, h in zip(ours_grad, theirs_grad):
        np.testing.assert_allclose(g.data, h.numpy(), rtol=1e-8, atol=1e-10)
