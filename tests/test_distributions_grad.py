"""Gradients in td.distributions: log_prob, entropy and kl_divergence by gradcheck (float64)
and against PyTorch's autograd; rsample's pathwise gradients by gradcheck (reseeded draws)
and, for the gamma family's implicit reparameterisation, against high-precision values and
PyTorch; a second derivative; kl_divergence's values against PyTorch."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import assert_backward_paths_agree

import tinygrad_ds as td
from tinygrad_ds.distributions._standard_gamma import (
    StandardGamma,
    gammainc_array,
    standard_gamma_grad,
)

D = td.distributions


def f(a):
    return np.array(a, dtype=np.float64)


def leaves(*arrays):
    return [td.Tensor(f(a), requires_grad=True) for a in arrays]


def sym(c):
    """A symmetric matrix from any (Cholesky reads one triangle: finite differences of the
    other would be 0, while the gradient of a symmetric input is symmetric, as PyTorch's)."""
    return (c + c.mT) / 2


SPD = f([[2.0, 0.3], [0.3, 1.0]])
TRIL = f([[1.5, 0.0], [0.4, 0.8]])

# name, a function of (td.distributions or torch.distributions, the parameters) to a
# distribution (matrices made symmetric or lower triangular in it), parameters, a value
LOG_PROB = [
    ("Normal", lambda lib, m, s: lib.Normal(m, s), [[0.0, 1.5], [1.0, 0.3]], [0.2, -1.0]),
    ("LogNormal", lambda lib, m, s: lib.LogNormal(m, s), [[0.0, 1.5], [1.0, 0.3]], [0.2, 3.0]),
    ("Uniform", lambda lib, a, b: lib.Uniform(a, b), [[0.0, -1.0], [1.0, 3.0]], [0.2, 2.0]),
    ("Exponential", lambda lib, r: lib.Exponential(r), [[0.5, 2.0]], [0.3, 2.0]),
    ("Laplace", lambda lib, m, s: lib.Laplace(m, s), [[0.0, 1.5], [1.0, 0.3]], [0.2, -1.0]),
    ("Poisson", lambda lib, r: lib.Poisson(r), [[0.5, 4.0]], [0.0, 3.0]),
    ("Binomial", lambda lib, p: lib.Binomial(6, p), [[0.3, 0.9]], [0.0, 3.0]),
    ("Binomial", lambda lib, lg: lib.Binomial(6, logits=lg), [[0.3, -0.9]], [6.0, 3.0]),
    ("Bernoulli", lambda lib, p: lib.Bernoulli(p), [[0.3, 0.9]], [0.0, 1.0]),
    ("Bernoulli", lambda lib, lg: lib.Bernoulli(logits=lg), [[0.3, -2.0]], [0.0, 1.0]),
    ("Categorical", lambda lib, p: lib.Categorical(p), [[[0.3, 0.6, 0.1], [1, 2, 3]]], [2, 0]),
    ("Categorical", lambda lib, lg: lib.Categorical(logits=lg), [[[0.3, 0.6], [1, 2]]], [[1], [0]]),
    ("OneHotCategorical", lambda lib, lg: lib.OneHotCategorical(logits=lg), [[[0.3, 0.6, 0.1]]],
     [[0, 1, 0], [1, 0, 0]]),
    ("Gamma", lambda lib, a, r: lib.Gamma(a, r), [[0.5, 3.0], [1.0, 2.0]], [0.2, 2.0]),
    ("Beta", lambda lib, a, b: lib.Beta(a, b), [[0.5, 3.0], [1.0, 2.0]], [0.2, 0.7]),
    ("Dirichlet", lambda lib, a: lib.Dirichlet(a), [[[0.5, 3.0, 1.0], [1, 2, 3]]],
     [[0.2, 0.7, 0.1], [0.3, 0.3, 0.4]]),
    ("MultivariateNormal", lambda lib, m, c: lib.MultivariateNormal(m, sym(c)),
     [[0.0, 1.0], SPD], [[0.2, 0.7], [1, 2]]),
    ("MultivariateNormal", lambda lib, m, p: lib.MultivariateNormal(m, precision_matrix=sym(p)),
     [[[0.0, 1.0]], SPD], [0.2, 0.7]),
    ("MultivariateNormal", lambda lib, m, L: lib.MultivariateNormal(m, scale_tril=L.tril()),
     [[0.0, 1.0], TRIL], [[0.2, 0.7]]),
]  # fmt: skip
IDS = [f"{c[0]}-{i}" for i, c in enumerate(LOG_PROB)]
CONTINUOUS = {"Normal", "LogNormal", "Laplace", "Exponential", "Gamma", "MultivariateNormal"}


@pytest.mark.parametrize("name,make,params,value", LOG_PROB, ids=IDS)
def test_log_prob_and_entropy_gradcheck(name, make, params, value):
    inputs = leaves(*params)
    v = np.array(value, dtype=np.int64 if name == "Categorical" else np.float64)
    assert td.gradcheck(lambda *p: make(D, *p).log_prob(td.Tensor(v)), inputs)
    if name in CONTINUOUS:  # and with respect to the value
        x = td.Tensor(v, requires_grad=True)
        assert td.gradcheck(lambda x: make(D, *[p.detach() for p in inputs]).log_prob(x), [x])
    if name not in ("Poisson", "Uniform"):
        assert td.gradcheck(lambda *p: make(D, *p).entropy(), inputs)


@pytest.mark.parametrize("name,make,params,value", LOG_PROB, ids=IDS)
def test_log_prob_gradients_against_torch(name, make, params, value):
    torch = pytest.importorskip("torch")
    inputs = leaves(*params)
    v = np.array(value, dtype=np.int64 if name == "Categorical" else np.float64)
    out = make(D, *inputs).log_prob(td.Tensor(v))
    up = np.random.default_rng(0).standard_normal(out.shape)
    grads = td.grad(out, inputs, td.Tensor(up))
    t_inputs = [torch.tensor(f(p), requires_grad=True) for p in params]
    t_out = make(torch.distributions, *t_inputs).log_prob(torch.tensor(v))
    np.testing.assert_allclose(out.data, t_out.detach().numpy(), rtol=1e-9, atol=1e-12)
    t_grads = torch.autograd.grad(t_out, t_inputs, torch.tensor(up))
    for g, tg in zip(grads, t_grads):
        np.testing.assert_allclose(g.data, tg.numpy(), rtol=1e-7, atol=1e-10)


# -- rsample ----------------------------------------------------------------------------------

RSAMPLE = [
    ("Normal", lambda m, s: D.Normal(m, s), [[0.0, 1.5], [1.0, 0.3]]),
    ("LogNormal", lambda m, s: D.LogNormal(m, s), [[0.0, 0.5], [1.0, 0.3]]),
    ("Uniform", lambda a, b: D.Uniform(a, b), [[0.0, -1.0], [1.0, 3.0]]),
    ("Exponential", lambda r: D.Exponential(r), [[0.5, 2.0]]),
    ("Laplace", lambda m, s: D.Laplace(m, s), [[0.0, 1.5], [1.0, 0.3]]),
    ("MVN-cov", lambda m, c: D.MultivariateNormal(m, sym(c)), [[0.0, 1.0], SPD]),
    ("MVN-tril", lambda m, L: D.MultivariateNormal(m, scale_tril=L.tril()), [[0.0, 1.0], TRIL]),
    ("Independent", lambda m, s: D.Independent(D.Normal(m, s), 1), [[0.0, 1.5], [1.0, 0.3]]),
]


@pytest.mark.parametrize("name,make,params", RSAMPLE, ids=[c[0] for c in RSAMPLE])
def test_rsample_gradcheck(name, make, params):
    """The same noise on every call (reseeded): the draw is a smooth map of the parameters."""
    inputs = leaves(*params)

    def draw(*p):
        td.manual_seed(5)
        return make(*p).rsample((3,))

    assert td.gradcheck(draw, inputs)
    x = make(*inputs).sample((3,))
    assert not x.requires_grad and x.grad_fn is None


def test_standard_gamma_grad_high_precision():
    """dx/dalpha of a Gamma(alpha, 1) draw against the implicit function theorem evaluated
    with mpmath's regularised incomplete gamma at 30 digits."""
    mp = pytest.importorskip("mpmath")
    mp.mp.dps = 30
    for a, x in [(0.05, 1e-6), (0.3, 0.2), (1.0, 1.3), (2.5, 0.7), (10.0, 14.0), (200.0, 190.0)]:
        d_cdf = mp.diff(lambda s: mp.gammainc(s, 0, x, regularized=True), a)  # noqa: B023
        pdf = mp.mpf(x) ** (a - 1) * mp.exp(-x) / mp.gamma(a)
        expected = float(-d_cdf / pdf)
        got = standard_gamma_grad(f([a]), f([x]))[0]
        assert abs(got - expected) <= 1e-10 * abs(expected), (a, x, got, expected)


def test_gamma_cdf_high_precision_and_gradcheck():
    """P(a, x) and dP/da against mpmath; Gamma.cdf's gradients (a, rate, value) by gradcheck."""
    mp = pytest.importorskip("mpmath")
    mp.mp.dps = 30
    for a, x in [(0.05, 0.01), (0.5, 0.3), (3.0, 3.0), (30.0, 25.0), (1000.0, 950.0), (5, 60)]:
        p, dp = gammainc_array(f(a), f(x))
        expected = mp.gammainc(a, 0, x, regularized=True)
        d_expected = mp.diff(lambda s: mp.gammainc(s, 0, x, regularized=True), a)  # noqa: B023
        assert abs(p - float(expected)) <= 1e-12 * float(expected)
        assert abs(dp - float(d_expected)) <= 1e-10 * abs(float(d_expected)) + 1e-15
    a, rate, x = leaves([0.5, 3.0, 20.0], [1.0, 2.0, 0.5], [0.3, 1.2, 45.0])
    assert td.gradcheck(lambda a, r, x: D.Gamma(a, r).cdf(x), [a, rate, x])
    assert_backward_paths_agree(lambda a, r, x: D.Gamma(a, r).cdf(x), [a, rate, x])


def test_standard_gamma_grad_against_torch():
    torch = pytest.importorskip("torch")
    alpha = f([0.1, 0.5, 1.0, 3.0, 30.0, 1000.0]).repeat(50)
    x = np.random.default_rng(0).gamma(alpha)
    ref = torch._standard_gamma_grad(torch.tensor(alpha), torch.tensor(x)).numpy()
    np.testing.assert_allclose(standard_gamma_grad(alpha, x), ref, rtol=5e-3)  # torch's: ~1e-3


DRAWS = [  # 20000 draws of a distribution of (a, b), and d/da, d/db of their mean
    ("Gamma", lambda a, b: D.Gamma(a, b).rsample((20000,)), lambda a, b: [1 / b, -a / b**2]),
    ("Beta", lambda a, b: D.Beta(a, b).rsample((20000,)),
     lambda a, b: [b / (a + b) ** 2, -a / (a + b) ** 2]),
    ("Dirichlet", lambda a, b: D.Dirichlet(td.stack([a, b])).rsample((20000,))[:, 0],
     lambda a, b: [b / (a + b) ** 2, -a / (a + b) ** 2]),
]  # fmt: skip


@pytest.mark.parametrize("name,draw,d_mean", DRAWS, ids=[c[0] for c in DRAWS])
def test_gamma_family_rsample_gradient_of_the_mean(name, draw, d_mean):
    """d/dtheta of the mean of 20000 draws is near d/dtheta E[X] (the closed form)."""
    td.manual_seed(11)
    a, b = leaves(2.0, 3.0)
    draw(a, b).mean().backward()
    expected = d_mean(2.0, 3.0)
    np.testing.assert_allclose([a.grad.item(), b.grad.item()], expected, rtol=0.03, atol=2e-3)


def test_standard_gamma_backward_paths_agree_and_float32():
    alpha = leaves([0.5, 2.0, 7.0])[0]

    def draw(a):
        td.manual_seed(2)
        return StandardGamma.apply(a)

    assert_backward_paths_agree(draw, [alpha])
    x = StandardGamma.apply(td.tensor([1.0, 2.0], requires_grad=True))
    assert x.dtype == np.float32 and np.all(x.data > 0)


# -- second derivatives and kl ----------------------------------------------------------------


def test_second_derivative_of_log_prob():
    """d2/dloc2 log N(x; loc, s) = -1/s^2; d2/ds2 = 1/s^2 - 3 (x - loc)^2 / s^4."""
    loc, s = leaves([0.3], [1.7])
    lp = D.Normal(loc, s).log_prob(td.tensor(f([1.0]))).sum()
    (gl, gs) = td.grad(lp, [loc, s], create_graph=True)
    (hl,) = td.grad(gl.sum(), [loc], retain_graph=True)
    (hs,) = td.grad(gs.sum(), [s])
    np.testing.assert_allclose(hl.data, [-1 / 1.7**2])
    np.testing.assert_allclose(hs.data, [1 / 1.7**2 - 3 * 0.7**2 / 1.7**4])


KL = [
    ("Normal", [[0.0, 1.5], [1.0, 0.3]], [[1.0, 0.5], [2.0, 0.3]]),
    ("LogNormal", [[0.0, 1.5], [1.0, 0.3]], [[1.0, 0.5], [2.0, 0.3]]),
    ("Bernoulli", [[0.3, 0.9]], [[0.5, 0.1]]),
    ("Categorical", [[[0.3, 0.7, 0.1], [1, 2, 3]]], [[[0.5, 0.5, 1.0], [0.2, 1, 1]]]),
    ("OneHotCategorical", [[[0.3, 0.7, 0.1]]], [[[0.5, 0.5, 1.0], [0.2, 1, 1]]]),
    ("Uniform", [[0.0, -1.0], [1.0, 3.0]], [[-1.0, -2.0], [2.0, 4.0]]),
    ("Exponential", [[0.5, 2.0]], [[1.5, 0.2]]),
    ("Laplace", [[0.0, 1.5], [1.0, 0.3]], [[1.0, 0.5], [2.0, 0.3]]),
    ("Poisson", [[0.5, 2.0]], [[1.5, 0.2]]),
    ("Gamma", [[0.5, 3.0], [1.0, 2.0]], [[2.0, 1.0], [0.5, 2.0]]),
    ("Beta", [[0.5, 3.0], [1.0, 2.0]], [[2.0, 1.0], [0.5, 2.0]]),
    ("Dirichlet", [[[0.5, 3.0, 1.0], [1, 2, 3]]], [[[1.0, 1.0, 1.0]]]),
    ("MultivariateNormal", [[[0.0, 1.0], [1, 1]], SPD], [[1.0, 1.0], 2 * SPD]),  # (symmetrised)
]


@pytest.mark.parametrize("name,p_params,q_params", KL, ids=[c[0] for c in KL])
def test_kl_gradcheck_and_against_torch(name, p_params, q_params):
    p_in, q_in = leaves(*p_params), leaves(*q_params)
    n = len(p_in)

    def kl(*params):
        if name == "MultivariateNormal":  # the covariances' gradients are symmetric
            params = [sym(p) if k % n == 1 else p for k, p in enumerate(params)]
        cls = getattr(D, name)
        return D.kl_divergence(cls(*params[:n]), cls(*params[n:]))

    assert td.gradcheck(kl, p_in + q_in)
    torch = pytest.importorskip("torch")
    t_in = [torch.tensor(f(a), requires_grad=True) for a in p_params + q_params]
    cls = getattr(torch.distributions, name)
    ref = torch.distributions.kl_divergence(cls(*t_in[:n]), cls(*t_in[n:]))
    out = kl(*(p_in + q_in))
    np.testing.assert_allclose(out.data, ref.detach().numpy(), rtol=1e-9, atol=1e-12)
    grads = td.grad(out.sum(), p_in + q_in)
    for g, tg in zip(grads, torch.autograd.grad(ref.sum(), t_in)):
        np.testing.assert_allclose(g.data, tg.numpy(), rtol=1e-7, atol=1e-10)


def test_kl_edge_cases_and_independent():
    inf = D.kl_divergence(D.Uniform(0.0, 2.0), D.Uniform(0.5, 3.0))
    assert inf.item() == np.inf
    b = D.kl_divergence(
        D.Bernoulli(td.tensor([0.0, 1.0, 0.5])), D.Bernoulli(td.tensor([0.5, 0.5, 0.0]))
    )
    assert b.data[0] == np.log(2) * np.float32(1) or abs(b.data[0] - np.log(2)) < 1e-6
    assert b.data[2] == np.inf
    loc, s = leaves([[0.0, 1.0]], [1.0, 2.0])
    p = D.Independent(D.Normal(loc, s), 1)
    q = D.Independent(D.Normal(td.tensor(f([[1.0, 1.0]])), td.tensor(f([1.0, 3.0]))), 1)
    expected = D.kl_divergence(D.Normal(loc, s), q.base_dist).sum(-1)
    np.testing.assert_allclose(D.kl_divergence(p, q).data, expected.data)
    with pytest.raises(NotImplementedError, match="different reinterpreted_batch_ndims"):
        D.kl_divergence(p, D.Independent(D.Normal(td.zeros(1, 2), 1.0), 2))


def test_register_kl_most_specific():
    class MyNormal(D.Normal):
        pass

    @D.register_kl(MyNormal, D.Normal)
    def _kl(p, q):
        return td.tensor(42.0)

    assert D.kl_divergence(MyNormal(0.0, 1.0), D.Normal(0.0, 1.0)).item() == 42.0
    assert D.kl_divergence(D.Normal(0.0, 1.0), MyNormal(1.0, 1.0)).item() == 0.5  # Normal-Normal


SECOND = [  # a scalar function of one parameter tensor: its gradient is gradchecked
    ("Gamma-kl", lambda a: D.kl_divergence(D.Gamma(a, 2.0), D.Gamma(1.5, a)).sum(), [0.7, 3.0]),
    ("Beta-entropy", lambda a: D.Beta(a, a * 2).entropy().sum(), [0.7, 3.0]),
    ("Categorical", lambda lg: D.Categorical(logits=lg).log_prob(td.tensor([2, 0])).sum(),
     [[0.3, 0.6, 0.1], [1, 2, 3]]),
    ("MVN", lambda L: D.MultivariateNormal(td.zeros(2), scale_tril=L.tril()).log_prob(
        td.tensor(f([0.3, -0.5]))), TRIL),
    ("Laplace-cdf", lambda s: D.Laplace(0.0, s).cdf(td.tensor(f([0.3, -0.5]))).sum(), [0.7, 2.0]),
]  # fmt: skip


@pytest.mark.parametrize("name,fn,param", SECOND, ids=[c[0] for c in SECOND])
def test_second_derivatives_by_gradcheck(name, fn, param):
    (x,) = leaves(param)
    assert td.gradcheck(lambda x: td.grad(fn(x), [x], create_graph=True)[0], [x])
