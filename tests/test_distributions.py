"""td.distributions (distributions/): log_prob, entropy, moments, cdf/icdf and samples'
shapes and dtypes against PyTorch's torch.distributions in float64 for a table of parameters;
closed forms against NumPy; sample statistics and seeding; validation errors by message;
batch-shape broadcasting and expand; and a real fit of a Normal by maximum likelihood."""

from __future__ import annotations

import math

import numpy as np
import pytest

import tinygrad_ds as td

D = td.distributions


def f(a):
    return np.array(a, dtype=np.float64)


# name, parameters, values for log_prob/cdf (a float64 table; the value array broadcasts)
CASES = [
    ("Normal", {"loc": f([0.0, 1.5]), "scale": f([1.0, 0.3])}, f([[0.2, -1.0], [3.0, 1.5]])),
    ("Normal", {"loc": f([[0.0], [2.0]]), "scale": f([1.0, 0.5, 2.0])}, f([0.1, 0.2, 0.3])),
    ("LogNormal", {"loc": f([0.0, 1.5]), "scale": f([1.0, 0.3])}, f([0.2, 3.0])),
    ("Uniform", {"low": f([0.0, -1.0]), "high": f([1.0, 3.0])}, f([0.2, 2.0])),
    ("Exponential", {"rate": f([0.5, 2.0])}, f([0.0, 2.0])),
    ("Laplace", {"loc": f([0.0, 1.5]), "scale": f([1.0, 0.3])}, f([0.2, -1.0])),
    ("Poisson", {"rate": f([0.5, 4.0, 0.0])}, f([0.0, 3.0, 0.0])),
    ("Binomial", {"total_count": f([5.0, 5.0]), "probs": f([0.3, 0.9])}, f([0.0, 3.0])),
    ("Binomial", {"total_count": f([5.0, 7.0]), "logits": f([0.3, -0.9])}, f([5.0, 3.0])),
    ("Bernoulli", {"probs": f([0.3, 0.9, 0.5])}, f([0.0, 1.0, 1.0])),
    ("Bernoulli", {"logits": f([0.3, -2.0])}, f([0.0, 1.0])),
    ("Categorical", {"probs": f([[0.3, 0.6, 0.1], [1, 2, 3]])}, np.array([2, 0])),
    ("Categorical", {"logits": f([[0.3, 0.6, 0.1], [1, 2, 3]])}, np.array([[2], [1]])),
    ("OneHotCategorical", {"logits": f([[0.3, 0.6, 0.1], [1, 2, 3]])}, f([[0, 0, 1], [1, 0, 0]])),
    ("Gamma", {"concentration": f([0.5, 3.0]), "rate": f([1.0, 2.0])}, f([0.2, 2.0])),
    ("Beta", {"concentration1": f([0.5, 3.0, 0.5]), "concentration0": f([1.0, 2.0, 0.7])},
     f([0.2, 0.7, 0.4])),
    ("Beta", {"concentration1": f([1.0, 3.0]), "concentration0": f([1.0, 0.5])}, f([0.2, 0.7])),
    ("Dirichlet", {"concentration": f([[0.5, 3.0, 1.0], [1, 2, 3]])},
     f([[0.2, 0.7, 0.1], [0.3, 0.3, 0.4]])),
    ("MultivariateNormal", {"loc": f([0.0, 1.0]), "covariance_matrix": f([[2, 0.3], [0.3, 1]])},
     f([[0.2, 0.7], [1, 2]])),
    ("MultivariateNormal", {"loc": f([[0.0, 1.0]]), "precision_matrix": f([[2, 0.3], [0.3, 1]])},
     f([0.2, 0.7])),
    ("MultivariateNormal", {"loc": f([0.0, 1.0]), "scale_tril": f([[[2, 0], [0.3, 1]]] * 3)},
     f([[0.2, 0.7]])),
]  # fmt: skip
IDS = [f"{name}-{i}" for i, (name, _, _) in enumerate(CASES)]


def make(name, params, lib):
    convert = td.tensor if lib is D else __import__("torch").tensor
    return getattr(lib, name)(**{k: convert(v) for k, v in params.items()})


def same(mine, ref, rtol=1e-9):
    ref = ref.detach().numpy()
    assert mine.shape == ref.shape
    np.testing.assert_allclose(mine.data, ref, rtol=rtol, atol=1e-12)


def torch_or_none(fn):
    try:
        return fn()
    except NotImplementedError:
        return None


@pytest.mark.parametrize("name,params,value", CASES, ids=IDS)
def test_against_torch(name, params, value):
    torch = pytest.importorskip("torch")
    d, ref = make(name, params, D), make(name, params, torch.distributions)
    assert d.batch_shape == tuple(ref.batch_shape) and d.event_shape == tuple(ref.event_shape)
    assert d.has_rsample == ref.has_rsample
    same(d.log_prob(td.tensor(value)), ref.log_prob(torch.tensor(value)))
    for moment in ("mean", "mode", "variance", "stddev"):
        expected = torch_or_none(lambda: getattr(ref, moment))  # noqa: B023
        if expected is not None:
            same(getattr(d, moment), expected)
    entropy = torch_or_none(ref.entropy)
    if entropy is not None:
        same(d.entropy(), entropy)
    cdf = torch_or_none(lambda: ref.cdf(torch.tensor(value)))
    if cdf is not None:  # (torch's gammainc is good to about 1e-9; ours to 1e-13)
        same(d.cdf(td.tensor(value)), cdf, rtol=1e-8 if name == "Gamma" else 1e-9)
    p = np.linspace(0.2, 0.9, max(math.prod(d.batch_shape), 1)).reshape(d.batch_shape)
    icdf = torch_or_none(lambda: ref.icdf(torch.tensor(p)))
    if icdf is not None:
        same(d.icdf(td.tensor(p)), icdf)
    shape = (2, *d.batch_shape)
    same(
        d.expand(shape).log_prob(td.tensor(value)), ref.expand(shape).log_prob(torch.tensor(value))
    )
    s, rs = d.sample((4, 1)), ref.sample((4, 1))
    assert s.shape == tuple(rs.shape) and str(s.dtype) == str(rs.dtype).split(".")[1]
    assert not s.requires_grad


def test_float32_stays_float32():
    d = D.Normal(td.tensor([0.0, 1.0]), 2.0)
    assert d.scale.dtype == np.float32 and d.sample((3,)).dtype == np.float32
    assert d.log_prob(0.5).dtype == np.float32 and d.entropy().dtype == np.float32
    g = D.Gamma(td.tensor([2.0]), 1.0)
    assert g.rsample().dtype == np.float32 and g.log_prob(td.tensor([1.0])).dtype == np.float32
    c = D.Categorical(logits=td.tensor([0.0, 1.0]))
    assert c.sample((5,)).dtype == np.int64 and c.log_prob(td.tensor(1)).dtype == np.float32
    d64 = D.Normal(td.tensor(f([0.0])), 1.0)
    assert d64.scale.dtype == np.float64  # numbers take the tensors' dtype


def test_closed_forms_against_numpy():
    x, mu, s = f([-1.0, 0.5, 2.0]), f([0.0, 1.0, 1.0]), f([1.0, 2.0, 0.5])
    d = D.Normal(td.tensor(mu), td.tensor(s))
    expected = -((x - mu) ** 2) / (2 * s**2) - np.log(s) - 0.5 * np.log(2 * np.pi)
    np.testing.assert_allclose(d.log_prob(td.tensor(x)).data, expected, rtol=1e-12)
    np.testing.assert_allclose(d.entropy().data, 0.5 + 0.5 * np.log(2 * np.pi) + np.log(s))
    rate, k = f([0.5, 3.0]), f([2.0, 0.0])
    lp = D.Poisson(td.tensor(rate)).log_prob(td.tensor(k)).data
    np.testing.assert_allclose(lp, k * np.log(rate) - rate - np.log([2.0, 1.0]), rtol=1e-12)
    probs = f([[0.2, 0.3, 0.5]])
    c = D.Categorical(probs=td.tensor(probs * 4))  # normalised
    np.testing.assert_allclose(c.probs.data, probs)
    np.testing.assert_allclose(c.entropy().data, -(probs * np.log(probs)).sum(-1))
    lp = D.Uniform(0.0, 2.0).log_prob(td.tensor(f([0.5, 1.9])))
    np.testing.assert_allclose(lp.data, [-np.log(2)] * 2)
    u = D.Uniform(0.0, 2.0, validate_args=False).log_prob(td.tensor(f([-1.0, 2.0])))
    assert np.all(u.data == -np.inf)  # outside [low, high) without validation


# -- sampling -----------------------------------------------------------------------------

STATS = [  # a distribution, its mean and variance (closed forms)
    (lambda: D.Normal(f(1.5), f(2.0)), 1.5, 4.0),
    (lambda: D.LogNormal(f(0.2), f(0.4)), math.exp(0.28), math.expm1(0.16) * math.exp(0.56)),
    (lambda: D.Uniform(f(-1.0), f(3.0)), 1.0, 16 / 12),
    (lambda: D.Exponential(f(2.0)), 0.5, 0.25),
    (lambda: D.Laplace(f(1.0), f(0.5)), 1.0, 0.5),
    (lambda: D.Poisson(f(3.0)), 3.0, 3.0),
    (lambda: D.Binomial(f(10.0), f(0.3)), 3.0, 2.1),
    (lambda: D.Bernoulli(f(0.3)), 0.3, 0.21),
    (lambda: D.Categorical(f([0.2, 0.3, 0.5])), 1.3, 0.61),
    (lambda: D.Gamma(f(2.5), f(2.0)), 1.25, 0.625),
    (lambda: D.Gamma(f(0.3), f(1.0)), 0.3, 0.3),
    (lambda: D.Beta(f(2.0), f(3.0)), 0.4, 0.04),
    (lambda: D.Dirichlet(f([2.0, 3.0])), 0.4, 0.04),  # its first coordinate: a Beta(2, 3)
]


@pytest.mark.parametrize("i", range(len(STATS)))
def test_sample_statistics(i):
    make_d, mean, var = STATS[i]
    td.manual_seed(i)
    x = make_d().sample((20000,)).data.astype(np.float64)
    if x.ndim == 2:  # the Dirichlet: its first coordinate
        x = x[:, 0]
    se = math.sqrt(var / 20000)
    assert abs(x.mean() - mean) < 5 * se
    assert abs(x.var() - var) < 0.06 * var


def test_rsample_statistics_and_multivariate_normal():
    td.manual_seed(3)
    cov = f([[2.0, 0.6], [0.6, 1.0]])
    x = D.MultivariateNormal(td.tensor(f([1.0, -1.0])), td.tensor(cov)).sample((20000,)).data
    np.testing.assert_allclose(x.mean(0), [1.0, -1.0], atol=0.05)
    np.testing.assert_allclose(np.cov(x.T), cov, atol=0.08)
    s = D.OneHotCategorical(td.tensor(f([0.2, 0.8]))).sample((20000,)).data
    assert s.shape == (20000, 2) and np.all(s.sum(-1) == 1)
    assert abs(s[:, 1].mean() - 0.8) < 0.015


def test_seeding_reproducible():
    dists = [D.Normal(0.0, 1.0), D.Gamma(2.0, 1.0), D.Categorical(td.tensor([0.5, 0.5])),
             D.Poisson(2.0), D.Dirichlet(td.tensor([1.0, 2.0]))]  # fmt: skip
    for d in dists:
        td.manual_seed(7)
        a = d.sample((50,)).data
        td.manual_seed(7)
        b = d.sample((50,)).data
        c = d.sample((50,)).data
        assert np.array_equal(a, b) and not np.array_equal(b, c)


# -- shapes -----------------------------------------------------------------------------------


def test_batch_shapes_broadcast_and_expand():
    d = D.Normal(td.zeros(3, 1), td.ones(4))
    assert d.batch_shape == (3, 4) and d.event_shape == ()
    assert d.sample((2,)).shape == (2, 3, 4) and d.log_prob(td.zeros(4)).shape == (3, 4)
    e = d.expand((5, 3, 4))
    assert e.batch_shape == (5, 3, 4) and e.loc.shape == (5, 3, 4) and e.sample().shape == (5, 3, 4)
    c = D.Categorical(logits=td.zeros(2, 3)).expand((4, 2))
    assert c.batch_shape == (4, 2) and c.logits.shape == (4, 2, 3) and c.sample().shape == (4, 2)
    m = D.MultivariateNormal(td.zeros(2), scale_tril=td.eye(2))
    assert m.expand((3,)).sample((5,)).shape == (5, 3, 2)
    ind = D.Independent(D.Normal(td.zeros(3, 4), 1.0), 1)
    assert ind.batch_shape == (3,) and ind.event_shape == (4,)
    assert ind.log_prob(td.zeros(3, 4)).shape == (3,) and ind.entropy().shape == (3,)
    assert ind.expand((2, 3)).batch_shape == (2, 3) and ind.has_rsample
    assert D.Dirichlet(td.ones(2, 3)).expand((4, 2)).sample().shape == (4, 2, 3)
    assert D.OneHotCategorical(td.ones(3)).expand((2,)).sample().shape == (2, 3)
    with pytest.raises(ValueError, match=r"Normal.expand: batch_shape \(3, 4\) cannot be"):
        d.expand((2, 4))


def test_enumerate_support():
    assert D.Bernoulli(td.tensor([0.3, 0.4])).enumerate_support().shape == (2, 2)
    support = D.Categorical(td.ones(2, 3)).enumerate_support(expand=False)
    assert support.shape == (3, 1) and support.dtype == np.int64
    assert D.Binomial(4, td.tensor([0.3])).enumerate_support().tolist() == [[0], [1], [2], [3], [4]]


# -- validation -------------------------------------------------------------------------------

ERRORS = [
    (lambda: D.Normal(0.0, -1.0), r"parameter scale .* of distribution Normal\(loc: 0.0, scale: "
     r"-1.0\) to satisfy the constraint GreaterThan\(lower_bound=0.0\)"),
    (lambda: D.Bernoulli(probs=1.5), r"parameter probs .* Interval\(lower_bound=0.0"),
    (lambda: D.Bernoulli(), r"Bernoulli: either `probs` or `logits` must be specified"),
    (lambda: D.Bernoulli(0.5, 0.0), r"Bernoulli: either `probs` or `logits`"),
    (lambda: D.Categorical(td.tensor(0.5)), r"Categorical: `probs` parameter must be at least one"),
    (lambda: D.Categorical(td.tensor([0.5, -0.1])), r"parameter probs .* Simplex"),
    (lambda: D.Uniform(1.0, 0.0), r"parameter low .* LessThan"),
    (lambda: D.Gamma(td.tensor([1.0, 0.0]), 1.0), r"parameter concentration \(Tensor of "
     r"shape \(2,\)"),
    (lambda: D.Poisson(-1.0), r"parameter rate .* GreaterThanEq"),
    (lambda: D.Binomial(2.5, 0.5), r"parameter total_count .* IntegerGreaterThanEq"),
    (lambda: D.MultivariateNormal(td.zeros(2)), r"exactly one of covariance_matrix"),
    (lambda: D.MultivariateNormal(td.zeros(2), td.tensor([[1.0, 2.0], [2.0, 1.0]])),
     r"parameter covariance_matrix .* PositiveDefinite"),
    (lambda: D.MultivariateNormal(td.zeros(2), td.eye(3)), r"must be .* \(\.\.\., 2, 2\)"),
    (lambda: D.Independent(D.Normal(td.zeros(2), 1.0), 2), r"actual 2 vs 1"),
    (lambda: D.Normal(0.0, 1.0).log_prob(td.tensor(math.nan)),
     r"Expected value argument \(Tensor of shape \(\)\) to be within the support \(Real\(\)\)"),
    (lambda: D.Exponential(1.0).log_prob(td.tensor([-1.0])), r"support \(GreaterThanEq"),
    (lambda: D.Bernoulli(0.3).log_prob(td.tensor(0.5)), r"support \(Boolean\(\)\) of the "
     r"distribution Bernoulli"),
    (lambda: D.Categorical(td.ones(3)).log_prob(td.tensor(3)), r"IntegerInterval\(lower_bound=0, "
     r"upper_bound=2\)"),
    (lambda: D.Uniform(0.0, 1.0).log_prob(td.tensor(1.0)), r"support \(HalfOpenInterval"),
    (lambda: D.Dirichlet(td.ones(3)).log_prob(td.ones(2)), r"right-most size of value must match"),
    (lambda: D.Normal(td.zeros(3), 1.0).log_prob(td.zeros(2)), r"not broadcastable with "
     r"batch_shape"),
    (lambda: D.Distribution.set_default_validate_args(1.5), r"expected a bool"),
    (lambda: D.Poisson(1.0).entropy(), r"Poisson.entropy is not implemented"),
    (lambda: D.Bernoulli(0.5).rsample(), r"Bernoulli has no rsample"),
    (lambda: D.kl_divergence(D.Normal(0.0, 1.0), D.Laplace(0.0, 1.0)),
     r"no KL\(p \|\| q\) is implemented for p = Normal, q = Laplace"),
    (lambda: D.register_kl(int, D.Normal), r"register_kl: expected a subclass of Distribution"),
]  # fmt: skip


@pytest.mark.parametrize("i", range(len(ERRORS)))
def test_errors(i):
    fn, message = ERRORS[i]
    with pytest.raises((ValueError, TypeError, NotImplementedError), match=message):
        fn()


def test_validate_args_off():
    d = D.Normal(0.0, -1.0, validate_args=False)  # no error; log_prob is then NaN
    with np.errstate(invalid="ignore"):
        assert np.isnan(d.log_prob(0.0).item())
    assert D.Exponential(1.0, validate_args=False).log_prob(td.tensor(-1.0)).item() == 1.0
    try:
        D.Distribution.set_default_validate_args(False)
        with np.errstate(invalid="ignore"):
            assert np.isnan(D.Normal(0.0, -1.0).log_prob(0.0).item())
    finally:
        D.Distribution.set_default_validate_args(True)
    with pytest.raises(ValueError, match="GreaterThan"):
        D.Normal(0.0, -1.0)


# -- learning ---------------------------------------------------------------------------------


def test_fit_normal_by_maximum_likelihood():
    """Adam on -mean log_prob: loc and exp(log_scale) reach the data's mean and std."""
    td.manual_seed(0)
    data = D.Normal(3.0, 0.5).sample((2000,))
    loc, log_scale = td.zeros(1, requires_grad=True), td.zeros(1, requires_grad=True)
    opt = td.optim.Adam([loc, log_scale], lr=0.05)
    for _ in range(400):
        opt.zero_grad()
        loss = -D.Normal(loc, log_scale.exp()).log_prob(data).mean()
        loss.backward()
        opt.step()
    x = data.data.astype(np.float64)
    assert abs(loc.item() - x.mean()) < 0.01
    assert abs(math.exp(log_scale.item()) - x.std()) < 0.01


def test_reparameterised_fit_by_kl():
    """A reparameterised objective: minimising E_q[log q - log p] by rsample moves q to p."""
    td.manual_seed(1)
    p = D.Normal(td.tensor([1.0, -2.0]), td.tensor([0.5, 2.0]))
    loc, log_scale = td.zeros(2, requires_grad=True), td.zeros(2, requires_grad=True)
    opt = td.optim.Adam([loc, log_scale], lr=0.05)
    for _ in range(500):
        opt.zero_grad()
        q = D.Normal(loc, log_scale.exp())
        z = q.rsample((64,))
        (q.log_prob(z) - p.log_prob(z)).mean(0).sum().backward()
        opt.step()
    np.testing.assert_allclose(loc.data, [1.0, -2.0], atol=0.15)
    np.testing.assert_allclose(np.exp(log_scale.data), [0.5, 2.0], rtol=0.1)
