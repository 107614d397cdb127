"""td.func.jvp and td.func.linearize (forward mode by two reverse passes): closed forms, the
columns of jacfwd/jacrev, second order (Hessian-vector products), composition with grad and
vmap, trees, has_aux, errors by message, and torch.func."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_ds as td
from tinygrad_ds import func as F

R = np.random.default_rng(11)


def t64(a, requires_grad=False):
    return td.Tensor(np.array(a, dtype=np.float64), requires_grad=requires_grad)


def close(a, b, tol=1e-12):
    np.testing.assert_allclose(a.data if isinstance(a, td.Tensor) else a, b, rtol=tol, atol=tol)


# -- values against closed forms -------------------------------------------------------------

A = R.standard_normal((3, 4))
X0, V0 = R.standard_normal(4), R.standard_normal(4)

# (f, J(x) v as a closed form in NumPy)
CASES = [
    ("sin", lambda x: x.sin(), lambda x, v: np.cos(x) * v),
    ("exp_sum", lambda x: x.exp().sum(), lambda x, v: np.exp(x) @ v),
    ("matvec", lambda x: td.Tensor(A) @ x, lambda x, v: A @ v),
    ("tanh_mat", lambda x: (td.Tensor(A) @ x).tanh(),
     lambda x, v: (1 - np.tanh(A @ x) ** 2) * (A @ v)),
    ("outer", lambda x: x[:, None] * x[None, :], lambda x, v: np.outer(v, x) + np.outer(x, v)),
    ("norm", lambda x: (x * x).sum().sqrt(), lambda x, v: x @ v / np.sqrt(x @ x)),
]  # fmt: skip


@pytest.mark.parametrize("name,f,closed", CASES, ids=[c[0] for c in CASES])
def test_jvp_and_linearize_closed_forms(name, f, closed):
    x, v = t64(X0), t64(V0)
    out, jv = F.jvp(f, (x,), (v,))
    close(out, f(x).data)
    close(jv, closed(X0, V0))
    assert jv.shape == out.shape and jv.dtype == np.float64
    assert not jv.requires_grad and not out.requires_grad and jv.grad_fn is None
    out2, jvp_fn = F.linearize(f, x)
    close(out2, f(x).data)
    close(jvp_fn(v), closed(X0, V0))
    close(jvp_fn(t64(2 * V0)), closed(X0, 2 * V0))  # jvp_fn can be called again


def test_several_primals_and_float32():
    x, y = t64([1.0, 2.0]), t64([0.5, -3.0])
    vx, vy = t64([1.0, 0.0]), t64([2.0, 1.0])
    _, jv = F.jvp(lambda a, b: a * b.exp(), (x, y), (vx, vy))
    close(jv, vx.data * np.exp(y.data) + x.data * np.exp(y.data) * vy.data)
    _, jvp_fn = F.linearize(lambda a, b: a * b.exp(), x, y)
    close(jvp_fn(vx, vy), jv.data)
    x32 = td.Tensor([0.5, 1.5])
    out, jv32 = F.jvp(lambda a: a.sin(), (x32,), (td.Tensor([1.0, 1.0]),))
    assert out.dtype == np.float32 and jv32.dtype == np.float32
    np.testing.assert_allclose(jv32.data, np.cos([0.5, 1.5]), rtol=1e-6)
    # a float32 tangent for a float64 primal is cast (PyTorch accepts it too)
    _, jv = F.jvp(lambda a: a * 3, (x,), (td.Tensor([1.0, 2.0]),))
    assert jv.dtype == np.float64
    close(jv, [3.0, 6.0])


def test_trees_of_primals_and_outputs():
    params = {"w": t64(R.standard_normal((2, 3))), "b": t64(R.standard_normal(2))}
    tang = {"w": t64(R.standard_normal((2, 3))), "b": t64(R.standard_normal(2))}
    x = t64(R.standard_normal(3))

    def f(p, z):
        h = p["w"] @ z + p["b"]
        return {"h": h, "pair": (h.sum(), (h * h).sum())}

    zt = t64(np.zeros(3))
    out, jv = F.jvp(f, (params, x), (tang, zt))
    h = params["w"].data @ x.data + params["b"].data
    dh = tang["w"].data @ x.data + tang["b"].data
    assert set(jv) == {"h", "pair"} and isinstance(jv["pair"], tuple)
    close(out["h"], h)
    close(jv["h"], dh)
    close(jv["pair"][0], dh.sum())
    close(jv["pair"][1], 2 * h @ dh)
    _, jvp_fn = F.linearize(f, params, x)
    lin = jvp_fn(tang, zt)
    close(lin["pair"][1], 2 * h @ dh)


def test_has_aux():
    x, v = t64([0.2, 0.4]), t64([1.0, -1.0])
    out, jv, aux = F.jvp(lambda a: (a.exp(), {"c": a.cos()}), (x,), (v,), has_aux=True)
    close(jv, np.exp(x.data) * v.data)
    close(aux["c"], np.cos(x.data))
    assert not aux["c"].requires_grad


def test_output_not_depending_on_an_input():
    x, y, v = t64([1.0, 2.0]), t64([3.0]), t64([1.0, 1.0])
    out, jv = F.jvp(lambda a, b: (a * 2, td.Tensor.ones(3)), (x, y), (v, t64([5.0])))
    close(jv[0], [2.0, 2.0])
    close(jv[1], np.zeros(3))
    assert jv[1].dtype == np.float32  # as the output
    _, jv = F.jvp(lambda a, b: a.sin(), (x, y), (v, t64([1.0])), strict=True)  # b unused: ok
    close(jv, np.cos(x.data))
    # an integer output gets an integer zero tangent, as in PyTorch
    _, jv = F.jvp(lambda a: (a * 2, a.argmax()), (x,), (v,))
    assert jv[1].dtype == np.int64 and jv[1].item() == 0
    with pytest.raises(RuntimeError, match=r"strict=True\): The output of f is independent"):
        F.jvp(lambda a: td.Tensor.ones(3), (x,), (v,), strict=True)
    _, jvp_fn = F.linearize(lambda a: td.Tensor.ones(3), x)
    close(jvp_fn(v), np.zeros(3))


# -- against the Jacobians --------------------------------------------------------------------


def test_jvp_of_basis_vectors_are_jacobian_columns():
    def f(x):
        return (x.sin() * x.roll(1, 0)).cumsum(0)

    x = t64(R.standard_normal(4))
    jac = F.jacrev(f)(x).data
    np.testing.assert_allclose(F.jacfwd(f)(x).data, jac, atol=1e-14)
    _, jvp_fn = F.linearize(f, x)
    for k in range(4):
        e = t64(np.eye(4)[k])
        close(F.jvp(f, (x,), (e,))[1], jac[:, k])
        close(jvp_fn(e), jac[:, k])
    v = R.standard_normal(4)
    close(F.jvp(f, (x,), (t64(v),))[1], jac @ v)


# -- second order and composition --------------------------------------------------------------


def rosen(x):
    return (100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2).sum()


def test_jvp_of_grad_is_hessian_vector_product():
    x, v = t64(R.standard_normal(5)), t64(R.standard_normal(5))
    hess = F.hessian(rosen)(x).data
    _, hv = F.jvp(F.grad(rosen), (x,), (v,))
    close(hv, hess @ v.data, 1e-10)
    _, hvp = F.linearize(F.grad(rosen), x)
    close(hvp(v), hess @ v.data, 1e-10)
    # the Hessian from jvps of basis vectors (forward-over-reverse)
    cols = [F.jvp(F.grad(rosen), (x,), (t64(np.eye(5)[k]),))[1].data for k in range(5)]
    close(np.stack(cols, 1), hess, 1e-10)
    # forward-over-forward: w^T H v, and grad of a jvp: d/dx <grad f, v> = H v
    dd = F.jvp(lambda a: F.jvp(rosen, (a,), (v,))[1], (x,), (v,))[1]
    close(dd, v.data @ hess @ v.data, 1e-10)
    close(F.grad(lambda a: F.jvp(rosen, (a,), (v,))[1])(x), hess @ v.data, 1e-10)


def test_grad_of_jvp_in_the_tangent_and_through_backward():
    x, v = t64([0.3, -0.7, 1.1]), t64([1.0, 2.0, -1.0])
    # <J v, 1> is linear in v: its gradient in v is J^T 1 = cos(x)
    close(F.grad(lambda t: F.jvp(lambda a: a.sin(), (x,), (t,))[1].sum())(v), np.cos(x.data))
    xg = t64(x.data, requires_grad=True)
    _, jv = F.jvp(lambda a: a.sin(), (xg,), (v,))
    assert jv.requires_grad  # depends on xg, which requires grad outside the transform
    jv.sum().backward()
    close(xg.grad, -np.sin(x.data) * v.data)
    (g,) = td.autograd.grad(F.jvp(lambda a: a**3, (xg,), (v,))[1].sum(), xg, create_graph=True)
    close(g, 6 * x.data * v.data)
    (g2,) = td.autograd.grad(g.sum(), xg)  # a third derivative through two reverse passes
    close(g2, 6 * v.data)


def test_captured_tensors_and_no_grad():
    x, v = t64([0.5, 2.0]), t64([1.0, -1.0])
    c = t64([3.0, 4.0], requires_grad=True)  # captured by f, requires grad outside
    _, jv = F.jvp(lambda a: (a * c).sin(), (x,), (v,))
    assert jv.requires_grad
    jv.sum().backward()  # d/dc [cos(x c) c v] = (-sin(x c) x c + cos(x c)) v
    xc = x.data * c.data
    close(c.grad, (-np.sin(xc) * xc + np.cos(xc)) * v.data)
    _, lin = F.linearize(lambda a: (a * c).sin(), x)
    assert lin(v).requires_grad
    with td.no_grad():  # the transform still works; its results are plain
        out, jv = F.jvp(lambda a: (a * c).sin(), (x,), (v,))
        assert not jv.requires_grad and not out.requires_grad
        close(jv, np.cos(xc) * c.data * v.data)
        assert not lin(v).requires_grad


def test_composition_with_vmap_and_jacrev():
    x = t64(R.standard_normal(3))
    jac = F.jacrev(lambda a: a.tanh() * a.sum())(x).data
    cols = F.vmap(lambda t: F.jvp(lambda a: a.tanh() * a.sum(), (x,), (t,))[1])(t64(np.eye(3)))
    close(cols, jac.T)  # row k: J e_k
    xs = t64(R.standard_normal((4, 3)))
    vs = t64(R.standard_normal((4, 3)))
    per = F.vmap(lambda a, t: F.jvp(lambda z: z.exp().sum(), (a,), (t,))[1])(xs, vs)
    close(per, (np.exp(xs.data) * vs.data).sum(1))
    # the Jacobian of a jvp in its primal: d/dx (cos(x) v) = diag(-sin(x) v)
    jj = F.jacrev(lambda a: F.jvp(lambda z: z.sin(), (a,), (x,))[1])(x)
    close(jj, np.diag(-np.sin(x.data) * x.data))


def test_jvp_of_a_module_through_functional_call():
    td.manual_seed(0)
    model = td.nn.Sequential(td.nn.Linear(3, 4), td.nn.Tanh(), td.nn.Linear(4, 2)).double()
    params = {k: p.detach() for k, p in model.named_parameters()}
    tang = {k: td.Tensor(R.standard_normal(p.shape)) for k, p in params.items()}
    tang = {k: t.double() for k, t in tang.items()}
    x = t64(R.standard_normal((5, 3)))
    out, jv = F.jvp(lambda p: F.functional_call(model, p, (x,)), (params,), (tang,))
    eps = 1e-6  # central difference along the tangent
    plus = {k: p + eps * tang[k] for k, p in params.items()}
    minus = {k: p - eps * tang[k] for k, p in params.items()}
    fd = F.functional_call(model, plus, (x,)).data - F.functional_call(model, minus, (x,)).data
    close(jv, fd / (2 * eps), 1e-7)


# -- errors ----------------------------------------------------------------------------------


def test_jvp_errors():
    x, v = t64([1.0, 2.0]), t64([1.0, 1.0])
    f = td.Tensor.sin
    cases = [
        (lambda: F.jvp(f, x, (v,)), RuntimeError, r"jvp\(f, primals, tangents\): Expected primals to be a tuple"),  # noqa: E501
        (lambda: F.jvp(f, [x], [v]), RuntimeError, "Expected primals to be a tuple"),
        (lambda: F.jvp(f, (x,), v), RuntimeError, r"same python structure.*Got primals with structure \(\*,\) and tangents with structure \*"),  # noqa: E501
        (lambda: F.jvp(f, (x,), (v, v)), RuntimeError, r"structure \(\*,\) and tangents with structure \(\*, \*\)"),  # noqa: E501
        (lambda: F.jvp(lambda d: d["a"], ({"a": x},), ((v,),)), RuntimeError, r"\(\{'a': \*\},\) and tangents with structure \(\(\*,\),\)"),  # noqa: E501
        (lambda: F.jvp(lambda: x, (), ()), RuntimeError, "Expected primals to contain at least one Tensor"),  # noqa: E501
        (lambda: F.jvp(f, (1.0,), (1.0,)), RuntimeError, "Expected primals to only contain Tensors, got float"),  # noqa: E501
        (lambda: F.jvp(f, (x,), (1.0,)), RuntimeError, "Expected tangents to only contain Tensors, got float"),  # noqa: E501
        (lambda: F.jvp(f, (td.arange(2),), (v,)), ValueError, "Expected primal to be floating point, but got: int64"),  # noqa: E501
        (lambda: F.jvp(f, (x,), (td.arange(2),)), ValueError, "Expected tangent to be floating point, but got: int64"),  # noqa: E501
        (lambda: F.jvp(f, (x,), (t64([1.0, 2.0, 3.0]),)), RuntimeError, r"Tensor is of size \[2\] while the given forward gradient is of size \[3\]"),  # noqa: E501
        (lambda: F.jvp(f, (x,), (v,), has_aux=True), RuntimeError, r"output of function f should be a tuple: \(output, aux\)"),  # noqa: E501
        (lambda: F.jvp(lambda a: [a, a], (x,), (v,), has_aux=True), RuntimeError, "should be a tuple"),  # noqa: E501
        (lambda: F.jvp(lambda a: 3.0, (x,), (v,)), RuntimeError, "to return only tensors, got unsupported type float"),  # noqa: E501
        (lambda: F.jvp(lambda a: (), (x,), (v,)), RuntimeError, "has non-empty output"),
    ]  # fmt: skip
    for call, kind, message in cases:
        with pytest.raises(kind, match=message):
            call()


def test_linearize_errors():
    x = t64([1.0, 2.0])
    _, jvp_fn = F.linearize(lambda a, b: a * b, x, x)
    _, one = F.linearize(lambda d: d["a"].sin(), {"a": x})
    cases = [
        (lambda: jvp_fn(x), RuntimeError, r"linearize: jvp_fn: Expected the tangents \(\*,\) to have the same argspec as the primals \(\*, \*\)"),  # noqa: E501
        (lambda: one((x,)), RuntimeError, r"tangents \(\(\*,\),\) to have the same argspec as the primals \(\{'a': \*\},\)"),  # noqa: E501
        (lambda: jvp_fn(x, t64([1.0])), RuntimeError, r"tangent:1 with shape \(1,\) in flattened pytree doesn't match the shape \(2,\)"),  # noqa: E501
        (lambda: jvp_fn(x, td.Tensor([1.0, 2.0])), RuntimeError, "tangent:1 with dtype float32 in flattened pytree doesn't match the dtype float64"),  # noqa: E501
        (lambda: jvp_fn(x, 1.0), TypeError, "tangent:1 is a float, not a Tensor"),
        (lambda: F.linearize(lambda: x), RuntimeError, "linearize: Expected primals to contain at least one Tensor"),  # noqa: E501
        (lambda: F.linearize(lambda a: a, td.arange(2)), TypeError, "linearize: differentiated inputs must be float Tensors"),  # noqa: E501
        (lambda: F.linearize(lambda a: 2.0, x), RuntimeError, "linearize: expected f\\(\\*primals\\) to return only tensors"),  # noqa: E501
    ]  # fmt: skip
    for call, kind, message in cases:
        with pytest.raises(kind, match=message):
            call()


# -- against torch.func ------------------------------------------------------------------------


def test_against_torch_func_jvp_and_linearize():
    torch = pytest.importorskip("torch")
    TF = torch.func
    a, b, c = R.standard_normal(3), R.standard_normal((3, 3)), R.standard_normal(3)
    x, w, v = t64(a), t64(b), t64(c)
    tx, tw, tv = torch.tensor(a), torch.tensor(b), torch.tensor(c)
    tvw = torch.tensor(b * 0.5)

    def f(u, m):
        return ((m @ u).tanh() * u).sum()

    def g(u, m):
        return ((m @ u).sin(), {"s": (u * u).sum()})

    pairs = [
        (F.jvp(g, (x, w), (v, t64(b * 0.5))), TF.jvp(g, (tx, tw), (tv, tvw))),
        (F.jvp(F.grad(f), (x, w), (v, t64(b * 0.5))), TF.jvp(TF.grad(f), (tx, tw), (tv, tvw))),
        (F.jvp(lambda u: (u.exp(), u.cos()), (x,), (v,), has_aux=True),
         TF.jvp(lambda u: (u.exp(), u.cos()), (tx,), (tv,), has_aux=True)),
        # (torch's linearize traces with make_fx, seconds on first use: its jvp gives the same)
        (F.linearize(g, x, w)[1](v, t64(b * 0.5)), TF.jvp(g, (tx, tw), (tv, tvw))[1]),
        (F.grad(lambda t: F.jvp(lambda u: f(u, w), (x,), (t,))[1])(v),
         TF.grad(lambda t: TF.jvp(lambda u: f(u, tw), (tx,), (t,))[1])(tv)),
        (F.vmap(lambda t: F.jvp(lambda u: g(u, w)[0], (x,), (t,))[1])(t64(np.eye(3))),
         TF.vmap(lambda t: TF.jvp(lambda u: g(u, tw)[0], (tx,), (t,))[1])(torch.eye(3).double())),
        (F.jvp(lambda u: (u * 2, td.Tensor.ones(2)), (x,), (v,)),
         TF.jvp(lambda u: (u * 2, torch.ones(2)), (tx,), (tv,))),
    ]  # fmt: skip
    for ours, theirs in pairs:
        flat_ours, flat_theirs = _leaves(ours), _leaves(theirs)
        assert len(flat_ours) == len(flat_theirs)
        for p, q in zip(flat_ours, flat_theirs):
            assert p.shape == tuple(q.shape) and str(p.dtype) == str(q.dtype).split(".")[1]
            np.testing.assert_allclose(p.data, q.numpy(), rtol=1e-10, atol=1e-12)


def _leaves(tree):
    if isinstance(tree, (tuple, list)):
        return [leaf for t in tree for leaf in _leaves(t)]
    if isinstance(tree, dict):
        return [leaf for k in sorted(tree) for leaf in _leaves(tree[k])]
    return [tree]
