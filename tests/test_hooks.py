"""Tensor.register_hook: what a hook sees (dL/dt, summed over uses), what its return value
changes, in `backward`, `td.grad` and under create_graph, and its errors. The expected values
are closed forms (and PyTorch's, where it was run on the same programs)."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_ds as td


def f64(values, requires_grad=True):
    return td.Tensor(np.array(values, dtype=np.float64), requires_grad=requires_grad)


def test_a_leaf_hook_can_double_the_gradient_and_be_removed():
    v = f64([0.0, 0.0, 0.0])
    handle = v.register_hook(lambda g: g * 2)
    v.backward(np.array([1.0, 2.0, 3.0]))
    np.testing.assert_array_equal(v.grad.data, [2.0, 4.0, 6.0])
    handle.remove()
    handle.remove()  # harmless
    v.grad = None
    v.backward(np.array([1.0, 2.0, 3.0]))
    np.testing.assert_array_equal(v.grad.data, [1.0, 2.0, 3.0])


def test_a_hook_sees_the_layers_delta():
    """For z = W x + b and L = sum(tanh(z) * c): dL/dz = c (1 - tanh(z)^2), the course's delta;
    the hook sees it once, and the parameters' gradients are built from it."""
    rng = np.random.default_rng(0)
    x, c = rng.standard_normal(3), rng.standard_normal(4)
    w = f64(rng.standard_normal((4, 3)))
    b = f64(rng.standard_normal(4))
    z = w @ f64(x, requires_grad=False) + b
    seen = []
    z.register_hook(seen.append)
    (z.tanh() * f64(c, requires_grad=False)).sum().backward()
    delta = c * (1 - np.tanh(z.data) ** 2)
    assert len(seen) == 1
    np.testing.assert_allclose(seen[0].data, delta, rtol=1e-12)
    np.testing.assert_allclose(w.grad.data, np.outer(delta, x), rtol=1e-12)
    np.testing.assert_allclose(b.grad.data, delta, rtol=1e-12)


def test_a_hook_sees_the_gradient_summed_over_every_use():
    x = f64([1.0, 1.0, 1.0])
    y = x * 2
    seen = []
    y.register_hook(seen.append)
    (y * 3 + y).sum().backward()  # dL/dy = 3 + 1, once
    assert len(seen) == 1
    np.testing.assert_array_equal(seen[0].data, [4.0, 4.0, 4.0])
    np.testing.assert_array_equal(x.grad.data, [8.0, 8.0, 8.0])


def test_a_returned_gradient_flows_on_and_hooks_run_in_order():
    x = f64([1.0, 2.0])
    y = x * x
    y.register_hook(lambda g: g + 1)  # dL/dy = 1 -> 2
    y.register_hook(lambda g: g * 10)  # -> 20: the second sees the first's result
    y.retain_grad()
    y.sum().backward()
    np.testing.assert_array_equal(y.grad.data, [20.0, 20.0])  # the retained grad is the hooked one
    np.testing.assert_array_equal(x.grad.data, [40.0, 80.0])  # 20 * 2x


def test_hooks_run_in_grad_for_nodes_and_leaves():
    x = f64([1.0, 1.0, 1.0])
    y = x * 2
    y.register_hook(lambda g: g * 10)
    (gx,) = td.grad(y.sum(), x)
    np.testing.assert_array_equal(gx.data, [20.0, 20.0, 20.0])
    leaf = f64([1.0, 1.0, 1.0])
    leaf.register_hook(lambda g: g * 10)
    (gl,) = td.grad((leaf * 2).sum(), leaf)
    np.testing.assert_array_equal(gl.data, [20.0, 20.0, 20.0])
    assert leaf.grad is None and x.grad is None
    # a leaf that grad() was not asked about is not delivered a gradient: its hook stays quiet
    other, calls = f64([1.0]), []
    other.register_hook(calls.append)
    (gl,) = td.grad((leaf * other).sum(), leaf)
    assert calls == [] and other.grad is None


def test_a_hook_under_create_graph_is_part_of_the_recorded_gradient():
    """y = x^2 with a hook multiplying dL/dy by x: dL/dx = x * 2x = 2x^2, whose derivative 4x
    exists only if the hook's product was recorded."""
    x = f64(3.0)
    y = x * x
    y.register_hook(lambda g: g * x)
    (gx,) = td.grad(y, x, create_graph=True)
    assert gx.item() == pytest.approx(18.0)
    (gxx,) = td.grad(gx, x)
    assert gxx.item() == pytest.approx(12.0)


def test_a_hook_belongs_to_the_value_it_was_registered_on():
    """As in PyTorch: a hook registered before an in-place change gets the gradient of the
    earlier value (here 3 times the later one's), one registered after it the later one's."""
    a = td.Tensor([1.0, 1.0, 1.0], requires_grad=True)
    b = a * 2
    before, after = [], []
    b.register_hook(before.append)
    b.mul_(3)
    b.register_hook(after.append)
    (b * td.Tensor([1.0, 2.0, 3.0])).sum().backward()
    np.testing.assert_array_equal(after[0].data, [1.0, 2.0, 3.0])
    np.testing.assert_array_equal(before[0].data, [3.0, 6.0, 9.0])
    np.testing.assert_array_equal(a.grad.data, [6.0, 12.0, 18.0])


def test_a_hook_may_remove_itself_while_running():
    x = f64([1.0])
    calls = []

    def once(g):
        calls.append(g.item())
        handle.remove()

    handle = x.register_hook(once)
    (x * 2).sum().backward()
    (x * 2).sum().backward()
    assert calls == [2.0]


def test_hook_errors_name_the_problem():
    with pytest.raises(RuntimeError, match="register_hook: cannot register a hook on a tensor"):
        td.Tensor([1.0, 2.0]).register_hook(lambda g: g)
    with pytest.raises(TypeError, match="register_hook: expected a function, got int"):
        f64([1.0]).register_hook(3)
    x = f64([1.0, 2.0, 3.0])
    x.register_hook(lambda g: g[:2])
    with pytest.raises(RuntimeError, match=r"changed the gradient from shape \(3,\)"):
        (x * 2).sum().backward()
    y = f64([1.0])
    y.register_hook(lambda g: g.astype(np.float32))
    with pytest.raises(RuntimeError, match="dtype float64 to shape .* dtype float32"):
        (y * 2).sum().backward()
    z = f64([1.0])
    z.register_hook(lambda g: 5)
    with pytest.raises(TypeError, match="must return a Tensor or None, got int"):
        (z * 2).sum().backward()


def test_hooks_show_the_course_deltas_of_each_layer():
    """A tanh hidden layer and a sigmoid output with binary cross-entropy (summed): the hooks
    on z[2] and z[1] see the course's delta[2] = a[2] - y and
    delta[1] = (W[2]^T delta[2]) * g'(z[1]), as `manual.backprop` derives them by hand."""
    from tinygrad_ds.manual.activations import g_prime
    from tinygrad_ds.manual.backprop import output_delta

    rng = np.random.default_rng(1)
    x = f64(rng.standard_normal((5, 3)), requires_grad=False)
    y = rng.integers(0, 2, (5, 2)).astype(np.float64)
    w1, b1 = f64(rng.standard_normal((4, 3))), f64(rng.standard_normal(4))
    w2, b2 = f64(rng.standard_normal((2, 4))), f64(rng.standard_normal(2))
    z1 = x @ w1.T + b1
    a1 = z1.tanh()
    z2 = a1 @ w2.T + b2
    deltas = {}
    z1.register_hook(lambda g: deltas.__setitem__(1, g.data))
    z2.register_hook(lambda g: deltas.__setitem__(2, g.data))
    loss = td.nn.functional.binary_cross_entropy(z2.sigmoid(), td.Tensor(y), reduction="sum")
    loss.backward()
    delta2 = output_delta(z2.data, y, "sigmoid")
    delta1 = (delta2 @ w2.data) * g_prime("tanh", z1.data, a1.data)
    np.testing.assert_allclose(deltas[2], delta2, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(deltas[1], delta1, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(w1.grad.data, delta1.T @ x.data, rtol=1e-10)
