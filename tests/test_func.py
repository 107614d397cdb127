"""td.func: grad, grad_and_value, vjp, jacrev, jacfwd, hessian, functional_call, vmap, against
closed forms, loops and torch.func."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_ds as td
from tinygrad_ds import func as F

R = np.random.default_rng(5)


def t64(a, requires_grad=False):
    return td.Tensor(np.array(a, dtype=np.float64), requires_grad=requires_grad)


def cube_sum(x):
    return (x**3).sum()


# -- grad and its composition -------------------------------------------------------------


def test_grad_closed_forms_and_result_is_plain():
    x = t64([0.5, 1.0, -2.0])
    g = F.grad(cube_sum)(x)
    np.testing.assert_allclose(g.data, 3 * x.data**2)
    assert not g.requires_grad and g.grad_fn is None and g.dtype == np.float64
    g2 = F.grad(lambda a: F.grad(cube_sum)(a).sum())(x)  # grad of grad: 6x
    np.testing.assert_allclose(g2.data, 6 * x.data)
    g3 = F.grad(F.grad(lambda a: a.sin()))(t64(0.4))  # (sin)'' = -sin
    np.testing.assert_allclose(g3.data, -np.sin(0.4))
    assert F.grad(cube_sum)(td.Tensor([1.0, 2.0])).dtype == np.float32


def test_nested_grads_do_not_confuse_their_inputs():
    x = t64(1.5)
    # d/dx [ d/dy (x * y) at y = x ] = d/dx [x] = 1 (not 2, as mixing the two x's would give)
    g = F.grad(lambda a: F.grad(lambda b: a * b)(a))(x)
    assert float(g.data) == 1.0


def test_argnums_has_aux_and_grad_and_value():
    x, y = t64([1.0, 2.0]), t64([3.0, -1.0])

    def f(a, b):
        return (a * b * b).sum(), {"sum_b": b.sum()}

    (ga, gb), aux = F.grad(f, argnums=(0, 1), has_aux=True)(x, y)
    np.testing.assert_allclose(ga.data, y.data**2)
    np.testing.assert_allclose(gb.data, 2 * x.data * y.data)
    assert float(aux["sum_b"].data) == 2.0
    g, (value, aux) = F.grad_and_value(f, argnums=1, has_aux=True)(x, y)
    np.testing.assert_allclose(g.data, 2 * x.data * y.data)
    assert float(value.data) == pytest.approx(np.sum(x.data * y.data**2))
    gd = F.grad(lambda p: (p["w"] * p["b"]).sum())({"w": x, "b": y})  # a dict in, a dict out
    np.testing.assert_allclose(gd["w"].data, y.data)
    np.testing.assert_allclose(gd["b"].data, x.data)


def test_grad_stays_connected_to_outside_tensors_and_ignores_outer_no_grad():
    w = t64([1.0, 2.0], requires_grad=True)
    x = t64([0.5, 0.25])
    g = F.grad(lambda a: (w * a * a).sum())(x)  # 2 w x, still a function of w
    assert g.requires_grad
    (gw,) = td.grad(g.sum(), w)
    np.testing.assert_allclose(gw.data, 2 * x.data)
    with td.no_grad():
        g = F.grad(cube_sum)(x)  # a function transform: it works under no_grad
    np.testing.assert_allclose(g.data, 3 * x.data**2)
    assert F.grad(lambda a: (w * a).sum())(x).requires_grad  # = w: connected to it


def test_vjp_jacrev_jacfwd_hessian_closed_forms():
    x = t64([0.3, -0.7, 1.1])
    out, vjp_fn = F.vjp(lambda a: a.sin(), x)
    np.testing.assert_allclose(out.data, np.sin(x.data))
    (g,) = vjp_fn(t64([1.0, 2.0, 3.0]))
    np.testing.assert_allclose(g.data, np.cos(x.data) * [1, 2, 3])
    for jac in (F.jacrev, F.jacfwd):
        J = jac(lambda a: a.softmax(0))(x)
        s = np.exp(x.data) / np.exp(x.data).sum()
        np.testing.assert_allclose(J.data, np.diag(s) - np.outer(s, s), atol=1e-15)
    H = F.hessian(lambda a: (a**3).sum() + a[0] * a[1])(x)
    expected = np.diag(6 * x.data)
    expected[0, 1] = expected[1, 0] = 1
    np.testing.assert_allclose(H.data, expected)
    assert not H.requires_grad
    J2 = F.jacrev(F.jacrev(lambda a: a**3))(x)  # d^2 x_i^3 / dx_j dx_k = 6 x_i [i=j=k]
    assert J2.shape == (3, 3, 3)
    np.testing.assert_allclose(np.einsum("iii->i", J2.data), 6 * x.data)
    assert np.count_nonzero(J2.data) == 3


# -- functional_call and vmap ---------------------------------------------------------------


def test_functional_call_swaps_and_restores():
    m = td.nn.Sequential(td.nn.Linear(3, 2), td.nn.Tanh())
    w = t64(R.standard_normal((2, 3))).float()
    x = td.randn(4, 3)
    out = F.functional_call(m, {"0.weight": w}, (x,))
    expected = np.tanh(x.data @ w.data.T + m[0].bias.data)
    np.testing.assert_allclose(out.data, expected, rtol=1e-6)
    assert m[0].weight is not w and isinstance(m[0].weight, td.nn.Parameter)
    assert m[0]._parameters["weight"] is m[0].weight
    out2 = F.functional_call(m, ({"0.weight": w}, {"0.bias": td.zeros(2)}), x)
    np.testing.assert_allclose(out2.data, np.tanh(x.data @ w.data.T), rtol=1e-6)
    with pytest.raises(ValueError, match="Sequential has no parameter or buffer named '0.wieght'"):
        F.functional_call(m, {"0.wieght": w}, (x,))
    with pytest.raises(RuntimeError, match=r"missing key\(s\) '0.bias' \(strict=True\)"):
        F.functional_call(m, {"0.weight": w}, (x,), strict=True)
    with pytest.raises(ValueError, match="linear: input of shape"):  # still restored after
        F.functional_call(m, {"0.weight": td.zeros(2, 5)}, (x,))
    assert isinstance(m[0].weight, td.nn.Parameter) and m[0].weight.shape == (2, 3)


def test_vmap_matches_a_loop_and_places_dims():
    x, y = t64(R.standard_normal((4, 3))), t64(R.standard_normal(3))
    out = F.vmap(lambda a, b: (a * b).sum())(x, td.stack([y] * 4))
    np.testing.assert_allclose(out.data, x.data @ y.data)
    out = F.vmap(lambda a, b: a * b, in_dims=(1, None))(x.T, y)  # mapped over dim 1
    np.testing.assert_allclose(out.data, x.data * y.data)
    a, s = F.vmap(lambda a: (a * 2, a.sum()), out_dims=(1, 0))(x)
    assert a.shape == (3, 4) and s.shape == (4,)
    np.testing.assert_allclose(a.data, 2 * x.data.T)
    d = F.vmap(lambda p: {"sq": p * p})(x)  # a dict out: stacked per key
    np.testing.assert_allclose(d["sq"].data, x.data**2)
    xg = t64(R.standard_normal((2, 3)), requires_grad=True)
    F.vmap(lambda a: (a**2).sum())(xg).sum().backward()  # vmap is differentiable
    np.testing.assert_allclose(xg.grad.data, 2 * xg.data)


def test_vmap_randomness():
    x = td.zeros(3, 4)
    with pytest.raises(RuntimeError, match="vmap: func called a random operation while "
                       "randomness='error'"):  # fmt: skip
        F.vmap(lambda a: a + td.rand(4))(x)
    same = F.vmap(lambda a: a + td.rand(4), randomness="same")(x)
    assert np.all(same.data == same.data[0])
    different = F.vmap(lambda a: a + td.rand(4), randomness="different")(x)
    assert not np.all(different.data == different.data[0])


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: F.grad(lambda a: a * 2)(t64([1.0, 2.0])), RuntimeError,
         r"grad: func must return a Tensor with a single element, got shape \(2,\)"),
        (lambda: F.grad(cube_sum, argnums=2)(t64([1.0])), RuntimeError,
         "grad: got argnum=2, but only 1 positional inputs"),
        (lambda: F.grad(cube_sum)(td.Tensor([1, 2])), TypeError,
         "grad: differentiated inputs must be float Tensors, got a Tensor of dtype int64"),
        (lambda: F.grad(lambda a: a.sum(), has_aux=True)(t64([1.0])), RuntimeError,
         "grad: with has_aux=True, func must return a pair"),
        (lambda: F.vjp(lambda a: a, t64([1.0]))[1](t64([1.0, 2.0])), RuntimeError,
         r"vjp_fn: cotangent 0 has shape \(2,\), expected \(1,\)"),
        (lambda: F.vmap(lambda a, b: a)(td.zeros(3), td.zeros(2)), ValueError,
         r"vmap: expected all tensors to have the same size in the mapped dimension, got "
         r"sizes \[3, 2\]"),
        (lambda: F.vmap(lambda a: a, in_dims=None)(td.zeros(3)), ValueError,
         "vmap: in_dims is None for every input"),
        (lambda: F.vmap(lambda a: a, in_dims=(0, 0))(td.zeros(3)), ValueError,
         r"vmap: in_dims \(0, 0\) does not match the 1 positional inputs"),
        (lambda: F.vmap(lambda a: a, in_dims=2)(td.zeros(3)), ValueError,
         r"vmap: in_dim 2 is out of range for an input of shape \(3,\)"),
        (lambda: F.vmap(lambda a: 3)(td.zeros(3)), ValueError,
         "vmap: func must return Tensors, got int"),
        (lambda: F.vmap(lambda a: a, randomness="sometimes"), ValueError,
         "vmap: randomness must be 'error', 'different' or 'same', got 'sometimes'"),
        (lambda: F.functional_call(lambda a: a, {}, ()), TypeError,
         "functional_call: module must be a Module, got function"),
    ],
)  # fmt: skip
def test_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()


# -- per-sample gradients ---------------------------------------------------------------------


def _model_and_data():
    td.manual_seed(2)
    model = td.nn.Sequential(td.nn.Linear(4, 5), td.nn.Tanh(), td.nn.Linear(5, 3))
    model = model.double()
    data, targets = t64(R.standard_normal((6, 4))), td.Tensor(R.integers(0, 3, 6))
    return model, data, targets


def test_vmap_of_grad_gives_per_sample_gradients_equal_to_the_loop():
    model, data, targets = _model_and_data()
    params = {k: v.detach() for k, v in model.named_parameters()}

    def loss(p, sample, target):
        out = F.functional_call(model, p, (sample.unsqueeze(0),))
        return td.nn.functional.cross_entropy(out, target.unsqueeze(0))

    per_sample = F.vmap(F.grad(loss), in_dims=(None, 0, 0))(params, data, targets)
    for i in range(data.shape[0]):
        model.zero_grad()
        loss(dict(model.named_parameters()), data[i], targets[i]).backward()
        for name, p in model.named_parameters():
            assert per_sample[name].shape == (6, *p.shape)
            np.testing.assert_allclose(per_sample[name].data[i], p.grad.data, atol=1e-14)
    assert all(not g.requires_grad for g in per_sample.values())


# -- against torch.func ------------------------------------------------------------------------


def test_against_torch_func():
    torch = pytest.importorskip("torch")
    TF = torch.func
    a, b = R.standard_normal(3), R.standard_normal((3, 3))
    x, w = t64(a), t64(b)
    tx, tw = torch.tensor(a), torch.tensor(b)

    def f(u, m):
        return ((m @ u).tanh() * u).sum()

    def g(u, m):
        return (m @ u).sin()

    pairs = [
        (F.grad(f, argnums=(0, 1))(x, w), TF.grad(f, argnums=(0, 1))(tx, tw)),
        (F.jacrev(g, argnums=(0, 1))(x, w), TF.jacrev(g, argnums=(0, 1))(tx, tw)),
        (F.jacfwd(g)(x, w), TF.jacfwd(g)(tx, tw)),
        (F.hessian(f)(x, w), TF.hessian(f)(tx, tw)),
        (F.hessian(f, argnums=(0, 1))(x, w), TF.hessian(f, argnums=(0, 1))(tx, tw)),
        (F.vmap(F.grad(f), in_dims=(0, None))(td.stack([x, x * 2]), w),
         TF.vmap(TF.grad(f), in_dims=(0, None))(torch.stack([tx, tx * 2]), tw)),
        (F.vjp(g, x, w)[1](t64([1.0, 2.0, 3.0])),
         TF.vjp(g, tx, tw)[1](torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64))),
    ]  # fmt: skip
    for ours, theirs in pairs:
        flat_ours, flat_theirs = _leaves(ours), _leaves(theirs)
        assert len(flat_ours) == len(flat_theirs)
        for p, q in zip(flat_ours, flat_theirs):
            assert p.shape == tuple(q.shape)
            np.testing.assert_allclose(p.data, q.numpy(), rtol=1e-10, atol=1e-12)


def _leaves(tree):
    if isinstance(tree, (tuple, list)):
        return [leaf for t in tree for leaf in _leaves(t)]
    return [tree]
