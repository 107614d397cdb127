"""Property tests: random shapes, broadcast-compatible pairs, axes and slices (hypothesis)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tinygrad_ds as td

SETTINGS = settings(max_examples=25, deadline=None)

shapes = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4)
broadcast_pairs = hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3,
                                                   max_side=4)  # fmt: skip


def values(shape, low=-2.0, high=2.0, away_from=()):
    """float64 arrays of `shape`, kept at least 0.05 away from each kink in `away_from`."""
    elements = st.floats(low, high, allow_nan=False, width=64)
    for k in away_from:
        elements = elements.filter(lambda v, k=k: abs(v - k) > 0.05)
    return hnp.arrays(np.float64, shape, elements=elements)


BINARY = {
    "add": (lambda a, b: a + b, np.add),
    "sub": (lambda a, b: a - b, np.subtract),
    "mul": (lambda a, b: a * b, np.multiply),
    "maximum": (lambda a, b: td.maximum(a, b), np.maximum),
}


@SETTINGS
@given(st.sampled_from(sorted(BINARY)), broadcast_pairs, st.data())
def test_binary_ops_broadcast_values_and_gradients(name, pair, data):
    fn, ref = BINARY[name]
    (sa, sb), _ = pair
    a = data.draw(values(sa))
    b = data.draw(values(sb))
    if name == "maximum":  # keep away from ties, where the derivative is not defined
        b = np.where(np.abs(a - b) < 0.05, b + 0.5, b)
    ta, tb = td.Tensor(a, requires_grad=True), td.Tensor(b, requires_grad=True)
    out = fn(ta, tb)
    np.testing.assert_allclose(out.data, ref(a, b))
    assert td.gradcheck(fn, [ta, tb])


@SETTINGS
@given(broadcast_pairs, st.data())
def test_division_broadcasts(pair, data):
    (sa, sb), _ = pair
    a = td.Tensor(data.draw(values(sa)), requires_grad=True)
    b = td.Tensor(data.draw(values(sb, 0.5, 2.0)), requires_grad=True)
    assert td.gradcheck(lambda x, y: x / y, [a, b])


@SETTINGS
@given(shapes, st.data(), st.booleans(), st.sampled_from(["sum", "mean", "max", "min"]))
def test_reductions_over_random_axes(shape, data, keepdims, name):
    x = data.draw(values(shape))
    ndim = len(shape)
    axes = st.lists(st.integers(-ndim, ndim - 1), unique_by=lambda a: a % ndim, max_size=ndim)
    axis = data.draw(st.none() | axes.map(tuple)) if ndim else None
    if name in ("max", "min"):  # distinct values: ties are tested elsewhere
        x = x + np.arange(x.size).reshape(shape) * 1e-3
    t = td.Tensor(x, requires_grad=True)
    out = getattr(t, name)(axis=axis, keepdims=keepdims)
    np.testing.assert_allclose(out.data, getattr(np, name)(x, axis=axis, keepdims=keepdims))
    assert td.gradcheck(lambda v: getattr(v, name)(axis=axis, keepdims=keepdims), [t])


@SETTINGS
@given(shapes, st.data())
def test_unary_ops_on_random_shapes(shape, data):
    x = data.draw(values(shape, away_from=(0.0,)))
    t = td.Tensor(x, requires_grad=True)
    for fn in (lambda v: v.tanh(), lambda v: v.sigmoid(), lambda v: v.relu(),
               lambda v: v.abs(), lambda v: (v * v).exp()):  # fmt: skip
        assert td.gradcheck(fn, [t])


@SETTINGS
@given(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=5), st.data())
def test_basic_slicing_with_negative_steps(shape, data):
    x = data.draw(values(shape))
    index = tuple(
        data.draw(st.slices(n)) if data.draw(st.booleans()) else data.draw(st.integers(-n, n - 1))
        for n in shape
    )
    t = td.Tensor(x, requires_grad=True)
    np.testing.assert_array_equal(t[index].data, x[index])
    if x[index].size:
        assert td.gradcheck(lambda v: v[index] * 2.0, [t])


@SETTINGS
@given(st.integers(1, 6), st.data())
def test_integer_array_indexing_accumulates_repeats(n, data):
    x = data.draw(values((n, 2)))
    idx = data.draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=8))
    t = td.Tensor(x, requires_grad=True)
    t[idx].sum().backward()
    expected = np.zeros_like(x)
    np.add.at(expected, idx, 1.0)
    np.testing.assert_array_equal(t.grad.data, expected)


@SETTINGS
@given(st.integers(1, 3), st.integers(1, 4), st.integers(1, 4), st.integers(1, 4), st.data())
def test_batched_matmul_against_numpy(batch, n, k, m, data):
    a = data.draw(values((batch, n, k)))
    b = data.draw(values((k, m)))
    ta, tb = td.Tensor(a, requires_grad=True), td.Tensor(b, requires_grad=True)
    np.testing.assert_allclose((ta @ tb).data, a @ b)
    assert td.gradcheck(lambda x, y: x @ y, [ta, tb])


@SETTINGS
@given(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4), st.data())
def test_softmax_rows_sum_to_one_and_log_softmax_agrees(shape, data):
    x = data.draw(values(shape, -50, 50))
    t = td.Tensor(x)
    s = t.softmax(axis=-1).data
    np.testing.assert_allclose(s.sum(axis=-1), 1.0)
    np.testing.assert_allclose(np.log(np.maximum(s, 1e-300)), t.log_softmax(axis=-1).data,
                               atol=1e-9)  # fmt: skip


@settings(max_examples=40, deadline=None)
@given(
    st.integers(2, 4),
    st.lists(
        st.tuples(st.integers(0, 99), st.integers(0, 99), st.sampled_from("+*t")),
        min_size=1,
        max_size=12,
    ),
)
def test_random_graphs_run_each_node_after_all_its_consumers(n_leaves, steps):
    """Random DAGs (each new tensor combines two earlier ones, or takes tanh of one): the walk
    runs every node only after every node that consumes it, each exactly once, and the
    gradients match finite differences. (The engine's shortcut past the heap must not change
    the order the heap gives.)"""
    from tinygrad_ds.autograd import backward, graph_nodes

    rng = np.random.default_rng(len(steps))
    leaves = [td.Tensor(rng.uniform(-1, 1, 3), requires_grad=True) for _ in range(n_leaves)]

    def build(*xs):
        ts = list(xs)
        for i, j, op in steps:
            a, b = ts[i % len(ts)], ts[j % len(ts)]
            ts.append(a.tanh() if op == "t" else (a + b if op == "+" else a * b * 0.5))
        return sum(ts[n_leaves:], ts[0]).sum()

    out = build(*leaves)
    order = []
    backward(out, trace=lambda node, g, grads: order.append(node))
    nodes = graph_nodes([out.grad_fn])
    assert sorted(map(id, order)) == sorted(map(id, nodes))  # each once
    position = {id(node): k for k, node in enumerate(order)}
    for node in nodes:
        for parent in node.parents:
            if isinstance(parent, td.Function):
                assert position[id(node)] < position[id(parent)]
    assert td.gradcheck(build, [td.Tensor(t.data, requires_grad=True) for t in leaves])


@SETTINGS
@given(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=4, min_side=0,
                                         max_side=3),
       st.booleans())  # fmt: skip
def test_broadcast_view_is_numpys_broadcast_to(shapes, fortran):
    # The engine's own broadcast (Expand, Sum's and SumTo's gradients): NumPy's values, a
    # read-only view of the same memory, for C-contiguous and other layouts alike.
    from tinygrad_ds.ops.movement import broadcast_view

    (shape, _), target = shapes  # shape broadcasts to target (the other operand stretches it)
    a = np.arange(int(np.prod(shape)), dtype=np.float32).reshape(shape)
    if fortran:  # the same values in Fortran order (not C-contiguous beyond 1-D)
        a = np.array(a, order="F")
    view = broadcast_view(a, target)
    np.testing.assert_array_equal(view, np.broadcast_to(a, target))
    assert view.shape == target and not view.flags.writeable
    assert view.size == 0 or np.shares_memory(view, a)


def test_broadcast_view_refuses_shapes_that_do_not_broadcast():
    from tinygrad_ds.ops.movement import broadcast_view

    for shape, target in [((2, 3), (3, 3)), ((2,), (3,)), ((2, 3), (3,))]:
        with pytest.raises(ValueError, match="broadcast|dimensions"):
            broadcast_view(np.ones(shape), target)
