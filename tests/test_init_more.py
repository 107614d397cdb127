"""nn.init: trunc_normal_, orthogonal_, eye_, dirac_ and sparse_ (statistics with a fixed seed,
exact structure, errors), and the fan/gain conventions of xavier_*/kaiming_*/calculate_gain
against PyTorch's. Then nn.utils (parameters_to_vector, vector_to_parameters, gradient
clipping against PyTorch) and Module.get_submodule / get_parameter."""

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


# ---------------------------------------------------------------------------------------------
# nn.utils and Module.get_submodule / get_parameter
# ---------------------------------------------------------------------------------------------


def _model():
    td.manual_seed(0)
    return nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Sequential(nn.Linear(4, 2)))


def test_parameters_to_vector_and_back():
    model = _model()
    params = list(model.parameters())
    vec = nn.utils.parameters_to_vector(model.parameters())
    np.testing.assert_array_equal(vec.data, np.concatenate([p.data.ravel() for p in params]))
    assert vec.shape == (4 * 3 + 4 + 2 * 4 + 2,) and vec.dtype == np.float32
    new = td.Tensor(np.arange(vec.shape[0], dtype=np.float64))
    data = params[0].data
    nn.utils.vector_to_parameters(new, model.parameters())
    np.testing.assert_array_equal(params[0].data, np.arange(12).reshape(4, 3))
    np.testing.assert_array_equal(params[-1].data, [24, 25])
    assert params[0].data is data and params[0].dtype == np.float32  # in place, own dtype
    assert params[0].requires_grad and params[0].grad_fn is None


def test_parameters_to_vector_carries_gradients():
    a = td.Tensor(np.random.default_rng(0).standard_normal((2, 3)), requires_grad=True)
    b = td.Tensor(np.random.default_rng(1).standard_normal(4), requires_grad=True)
    weights = td.Tensor(np.arange(10.0))

    def f(a, b):
        return (nn.utils.parameters_to_vector([a, b]) ** 2 * weights).sum()

    assert td.gradcheck(f, [a, b])
    f(a, b).backward()
    np.testing.assert_allclose(b.grad.data, 2 * b.data * np.arange(6.0, 10.0))
    np.testing.assert_allclose(a.grad.data, 2 * a.data * np.arange(6.0).reshape(2, 3))


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda m: nn.utils.parameters_to_vector(m), TypeError, "did you mean model.param"),
        (lambda m: nn.utils.parameters_to_vector([]), ValueError, "got no parameters"),
        (lambda m: nn.utils.parameters_to_vector([1.0]), TypeError, "item 0 is a float"),
        (lambda m: nn.utils.vector_to_parameters(np.zeros(26), m.parameters()), TypeError,
         "expected a Tensor, but got ndarray"),
        (lambda m: nn.utils.vector_to_parameters(td.zeros(25), m.parameters()), ValueError,
         r"total size 26, got shape \(25,\)"),
        (lambda m: nn.utils.vector_to_parameters(td.zeros(2, 13), m.parameters()), ValueError,
         "1-D vector"),
        (lambda m: nn.utils.clip_grad_norm_(m.parameters(), 1.0, "two"), TypeError,
         "norm_type must be a real number >= 0 .*got 'two'"),
        (lambda m: nn.utils.get_total_norm(m, 2), TypeError, "item 0 is a Linear, not a Tensor"),
    ],
)  # fmt: skip
def test_utils_errors(call, error, message):
    with pytest.raises(error, match=message):
        call(_model())


CLIPS = [
    # max_norm, norm_type
    (0.5, 2.0), (100.0, 2.0), (0.3, 1.0), (0.2, 3.5), (0.1, math.inf), (0.1, "inf"), (2.0, 0.0),
]  # fmt: skip


@pytest.mark.parametrize("max_norm, norm_type", CLIPS)
def test_clip_grad_norm_matches_pytorch(max_norm, norm_type):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    grads = [rng.standard_normal((3, 4)), rng.standard_normal(5), None, np.zeros(2)]
    ours = [td.Tensor(np.zeros(s), requires_grad=True) for s in [(3, 4), (5,), (2,), (2,)]]
    theirs = [torch.zeros(p.shape, dtype=torch.float64, requires_grad=True) for p in ours]
    for p, q, g in zip(ours, theirs, grads):
        if g is not None:
            p.grad, q.grad = td.Tensor(g), torch.tensor(g)
    total = nn.utils.clip_grad_norm_(ours, max_norm, norm_type, foreach=True)
    their_total = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type)
    assert total.item() == pytest.approx(their_total.item(), rel=1e-13)
    for p, q in zip(ours, theirs):
        if q.grad is None:
            assert p.grad is None
        else:
            np.testing.assert_allclose(p.grad.data, q.grad.numpy(), rtol=1e-13)
    tensors = [td.Tensor(g) for g in grads if g is not None]
    assert nn.utils.get_total_norm(tensors, norm_type).item() == pytest.approx(
        torch.nn.utils.get_total_norm([torch.tensor(g) for g in grads if g is not None],
                                      norm_type).item(), rel=1e-13)  # fmt: skip


def test_clip_in_two_halves_and_float32():
    params = [td.Tensor(np.zeros(3, np.float32), requires_grad=True) for _ in range(2)]
    params[0].grad = td.Tensor(np.array([3.0, 0.0, 0.0], np.float32))
    params[1].grad = td.Tensor(np.array([0.0, 4.0, 0.0], np.float32))
    total = nn.utils.get_total_norm([p.grad for p in params])
    assert total.item() == 5.0 and total.dtype == np.float32
    nn.utils.clip_grads_with_norm_(params, 1.0, total)
    np.testing.assert_allclose(params[1].grad.data, [0.0, 0.8, 0.0], rtol=1e-6)
    assert params[1].grad.dtype == np.float32
    params[0].grad = td.Tensor(np.array([np.inf, 0.0, 0.0], np.float32))
    with pytest.raises(RuntimeError, match="clip_grad_norm_: the total norm of order 2.0 is"):
        nn.utils.clip_grad_norm_(params, 1.0, error_if_nonfinite=True)
    nn.utils.clip_grad_value_(params, 0.5, foreach=None)
    np.testing.assert_array_equal(params[1].grad.data, [0.0, 0.5, 0.0])


def test_get_submodule_and_get_parameter():
    model = _model()
    assert model.get_submodule("") is model
    assert model.get_submodule("2.0") is model[2][0]
    assert model.get_parameter("2.0.bias") is model[2][0].bias
    assert model.get_parameter("0.weight") is dict(model.named_parameters())["0.weight"]
    for target, message in [("3", "Sequential has no attribute `3`"),
                            ("0.weight", "`weight` is not an nn.Module"),
                            ("2.0.foo", "Linear has no attribute `foo`")]:  # fmt: skip
        with pytest.raises(AttributeError, match=message):
            model.get_submodule(target)
    for target, message in [("2.0.foo", "Linear has no attribute `foo`"),
                            ("2.0", "`0` is not an nn.Parameter"),
                            ("1.weight", "Tanh has no attribute `weight`")]:  # fmt: skip
        with pytest.raises(AttributeError, match=message):
            model.get_parameter(target)
    with pytest.raises(TypeError, match="target must be a str"):
        model.get_parameter(0)


def test_get_submodule_errors_match_pytorch():
    torch = pytest.importorskip("torch")
    theirs = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(),
                                 torch.nn.Sequential(torch.nn.Linear(4, 2)))  # fmt: skip
    ours = _model()
    for method, target in [("get_submodule", "3"), ("get_submodule", "0.weight"),
                           ("get_parameter", "2.0"), ("get_parameter", "1.weight")]:  # fmt: skip
        with pytest.raises(AttributeError) as their_error:
            getattr(theirs, method)(target)
        with pytest.raises(AttributeError) as our_error:
            getattr(ours, method)(target)
        assert str(our_error.value) == str(their_error.value)
