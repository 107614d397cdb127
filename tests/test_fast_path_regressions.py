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
