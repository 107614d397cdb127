"""Optimizer hooks (step, state_dict, load_state_dict; per optimiser and global), against
PyTorch's call order and arguments."""

import importlib

import numpy as np
import pytest

import tinygrad_ds as td
from tinygrad_ds import optim


def _log_step_hooks(lib, lib_optim, optimizer_module, cls_name):
    """The hooks' calls for steps of `cls_name`, the last loss and the parameter after them."""
    p = lib.tensor(np.array([1.0, -2.0]), requires_grad=True)
    opt = getattr(lib_optim, cls_name)([p], lr=0.1)
    log = []
    g1 = optimizer_module.register_optimizer_step_pre_hook(
        lambda o, a, k: log.append(("global_pre", type(o).__name__, len(a), sorted(k)))
    )
    g2 = optimizer_module.register_optimizer_step_post_hook(
        lambda o, a, k: log.append(("global_post", len(a)))
    )
    h1 = opt.register_step_pre_hook(lambda o, a, k: log.append(("pre", o is opt, len(a))))
    h2 = opt.register_step_post_hook(lambda o, a, k: log.append(("post", len(a))))

    def closure():
        opt.zero_grad()
        loss = (p**2).sum()
        loss.backward()
        return loss

    try:
        opt.step(closure=closure)
        loss = opt.step(closure)
        h1.remove()
        h2.remove()
        opt.step(closure)  # only the global hooks now
    finally:
        g1.remove()
        g2.remove()
    opt.step(closure)  # no hooks
    return log, float(np.asarray(loss.detach())), np.array(p.detach().numpy())


@pytest.mark.parametrize("cls_name", ["SGD", "Adam", "LBFGS"])
def test_step_hooks_order_and_arguments_match_torch(cls_name):
    torch = pytest.importorskip("torch")
    their_module = importlib.import_module("torch.optim.optimizer")
    ours = _log_step_hooks(td, optim, optim.optimizer, cls_name)
    theirs = _log_step_hooks(torch, torch.optim, their_module, cls_name)
    assert ours[0] == theirs[0]
    first = [("global_pre", cls_name, 1, ["closure"]), ("pre", True, 1), ("post", 1)]
    assert ours[0][:4] == [*first, ("global_post", 1)]  # args: (optimizer,)
    assert len(ours[0]) == 4 + 4 + 2
    np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-12)
    np.testing.assert_allclose(ours[2], theirs[2], rtol=1e-10)


def test_step_pre_hook_can_replace_the_arguments():
    p = td.tensor([1.0], requires_grad=True)
    opt = optim.SGD([p], lr=0.5)
    calls = []

    def closure():
        calls.append(1)
        opt.zero_grad()
        (p * 2).sum().backward()
        return 7.0

    opt.register_step_pre_hook(lambda o, args, kwargs: ((o,), {"closure": closure}))
    assert opt.step() == 7.0
    assert calls == [1]
    np.testing.assert_allclose(p.numpy(), [0.0])


def test_step_pre_hook_bad_result_and_bad_hook_errors():
    p = td.tensor([1.0], requires_grad=True)
    opt = optim.SGD([p], lr=0.5)
    opt.register_step_pre_hook(lambda o, a, k: 3)
    with pytest.raises(RuntimeError, match=r"SGD.step: a step pre-hook must return None or a tup"):
        opt.step()
    with pytest.raises(TypeError, match="register_step_post_hook: expected a function"):
        opt.register_step_post_hook(None)


def test_subclass_step_calling_super_runs_the_hooks_once():
    class MySGD(optim.SGD):
        def step(self, closure=None):
            return super().step(closure)

    p = td.tensor([1.0], requires_grad=True)
    opt = MySGD([p], lr=0.5)
    seen = []
    opt.register_step_pre_hook(lambda o, a, k: seen.append("pre"))
    opt.register_step_post_hook(lambda o, a, k: seen.append("post"))
    p.sum().backward()
    opt.step()
    assert seen == ["pre", "post"]
    np.testing.assert_allclose(p.numpy(), [0.5])


def _log_state_dict_hooks(lib, lib_optim):
    p = lib.tensor(np.array([1.0, -2.0]), requires_grad=True)
    opt = lib_optim.Adam([p], lr=0.1)
    (p**2).sum().backward()
    opt.step()
    log = []
    opt.register_state_dict_pre_hook(lambda o: log.append("pre"))
    opt.register_state_dict_pre_hook(lambda o: log.append("pre_first"), prepend=True)

    def post(o, sd):
        log.append(("post", sorted(sd)))
        sd["note"] = "kept"
        return sd

    opt.register_state_dict_post_hook(post)

    def load_pre(o, sd):
        log.append(("load_pre", sd.get("note")))
        sd = dict(sd)
        del sd["note"]
        sd["param_groups"][0]["lr"] = 0.25
        return sd

    opt.register_load_state_dict_pre_hook(load_pre)
    h = opt.register_load_state_dict_post_hook(lambda o: log.append("load_post"))
    state = opt.state_dict()
    opt.load_state_dict(state)
    h.remove()
    opt.load_state_dict(opt.state_dict())
    return log, state["note"], opt.param_groups[0]["lr"]


def test_state_dict_hooks_match_torch():
    torch = pytest.importorskip("torch")
    ours = _log_state_dict_hooks(td, optim)
    theirs = _log_state_dict_hooks(torch, torch.optim)
    assert ours == theirs
    assert ours[0][:3] == ["pre_first", "pre", ("post", ["param_groups", "state"])]
