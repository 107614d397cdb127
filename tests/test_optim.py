"""Optimisers against hand-computed updates, schedulers' values, state and exact resumption."""

from __future__ import annotations

import math

import numpy as np
import pytest

import tinygrad_ds as td
from tinygrad_ds import nn, optim
from tinygrad_ds.optim import lr_scheduler

P0 = np.array([1.0, -2.0, 0.5])
GRADS = [np.array([0.5, -1.0, 2.0]), np.array([-0.3, 0.2, 1.0]), np.array([1.5, 0.0, -0.4])]


def run(make, grads=GRADS, p0=P0):
    """Parameter values after each step, feeding the given gradients (float64)."""
    p = td.Tensor(p0.copy(), requires_grad=True)
    opt = make([p])
    values = []
    for g in grads:
        p.grad = td.Tensor(g.copy())
        opt.step()
        values.append(p.data.copy())
    return values


# Reference updates, written from the algorithms' textbook statements, one step at a time.


def ref_sgd(lr, momentum=0.0, dampening=0.0, wd=0.0, nesterov=False):
    p, buf, out = P0.copy(), None, []
    for g in GRADS:
        g = g + wd * p
        if momentum:
            buf = g.copy() if buf is None else momentum * buf + (1 - dampening) * g
            g = g + momentum * buf if nesterov else buf
        p = p - lr * g
        out.append(p)
    return out


def ref_adam(lr, b1=0.9, b2=0.999, eps=1e-8, wd=0.0, amsgrad=False, decoupled=False):
    p, m, v, vmax, out = P0.copy(), 0.0, 0.0, 0.0, []
    for t, g in enumerate(GRADS, start=1):
        if decoupled:
            p = p * (1 - lr * wd)
        else:
            g = g + wd * p
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        vmax = np.maximum(vmax, v)
        m_hat = m / (1 - b1**t)
        v_hat = (vmax if amsgrad else v) / (1 - b2**t)
        p = p - lr * m_hat / (np.sqrt(v_hat) + eps)
        out.append(p)
    return out


def ref_rmsprop(lr, alpha=0.99, eps=1e-8, wd=0.0, momentum=0.0, centered=False):
    p, s, a, buf, out = P0.copy(), 0.0, 0.0, 0.0, []
    for g in GRADS:
        g = g + wd * p
        s = alpha * s + (1 - alpha) * g * g
        a = alpha * a + (1 - alpha) * g
        denom = np.sqrt(s - a * a if centered else s) + eps
        if momentum:
            buf = momentum * buf + g / denom
            p = p - lr * buf
        else:
            p = p - lr * g / denom
        out.append(p)
    return out


def ref_adagrad(lr, lr_decay=0.0, wd=0.0, init=0.0, eps=1e-10):
    p, s, out = P0.copy(), init, []
    for t, g in enumerate(GRADS, start=1):
        g = g + wd * p
        s = s + g * g
        p = p - lr / (1 + (t - 1) * lr_decay) * g / (np.sqrt(s) + eps)
        out.append(p)
    return out


CASES = [
    # name, optimiser, reference trajectory
    ("sgd", lambda ps: optim.SGD(ps, lr=0.1), ref_sgd(0.1)),
    ("sgd_momentum", lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9), ref_sgd(0.1, 0.9)),
    ("sgd_dampening", lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9, dampening=0.5),
     ref_sgd(0.1, 0.9, 0.5)),
    ("sgd_nesterov_wd", lambda ps: optim.SGD(ps, 0.1, 0.9, weight_decay=0.1, nesterov=True),
     ref_sgd(0.1, 0.9, wd=0.1, nesterov=True)),
    ("sgd_weight_decay", lambda ps: optim.SGD(ps, lr=0.2, weight_decay=0.5), ref_sgd(0.2, wd=0.5)),
    ("adam", lambda ps: optim.Adam(ps, lr=0.01), ref_adam(0.01)),
    ("adam_betas_eps", lambda ps: optim.Adam(ps, lr=0.1, betas=(0.5, 0.6), eps=0.1),
     ref_adam(0.1, 0.5, 0.6, 0.1)),
    ("adam_l2", lambda ps: optim.Adam(ps, lr=0.01, weight_decay=0.5), ref_adam(0.01, wd=0.5)),
    ("adam_amsgrad", lambda ps: optim.Adam(ps, lr=0.1, betas=(0.5, 0.6), amsgrad=True),
     ref_adam(0.1, 0.5, 0.6, amsgrad=True)),
    ("adamw", lambda ps: optim.AdamW(ps, lr=0.01), ref_adam(0.01, wd=0.01, decoupled=True)),
    ("adamw_amsgrad", lambda ps: optim.AdamW(ps, lr=0.1, weight_decay=0.5, amsgrad=True),
     ref_adam(0.1, wd=0.5, amsgrad=True, decoupled=True)),
    ("rmsprop", lambda ps: optim.RMSprop(ps, lr=0.01), ref_rmsprop(0.01)),
    ("rmsprop_momentum", lambda ps: optim.RMSprop(ps, lr=0.01, momentum=0.9),
     ref_rmsprop(0.01, momentum=0.9)),
    ("rmsprop_centered", lambda ps: optim.RMSprop(ps, lr=0.01, alpha=0.9, centered=True),
     ref_rmsprop(0.01, alpha=0.9, centered=True)),
    ("rmsprop_all", lambda ps: optim.RMSprop(ps, 0.01, 0.8, 1e-3, 0.1, 0.5, True),
     ref_rmsprop(0.01, 0.8, 1e-3, 0.1, 0.5, True)),
    ("adagrad", lambda ps: optim.Adagrad(ps, lr=0.1), ref_adagrad(0.1)),
    ("adagrad_all", lambda ps: optim.Adagrad(ps, 0.1, lr_decay=0.5, weight_decay=0.1,
                                             initial_accumulator_value=0.2),
     ref_adagrad(0.1, 0.5, 0.1, 0.2)),
]  # fmt: skip


@pytest.mark.parametrize("name, make, expected", CASES, ids=[c[0] for c in CASES])
def test_first_steps_match_the_hand_computed_updates(name, make, expected):
    for got, want in zip(run(make), expected):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)


ZERO_D = [
    ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.1)),
    ("Adam", dict(lr=0.1, amsgrad=True)),
    ("AdamW", dict(lr=0.1)),
    ("RMSprop", dict(lr=0.01, momentum=0.9, centered=True)),
    ("Adagrad", dict(lr=0.1)),
    ("NAdam", dict(lr=0.1)),
    ("RAdam", dict(lr=0.1)),
    ("Adamax", dict(lr=0.1)),
    ("Adadelta", {}),
    ("Rprop", {}),
    ("ASGD", {}),
]


@pytest.mark.parametrize("name, kwargs", ZERO_D, ids=[n for n, _ in ZERO_D])
def test_a_0d_parameter_steps_as_a_one_element_vector(name, kwargs):
    # (Adam, RMSprop and Adagrad failed here: NumPy gives a scalar, no array, for 0-d math)
    grads = [g[:1] for g in GRADS]
    vector = run(lambda ps: getattr(optim, name)(ps, **kwargs), grads, P0[:1])
    scalar = run(lambda ps: getattr(optim, name)(ps, **kwargs), [g[0] for g in grads], P0[0])
    assert all(s.shape == () for s in scalar)
    np.testing.assert_array_equal(np.reshape(scalar, -1), np.reshape(vector, -1))


def test_first_steps_in_closed_form():
    g = GRADS[0]
    # Adam's first step moves each coordinate by lr * g / (|g| + eps): about lr, against g.
    (p1,) = run(lambda ps: optim.Adam(ps, lr=0.01), [g])
    np.testing.assert_allclose(p1, P0 - 0.01 * g / (np.abs(g) + 1e-8), rtol=1e-14)
    # Momentum's buffer starts at the first gradient: two steps give p - lr g1 - lr (mu g1 + g2).
    _, p2 = run(lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9), GRADS[:2])
    np.testing.assert_allclose(p2, P0 - 0.1 * g - 0.1 * (0.9 * g + GRADS[1]), rtol=1e-14)
    # Nesterov's first step: p - lr (g + mu g).
    (p1,) = run(lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9, nesterov=True), [g])
    np.testing.assert_allclose(p1, P0 - 0.1 * 1.9 * g, rtol=1e-14)
    # AdamW's decoupled decay shrinks p by (1 - lr wd) even with a zero gradient.
    (p1,) = run(lambda ps: optim.AdamW(ps, lr=0.1, weight_decay=0.5), [np.zeros(3)])
    np.testing.assert_allclose(p1, P0 * (1 - 0.05), rtol=1e-14)
    # Adam's L2 weight decay with a zero gradient: g = wd p, so the first step is ~lr sign(p).
    (p1,) = run(lambda ps: optim.Adam(ps, lr=0.1, weight_decay=0.5), [np.zeros(3)])
    np.testing.assert_allclose(p1, P0 - 0.1 * np.sign(P0), rtol=1e-7)
    # RMSprop's first step: s = (1 - alpha) g^2, so p - lr g / (sqrt(1 - alpha) |g| + eps).
    (p1,) = run(lambda ps: optim.RMSprop(ps, lr=0.01), [g])
    np.testing.assert_allclose(p1, P0 - 0.01 * g / (math.sqrt(0.01) * np.abs(g) + 1e-8))
    # Adagrad's first step: p - lr g / (|g| + eps).
    (p1,) = run(lambda ps: optim.Adagrad(ps, lr=0.1), [g])
    np.testing.assert_allclose(p1, P0 - 0.1 * g / (np.abs(g) + 1e-10), rtol=1e-14)


def test_maximize_climbs():
    up = run(lambda ps: optim.SGD(ps, lr=0.1, maximize=True))
    down = run(lambda ps: optim.SGD(ps, lr=0.1), [-g for g in GRADS])
    np.testing.assert_allclose(up, down)


def test_step_updates_in_place_in_float32_and_skips_params_without_grad():
    lin = nn.Linear(3, 2)
    w, b = lin.weight, lin.bias
    w0, b0 = w.data.copy(), b.data.copy()
    data = w.data
    opt = optim.Adam(lin.parameters(), lr=0.1)
    lin(td.Tensor.randn(4, 3)).sum().backward()
    b.grad = None
    opt.step()
    assert w.data is data and w.dtype == np.float32  # the same memory, the same dtype
    assert not np.array_equal(w.data, w0) and np.array_equal(b.data, b0)
    assert b not in opt.state and opt.state[w]["step"] == 1
    opt.zero_grad()
    assert w.grad is None


def test_plain_sgd_updates_in_place_and_keeps_no_state_as_pytorch():
    # p <- p - lr g; a float64 gradient updates a float32 parameter in its own dtype; the
    # version counter moves (a saved copy of p is then stale); no state, as PyTorch's SGD
    # without momentum (a group with momentum keeps its buffer).
    p = td.Tensor(np.array([1.0, -2.0], np.float32), requires_grad=True)
    q = td.Tensor([1.0], requires_grad=True)
    opt = optim.SGD([{"params": [p]}, {"params": [q], "momentum": 0.9}], lr=0.5)
    data, version = p.data, p._version[0]
    p.grad = td.Tensor(np.array([2.0, 4.0]))  # float64
    q.grad = td.Tensor([1.0])
    opt.step()
    assert p.data is data and p.dtype == np.float32 and p._version[0] == version + 1
    np.testing.assert_array_equal(p.data, np.float32([0.0, -4.0]))
    assert p not in opt.state and opt.state[q]["momentum_buffer"] is not None
    assert sorted(opt.state_dict()["state"]) == [1]


def test_plain_sgd_on_a_read_only_parameter_is_add_s_error():
    p = td.Tensor(np.ones(2, np.float32), requires_grad=True)
    p.data.flags.writeable = False
    p.grad = td.ones(2)
    with pytest.raises(ValueError, match=r"add_: .*read-only"):
        optim.SGD([p], lr=0.1).step()


def test_zero_grad_to_zeros():
    p = td.Tensor([1.0, 2.0], requires_grad=True)
    opt = optim.SGD([p], lr=0.1)
    p.grad = td.Tensor([3.0, 4.0])
    opt.zero_grad(set_to_none=False)
    np.testing.assert_array_equal(p.grad.data, 0)


def test_param_groups_have_their_own_options():
    a, b = td.Tensor([1.0], requires_grad=True), td.Tensor([1.0], requires_grad=True)
    opt = optim.SGD([{"params": [a]}, {"params": b, "lr": 0.5, "momentum": 0.9}], lr=0.1)
    assert opt.param_groups[0]["lr"] == 0.1 and opt.param_groups[1]["momentum"] == 0.9
    a.grad, b.grad = td.Tensor([1.0]), td.Tensor([1.0])
    opt.step()
    assert a.item() == pytest.approx(0.9) and b.item() == pytest.approx(0.5)
    c = td.Tensor([0.0], requires_grad=True)
    opt.add_param_group({"params": [c], "lr": 1.0})
    assert len(opt.param_groups) == 3 and opt.param_groups[2]["momentum"] == 0.0
    assert "Parameter Group 1" in repr(opt) and "lr: 0.5" in repr(opt)


def test_closure_is_called_with_gradients():
    p = td.Tensor([3.0], requires_grad=True)
    opt = optim.SGD([p], lr=0.25)

    def closure():
        opt.zero_grad()
        loss = (p * p).sum()
        loss.backward()
        return loss

    with td.no_grad():
        loss = opt.step(closure)
    assert loss.item() == 9.0 and p.item() == pytest.approx(3.0 - 0.25 * 6.0)


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda p: optim.SGD(p, lr=-1.0), "invalid learning rate"),
        (lambda p: optim.SGD(p, lr=0.1, nesterov=True), "Nesterov"),
        (lambda p: optim.SGD(p, lr=0.1, momentum=0.9, dampening=0.1, nesterov=True), "Nesterov"),
        (lambda p: optim.SGD(p, lr=0.1, momentum=-0.5), "momentum"),
        (lambda p: optim.Adam(p, betas=(1.0, 0.9)), "invalid betas"),
        (lambda p: optim.AdamW(p, weight_decay=-1.0), "weight_decay"),
        (lambda p: optim.Adagrad(p, lr_decay=-1.0), "lr_decay"),
        (lambda p: optim.SGD([], lr=0.1), "empty parameter list"),
        (lambda p: optim.SGD(p[0], lr=0.1), "not one Tensor"),
        (lambda p: optim.SGD(p + p, lr=0.1), "same parameter twice"),
        (lambda p: optim.SGD([p[0] * 2], lr=0.1), "non-leaf"),
    ],
)
def test_invalid_options_are_errors(make, message):
    with pytest.raises((ValueError, TypeError), match=message):
        make([td.Tensor([1.0], requires_grad=True)])


# ---------------------------------------------------------------------------------------------
# state_dict and resuming
# ---------------------------------------------------------------------------------------------


def _model():
    td.manual_seed(5)
    return nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 3))


X = np.random.default_rng(2).standard_normal((32, 4)).astype(np.float32)
Y = np.random.default_rng(3).integers(0, 3, 32)


def _train(model, opt, steps, sched=None):
    for i in range(steps):
        rows = slice(8 * (i % 4), 8 * (i % 4) + 8)
        opt.zero_grad()
        nn.functional.cross_entropy(model(td.Tensor(X[rows])), Y[rows]).backward()
        opt.step()
        if sched is not None:
            sched.step()


OPTIMISERS = [
    lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9, nesterov=True, weight_decay=1e-3),
    lambda ps: optim.Adam(ps, lr=0.01, amsgrad=True),
    lambda ps: optim.AdamW(ps, lr=0.01),
    lambda ps: optim.RMSprop(ps, lr=0.01, momentum=0.5, centered=True),
    lambda ps: optim.Adagrad(ps, lr=0.1, lr_decay=0.01),
]


@pytest.mark.parametrize("make", OPTIMISERS, ids=["sgd", "adam", "adamw", "rmsprop", "adagrad"])
def test_resuming_from_a_checkpoint_is_bit_exact(make, tmp_path):
    model = _model()
    opt = make(model.parameters())
    sched = lr_scheduler.StepLR(opt, step_size=3, gamma=0.5)
    _train(model, opt, 5, sched)
    path = tmp_path / "checkpoint.npz"
    td.save(
        {"model": model.state_dict(), "optim": opt.state_dict(), "sched": sched.state_dict()}, path
    )
    _train(model, opt, 6, sched)  # the uninterrupted run

    resumed = _model()
    opt2 = make(resumed.parameters())
    sched2 = lr_scheduler.StepLR(opt2, step_size=3, gamma=0.5)
    checkpoint = td.load(path)
    resumed.load_state_dict(checkpoint["model"])
    opt2.load_state_dict(checkpoint["optim"])
    sched2.load_state_dict(checkpoint["sched"])
    _train(resumed, opt2, 6, sched2)
    for (name, a), (_, b) in zip(model.state_dict().items(), resumed.state_dict().items()):
        np.testing.assert_array_equal(a.data, b.data, err_msg=name)
    assert opt2.param_groups[0]["lr"] == opt.param_groups[0]["lr"]


def test_state_dict_layout_is_pytorchs():
    model = _model()
    opt = optim.Adam([{"params": model[0].parameters()}, {"params": model[2].parameters()}])
    _train(model, opt, 1)
    sd = opt.state_dict()
    assert [g["params"] for g in sd["param_groups"]] == [[0, 1], [2, 3]]
    assert sorted(sd["state"]) == [0, 1, 2, 3]
    assert sorted(sd["state"][0]) == ["exp_avg", "exp_avg_sq", "step"]
    assert sd["state"][0]["step"] == 1 and sd["param_groups"][1]["betas"] == (0.9, 0.999)


def test_load_state_dict_errors_change_nothing():
    model = _model()
    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    _train(model, opt, 2)
    before = {i: s["momentum_buffer"].data.copy() for i, s in opt.state_dict()["state"].items()}
    other = optim.SGD(nn.Linear(2, 2).parameters(), lr=0.5)
    with pytest.raises(ValueError, match="group 0 has 2 parameter"):
        opt.load_state_dict(other.state_dict())
    bad = opt.state_dict()
    bad["param_groups"][0]["lr"] = 7.0
    bad["state"][3] = {"momentum_buffer": np.zeros(5)}
    with pytest.raises(ValueError, match="shape"):
        opt.load_state_dict(bad)
    assert opt.param_groups[0]["lr"] == 0.1
    for i, s in opt.state_dict()["state"].items():
        np.testing.assert_array_equal(s["momentum_buffer"].data, before[i])


def test_loaded_state_is_a_copy_in_the_parameter_dtype():
    p = td.Tensor([1.0, 2.0], requires_grad=True)
    opt = optim.Adam([p])
    saved = {"step": 4, "exp_avg": np.array([0.1, 0.2]), "exp_avg_sq": np.array([0.3, 0.4])}
    opt.load_state_dict(
        {"state": {0: saved}, "param_groups": [opt.state_dict()["param_groups"][0]]}
    )
    assert opt.state[p]["exp_avg"].dtype == np.float32 and opt.state[p]["step"] == 4
    opt.state[p]["exp_avg"].data[0] = 9.0
    assert saved["exp_avg"][0] == 0.1


# ---------------------------------------------------------------------------------------------
# schedulers
# ---------------------------------------------------------------------------------------------


def _lrs(make_sched, epochs=12, lrs=(0.1, 1.0)):
    params = [td.Tensor([0.0], requires_grad=True) for _ in lrs]
    opt = optim.SGD([{"params": [p], "lr": lr} for p, lr in zip(params, lrs)])
    sched = make_sched(opt)
    values = [sched.get_last_lr()]
    for _ in range(epochs):
        opt.step()
        sched.step()
        values.append(sched.get_last_lr())
        assert values[-1] == [g["lr"] for g in opt.param_groups]
    return np.array(values)


@pytest.mark.parametrize(
    "make, formula",
    [
        (lambda o: lr_scheduler.StepLR(o, step_size=3), lambda b, e: b * 0.1 ** (e // 3)),
        (lambda o: lr_scheduler.StepLR(o, 4, gamma=0.5), lambda b, e: b * 0.5 ** (e // 4)),
        (lambda o: optim.ExponentialLR(o, gamma=0.9), lambda b, e: b * 0.9**e),
        (
            lambda o: optim.CosineAnnealingLR(o, T_max=5, eta_min=0.01),
            lambda b, e: 0.01 + (b - 0.01) * (1 + math.cos(math.pi * e / 5)) / 2,
        ),
        (lambda o: optim.LambdaLR(o, lambda e: 1 / (1 + e)), lambda b, e: b / (1 + e)),
    ],
    ids=["step", "step_gamma", "exponential", "cosine", "lambda"],
)
def test_scheduler_values(make, formula):
    got = _lrs(make)
    expected = [[formula(b, e) for b in (0.1, 1.0)] for e in range(13)]
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-15)


def test_cosine_annealing_goes_back_up_after_t_max_as_pytorch():
    got = _lrs(lambda o: optim.CosineAnnealingLR(o, T_max=3), epochs=6, lrs=(1.0,))[:, 0]
    np.testing.assert_allclose(got, [1.0, 0.75, 0.25, 0.0, 0.25, 0.75, 1.0], atol=1e-12)


def test_lambda_lr_per_group_and_state_dict():
    got = _lrs(lambda o: optim.LambdaLR(o, [lambda e: 1.0, lambda e: 0.5**e]), epochs=3)
    np.testing.assert_allclose(got, [[0.1, 1.0], [0.1, 0.5], [0.1, 0.25], [0.1, 0.125]])
    opt = optim.SGD([td.Tensor([0.0], requires_grad=True)], lr=1.0)
    sched = optim.LambdaLR(opt, lambda e: 0.5**e)
    sched.step()
    state = sched.state_dict()
    assert "lr_lambdas" not in state and state["last_epoch"] == 1
    with pytest.raises(ValueError, match="expected 1 lr_lambdas"):
        optim.LambdaLR(opt, [lambda e: 1.0, lambda e: 1.0])


def test_scheduler_errors():
    opt = optim.SGD([td.Tensor([0.0], requires_grad=True)], lr=1.0)
    with pytest.raises(TypeError, match="not an Optimizer"):
        lr_scheduler.StepLR(object(), 2)
    with pytest.raises(ValueError, match="step_size"):
        lr_scheduler.StepLR(opt, 0)
    with pytest.raises(KeyError, match="initial_lr"):
        lr_scheduler.ExponentialLR(opt, 0.9, last_epoch=3)
