"""The error function (ops/special.py), the activations of nn.functional and their modules
(nn/activation.py). Values against math.erf and NumPy closed forms, gradients against central
differences in float64, PyTorch's gradients at the kinks, stability at +-1e4, errors by
message, and values and gradients against PyTorch when it is installed."""

from __future__ import annotations

import math

import numpy as np
import pytest
from helpers import away_from, check_op

import tinygrad_ds as td
import tinygrad_ds.nn.functional as F
from tinygrad_ds import nn
from tinygrad_ds.ops.special import _CHEBYSHEV, erf_array, erfc_array, erfinv_array

R = np.random.default_rng(7)
SQRT2 = math.sqrt(2.0)


def r(*shape):
    return R.standard_normal(shape)


def ulps(got, ref):
    """|got - ref| in units of the last place of ref (of ref's dtype)."""
    ref = np.asarray(ref)
    return np.abs(np.asarray(got, np.float64) - ref) / np.spacing(np.abs(ref)).astype(np.float64)


def sample(n=4000):
    """Points of every scale: uniform on [-7, 7] and on the series' seam at 1/2, log-uniform
    from 1e-300 to 30 (both signs), and a grid to 30."""
    mags = 10 ** R.uniform(-300, math.log10(30), n)
    return np.concatenate([
        R.uniform(-7, 7, n), R.uniform(-0.55, 0.55, n // 4), mags, -mags,
        np.linspace(-30, 30, 2401), [0.5, -0.5, np.nextafter(0.5, 0), 5e-324],
    ])  # fmt: skip


# ---------------------------------------------------------------------------------------------
# the error function
# ---------------------------------------------------------------------------------------------


def test_erf_is_within_a_few_ulps_of_math_erf_in_float64():
    x = sample()
    ref = np.array([math.erf(v) for v in x])
    assert ulps(erf_array(x), ref).max() <= 3


def test_erfc_keeps_its_relative_accuracy_in_the_tail():
    x = sample()
    ref = np.array([math.erfc(v) for v in x])
    normal = ref >= np.finfo(np.float64).tiny  # (a subnormal result has fewer bits to match)
    assert ulps(erfc_array(x)[normal], ref[normal]).max() <= 5  # (math.erfc's own error: 3)
    np.testing.assert_allclose(erfc_array(x)[~normal], ref[~normal], rtol=0, atol=1e-320)
    assert abs(erfc_array(np.array(10.0)) / 2.088487583762545e-45 - 1) < 1e-15
    assert erfc_array(np.array(26.0)) == pytest.approx(math.erfc(26.0), rel=1e-15)


def test_erf_and_erfc_against_40_digit_values():
    mp = pytest.importorskip("mpmath")
    x = sample(500)[::3]
    with mp.workdps(40):
        ref = np.array([float(mp.erf(v)) for v in x])
        ref_c = np.array([float(mp.erfc(v)) for v in x])
    assert ulps(erf_array(x), ref).max() <= 2
    normal = ref_c >= np.finfo(np.float64).tiny
    assert ulps(erfc_array(x)[normal], ref_c[normal]).max() <= 3


def test_erf_and_erfc_at_special_values():
    x = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1e-310, -1e-310])
    e, c = erf_array(x), erfc_array(x)
    np.testing.assert_array_equal(e[:4], [0.0, -0.0, 1.0, -1.0])
    assert np.signbit(e[1]) and np.isnan(e[4]) and np.isnan(c[4])
    np.testing.assert_array_equal(c[:4], [1.0, 1.0, 0.0, 2.0])
    assert e[5] == pytest.approx(1e-310 * 2 / math.sqrt(math.pi), rel=1e-12) and e[6] == -e[5]
    assert erf_array(np.zeros((2, 0))).shape == (2, 0) and erf_array(np.array(0.3)).shape == ()


def test_erf_in_float32_stays_float32_and_is_correctly_rounded_nearly_everywhere():
    x = sample().astype(np.float32)
    for fn, ref_fn in ((erf_array, math.erf), (erfc_array, math.erfc)):
        out = fn(x)
        assert out.dtype == np.float32
        ref = np.array([ref_fn(float(v)) for v in x]).astype(np.float32)
        normal = np.abs(ref) >= np.finfo(np.float32).tiny
        assert ulps(out[normal], ref[normal]).max() <= 1
    assert td.erf(td.Tensor([0.5, 2.0])).dtype == np.float32
    assert td.erf(td.Tensor([1, 2])).dtype == np.float32  # integers: the default float dtype
    assert td.erfc(np.array([1.0])).dtype == np.float64


def test_erfinv_inverts_erf():
    y = np.concatenate([R.uniform(-1, 1, 3000), 1 - 10 ** R.uniform(-16, -0.4, 500),
                        10 ** R.uniform(-300, -1, 300), [0.0, 0.5, -0.5]])  # fmt: skip
    z = erfinv_array(y)
    near_0 = np.abs(y) <= 0.5  # erf is well conditioned there: erf(erfinv y) = y to ulps
    assert ulps(erf_array(z[near_0]), y[near_0]).max() <= 4
    # in the tail 1 - |y| is what erfinv resolves: erfc(erfinv y) = 1 - |y|, to erfc's own
    # ulps and those that z's rounding makes in erfc z: kappa = |z erfc'(z) / erfc(z)| per ulp
    tail, zt = ~near_0, np.abs(z[~near_0])
    kappa = zt * 2 / math.sqrt(math.pi) * np.exp(-zt * zt) / erfc_array(zt)
    assert (ulps(erfc_array(zt), 1 - np.abs(y[tail])) <= 4 + 2 * kappa).all()
    assert erfinv_array(np.array(0.5)) == pytest.approx(0.4769362762044699, rel=1e-15)
    out = erfinv_array(np.array([1.0, -1.0, 1.5, np.nan, -0.0], np.float32))
    assert out.dtype == np.float32 and out[0] == np.inf and out[1] == -np.inf
    assert np.isnan(out[2]) and np.isnan(out[3]) and np.signbit(out[4])


def test_erfinv_against_40_digit_values():
    mp = pytest.importorskip("mpmath")
    y = np.concatenate([R.uniform(-1, 1, 300), 1 - 10 ** R.uniform(-16, -0.4, 100)])
    with mp.workdps(40):
        ref = np.array([float(mp.erfinv(v)) for v in y])
    assert ulps(erfinv_array(y), ref).max() <= 2


def test_the_chebyshev_coefficients_are_reproducible():
    mp = pytest.importorskip("mpmath")
    assert mp is not None
    from tinygrad_ds.ops.special import chebyshev_coefficients

    np.testing.assert_allclose(chebyshev_coefficients(), _CHEBYSHEV, rtol=0, atol=1e-18)


def _phi(x):
    return np.exp(-x * x / 2) / math.sqrt(2 * math.pi)


ERF_CASES = [
    ("erf", lambda a: a.erf(), lambda a: np.vectorize(math.erf)(a), [r(3, 4) * 2]),
    ("erfc", lambda a: a.erfc(), lambda a: np.vectorize(math.erfc)(a), [r(3, 4) * 2]),
    ("td_erf_0d", td.erf, lambda a: np.vectorize(math.erf)(a), [np.array(0.7)]),
    ("td_erfc_tail", td.erfc, lambda a: np.vectorize(math.erfc)(a), [np.array([3.0, 5.0])]),
    ("erfinv", lambda a: a.erfinv(), lambda a: np.vectorize(_erfinv_ref)(a),
     [R.uniform(-0.95, 0.95, (2, 5))]),
]  # fmt: skip


def _erfinv_ref(y):
    """erfinv y by bisection on math.erf (slow and independent of the code under test)."""
    lo, hi = -6.0, 6.0
    for _ in range(200):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if math.erf(mid) < y else (lo, mid)
    return (lo + hi) / 2


@pytest.mark.parametrize(
    "fn, ref, arrays", [c[1:] for c in ERF_CASES], ids=[c[0] for c in ERF_CASES]
)
def test_erf_family_value_and_gradient(fn, ref, arrays):
    check_op(fn, ref, arrays)


def test_erf_second_derivatives():
    x = td.Tensor(r(5), requires_grad=True)
    (g,) = td.grad(x.erf().sum(), [x], create_graph=True)
    (gg,) = td.grad(g.sum(), [x])
    c = 2 / math.sqrt(math.pi)
    np.testing.assert_allclose(gg.data, -2 * x.data * c * np.exp(-(x.data**2)), rtol=1e-12)
    y = td.Tensor(R.uniform(-0.9, 0.9, 5), requires_grad=True)
    (g,) = td.grad(y.erfinv().sum(), [y], create_graph=True)
    (gg,) = td.grad(g.sum(), [y])
    z = erfinv_array(y.data)  # d2/dy2 erfinv = 2 z (dz/dy)^2
    np.testing.assert_allclose(gg.data, 2 * z * (math.sqrt(math.pi) / 2 * np.exp(z * z)) ** 2)
    assert td.gradcheck(lambda t: td.grad(t.erfc().sum(), [t], create_graph=True)[0], [x])


def test_erf_rejects_what_is_no_tensor():
    with pytest.raises(TypeError, match="erf: expected a tensor"):
        td.erf("x")
    with pytest.raises(TypeError, match="erfc: expected a tensor"):
        td.erfc(None)


# ---------------------------------------------------------------------------------------------
# functional activations: values and gradients (away from the kinks)
# ---------------------------------------------------------------------------------------------


def np_softplus(x, beta=1.0, threshold=20.0):
    return np.where(
        x * beta > threshold, x, np.log1p(np.exp(np.minimum(x * beta, threshold))) / beta
    )


def np_elu(x, alpha=1.0):
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0)))


def np_sigmoid(x):
    return 1 / (1 + np.exp(-x))


def np_softmax(x, axis):
    e = np.exp(x - x.max(axis, keepdims=True))
    return e / e.sum(axis, keepdims=True)


ERF = np.vectorize(math.erf)
SA, SS = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946
K = away_from(r(3, 5) * 2.5, [0.0, -3.0, 3.0, 6.0, 0.5, -0.5, 1.0, -1.0])  # off every kink
P = np.abs(K) + 0.5
W3 = R.uniform(0.05, 0.5, 3)

FUNCTIONAL = [
    ("gelu", F.gelu, lambda x: x / 2 * (1 + ERF(x / SQRT2)), [r(3, 5) * 3]),
    ("gelu_tanh", lambda x: F.gelu(x, approximate="tanh"),
     lambda x: x / 2 * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x**3))),
     [r(3, 5) * 3]),
    ("silu", F.silu, lambda x: x * np_sigmoid(x), [r(3, 5) * 3]),
    ("mish", F.mish, lambda x: x * np.tanh(np.log1p(np.exp(x))), [r(3, 5) * 3]),
    ("softplus", F.softplus, np_softplus, [r(3, 5) * 3]),
    ("softplus_beta_threshold", lambda x: F.softplus(x, beta=2, threshold=3.0),
     lambda x: np_softplus(x, 2.0, 3.0), [K]),
    ("softplus_negative_beta", lambda x: F.softplus(x, beta=-1.5, threshold=3.0),
     lambda x: np_softplus(x, -1.5, 3.0), [K]),
    ("elu", F.elu, np_elu, [K]),
    ("elu_alpha", lambda x: F.elu(x, alpha=0.3), lambda x: np_elu(x, 0.3), [K]),
    ("selu", F.selu, lambda x: SS * np_elu(x, SA), [K]),
    ("celu", lambda x: F.celu(x, alpha=2.0),
     lambda x: np.maximum(x, 0) + np.minimum(0, 2 * np.expm1(x / 2)), [K]),
    ("hardtanh", F.hardtanh, lambda x: np.clip(x, -1, 1), [K]),
    ("hardtanh_bounds", lambda x: F.hardtanh(x, -0.5, 3.0), lambda x: np.clip(x, -0.5, 3), [K]),
    ("relu6", F.relu6, lambda x: np.clip(x, 0, 6), [K * 3]),
    ("hardsigmoid", F.hardsigmoid, lambda x: np.clip(x + 3, 0, 6) / 6, [K * 2]),
    ("hardswish", F.hardswish, lambda x: x * np.clip(x + 3, 0, 6) / 6, [K * 2]),
    ("logsigmoid", F.logsigmoid, lambda x: -np.log1p(np.exp(-x)), [r(3, 5) * 4]),
    ("softsign", F.softsign, lambda x: x / (1 + np.abs(x)), [K]),
    ("tanhshrink", F.tanhshrink, lambda x: x - np.tanh(x), [r(3, 5)]),
    ("softshrink", F.softshrink, lambda x: np.sign(x) * np.maximum(np.abs(x) - 0.5, 0), [K]),
    ("softshrink_1", lambda x: F.softshrink(x, 1.0),
     lambda x: np.sign(x) * np.maximum(np.abs(x) - 1, 0), [K]),
    ("hardshrink", F.hardshrink, lambda x: np.where(np.abs(x) > 0.5, x, 0), [K]),
    ("threshold", lambda x: F.threshold(x, 0.5, -2.0), lambda x: np.where(x > 0.5, x, -2), [K]),
    ("glu_last", F.glu, lambda x: x[:, :2] * np_sigmoid(x[:, 2:]), [r(3, 4)]),
    ("glu_dim0", lambda x: F.glu(x, 0), lambda x: x[:2] * np_sigmoid(x[2:]), [r(4, 3)]),
    ("glu_neg_dim", lambda x: F.glu(x, -2), lambda x: x[:, :1] * np_sigmoid(x[:, 1:]),
     [r(2, 2, 3)]),
    ("prelu_shared", F.prelu, lambda x, w: np.where(x > 0, x, w * x), [K, np.array([0.2])]),
    ("prelu_channels", F.prelu, lambda x, w: np.where(x > 0, x, w[:, None, None] * x),
     [away_from(r(2, 3, 2, 2), [0.0]), W3]),
    ("prelu_0d_weight", F.prelu, lambda x, w: np.where(x > 0, x, w * x), [K, np.array(0.3)]),
    ("softmin", F.softmin, lambda x: np_softmax(-x, -1), [r(3, 4)]),
    ("softmin_dim0", lambda x: F.softmin(x, 0), lambda x: np_softmax(-x, 0), [r(3, 4)]),
    ("normalize", F.normalize, lambda x: x / np.linalg.norm(x, axis=1, keepdims=True),
     [r(3, 4)]),
    ("normalize_p1_dim0", lambda x: F.normalize(x, p=1, dim=0),
     lambda x: x / np.abs(x).sum(0, keepdims=True), [P]),
    ("normalize_eps", lambda x: F.normalize(x, eps=10.0), lambda x: x / 10, [r(2, 3)]),
    ("cosine_similarity", F.cosine_similarity, lambda a, b: (a * b).sum(1)
     / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1)), [r(3, 4), r(3, 4)]),
    ("cosine_similarity_broadcast", lambda a, b: F.cosine_similarity(a, b, dim=-1),
     lambda a, b: (a * b).sum(-1) / (np.linalg.norm(a, axis=-1) * np.linalg.norm(b)),
     [r(2, 3, 4), r(4)]),
    ("pairwise_distance", F.pairwise_distance,
     lambda a, b: np.linalg.norm(a - b + 1e-6, axis=-1), [r(3, 4), r(3, 4)]),
    ("pairwise_distance_p1_keepdim", lambda a, b: F.pairwise_distance(a, b, 1, keepdim=True),
     lambda a, b: np.abs(a - b + 1e-6).sum(-1, keepdims=True), [r(3, 4), r(4) + 5]),
]  # fmt: skip


@pytest.mark.parametrize(
    "fn, reference, arrays", [c[1:] for c in FUNCTIONAL], ids=[c[0] for c in FUNCTIONAL]
)
def test_functional_value_and_gradient(fn, reference, arrays):
    check_op(fn, reference, arrays)


UNARY = [
    "gelu", "silu", "mish", "softplus", "elu", "selu", "celu", "hardtanh", "relu6",
    "hardsigmoid", "hardswish", "logsigmoid", "softsign", "tanhshrink", "softshrink",
    "hardshrink",
]  # fmt: skip


@pytest.mark.parametrize("name", UNARY)
def test_stable_and_finite_at_plus_and_minus_1e4(name):
    for dtype in (np.float64, np.float32):
        x = td.Tensor(np.array([-1e4, -100.0, 100.0, 1e4], dtype), requires_grad=True)
        y = getattr(F, name)(x)
        (g,) = td.grad(y.sum(), [x])
        assert y.dtype == dtype and g.dtype == dtype
        assert np.isfinite(y.data).all() and np.isfinite(g.data).all(), (y, g)


def test_tail_values():
    x = td.Tensor(np.array([-1e4, -50.0, 40.0, 1e4]), requires_grad=True)
    np.testing.assert_allclose(F.logsigmoid(x).data, [-1e4, -50.0, -math.exp(-40.0), 0.0])
    np.testing.assert_allclose(F.softplus(-x).data, [1e4, 50.0, math.exp(-40.0), 0.0])
    # exact gelu through erfc: x Phi(x) keeps its relative accuracy far into the left tail
    x = np.array([-10.0, -20.0])
    phi = np.array([math.erfc(-v / SQRT2) / 2 for v in x])
    np.testing.assert_allclose(F.gelu(td.Tensor(x)).data, x * phi, rtol=1e-12)


@pytest.mark.parametrize("name", UNARY + ["glu", "softmin", "normalize"])
def test_float32_stays_float32(name):
    y = getattr(F, name)(td.Tensor(r(2, 4).astype(np.float32), requires_grad=True))
    assert y.dtype == np.float32
    assert getattr(F, name)(td.Tensor([[1, -2, 3, 4]])).dtype == np.float32  # ints: float


def test_second_derivatives_of_gelu_and_softplus():
    x = td.Tensor(r(6) * 2, requires_grad=True)
    (g,) = td.grad(F.gelu(x).sum(), [x], create_graph=True)
    (gg,) = td.grad(g.sum(), [x])
    np.testing.assert_allclose(gg.data, _phi(x.data) * (2 - x.data**2), rtol=1e-10)
    (g,) = td.grad(F.softplus(x, beta=1.5).sum(), [x], create_graph=True)
    (gg,) = td.grad(g.sum(), [x])
    s = np_sigmoid(1.5 * x.data)
    np.testing.assert_allclose(gg.data, 1.5 * s * (1 - s), rtol=1e-10)
    for fn in (F.gelu, lambda t: F.gelu(t, "tanh"), F.mish, F.logsigmoid, F.silu):
        assert td.gradcheck(lambda t, fn=fn: td.grad(fn(t).sum(), [t], create_graph=True)[0], [x])


def test_softplus_with_a_negative_beta():
    # log(1 + e^(-x)) / -1 = -softplus(-x), a smooth min(0, x); linear (x itself) where
    # beta x > threshold, i.e. here for x < -20; gradient sigmoid(beta x) (1 there)
    x = td.Tensor(np.array([-1e4, -30.0, -5.0, 0.0, 2.0, 1e4]), requires_grad=True)
    y = F.softplus(x, beta=-1.0)
    want = [
        -1e4,
        -30.0,
        -5.0 - math.log1p(math.exp(-5.0)),
        -math.log(2),
        -math.log1p(math.exp(-2)),
        0,
    ]
    np.testing.assert_allclose(y.data, want, rtol=1e-15, atol=0)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.data, [1, 1, np_sigmoid(5.0), 0.5, np_sigmoid(-2.0), 0])
    m = nn.Softplus(beta=-2, threshold=5)
    assert repr(m) == "Softplus(beta=-2.0, threshold=5.0)"
    np.testing.assert_array_equal(m(x).data, F.softplus(x, -2, 5).data)
    x = td.Tensor(r(6) * 2, requires_grad=True)  # the second derivative: beta s (1 - s)
    (g,) = td.grad(F.softplus(x, beta=-0.7).sum(), [x], create_graph=True)
    (gg,) = td.grad(g.sum(), [x])
    s = np_sigmoid(-0.7 * x.data)
    np.testing.assert_allclose(gg.data, -0.7 * s * (1 - s), rtol=1e-10)


def test_softplus_negative_beta_against_torch():
    torch = pytest.importorskip("torch")
    x_np = np.array([-1e4, -30.0, -21.0, -5.0, 0.0, 2.0, 40.0], dtype=np.float64)
    for beta, threshold in ((-1.0, 20.0), (-0.5, 3.0), (-3.0, 1.0)):
        x, tx = td.Tensor(x_np, requires_grad=True), torch.tensor(x_np, requires_grad=True)
        y, ty = F.softplus(x, beta, threshold), torch.nn.functional.softplus(tx, beta, threshold)
        y.sum().backward()
        ty.sum().backward()
        np.testing.assert_allclose(y.data, ty.detach().numpy(), rtol=1e-12)
        np.testing.assert_allclose(x.grad.data, tx.grad.numpy(), rtol=1e-12)
    assert torch.isinf(torch.nn.functional.softplus(torch.tensor([1.0]), beta=0)).all()  # (why
    # beta = 0 is an error here: PyTorch's log 2 / 0 is inf for every x)


KINKS = [  # PyTorch's gradient at each kink (checked against torch below)
    ("relu6", F.relu6, [0.0, 6.0], [0.0, 0.0]),
    ("hardtanh", F.hardtanh, [-1.0, 1.0], [0.0, 0.0]),
    ("hardsigmoid", F.hardsigmoid, [-3.0, 3.0], [0.0, 0.0]),
    ("hardswish", F.hardswish, [-3.0, 3.0], [0.0, 1.0]),
    ("elu_alpha2", lambda x: F.elu(x, 2.0), [0.0], [2.0]),
    ("celu_alpha2", lambda x: F.celu(x, 2.0), [0.0], [1.0]),
    ("selu", F.selu, [0.0], [SA * SS]),
    ("softplus", F.softplus, [0.0, 20.0], [0.5, 1 / (1 + math.exp(-20))]),
    ("logsigmoid", F.logsigmoid, [0.0], [0.5]),
    ("softshrink", F.softshrink, [-0.5, 0.5], [0.0, 0.0]),
    ("hardshrink", F.hardshrink, [-0.5, 0.5], [0.0, 0.0]),
    ("threshold", lambda x: F.threshold(x, 1.0, 5.0), [1.0], [0.0]),
    ("softsign", F.softsign, [0.0], [1.0]),
    ("prelu", lambda x: F.prelu(x, td.Tensor(np.array([0.25]))), [0.0], [0.25]),
]  # fmt: skip


@pytest.mark.parametrize("fn, points, grads", [k[1:] for k in KINKS], ids=[k[0] for k in KINKS])
def test_gradient_at_the_kinks_is_pytorchs(fn, points, grads):
    x = td.Tensor(np.array(points), requires_grad=True)
    fn(x).sum().backward()
    np.testing.assert_allclose(x.grad.data, grads, rtol=1e-15)


def test_inplace_writes_into_the_input():  # (more in test_functional_signatures.py)
    for fn in (F.relu6, F.elu, F.selu, F.celu, F.silu, F.mish, F.hardsigmoid, F.hardswish,
               F.hardtanh):  # fmt: skip
        x = td.Tensor([-1.0, 2.0, 7.0])
        expected = fn(x).tolist()
        assert fn(x, inplace=True) is x and x.tolist() == expected
    x = td.Tensor([-1.0, 2.0, 7.0])
    assert F.threshold(x, 0.0, 9.0, inplace=True) is x and x.tolist() == [9.0, 2.0, 7.0]


ERRORS = [
    (lambda: F.gelu(td.Tensor([1.0]), approximate="erf"), ValueError,
     "gelu: approximate must be 'none' or 'tanh', got 'erf'"),
    (lambda: F.softplus(td.Tensor([1.0]), beta=0), ValueError,
     "softplus: beta must be a nonzero number, got 0.0"),
    (lambda: F.softplus(td.Tensor([1.0]), beta=math.nan), ValueError, "beta must be a nonzero"),
    (lambda: F.softplus(td.Tensor([1.0]), beta="2"), TypeError, "softplus: beta must be a number"),
    (lambda: F.glu(td.Tensor(np.ones((2, 3)))), ValueError,
     r"glu: halving dimension must be even, but dim -1 of shape \(2, 3\) is size 3"),
    (lambda: F.glu(td.Tensor(1.0)), ValueError, "glu: a 0-d tensor has no dim to halve"),
    (lambda: F.glu(td.Tensor(np.ones((2, 4))), dim=2), IndexError, "glu: axis 2 is out of range"),
    (lambda: F.celu(td.Tensor([1.0]), alpha=0.0), ValueError, "celu: alpha cannot be 0"),
    (lambda: F.hardtanh(td.Tensor([1.0]), 2.0, 1.0), ValueError,
     "hardtanh: min_val cannot be greater than max_val, got 2.0 and 1.0"),
    (lambda: F.softshrink(td.Tensor([1.0]), -1), ValueError, "softshrink: lambd must be >= 0"),
    (lambda: F.prelu(td.Tensor(np.ones((2, 3))), td.Tensor(np.ones(2))), ValueError,
     r"prelu: weight of shape \(2,\) has neither 1 nor 3 values"),
    (lambda: F.prelu(td.Tensor(np.ones((2, 3))), td.Tensor(np.ones((1, 3)))), ValueError,
     r"prelu: weight must be 0-d or 1-D, got shape \(1, 3\)"),
    (lambda: F.prelu(td.Tensor([1.0]), 0.25), TypeError, "prelu: weight must be a Tensor"),
    (lambda: F.cosine_similarity(td.Tensor(np.ones((2, 3))), td.Tensor(np.ones(2))),
     ValueError, r"cosine_similarity: shapes \(2, 3\) and \(2,\) do not broadcast"),
    (lambda: F.normalize(td.Tensor([1.0, 2.0]), dim=1), IndexError, "normalize: axis 1 is out"),
    (lambda: F.silu("x"), TypeError, "silu"),
    (lambda: nn.GELU("fast"), ValueError, "GELU: approximate must be 'none' or 'tanh'"),
    (lambda: nn.Softplus(beta=0), ValueError, "Softplus: beta must be a nonzero number, got 0"),
    (lambda: nn.CELU(0.0), ValueError, "CELU: alpha cannot be 0"),
    (lambda: nn.Hardtanh(1.0, -1.0), ValueError, "Hardtanh: min_val cannot be greater"),
    (lambda: nn.Softshrink(-0.1), ValueError, "Softshrink: lambd must be >= 0"),
    (lambda: nn.PReLU(0), ValueError, "PReLU: num_parameters must be >= 1, got 0"),
    (lambda: nn.PReLU(2.5), TypeError, "PReLU: num_parameters must be an int"),
    (lambda: nn.GLU(dim=1.0), TypeError, "GLU: dim must be an int"),
    (lambda: nn.Threshold("a", 1.0), TypeError, "Threshold: threshold must be a number"),
]  # fmt: skip


@pytest.mark.parametrize("make, error, message", ERRORS)
def test_errors_by_message(make, error, message):
    with pytest.raises(error, match=message):
        make()


# ---------------------------------------------------------------------------------------------
# modules
# ---------------------------------------------------------------------------------------------

MODULES = [  # module, its repr (PyTorch's), the function it applies
    (nn.GELU(), "GELU(approximate='none')", F.gelu),
    (nn.GELU("tanh"), "GELU(approximate='tanh')", lambda x: F.gelu(x, "tanh")),
    (nn.SiLU(), "SiLU()", F.silu),
    (nn.Mish(), "Mish()", F.mish),
    (nn.Softplus(), "Softplus(beta=1.0, threshold=20.0)", F.softplus),
    (nn.Softplus(2, 5), "Softplus(beta=2.0, threshold=5.0)", lambda x: F.softplus(x, 2, 5)),
    (nn.ELU(), "ELU(alpha=1.0)", F.elu),
    (nn.ELU(0.5, inplace=True), "ELU(alpha=0.5, inplace=True)", lambda x: F.elu(x, 0.5)),
    (nn.SELU(), "SELU()", F.selu),
    (nn.CELU(2.0), "CELU(alpha=2.0)", lambda x: F.celu(x, 2.0)),
    (nn.Hardtanh(), "Hardtanh(min_val=-1.0, max_val=1.0)", F.hardtanh),
    (nn.Hardtanh(-2, 2, True), "Hardtanh(min_val=-2.0, max_val=2.0, inplace=True)",
     lambda x: F.hardtanh(x, -2, 2)),
    (nn.ReLU6(), "ReLU6()", F.relu6),
    (nn.ReLU6(inplace=True), "ReLU6(inplace=True)", F.relu6),
    (nn.Hardsigmoid(), "Hardsigmoid()", F.hardsigmoid),
    (nn.Hardswish(), "Hardswish()", F.hardswish),
    (nn.LogSigmoid(), "LogSigmoid()", F.logsigmoid),
    (nn.Softsign(), "Softsign()", F.softsign),
    (nn.Tanhshrink(), "Tanhshrink()", F.tanhshrink),
    (nn.Softshrink(), "Softshrink(0.5)", F.softshrink),
    (nn.Hardshrink(0.2), "Hardshrink(0.2)", lambda x: F.hardshrink(x, 0.2)),
    (nn.Threshold(0.1, 20), "Threshold(threshold=0.1, value=20.0)",
     lambda x: F.threshold(x, 0.1, 20)),
    (nn.GLU(), "GLU(dim=-1)", F.glu),
    (nn.GLU(0), "GLU(dim=0)", lambda x: F.glu(x, 0)),
    (nn.Softmin(1), "Softmin(dim=1)", lambda x: F.softmin(x, 1)),
    (nn.PReLU(), "PReLU(num_parameters=1)", lambda x: F.prelu(x, td.Tensor([0.25]))),
    (nn.PReLU(4, 0.1), "PReLU(num_parameters=4)",
     lambda x: F.prelu(x, td.Tensor([0.1, 0.1, 0.1, 0.1]))),
]  # fmt: skip


@pytest.mark.parametrize("module, text, fn", MODULES, ids=[m[1] for m in MODULES])
def test_module_repr_and_forward(module, text, fn):
    assert repr(module) == text
    x = td.Tensor(r(2, 4, 2).astype(np.float32))
    expected = fn(x).data  # first: an inplace=True module changes x
    np.testing.assert_array_equal(module(x).data, expected)
    has_weight = isinstance(module, nn.PReLU)
    assert [n for n, _ in module.named_parameters()] == (["weight"] if has_weight else [])


def test_prelu_learns_its_slopes():
    m = nn.PReLU(3, init=0.1)
    assert m.weight.shape == (3,) and m.weight.requires_grad and m.weight.dtype == np.float32
    assert list(m.state_dict()) == ["weight"]
    x = td.Tensor(-np.ones((2, 3, 4), np.float32))
    m(x).sum().backward()
    np.testing.assert_array_equal(m.weight.grad.data, [-8.0, -8.0, -8.0])  # sum of x <= 0
    net = nn.Sequential(nn.Linear(2, 3), nn.PReLU())
    assert [n for n, _ in net.named_parameters()] == ["0.weight", "0.bias", "1.weight"]
    opt = td.optim.SGD(net.parameters(), lr=0.5)
    before = net[1].weight.data.copy()
    net(td.Tensor(-np.abs(r(4, 2)).astype(np.float32) - 5)).sum().backward()
    opt.step()
    assert not np.array_equal(net[1].weight.data, before)
    assert nn.PReLU(dtype=np.float64).weight.dtype == np.float64


# ---------------------------------------------------------------------------------------------
# against PyTorch
# ---------------------------------------------------------------------------------------------

TORCH = [  # name, ours, PyTorch's (given torch.nn.functional), number of inputs
    ("erf", lambda x: x.erf(), lambda tF, x: x.erf()),
    ("erfc", lambda x: x.erfc(), lambda tF, x: x.erfc()),
    ("gelu", F.gelu, lambda tF, x: tF.gelu(x)),
    ("gelu_tanh", lambda x: F.gelu(x, approximate="tanh"),
     lambda tF, x: tF.gelu(x, approximate="tanh")),
    ("silu", F.silu, lambda tF, x: tF.silu(x)),
    ("mish", F.mish, lambda tF, x: tF.mish(x)),
    ("softplus", F.softplus, lambda tF, x: tF.softplus(x)),
    ("softplus_beta", lambda x: F.softplus(x, 3, 4), lambda tF, x: tF.softplus(x, 3, 4)),
    ("softplus_negative_beta", lambda x: F.softplus(x, -2, 4),
     lambda tF, x: tF.softplus(x, -2, 4)),
    ("elu", lambda x: F.elu(x, 1.5), lambda tF, x: tF.elu(x, 1.5)),
    ("selu", F.selu, lambda tF, x: tF.selu(x)),
    ("celu", lambda x: F.celu(x, 0.5), lambda tF, x: tF.celu(x, 0.5)),  # (1/alpha exact)
    ("hardtanh", lambda x: F.hardtanh(x, -2, 1), lambda tF, x: tF.hardtanh(x, -2, 1)),
    ("relu6", F.relu6, lambda tF, x: tF.relu6(x)),
    ("hardsigmoid", F.hardsigmoid, lambda tF, x: tF.hardsigmoid(x)),
    ("hardswish", F.hardswish, lambda tF, x: tF.hardswish(x)),
    ("logsigmoid", F.logsigmoid, lambda tF, x: tF.logsigmoid(x)),
    ("softsign", F.softsign, lambda tF, x: tF.softsign(x)),
    ("tanhshrink", F.tanhshrink, lambda tF, x: tF.tanhshrink(x)),
    ("softshrink", F.softshrink, lambda tF, x: tF.softshrink(x)),
    ("hardshrink", lambda x: F.hardshrink(x, 1.0), lambda tF, x: tF.hardshrink(x, 1.0)),
    ("threshold", lambda x: F.threshold(x, 1.0, -3.0), lambda tF, x: tF.threshold(x, 1.0, -3.0)),
    ("glu", lambda x: F.glu(x, 1), lambda tF, x: tF.glu(x, 1)),
    ("softmin", lambda x: F.softmin(x, 0), lambda tF, x: tF.softmin(x, 0)),
    ("normalize", F.normalize, lambda tF, x: tF.normalize(x)),
    ("normalize_p3", lambda x: F.normalize(x, 3, 0), lambda tF, x: tF.normalize(x, 3, 0)),
]  # fmt: skip

TORCH_X = np.concatenate([
    r(40) * 4, [0.0, 1.0, -1.0, 3.0, -3.0, 6.0, 0.5, -0.5, 20.0, 1e4, -1e4, 30.0, -30.0, -2.0]
]).reshape(6, 9)  # fmt: skip


@pytest.mark.parametrize("ours, theirs", [t[1:] for t in TORCH], ids=[t[0] for t in TORCH])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_values_and_gradients_match_pytorch(ours, theirs, dtype):
    torch = pytest.importorskip("torch")
    x_np = TORCH_X[:, :8].astype(dtype)
    upstream = r(*ours(td.Tensor(x_np)).shape).astype(dtype)
    x = td.Tensor(x_np, requires_grad=True)
    out = ours(x)
    out.backward(td.Tensor(upstream))
    tx = torch.tensor(x_np, requires_grad=True)
    tout = theirs(torch.nn.functional, tx)
    tout.backward(torch.tensor(upstream))
    # (PyTorch loses digits where 1 + erf or e^x - 1 cancel, and takes 1/6 and celu's 1/alpha
    # in float32 even for float64: agreement to 1e-7 checks the formulas, not the last bits;
    # the closed forms above check those)
    tol = dict(rtol=1e-7, atol=1e-12) if dtype == np.float64 else dict(rtol=2e-6, atol=1e-6)
    assert out.dtype == dtype and x.grad.dtype == dtype
    np.testing.assert_allclose(out.data, tout.detach().numpy(), **tol)
    np.testing.assert_allclose(x.grad.data, tx.grad.numpy(), **tol)


def test_erf_family_matches_pytorch_on_many_points():
    torch = pytest.importorskip("torch")
    x = sample()
    np.testing.assert_allclose(erf_array(x), torch.erf(torch.tensor(x)).numpy(), rtol=5e-16)
    ref = torch.erfc(torch.tensor(x)).numpy()
    normal = ref > 1e-300
    np.testing.assert_allclose(erfc_array(x)[normal], ref[normal], rtol=1e-15)
    y = np.concatenate([R.uniform(-1, 1, 2000), [0.999999, -0.9999999999]])
    np.testing.assert_allclose(erfinv_array(y), torch.erfinv(torch.tensor(y)).numpy(), rtol=1e-14)


def test_two_input_functions_match_pytorch():
    torch = pytest.importorskip("torch")
    tF = torch.nn.functional
    cases = [
        (F.prelu, tF.prelu, [r(2, 3, 4), np.array([0.1, 0.2, 0.3])]),
        (F.prelu, tF.prelu, [r(5), np.array([0.3])]),
        (F.cosine_similarity, tF.cosine_similarity, [r(3, 4), r(3, 4)]),
        (lambda a, b: F.cosine_similarity(a, b, 0, 1e-3), lambda a, b: tF.cosine_similarity(
            a, b, 0, 1e-3), [r(4, 2) * 1e-4, r(4, 2)]),
        (F.pairwise_distance, tF.pairwise_distance, [r(3, 4), r(3, 4)]),
        (lambda a, b: F.pairwise_distance(a, b, 3.0, 1e-3, True),
         lambda a, b: tF.pairwise_distance(a, b, 3.0, 1e-3, True), [r(3, 4), r(3, 4)]),
    ]  # fmt: skip
    for ours, theirs, arrays in cases:
        xs = [td.Tensor(a, requires_grad=True) for a in arrays]
        ts = [torch.tensor(a, requires_grad=True) for a in arrays]
        out, tout = ours(*xs), theirs(*ts)
        np.testing.assert_allclose(out.data, tout.detach().numpy(), rtol=1e-12)
        out.sum().backward()
        tout.sum().backward()
        for x, t in zip(xs, ts):
            np.testing.assert_allclose(x.grad.data, t.grad.numpy(), rtol=1e-10, atol=1e-14)


def test_module_reprs_match_pytorch():
    torch = pytest.importorskip("torch")
    tnn = torch.nn
    theirs = [tnn.GELU(), tnn.GELU("tanh"), tnn.SiLU(), tnn.Mish(), tnn.Softplus(),
              tnn.Softplus(2.0, 5.0), tnn.ELU(), tnn.ELU(0.5, inplace=True), tnn.SELU(),
              tnn.CELU(2.0), tnn.Hardtanh(), tnn.Hardtanh(-2.0, 2.0, True), tnn.ReLU6(),
              tnn.ReLU6(inplace=True), tnn.Hardsigmoid(), tnn.Hardswish(), tnn.LogSigmoid(),
              tnn.Softsign(), tnn.Tanhshrink(), tnn.Softshrink(), tnn.Hardshrink(0.2),
              tnn.Threshold(0.1, 20.0), tnn.GLU(), tnn.GLU(0), tnn.Softmin(1), tnn.PReLU(),
              tnn.PReLU(4, 0.1)]  # fmt: skip
    assert [repr(m) for m in theirs] == [m[1] for m in MODULES]


# ---------------------------------------------------------------------------------------------
# more of torch.nn: Unflatten, ModuleDict, ParameterList, ParameterDict, BatchNorm2d, GroupNorm
# ---------------------------------------------------------------------------------------------


def np_group_norm(x, g, w=None, b=None, eps=1e-5):
    n, c = x.shape[:2]
    grouped = x.reshape(n, g, -1)
    y = (grouped - grouped.mean(-1, keepdims=True)) / np.sqrt(grouped.var(-1, keepdims=True) + eps)
    y = y.reshape(x.shape)
    shape = (c,) + (1,) * (x.ndim - 2)
    return y * (1 if w is None else w.reshape(shape)) + (0 if b is None else b.reshape(shape))


def np_batch_norm_2d(x, w, b, eps=1e-5):
    m, v = x.mean((0, 2, 3), keepdims=True), x.var((0, 2, 3), keepdims=True)
    return (x - m) / np.sqrt(v + eps) * w[:, None, None] + b[:, None, None]


MORE = [
    ("unflatten", lambda x: nn.Unflatten(1, (2, 3))(x), lambda x: x.reshape(4, 2, 3, 2),
     [r(4, 6, 2)]),
    ("unflatten_inferred_neg_dim", lambda x: nn.Unflatten(-1, (-1, 2))(x),
     lambda x: x.reshape(3, 3, 2), [r(3, 6)]),
    ("group_norm", lambda x: F.group_norm(x, 2), lambda x: np_group_norm(x, 2), [r(3, 4, 5)]),
    ("group_norm_affine", lambda x, w, b: F.group_norm(x, 3, w, b, eps=1e-3),
     lambda x, w, b: np_group_norm(x, 3, w, b, 1e-3), [r(2, 6, 2, 2), r(6), r(6)]),
    ("group_norm_2d_input", lambda x: F.group_norm(x, 1), lambda x: np_group_norm(x, 1),
     [r(3, 4)]),
    ("batch_norm_2d_training", lambda x: nn.BatchNorm2d(3, dtype=np.float64)(x),
     lambda x: np_batch_norm_2d(x, np.ones(3), np.zeros(3)), [r(4, 3, 2, 2)]),
]  # fmt: skip


@pytest.mark.parametrize("fn, reference, arrays", [c[1:] for c in MORE], ids=[c[0] for c in MORE])
def test_more_layers_value_and_gradient(fn, reference, arrays):
    check_op(fn, reference, arrays)


def test_unflatten_repr_and_errors():
    assert repr(nn.Unflatten(1, (2, 5))) == "Unflatten(dim=1, unflattened_size=(2, 5))"
    assert nn.Unflatten(1, [2, -1])(td.Tensor(np.zeros((3, 10)))).shape == (3, 2, 5)
    with pytest.raises(ValueError, match=r"Unflatten: sizes \(3, 5\) do not multiply up to the "
                       r"size of dim 1 \(10\) of the input of shape \(3, 10\)"):  # fmt: skip
        nn.Unflatten(1, (3, 5))(td.Tensor(np.zeros((3, 10))))
    with pytest.raises(ValueError, match="at most one -1"):
        nn.Unflatten(1, (-1, -1))
    with pytest.raises(TypeError, match="Unflatten: unflattened_size must be a tuple of ints"):
        nn.Unflatten(1, 5)
    with pytest.raises(IndexError, match="Unflatten: axis 2 is out of range"):
        nn.Unflatten(2, (1, 2))(td.Tensor(np.zeros((3, 2))))


def test_module_dict_registers_its_modules_by_key():
    md = nn.ModuleDict({"enc": nn.Linear(2, 3), "act": nn.GELU()})
    md["dec"] = nn.Linear(3, 1)
    net = nn.Module()
    net.blocks = md
    assert list(net.state_dict()) == [
        "blocks.enc.weight", "blocks.enc.bias", "blocks.dec.weight", "blocks.dec.bias"
    ]  # fmt: skip
    assert list(md) == list(md.keys()) == ["enc", "act", "dec"] and len(md) == 3
    assert "act" in md and isinstance(md["act"], nn.GELU)
    assert [k for k, _ in md.items()] == ["enc", "act", "dec"]
    assert isinstance(md.pop("act"), nn.GELU) and list(md) == ["enc", "dec"]
    del md["dec"]
    md.update([("out", nn.ReLU())])
    assert list(md) == ["enc", "out"] and len(list(net.parameters())) == 2
    assert repr(md).splitlines()[1] == "  (enc): Linear(in_features=2, out_features=3, bias=True)"
    md.clear()
    assert len(md) == 0 and list(net.parameters()) == []
    with pytest.raises(KeyError, match="ModuleDict: key 'keys' is an attribute of ModuleDict"):
        md["keys"] = nn.ReLU()
    with pytest.raises(KeyError, match=r"ModuleDict: no module 'x' \(keys: \[\]\)"):
        md["x"]
    with pytest.raises(TypeError, match="ModuleDict: int is not a Module"):
        md["x"] = 3
    with pytest.raises(KeyError, match="name must be a non-empty string without '.'"):
        md["a.b"] = nn.ReLU()


def test_parameter_list_and_dict_register_parameters():
    w = td.Tensor(np.zeros(3))
    pl = nn.ParameterList([nn.Parameter(np.ones((2, 3), np.float32)), w])
    assert isinstance(pl[1], nn.Parameter) and pl[1].requires_grad
    assert np.shares_memory(pl[1].data, w.data)  # made a Parameter as PyTorch: the same memory
    pl.append(td.Tensor([1.0]))
    assert len(pl) == 3 and len(pl[1:]) == 2 and pl[-1].shape == (1,)
    pd = nn.ParameterDict({"b": td.Tensor([1.0]), "a": td.Tensor([2.0])})
    assert list(pd) == ["a", "b"]  # a plain dict in sorted key order, as PyTorch
    assert list(nn.ParameterDict([("b", w), ("a", w)])) == ["b", "a"]  # pairs in their order
    net = nn.Module()
    net.pl, net.pd = pl, pd
    assert list(net.state_dict()) == ["pl.0", "pl.1", "pl.2", "pd.a", "pd.b"]
    assert repr(pl) == (
        "ParameterList(\n    (0): Parameter containing: [float32 of size 2x3]\n"
        "    (1): Parameter containing: [float64 of size 3]\n"
        "    (2): Parameter containing: [float32 of size 1]\n)"
    )
    opt = td.optim.SGD(net.parameters(), lr=1.0)
    (pl[0].sum() + pd["a"].sum() * 3).backward()
    opt.step()
    assert pl[0].data.tolist() == [[0.0] * 3] * 2 and pd["a"].item() == -1.0
    assert pd.pop("b").item() == 1.0 and "b" not in pd and list(net.state_dict())[-1] == "pd.a"
    with pytest.raises(IndexError, match="ParameterList: index 5 is out of range for length 3"):
        pl[5]
    with pytest.raises(TypeError, match="ParameterList.append: expected a Parameter or Tensor"):
        pl.append([1.0])
    with pytest.raises(KeyError, match="ParameterDict: key 'update' is an attribute"):
        pd["update"] = w
    with pytest.raises(KeyError, match=r"ParameterDict: no parameter 'z' \(keys: \['a'\]\)"):
        pd["z"]


def test_batch_norm_2d_and_group_norm_modules():
    bn = nn.BatchNorm2d(3)
    assert repr(bn) == (
        "BatchNorm2d(3, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)"
    )
    x = r(4, 3, 2, 5)
    out = bn(td.Tensor(x.astype(np.float32)))
    assert out.dtype == np.float32 and out.shape == x.shape
    m, v = x.mean((0, 2, 3)), x.var((0, 2, 3), ddof=1)
    np.testing.assert_allclose(bn.running_mean.data, 0.1 * m, rtol=1e-5)
    np.testing.assert_allclose(bn.running_var.data, 0.9 + 0.1 * v, rtol=1e-5)
    bn.eval()
    expected = (x - bn.running_mean.data[:, None, None]) / np.sqrt(
        bn.running_var.data[:, None, None] + 1e-5
    )
    np.testing.assert_allclose(bn(td.Tensor(x.astype(np.float32))).data, expected, rtol=1e-4)
    gn = nn.GroupNorm(2, 4)
    assert repr(gn) == "GroupNorm(2, 4, eps=1e-05, affine=True)"
    assert [n for n, _ in gn.named_parameters()] == ["weight", "bias"]
    assert nn.GroupNorm(1, 2, affine=False).weight is None
    y = gn(td.Tensor(r(2, 4, 3).astype(np.float32)))
    assert y.dtype == np.float32 and y.shape == (2, 4, 3)
    errors = [
        (lambda: bn(td.Tensor(np.zeros((2, 3, 4)))), ValueError,
         r"BatchNorm2d: expected input of shape \(N, 3, H, W\), got \(2, 3, 4\)"),
        (lambda: nn.BatchNorm2d(-1), ValueError, "BatchNorm2d: num_features must be >= 0"),
        (lambda: nn.GroupNorm(3, 4), ValueError,
         r"GroupNorm: num_channels \(4\) must be divisible by num_groups \(3\)"),
        (lambda: gn(td.Tensor(np.zeros((2, 3)))), ValueError,
         r"GroupNorm: expected input of shape \(N, 4, \*\), got \(2, 3\)"),
        (lambda: F.group_norm(td.Tensor(np.zeros((2, 6))), 4), ValueError,
         r"group_norm: num_channels \(6\) of the input of shape \(2, 6\) must be divisible"),
        (lambda: F.group_norm(td.Tensor(np.zeros((2, 6))), 2, td.Tensor(np.ones(3))),
         ValueError, r"group_norm: weight must have shape \(6,\)"),
    ]  # fmt: skip
    for make, error, message in errors:
        with pytest.raises(error, match=message):
            make()


def test_batch_norm_2d_and_group_norm_match_pytorch():
    torch = pytest.importorskip("torch")
    x = r(4, 6, 3, 2)
    bn, tbn = nn.BatchNorm2d(6, dtype=np.float64), torch.nn.BatchNorm2d(6).double()
    gn, tgn = nn.GroupNorm(3, 6, dtype=np.float64), torch.nn.GroupNorm(3, 6).double()
    for ours, theirs in ((bn, tbn), (gn, tgn)):
        w, b = r(6), r(6)
        ours.weight.data[...], ours.bias.data[...] = w, b
        with torch.no_grad():
            theirs.weight.copy_(torch.tensor(w))
            theirs.bias.copy_(torch.tensor(b))
        xt, tx = td.Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        up = r(*x.shape)
        out, tout = ours(xt), theirs(tx)
        out.backward(td.Tensor(up))
        tout.backward(torch.tensor(up))
        np.testing.assert_allclose(out.data, tout.detach().numpy(), rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(xt.grad.data, tx.grad.numpy(), rtol=1e-8, atol=1e-10)
        np.testing.assert_allclose(ours.weight.grad.data, theirs.weight.grad.numpy(), rtol=1e-10)
        np.testing.assert_allclose(ours.bias.grad.data, theirs.bias.grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(bn.running_mean.data, tbn.running_mean.numpy(), rtol=1e-12)
    np.testing.assert_allclose(bn.running_var.data, tbn.running_var.numpy(), rtol=1e-12)


def test_exports_and_softmin_dtype():
    for name in F.__all__:
        assert callable(getattr(F, name)), name
    for name in nn.__all__:
        assert hasattr(nn, name), name
    assert {"erf", "erfc", "erfinv"} <= set(td.__all__)
    out = F.softmin(td.Tensor([[1.0, 2.0]]), dim=1, dtype=np.float64)
    assert out.dtype == np.float64
    np.testing.assert_allclose(out.data, np_softmax(-np.array([[1.0, 2.0]]), 1))


def test_relu_gradient_at_nan_zero_and_negative_zero_is_pytorchs():
    # relu(NaN) is NaN and passes the gradient (NaN <= 0 is false), as PyTorch's; 0 and -0
    # (the kink) pass none. Both backward paths.
    for create_graph in (False, True):
        x = td.Tensor([np.nan, -1.0, 0.0, -0.0, 2.0], dtype=td.float64, requires_grad=True)
        y = x.relu()
        assert np.isnan(y.data[0]) and np.array_equal(y.data[1:], [0.0, 0.0, 0.0, 2.0])
        (g,) = td.grad(y.sum(), [x], create_graph=create_graph)
        assert np.array_equal(g.data, [1.0, 0.0, 0.0, 0.0, 1.0])


def test_relu_gradient_at_nan_matches_torch():
    torch = pytest.importorskip("torch")
    values = [np.nan, -1.0, 0.0, -0.0, 2.0, 1e-30]
    x = td.Tensor(values, requires_grad=True)
    x.relu().sum().backward()
    t = torch.tensor(values, requires_grad=True)
    torch.relu(t).sum().backward()
    assert np.array_equal(x.grad.data, t.grad.numpy())
