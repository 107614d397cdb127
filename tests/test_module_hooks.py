"""Module.register_forward_pre_hook / register_forward_hook (PyTorch's), alone and with
Tensor.register_hook to see each layer's activations and deltas."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_ds as td
from tinygrad_ds import nn


def net():
    td.manual_seed(0)
    return nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2)).double()


def test_forward_hooks_see_each_layers_input_and_output_and_can_be_removed():
    model, x = net(), td.Tensor(np.ones((5, 3)))
    seen = []
    handles = [m.register_forward_hook(lambda m, args, out: seen.append((m, args, out)))
               for m in model]  # fmt: skip
    y = model(x)
    assert [type(m).__name__ for m, _, _ in seen] == ["Linear", "Tanh", "Linear"]
    assert seen[0][1][0] is x and seen[2][2] is y  # the arguments and the output themselves
    np.testing.assert_allclose(seen[1][2].data, np.tanh(seen[0][2].data))
    for h in handles:
        h.remove()
    model(x)
    assert len(seen) == 3


def test_a_forward_hook_may_replace_the_output_and_the_gradient_follows():
    model, x = net(), td.Tensor(np.ones((5, 3)))
    model[1].register_forward_hook(lambda m, args, out: out * 2)
    doubled = model(x)
    h2 = 2 * np.tanh(model[0](x).data)  # the hidden layer's output, doubled by the hook
    w2, b2 = model[2].weight.data, model[2].bias.data
    np.testing.assert_allclose(doubled.data, h2 @ w2.T + b2, rtol=1e-12)
    doubled.sum().backward()  # dL/dW2 = ones^T h2: each row is h2 summed over the batch
    np.testing.assert_allclose(model[2].weight.grad.data, np.repeat(h2.sum(0)[None], 2, 0))


def test_a_pre_hook_may_replace_the_arguments():
    lin = nn.Linear(3, 2).double()
    lin.register_forward_pre_hook(lambda m, args: args[0] * 0)  # one value: wrapped in a tuple
    np.testing.assert_allclose(lin(td.Tensor(np.ones((1, 3)))).data, lin.bias.data[None])
    calls = []
    lin.register_forward_pre_hook(lambda m, args: calls.append(len(args)))  # None: kept
    lin(td.Tensor(np.ones((1, 3))))
    assert calls == [1]


def test_forward_and_tensor_hooks_together_show_each_layers_delta():
    """For each Linear, a forward hook registers a tensor hook on its output z: in backward
    it receives dL/dz, the course's delta, which is the bias's gradient summed over rows."""
    model, x = net(), td.Tensor(np.random.default_rng(0).standard_normal((5, 3)))
    deltas = {}

    def keep_delta(module, args, z):
        z.register_hook(lambda g: deltas.__setitem__(module, g.data))

    for m in (model[0], model[2]):
        m.register_forward_hook(keep_delta)
    (model(x) ** 2).sum().backward()
    for m in (model[0], model[2]):
        np.testing.assert_allclose(deltas[m].sum(axis=0), m.bias.grad.data, rtol=1e-12)
    np.testing.assert_allclose(deltas[model[2]], 2 * model(x).data, rtol=1e-12)


def test_a_module_whose_init_skips_modules_is_still_callable():
    class Double(nn.Module):
        def __init__(self):  # no super().__init__(): no parameters to register
            pass

        def forward(self, x):
            return x * 2

    assert Double()(td.Tensor([1.0])).item() == 2.0


def test_hook_registration_errors():
    with pytest.raises(TypeError, match="register_forward_hook: expected a function, got int"):
        nn.Linear(2, 2).register_forward_hook(3)
    with pytest.raises(TypeError, match="register_forward_pre_hook: expected a function"):
        nn.Linear(2, 2).register_forward_pre_hook(None)
