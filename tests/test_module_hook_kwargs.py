"""Module forward hooks' keyword options, as PyTorch's: register_forward_pre_hook(prepend=,
with_kwargs=) and register_forward_hook(prepend=, with_kwargs=, always_call=): what each hook
sees, return values replacing args/kwargs/output, order, exceptions, removal, and PyTorch."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import tinygrad_ds as td
from tinygrad_ds import nn


class Scale(nn.Module):
    """forward(x, scale=1.0, fail=False) = x * w * scale (raises with fail=True)."""

    def __init__(self):
        super().__init__()
        self.w = nn.Parameter(td.Tensor(np.array([2.0, 3.0])))

    def forward(self, x, scale=1.0, fail=False):
        if fail:
            raise ValueError("forward failed")
        return x * self.w * scale


def x2():
    return td.Tensor(np.array([1.0, -1.0]))


# -- forward pre-hooks ------------------------------------------------------------------------


def test_pre_hook_with_kwargs_sees_and_replaces_args_and_kwargs():
    m, seen = Scale(), []

    def hook(module, args, kwargs):
        seen.append((module, len(args), dict(kwargs)))
        return (args[0] * 10,), {**kwargs, "scale": 0.5}

    m.register_forward_pre_hook(hook, with_kwargs=True)
    out = m(x2(), scale=3.0)
    assert seen == [(m, 1, {"scale": 3.0})]
    np.testing.assert_allclose(out.data, [10.0, -15.0])  # 10 x * w * 0.5
    out = m(x2())  # no kwargs given: the hook sees an empty dict
    assert seen[-1][2] == {}
    # None keeps args and kwargs
    m2 = Scale()
    m2.register_forward_pre_hook(lambda mod, a, k: None, with_kwargs=True)
    np.testing.assert_allclose(m2(x2(), scale=2.0).data, [4.0, -6.0])


def test_pre_hook_with_kwargs_must_return_a_pair():
    m = Scale()
    m.register_forward_pre_hook(lambda mod, a, k: a, with_kwargs=True)  # a 1-tuple
    with pytest.raises(RuntimeError, match=r"Scale: forward pre-hook must return None or a "
                       r"tuple of \(new_args, new_kwargs\), but got"):  # fmt: skip
        m(x2())
    m = Scale()
    m.register_forward_pre_hook(lambda mod, a, k: [a, k], with_kwargs=True)
    with pytest.raises(RuntimeError, match="must return None or a tuple"):
        m(x2())


def test_pre_hook_replacing_kwargs_is_differentiated_through():
    m = Scale()
    s = td.Tensor(np.array(0.5), requires_grad=True)
    m.register_forward_pre_hook(lambda mod, a, k: (a, {"scale": s * 4}), with_kwargs=True)
    x = td.Tensor(np.array([1.0, 2.0]), requires_grad=True)
    m(x).sum().backward()
    np.testing.assert_allclose(x.grad.data, [4.0, 6.0])  # w * (4 s)
    np.testing.assert_allclose(s.grad.data, 4 * (2.0 + 6.0))  # 4 <x, w>
    np.testing.assert_allclose(m.w.grad.data, [2.0, 4.0])


def test_prepend_orders_pre_hooks_and_hooks():
    m, order = Scale(), []
    m.register_forward_pre_hook(lambda mod, a: order.append("pre1"))
    m.register_forward_pre_hook(lambda mod, a, k: order.append("pre0"), prepend=True,
                                with_kwargs=True)  # fmt: skip
    m.register_forward_pre_hook(lambda mod, a: order.append("pre2"))
    m.register_forward_hook(lambda mod, a, o: order.append("hook1"))
    m.register_forward_hook(lambda mod, a, o: order.append("hook0"), prepend=True)
    m.register_forward_hook(lambda mod, a, k, o: order.append("hook2"), with_kwargs=True)
    m.register_forward_hook(lambda mod, a, o: order.append("hook_first"), prepend=True,
                            always_call=True)  # fmt: skip
    m(x2())
    assert order == ["pre0", "pre1", "pre2", "hook_first", "hook0", "hook1", "hook2"]


# -- forward hooks ------------------------------------------------------------------------------


def test_forward_hook_with_kwargs_sees_kwargs_and_replaces_output():
    m, seen = Scale(), []

    def hook(module, args, kwargs, output):
        seen.append((args[0].data.tolist(), dict(kwargs), output.data.tolist()))
        return output + 1

    m.register_forward_hook(hook, with_kwargs=True)
    m.register_forward_hook(lambda mod, a, o: o * 2)  # sees the replaced output
    out = m(x2(), scale=2.0)
    assert seen == [([1.0, -1.0], {"scale": 2.0}, [4.0, -6.0])]
    np.testing.assert_allclose(out.data, [10.0, -10.0])
    # kwargs as replaced by a pre-hook
    m.register_forward_pre_hook(lambda mod, a, k: (a, {"scale": 1.0}), with_kwargs=True)
    m(x2(), scale=5.0)
    assert seen[-1][1] == {"scale": 1.0}


def test_always_call_runs_when_forward_raises_then_reraises():
    m, seen = Scale(), []
    m.register_forward_hook(lambda mod, a, o: seen.append(("plain", o)))
    m.register_forward_hook(lambda mod, a, o: seen.append(("always", o)), always_call=True)
    m.register_forward_hook(lambda mod, a, k, o: seen.append(("always_kw", dict(k), o)),
                            with_kwargs=True, always_call=True)  # fmt: skip
    with pytest.raises(ValueError, match="forward failed"):
        m(x2(), fail=True)
    assert seen == [("always", None), ("always_kw", {"fail": True}, None)]
    seen.clear()
    out = m(x2())  # no error: each hook runs once, in order
    assert [s[0] for s in seen] == ["plain", "always", "always_kw"] and seen[1][1] is out


def test_always_call_after_a_hook_or_pre_hook_raises():
    m, seen = Scale(), []

    def boom(mod, a, o):
        raise KeyError("hook failed")

    m.register_forward_hook(lambda mod, a, o: seen.append(("early", o is not None)),
                            always_call=True)  # fmt: skip
    m.register_forward_hook(boom)
    m.register_forward_hook(lambda mod, a, o: seen.append(("late", o is not None)),
                            always_call=True)  # fmt: skip
    with pytest.raises(KeyError, match="hook failed"):
        m(x2())
    # the early hook already ran (not again); the late one runs with forward's output
    assert seen == [("early", True), ("late", True)]
    p = Scale()
    hits = []
    p.register_forward_pre_hook(lambda mod, a: 1 / 0)
    p.register_forward_hook(lambda mod, a, o: hits.append(o), always_call=True)
    with pytest.raises(ZeroDivisionError):
        p(x2())
    assert hits == [None]


def test_an_always_call_hook_that_raises_in_the_error_path_warns():
    m = Scale()

    def bad(mod, a, o):
        raise RuntimeError("secondary")

    m.register_forward_hook(bad, always_call=True)
    with pytest.warns(UserWarning, match="always_call=True.*raised an exception that was "
                      "silenced as another error was raised in forward: secondary"):  # fmt: skip
        with pytest.raises(ValueError, match="forward failed"):
            m(x2(), fail=True)
    with pytest.raises(RuntimeError, match="secondary"):  # without a forward error: raised
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            m(x2())


# -- handles and registration ----------------------------------------------------------------------


def test_removal_handles_of_flagged_hooks():
    m, calls = Scale(), []
    h1 = m.register_forward_pre_hook(lambda mod, a, k: calls.append("pre"), with_kwargs=True)
    h2 = m.register_forward_hook(lambda mod, a, k, o: calls.append("kw"), with_kwargs=True)
    h3 = m.register_forward_hook(lambda mod, a, o: calls.append("always"), always_call=True)
    m(x2())
    assert calls == ["pre", "kw", "always"]
    for h in (h1, h2, h3):
        h.remove()
        h.remove()  # twice: harmless
    calls.clear()
    with pytest.raises(ValueError):
        m(x2(), fail=True)
    np.testing.assert_allclose(m(x2()).data, [2.0, -3.0])
    assert calls == [] and not m._forward_hooks and not m._forward_pre_hooks
    # removing one of two registrations of the same function leaves the other
    f = lambda mod, a, o: calls.append("f")  # noqa: E731
    ha = m.register_forward_hook(f, always_call=True)
    m.register_forward_hook(f)
    ha.remove()
    m(x2())
    assert calls == ["f"]


def test_registration_errors_and_keyword_only_options():
    m = Scale()
    with pytest.raises(TypeError, match="register_forward_hook: expected a function, got int"):
        m.register_forward_hook(3, always_call=True)
    with pytest.raises(TypeError, match="register_forward_pre_hook: expected a function"):
        m.register_forward_pre_hook("f", with_kwargs=True)
    with pytest.raises(TypeError):
        m.register_forward_hook(lambda *a: None, True)  # prepend is keyword-only
    with pytest.raises(TypeError):
        m.register_forward_pre_hook(lambda *a: None, True)


def test_hooks_with_kwargs_and_backward_hooks_together():
    m, grads = Scale(), []
    m.register_full_backward_hook(lambda mod, gi, go: grads.append((gi[0].data, go[0].data)))
    m.register_forward_pre_hook(lambda mod, a, k: (a, {"scale": 2.0}), with_kwargs=True)
    m.register_forward_hook(lambda mod, a, k, o: o * 3, with_kwargs=True)
    x = td.Tensor(np.array([1.0, 1.0]), requires_grad=True)
    m(x).sum().backward()
    np.testing.assert_allclose(x.grad.data, [12.0, 18.0])  # 3 * 2 * w
    (gi, go) = grads[0]
    np.testing.assert_allclose(go, [1.0, 1.0])  # the gradient of the hooked output
    np.testing.assert_allclose(gi, [12.0, 18.0])


# -- against PyTorch ----------------------------------------------------------------------------


def _script(mod_cls, tensor, events):
    """The same hooks on a module of either framework; returns (outputs, events)."""
    m = mod_cls()

    def pre_kw(mod, args, kwargs):
        events.append(("pre_kw", sorted(kwargs)))
        return (args[0] * 2,), {**kwargs, "scale": kwargs.get("scale", 1.0) + 1}

    m.register_forward_pre_hook(lambda mod, a: events.append(("pre", len(a))))
    m.register_forward_pre_hook(pre_kw, with_kwargs=True, prepend=True)
    m.register_forward_hook(lambda mod, a, k, o: o - 1, with_kwargs=True)
    h = m.register_forward_hook(lambda mod, a, o: events.append(("removed",)), prepend=True)
    m.register_forward_hook(lambda mod, a, o: events.append(("always", o is None)),
                            always_call=True, prepend=True)  # fmt: skip
    h.remove()
    outs = [m(tensor([1.0, -2.0]), scale=3.0), m(tensor([0.5, 0.5]))]
    try:
        m(tensor([1.0, 1.0]), fail=True)
    except ValueError:
        events.append(("raised",))
    return [o.detach().numpy() if hasattr(o, "numpy") else o.data for o in outs], events


def test_against_pytorch():
    torch = pytest.importorskip("torch")

    class TorchScale(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.w = torch.nn.Parameter(torch.tensor([2.0, 3.0], dtype=torch.float64))

        def forward(self, x, scale=1.0, fail=False):
            if fail:
                raise ValueError("forward failed")
            return x * self.w * scale

    ours, ours_events = _script(Scale, lambda v: td.Tensor(np.array(v)), [])
    theirs, their_events = _script(TorchScale, lambda v: torch.tensor(v, dtype=torch.float64), [])
    assert ours_events == their_events
    assert ("always", True) in ours_events and ours_events[-1] == ("raised",)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b)
    # the pre-hook's bad return value: the same message
    tm = TorchScale()
    tm.register_forward_pre_hook(lambda mod, a, k: a, with_kwargs=True)
    with pytest.raises(RuntimeError) as theirs_error:
        tm(torch.ones(2, dtype=torch.float64))
    m = Scale()
    m.register_forward_pre_hook(lambda mod, a, k: a, with_kwargs=True)
    with pytest.raises(RuntimeError) as ours_error:
        m(x2())
    assert str(theirs_error.value).split(", but got")[0] in str(ours_error.value)
