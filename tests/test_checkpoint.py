"""td.utils.checkpoint (gradients equal the plain run's, less memory kept) and
td.get_rng_state / td.set_rng_state."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

import tinygrad_ds as td
from tinygrad_ds.autograd import graph_nodes
from tinygrad_ds.utils.checkpoint import checkpoint, checkpoint_sequential


def mlp(depth=8, width=6, p=0.3):
    td.manual_seed(0)
    layers = []
    for _ in range(depth):
        layers += [td.nn.Linear(width, width), td.nn.Tanh(), td.nn.Dropout(p)]
    return td.nn.Sequential(*layers)


def grads_of(run, net, x):
    """(loss value, the parameters' and x's gradients) of run(net, x).sum(), seeded."""
    net.zero_grad()
    x.grad = None
    td.manual_seed(11)
    loss = run(net, x).sum()
    loss.backward()
    return float(loss.data), [p.grad.data.copy() for p in net.parameters()] + [x.grad.data]


RUNS = {
    "checkpoint_module": lambda net, x: checkpoint(net, x),
    "checkpoint_lambda": lambda net, x: checkpoint(lambda h: net(h), x),
    "sequential_1": lambda net, x: checkpoint_sequential(net, 1, x),
    "sequential_3": lambda net, x: checkpoint_sequential(net, 3, x),
    "sequential_list": lambda net, x: checkpoint_sequential(list(net), 4, x),
}


@pytest.mark.parametrize("name", list(RUNS))
def test_gradients_equal_the_plain_runs_with_dropout_inside(name):
    net = mlp()
    x = td.randn(4, 6, requires_grad=True)
    value, plain = grads_of(lambda n, h: n(h), net, x)
    value2, ckpt = grads_of(RUNS[name], net, x)
    assert value == value2
    for a, b in zip(plain, ckpt):
        np.testing.assert_array_equal(a, b)


def test_without_preserve_rng_state_dropout_masks_differ():
    net = mlp(depth=2, p=0.5)
    x = td.randn(16, 6, requires_grad=True)
    _, plain = grads_of(lambda n, h: n(h), net, x)
    _, other = grads_of(lambda n, h: checkpoint(n, h, preserve_rng_state=False), net, x)
    assert any(not np.array_equal(a, b) for a, b in zip(plain, other))


def test_rng_stream_after_backward_is_not_disturbed_by_the_recomputation():
    net = mlp(depth=2)
    x = td.randn(3, 6, requires_grad=True)
    td.manual_seed(5)
    net(x).sum().backward()
    after_plain = td.rand(3).data
    td.manual_seed(5)
    checkpoint(net, x).sum().backward()
    np.testing.assert_array_equal(td.rand(3).data, after_plain)


def test_tuple_outputs_kwargs_non_tensor_args_and_td_grad():
    x = td.Tensor(np.array([0.5, -1.0, 2.0]), requires_grad=True)
    w = td.Tensor(np.array([[1.0, 2.0, 0.5]]), requires_grad=True)

    def f(a, scale, b, *, power):
        return (a * scale) ** power, (a * b).sum(1)

    y, z = checkpoint(f, x, 3.0, w, power=2)
    np.testing.assert_allclose(y.data, 9 * x.data**2)
    assert y.shape == (3,) and z.shape == (1,)
    gx, gw = td.grad((y.sum() + z.sum()), [x, w])
    np.testing.assert_allclose(gx.data, 18 * x.data + w.data[0])
    np.testing.assert_allclose(gw.data, x.data[None])
    assert x.grad is None and w.grad is None  # td.grad leaves .grad alone


def test_second_derivative_through_a_checkpoint():
    x = td.Tensor(np.array([0.3, 1.2]), requires_grad=True)
    y = checkpoint(lambda a: (a**3).sum(), x)
    (g,) = td.grad(y, x, create_graph=True)
    np.testing.assert_allclose(g.data, 3 * x.data**2)
    (h,) = td.grad(g.sum(), x)
    np.testing.assert_allclose(h.data, 6 * x.data)
    assert td.autograd.gradgradcheck(lambda a: checkpoint(lambda b: b.sin() * b, a), x)


def test_parameters_found_through_closures_and_globals_and_errors():
    net = td.nn.Linear(3, 2)
    x = td.randn(4, 3)  # no grad on the input: the gradient goes to the parameters only
    checkpoint(lambda h: net(h).tanh(), x).sum().backward()
    assert net.weight.grad is not None and net.bias.grad is not None
    outside = td.Tensor(np.ones(3), requires_grad=True) * 2  # a non-leaf read from outside
    y = checkpoint(lambda h: (h * outside).sum(), td.randn(3, requires_grad=True))
    with pytest.raises(RuntimeError, match=r"checkpoint: function uses a tensor of shape \(3,\) "
                       "that requires grad but is neither an argument"):  # fmt: skip
        y.backward()
    with pytest.raises(TypeError, match="checkpoint: function must return a Tensor or a tuple"):
        checkpoint(lambda h: 3, x)
    with pytest.raises(TypeError, match="checkpoint: PyTorch's option 'debug' is not supported"):
        checkpoint(net, x, debug=True)
    with pytest.raises(TypeError, match="checkpoint: function must be callable"):
        checkpoint(3, x)
    with pytest.raises(ValueError, match="checkpoint_sequential: 5 segments for only 2"):
        checkpoint_sequential([net, td.nn.Tanh()], 5, x)
    with pytest.raises(ValueError, match="segments must be an int >= 1, got 0"):
        checkpoint_sequential([net], 0, x)
    z = checkpoint(lambda h: h * 2, td.randn(2, requires_grad=True)).sum()
    z.backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        z.backward()


def _memory(run):
    """(saved nodes in the graph, bytes held after the forward, peak bytes) of one step."""
    net = mlp(depth=24, width=32, p=0.0)
    x = td.randn(512, 32, requires_grad=True)
    tracemalloc.start()
    try:
        loss = run(net, x).sum()
        nodes = len(graph_nodes([loss.grad_fn]))
        held = tracemalloc.get_traced_memory()[0]
        loss.backward()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return nodes, held, peak


def test_checkpointing_keeps_fewer_saved_arrays():
    nodes, held, peak = _memory(lambda n, h: n(h))
    nodes2, held2, peak2 = _memory(lambda n, h: checkpoint_sequential(n, 6, h))
    assert nodes2 < nodes / 3  # 5 checkpoint nodes + the last segment's 8, of 49
    assert held2 < held / 2  # 5 boundaries and the last segment's activations, of 24 layers'
    assert peak2 < peak * 0.7  # (the peak also holds the parameters' gradients, in both)


# -- the RNG state -------------------------------------------------------------------------


def test_rng_state_round_trip_reproduces_draws():
    td.manual_seed(3)
    state = td.get_rng_state()
    assert state.dtype == np.uint8 and state.shape == (37,) and not state.requires_grad
    first = (td.randn(5).data, td.rand(2).data, td.nn.functional.dropout(td.ones(8), 0.5).data)
    td.randn(100)
    td.set_rng_state(state)
    again = (td.randn(5).data, td.rand(2).data, td.nn.functional.dropout(td.ones(8), 0.5).data)
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a, b)
    td.manual_seed(3)  # the state of a fresh seed is the same state
    np.testing.assert_array_equal(td.get_rng_state().data, state.data)
    with pytest.raises(TypeError, match="set_rng_state: the state must be a uint8 Tensor, got"):
        td.set_rng_state([1, 2])
    with pytest.raises(ValueError, match=r"shape \(37,\) as get_rng_state\(\) returns, got "
                       r"dtype float32 and shape \(3,\)"):  # fmt: skip
        td.set_rng_state(td.zeros(3))


# -- print options -------------------------------------------------------------------------


@pytest.fixture
def restore_printoptions():
    yield
    td.set_printoptions(profile="default", sci_mode=None)


def test_set_printoptions_changes_repr_only(restore_printoptions):
    x = td.Tensor(np.array([1.123456789, 2e-5, 300.0]))
    assert repr(x).startswith("Tensor([1.12345679e+00, 2.00000000e-05, 3.00000000e+02]")
    numpy_before = np.get_printoptions()
    td.set_printoptions(precision=2)
    assert repr(x) == "Tensor([1.12e+00, 2.00e-05, 3.00e+02], dtype=float64)"
    td.set_printoptions(sci_mode=False)
    assert repr(x) == "Tensor([  1.12,   0.00, 300.00], dtype=float64)"
    td.set_printoptions(sci_mode=True)
    assert repr(td.Tensor(np.array([1.5, 2.0]))) == "Tensor([1.50e+00, 2.00e+00], dtype=float64)"
    td.set_printoptions(threshold=5, edgeitems=1, sci_mode=None)  # sci_mode is set every call
    assert repr(td.arange(10)) == "Tensor([0, ..., 9], dtype=int64)"
    td.set_printoptions(profile="full")
    assert "..." not in repr(td.arange(2000))
    td.set_printoptions(profile="short")
    assert repr(td.Tensor([1.23456])) == "Tensor([1.23], dtype=float32)"
    td.set_printoptions(linewidth=30, profile="default")  # profile first, then the option
    lines = repr(td.arange(20.0)).splitlines()  # (the last one also has the dtype)
    assert len(lines) > 3 and all(len(line) <= 30 for line in lines[:-1])
    assert np.get_printoptions() == numpy_before  # NumPy's own settings never changed


def test_set_printoptions_against_pytorch(restore_printoptions):
    torch = pytest.importorskip("torch")
    a = np.array([1.123456789, 2e-5, 300.0])
    try:
        for kwargs in ({"precision": 3, "sci_mode": True}, {"precision": 2, "sci_mode": False}):
            td.set_printoptions(**kwargs)
            torch.set_printoptions(**kwargs)
            ours = repr(td.Tensor(a)).split("],")[0].replace("Tensor([", "")
            theirs = repr(torch.tensor(a)).split("]")[0].replace("tensor([", "")
            assert ours.replace(" ", "") == theirs.replace(" ", "")
    finally:
        torch.set_printoptions(profile="default")


def test_set_printoptions_errors(restore_printoptions):
    with pytest.raises(ValueError, match="profile must be 'default', 'short' or 'full', got 'x'"):
        td.set_printoptions(profile="x")
    with pytest.raises(ValueError, match="set_printoptions: precision must be an int >= 0, got"):
        td.set_printoptions(precision=-1)
    with pytest.raises(ValueError, match="threshold must be a number, got 'many'"):
        td.set_printoptions(threshold="many")
