"""Regressions once made by the fast paths (Function.apply_fast, nodes without a reference to
their output), found in review.

Each failed on the code as first written.
"""

from __future__ import annotations

import gc

import numpy as np

import tinygrad_ds as td
from tinygrad_ds import viz


def _named_tanh_with_double_backward_graph():
    """x -> h = tanh(x) named "act" -> loss; then a create_graph pass, whose Tanh.backward
    makes a second Tensor with grad_fn = h's node (`saved_output()`), kept alive by the
    gradient's graph. gc.collect() first moves h to an older GC generation, as any long-lived
    program's automatic collections do, so that the gc scan meets the newer alias first."""
    x = td.Tensor(np.random.RandomState(0).randn(2, 3).astype(np.float32), requires_grad=True)
    h = x.tanh()
    h.name = "act"
    loss = h.sum()
    gc.collect()
    (g,) = td.autograd.grad(loss, [x], create_graph=True, retain_graph=True)
    return x, h, loss, g


def test_to_dot_keeps_the_name_of_a_live_intermediate_after_a_create_graph_pass():
    # viz/graph.py live_outputs: picks any Tensor whose grad_fn is the node (first found in
    # gc order), here the unnamed saved_output() alias, instead of the node's real output h.
    x, h, loss, g = _named_tanh_with_double_backward_graph()
    dot = viz.to_dot(loss)
    assert "<b>act</b>" in dot


def test_explain_keeps_the_name_of_a_live_intermediate_after_a_create_graph_pass():
    x, h, loss, g = _named_tanh_with_double_backward_graph()
    trace = viz.explain(loss)
    names = {step.node.name(): step.name for step in trace.steps}
    assert names["Tanh"] == "act"


def test_relu_mask_of_a_0d_input_is_an_array_in_a_recorded_double_backward_graph():
    # ops/elementwise.py _positive: (z > 0).astype(z.dtype) is a NumPy scalar for a 0-d z
    # (a comparison of a 0-d array gives np.bool_), where np.greater(..., out=) gave a 0-d
    # array. Relu.backward wraps it with `constant` (no conversion), so under create_graph
    # the graph holds a Tensor whose .data is np.float32: .numpy() is no array, td.save fails.
    from tinygrad_ds.autograd import graph_nodes

    x = td.Tensor(np.float32(1.5), requires_grad=True)
    y = x.relu() * x
    (g,) = td.autograd.grad(y, [x], create_graph=True)
    constants = [c for n in graph_nodes([g.grad_fn]) for c in n.constants or () if c is not None]
    assert constants
    for c in constants:
        assert type(c.data) is np.ndarray, type(c.data)
        assert type(c.numpy()) is np.ndarray


def test_one_input_ops_hand_on_their_gradient_in_every_graph_shape():
    # autograd._walk's shortcut for `grad_fits_input` ops (tanh, exp, ...): the input reached
    # first (a chain), reached again (a diamond: the general path must add the parts), older
    # than a node waiting in the heap, a leaf, and a recorded (create_graph) pass.
    def first_derivative(v: np.ndarray) -> np.ndarray:  # of y below, by hand
        a = 2 * v
        t, s = np.tanh(a), 1 / (1 + np.exp(-a))
        return 2 * ((1 - t**2) * np.exp(a) + t * np.exp(a) + s * (1 - s)) + np.exp(v)

    x = td.tensor([0.3, -0.7, 1.1], dtype=td.float64, requires_grad=True)
    a = x * 2.0
    y = (a.tanh() * a.exp() + a.sigmoid()).sum() + x.exp().sum()  # a feeds three ops
    (gx,) = td.grad(y, [x], create_graph=True)
    np.testing.assert_allclose(gx.data, first_derivative(x.data), rtol=1e-12)
    assert td.gradcheck(lambda v: ((v * 2.0).tanh() * (v * 2.0).exp()).relu().sum(), [x])
    gx.sum().backward()  # the recorded pass differentiates again: d/dx_i of sum(gx)
    eps = 1e-6
    for i in range(3):
        up, down = x.data.copy(), x.data.copy()
        up[i] += eps
        down[i] -= eps
        numeric = (first_derivative(up).sum() - first_derivative(down).sum()) / (2 * eps)
        np.testing.assert_allclose(x.grad.data[i], numeric, rtol=1e-6)
