"""Every optimiser takes PyTorch's arguments, in its order and kinds, with its defaults;
PyTorch's kernel choices (foreach, fused, capturable) are accepted and change nothing."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

import tinygrad_ds as td

NAMES = ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "Adamax", "NAdam", "RAdam",
         "ASGD", "Rprop", "LBFGS", "Adafactor"]  # fmt: skip


@pytest.mark.parametrize("name", NAMES)
def test_signature_is_pytorchs(name):
    torch = pytest.importorskip("torch")

    def described(cls):
        params = list(inspect.signature(cls.__init__).parameters.values())[1:]
        return [(p.name, p.kind, p.default) for p in params]

    assert described(getattr(td.optim, name)) == described(getattr(torch.optim, name))


def _trajectory(make, steps=3):
    w = td.tensor([0.5, -1.5, 2.0], dtype=td.float64, requires_grad=True)
    opt = make([w])
    for _ in range(steps):
        opt.zero_grad()
        ((w * w).sum() + w.sum()).backward()
        opt.step()
    return w.data.copy(), opt


@pytest.mark.parametrize(
    "name, flags",
    [
        ("SGD", dict(foreach=True)), ("SGD", dict(fused=True)), ("Adam", dict(fused=True)),
        ("Adam", dict(foreach=False, capturable=True)), ("AdamW", dict(fused=False)),
        ("RMSprop", dict(foreach=True, capturable=True)), ("Adagrad", dict(fused=True)),
        ("Adadelta", dict(foreach=True)), ("Adamax", dict(capturable=True)),
        ("NAdam", dict(foreach=True)), ("RAdam", dict(capturable=True)),
        ("ASGD", dict(foreach=True)), ("Rprop", dict(foreach=True)),
    ],
)  # fmt: skip
def test_kernel_choices_change_nothing(name, flags):
    cls = getattr(td.optim, name)
    plain, _ = _trajectory(lambda ps: cls(ps, lr=0.1))
    flagged, opt = _trajectory(lambda ps: cls(ps, lr=0.1, **flags))
    np.testing.assert_array_equal(flagged, plain)
    assert all(opt.param_groups[0][k] == v for k, v in flags.items())  # kept, as PyTorch keeps


def test_adam_with_decoupled_weight_decay_is_adamw():
    adam, opt = _trajectory(lambda ps: td.optim.Adam(ps, lr=0.1, weight_decay=0.1,
                                                     decoupled_weight_decay=True))  # fmt: skip
    adamw, optw = _trajectory(lambda ps: td.optim.AdamW(ps, lr=0.1, weight_decay=0.1))
    np.testing.assert_array_equal(adam, adamw)
    l2, _ = _trajectory(lambda ps: td.optim.Adam(ps, lr=0.1, weight_decay=0.1))
    assert not np.allclose(l2, adamw)
    assert optw.param_groups[0]["decoupled_weight_decay"] is True  # as PyTorch's AdamW


def test_adam_decoupled_matches_pytorch():
    torch = pytest.importorskip("torch")
    ours, _ = _trajectory(lambda ps: td.optim.Adam(ps, lr=0.1, weight_decay=0.3,
                                                   decoupled_weight_decay=True))  # fmt: skip
    w = torch.tensor([0.5, -1.5, 2.0], dtype=torch.float64, requires_grad=True)
    opt = torch.optim.Adam([w], lr=0.1, weight_decay=0.3, decoupled_weight_decay=True)
    for _ in range(3):
        opt.zero_grad()
        ((w * w).sum() + w.sum()).backward()
        opt.step()
    np.testing.assert_allclose(ours, w.detach().numpy(), rtol=1e-12)


@pytest.mark.parametrize(
    "make, error, match",
    [
        (lambda ps: td.optim.SGD(ps, lr=0.1, foreach=True, fused=True), RuntimeError,
         r"SGD: `fused` and `foreach` cannot be `True` together"),
        (lambda ps: td.optim.Adam(ps, differentiable=True), ValueError,
         r"Adam: differentiable=True \(a step that autograd records\) is not supported"),
        (lambda ps: td.optim.Adam(ps, fused="yes"), TypeError,
         r"Adam: fused must be None or a bool, got 'yes'"),
        (lambda ps: td.optim.RMSprop(ps, capturable=None), TypeError,
         r"RMSprop: capturable must be a bool, got None"),
    ],
)  # fmt: skip
def test_bad_kernel_choices(make, error, match):
    with pytest.raises(error, match=match):
        make([td.ones(2, requires_grad=True)])
