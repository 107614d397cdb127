"""InstanceNorm1d/2d, RMSNorm, LocalResponseNorm (normalization_more.py) and PairwiseDistance,
CosineSimilarity, Bilinear, Softmax2d (distance.py). Values against NumPy closed forms,
gradients against central differences in float64, running statistics, state_dict keys and
reprs, errors by message, and values and gradients against PyTorch when it is installed."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import check_op

import tinygrad_ds as td
import tinygrad_ds.nn as nn
import tinygrad_ds.nn.functional as F

R = np.random.default_rng(7)


def r(*shape):
    return R.standard_normal(shape)


# -- NumPy closed forms ------------------------------------------------------------------------


def np_instance_norm(x, w=None, b=None, eps=1e-5):
    axes = tuple(range(2, x.ndim))
    y = (x - x.mean(axes, keepdims=True)) / np.sqrt(x.var(axes, keepdims=True) + eps)
    shape = (-1,) + (1,) * (x.ndim - 2)
    y = y if w is None else y * w.reshape(shape)
    return y if b is None else y + b.reshape(shape)


def np_rms_norm(x, k, w=None, eps=1e-6):
    axes = tuple(range(x.ndim - k, x.ndim))
    y = x / np.sqrt((x**2).mean(axes, keepdims=True) + eps)
    return y if w is None else y * w


def np_lrn(x, size, alpha=1e-4, beta=0.75, k=1.0):
    c = x.shape[1]
    sq = x**2
    out = np.empty_like(x)
    for i in range(c):
        lo, hi = max(0, i - size // 2), min(c, i + (size - 1) // 2 + 1)
        s = sq[:, lo:hi].sum(1)
        out[:, i] = x[:, i] / (k + alpha / size * s) ** beta
    return out


def np_bilinear(x1, x2, w, b=None):
    y = np.einsum("...i,kij,...j->...k", x1, w, x2)
    return y if b is None else y + b


# -- values and gradients ----------------------------------------------------------------------

INSTANCE_CASES = [
    ((2, 3, 5), False),
    ((2, 3, 4, 3), True),
    ((1, 2, 3, 2, 2), True),
]


@pytest.mark.parametrize("shape,affine", INSTANCE_CASES)
def test_instance_norm_values_and_gradients(shape, affine):
    c = shape[1]
    if affine:
        check_op(
            lambda x, w, b: F.instance_norm(x, weight=w, bias=b, eps=1e-3),
            lambda x, w, b: np_instance_norm(x, w, b, 1e-3),
            [r(*shape), r(c), r(c)],
        )
    else:
        check_op(lambda x: F.instance_norm(x), np_instance_norm, [r(*shape)])


@pytest.mark.parametrize("shape,k", [((3, 4), 1), ((2, 3, 4), 2), ((5,), 1)])
def test_rms_norm_values_and_gradients(shape, k):
    ns = shape[len(shape) - k :]
    check_op(lambda x, w: F.rms_norm(x, ns, w, eps=1e-6), lambda x, w: np_rms_norm(x, k, w),
             [r(*shape), r(*ns)])  # fmt: skip
    eps64 = np.finfo(np.float64).eps
    check_op(lambda x: F.rms_norm(x, ns), lambda x: np_rms_norm(x, k, eps=eps64), [r(*shape)])


@pytest.mark.parametrize("shape,size", [((2, 5, 3), 3), ((1, 4, 2, 2), 2), ((2, 3, 4), 1),
                                        ((1, 3, 2), 6)])  # fmt: skip
def test_local_response_norm_values_and_gradients(shape, size):
    check_op(lambda x: F.local_response_norm(x, size, alpha=0.5, beta=0.6, k=2.0),
             lambda x: np_lrn(x, size, 0.5, 0.6, 2.0), [r(*shape)])  # fmt: skip


@pytest.mark.parametrize("lead", [(4,), (2, 3), ()])
def test_bilinear_values_and_gradients(lead):
    check_op(F.bilinear, np_bilinear, [r(*lead, 3), r(*lead, 2), r(4, 3, 2), r(4)])
    check_op(F.bilinear, np_bilinear, [r(*lead, 3), r(*lead, 2), r(4, 3, 2)])


def test_softmax2d_values_and_gradients():
    def ref(x):
        e = np.exp(x - x.max(-3, keepdims=True))
        return e / e.sum(-3, keepdims=True)

    for shape in [(2, 3, 2, 2), (3, 2, 4)]:
        check_op(nn.Softmax2d(), ref, [r(*shape)])


def test_distance_modules_wrap_the_functions():
    a, b = td.Tensor(r(4, 5)), td.Tensor(r(4, 5))
    np.testing.assert_allclose(nn.PairwiseDistance(p=1.0, keepdim=True)(a, b).data,
                               np.abs(a.data - b.data + 1e-6).sum(-1, keepdims=True))  # fmt: skip
    cos = (a.data * b.data).sum(0) / np.linalg.norm(a.data, axis=0) / np.linalg.norm(b.data, axis=0)
    np.testing.assert_allclose(nn.CosineSimilarity(dim=0)(a, b).data, cos)


def test_second_derivatives():
    """The gradient (create_graph=True) is itself differentiable: gradcheck it."""
    w = td.Tensor(r(2, 3, 3))
    for fn, arr in [(lambda x: F.instance_norm(x), r(1, 2, 4)),
                    (lambda x: F.rms_norm(x, (3,), eps=1e-5), r(2, 3)),
                    (lambda x: F.local_response_norm(x, 3, alpha=0.5), r(1, 3, 2)),
                    (lambda x: F.bilinear(x, x, w), r(2, 3))]:  # fmt: skip

        def grad_of(x, fn=fn):
            return td.grad((fn(x) ** 3).sum(), [x], create_graph=True)[0]

        assert td.gradcheck(grad_of, [td.Tensor(arr, requires_grad=True)])


def test_float32_stays_float32():
    x = td.Tensor(r(2, 3, 4).astype(np.float32))
    assert F.instance_norm(x).dtype == np.float32
    assert nn.RMSNorm(4)(x).dtype == np.float32
    assert nn.LocalResponseNorm(2)(x).dtype == np.float32
    assert nn.Bilinear(4, 4, 2)(x, x).dtype == np.float32
    assert nn.InstanceNorm1d(3, affine=True, track_running_stats=True)(x).dtype == np.float32


def test_rms_norm_default_eps_is_the_dtype_machine_epsilon():
    x = np.zeros((2, 3), dtype=np.float32)
    x[0, 0] = 1e-4  # mean square 3.3e-9, below float32's eps 1.2e-7: eps dominates
    y = F.rms_norm(td.Tensor(x), (3,)).data
    expected = 1e-4 / np.sqrt(1e-8 / 3 + np.finfo(np.float32).eps)
    np.testing.assert_allclose(y[0, 0], expected, rtol=1e-5)


# -- modules: parameters, buffers, running statistics ------------------------------------------


def test_instance_norm_running_statistics_by_hand():
    m = nn.InstanceNorm1d(2, momentum=0.5, track_running_stats=True)
    x = r(3, 2, 4)
    m(td.Tensor(x))
    mean = x.mean(2).mean(0)
    var = x.var(2, ddof=1).mean(0)
    np.testing.assert_allclose(m.running_mean.data, 0.5 * mean)
    np.testing.assert_allclose(m.running_var.data, 0.5 + 0.5 * var)
    m.eval()
    y = m(td.Tensor(x)).data
    rm, rv = m.running_mean.data, m.running_var.data
    np.testing.assert_allclose(y, (x - rm[:, None]) / np.sqrt(rv[:, None] + 1e-5))
    np.testing.assert_allclose(m.running_mean.data, rm)  # eval: no update


def test_instance_norm_without_tracking_uses_input_stats_in_eval():
    m = nn.InstanceNorm2d(3).eval()
    x = r(2, 3, 2, 3)
    np.testing.assert_allclose(m(td.Tensor(x)).data, np_instance_norm(x))
    np.testing.assert_allclose(m(td.Tensor(x[0])).data, np_instance_norm(x[:1])[0])  # unbatched
    assert list(m.state_dict()) == [] and list(m.parameters()) == []


def test_state_dict_keys_and_parameters():
    m = nn.InstanceNorm2d(3, affine=True, track_running_stats=True)
    assert list(m.state_dict()) == ["weight", "bias", "running_mean", "running_var",
                                    "num_batches_tracked"]  # fmt: skip
    assert list(nn.RMSNorm((2, 3)).state_dict()) == ["weight"]
    assert nn.RMSNorm((2, 3)).weight.shape == (2, 3)
    assert list(nn.RMSNorm(3, elementwise_affine=False).state_dict()) == []
    assert list(nn.Bilinear(2, 3, 4).state_dict()) == ["weight", "bias"]
    assert nn.Bilinear(2, 3, 4).weight.shape == (4, 2, 3)
    assert list(nn.Bilinear(2, 3, 4, bias=False).state_dict()) == ["weight"]
    assert list(nn.LocalResponseNorm(2).state_dict()) == []


def test_bilinear_init_bound():
    w = nn.Bilinear(16, 3, 50).weight.data
    assert np.abs(w).max() <= 0.25 and np.abs(w).max() > 0.2  # U(-1/sqrt(16), 1/sqrt(16))


REPRS = [
    ("InstanceNorm1d(3)", lambda m: m.InstanceNorm1d(3)),
    ("InstanceNorm2d(4, affine=True, track_running_stats=True)",
     lambda m: m.InstanceNorm2d(4, affine=True, track_running_stats=True)),
    ("InstanceNorm2d(4, eps=1e-3, momentum=None, affine=True, bias=False)",
     lambda m: m.InstanceNorm2d(4, eps=1e-3, momentum=None, affine=True, bias=False)),
    ("RMSNorm(4)", lambda m: m.RMSNorm(4)),
    ("RMSNorm([2, 3], eps=1e-3, elementwise_affine=False)",
     lambda m: m.RMSNorm([2, 3], eps=1e-3, elementwise_affine=False)),
    ("LocalResponseNorm(3)", lambda m: m.LocalResponseNorm(3)),
    ("LocalResponseNorm(2, alpha=0.5, beta=2, k=3)",
     lambda m: m.LocalResponseNorm(2, alpha=0.5, beta=2.0, k=3.0)),
    ("PairwiseDistance()", lambda m: m.PairwiseDistance()),
    ("CosineSimilarity(dim=0)", lambda m: m.CosineSimilarity(dim=0)),
    ("Bilinear(2, 3, 4)", lambda m: m.Bilinear(2, 3, 4)),
    ("Bilinear(2, 3, 4, bias=False)", lambda m: m.Bilinear(2, 3, 4, bias=False)),
    ("Softmax2d()", lambda m: m.Softmax2d()),
]  # fmt: skip


# -- errors ------------------------------------------------------------------------------------

ERRORS = [
    (lambda: F.instance_norm(td.Tensor(r(2, 3))), ValueError, "instance_norm: expected an input"),
    (lambda: F.instance_norm(td.Tensor(r(2, 3, 1))), ValueError, "more than 1 spatial element"),
    (lambda: F.instance_norm(td.Tensor(r(2, 3, 4)), weight=td.Tensor(r(2))), ValueError,
     r"instance_norm: weight must have shape \(3,\)"),
    (lambda: F.instance_norm(td.Tensor(r(2, 3, 4)), use_input_stats=False), ValueError,
     "use_input_stats=False needs running_mean"),
    (lambda: nn.InstanceNorm1d(3, affine=True)(td.Tensor(r(2, 4, 5))), ValueError,
     "InstanceNorm1d: expected input with 3 channels"),
    (lambda: nn.InstanceNorm2d(3)(td.Tensor(r(2, 3))), ValueError,
     r"InstanceNorm2d: expected input of shape \(N, C, H, W\)"),
    (lambda: nn.InstanceNorm1d(3, momentum=2.0), ValueError, "momentum must be in"),
    (lambda: F.rms_norm(td.Tensor(r(2, 3)), (2,)), ValueError,
     "rms_norm: input of shape .* does not end with normalized_shape"),
    (lambda: F.rms_norm(td.Tensor(r(2, 3)), (3,), td.Tensor(r(2))), ValueError,
     "rms_norm: weight of shape"),
    (lambda: nn.RMSNorm(3, eps=-1.0), ValueError, "RMSNorm: eps must be >= 0"),
    (lambda: F.local_response_norm(td.Tensor(r(2, 3)), 2), ValueError,
     "local_response_norm: expected an input"),
    (lambda: nn.LocalResponseNorm(0), ValueError, "LocalResponseNorm: size must be positive"),
    (lambda: F.bilinear(td.Tensor(r(2, 3)), td.Tensor(r(3, 2)), td.Tensor(r(4, 3, 2))),
     ValueError, "bilinear: input1 and input2 must have the same leading dims"),
    (lambda: F.bilinear(td.Tensor(r(2, 3)), td.Tensor(r(2, 2)), td.Tensor(r(4, 2, 2))),
     ValueError, "bilinear: inputs of shapes"),
    (lambda: F.bilinear(td.Tensor(r(2, 3)), td.Tensor(r(2, 2)), td.Tensor(r(4, 3))),
     ValueError, "bilinear: weight must have shape"),
    (lambda: F.bilinear(td.Tensor(r(2, 3)), td.Tensor(r(2, 2)), td.Tensor(r(4, 3, 2)),
                        td.Tensor(r(3))), ValueError, r"bilinear: bias must have shape \(4,\)"),
    (lambda: nn.Bilinear(-1, 2, 3), ValueError, "Bilinear"),
    (lambda: nn.Softmax2d()(td.Tensor(r(2, 3))), ValueError, "Softmax2d: expected input"),
]  # fmt: skip


@pytest.mark.parametrize("call,kind,match", ERRORS)
def test_errors(call, kind, match):
    with pytest.raises(kind, match=match):
        call()


# -- against PyTorch ---------------------------------------------------------------------------


@pytest.mark.parametrize("text,make", REPRS)
def test_reprs_match_torch(text, make):
    torch = pytest.importorskip("torch")
    assert repr(make(nn)) == repr(make(torch.nn))


TORCH_CASES = [
    ("instance_norm", lambda F_, x, w, b: F_.instance_norm(x, weight=w, bias=b), (2, 3, 5)),
    ("instance_norm 2d", lambda F_, x, w, b: F_.instance_norm(x, weight=w, bias=b, eps=0.1),
     (2, 3, 2, 3)),
    ("rms_norm", lambda F_, x, w, b: F_.rms_norm(x, (5,), w[:1].expand(5) * w.sum() + 1),
     (2, 3, 5)),
    ("rms_norm default eps", lambda F_, x, w, b: F_.rms_norm(x, [3, 5]), (2, 3, 5)),
    ("local_response_norm", lambda F_, x, w, b: F_.local_response_norm(x, 2, 0.3, 0.7, 1.5),
     (2, 3, 4)),
    ("local_response_norm 2d", lambda F_, x, w, b: F_.local_response_norm(x, 5, 0.3), (1, 3, 2, 2)),
    ("bilinear", lambda F_, x, w, b: F_.bilinear(x, x * 2, w.reshape(3, 1, 1).expand(3, 5, 5), b),
     (2, 4, 5)),
    ("pairwise_distance", lambda F_, x, w, b: F_.pairwise_distance(x, x.flip(0), 3.0), (2, 3, 5)),
]  # fmt: skip


@pytest.mark.parametrize("name,fn,shape", TORCH_CASES)
def test_functions_match_torch(name, fn, shape):
    torch = pytest.importorskip("torch")
    arrays = [r(*shape), r(3), r(3)]
    ours = [td.Tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    out, ref = fn(F, *ours), fn(torch.nn.functional, *theirs)
    np.testing.assert_allclose(out.data, ref.detach().numpy(), rtol=1e-10, atol=1e-12)
    up = r(*out.shape)
    grads = td.grad(out, ours, up, allow_unused=True)
    ref_grads = torch.autograd.grad(ref, theirs, torch.tensor(up), allow_unused=True)
    for g, rg in zip(grads, ref_grads):
        if rg is None:
            assert g is None or not np.any(g.data)
        else:
            np.testing.assert_allclose(g.data, rg.numpy(), rtol=1e-9, atol=1e-10)


INSTANCE_MODULES = [("InstanceNorm1d", (3, 2, 4)), ("InstanceNorm2d", (2, 2, 3, 2)),
                    ("InstanceNorm1d", (2, 4))]  # fmt: skip


@pytest.mark.parametrize("cls,shape", INSTANCE_MODULES)
@pytest.mark.parametrize("momentum", [0.1, None])
def test_instance_norm_modules_match_torch(cls, shape, momentum):
    torch = pytest.importorskip("torch")
    c = shape[-3] if cls == "InstanceNorm2d" else shape[-2]
    kw = dict(affine=True, track_running_stats=True, momentum=momentum, dtype=np.float64)
    ours = getattr(nn, cls)(c, **kw)
    theirs = getattr(torch.nn, cls)(c, **{**kw, "dtype": torch.float64})
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor(r(c)))
        theirs.bias.copy_(torch.tensor(r(c)))
    ours.load_state_dict({k: td.Tensor(v.numpy()) for k, v in theirs.state_dict().items()})
    for step in range(3):
        if step == 2:
            ours.eval(), theirs.eval()
        x = r(*shape)
        a, b = td.Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        out, ref = ours(a), theirs(b)
        np.testing.assert_allclose(out.data, ref.detach().numpy(), rtol=1e-10, atol=1e-12)
        (out * out).sum().backward()
        (ref * ref).sum().backward()
        np.testing.assert_allclose(a.grad.data, b.grad.numpy(), rtol=1e-9, atol=1e-10)
        np.testing.assert_allclose(ours.weight.grad.data, theirs.weight.grad.numpy(), rtol=1e-9)
        for k, v in theirs.state_dict().items():
            np.testing.assert_allclose(ours.state_dict()[k].data, v.numpy(), rtol=1e-12, err_msg=k)


def test_modules_match_torch():
    torch = pytest.importorskip("torch")
    x, y = r(2, 4, 3, 3), r(2, 4, 3, 3)
    for make in [lambda m: m.Softmax2d(), lambda m: m.LocalResponseNorm(3, 0.2)]:
        np.testing.assert_allclose(make(nn)(td.Tensor(x)).data,
                                   make(torch.nn)(torch.tensor(x)).numpy(), rtol=1e-10)  # fmt: skip
    for make in [lambda m: m.PairwiseDistance(1.5, keepdim=True), lambda m: m.CosineSimilarity(2)]:
        np.testing.assert_allclose(make(nn)(td.Tensor(x), td.Tensor(y)).data,
                                   make(torch.nn)(torch.tensor(x), torch.tensor(y)).numpy(),
                                   rtol=1e-10)  # fmt: skip
    ours, theirs = nn.RMSNorm(3, dtype=np.float64), torch.nn.RMSNorm(3, dtype=torch.float64)
    np.testing.assert_allclose(ours(td.Tensor(x)).data, theirs(torch.tensor(x)).detach().numpy(),
                               rtol=1e-10)  # fmt: skip
    ours, theirs = nn.Bilinear(3, 3, 2, dtype=np.float64), torch.nn.Bilinear(3, 3, 2).double()
    ours.load_state_dict({k: td.Tensor(v.numpy()) for k, v in theirs.state_dict().items()})
    np.testing.assert_allclose(ours(td.Tensor(x), td.Tensor(y)).data,
                               theirs(torch.tensor(x), torch.tensor(y)).detach().numpy(),
                               rtol=1e-10)  # fmt: skip
