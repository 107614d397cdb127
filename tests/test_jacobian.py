"""td.jacobian and td.hessian against closed forms, finite differences and PyTorch."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_ds as td

R = np.random.default_rng(7)


def t64(a, requires_grad=False):
    return td.Tensor(np.array(a, dtype=np.float64), requires_grad=requires_grad)


def test_jacobian_of_softmax_is_diag_s_minus_s_s_transposed():
    x = t64([0.1, 0.5, -0.3, 2.0])
    J = td.jacobian(lambda t: t.softmax(0), x)
    s = np.exp(x.data) / np.exp(x.data).sum()
    np.testing.assert_allclose(J.data, np.diag(s) - np.outer(s, s), atol=1e-15)
    assert J.shape == (4, 4) and J.dtype == np.float64 and not J.requires_grad


def test_jacobian_shapes_follow_pytorch_for_tuples_of_inputs_and_outputs():
    x, w = t64(R.standard_normal(3)), t64(R.standard_normal((2, 3)))
    jx, jw = td.jacobian(lambda a, b: b @ a, (x, w))  # y_i = sum_k w_ik x_k
    np.testing.assert_allclose(jx.data, w.data, atol=1e-15)
    expected_jw = np.zeros((2, 2, 3))
    for i in range(2):
        expected_jw[i, i] = x.data  # dy_i/dw_ik = x_k, 0 for other rows
    np.testing.assert_allclose(jw.data, expected_jw, atol=1e-15)
    (s_x, s_w), (c_x, c_w) = td.jacobian(lambda a, b: (a.sum(), a * 0 + 1), (x, w))
    assert s_x.shape == (3,) and s_w.shape == (2, 3) and c_x.shape == (3, 3)
    assert c_w.shape == (3, 2, 3)
    np.testing.assert_array_equal(s_x.data, 1.0)
    assert not s_w.data.any() and not c_x.data.any() and not c_w.data.any()  # unused: zeros


def test_jacobian_matches_finite_differences_of_a_small_net():
    w = R.standard_normal((3, 4))

    def f(x):
        return (x @ td.Tensor(w).T).tanh()

    x = t64(R.standard_normal((2, 4)))
    J = td.jacobian(f, x)
    assert J.shape == (2, 3, 2, 4)
    eps, numeric = 1e-6, np.zeros((2, 3, 2, 4))
    for idx in np.ndindex(2, 4):
        up, down = x.data.copy(), x.data.copy()
        up[idx] += eps
        down[idx] -= eps
        numeric[(..., *idx)] = (f(t64(up)).data - f(t64(down)).data) / (2 * eps)
    np.testing.assert_allclose(J.data, numeric, atol=1e-8)


def test_jacobian_with_create_graph_can_be_differentiated_again():
    x = t64([0.3, -0.7], requires_grad=True)
    J = td.jacobian(lambda t: t**3, x, create_graph=True)  # diag(3 x^2)
    assert J.requires_grad
    (g,) = td.grad(J.sum(), x)  # d/dx sum(diag(3 x^2)) = 6 x
    np.testing.assert_allclose(g.data, 6 * x.data, rtol=1e-12)
    assert x.grad is None


def test_hessian_closed_forms():
    x = t64([0.5, -1.0, 2.0])
    np.testing.assert_allclose(td.hessian(lambda t: (t**3).sum(), x).data, np.diag(6 * x.data))
    a = R.standard_normal((3, 3))
    h = td.hessian(lambda t: t @ td.Tensor(a) @ t, x)  # x^T A x: H = A + A^T
    np.testing.assert_allclose(h.data, a + a.T, atol=1e-12)
    hxx, hxy = td.hessian(lambda u, v: (u * u * v).sum(), (x, t64([1.0, 2.0, 3.0])))[0]
    np.testing.assert_allclose(hxx.data, np.diag(2 * np.array([1.0, 2.0, 3.0])))
    np.testing.assert_allclose(hxy.data, np.diag(2 * x.data))  # d^2/du dv (u^2 v) = 2 u
    np.testing.assert_array_equal(td.hessian(lambda t: t.sum() * 2, x).data, np.zeros((3, 3)))


def test_hessian_of_an_mlp_loss_is_symmetric_and_matches_finite_differences():
    w2 = R.standard_normal((2, 3))
    y = np.array([0, 1])

    def loss(w1):
        h = (td.Tensor(R_X) @ w1.T).tanh()
        return td.nn.functional.cross_entropy(h @ td.Tensor(w2).T, td.Tensor(y))

    w1 = t64(R.standard_normal((3, 4)))
    H = td.hessian(loss, w1)
    assert H.shape == (3, 4, 3, 4)
    flat = H.data.reshape(12, 12)
    np.testing.assert_allclose(flat, flat.T, atol=1e-12)
    eps = 1e-6
    for idx in [(0, 0), (1, 2), (2, 3)]:
        up, down = w1.data.copy(), w1.data.copy()
        up[idx] += eps
        down[idx] -= eps
        numeric = (_grad(loss, up) - _grad(loss, down)) / (2 * eps)
        np.testing.assert_allclose(H.data[(..., *idx)], numeric, atol=1e-7)


R_X = R.standard_normal((2, 4))


def _grad(fn, value):
    w = t64(value, requires_grad=True)
    fn(w).backward()
    return w.grad.data


def test_errors_name_the_function():
    x = t64([1.0, 2.0])
    with pytest.raises(TypeError, match="jacobian: fn must return a Tensor or a tuple"):
        td.jacobian(lambda t: 3.0, x)
    with pytest.raises(TypeError, match="jacobian: input 0 has dtype int64"):
        td.jacobian(lambda t: t, td.Tensor([1, 2]))
    with pytest.raises(TypeError, match="hessian: input 1 is a list, not a Tensor"):
        td.hessian(lambda a, b: a.sum(), (x, [1.0]))
    with pytest.raises(ValueError, match=r"hessian: fn must return a Tensor with one element"):
        td.hessian(lambda t: t * 2, x)


def test_against_pytorch():
    torch = pytest.importorskip("torch")
    x = R.standard_normal(4)
    w = R.standard_normal((3, 4))

    def ours(a, b):
        return (b @ a).sigmoid()

    def theirs(a, b):
        return (b @ a).sigmoid()

    expected = torch.autograd.functional.jacobian(theirs, (torch.tensor(x), torch.tensor(w)))
    for o, t in zip(td.jacobian(ours, (t64(x), t64(w))), expected):
        np.testing.assert_allclose(o.data, t.numpy(), atol=1e-12)
    h = td.hessian(lambda a: (a.exp() * a.sin()).sum() + (a @ a) ** 2, t64(x))
    ht = torch.autograd.functional.hessian(
        lambda a: (a.exp() * a.sin()).sum() + (a @ a) ** 2, torch.tensor(x)
    )
    np.testing.assert_allclose(h.data, ht.numpy(), rtol=1e-10)
