"""NAdam, RAdam, Adamax, Adadelta, Rprop and ASGD: updates against references written from the
papers' equations, training to a known minimum, errors, state_dict resumption, and the whole
parameter trajectory against PyTorch's (float64) when it is installed."""

from __future__ import annotations

import math

import numpy as np
import pytest

import tinygrad_ds as td
from tinygrad_ds import optim

P0 = np.array([1.0, -2.0, 0.5])
GRADS = [
    np.array([0.5, -1.0, 2.0]),
    np.array([-0.3, 0.2, 1.0]),
    np.array([1.5, 0.0, -0.4]),
    np.array([1.0, 0.3, -0.2]),
    np.array([-0.7, 0.3, 0.1]),
    np.array([0.2, -0.1, 0.0]),
]


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


# References, one step at a time from the published equations (as PyTorch states them).


def ref_nadam(lr=2e-3, b1=0.9, b2=0.999, eps=1e-8, wd=0.0, psi=4e-3, decoupled=False):
    p, m, v, prod, out = P0.copy(), 0.0, 0.0, 1.0, []
    for t, g in enumerate(GRADS, start=1):
        if decoupled:
            p = p * (1 - lr * wd)
        else:
            g = g + wd * p
        mu = b1 * (1 - 0.5 * 0.96 ** (t * psi))
        mu_next = b1 * (1 - 0.5 * 0.96 ** ((t + 1) * psi))
        prod *= mu
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        v_hat = v / (1 - b2**t)
        m_bar = (1 - mu) * g / (1 - prod) + mu_next * m / (1 - prod * mu_next)
        p = p - lr * m_bar / (np.sqrt(v_hat) + eps)
        out.append(p)
    return out


def ref_radam(lr=1e-3, b1=0.9, b2=0.999, eps=1e-8, wd=0.0, decoupled=False):
    p, m, v, out = P0.copy(), 0.0, 0.0, []
    rho_inf = 2 / (1 - b2) - 1
    for t, g in enumerate(GRADS, start=1):
        if decoupled:
            p = p * (1 - lr * wd)
        else:
            g = g + wd * p
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        m_hat = m / (1 - b1**t)
        rho = rho_inf - 2 * t * b2**t / (1 - b2**t)
        if rho > 5:
            r = math.sqrt((rho - 4) * (rho - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho))
            p = p - lr * m_hat * r / (np.sqrt(v) / math.sqrt(1 - b2**t) + eps / math.sqrt(
                1 - b2**t))  # fmt: skip
        else:
            p = p - lr * m_hat
        out.append(p)
    return out


def ref_adamax(lr=2e-3, b1=0.9, b2=0.999, eps=1e-8, wd=0.0):
    p, m, u, out = P0.copy(), 0.0, 0.0, []
    for t, g in enumerate(GRADS, start=1):
        g = g + wd * p
        m = b1 * m + (1 - b1) * g
        u = np.maximum(b2 * u, np.abs(g) + eps)
        p = p - lr / (1 - b1**t) * m / u
        out.append(p)
    return out


def ref_adadelta(lr=1.0, rho=0.9, eps=1e-6, wd=0.0):
    p, s, a, out = P0.copy(), 0.0, 0.0, []
    for g in GRADS:
        g = g + wd * p
        s = rho * s + (1 - rho) * g * g
        d = np.sqrt(a + eps) / np.sqrt(s + eps) * g
        a = rho * a + (1 - rho) * d * d
        p = p - lr * d
        out.append(p)
    return out


def ref_rprop(lr=1e-2, etas=(0.5, 1.2), sizes=(1e-6, 50)):
    p, prev, step, out = P0.copy(), np.zeros(3), np.full(3, lr), []
    for g in GRADS:
        g = g.copy()
        for i in range(3):
            if g[i] * prev[i] > 0:
                step[i] = min(step[i] * etas[1], sizes[1])
            elif g[i] * prev[i] < 0:
                step[i] = max(step[i] * etas[0], sizes[0])
                g[i] = 0.0
        p = p - np.sign(g) * step
        prev = g
        out.append(p)
    return out


def ref_asgd(lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, wd=0.0):
    p, eta, out = P0.copy(), lr, []
    for t, g in enumerate(GRADS, start=1):
        g = g + wd * p
        p = p * (1 - lambd * eta) - eta * g
        eta = lr / (1 + lambd * lr * t) ** alpha
        out.append(p)
    return out


CASES = [
    ("nadam", lambda ps: optim.NAdam(ps), ref_nadam()),
    ("nadam_options", lambda ps: optim.NAdam(ps, 0.1, (0.5, 0.6), 0.1, 0.2, momentum_decay=0.5),
     ref_nadam(0.1, 0.5, 0.6, 0.1, 0.2, 0.5)),
    ("nadam_decoupled", lambda ps: optim.NAdam(ps, 0.1, weight_decay=0.5,
                                              decoupled_weight_decay=True),
     ref_nadam(0.1, wd=0.5, decoupled=True)),
    ("radam", lambda ps: optim.RAdam(ps), ref_radam()),
    ("radam_rectified", lambda ps: optim.RAdam(ps, 0.1, betas=(0.8, 0.6), weight_decay=0.1),
     ref_radam(0.1, 0.8, 0.6, wd=0.1)),
    ("radam_decoupled", lambda ps: optim.RAdam(ps, 0.1, (0.8, 0.6), 1e-3, 0.5, True),
     ref_radam(0.1, 0.8, 0.6, 1e-3, 0.5, decoupled=True)),
    ("adamax", lambda ps: optim.Adamax(ps), ref_adamax()),
    ("adamax_options", lambda ps: optim.Adamax(ps, 0.1, (0.5, 0.7), 0.1, 0.3),
     ref_adamax(0.1, 0.5, 0.7, 0.1, 0.3)),
    ("adadelta", lambda ps: optim.Adadelta(ps), ref_adadelta()),
    ("adadelta_options", lambda ps: optim.Adadelta(ps, 0.5, 0.5, 1e-2, 0.1),
     ref_adadelta(0.5, 0.5, 1e-2, 0.1)),
    ("rprop", lambda ps: optim.Rprop(ps), ref_rprop()),
    ("rprop_options", lambda ps: optim.Rprop(ps, 0.3, (0.3, 2.0), (0.05, 0.5)),
     ref_rprop(0.3, (0.3, 2.0), (0.05, 0.5))),
    ("asgd", lambda ps: optim.ASGD(ps), ref_asgd()),
    ("asgd_options", lambda ps: optim.ASGD(ps, 0.1, 0.5, 0.5, 2, 0.1),
     ref_asgd(0.1, 0.5, 0.5, 2, 0.1)),
]  # fmt: skip


@pytest.mark.parametrize("name, make, expected", CASES, ids=[c[0] for c in CASES])
def test_steps_match_the_references(name, make, expected):
    for got, want in zip(run(make), expected):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)


def test_first_steps_in_closed_form():
    g = GRADS[0]
    # Adamax's first step: m = (1 - b1) g, u = |g| + eps, so p - lr g / (|g| + eps).
    (p1,) = run(lambda ps: optim.Adamax(ps, lr=0.1), [g])
    np.testing.assert_allclose(p1, P0 - 0.1 * g / (np.abs(g) + 1e-8), rtol=1e-14)
    # RAdam's first steps are SGD with momentum's bias-corrected mean: p - lr g.
    (p1,) = run(lambda ps: optim.RAdam(ps, lr=0.1), [g])
    np.testing.assert_allclose(p1, P0 - 0.1 * g, rtol=1e-14)
    # Adadelta's first step: d = sqrt(eps) / sqrt(0.1 g^2 + eps) g.
    (p1,) = run(lambda ps: optim.Adadelta(ps), [g])
    np.testing.assert_allclose(p1, P0 - 1e-3 * g / np.sqrt(0.1 * g * g + 1e-6), rtol=1e-14)
    # Rprop's first step is lr against the sign; a sign change then undoes nothing, skips.
    p1, p2 = run(lambda ps: optim.Rprop(ps, lr=0.1), [g, -g])
    np.testing.assert_allclose(p1, P0 - 0.1 * np.sign(g))
    np.testing.assert_allclose(p2, p1)
    # ASGD's first step: p (1 - lambd lr) - lr g.
    (p1,) = run(lambda ps: optim.ASGD(ps, lr=0.1, lambd=0.5), [g])
    np.testing.assert_allclose(p1, P0 * 0.95 - 0.1 * g, rtol=1e-14)


MAKERS = {
    "nadam": lambda ps: optim.NAdam(ps, lr=0.05),
    "radam": lambda ps: optim.RAdam(ps, lr=0.05),
    "adamax": lambda ps: optim.Adamax(ps, lr=0.05),
    "adadelta": lambda ps: optim.Adadelta(ps, lr=0.5, eps=1e-3),
    "rprop": lambda ps: optim.Rprop(ps, lr=0.01),
    "asgd": lambda ps: optim.ASGD(ps, lr=0.1, t0=100),
}

RNG = np.random.default_rng(7)
X = RNG.standard_normal((30, 3))
Y = X @ np.array([1.5, -2.0, 0.5]) + 0.3 + 0.1 * RNG.standard_normal(30)
A = np.hstack([X, np.ones((30, 1))])
BEST = np.linalg.lstsq(A, Y, rcond=None)[0]  # the least-squares minimum, in closed form


@pytest.mark.parametrize("name", list(MAKERS))
def test_trains_linear_regression_to_the_least_squares_minimum(name):
    w = td.Tensor(np.zeros(3), requires_grad=True)
    b = td.Tensor(np.zeros(()), requires_grad=True)
    opt = MAKERS[name]([w, b])
    x, y = td.Tensor(X), td.Tensor(Y)
    for _ in range(600):
        opt.zero_grad()
        ((x @ w + b - y) ** 2).mean().backward()
        opt.step()
    np.testing.assert_allclose(np.append(w.data, b.data), BEST, atol=2e-3)
    if name == "asgd":  # the average of the iterates converges too
        ax = np.append(opt.state[w]["ax"].data, opt.state[b]["ax"].data)
        np.testing.assert_allclose(ax, BEST, atol=2e-3)


@pytest.mark.parametrize("name", list(MAKERS))
def test_maximize_float32_and_in_place(name):
    up = run(lambda ps: _maximizing(name, ps))
    down = run(lambda ps: MAKERS[name](ps), [-g for g in GRADS])
    np.testing.assert_allclose(up, down, rtol=1e-14)
    p = td.Tensor(P0.astype(np.float32), requires_grad=True)
    data = p.data
    opt = MAKERS[name]([p])
    p.grad = td.Tensor(GRADS[0].astype(np.float32))
    opt.step()
    assert p.data is data and p.dtype == np.float32 and not np.array_equal(p.data, P0)
    assert all(v.dtype == np.float32 for v in opt.state[p].values() if isinstance(v, td.Tensor))


def _maximizing(name, ps):
    opt = MAKERS[name](ps)
    for group in opt.param_groups:
        group["maximize"] = True
    return opt


@pytest.mark.parametrize("name", list(MAKERS))
def test_resuming_from_a_checkpoint_is_bit_exact(name, tmp_path):
    def start():
        p = td.Tensor(P0.copy(), requires_grad=True)
        return p, MAKERS[name]([p])

    p, opt = start()
    for g in GRADS[:3]:
        p.grad = td.Tensor(g)
        opt.step()
    td.save({"p": p.detach(), "optim": opt.state_dict()}, tmp_path / "c.npz")
    for g in GRADS[3:]:
        p.grad = td.Tensor(g)
        opt.step()
    q, opt2 = start()
    saved = td.load(tmp_path / "c.npz")
    with td.no_grad():
        q.copy_(saved["p"])
    opt2.load_state_dict(saved["optim"])
    for g in GRADS[3:]:
        q.grad = td.Tensor(g)
        opt2.step()
    np.testing.assert_array_equal(q.data, p.data)
    assert sorted(opt2.state[q]) == sorted(opt.state[p])


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda p: optim.NAdam(p, lr=-1.0), "invalid learning rate"),
        (lambda p: optim.NAdam(p, momentum_decay=-1.0), "invalid momentum_decay"),
        (lambda p: optim.NAdam(p, betas=(0.9, 1.0)), "invalid betas"),
        (lambda p: optim.RAdam(p, eps=-1.0), "invalid epsilon"),
        (lambda p: optim.RAdam(p, weight_decay=-0.1), "invalid weight_decay"),
        (lambda p: optim.Adamax(p, betas=0.9), "invalid betas"),
        (lambda p: optim.Adadelta(p, rho=1.5), "invalid rho"),
        (lambda p: optim.Adadelta(p, eps=float("nan")), "invalid epsilon"),
        (lambda p: optim.Rprop(p, etas=(1.2, 0.5)), "invalid etas"),
        (lambda p: optim.Rprop(p, etas=(0.5,)), "expected a pair of numbers"),
        (lambda p: optim.Rprop(p, step_sizes=(1.0, 0.1)), "invalid step_sizes"),
        (lambda p: optim.ASGD(p, t0=-1), "invalid t0"),
        (lambda p: optim.ASGD(p, lambd="x"), "invalid lambd"),
        (lambda p: optim.Adamax([], lr=0.1), "empty parameter list"),
    ],
)
def test_invalid_options_are_errors(make, message):
    with pytest.raises((ValueError, TypeError), match=message):
        make([td.Tensor([1.0], requires_grad=True)])


def test_state_dict_layout_is_pytorchs():
    expected = {
        "NAdam": ["exp_avg", "exp_avg_sq", "mu_product", "step"],
        "RAdam": ["exp_avg", "exp_avg_sq", "step"],
        "Adamax": ["exp_avg", "exp_inf", "step"],
        "Adadelta": ["acc_delta", "square_avg", "step"],
        "Rprop": ["prev", "step", "step_size"],
        "ASGD": ["ax", "eta", "mu", "step"],
    }
    for name, keys in expected.items():
        p = td.Tensor([1.0], requires_grad=True)
        opt = getattr(optim, name)([p])
        p.grad = td.Tensor([1.0])
        opt.step()
        assert sorted(opt.state_dict()["state"][0]) == keys, name


# ---------------------------------------------------------------------------------------------
# against PyTorch: a small nonlinear problem, 20 steps, float64
# ---------------------------------------------------------------------------------------------

TORCH = [
    ("NAdam", {}),
    ("NAdam", dict(lr=0.05, betas=(0.8, 0.9), weight_decay=0.1, momentum_decay=0.01)),
    ("NAdam", dict(lr=0.05, weight_decay=0.1, decoupled_weight_decay=True, maximize=True)),
    ("RAdam", {}),
    ("RAdam", dict(lr=0.05, betas=(0.7, 0.8), weight_decay=0.1)),
    ("RAdam", dict(lr=0.05, betas=(0.7, 0.8), weight_decay=0.1, decoupled_weight_decay=True)),
    ("Adamax", {}),
    ("Adamax", dict(lr=0.05, betas=(0.5, 0.9), eps=1e-3, weight_decay=0.2, maximize=True)),
    ("Adadelta", {}),
    ("Adadelta", dict(lr=0.5, rho=0.6, eps=1e-4, weight_decay=0.1)),
    ("Rprop", {}),
    ("Rprop", dict(lr=0.05, etas=(0.3, 1.5), step_sizes=(1e-3, 0.2), maximize=True)),
    ("ASGD", {}),
    ("ASGD", dict(lr=0.05, lambd=0.1, alpha=0.5, t0=5, weight_decay=0.05)),
]


def _problem(module, tensor):
    """Parameters (two groups) and a loss: a tanh layer fitted to fixed data."""
    rng = np.random.default_rng(3)
    W, b, x, y = rng.standard_normal((3, 2)), rng.standard_normal(2), rng.standard_normal(
        (8, 3)), rng.standard_normal((8, 2))  # fmt: skip
    W, b = tensor(W), tensor(b)
    x, y = tensor(x, False), tensor(y, False)

    def loss():
        return ((module.tanh(x @ W + b) - y) ** 2).mean() + (W**4).sum() * 0.01

    return W, b, loss


@pytest.mark.parametrize("name, kwargs", TORCH, ids=[f"{n}-{i}" for i, (n, _) in enumerate(TORCH)])
def test_trajectory_matches_pytorch(name, kwargs):
    torch = pytest.importorskip("torch")
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)  # PyTorch's scalar state (step, mu_product, eta)
    try:
        trajectories = []
        for module, tensor in (
            (td, lambda a, g=True: td.Tensor(a, requires_grad=g)),
            (torch, lambda a, g=True: torch.tensor(a, requires_grad=g)),
        ):
            W, b, loss = _problem(module, tensor)
            opt_module = optim if module is td else torch.optim
            opt = getattr(opt_module, name)([{"params": [W]}, {"params": [b], "lr": 0.02}],
                                            **kwargs)  # fmt: skip
            path = []
            for _ in range(20):
                opt.zero_grad()
                loss().backward()
                opt.step()
                path.append(np.concatenate([W.detach().numpy().ravel(), b.detach().numpy()]))
            trajectories.append(np.array(path))
    finally:
        torch.set_default_dtype(previous)
    ours, theirs = trajectories
    assert not np.allclose(ours[0], ours[-1])  # it moved
    np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12)


# ---------------------------------------------------------------------------------------------
# LBFGS
# ---------------------------------------------------------------------------------------------


def rosenbrock(x):
    return ((1 - x[:-1]) ** 2).sum() + 100 * ((x[1:] - x[:-1] ** 2) ** 2).sum()


def _lbfgs_path(module, tensor, opt_module, steps, x0=(-1.5, 2.0, 0.5), loss=rosenbrock, **kw):
    x = tensor(np.array(x0))
    opt = opt_module.LBFGS([x], **kw)

    def closure():
        opt.zero_grad()
        value = loss(x)
        value.backward()
        return value

    path = []
    for _ in range(steps):
        opt.step(closure)
        path.append(x.detach().numpy().copy())
    state = opt.state[x]
    return np.array(path), (state["func_evals"], state["n_iter"]), opt


def _ours(steps, **kw):
    return _lbfgs_path(td, lambda a: td.Tensor(a, requires_grad=True), optim, steps, **kw)


def test_lbfgs_strong_wolfe_finds_rosenbrocks_minimum():
    path, (evals, iters), _ = _ours(5, line_search_fn="strong_wolfe")
    np.testing.assert_allclose(path[-1], np.ones(3), atol=1e-5)
    assert iters < evals <= 100
    f = [rosenbrock(p) for p in path]
    assert all(b <= a for a, b in zip(f, f[1:]))  # the line search never goes uphill


def test_lbfgs_solves_a_quadratic():
    rng = np.random.default_rng(0)
    M = rng.standard_normal((5, 5))
    A, b = M @ M.T + np.eye(5), rng.standard_normal(5)

    def loss(x):
        return 0.5 * (x @ (td.Tensor(A) @ x)) - (td.Tensor(b) * x).sum()

    for search in (None, "strong_wolfe"):
        path, _, _ = _ours(3, x0=np.zeros(5), loss=loss, line_search_fn=search)
        np.testing.assert_allclose(path[-1], np.linalg.solve(A, b), atol=1e-5)
        # the default tolerance_change stops it once the loss changes by < 1e-9; without:
        path, _, _ = _ours(3, x0=np.zeros(5), loss=loss, line_search_fn=search,
                           tolerance_change=1e-30, tolerance_grad=1e-13)  # fmt: skip
        np.testing.assert_allclose(path[-1], np.linalg.solve(A, b), rtol=1e-8)


def test_lbfgs_stops_at_once_at_a_minimum_and_errors():
    path, (evals, iters), opt = _ours(2, x0=np.ones(3))
    np.testing.assert_array_equal(path[-1], np.ones(3))
    assert (evals, iters) == (2, 0)
    with pytest.raises(TypeError, match="needs a closure"):
        opt.step()
    p = [td.Tensor([1.0], requires_grad=True)]
    with pytest.raises(ValueError, match="line_search_fn must be None or 'strong_wolfe'"):
        optim.LBFGS(p, line_search_fn="armijo")
    with pytest.raises(ValueError, match="invalid max_iter"):
        optim.LBFGS(p, max_iter=0)
    with pytest.raises(ValueError, match="parameter groups are not supported"):
        optim.LBFGS([{"params": p}, {"params": [td.Tensor([1.0], requires_grad=True)]}])
    with pytest.raises(ValueError, match="invalid tolerance_grad"):
        optim.LBFGS(p, tolerance_grad=-1.0)


def test_lbfgs_state_dict_resumes_the_same_iterates():
    _, _, opt = _ours(1, history_size=3)
    x = opt.param_groups[0]["params"][0]
    state = opt.state_dict()
    x2 = td.Tensor(x.data.copy(), requires_grad=True)
    opt2 = optim.LBFGS([x2], history_size=3)
    opt2.load_state_dict(state)
    for p, o in ((x, opt), (x2, opt2)):

        def closure(p=p, o=o):
            o.zero_grad()
            value = rosenbrock(p)
            value.backward()
            return value

        o.step(closure)
    np.testing.assert_array_equal(x2.data, x.data)
    assert len(opt2.state[x2]["old_dirs"]) == 3


@pytest.mark.parametrize(
    "search, steps, max_iter, rtol",
    [(None, 12, 1, 1e-11), ("strong_wolfe", 5, 20, 1e-6), ("strong_wolfe", 30, 2, 1e-9)],
)
def test_lbfgs_trajectory_matches_pytorch(search, steps, max_iter, rtol):
    """Rosenbrock amplifies rounding (the order of summation in dot products), more so without
    a line search, whose run is compared over its first iterations; with it, over the whole
    descent (the differences grow to ~1e-8 near the minimum), with the same evaluations."""
    torch = pytest.importorskip("torch")
    kw = dict(line_search_fn=search, max_iter=max_iter, history_size=10)
    ours, counts, _ = _ours(steps, **kw)
    theirs, their_counts, _ = _lbfgs_path(
        torch, lambda a: torch.tensor(a, requires_grad=True), torch.optim, steps, **kw
    )
    np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=1e-12)
    assert counts == their_counts
