"""nn.init: trunc_normal_, orthogonal_, eye_, dirac_ and sparse_ (statistics with a fixed seed,
exact structure, errors), and the fan/gain conventions of xavier_*/kaiming_*/calculate_gain
against PyTorch's."""

from __future__ import annotations

import math

import numpy as np
import pytest

import tinygrad_ds as td
from tinygrad_ds import nn
from tinygrad_ds.nn import init


def _empty(*shape, dtype=np.float64):
    return td.Tensor(np.zeros(shape, dtype=dtype), requires_grad=True)


def _phi(x):
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


def _truncated_moments(mean, std, a, b):
    """Mean and standard deviation of N(mean, std^2) conditioned on [a, b] (closed form)."""
    lo, hi = (a - mean) / std, (b - mean) / std
    pdf = [math.exp(-(z**2) / 2) / math.sqrt(2 * math.pi) if math.isfinite(z) else 0.0
           for z in (lo, hi)]  # fmt: skip
    z = _phi(hi) - _phi(lo)
    m = (pdf[0] - pdf[1]) / z
    lo_pdf = lo * pdf[0] if math.isfinite(lo) else 0.0
    hi_pdf = hi * pdf[1] if math.isfinite(hi) else 0.0
    var = 1 + (lo_pdf - hi_pdf) / z - m**2
    return mean + std * m, std * math.sqrt(var)


@pytest.mark.parametrize(
    "mean, std, a, b",
    [(0.0, 1.0, -2.0, 2.0), (1.0, 0.5, 0.0, 3.0), (0.0, 0.02, -0.04, 0.04), (0.0, 1.0, 2.5, 3.0),
     (0.0, 1.0, -math.inf, -1.0), (5.0, 1.0, -1.0, 1.0)],
)  # fmt: skip
def test_trunc_normal_bounds_and_moments(mean, std, a, b):
    td.manual_seed(0)
    w = init.trunc_normal_(_empty(200, 200), mean, std, a, b)
    values = w.data
    assert values.min() >= a and values.max() <= b
    m, s = _truncated_moments(mean, std, a, b)
    n = values.size
    assert abs(values.mean() - m) < 5 * s / math.sqrt(n)
    assert abs(values.std() - s) < 0.02 * s


def test_trunc_normal_is_seeded_in_place_and_keeps_float32():
    w = _empty(3, 4, dtype=np.float32)
    data = w.data
    td.manual_seed(3)
    first = init.trunc_normal_(w, std=0.02).data.copy()
    td.manual_seed(3)
    assert init.trunc_normal_(w, std=0.02) is w and w.data is data
    np.testing.assert_array_equal(w.data, first)
    assert w.dtype == np.float32 and w.requires_grad and w.grad_fn is None


@pytest.mark.parametrize("shape", [(5, 5), (3, 7), (7, 3), (4, 2, 3), (6, 2, 2, 2)])
def test_orthogonal_rows_or_columns_are_orthonormal(shape):
    td.manual_seed(1)
    w = init.orthogonal_(_empty(*shape), gain=2.0)
    q = w.data.reshape(shape[0], -1) / 2.0
    rows, cols = q.shape
    gram = q @ q.T if rows <= cols else q.T @ q
    np.testing.assert_allclose(gram, np.eye(min(rows, cols)), atol=1e-12)


def test_orthogonal_is_haar_distributed():
    """Q's sign fix makes each entry of a random orthogonal n x n matrix have mean 0 and
    variance 1/n; without it, the diagonal of numpy's Q would lean one way."""
    td.manual_seed(2)
    diag = np.array([np.diag(init.orthogonal_(_empty(4, 4)).data) for _ in range(2000)])
    assert abs(diag.mean()) < 0.03 and abs((diag**2).mean() - 0.25) < 0.02


def test_eye_and_dirac():
    w = init.eye_(_empty(2, 3))
    np.testing.assert_array_equal(w.data, [[1, 0, 0], [0, 1, 0]])
    w = init.dirac_(_empty(4, 2, 3))
    expected = np.zeros((4, 2, 3))
    expected[0, 0, 1] = expected[1, 1, 1] = 1
    np.testing.assert_array_equal(w.data, expected)
    w = init.dirac_(_empty(4, 2, 3, 3), groups=2)
    expected = np.zeros((4, 2, 3, 3))
    for out, inp in [(0, 0), (1, 1), (2, 0), (3, 1)]:
        expected[out, inp, 1, 1] = 1
    np.testing.assert_array_equal(w.data, expected)
    # a Dirac conv2d with padding 1 is the identity on its channels
    conv = nn.Conv2d(3, 3, 3, padding=1, bias=False)
    init.dirac_(conv.weight)
    x = td.Tensor(np.random.default_rng(0).standard_normal((2, 3, 5, 5)).astype(np.float32))
    np.testing.assert_allclose(conv(x).data, x.data, atol=1e-6)


def test_sparse_zeros_per_column():
    td.manual_seed(4)
    w = init.sparse_(_empty(10, 400), sparsity=0.25, std=0.1)
    zeros_per_column = (w.data == 0).sum(axis=0)
    assert (zeros_per_column == 3).all()  # ceil(0.25 * 10)
    nonzero = w.data[w.data != 0]
    assert abs(nonzero.std() - 0.1) < 0.005 and abs(nonzero.mean()) < 0.005


GAINS = [
    ("linear", None, 1.0), ("conv2d", None, 1.0), ("conv_transpose3d", None, 1.0),
    ("sigmoid", None, 1.0), ("tanh", None, 5 / 3), ("relu", None, math.sqrt(2)),
    ("leaky_relu", None, math.sqrt(2 / (1 + 0.01**2))), ("leaky_relu", 0.2,
    math.sqrt(2 / 1.04)), ("leaky_relu", 0, math.sqrt(2)), ("selu", None, 0.75),
]  # fmt: skip


@pytest.mark.parametrize("name, param, gain", GAINS)
def test_calculate_gain(name, param, gain):
    assert init.calculate_gain(name, param) == pytest.approx(gain, rel=1e-15)


@pytest.mark.parametrize("name, param, gain", GAINS)
def test_calculate_gain_matches_pytorch(name, param, gain):
    torch = pytest.importorskip("torch")
    assert init.calculate_gain(name, param) == torch.nn.init.calculate_gain(name, param)


FANS = [
    # initialiser, kwargs, shape, the bound (uniform) or std (normal) by PyTorch's formula
    (init.xavier_uniform_, dict(gain=2.0), (60, 40), 2.0 * math.sqrt(6 / 100)),
    (init.xavier_normal_, {}, (30, 20, 3), math.sqrt(2 / 150)),
    (init.kaiming_uniform_, dict(a=math.sqrt(5)), (50, 80), math.sqrt(6 / 6 / 80)),
    (init.kaiming_uniform_, dict(mode="fan_out", nonlinearity="relu"), (40, 10, 3, 3),
     math.sqrt(2) * math.sqrt(3 / 360)),
    (init.kaiming_normal_, dict(nonlinearity="tanh"), (64, 100), 5 / 3 / 10),
    (init.kaiming_normal_, dict(a=0.1, mode="fan_out"), (50, 100, 2),
     math.sqrt(2 / 1.01) / 10),
]  # fmt: skip


@pytest.mark.parametrize("fn, kwargs, shape, scale", FANS)
def test_xavier_and_kaiming_scales(fn, kwargs, shape, scale):
    td.manual_seed(5)
    values = fn(_empty(*shape), **kwargs).data
    if "uniform" in fn.__name__:
        assert values.max() <= scale and values.max() > 0.99 * scale
        assert abs(values.std() - scale / math.sqrt(3)) < 0.03 * scale
    else:
        assert abs(values.std() - scale) < 0.03 * scale


@pytest.mark.parametrize("fn, kwargs, shape, scale", FANS)
def test_xavier_and_kaiming_scales_match_pytorch(fn, kwargs, shape, scale):
    """Same formula as PyTorch's: its samples have the same range and spread."""
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    theirs = getattr(torch.nn.init, fn.__name__)(torch.empty(*shape, dtype=torch.float64),
                                                 **kwargs).numpy()  # fmt: skip
    td.manual_seed(0)
    ours = fn(_empty(*shape), **kwargs).data
    assert abs(ours.std() - theirs.std()) < 0.06 * scale
    assert abs(np.abs(ours).max() - np.abs(theirs).max()) < (0.02 if "uniform" in fn.__name__
                                                             else 1.0) * scale  # fmt: skip


def test_trunc_normal_and_orthogonal_statistics_match_pytorch():
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    theirs = torch.nn.init.trunc_normal_(torch.empty(200, 200, dtype=torch.float64), 0.5, 2.0,
                                         -1.0, 3.0).numpy()  # fmt: skip
    td.manual_seed(0)
    ours = init.trunc_normal_(_empty(200, 200), 0.5, 2.0, -1.0, 3.0).data
    assert abs(ours.mean() - theirs.mean()) < 0.02 and abs(ours.std() - theirs.std()) < 0.02
    q = torch.nn.init.orthogonal_(torch.empty(3, 8, dtype=torch.float64), gain=3.0).numpy()
    ours = init.orthogonal_(_empty(3, 8), gain=3.0).data
    np.testing.assert_allclose(ours @ ours.T, q @ q.T, atol=1e-12)


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: init.trunc_normal_(_empty(3), a=1.0, b=0.0), ValueError, "need a <= b"),
        (lambda: init.trunc_normal_(_empty(3), std=-1.0), ValueError, "std must be"),
        (lambda: init.trunc_normal_(np.zeros(3)), TypeError, "expected a Tensor"),
        (lambda: init.trunc_normal_(td.Tensor([1, 2])), TypeError, "floating tensor"),
        (lambda: init.orthogonal_(_empty(3)), ValueError, "2 or more dims"),
        (lambda: init.orthogonal_(_empty(2, 2), gain=-1), ValueError, "gain must be >= 0"),
        (lambda: init.eye_(_empty(2, 2, 2)), ValueError, "needs a 2-D tensor"),
        (lambda: init.dirac_(_empty(2, 2)), ValueError, "3-, 4- or 5-D"),
        (lambda: init.dirac_(_empty(3, 2, 3), groups=2), ValueError, "not divisible by groups"),
        (lambda: init.dirac_(_empty(2, 2, 3), groups=0), ValueError, "groups must be an int"),
        (lambda: init.sparse_(_empty(2, 2, 2), 0.5), ValueError, "needs a 2-D tensor"),
        (lambda: init.sparse_(_empty(2, 2), 1.5), ValueError, r"sparsity must be in \[0, 1\]"),
        (lambda: init.sparse_(_empty(2, 2), "x"), TypeError, "sparsity must be a number"),
        (lambda: init.calculate_gain("gelu"), ValueError, "unsupported nonlinearity 'gelu'"),
        (lambda: init.calculate_gain("leaky_relu", True), ValueError, "not a number"),
        (lambda: init.kaiming_normal_(_empty(2, 2), mode="fan"), ValueError, "mode must be"),
    ],
)
def test_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()
