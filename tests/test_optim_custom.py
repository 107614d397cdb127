"""An optimiser written as PyTorch users write one: a subclass with its own `step`, state in
`self.state[p]` (a defaultdict, as PyTorch's), and the in-place `add_(..., alpha=)`."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_ds as td


def _heavy_ball(framework):
    """The same optimiser, word for word, for either framework (td, or torch)."""

    class HeavyBall(framework.optim.Optimizer):
        def __init__(self, params, lr=0.1, mu=0.9):
            super().__init__(params, dict(lr=lr, mu=mu))

        @framework.no_grad()
        def step(self, closure=None):
            for group in self.param_groups:
                for p in group["params"]:
                    if p.grad is None:
                        continue
                    state = self.state[p]
                    if "buf" not in state:
                        state["buf"] = p.grad.clone()
                    else:
                        state["buf"].mul_(group["mu"]).add_(p.grad)
                    p.add_(state["buf"], alpha=-group["lr"])

    return HeavyBall


def _train(opt_class, tensor, w0, steps=4):
    w = tensor(w0.copy(), requires_grad=True)
    opt = opt_class([w], lr=0.1, mu=0.5)
    x = tensor(np.array([[1.0, 2.0], [3.0, -1.0]]))
    for _ in range(steps):
        opt.zero_grad()
        loss = ((x @ w) ** 2).sum()
        loss.backward()
        opt.step()
    return w, opt


def test_a_subclass_keeps_its_own_state_in_a_defaultdict():
    w0 = np.array([0.5, -0.25])
    w, opt = _train(_heavy_ball(td), td.tensor, w0)
    # by hand: g = 2 x^T x w, buf <- mu buf + g, w <- w - lr buf
    x = np.array([[1.0, 2.0], [3.0, -1.0]])
    ww, buf = w0.copy(), None
    for _ in range(4):
        g = 2 * x.T @ x @ ww
        buf = g if buf is None else 0.5 * buf + g
        ww = ww - 0.1 * buf
    np.testing.assert_allclose(w.data, ww, rtol=1e-12)
    assert set(opt.state[w]) == {"buf"}
    fresh = td.tensor([1.0, 1.0], requires_grad=True)
    assert opt.state[fresh] == {}  # a missing entry reads as a new dict, as PyTorch's


def test_its_state_dict_round_trips():
    w, opt = _train(_heavy_ball(td), td.tensor, np.array([0.5, -0.25]))
    saved = opt.state_dict()
    assert list(saved["state"][0]) == ["buf"]
    other = _heavy_ball(td)([w], lr=0.1, mu=0.5)
    other.load_state_dict(saved)
    np.testing.assert_array_equal(other.state[w]["buf"].data, opt.state[w]["buf"].data)
    assert other.state[w]["buf"] is not opt.state[w]["buf"]  # a copy


def test_add_and_sub_take_alpha():
    a = td.tensor([1.0, 2.0, 3.0])
    a.add_(td.tensor([2.0, 2.0, 2.0]), alpha=-0.5)
    np.testing.assert_array_equal(a.data, [0.0, 1.0, 2.0])
    a.sub_(1.0, alpha=2)
    np.testing.assert_array_equal(a.data, [-2.0, -1.0, 0.0])
    x = td.tensor([1.0, 2.0], dtype=td.float64, requires_grad=True)
    assert td.gradcheck(lambda v: (v * 1).add_(v * v, alpha=3).sub_(v, alpha=0.5), [x])


def test_matches_the_same_optimiser_in_pytorch():
    torch = pytest.importorskip("torch")
    w0 = np.array([0.5, -0.25])
    ours, _ = _train(_heavy_ball(td), td.tensor, w0)
    theirs, _ = _train(_heavy_ball(torch), torch.tensor, w0)
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-12)


# -- found in review ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "make",
    [lambda ps: td.optim.Adam(ps, lr=0.1), lambda ps: td.optim.SGD(ps, lr=0.1, momentum=0.9)],
)
def test_reading_the_state_before_the_first_step_changes_nothing(make):
    p = td.nn.Parameter(td.tensor([1.0, 2.0]))
    opt = make([p])
    assert len(opt.state[p]) == 0  # reading makes an empty entry, as PyTorch's defaultdict
    assert opt.state_dict()["state"] == {}  # ... which is not saved
    p.grad = td.tensor([0.5, 0.5])
    opt.step()  # and the step fills it (it used to raise KeyError)
    assert len(opt.state[p]) > 0
    fresh = make([p])
    fresh.load_state_dict(opt.state_dict())
    fresh.load_state_dict({"state": {0: {}}, "param_groups": opt.state_dict()["param_groups"]})


def test_custom_state_comes_back_as_it_was_saved():
    class Counted(td.optim.Optimizer):
        def __init__(self, params, lr=0.1):
            super().__init__(params, dict(lr=lr))

        @td.no_grad()
        def step(self, closure=None):
            for group in self.param_groups:
                for p in group["params"]:
                    state = self.state[p]
                    if len(state) == 0:
                        state.update(step=td.tensor(0.0), buf=td.zeros_like(p), name="heavy")
                    state["step"] += 1
                    state["buf"].mul_(0.9).add_(p.grad)
                    p.sub_(group["lr"] * state["buf"] / (1 - 0.9 ** state["step"].item()))

    p = td.nn.Parameter(td.tensor([1.0, 2.0], dtype=td.float64))
    opt = Counted([p])
    p.grad = td.ones(2, dtype=td.float64)
    opt.step()
    again = Counted([p])
    again.load_state_dict(opt.state_dict())
    state = again.state[p]
    assert isinstance(state["step"], td.Tensor) and state["step"].item() == 1.0
    assert state["name"] == "heavy" and state["buf"].dtype == np.float64
    again.step()  # resumes (a Python int "step" had no .item())
    assert state["step"].item() == 2.0
