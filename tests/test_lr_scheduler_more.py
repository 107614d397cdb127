"""The schedulers beyond StepLR/ExponentialLR/CosineAnnealingLR/LambdaLR: rates against closed
forms over many steps, errors by message, state_dict round trips, and the whole sequence of
rates (and momentums) against PyTorch's when it is installed."""

from __future__ import annotations

import math

import numpy as np
import pytest

import tinygrad_ds as td
from tinygrad_ds import optim
from tinygrad_ds.optim import lr_scheduler as ls

LRS = (0.1, 1.0)


def _opt(kind="sgd", lrs=LRS, module=optim, tensor=None):
    """An optimiser with one parameter group per rate (SGD with momentum, or Adam)."""
    make = tensor or (lambda: td.Tensor([0.0], requires_grad=True))
    groups = [{"params": [make()], "lr": lr} for lr in lrs]
    if kind == "adam":
        return module.Adam(groups)
    return module.SGD(groups, momentum=0.9)


def _run(opt, sched, steps, metrics=None):
    """[rates, momentums] after construction and after each of `steps` steps."""
    rates, moms = [sched.get_last_lr()], [_momentum(opt)]
    for i in range(steps):
        opt.step()
        sched.step(metrics[i]) if metrics is not None else sched.step()
        rates.append(sched.get_last_lr())
        moms.append(_momentum(opt))
        assert rates[-1] == [g["lr"] for g in opt.param_groups]
    return np.array(rates), np.array(moms)


def _momentum(opt):
    return [g["betas"][0] if "betas" in g else g["momentum"] for g in opt.param_groups]


def lrs_of(make, steps=40, kind="sgd", metrics=None, lrs=LRS):
    opt = _opt(kind, lrs)
    return _run(opt, make(ls, opt), steps, metrics)


# ---------------------------------------------------------------------------------------------
# closed forms
# ---------------------------------------------------------------------------------------------


def cos_anneal(b, lo, t, T):
    return lo + (b - lo) * (1 + math.cos(math.pi * t / T)) / 2


def sgdr(b, e, T0, mult, lo=0.0):
    T = T0
    while e >= T:
        e, T = e - T, T * mult
    return cos_anneal(b, lo, e, T)


def triangle(e, up, down):
    """The height of the triangle wave (0 at the base, 1 at the peak) at step e."""
    x = e % (up + down)
    return x / up if x <= up else 1 - (x - up) / down


def one_cycle(b_max, e, n, pct=0.3, div=25.0, final=1e4):
    """Two-phase 1cycle with cosine annealing: up to the peak at step pct n - 1, then down."""
    start, peak = b_max / div, pct * n - 1
    low = start / final
    if e <= peak:
        return start + (b_max - start) * (1 - math.cos(math.pi * e / peak)) / 2
    return cos_anneal(b_max, low, e - peak, n - 1 - peak)


CLOSED = [
    # name, scheduler, lr(base, epoch)
    ("multistep", lambda m, o: m.MultiStepLR(o, [3, 7, 7, 20], gamma=0.5),
     lambda b, e: b * 0.5 ** sum(e >= k for k in (3, 7, 7, 20))),
    ("constant", lambda m, o: m.ConstantLR(o, factor=0.25, total_iters=6),
     lambda b, e: b * (0.25 if e < 6 else 1.0)),
    ("constant_default", lambda m, o: m.ConstantLR(o),
     lambda b, e: b * (1 / 3 if e < 5 else 1.0)),
    ("linear", lambda m, o: m.LinearLR(o, start_factor=0.1, end_factor=0.9, total_iters=10),
     lambda b, e: b * (0.1 + 0.8 * min(e, 10) / 10)),
    ("linear_default", lambda m, o: m.LinearLR(o),
     lambda b, e: b * (1 / 3 + 2 / 3 * min(e, 5) / 5)),
    ("linear_down", lambda m, o: m.LinearLR(o, 1.0, 0.0, total_iters=8),
     lambda b, e: b * (1 - min(e, 8) / 8)),
    ("multiplicative", lambda m, o: m.MultiplicativeLR(o, lambda e: 0.95),
     lambda b, e: b * 0.95**e),
    ("polynomial", lambda m, o: m.PolynomialLR(o, total_iters=12, power=2.0),
     lambda b, e: b * (1 - min(e, 12) / 12) ** 2),
    ("polynomial_default", lambda m, o: m.PolynomialLR(o), lambda b, e: b * (1 - min(e, 5) / 5)),
    ("warm_restarts", lambda m, o: m.CosineAnnealingWarmRestarts(o, T_0=5),
     lambda b, e: sgdr(b, e, 5, 1)),
    ("warm_restarts_mult", lambda m, o: m.CosineAnnealingWarmRestarts(o, 3, T_mult=2, eta_min=0.01),
     lambda b, e: sgdr(b, e, 3, 2, 0.01)),
    ("cyclic_triangular", lambda m, o: m.CyclicLR(o, 0.01, 0.5, step_size_up=4),
     lambda b, e: 0.01 + 0.49 * triangle(e, 4, 4)),
    ("cyclic_triangular2", lambda m, o: m.CyclicLR(o, [0.01, 0.1], 0.5, 3, 5, "triangular2"),
     lambda b, e: [0.01, 0.1][b == 1.0] + (0.5 - [0.01, 0.1][b == 1.0]) * triangle(e, 3, 5)
     / 2 ** (e // 8)),
    ("cyclic_exp_range", lambda m, o: m.CyclicLR(o, 0.01, 0.5, 5, mode="exp_range", gamma=0.97),
     lambda b, e: 0.01 + 0.49 * triangle(e, 5, 5) * 0.97**e),
    ("one_cycle", lambda m, o: m.OneCycleLR(o, max_lr=[0.5, 2.0], total_steps=40),
     lambda b, e: one_cycle(0.5 if b == 0.1 else 2.0, e, 40)),
    ("one_cycle_linear", lambda m, o: m.OneCycleLR(o, 1.0, epochs=4, steps_per_epoch=10,
                                                   anneal_strategy="linear", pct_start=0.25),
     lambda b, e: 0.04 + 0.96 * e / 9 if e <= 9 else 1.0 + (4e-6 - 1.0) * min(e - 9, 30) / 30),
]  # fmt: skip


@pytest.mark.parametrize("name, make, formula", CLOSED, ids=[c[0] for c in CLOSED])
def test_rates_match_the_closed_forms(name, make, formula):
    got, _ = lrs_of(make)
    expected = [[formula(b, e) for b in LRS] for e in range(41)]
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-14)


def test_sequential_lr_warmup_then_cosine():
    def make(m, o):
        warm = m.LinearLR(o, start_factor=0.2, total_iters=4)
        cos = m.CosineAnnealingLR(o, T_max=20, eta_min=0.001)
        return m.SequentialLR(o, [warm, cos], milestones=[4])

    got, _ = lrs_of(make, steps=24)
    expected = [
        [b * (0.2 + 0.8 * e / 4) if e < 4 else cos_anneal(b, 0.001, e - 4, 20) for b in LRS]
        for e in range(25)
    ]
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-14)


def test_chained_scheduler_multiplies_the_factors():
    def make(m, o):
        return m.ChainedScheduler([m.ConstantLR(o, 0.1, total_iters=3), m.ExponentialLR(o, 0.9)])

    got, _ = lrs_of(make, steps=10)
    expected = [[b * (0.1 if e < 3 else 1.0) * 0.9**e for b in LRS] for e in range(11)]
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_reduce_on_plateau_waits_patience_then_cools_down():
    metrics = [5, 4, 4, 4, 4, 3.9999, 4, 4, 4, 4, 4, 4, 4, 4]
    opt = _opt()
    sched = ls.ReduceLROnPlateau(opt, factor=0.5, patience=2, cooldown=1, min_lr=[0.0, 0.3])
    got, _ = _run(opt, sched, len(metrics), metrics)
    # epoch 1 best=5; 2 best=4; 3,4 bad; 5 bad (3 > patience 2): halve; 6 (3.9999 is within
    # the relative threshold of 4) is in the cooldown; 7, 8, 9 bad: halve; and so on.
    halvings = [0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3]
    expected = [[max(b * 0.5**h, low) for b, low in zip(LRS, (0.0, 0.3))] for h in halvings]
    np.testing.assert_allclose(got, expected, rtol=1e-15)
    assert sched.best == 4 and sched.last_epoch == len(metrics)


def test_reduce_on_plateau_max_mode_abs_threshold_and_tensor_metric():
    opt = _opt(lrs=(1.0,))
    sched = ls.ReduceLROnPlateau(opt, "max", patience=0, threshold=0.5, threshold_mode="abs")
    for metric, lr in [(1.0, 1.0), (1.4, 0.1), (2.0, 0.1), (td.Tensor(2.4), 0.01)]:
        sched.step(metric)
        assert sched.get_last_lr() == pytest.approx([lr])
    assert opt.param_groups[0]["lr"] == pytest.approx(0.01)


def test_one_cycle_and_cyclic_cycle_the_momentum_inversely():
    opt = _opt("adam")
    sched = ls.OneCycleLR(opt, max_lr=1.0, total_steps=20)
    rates, moms = _run(opt, sched, 20)
    assert moms[0, 0] == 0.95 and moms[5, 0] == pytest.approx(0.85)  # rate peaks at step 5
    assert rates[5, 0] == pytest.approx(1.0) and moms[-2, 0] == pytest.approx(0.95)
    assert opt.param_groups[0]["betas"][1] == 0.999
    opt = _opt()
    rates, moms = _run(opt, ls.CyclicLR(opt, 0.1, 1.0, step_size_up=4), 12)
    np.testing.assert_allclose(moms[:, 0], [0.9 - 0.1 * triangle(e, 4, 4) for e in range(13)])
    with pytest.raises(ValueError, match="tried to step 21 times"):
        opt = _opt()
        sched = ls.OneCycleLR(opt, max_lr=1.0, total_steps=20)
        for _ in range(21):
            sched.step()
    assert sched.last_epoch == 20  # the failed step changed nothing


def test_warm_restarts_step_with_a_fractional_epoch():
    opt = _opt(lrs=(1.0,))
    sched = ls.CosineAnnealingWarmRestarts(opt, T_0=4, T_mult=2)
    for epoch, (T_cur, T_i) in [
        (2.5, (2.5, 4)),
        (5.0, (1.0, 8)),
        (13.0, (1.0, 16)),
        (0.5, (0.5, 4)),
    ]:
        sched.step(epoch)
        assert (sched.T_cur, sched.T_i) == (T_cur, T_i)
        assert sched.get_last_lr() == pytest.approx([cos_anneal(1.0, 0.0, T_cur, T_i)])
    with pytest.raises(ValueError, match="epoch must be a finite real number >= 0"):
        sched.step(-1)


def test_state_dict_round_trip_resumes_the_same_rates():
    makes = [
        lambda o: ls.OneCycleLR(o, 1.0, total_steps=30),
        lambda o: ls.CyclicLR(o, 0.1, 1.0, 3, mode="exp_range", gamma=0.9),
        lambda o: ls.MultiStepLR(o, [2, 5]),
        lambda o: ls.SequentialLR(o, [ls.ConstantLR(o, 0.5, 3), ls.ExponentialLR(o, 0.8)], [3]),
        lambda o: ls.CosineAnnealingWarmRestarts(o, 3, 2),
    ]
    for make in makes:
        opt = _opt()
        sched = make(opt)
        for _ in range(4):
            sched.step()
        state, opt_state = sched.state_dict(), opt.state_dict()
        assert "optimizer" not in state
        rest = [sched.step() or sched.get_last_lr() for _ in range(6)]
        opt2 = _opt()
        sched2 = make(opt2)
        opt2.load_state_dict(opt_state)
        sched2.load_state_dict(state)
        assert [sched2.step() or sched2.get_last_lr() for _ in range(6)] == rest


def test_reduce_on_plateau_state_dict():
    opt = _opt()
    sched = ls.ReduceLROnPlateau(opt, patience=1)
    for m in (3, 3, 3):
        sched.step(m)
    state = sched.state_dict()
    assert state["num_bad_epochs"] == 0 and state["best"] == 3 and "optimizer" not in state
    sched2 = ls.ReduceLROnPlateau(_opt())
    sched2.load_state_dict(state)
    assert sched2.patience == 1 and sched2.best == 3


@pytest.mark.parametrize(
    "make, error, message",
    [
        (lambda o: ls.MultiStepLR(o, 3), TypeError, "milestones must be a list"),
        (lambda o: ls.MultiStepLR(o, [2, -1]), ValueError, "each milestone must be an int >= 0"),
        (lambda o: ls.ConstantLR(o, factor=1.5), ValueError, r"factor must be in \(0, 1\]"),
        (lambda o: ls.ConstantLR(o, total_iters=0), ValueError, "total_iters must be an int"),
        (lambda o: ls.LinearLR(o, start_factor=0), ValueError, r"start_factor must be in \(0"),
        (lambda o: ls.LinearLR(o, end_factor=2), ValueError, r"end_factor must be in \[0, 1\]"),
        (lambda o: ls.PolynomialLR(o, power=-1), ValueError, "power must be"),
        (lambda o: ls.MultiplicativeLR(o, 0.5), TypeError, "lr_lambda must be a function"),
        (lambda o: ls.MultiplicativeLR(o, lambda e: -1.0).step(), ValueError, r"lr_lambda\(1\)"),
        (lambda o: ls.CosineAnnealingWarmRestarts(o, 0), ValueError, "T_0 must be an int >= 1"),
        (lambda o: ls.CosineAnnealingWarmRestarts(o, 2, 1.5), ValueError, "T_mult must be an int"),
        (lambda o: ls.CyclicLR(o, 0.1, 1.0, mode="sine"), ValueError, "mode must be"),
        (lambda o: ls.CyclicLR(o, [0.1], 1.0), ValueError, r"base_lr: expected 2 values"),
        (
            lambda o: ls.CyclicLR(o, 0.1, 1.0, scale_mode="x", scale_fn=abs),
            ValueError,
            "scale_mode",
        ),
        (lambda o: ls.OneCycleLR(o, 1.0), ValueError, "give total_steps, or epochs"),
        (lambda o: ls.OneCycleLR(o, 1.0, total_steps=0), ValueError, "total_steps must be"),
        (lambda o: ls.OneCycleLR(o, 1.0, 10, pct_start=1.5), ValueError, r"pct_start must be"),
        (lambda o: ls.OneCycleLR(o, 1.0, 10, anneal_strategy="exp"), ValueError, "anneal_"),
        (lambda o: ls.OneCycleLR(o, 1.0, 10, pct_start=0.1), ValueError, "phase 0 of the sch"),
        (
            lambda o: ls.OneCycleLR(optim.Adagrad(o.param_groups[0]["params"]), 1.0, 10),
            ValueError,
            "no momentum or betas to cycle",
        ),
        (lambda o: ls.ReduceLROnPlateau(o, factor=1.0), ValueError, "factor must be < 1.0"),
        (lambda o: ls.ReduceLROnPlateau(o, mode="low"), ValueError, "mode must be 'min' or"),
        (lambda o: ls.ReduceLROnPlateau(o, threshold_mode="x"), ValueError, "threshold_mode"),
        (lambda o: ls.ReduceLROnPlateau(o, patience=-1), ValueError, "patience must be an int"),
        (lambda o: ls.ReduceLROnPlateau(o, min_lr=[0, 0, 0]), ValueError, "expected 2 values"),
        (lambda o: ls.ReduceLROnPlateau(o).step("x"), TypeError, "metrics must be a number"),
        (lambda o: ls.ReduceLROnPlateau([]), TypeError, "is not an Optimizer"),
        (lambda o: ls.SequentialLR(o, [], []), ValueError, "non-empty list of schedulers"),
        (
            lambda o: ls.SequentialLR(o, [ls.StepLR(o, 2), ls.StepLR(o, 3)], []),
            ValueError,
            "expected 1 milestone",
        ),
        (
            lambda o: ls.SequentialLR(o, [ls.ReduceLROnPlateau(o)], []),
            ValueError,
            "ReduceLROnPlateau, whose step needs a metric",
        ),
        (
            lambda o: ls.ChainedScheduler([ls.StepLR(o, 2), ls.StepLR(_opt(), 2)]),
            ValueError,
            "belongs to another optimiser",
        ),
        (lambda o: ls.ChainedScheduler([object()]), TypeError, "index 0 is a object"),
    ],
)
def test_errors(make, error, message):
    with pytest.raises(error, match=message):
        make(_opt())


# ---------------------------------------------------------------------------------------------
# against PyTorch
# ---------------------------------------------------------------------------------------------

TORCH = [
    # name, scheduler (module, optimiser), optimiser kind, steps
    *[(c[0], c[1], "sgd", 60) for c in CLOSED if not c[0].startswith("one_cycle")],
    ("one_cycle", lambda m, o: m.OneCycleLR(o, [0.5, 2.0], total_steps=60), "sgd", 60),
    ("one_cycle_adam_3phase", lambda m, o: m.OneCycleLR(
        o, 1.0, epochs=6, steps_per_epoch=10, pct_start=0.35, three_phase=True,
        div_factor=10.0, final_div_factor=100.0), "adam", 60),
    ("one_cycle_linear_no_momentum", lambda m, o: m.OneCycleLR(
        o, 1.0, total_steps=50, anneal_strategy="linear", cycle_momentum=False), "sgd", 49),
    ("cyclic_adam_custom", lambda m, o: m.CyclicLR(o, 0.1, 0.4, 3, 7, scale_fn=lambda x: 1 / x,
                                                   base_momentum=0.7), "adam", 60),
    ("step_then_cosine", lambda m, o: m.SequentialLR(
        o, [m.StepLR(o, 3, 0.5), m.CosineAnnealingLR(o, 10), m.ExponentialLR(o, 0.9)],
        milestones=[7, 20]), "sgd", 40),
    ("linear_then_multistep", lambda m, o: m.SequentialLR(
        o, [m.LinearLR(o, 0.1, total_iters=5), m.MultiStepLR(o, [3, 8])], [5]), "sgd", 20),
    ("chained", lambda m, o: m.ChainedScheduler(
        [m.LinearLR(o, 0.2, total_iters=6), m.CosineAnnealingLR(o, 15, 0.01),
         m.MultiStepLR(o, [4, 9])]), "sgd", 30),
    ("chained_poly_mult", lambda m, o: m.ChainedScheduler(
        [m.PolynomialLR(o, 10, 0.5), m.MultiplicativeLR(o, lambda e: 0.99)]), "sgd", 20),
]  # fmt: skip


@pytest.mark.parametrize("name, make, kind, steps", TORCH, ids=[c[0] for c in TORCH])
def test_rates_and_momentums_match_pytorch(name, make, kind, steps):
    torch = pytest.importorskip("torch")
    ours = lrs_of(make, steps=steps, kind=kind)
    topt = _opt(kind, module=torch.optim, tensor=lambda: torch.zeros(1, requires_grad=True))
    theirs = _run(topt, make(torch.optim.lr_scheduler, topt), steps)
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-13, atol=1e-15)


PLATEAU = [
    dict(patience=2, factor=0.5),
    dict(mode="max", patience=1, threshold=0.1, cooldown=2),
    dict(patience=0, threshold_mode="abs", threshold=0.05, min_lr=0.02, eps=1e-3),
    dict(mode="max", threshold_mode="abs", patience=3, min_lr=[0.001, 0.5], factor=0.3),
]


@pytest.mark.parametrize("kwargs", PLATEAU)
def test_reduce_on_plateau_matches_pytorch(kwargs):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    metrics = list(np.round(np.cumsum(rng.normal(0, 1, 80)) / 10, 2)) + [float("nan")] * 3

    def make(m, o):
        return m.ReduceLROnPlateau(o, **kwargs)

    ours = lrs_of(make, steps=83, metrics=metrics)
    topt = _opt(module=torch.optim, tensor=lambda: torch.zeros(1, requires_grad=True))
    theirs = _run(topt, make(torch.optim.lr_scheduler, topt), 83, metrics)
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-15)
    assert ours[0][-1, 0] < ours[0][0, 0]  # it did reduce
