"""Special functions (ops/gamma.py, torch_api/special.py, td.special): values against NumPy
closed forms, `math.lgamma` and mpmath, gradients against central differences in float64,
second derivatives, special values, errors by message, and values and gradients against
PyTorch when it is installed."""

from __future__ import annotations

import math

import numpy as np
import pytest
from helpers import check_op

import tinygrad_ds as td

R = np.random.default_rng(7)
INF, NAN = math.inf, math.nan


def r(*shape):
    return R.standard_normal(shape)


def lgamma_np(x):
    return np.vectorize(math.lgamma)(x)


def ndtr_np(x):
    return np.vectorize(lambda v: math.erfc(-v / math.sqrt(2)) / 2)(x)


def cumtrapz_np(y, dx):
    return np.cumsum((y[..., 1:] + y[..., :-1]) / 2 * dx, axis=-1)


def renorm_np(x, p, dim, maxnorm):
    axes = tuple(d for d in range(x.ndim) if d != dim)
    norm = np.sum(np.abs(x) ** p, axis=axes, keepdims=True) ** (1 / p)
    return x * np.where(norm > maxnorm, maxnorm / (norm + 1e-7), 1.0)


X_GAMMA = np.array([-2.5, -0.3, 0.2, 0.7, 1.3, 2.4, 3.3, 15.0, 30.0])
X_BESSEL = np.array([-25.0, -3.0, -0.5, 0.4, 2.0, 19.9, 20.1, 40.0])
FW, AW = np.array([1, 2, 1, 1, 3]), R.random(5) + 0.5

DIFFERENTIABLE = [
    # name, fn, reference, inputs (float64, all require grad)
    ("lgamma", lambda x: x.lgamma(), lgamma_np, [X_GAMMA]),
    ("lgamma_2d", td.lgamma, lgamma_np, [np.abs(r(3, 4)) * 5 + 0.1]),
    ("mvlgamma_3", lambda x: x.mvlgamma(3),
     lambda x: sum(lgamma_np(x - i / 2) for i in range(3)) + 1.5 * math.log(math.pi),
     [np.array([1.2, 2.0, 7.5])]),
    ("i0", lambda x: x.i0(), np.i0, [X_BESSEL]),
    ("sinc", td.sinc, np.sinc, [np.array([0.3, -1.7, 2.2, 0.01])]),
    ("logaddexp_broadcast", td.logaddexp, np.logaddexp, [r(4), r(3, 1)]),
    ("logaddexp_far", lambda x, y: x.logaddexp(y), np.logaddexp, [r(5) * 300, r(5)]),
    ("logaddexp2", td.logaddexp2, np.logaddexp2, [r(2, 3) * 40, r(3)]),
    ("xlog1py", td.special.xlog1py, lambda x, y: x * np.log1p(y),
     [r(4), np.array([0.5, 0.3, -0.4, 3.0])]),
    ("entr", td.special.entr, lambda x: -x * np.log(x), [np.array([0.1, 1.0, 2.5])]),
    ("ndtr", td.special.ndtr, ndtr_np, [np.array([-10.0, -1.0, 0.0, 2.0])]),
    ("log_ndtr", td.special.log_ndtr, lambda x: np.log(ndtr_np(x)),
     [np.array([-30.0, -5.0, -1.5, -0.5, 0.0, 3.0])]),
    ("expit", td.special.expit, lambda x: 1 / (1 + np.exp(-x)), [r(3)]),
    ("fmax", td.fmax, np.fmax, [r(3, 4), r(4)]),
    ("fmin", lambda x, y: x.fmin(y), np.fmin, [r(3, 4), r(3, 1)]),
    ("ldexp", td.ldexp, lambda x, e: x * 2.0**e, [r(4), np.array([1.0, -2.0, 3.0, 0.5])]),
    ("frexp_mantissa", lambda x: td.frexp(x).mantissa, lambda x: np.frexp(x)[0],
     [np.array([1.3, 3.1, -5.7, 0.2])]),
    ("trapezoid_dx", lambda y: td.trapezoid(y, dx=0.5),
     lambda y: np.trapezoid(y, dx=0.5, axis=-1), [r(3, 5)]),
    ("trapezoid_x_dim0", lambda y, x: td.trapezoid(y, x, dim=0),
     lambda y, x: np.trapezoid(y, x, axis=0), [r(4, 3), np.cumsum(R.random(4))]),
    ("trapezoid_x_full", lambda y, x: td.trapezoid(y, x),
     lambda y, x: np.trapezoid(y, x, axis=-1), [r(2, 4), np.cumsum(R.random((2, 4)), -1)]),
    ("trapz", lambda y: td.trapz(y), lambda y: np.trapezoid(y, axis=-1), [r(3, 4)]),
    ("cumulative_trapezoid", lambda y: td.cumulative_trapezoid(y, dx=0.3),
     lambda y: cumtrapz_np(y, 0.3), [r(2, 5)]),
    ("cov", lambda x: x.cov(), np.cov, [r(3, 6)]),
    ("cov_1d", td.cov, np.cov, [r(6)]),
    ("cov_weights", lambda x, a: td.cov(x, correction=0, fweights=FW, aweights=a),
     lambda x, a: np.cov(x, ddof=0, fweights=FW, aweights=a), [r(3, 5), AW]),
    ("cov_aweights_corr2", lambda x: td.cov(x, correction=2, aweights=AW),
     lambda x: np.cov(x, ddof=2, aweights=AW), [r(2, 5)]),
    ("corrcoef", td.corrcoef, np.corrcoef, [r(3, 6)]),
    ("renorm_2_dim0", lambda x: x.renorm(2, 0, 1.0), lambda x: renorm_np(x, 2, 0, 1.0),
     [r(3, 4)]),
    ("renorm_1_dim_neg", lambda x: td.renorm(x, 1, -1, 2.0),
     lambda x: renorm_np(x, 1, 2, 2.0), [r(2, 3, 4)]),
    ("logdet", td.logdet, lambda a: np.linalg.slogdet(a)[1],
     [r(3, 3) @ r(3, 3).T + 3 * np.eye(3)]),
]  # fmt: skip


@pytest.mark.parametrize(
    "fn, reference, arrays", [c[1:] for c in DIFFERENTIABLE], ids=[c[0] for c in DIFFERENTIABLE]
)
def test_value_and_gradient(fn, reference, arrays):
    check_op(fn, reference, arrays)


# -- accuracy against mpmath ---------------------------------------------------------------


def _mp(f):
    def ref(x):
        return np.array([float(f(v)) for v in np.ravel(x)]).reshape(np.shape(x))

    return ref


MPMATH = [
    # name, fn, mpmath function of one float, inputs
    ("digamma", td.digamma, "digamma", X_GAMMA),
    ("polygamma_1", lambda x: td.polygamma(1, x), ("polygamma", 1), X_GAMMA),
    ("polygamma_2", lambda x: x.polygamma(2), ("polygamma", 2), X_GAMMA),
    ("polygamma_5", lambda x: x.polygamma(5), ("polygamma", 5), X_GAMMA),
    ("i1", td.special.i1, ("besseli", 1), X_BESSEL),
    ("i0e", td.special.i0e, "i0e", X_BESSEL),
    ("i1e", td.special.i1e, "i1e", X_BESSEL),
    ("erfcx", td.special.erfcx, "erfcx", np.array([-5.0, -0.5, 0.0, 0.3, 0.5, 2.0, 30.0, 1e3])),
    ("ndtri", td.special.ndtri, "ndtri", np.array([1e-4, 0.1, 0.5, 0.9, 1 - 1e-4])),
]


def _mpmath_function(mp, spec):
    if spec == "i0e":
        return lambda v: mp.besseli(0, v) * mp.exp(-abs(v))
    if spec == "i1e":
        return lambda v: mp.besseli(1, v) * mp.exp(-abs(v))
    if spec == "erfcx":
        return lambda v: mp.exp(mp.mpf(v) ** 2) * mp.erfc(v)
    if spec == "ndtri":
        return lambda v: mp.sqrt(2) * mp.erfinv(2 * mp.mpf(v) - 1)
    if isinstance(spec, tuple):
        name, n = spec
        return lambda v: getattr(mp, name)(n, v)
    return getattr(mp, spec)


@pytest.mark.parametrize("fn, spec, x", [c[1:] for c in MPMATH], ids=[c[0] for c in MPMATH])
def test_value_and_gradient_against_mpmath(fn, spec, x):
    mp = pytest.importorskip("mpmath")
    with mp.workdps(40):
        reference = _mp(_mpmath_function(mp, spec))
        check_op(fn, reference, [x])


@pytest.mark.parametrize(
    "fn, spec, x",
    [
        (td.lgamma, "loggamma", np.concatenate([np.geomspace(1e-8, 1e5, 300), 1 + 1e-9 * r(5),
                                                2 + 1e-9 * r(5), -np.geomspace(0.013, 47.3, 99)])),
        (td.digamma, "digamma", np.concatenate([np.geomspace(1e-8, 1e5, 300),
                                                -np.geomspace(0.013, 47.3, 99)])),
        (lambda x: td.polygamma(3, x), ("polygamma", 3), np.geomspace(1e-3, 1e4, 200)),
        (lambda x: td.polygamma(2, x), ("polygamma", 2), -np.geomspace(0.013, 98765.4, 150)),
        (lambda x: td.polygamma(7, x), ("polygamma", 7), np.array([-1e4 - 0.5, -2.5, -0.3])),
        (td.i0, ("besseli", 0), np.linspace(-700, 700, 301)),
        (td.special.i1e, "i1e", np.linspace(-1000, 1000, 301)),
        (td.special.erfcx, "erfcx", np.concatenate([np.linspace(-26, 26, 201),
                                                    np.geomspace(26, 1e12, 50)])),
    ],
    ids=["lgamma", "digamma", "polygamma_3", "polygamma_2_neg", "polygamma_7_neg", "i0", "i1e",
         "erfcx"],
)  # fmt: skip
def test_accurate_over_wide_ranges(fn, spec, x):
    mp = pytest.importorskip("mpmath")
    with mp.workdps(40):
        f = _mpmath_function(mp, spec)
        if spec == "loggamma":  # log |Gamma| (mpmath's loggamma is complex for x < 0)
            f = lambda v: mp.log(abs(mp.gamma(v)))  # noqa: E731
        expected = _mp(f)(x)
    np.testing.assert_allclose(fn(x).data, expected, rtol=5e-13)


def test_lgamma_matches_math_lgamma_and_keeps_its_roots():
    x = np.concatenate([np.linspace(-30.3, 170.7, 2001), np.geomspace(1e-300, 1e300, 200)])
    x = x[~((x <= 0) & (x == np.round(x)))]
    np.testing.assert_allclose(td.lgamma(x).data, lgamma_np(x), rtol=1e-12, atol=1e-14)
    z = np.array([1e-12, -1e-12, 1e-7])  # lgamma(1 + z) ~ -gamma z, lgamma(2 + z) ~ (1-gamma) z
    z1, z2 = (1 + z) - 1, (2 + z) - 2  # (the z that 1 + z and 2 + z hold)
    np.testing.assert_allclose(td.lgamma(1 + z).data, -0.5772156649015329 * z1, rtol=1e-6)
    np.testing.assert_allclose(td.lgamma(2 + z).data, 0.42278433509846713 * z2, rtol=1e-6)
    assert td.lgamma([1.0, 2.0]).data.tolist() == [0.0, 0.0]


def test_ndtri_within_an_ulp_or_two():
    mp = pytest.importorskip("mpmath")
    p = np.concatenate([np.geomspace(1e-25, 0.5, 80), np.linspace(0.001, 0.999, 101)[1:-1],
                        [0.25, 0.25 * (1 - 1e-16), 0.5 - 1e-12, 1e-3]])  # fmt: skip
    with mp.workdps(60):
        expected = [float(-mp.sqrt(2) * mp.erfinv(1 - 2 * mp.mpf(v))) for v in p]
    np.testing.assert_allclose(td.special.ndtri(p).data, expected, rtol=2e-15)


def test_ndtri_inverts_ndtr_far_into_the_tails():
    p = np.concatenate([np.geomspace(1e-300, 0.5, 60), 1 - np.geomspace(1e-16, 0.5, 30)])
    z = td.special.ndtri(p).data
    back = td.special.ndtr(z).data
    np.testing.assert_allclose(back, p, rtol=1e-12)
    np.testing.assert_allclose(td.special.log_ndtr(z[:60]).data, np.log(p[:60]), rtol=1e-12)


def test_special_values():
    def v(f, x):
        return f(np.array(x, dtype=np.float64)).data.tolist()

    assert v(td.lgamma, [0.0, -1.0, -2.0, INF, -INF]) == [INF] * 5
    assert np.isnan(v(td.lgamma, [NAN])[0])
    out = v(td.digamma, [0.0, -1.0, INF, -INF, NAN])
    assert out[0] == -INF and out[2] == INF and np.isnan([out[1], out[3], out[4]]).all()
    assert v(lambda x: td.polygamma(1, x), [0.0, -3.0, INF]) == [INF, INF, 0.0]
    assert v(lambda x: td.polygamma(2, x), [0.0])[0] == -INF
    assert v(td.i0, [0.0, 800.0, -INF]) == [1.0, INF, INF]
    assert v(td.special.i1, [0.0, -800.0]) == [0.0, -INF]
    assert v(td.special.i0e, [INF]) == [0.0] and v(td.special.i1e, [0.0]) == [0.0]
    assert v(td.special.erfcx, [-30.0, 0.0]) == [INF, 1.0]
    assert v(td.special.ndtri, [0.0, 1.0, 0.5]) == [-INF, INF, 0.0]
    assert np.isnan(v(td.special.ndtri, [-0.1, 1.5])).all()
    assert v(td.special.log_ndtr, [INF, -INF]) == [0.0, -INF]
    np.testing.assert_allclose(v(td.special.log_ndtr, [-40.0]), [-804.6084420137538], rtol=1e-13)
    assert v(td.special.entr, [0.0, -1.0]) == [0.0, -INF]
    assert v(lambda x: td.logaddexp(x, x), [INF, -INF]) == [INF, -INF]
    assert v(lambda x: td.logaddexp(x, np.array([1.0])), [-INF])[0] == 1.0
    assert np.isnan(v(lambda x: td.fmax(x, np.array([NAN, NAN])), [NAN, 1.0])).tolist() == [
        True, False]  # fmt: skip
    assert v(lambda x: td.fmin(x, np.array([2.0])), [NAN]) == [2.0]
    assert v(lambda x: td.special.xlog1py(np.array([0.0]), x), [-1.0]) == [0.0]


def test_incomplete_gamma_and_zeta_against_mpmath():
    mp = pytest.importorskip("mpmath")
    a = np.array([0.5, 1.0, 5.0, 100.0, 1e3, 0.1, 30.0, 2.5])
    x = np.array([0.3, 2.0, 5.0, 120.0, 1010.0, 50.0, 2.0, 1e-3])
    with mp.workdps(30):
        p = [float(mp.gammainc(u, 0, v, regularized=True)) for u, v in zip(a, x)]
        q = [float(mp.gammainc(u, v, mp.inf, regularized=True)) for u, v in zip(a, x)]
        s, v = np.array([2.0, 3.5, 1.5, 6.0, 2.0]), np.array([1.0, 2.0, 0.3, 1e9, -1.5])
        z = [float(mp.zeta(si, vi)) for si, vi in zip(s, v)]
    np.testing.assert_allclose(td.special.gammainc(a, x).data, p, rtol=1e-12)
    np.testing.assert_allclose(td.special.gammaincc(a, x).data, q, rtol=1e-12)
    np.testing.assert_allclose(td.special.zeta(s, v).data, z, rtol=1e-14)


def test_incomplete_gamma_and_zeta_special_values_and_gradients():
    a = np.array([0.0, 2.0, 2.0, -1.0, 1.0])
    x = np.array([1.0, 0.0, np.inf, 1.0, -1.0])
    assert np.array_equal(td.special.gammainc(a, x).data, [1, 0, 1, np.nan, np.nan], equal_nan=True)
    assert np.array_equal(td.special.gammaincc(a, x).data, [0, 1, 0, np.nan, np.nan],
                          equal_nan=True)  # fmt: skip
    z = td.special.zeta([1.0, 0.5, 2.0, 2.0], [1.0, 1.0, -2.0, np.inf])
    assert np.array_equal(z.data, [np.inf, np.nan, np.inf, 0.0], equal_nan=True)
    a = td.tensor([0.5, 3.0, 40.0], dtype=td.float64)
    for fn in (td.special.gammainc, td.special.gammaincc):
        check_op(lambda x, fn=fn: fn(a, x), lambda x, fn=fn: fn(a, x).data,
                 [np.array([0.7, 2.0, 45.0])])  # fmt: skip
    s = td.tensor([2.0, 3.5], dtype=td.float64)
    check_op(lambda q: td.special.zeta(s, q), lambda q: td.special.zeta(s, q).data,
             [np.array([0.7, 3.0])])  # fmt: skip

    def second(x):
        (g,) = td.grad(td.special.gammainc(a, x).sum(), [x], create_graph=True)
        return g

    assert td.gradcheck(second, [td.tensor([0.7, 2.0, 45.0], requires_grad=True)])
    for fn, what in [(td.special.gammainc, "gammainc"), (td.special.gammaincc, "gammaincc"),
                     (td.special.zeta, "zeta")]:  # fmt: skip
        first = td.tensor([2.0], requires_grad=True)
        with pytest.raises(RuntimeError, match=f"{what}: the derivative with respect to"):
            fn(first, td.tensor([1.5])).sum().backward()


def test_sinc_at_zero_is_one_with_gradient_zero_and_the_right_curvature_away():
    x = td.tensor([0.0, 0.5], dtype=td.float64, requires_grad=True)
    y = x.sinc()
    (g,) = td.grad(y.sum(), [x], create_graph=True)
    assert y.data[0] == 1.0 and g.data[0] == 0.0
    np.testing.assert_allclose(g.data[1], (0.5 * math.pi * 0 - 1) / (0.5**2 * math.pi), rtol=1e-12)


SECOND = [
    ("lgamma", td.lgamma, np.array([0.3, 2.5, 20.0])),
    ("digamma", td.digamma, np.array([-0.4, 1.5, 12.0])),
    ("i0", td.i0, np.array([-3.0, 0.5, 25.0])),
    ("i1", td.special.i1, np.array([-3.0, 0.0, 25.0])),
    ("i0e", td.special.i0e, np.array([-3.0, 0.5, 25.0])),
    ("i1e", td.special.i1e, np.array([-3.0, 0.0, 25.0])),
    ("erfcx", td.special.erfcx, np.array([-1.0, 0.2, 5.0])),
    ("ndtri", td.special.ndtri, np.array([0.01, 0.5, 0.8])),
    ("log_ndtr", td.special.log_ndtr, np.array([-8.0, -0.5, 2.0])),
]


@pytest.mark.parametrize("fn, x", [c[1:] for c in SECOND], ids=[c[0] for c in SECOND])
def test_second_derivative(fn, x):
    def derivative(t):
        (g,) = td.grad(fn(t).sum(), [t], create_graph=True)
        return g

    assert td.gradcheck(derivative, [td.tensor(x, requires_grad=True)])


def test_derivative_chain_lgamma_digamma_polygamma():
    x = td.tensor([0.7, 3.0], dtype=td.float64, requires_grad=True)
    (g1,) = td.grad(td.lgamma(x).sum(), [x], create_graph=True)
    (g2,) = td.grad(g1.sum(), [x], create_graph=True)
    (g3,) = td.grad(g2.sum(), [x])
    np.testing.assert_allclose(g1.data, td.digamma(x).data)
    np.testing.assert_allclose(g2.data, td.polygamma(1, x).data)
    np.testing.assert_allclose(g3.data, td.polygamma(2, x).data)


@pytest.mark.parametrize(
    "fn",
    [td.lgamma, td.digamma, td.i0, td.sinc, td.special.i1e, td.special.erfcx, td.special.ndtr,
     td.special.log_ndtr, td.special.entr, lambda x: td.polygamma(2, x), td.corrcoef,
     lambda x: td.logaddexp(x, x), lambda x: td.special.ndtri(x.sigmoid())],
)  # fmt: skip
def test_float32_stays_float32(fn):
    x = td.tensor(R.random((2, 3)) + 0.1, dtype=td.float32, requires_grad=True)
    y = fn(x)
    assert y.dtype == np.float32
    y.sum().backward()
    assert x.grad.dtype == np.float32


def test_integer_inputs():
    assert td.lgamma([1, 2, 5]).dtype == np.float32  # (the default float, as PyTorch)
    a, b = td.tensor([12, -18, 0, 7]), td.tensor([8, 12, 0, 3])
    assert td.gcd(a, b).data.tolist() == np.gcd(a.data, b.data).tolist() == [4, 6, 0, 1]
    assert a.lcm(b).data.tolist() == [24, 36, 0, 21]
    assert td.gcd(a, b).dtype == np.int64 and not td.gcd(a, b).requires_grad
    assert td.ldexp(td.tensor([1, 3]), td.tensor([2, -1])).data.tolist() == [4.0, 1.5]
    m, e = td.frexp(td.tensor([8.0, 0.0, -0.75, INF]))
    assert m.data.tolist() == [0.5, 0.0, -0.75, INF] and e.data.tolist() == [4, 0, 0, 0]
    assert e.dtype == np.int32
    x = td.tensor([1.0, 2.0], dtype=td.float32)
    n = td.nextafter(x, td.tensor([2.0, 0.0], dtype=td.float32))
    assert n.data.tolist() == np.nextafter(x.data, np.float32([2, 0])).tolist()


def test_fmax_gradient_goes_to_self_at_ties_and_past_nan():
    x = td.tensor([1.0, 2.0, NAN, 3.0], requires_grad=True)
    y = td.tensor([1.0, NAN, 2.0, 5.0], requires_grad=True)
    td.fmax(x, y).sum().backward()
    assert x.grad.data.tolist() == [1.0, 1.0, 0.0, 0.0]
    assert y.grad.data.tolist() == [0.0, 0.0, 1.0, 1.0]


def test_special_namespace_aliases():
    x = td.tensor(R.random(5) * 0.8 + 0.1, dtype=td.float64)
    s = td.special
    np.testing.assert_allclose(s.expit(x).data, x.sigmoid().data)
    np.testing.assert_allclose(s.logit(x).data, np.log(x.data / (1 - x.data)))
    np.testing.assert_allclose(s.gammaln(x).data, td.lgamma(x).data)
    np.testing.assert_allclose(s.psi(x).data, td.digamma(x).data)
    np.testing.assert_allclose(s.multigammaln(x + 2, 2).data, td.mvlgamma(x + 2, 2).data)
    np.testing.assert_allclose(s.softmax(x, 0).data, x.softmax(0).data)
    np.testing.assert_allclose(s.log_softmax(x, 0, dtype=td.float32).data,
                               x.float().log_softmax(0).data)  # fmt: skip
    np.testing.assert_allclose(s.logsumexp(x, 0).data, np.log(np.exp(x.data).sum()))
    for name in ("erf", "erfc", "erfinv", "expm1", "log1p", "exp2", "round", "sinc", "i0"):
        assert callable(getattr(s, name))
    assert set(s.__all__) <= set(dir(s))


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: td.polygamma(-1, [1.0]), ValueError, r"polygamma: n must be a nonnegative"),
        (lambda: td.polygamma(1.5, [1.0]), TypeError, r"polygamma"),
        (lambda: td.mvlgamma([3.0], 0), ValueError, r"mvlgamma: p must be at least 1"),
        (lambda: td.frexp(td.tensor([1, 2])), TypeError, r"frexp: expects a floating"),
        (lambda: td.nextafter(td.tensor([1]), td.tensor([2])), TypeError, r"nextafter"),
        (lambda: td.gcd(td.tensor([1.0]), td.tensor([2])), TypeError, r"gcd: expects integer"),
        (lambda: td.lcm(td.tensor([1, 2]), td.tensor([1, 2, 3])), ValueError, r"lcm: shapes"),
        (lambda: td.fmax(td.tensor([True]), td.tensor([False])), TypeError, r"fmax: not def"),
        (lambda: td.logaddexp(td.ones(2), td.ones(3)), ValueError, r"logaddexp: shapes"),
        (lambda: td.cov(td.ones((2, 2, 2))), ValueError, r"cov: expects a 1-D or 2-D"),
        (lambda: td.cov(td.ones((2, 3)), fweights=[1, 2]), ValueError, r"cov: fweights must"),
        (lambda: td.cov(td.ones((2, 3)), fweights=[1.0, 2, 1]), ValueError, r"fweights must"),
        (lambda: td.cov(td.ones((2, 3)), fweights=[1, -2, 1]), ValueError, r"negative"),
        (lambda: td.cov(td.ones((2, 3)), aweights=[1, 2, 1]), ValueError, r"aweights must"),
        (lambda: td.corrcoef(td.ones((2, 2, 2))), ValueError, r"corrcoef: expects"),
        (lambda: td.trapezoid(td.ones(3), td.ones(4)), ValueError, r"trapezoid: x of shape"),
        (lambda: td.trapezoid(td.ones(3), td.ones(3), dx=1.0), TypeError, r"x or dx"),
        (lambda: td.trapezoid(td.tensor(1.0)), ValueError, r"trapezoid: expects a tensor"),
        (lambda: td.cumulative_trapezoid(td.ones(3), dim=2), IndexError, r"cumulative_trap"),
        (lambda: td.renorm(td.ones((2, 2)), 0, 0, 1.0), ValueError, r"renorm: p must"),
        (lambda: td.renorm(td.ones((2, 2)), 2, 0, -1.0), ValueError, r"renorm: maxnorm"),
        (lambda: td.renorm(td.tensor([[1, 2]]), 2, 0, 1.0), TypeError, r"renorm: expects"),
        (lambda: td.logdet(td.ones((2, 3))), ValueError, r"slogdet: expects square"),
        (lambda: td.lgamma("x"), TypeError, r"lgamma"),
    ],
)
def test_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()


# -- against PyTorch -----------------------------------------------------------------------


TORCH_CASES = [
    # name, our fn, torch fn (given the torch module), inputs
    ("lgamma", td.lgamma, lambda t: t.lgamma, [X_GAMMA]),
    ("digamma", td.digamma, lambda t: t.digamma, [X_GAMMA]),
    ("polygamma_3", lambda x: td.polygamma(3, x), lambda t: lambda x: t.polygamma(3, x),
     [X_GAMMA]),
    ("mvlgamma", lambda x: td.mvlgamma(x, 4), lambda t: lambda x: t.mvlgamma(x, 4),
     [np.array([1.6, 3.0, 8.2])]),
    ("i0", td.i0, lambda t: t.i0, [X_BESSEL]),
    ("i1", td.special.i1, lambda t: t.special.i1, [X_BESSEL]),
    ("i0e", td.special.i0e, lambda t: t.special.i0e, [X_BESSEL]),
    ("i1e", td.special.i1e, lambda t: t.special.i1e, [np.append(X_BESSEL, 0.0)]),
    ("sinc", td.sinc, lambda t: t.sinc, [np.array([0.0, 0.3, -1.7, 2.0])]),
    ("erfcx", td.special.erfcx, lambda t: t.special.erfcx, [np.array([-3, -0.5, 0, 2, 30.0])]),
    ("ndtr", td.special.ndtr, lambda t: t.special.ndtr, [np.array([-10.0, -1.0, 0.0, 2.0])]),
    ("ndtri", td.special.ndtri, lambda t: t.special.ndtri, [np.array([1e-10, 0.1, 0.5, 0.9])]),
    ("log_ndtr", td.special.log_ndtr, lambda t: t.special.log_ndtr,
     [np.array([-40.0, -5.0, -1.5, -0.5, 0.0, 3.0, 10.0])]),
    ("entr", td.special.entr, lambda t: t.special.entr, [np.array([0.1, 1.0, 2.0])]),
    ("xlog1py", td.special.xlog1py, lambda t: t.special.xlog1py,
     [np.array([0.0, 1.0, 2.0]), np.array([0.5, 0.3, -0.4])]),
    ("logaddexp", td.logaddexp, lambda t: t.logaddexp, [r(3, 4) * 10, r(4)]),
    ("logaddexp2", td.logaddexp2, lambda t: t.logaddexp2, [r(3, 4) * 10, r(4)]),
    ("fmax_nan_ties", td.fmax, lambda t: t.fmax,
     [np.array([1.0, NAN, 3.0, 2.0]), np.array([2.0, 1.0, NAN, 2.0])]),
    ("fmin_nan_ties", td.fmin, lambda t: t.fmin,
     [np.array([1.0, NAN, 3.0, 2.0]), np.array([2.0, 1.0, NAN, 2.0])]),
    ("ldexp", td.ldexp, lambda t: t.ldexp, [r(3), np.array([1.0, 2.0, -3.0])]),
    ("trapezoid", lambda y, x: td.trapezoid(y, x), lambda t: t.trapezoid,
     [r(3, 4), np.cumsum(R.random(4))]),
    ("cumulative_trapezoid", lambda y: td.cumulative_trapezoid(y, dx=0.3, dim=0),
     lambda t: lambda y: t.cumulative_trapezoid(y, dx=0.3, dim=0), [r(4, 3)]),
    ("cov", lambda x: td.cov(x, correction=0, aweights=AW), lambda t: lambda x: t.cov(
        x, correction=0, aweights=t.tensor(AW)), [r(3, 5)]),
    ("corrcoef", td.corrcoef, lambda t: t.corrcoef, [r(3, 5)]),
    ("renorm", lambda x: td.renorm(x, 3, 1, 0.8), lambda t: lambda x: t.renorm(x, 3, 1, 0.8),
     [r(3, 4)]),
    ("gammainc", lambda x: td.special.gammainc(np.array([0.5, 4.0, 15.0]), x),
     lambda t: lambda x: t.special.gammainc(t.tensor([0.5, 4.0, 15.0], dtype=t.float64), x),
     [np.array([0.2, 6.0, 13.0])]),
    ("gammaincc", lambda x: td.special.gammaincc(np.array([0.5, 4.0, 15.0]), x),
     lambda t: lambda x: t.special.gammaincc(t.tensor([0.5, 4.0, 15.0], dtype=t.float64), x),
     [np.array([0.2, 6.0, 13.0])]),
    ("zeta", lambda q: td.special.zeta(np.array([2.0, 3.5, 2.0]), q),
     lambda t: lambda q: t.special.zeta(t.tensor([2.0, 3.5, 2.0]), q),
     [np.array([1.0, 2.5, -1.5])]),
    ("logdet_negative", td.logdet, lambda t: t.logdet,
     [np.array([[[2.0, 1.0], [1.0, 3.0]], [[0.0, 1.0], [1.0, 0.0]]])]),
]  # fmt: skip


@pytest.mark.parametrize(
    "ours, theirs, arrays", [c[1:] for c in TORCH_CASES], ids=[c[0] for c in TORCH_CASES]
)
def test_against_torch(ours, theirs, arrays):
    torch = pytest.importorskip("torch")
    xs = [td.tensor(a, dtype=td.float64, requires_grad=True) for a in arrays]
    ts = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in arrays]
    y, ty = ours(*xs), theirs(torch)(*ts)
    np.testing.assert_allclose(y.data, ty.detach().numpy(), rtol=1e-10, atol=1e-13)
    upstream = np.cos(np.arange(y.numel())).reshape(y.shape)
    (y * upstream).sum().backward()
    (ty * torch.tensor(upstream)).sum().backward()
    for x, t in zip(xs, ts):
        np.testing.assert_allclose(x.grad.data, t.grad.numpy(), rtol=1e-9, atol=1e-12)


def test_integer_functions_against_torch():
    torch = pytest.importorskip("torch")
    a, b = R.integers(-50, 50, 20), R.integers(-50, 50, 20)
    assert td.gcd(a, b).data.tolist() == torch.gcd(torch.tensor(a), torch.tensor(b)).tolist()
    assert td.lcm(a, b).data.tolist() == torch.lcm(torch.tensor(a), torch.tensor(b)).tolist()
    x = np.array([3.0, -0.1, 1e-300, 0.0, 1024.0])
    m, e = td.frexp(x)
    tm, te = torch.frexp(torch.tensor(x))
    assert m.data.tolist() == tm.tolist() and e.data.tolist() == te.tolist()
    # (a subnormal, where PyTorch 2.13's mantissa is inf, as np.frexp)
    assert td.frexp(np.array([1e-310])).mantissa.data.tolist() == [np.frexp(1e-310)[0]]
