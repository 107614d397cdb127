"""The engine: accumulation, deep graphs, released graphs, in-place versions, higher order."""

from __future__ import annotations

import time

import numpy as np
import pytest

import tinygrad_ds as td
from tinygrad_ds import Tensor
from tinygrad_ds.ops.linalg import MatMul


def f64(*shape, requires_grad=True, seed=0):
    data = np.random.default_rng(seed).standard_normal(shape)
    return Tensor(data, requires_grad=requires_grad)


def test_chain_of_100k_ops_has_no_recursion_limit_and_is_linear():
    def run(n):
        x = Tensor(np.ones(4), requires_grad=True)
        y = x
        for _ in range(n):
            y = y * 1.0001
        start = time.perf_counter()
        y.sum().backward()
        return x, time.perf_counter() - start

    x, t_big = run(100_000)
    np.testing.assert_allclose(x.grad.data, 1.0001**100_000, rtol=1e-9)
    _, t_small = run(10_000)
    # linear, not quadratic: ten times the ops take far less than a hundred times as long
    assert t_big < 40 * max(t_small, 1e-3)


def test_gradients_accumulate_across_backward_calls():
    x = Tensor([1.0, 2.0], requires_grad=True)
    (x * x).sum().backward()
    (x * 3).sum().backward()
    np.testing.assert_allclose(x.grad.data, [2 + 3, 4 + 3])


def test_gradients_sum_where_a_tensor_is_used_several_times():
    x = Tensor(3.0, requires_grad=True, dtype=np.float64)
    y = x * x + x * 2 + x
    y.backward()
    assert x.grad.item() == pytest.approx(2 * 3 + 2 + 1)


def test_diamond_graph():
    x = f64(3)
    a = x.exp()
    b = a * 2
    c = a.sin()
    (b + c).sum().backward()  # d/dx [2 e^x + sin(e^x)] = 2 e^x + cos(e^x) e^x
    e = np.exp(x.data)
    np.testing.assert_allclose(x.grad.data, 2 * e + np.cos(e) * e)


def test_broadcasting_is_undone_for_every_input():
    a = f64(3, 1)
    b = f64(1, 4, seed=1)
    c = f64(4, seed=2)
    (a * b + c).sum().backward()
    assert a.grad.shape == (3, 1) and b.grad.shape == (1, 4) and c.grad.shape == (4,)
    np.testing.assert_allclose(a.grad.data[:, 0], b.data.sum() * np.ones(3))
    np.testing.assert_allclose(c.grad.data, np.full(4, 3.0))


def test_released_graph_error_and_retain_graph():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()  # allowed: the first call kept the graph
    np.testing.assert_allclose(x.grad.data, [4.0, 8.0])
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        y.backward()


def test_nonscalar_backward_needs_gradient():
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * x
    with pytest.raises(RuntimeError, match=r"shape \(3,\)"):
        y.backward()
    y.backward(gradient=[1.0, 0.5, 0.0])  # a vector-Jacobian product, array-like accepted
    np.testing.assert_allclose(x.grad.data, [2.0, 2.0, 0.0])
    z = x * 2
    z.backward(Tensor([1.0, 1.0, 1.0]))
    np.testing.assert_allclose(x.grad.data, [4.0, 4.0, 2.0])
    with pytest.raises(RuntimeError, match="gradient has shape"):
        (x * 3).backward(np.ones(2))


def test_backward_on_tensor_without_grad_is_an_error():
    with pytest.raises(RuntimeError, match="does not require grad"):
        Tensor([1.0]).sum().backward()


def test_only_leaves_keep_grad_unless_retained():
    x = Tensor([1.0, 2.0], requires_grad=True)
    h = x * 2
    k = x * 3
    k.retain_grad()
    (h * k).sum().backward()
    assert h.grad is None and not h.is_leaf and x.is_leaf
    np.testing.assert_allclose(k.grad.data, h.data)
    np.testing.assert_allclose(x.grad.data, 2 * k.data + 3 * h.data)


def test_grad_function_leaves_dot_grad_alone():
    x = Tensor([1.0, 2.0], requires_grad=True)
    w = Tensor([3.0, 4.0], requires_grad=True)
    y = (x * w).sum()
    gx, gw = td.grad(y, [x, w])
    np.testing.assert_allclose(gx.data, w.data)
    np.testing.assert_allclose(gw.data, x.data)
    assert x.grad is None and w.grad is None


def test_grad_of_intermediate_and_unused_inputs():
    x = Tensor([1.0, 2.0], requires_grad=True)
    u = Tensor([5.0], requires_grad=True)
    h = x * 2
    y = (h * h).sum()
    with pytest.raises(RuntimeError, match="not used"):
        td.grad(y, [h, u], retain_graph=True)
    gh, gu = td.grad(y, [h, u], allow_unused=True)
    np.testing.assert_allclose(gh.data, 2 * h.data)
    assert gu is None


def test_grad_with_grad_outputs_and_several_outputs():
    x = Tensor([1.0, 2.0], requires_grad=True)
    a, b = x * 2, x * x
    (g,) = td.grad([a, b], x, grad_outputs=[Tensor([1.0, 1.0]), Tensor([1.0, 0.0])])
    np.testing.assert_allclose(g.data, [2 + 2, 2])


def test_second_derivatives_of_several_ops():
    cases = [
        (lambda x: x.exp(), lambda x: np.exp(x)),
        (lambda x: x.tanh(), lambda x: -2 * np.tanh(x) * (1 - np.tanh(x) ** 2)),
        (lambda x: x.sigmoid(), lambda x: (s := 1 / (1 + np.exp(-x))) * (1 - s) * (1 - 2 * s)),
        (lambda x: x**3, lambda x: 6 * x),
        (lambda x: x.log(), lambda x: -1 / x**2),
        (lambda x: 1 / x, lambda x: 2 / x**3),
        (lambda x: x.sqrt(), lambda x: -0.25 * x**-1.5),
    ]
    for fn, second in cases:
        x = Tensor(np.array([0.5, 1.3, 2.0]), requires_grad=True)
        (g,) = td.grad(fn(x).sum(), x, create_graph=True)
        (h,) = td.grad(g.sum(), x)
        np.testing.assert_allclose(h.data, second(x.data), rtol=1e-10)


def test_gradcheck_of_gradients_through_matmul_softmax_and_indexing():
    """Second order through the composite ops: gradcheck the first derivative itself."""
    w = f64(3, 4)
    x = Tensor(np.random.default_rng(3).standard_normal((5, 3)))

    def first_derivative(w):
        logits = x @ w
        loss = -logits.log_softmax(axis=1)[np.arange(5), [0, 1, 2, 3, 0]].mean()
        loss = loss + (logits.max(axis=1) * 0.1).sum() + (w * w).sum() * 0.01
        (g,) = td.grad(loss, w, create_graph=True)
        return g

    assert td.gradcheck(first_derivative, [w], atol=1e-5)


@pytest.mark.parametrize("ta,tb", [(False, False), (True, False), (False, True), (True, True)])
def test_second_order_through_every_transpose_form_of_matmul(ta, tb):
    """MatMul's backward calls MatMul with other transpose options: gradcheck its gradient
    (which runs those options' own backward) for each form, batched."""
    rng = np.random.default_rng(5)
    a = Tensor(rng.standard_normal((2, 4, 3) if ta else (2, 3, 4)), requires_grad=True)
    b = Tensor(rng.standard_normal((5, 4) if tb else (4, 5)), requires_grad=True)
    weight = Tensor(rng.standard_normal((2, 3, 5)))

    def first_derivatives(a, b):
        out = MatMul.apply(a, b, transpose_a=ta, transpose_b=tb)
        loss = ((out * weight).tanh()).sum()
        return td.grad(loss, [a, b], create_graph=True)

    assert td.gradcheck(lambda a, b: first_derivatives(a, b)[0], [a, b], atol=1e-5)
    assert td.gradcheck(lambda a, b: first_derivatives(a, b)[1], [a, b], atol=1e-5)


def test_hessian_vector_product_of_a_small_mlp_against_finite_differences():
    rng = np.random.default_rng(0)
    X = Tensor(rng.standard_normal((8, 3)))
    y = rng.integers(0, 2, 8)
    W1 = Tensor(rng.standard_normal((4, 3)), requires_grad=True)
    W2 = Tensor(rng.standard_normal((2, 4)), requires_grad=True)
    v1, v2 = rng.standard_normal((4, 3)), rng.standard_normal((2, 4))

    def loss_of(w1, w2):
        logits = (X @ w1.T).tanh() @ w2.T
        return -logits.log_softmax(axis=1)[np.arange(8), y].mean()

    g1, g2 = td.grad(loss_of(W1, W2), [W1, W2], create_graph=True)
    hv1, hv2 = td.grad((g1 * Tensor(v1)).sum() + (g2 * Tensor(v2)).sum(), [W1, W2])

    def grads_at(d1, d2):
        a = Tensor(W1.data + d1, requires_grad=True)
        b = Tensor(W2.data + d2, requires_grad=True)
        return [g.data for g in td.grad(loss_of(a, b), [a, b])]

    eps = 1e-6
    plus, minus = grads_at(eps * v1, eps * v2), grads_at(-eps * v1, -eps * v2)
    np.testing.assert_allclose(hv1.data, (plus[0] - minus[0]) / (2 * eps), atol=1e-6)
    np.testing.assert_allclose(hv2.data, (plus[1] - minus[1]) / (2 * eps), atol=1e-6)


def test_create_graph_keeps_grad_differentiable():
    x = Tensor(2.0, requires_grad=True, dtype=np.float64)
    (x**3).backward(create_graph=True)
    assert x.grad.requires_grad
    g = x.grad
    x.grad = None
    g.backward()
    assert x.grad.item() == pytest.approx(12.0)


def test_first_order_path_records_nothing():
    x = Tensor([1.0, 2.0], requires_grad=True)
    (x.tanh() * x).sum().backward()
    assert x.grad.grad_fn is None and not x.grad.requires_grad


# -- grad mode --------------------------------------------------------------------------------


def test_no_grad_context_and_decorator():
    x = Tensor([1.0], requires_grad=True)
    with td.no_grad():
        y = x * 2
        with td.enable_grad():
            z = x * 2
    assert not y.requires_grad and y.grad_fn is None
    assert z.requires_grad

    @td.no_grad()
    def f(t):
        return t * 3

    @td.no_grad
    def g(t):
        return t * 3

    assert not f(x).requires_grad and not g(x).requires_grad
    assert td.is_grad_enabled()


# -- in-place operations ----------------------------------------------------------------------


def test_inplace_on_leaf_requiring_grad_is_an_error_outside_no_grad():
    w = Tensor([1.0, 2.0], requires_grad=True)
    for op in (
        lambda: w.add_(1),
        lambda: w.mul_(2),
        lambda: w.zero_(),
        lambda: w.__setitem__(0, 5.0),
    ):
        with pytest.raises(RuntimeError, match="leaf tensor that requires grad"):
            op()
    with td.no_grad():
        w.sub_(Tensor([0.5, 0.5]))
        w *= 2
        w.clamp_(max=2.5)
    np.testing.assert_allclose(w.data, [1.0, 2.5])
    assert w.requires_grad and w.is_leaf


def test_inplace_recorded_on_nonleaf_like_pytorch():
    # c = a + b; c += c * 2  ->  c = 3 (a + b), so dc/da = dc/db = 3
    a = Tensor([1.0, 2.0], requires_grad=True)
    b = Tensor([3.0, 4.0], requires_grad=True)
    c = a + b
    c += c * 2
    c.sum().backward()
    np.testing.assert_allclose(c.data, [12.0, 18.0])
    np.testing.assert_allclose(a.grad.data, [3.0, 3.0])
    np.testing.assert_allclose(b.grad.data, [3.0, 3.0])


def test_inplace_mul_keeps_the_old_value_for_its_own_gradient():
    a = Tensor([1.0, 2.0], requires_grad=True)
    d = Tensor([3.0, 5.0], requires_grad=True)
    c = a * 1
    c *= d
    c.sum().backward()
    np.testing.assert_allclose(a.grad.data, d.data)
    np.testing.assert_allclose(d.grad.data, a.data)


def test_modifying_a_saved_tensor_is_an_error_at_backward():
    a = Tensor([1.0, 2.0], requires_grad=True)
    c = a * 1
    d = c * c  # saves c
    c.add_(1)
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        d.sum().backward()


def test_saved_output_modified_is_an_error():
    a = Tensor([1.0, 2.0], requires_grad=True)
    e = a.exp()  # saves its output
    with td.no_grad():
        e.mul_(2)
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        e.sum().backward()


def test_changes_that_do_not_corrupt_a_gradient_are_allowed():
    a = Tensor([1.0, 2.0], requires_grad=True)
    c = a * 1
    d = c * 2  # a product with a constant saves nothing of c
    c.add_(10)
    d.sum().backward()
    np.testing.assert_allclose(a.grad.data, [2.0, 2.0])


def test_version_counter_is_shared_with_views():
    a = Tensor(np.arange(6.0), requires_grad=True)
    x = Tensor(np.arange(6.0))
    y = a * x  # saves x
    v = x.reshape(2, 3)
    with td.no_grad():
        v[0, 0] = 100.0  # writes into x's memory through the view
    assert x.data[0] == 100.0
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        y.sum().backward()


def test_setitem_differentiable_and_version_bump():
    x = Tensor(np.zeros((2, 3)))
    w = Tensor([1.0, 2.0, 3.0], requires_grad=True, dtype=np.float64)
    x[1] = w * 2
    assert x.requires_grad and not x.is_leaf
    (x * Tensor(np.arange(6.0).reshape(2, 3))).sum().backward()
    np.testing.assert_allclose(w.grad.data, 2 * np.array([3.0, 4.0, 5.0]))
    t = Tensor([1.0, 2.0, 3.0])
    before = t._version[0]
    t[0] = 7.0
    t += 1
    assert t.tolist() == [8.0, 3.0, 4.0] and t._version[0] == before + 2


def test_setitem_overwritten_part_gets_no_gradient():
    a = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    c = a * 1
    c[1] = 0.0
    c.sum().backward()
    np.testing.assert_allclose(a.grad.data, [1.0, 0.0, 1.0])


def test_fill_copy_zero_inplace():
    a = Tensor([1.0, 2.0], requires_grad=True)
    c = a * 3
    c.fill_(5.0)
    c.sum().backward()
    np.testing.assert_allclose(a.grad.data, [0.0, 0.0])
    t = Tensor.zeros(2, 2)
    t.copy_(np.ones((2, 2)))
    assert t.sum().item() == 4.0
    t.zero_()
    assert t.sum().item() == 0.0
    with pytest.raises(ValueError, match="copy_"):
        t.copy_(np.ones(3))


def test_inplace_dtype_rules():
    i = Tensor([1, 2, 3])
    with pytest.raises(TypeError, match="add_"):
        i += 0.5
    i += 2
    assert i.tolist() == [3, 4, 5] and i.dtype == np.int64
    f = Tensor([1.0, 2.0])
    f += np.array([1.0, 1.0])  # float64 operand, the tensor stays float32
    assert f.dtype == np.float32
    with pytest.raises(ValueError, match="add_"):
        f += np.ones((3, 2))


def test_grads_of_two_leaves_never_share_memory():
    a = Tensor([1.0, 2.0], requires_grad=True)
    b = Tensor([3.0, 4.0], requires_grad=True)
    (a + b).sum().backward()
    a.grad.mul_(10)  # an in-place edit of one gradient (gradient clipping, say)
    np.testing.assert_allclose(b.grad.data, [1.0, 1.0])
    c = Tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    d = Tensor(np.ones((2, 2)), requires_grad=True)
    (c + d.reshape(4)).sum().backward()
    c.grad.mul_(3)
    np.testing.assert_allclose(d.grad.data, np.ones((2, 2)))


def test_retained_graph_graph_can_be_walked_again_with_new_grads():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    x.grad = None
    y.backward()
    np.testing.assert_allclose(x.grad.data, [2.0, 4.0])


# -- gradcheck catches wrong derivatives --------------------------------------------------------


class WrongSquare(td.Function):
    """z = x^2, with a deliberately wrong derivative 3x (the right one is 2x)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.data**2

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * x * 3


def test_gradcheck_raises_naming_input_and_element():
    x = Tensor(np.array([[1.0, 2.0], [3.0, 4.0]]), requires_grad=True)
    w = Tensor([1.0, 1.0], requires_grad=True)
    with pytest.raises(td.GradcheckError, match=r"input 0 \(shape \(2, 2\)\) element \(1, 1\)"):
        td.gradcheck(lambda a, b: WrongSquare.apply(a) * b, [x, w])
    assert issubclass(td.GradcheckError, AssertionError)
    assert td.gradcheck(lambda a, b: (a * a) * b, [x, w])


def test_gradcheck_perturbs_inputs_of_any_memory_layout():
    # A transposed view (Fortran-ordered) and a strided slice: each finite difference must
    # reach the function, so a right gradient passes and a wrong one is caught.
    base = np.arange(12.0).reshape(3, 4) / 7 - 0.5
    for data in (base.T, base[:, ::2]):
        x = Tensor(data, requires_grad=True)
        assert td.gradcheck(lambda a: (a * a).sum(axis=0), [x])
        with pytest.raises(td.GradcheckError, match=r"input 0"):
            td.gradcheck(lambda a: WrongSquare.apply(a).sum(axis=0), [x])


def test_custom_function_works_end_to_end():
    class Cube(td.Function):
        """z = x^3;  dz/dx = 3 x^2."""

        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x.data**3

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 3 * x * x

    x = Tensor([1.0, 2.0], requires_grad=True, dtype=np.float64)
    assert td.gradcheck(lambda v: Cube.apply(v), [x])
    (g,) = td.grad(Cube.apply(x).sum(), x, create_graph=True)
    (h,) = td.grad(g.sum(), x)
    np.testing.assert_allclose(h.data, 6 * x.data)


def test_custom_function_with_an_array_backward_uses_it_on_the_first_order_pass_only():
    seen = []

    class Cube(td.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x.data**3

        @staticmethod
        def backward(ctx, g):
            seen.append(("backward", type(g)))
            (x,) = ctx.saved_tensors
            return g * 3 * x * x

        @staticmethod
        def backward_array(ctx, g):
            seen.append(("backward_array", type(g)))
            (x,) = ctx.saved_tensors
            return g * 3 * x.data * x.data

    x = Tensor([1.0, -2.0], requires_grad=True, dtype=np.float64)
    Cube.apply(x).sum().backward()
    np.testing.assert_allclose(x.grad.data, [3.0, 12.0])
    assert type(x.grad) is Tensor and type(x.grad.data) is np.ndarray
    assert seen == [("backward_array", np.ndarray)]
    seen.clear()
    (g,) = td.grad(Cube.apply(x).sum(), x, create_graph=True)
    assert seen == [("backward", Tensor)] and g.requires_grad
    np.testing.assert_allclose(td.grad(g.sum(), x)[0].data, [6.0, -12.0])  # 6x


def test_forward_reads_needs_input_grad_as_in_pytorch():
    seen = []

    class Product(td.Function):
        @staticmethod
        def forward(ctx, x, y):
            seen.append(ctx.needs_input_grad)
            return x.data * y.data

    x, y = Tensor([1.0], requires_grad=True), Tensor([2.0])
    Product.apply(x, y)
    Product.apply(y, y)
    with td.no_grad():
        Product.apply(x, x)
    assert seen == [(True, False), (False, False), (False, False)]


def test_custom_function_without_an_array_backward_gets_tensors_on_both_passes():
    seen = []

    class Double(td.Function):
        @staticmethod
        def forward(ctx, x):
            return 2 * x.data

        @staticmethod
        def backward(ctx, g):
            seen.append(type(g))
            return g.expand(2, 3).sum(axis=0) / 2 * 2  # Tensor-only methods work

    x = Tensor(np.ones(3), requires_grad=True)
    y = Double.apply(x) * Tensor([1.0, 2.0, 3.0])
    y.sum().backward()
    np.testing.assert_allclose(x.grad.data, [2.0, 4.0, 6.0])
    assert seen == [Tensor]


def test_first_order_backward_of_a_0d_tensor_used_many_times():
    # gradients of 0-d arrays sum to NumPy scalars; the engine keeps them arrays, so the
    # third and later parts are still added in
    x = Tensor(2.0, requires_grad=True, dtype=np.float64)
    y = x * 1.0
    (y * 3 + y * 4 + y * 5 + y).backward()
    assert x.grad.item() == 13.0 and type(x.grad.data) is np.ndarray


def test_inplace_on_an_indexed_view_reaches_the_base_as_in_pytorch():
    a = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    w = Tensor([10.0, 20.0], requires_grad=True)
    y = a * 2
    v = y[1:]
    v.mul_(w)  # y becomes [2, 40, 120]
    np.testing.assert_allclose(y.data, [2.0, 40.0, 120.0])
    np.testing.assert_allclose(v.data, [40.0, 120.0])
    (y * Tensor([1.0, 1.0, 2.0])).sum().backward()
    np.testing.assert_allclose(a.grad.data, [2.0, 20.0, 80.0])
    np.testing.assert_allclose(w.grad.data, [4.0, 12.0])
    x = Tensor(np.zeros(3))
    x[1:] += w  # a plain tensor receives a value that requires grad
    assert x.requires_grad
    x.sum().backward()
    np.testing.assert_allclose(w.grad.data, [5.0, 13.0])


def test_recorded_inplace_change_of_a_view_is_a_clear_error():
    a = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = a * 1
    with pytest.raises(RuntimeError, match="is a view of another one"):
        y.reshape(3, 1).add_(1)
    y[0:2] += 1
    y.sum().backward()
    np.testing.assert_allclose(y.data, [2.0, 3.0, 3.0])
    np.testing.assert_allclose(a.grad.data, [1.0, 1.0, 1.0])
    x = Tensor(np.zeros(4))
    with td.no_grad():
        x.reshape(2, 2)[0] += 5.0  # without a graph, views write through to the base
    assert x.tolist() == [5.0, 5.0, 0.0, 0.0]


def test_backward_releases_every_saved_array():
    """After backward (without retain_graph) no node holds a data-sized array."""
    from tinygrad_ds.autograd import graph_nodes

    x = Tensor(np.random.default_rng(0).standard_normal((50, 40)), requires_grad=True)
    w = Tensor(np.random.default_rng(1).standard_normal((40, 30)), requires_grad=True)
    h = (x @ w).tanh()
    y = td.where(h > 0, h.exp(), h * h).max(axis=1) + h.softmax(axis=1).sum(axis=1)
    labels = np.arange(50) % 30
    loss = (y.sigmoid() * x[:, 0]).sum() + td.nn.functional.cross_entropy(h, labels)
    nodes = list(graph_nodes([loss.grad_fn]))
    loss.backward()

    def big_arrays(node):
        slots = [getattr(node, name, None) for name in ("_saved", "_saved_out", "_saved_versions")]
        values = list(vars(node).values()) + slots
        return [v for v in values if isinstance(v, np.ndarray) and v.size >= 1000]  # (50, 30)+

    assert len(nodes) > 10
    assert [n.name() for n in nodes if big_arrays(n)] == []
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        loss.backward()


def test_backward_of_several_roots_sums_their_gradients():
    x = Tensor([1.0, 2.0], requires_grad=True)
    a, b = (x * x).sum(), (x * 3).sum()
    td.backward([a, b])
    np.testing.assert_allclose(x.grad.data, 2 * x.data + 3)
    c, d = x * 2, x * x
    x.grad = None
    td.backward([c, d], [np.ones(2), np.array([1.0, 0.0])])
    np.testing.assert_allclose(x.grad.data, [2 + 2, 2])
    with pytest.raises(ValueError, match="2 tensors but 1 gradients"):
        td.backward([x * 2, x * 3], [np.ones(2)])


def test_many_gradient_parts_sum_correctly_without_touching_shared_ones():
    """A leaf reached first through an Add (which hands the same gradient to both of its inputs)
    and then three more times: the walk sums the later parts into memory of its own, never into
    the shared first part, which the Add's other input still needs."""
    x = f64(3, seed=1)
    w = f64(3, seed=2)
    a, b, c = (Tensor(np.array([1.0, -2.0, 0.5]) * k) for k in (1, 2, 3))

    def f(x, w):
        y = x + w  # dL/dy reaches x and w as one array
        return (y * y).sum() + (w * a).sum() + (w * b).sum() + (w * c).sum() + (y.tanh()).sum()

    assert td.gradcheck(f, [x, w])
    f(x, w).backward()
    y = x.data + w.data
    dy = 2 * y + (1 - np.tanh(y) ** 2)
    np.testing.assert_allclose(x.grad.data, dy)
    np.testing.assert_allclose(w.grad.data, dy + a.data + b.data + c.data)
    assert not np.shares_memory(x.grad.data, w.grad.data)
