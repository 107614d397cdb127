"""nn.functional takes PyTorch's arguments: `input` by name, `inplace=True` really in place (the
same tensor returned, its version moved, the change recorded for autograd, refused on a leaf
that requires grad), `dtype=` on the softmaxes, the legacy `size_average`/`reduce` of the
losses, `weight=` on mse/l1/huber, `out=` on normalize and embedding's max_norm and
scale_grad_by_freq. Values against NumPy or our own out-of-place forms, gradients by gradcheck
in float64, and values and gradients against PyTorch when it is installed."""

from __future__ import annotations

import inspect
import warnings

import numpy as np
import pytest

import tinygrad_ds as td
import tinygrad_ds.nn as nn
import tinygrad_ds.nn.functional as F

R = np.random.default_rng(7)
X = np.array([[-2.5, -0.7, 0.3, 1.9], [4.0, -3.5, 0.05, 7.2]])  # no value at a kink


def tensor(a=X, dtype=np.float64, requires_grad=False):
    return td.Tensor(np.array(a, dtype=dtype), requires_grad=requires_grad)


# ---------------------------------------------------------------------------------------------
# 1. the first argument is `input`
# ---------------------------------------------------------------------------------------------

BY_NAME = [  # name, the other arguments
    ("relu", {}), ("relu6", {}), ("elu", {"alpha": 0.5}), ("selu", {}), ("celu", {}),
    ("glu", {}), ("hardsigmoid", {}), ("hardswish", {}), ("hardtanh", {}), ("mish", {}),
    ("silu", {}), ("sigmoid", {}), ("tanh", {}), ("softsign", {}), ("softmin", {"dim": 1}),
    ("softmax", {"dim": 0}), ("log_softmax", {"dim": 1}), ("tanhshrink", {}), ("gelu", {}),
    ("threshold", {"threshold": 0.1, "value": 2.0}), ("leaky_relu", {"negative_slope": 0.2}),
    ("dropout", {"training": False}), ("layer_norm", {"normalized_shape": (4,)}),
    ("group_norm", {"num_groups": 1}), ("normalize", {"dim": 1}), ("softplus", {}),
    ("logsigmoid", {}), ("softshrink", {}), ("hardshrink", {}),
    ("batch_norm", {"running_mean": None, "running_var": None, "training": True}),
]  # fmt: skip


@pytest.mark.parametrize("name, kwargs", BY_NAME, ids=[c[0] for c in BY_NAME])
def test_input_by_name_equals_positional(name, kwargs):
    fn = getattr(F, name)
    assert next(iter(inspect.signature(fn).parameters)) == "input"
    by_name = fn(input=tensor(), **kwargs)
    positional = fn(tensor(), **kwargs)
    np.testing.assert_array_equal(by_name.data, positional.data)
    assert not np.array_equal(by_name.data, X) or name == "dropout"


def test_signatures_cover_pytorchs():
    torch = pytest.importorskip("torch")
    gaps = {}
    for name in [n for n in dir(torch.nn.functional) if not n.startswith("_")]:
        ours, theirs = getattr(F, name, None), getattr(torch.nn.functional, name)
        try:
            tsig = inspect.signature(theirs)
        except (TypeError, ValueError):
            continue
        if ours is None or not callable(ours) or "args" in tsig.parameters:
            continue
        params = inspect.signature(ours).parameters
        missing = [p for p in tsig.parameters if p != "_stacklevel" and p not in params]
        if missing:
            gaps[name] = missing
    assert gaps == {}


# ---------------------------------------------------------------------------------------------
# 2. inplace=True
# ---------------------------------------------------------------------------------------------

INPLACE = [  # name, fn(F, x, **kw) for our F and PyTorch's
    ("relu", lambda F, x, **kw: F.relu(x, **kw)),
    ("relu6", lambda F, x, **kw: F.relu6(x, **kw)),
    ("leaky_relu", lambda F, x, **kw: F.leaky_relu(x, 0.2, **kw)),
    ("elu", lambda F, x, **kw: F.elu(x, 0.5, **kw)),
    ("selu", lambda F, x, **kw: F.selu(x, **kw)),
    ("celu", lambda F, x, **kw: F.celu(x, 2.0, **kw)),
    ("hardtanh", lambda F, x, **kw: F.hardtanh(x, -2.0, 3.0, **kw)),
    ("threshold", lambda F, x, **kw: F.threshold(x, 0.1, 20.0, **kw)),
    ("hardsigmoid", lambda F, x, **kw: F.hardsigmoid(x, **kw)),
    ("hardswish", lambda F, x, **kw: F.hardswish(x, **kw)),
    ("silu", lambda F, x, **kw: F.silu(x, **kw)),
    ("mish", lambda F, x, **kw: F.mish(x, **kw)),
    ("rrelu_eval", lambda F, x, **kw: F.rrelu(x, 0.1, 0.3, False, **kw)),
]


@pytest.mark.parametrize("name, fn", INPLACE, ids=[c[0] for c in INPLACE])
def test_inplace_changes_the_input_and_returns_it(name, fn):
    x = tensor(dtype=np.float32)
    expected = fn(F, x).data
    version = x._version[0]
    y = fn(F, x, inplace=True)
    assert y is x and x.dtype == np.float32
    assert x._version[0] == version + 1
    np.testing.assert_array_equal(x.data, expected)
    assert not np.array_equal(x.data, X.astype(np.float32))


@pytest.mark.parametrize("name, fn", INPLACE, ids=[c[0] for c in INPLACE])
def test_inplace_gradient_is_recorded(name, fn):
    a = tensor(requires_grad=True)
    assert td.gradcheck(lambda a: fn(F, a * 1.25, inplace=True), [a])
    c = a * 2
    out = fn(F, c, inplace=True)
    assert out is c and c.grad_fn is not None
    c.sum().backward()
    b = tensor(requires_grad=True)
    fn(F, b * 2).sum().backward()
    np.testing.assert_allclose(a.grad.data, b.grad.data, rtol=1e-12)


def test_inplace_second_derivative():
    a = tensor(requires_grad=True)

    def grad(a):
        return td.grad(F.elu(a * 1.5, 0.5, inplace=True).sum(), [a], create_graph=True)[0]

    assert td.gradcheck(grad, [a])
    np.testing.assert_allclose(grad(a).data, np.where(X > 0, 1.5, 0.75 * np.exp(1.5 * X)))


@pytest.mark.parametrize("name, fn", INPLACE, ids=[c[0] for c in INPLACE])
def test_inplace_on_a_leaf_that_requires_grad_is_an_error(name, fn):
    a = tensor(requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf tensor that requires grad is being changed"):
        fn(F, a, inplace=True)
    np.testing.assert_array_equal(a.data, X)
    with td.no_grad():  # as PyTorch: allowed under no_grad, and unrecorded
        assert fn(F, a, inplace=True) is a
    assert a.grad_fn is None and not np.array_equal(a.data, X)


@pytest.mark.parametrize("name, fn", INPLACE, ids=[c[0] for c in INPLACE])
def test_inplace_against_pytorch(name, fn):
    torch = pytest.importorskip("torch")
    tf = torch.nn.functional
    a, ta = tensor(requires_grad=True), torch.tensor(X, requires_grad=True)
    c, tc = a * 2, ta * 2
    out, tout = fn(F, c, inplace=True), fn(tf, tc, inplace=True)
    assert (out is c) and (tout is tc)
    np.testing.assert_allclose(out.data, tout.detach().numpy(), rtol=1e-12)
    (out * out).sum().backward()
    (tout * tout).sum().backward()
    np.testing.assert_allclose(a.grad.data, ta.grad.numpy(), rtol=1e-7)  # (hardsigmoid's)
    with pytest.raises(RuntimeError, match="leaf"):
        fn(tf, torch.tensor(X, requires_grad=True), inplace=True)
    with pytest.raises(RuntimeError, match="leaf"):
        fn(F, tensor(requires_grad=True), inplace=True)


def test_inplace_on_a_view_reaches_the_base_as_pytorch():
    torch = pytest.importorskip("torch")
    a, ta = tensor(requires_grad=True), torch.tensor(X, requires_grad=True)
    c, tc = a * 2, ta * 2
    F.elu(c[1], 0.5, inplace=True)
    torch.nn.functional.elu(tc[1], 0.5, inplace=True)
    np.testing.assert_allclose(c.data, tc.detach().numpy(), rtol=1e-12)
    (c * c).sum().backward()
    (tc * tc).sum().backward()
    np.testing.assert_allclose(a.grad.data, ta.grad.numpy(), rtol=1e-12)


def test_inplace_after_a_use_that_saved_the_input_is_an_error_at_backward():
    a = tensor(requires_grad=True)
    c = a * 2
    d = c * c  # saves c
    F.relu(c, inplace=True)
    with pytest.raises(RuntimeError, match="modified by an inplace operation|version"):
        d.sum().backward()


RANDOM = [  # name, fn(x, **kw), the input's shape
    ("dropout", lambda x, **kw: F.dropout(x, 0.4, True, **kw), (6, 5)),
    ("alpha_dropout", lambda x, **kw: F.alpha_dropout(x, 0.4, True, **kw), (6, 5)),
    ("feature_alpha_dropout", lambda x, **kw: F.feature_alpha_dropout(x, 0.4, True, **kw),
     (4, 6, 3)),
    ("dropout1d", lambda x, **kw: F.dropout1d(x, 0.4, True, **kw), (4, 6, 3)),
    ("dropout2d", lambda x, **kw: F.dropout2d(x, 0.4, True, **kw), (2, 6, 3, 2)),
    ("dropout3d", lambda x, **kw: F.dropout3d(x, 0.4, True, **kw), (2, 6, 2, 2, 2)),
    ("rrelu_train", lambda x, **kw: F.rrelu(x, 0.1, 0.3, True, **kw), (6, 5)),
]  # fmt: skip


@pytest.mark.parametrize("name, fn, shape", RANDOM, ids=[c[0] for c in RANDOM])
def test_random_inplace_equals_out_of_place_with_the_same_seed(name, fn, shape):
    data = R.standard_normal(shape)
    b = tensor(data, requires_grad=True)
    td.manual_seed(3)
    expected = fn(b * 2)
    (expected * expected).sum().backward()
    a = tensor(data, requires_grad=True)
    td.manual_seed(3)
    c = a * 2
    assert fn(c, inplace=True) is c
    np.testing.assert_array_equal(c.data, expected.data)
    (c * c).sum().backward()
    np.testing.assert_allclose(a.grad.data, b.grad.data, rtol=1e-12)
    with pytest.raises(RuntimeError, match="leaf tensor that requires grad"):
        fn(tensor(data, requires_grad=True), inplace=True)


@pytest.mark.parametrize("name, fn, shape", RANDOM[:-1], ids=[c[0] for c in RANDOM[:-1]])
def test_dropout_inplace_in_eval_leaves_the_input_alone(name, fn, shape):
    x = tensor(R.standard_normal(shape))
    version, before = x._version[0], x.data.copy()
    out = getattr(F, name)(x, 0.4, False, True)  # (input, p, training, inplace)
    assert out is x and x._version[0] == version
    np.testing.assert_array_equal(x.data, before)


def test_inplace_needs_a_tensor():
    with pytest.raises(TypeError, match="relu: inplace=True needs a Tensor, got list"):
        F.relu([1.0, -1.0], inplace=True)
    with pytest.raises(TypeError, match="dropout: inplace=True needs a Tensor"):
        F.dropout([1.0, -1.0], 0.5, True, True)


MODULES = [  # module, its repr
    (nn.ReLU(inplace=True), "ReLU(inplace=True)"),
    (nn.ReLU(), "ReLU()"),
    (nn.LeakyReLU(0.2, True), "LeakyReLU(negative_slope=0.2, inplace=True)"),
    (nn.LeakyReLU(0.2), "LeakyReLU(negative_slope=0.2)"),
    (nn.ELU(inplace=True), "ELU(alpha=1.0, inplace=True)"),
    (nn.SELU(True), "SELU(inplace=True)"),
    (nn.CELU(inplace=True), "CELU(alpha=1.0, inplace=True)"),
    (nn.Hardtanh(inplace=True), "Hardtanh(min_val=-1.0, max_val=1.0, inplace=True)"),
    (nn.ReLU6(True), "ReLU6(inplace=True)"),
    (nn.Threshold(0.1, 2.0, True), "Threshold(threshold=0.1, value=2.0, inplace=True)"),
    (nn.Hardsigmoid(True), "Hardsigmoid(inplace=True)"),
    (nn.Hardswish(True), "Hardswish(inplace=True)"),
    (nn.SiLU(True), "SiLU(inplace=True)"),
    (nn.Mish(True), "Mish(inplace=True)"),
    (nn.RReLU(inplace=True), "RReLU(lower=0.125, upper=0.3333333333333333, inplace=True)"),
    (nn.Dropout(0.3, inplace=True), "Dropout(p=0.3, inplace=True)"),
    (nn.Dropout(0.3), "Dropout(p=0.3)"),
    (nn.Dropout1d(inplace=True), "Dropout1d(p=0.5, inplace=True)"),
    (nn.Dropout2d(inplace=True), "Dropout2d(p=0.5, inplace=True)"),
    (nn.Dropout3d(inplace=True), "Dropout3d(p=0.5, inplace=True)"),
    (nn.AlphaDropout(0.2, True), "AlphaDropout(p=0.2, inplace=True)"),
    (nn.FeatureAlphaDropout(inplace=True), "FeatureAlphaDropout(p=0.5, inplace=True)"),
]


@pytest.mark.parametrize("module, text", MODULES, ids=[m[1] for m in MODULES])
def test_modules_with_inplace(module, text):
    assert repr(module) == text
    shape = {nn.Dropout1d: (2, 4, 3), nn.Dropout2d: (2, 4, 3, 2)}.get(type(module), (2, 4, 3, 2, 2))
    x = tensor(R.standard_normal(shape))
    x0 = x.data.copy()
    y = module(x)
    assert (y is x) == module.inplace
    assert np.array_equal(x.data, x0) != module.inplace
    module.eval()
    z = tensor(np.abs(x0) + 1.0)  # positive: unchanged by every activation but SELU and co
    assert module(z) is z or not module.inplace


def test_module_inplace_gradient_against_pytorch():
    torch = pytest.importorskip("torch")
    lin, tlin = nn.Linear(4, 3, dtype=np.float64), torch.nn.Linear(4, 3, dtype=torch.float64)
    with torch.no_grad():
        tlin.weight.copy_(torch.tensor(lin.weight.data))
        tlin.bias.copy_(torch.tensor(lin.bias.data))
    model = nn.Sequential(lin, nn.ELU(inplace=True), nn.Dropout(0.5, inplace=True))
    tmodel = torch.nn.Sequential(tlin, torch.nn.ELU(inplace=True), torch.nn.Dropout(0.5, True))
    model.eval(), tmodel.eval()
    (model(tensor()) ** 2).sum().backward()
    (tmodel(torch.tensor(X)) ** 2).sum().backward()
    np.testing.assert_allclose(lin.weight.grad.data, tlin.weight.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(lin.bias.grad.data, tlin.bias.grad.numpy(), rtol=1e-12)


# ---------------------------------------------------------------------------------------------
# 3. dtype= on softmax, log_softmax and softmin
# ---------------------------------------------------------------------------------------------

SOFTMAXES = [  # name, NumPy closed form along the last axis
    ("softmax", lambda z: np.exp(z) / np.exp(z).sum(-1, keepdims=True)),
    ("log_softmax", lambda z: z - np.log(np.exp(z).sum(-1, keepdims=True))),
    ("softmin", lambda z: np.exp(-z) / np.exp(-z).sum(-1, keepdims=True)),
]


@pytest.mark.parametrize("name, reference", SOFTMAXES, ids=[c[0] for c in SOFTMAXES])
def test_softmax_dtype_casts_first(name, reference):
    fn = getattr(F, name)
    x = tensor(dtype=np.float32, requires_grad=True)
    y = fn(x, -1, dtype=np.float64)
    assert y.dtype == np.float64
    np.testing.assert_allclose(y.data, reference(X.astype(np.float32).astype(np.float64)))
    w = R.standard_normal(X.shape)
    (y * tensor(w)).sum().backward()
    assert x.grad.dtype == np.float32
    assert fn(x, 1, dtype="float32").dtype == np.float32
    a = tensor(requires_grad=True)
    assert td.gradcheck(lambda a: fn(a, 0, dtype=np.float64), [a])
    with pytest.raises(TypeError, match=f"{name}: dtype must be a floating dtype, got int64"):
        fn(x, 1, dtype=np.int64)
    with pytest.raises(TypeError, match=f"{name}: dtype 'nope' is not a dtype"):
        fn(x, 1, dtype="nope")


@pytest.mark.parametrize("name, reference", SOFTMAXES, ids=[c[0] for c in SOFTMAXES])
def test_softmax_dtype_against_pytorch(name, reference):
    torch = pytest.importorskip("torch")
    x = tensor(dtype=np.float32, requires_grad=True)
    tx = torch.tensor(X.astype(np.float32), requires_grad=True)
    y = getattr(F, name)(input=x, dim=0, dtype=np.float64)
    ty = getattr(torch.nn.functional, name)(input=tx, dim=0, dtype=torch.float64)
    np.testing.assert_allclose(y.data, ty.detach().numpy(), rtol=1e-12)
    (y * y).sum().backward()
    (ty * ty).sum().backward()
    assert tx.grad.dtype == torch.float32 and x.grad.dtype == np.float32
    np.testing.assert_allclose(x.grad.data, tx.grad.numpy(), rtol=1e-5)


# ---------------------------------------------------------------------------------------------
# 4. the legacy size_average and reduce of the losses
# ---------------------------------------------------------------------------------------------

Z = R.standard_normal((4, 3))
Z2 = R.standard_normal((4, 3))
Y3 = np.array([0, 2, 1, 2])
P01 = R.uniform(0.1, 0.9, (4, 3))
SIGN = np.array([1.0, -1.0, -1.0, 1.0])
SIGN43 = np.where(R.standard_normal((4, 3)) > 0, 1.0, -1.0)
PROBS = np.exp(Z2) / np.exp(Z2).sum(1, keepdims=True)
LOGP = Z - np.log(np.exp(Z).sum(1, keepdims=True))
MULTI = np.array([[2, -1, 0], [0, 1, -1], [1, -1, 2], [2, 0, 1]])

LEGACY = [  # name, the positional arguments (NumPy arrays: tensors made in each framework)
    ("binary_cross_entropy", (P01, P01.round())),
    ("binary_cross_entropy_with_logits", (Z, P01)),
    ("cross_entropy", (Z, Y3)),
    ("nll_loss", (LOGP, Y3)),
    ("mse_loss", (Z, Z2)),
    ("l1_loss", (Z, Z2)),
    ("smooth_l1_loss", (Z, Z2)),
    ("soft_margin_loss", (Z, SIGN43)),
    ("kl_div", (LOGP, PROBS)),
    ("poisson_nll_loss", (Z, np.abs(Z2).round())),
    ("margin_ranking_loss", (Z[:, 0], Z2[:, 0], SIGN)),
    ("hinge_embedding_loss", (Z, SIGN43)),
    ("cosine_embedding_loss", (Z, Z2, SIGN)),
    ("triplet_margin_loss", (Z, Z2, P01)),
    ("multilabel_soft_margin_loss", (Z, P01.round())),
    ("multi_margin_loss", (Z, Y3)),
    ("multilabel_margin_loss", (Z, MULTI)),
]

COMBOS = [  # size_average, reduce, the reduction they mean
    (True, None, "mean"), (False, None, "sum"), (None, False, "none"), (False, False, "none"),
    (True, True, "mean"), (False, True, "sum"), (None, True, "mean"), (True, False, "none"),
]  # fmt: skip


def _ours(args):
    return [td.Tensor(a) if a.dtype.kind == "f" else a for a in args]


@pytest.mark.parametrize("name, args", LEGACY, ids=[c[0] for c in LEGACY])
def test_legacy_size_average_and_reduce(name, args):
    fn = getattr(F, name)
    for size_average, reduce, reduction in COMBOS:
        with pytest.warns(UserWarning) as record:
            got = fn(*_ours(args), size_average=size_average, reduce=reduce, reduction="sum")
        messages = [str(w.message) for w in record]
        assert messages == [
            f"size_average and reduce args will be deprecated, please use "
            f"reduction='{reduction}' instead."
        ]
        assert record[0].filename == __file__  # points at the caller
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # (kl_div's 'mean' warning)
            expected = fn(*_ours(args), reduction=reduction)
        np.testing.assert_array_equal(got.data, expected.data)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no warning without them
        fn(*_ours(args), reduction="sum")


@pytest.mark.parametrize("name, args", LEGACY, ids=[c[0] for c in LEGACY])
def test_legacy_size_average_and_reduce_against_pytorch(name, args):
    torch = pytest.importorskip("torch")
    ours, theirs = getattr(F, name), getattr(torch.nn.functional, name)
    for size_average, reduce, _ in COMBOS[:4]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            got = ours(*_ours(args), size_average=size_average, reduce=reduce)
            expected = theirs(
                *[torch.tensor(a) for a in args], size_average=size_average, reduce=reduce
            )
        np.testing.assert_allclose(got.data, expected.numpy(), rtol=1e-6, atol=1e-6)


# ---------------------------------------------------------------------------------------------
# 5. weight= on mse_loss, l1_loss and huber_loss; out= on normalize
# ---------------------------------------------------------------------------------------------

W = R.uniform(0.2, 2.0, (4, 3))
D = Z - Z2


def _huber(d, delta=1.0):
    return np.where(np.abs(d) <= delta, 0.5 * d * d, delta * (np.abs(d) - 0.5 * delta))


WEIGHTED = [  # name, L(d) elementwise, 'mean' is the weighted mean (else the plain mean)
    ("mse_loss", lambda d: d * d, True),
    ("l1_loss", np.abs, True),
    ("huber_loss", _huber, False),
]


@pytest.mark.parametrize("name, loss, weighted_mean", WEIGHTED, ids=[c[0] for c in WEIGHTED])
def test_weighted_losses(name, loss, weighted_mean):
    fn = getattr(F, name)
    wl = W * loss(D)
    expected = {"none": wl, "sum": wl.sum(), "mean": wl.sum() / W.sum() if weighted_mean
                else wl.mean()}  # fmt: skip
    for reduction, value in expected.items():
        got = fn(tensor(Z), tensor(Z2), reduction=reduction, weight=tensor(W))
        np.testing.assert_allclose(got.data, value, rtol=1e-12)
    for reduction in expected:
        assert td.gradcheck(
            lambda x, w, r=reduction: fn(x, tensor(Z2), reduction=r, weight=w),
            [tensor(Z, requires_grad=True), tensor(W, requires_grad=True)],
        )
    x32 = fn(tensor(Z, np.float32), tensor(Z2, np.float32), weight=W)  # an array weight
    assert x32.dtype == np.float32
    with pytest.raises(ValueError, match=rf"{name}: weight of shape \(3,\) does not match input"):
        fn(tensor(Z), tensor(Z2), weight=np.ones(3))


@pytest.mark.parametrize("name, loss, weighted_mean", WEIGHTED, ids=[c[0] for c in WEIGHTED])
def test_weighted_losses_against_pytorch(name, loss, weighted_mean):
    torch = pytest.importorskip("torch")
    for reduction in ("mean", "sum", "none"):
        x, w = tensor(Z, requires_grad=True), tensor(W, requires_grad=True)
        tx, tw = torch.tensor(Z, requires_grad=True), torch.tensor(W, requires_grad=True)
        got = getattr(F, name)(x, tensor(Z2), reduction=reduction, weight=w)
        exp = getattr(torch.nn.functional, name)(tx, torch.tensor(Z2), reduction=reduction,
                                                 weight=tw)  # fmt: skip
        np.testing.assert_allclose(got.data, exp.detach().numpy(), rtol=1e-12)
        (got * got).sum().backward()
        (exp * exp).sum().backward()
        np.testing.assert_allclose(x.grad.data, tx.grad.numpy(), rtol=1e-10)
        np.testing.assert_allclose(w.grad.data, tw.grad.numpy(), rtol=1e-10)


def test_normalize_out():
    x = tensor(Z)
    out = td.Tensor(np.zeros((4, 3)))
    version = out._version[0]
    assert F.normalize(x, dim=1, out=out) is out and out._version[0] == version + 1
    np.testing.assert_allclose(out.data, Z / np.linalg.norm(Z, axis=1, keepdims=True))
    out32 = td.Tensor(np.zeros((4, 3), np.float32))
    F.normalize(x, p=1.0, dim=0, out=out32)
    assert out32.dtype == np.float32
    np.testing.assert_allclose(out32.data, Z / np.abs(Z).sum(0), rtol=1e-6)
    with pytest.raises(RuntimeError, match="normalize: functions with out=... arguments don't"):
        F.normalize(tensor(Z, requires_grad=True), out=out)
    with td.no_grad():
        F.normalize(tensor(Z, requires_grad=True), out=out)
    with pytest.raises(ValueError, match=r"normalize: out has shape \(3,\), the result has"):
        F.normalize(x, out=td.Tensor(np.zeros(3)))
    with pytest.raises(TypeError, match="normalize: a float64 result can't be stored in out"):
        F.normalize(x, out=td.Tensor(np.zeros((4, 3), np.int64)))
    with pytest.raises(TypeError, match="normalize: out must be a Tensor, got ndarray"):
        F.normalize(x, out=np.zeros((4, 3)))


def test_normalize_out_against_pytorch():
    torch = pytest.importorskip("torch")
    out, tout = td.Tensor(np.zeros((4, 3))), torch.zeros(4, 3, dtype=torch.float64)
    F.normalize(input=tensor(Z), p=3.0, dim=0, out=out)
    torch.nn.functional.normalize(input=torch.tensor(Z), p=3.0, dim=0, out=tout)
    np.testing.assert_allclose(out.data, tout.numpy(), rtol=1e-12)
    with pytest.raises(RuntimeError, match="don't support automatic differentiation"):
        torch.nn.functional.normalize(torch.tensor(Z, requires_grad=True), out=tout)


# ---------------------------------------------------------------------------------------------
# 5. embedding's max_norm, norm_type, scale_grad_by_freq and sparse
# ---------------------------------------------------------------------------------------------

TABLE = R.standard_normal((5, 3)) * 2
IDX = np.array([[0, 2, 2], [4, 2, 1]])
EMBEDDING = [  # the options
    {"max_norm": 1.0},
    {"max_norm": 1.5, "norm_type": 1.0},
    {"max_norm": 2.0, "norm_type": float("inf")},
    {"scale_grad_by_freq": True},
    {"sparse": True, "max_norm": 1.0},  # (PyTorch refuses sparse with scale_grad_by_freq)
    {"max_norm": 1.0, "scale_grad_by_freq": True, "padding_idx": 2},
]


def _renormed(table, rows, max_norm, p):
    out = table.copy()
    for i in np.unique(rows):
        norm = np.linalg.norm(table[i], ord=p)
        if norm > max_norm:
            out[i] = table[i] * (max_norm / (norm + 1e-7))
    return out


@pytest.mark.parametrize("options", EMBEDDING, ids=[str(o) for o in EMBEDDING])
def test_embedding_options(options):
    w = tensor(TABLE, requires_grad=True)
    version = w._version[0]
    out = F.embedding(IDX, w, **options)
    table = TABLE
    if "max_norm" in options:
        table = _renormed(TABLE, IDX, options["max_norm"], options.get("norm_type", 2.0))
        np.testing.assert_allclose(w.data, table, rtol=1e-12)  # changed in place
        assert w._version[0] == version + 1 and w.grad_fn is None
        assert not np.array_equal(w.data, TABLE)
        np.testing.assert_array_equal(w.data[3], TABLE[3])  # not looked up: left alone
    np.testing.assert_allclose(out.data, table[IDX], rtol=1e-12)
    upstream = R.standard_normal(out.shape)
    (out * tensor(upstream)).sum().backward()
    expected = np.zeros_like(TABLE)
    counts = np.bincount(IDX.ravel(), minlength=5)
    for i, row in zip(IDX.ravel(), upstream.reshape(-1, 3)):
        scale = 1 / counts[i] if options.get("scale_grad_by_freq") else 1.0
        expected[i] += 0.0 if i == options.get("padding_idx") else row * scale
    np.testing.assert_allclose(w.grad.data, expected, rtol=1e-12)


@pytest.mark.parametrize("options", EMBEDDING, ids=[str(o) for o in EMBEDDING])
def test_embedding_options_against_pytorch(options):
    torch = pytest.importorskip("torch")
    w, tw = tensor(TABLE, requires_grad=True), torch.tensor(TABLE, requires_grad=True)
    out = F.embedding(input=IDX, weight=w, **options)
    tout = torch.nn.functional.embedding(input=torch.tensor(IDX), weight=tw, **options)
    np.testing.assert_allclose(out.data, tout.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(w.data, tw.detach().numpy(), rtol=1e-12)
    (out * out).sum().backward()
    (tout * tout).sum().backward()
    tgrad = tw.grad.to_dense() if tw.grad.is_sparse else tw.grad
    np.testing.assert_allclose(w.grad.data, tgrad.numpy(), rtol=1e-12)


def test_embedding_module_options():
    torch = pytest.importorskip("torch")
    layer = nn.Embedding(5, 3, 0, 1.0, 1.0, True, dtype=np.float64)
    tlayer = torch.nn.Embedding(5, 3, 0, 1.0, 1.0, True, dtype=torch.float64)
    assert repr(layer) == repr(tlayer)
    sparse = "Embedding(5, 3, norm_type=3.0, sparse=True)"
    assert repr(nn.Embedding(5, 3, norm_type=3, sparse=True)) == sparse
    assert repr(nn.Embedding(5, 3, max_norm=2)) == "Embedding(5, 3, max_norm=2.0)"
    with torch.no_grad():
        tlayer.weight.copy_(torch.tensor(TABLE))
    layer.weight.data[...] = TABLE
    out, tout = layer(td.Tensor(IDX)), tlayer(torch.tensor(IDX))
    np.testing.assert_allclose(out.data, tout.detach().numpy(), rtol=1e-12)
    (out * out).sum().backward()
    (tout * tout).sum().backward()
    np.testing.assert_allclose(layer.weight.grad.data, tlayer.weight.grad.numpy(), rtol=1e-12)
    assert np.abs(layer.weight.data[np.unique(IDX)]).sum(1).max() <= 1.0 + 1e-6
    np.testing.assert_allclose(layer.weight.data, tlayer.weight.detach().numpy(), rtol=1e-12)


def test_embedding_option_errors():
    w = tensor(TABLE, requires_grad=True)
    with pytest.raises(IndexError, match="embedding: index 5 is out of range for 5 embeddings"):
        F.embedding(np.array([5]), w, max_norm=1.0)
    np.testing.assert_array_equal(w.data, TABLE)
    with pytest.raises(TypeError, match="embedding: max_norm must be a"):
        F.embedding(IDX, w, max_norm="1")


# ---------------------------------------------------------------------------------------------
# 6. the deprecated upsample, upsample_nearest and upsample_bilinear
# ---------------------------------------------------------------------------------------------

IMAGE = R.standard_normal((1, 2, 3, 4))
UPSAMPLE = [  # name, arguments, the interpolate call it is
    ("upsample", {"scale_factor": 2}, {"scale_factor": 2}),
    ("upsample", {"size": (5, 7), "mode": "bilinear"}, {"size": (5, 7), "mode": "bilinear"}),
    ("upsample", {"scale_factor": 2, "mode": "bilinear", "align_corners": True},
     {"scale_factor": 2, "mode": "bilinear", "align_corners": True}),
    ("upsample_nearest", {"size": 6}, {"size": 6, "mode": "nearest"}),
    ("upsample_bilinear", {"scale_factor": 2}, {"scale_factor": 2, "mode": "bilinear",
                                                "align_corners": True}),
    ("upsample_bilinear", {"size": (4, 9)}, {"size": (4, 9), "mode": "bilinear",
                                             "align_corners": True}),
]  # fmt: skip


@pytest.mark.parametrize("name, kwargs, same", UPSAMPLE, ids=[f"{c[0]}{c[1]}" for c in UPSAMPLE])
def test_upsample_is_interpolate_with_a_warning(name, kwargs, same):
    with pytest.warns(UserWarning, match=rf"`nn.functional.{name}` is deprecated. Use `nn.fun"):
        got = getattr(F, name)(tensor(IMAGE), **kwargs)
    assert got.shape[2:] != IMAGE.shape[2:]
    np.testing.assert_array_equal(got.data, F.interpolate(tensor(IMAGE), **same).data)
    if name == "upsample_bilinear":
        corners = got.data[..., [0, -1], :][..., [0, -1]]
        np.testing.assert_allclose(corners, IMAGE[..., [0, -1], :][..., [0, -1]], rtol=1e-12)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert td.gradcheck(lambda x: getattr(F, name)(x, **kwargs),
                            [tensor(IMAGE, requires_grad=True)])  # fmt: skip


@pytest.mark.parametrize("name, kwargs, same", UPSAMPLE, ids=[f"{c[0]}{c[1]}" for c in UPSAMPLE])
def test_upsample_against_pytorch(name, kwargs, same):
    torch = pytest.importorskip("torch")
    x, tx = tensor(IMAGE, requires_grad=True), torch.tensor(IMAGE, requires_grad=True)
    with pytest.warns(UserWarning) as ours:
        got = getattr(F, name)(input=x, **kwargs)
    with pytest.warns(UserWarning) as theirs:
        exp = getattr(torch.nn.functional, name)(input=tx, **kwargs)
    assert [str(w.message) for w in ours] == [str(w.message) for w in theirs]
    np.testing.assert_allclose(got.data, exp.detach().numpy(), rtol=1e-12)
    (got * got).sum().backward()
    (exp * exp).sum().backward()
    np.testing.assert_allclose(x.grad.data, tx.grad.numpy(), rtol=1e-10)


LEGACY_MODULES = [  # the loss modules that take size_average and reduce, as PyTorch's
    "BCELoss", "BCEWithLogitsLoss", "CrossEntropyLoss", "NLLLoss", "MSELoss", "L1Loss",
    "SmoothL1Loss", "KLDivLoss", "PoissonNLLLoss", "MarginRankingLoss", "HingeEmbeddingLoss",
    "SoftMarginLoss", "CosineEmbeddingLoss", "TripletMarginLoss", "MultiLabelSoftMarginLoss",
    "MultiMarginLoss", "MultiLabelMarginLoss",
]  # fmt: skip


@pytest.mark.parametrize("name", LEGACY_MODULES)
def test_legacy_size_average_and_reduce_of_the_modules(name):
    for size_average, reduce, reduction in COMBOS:
        with pytest.warns(UserWarning, match=f"please use reduction='{reduction}' instead") as w:
            module = getattr(nn, name)(size_average=size_average, reduce=reduce, reduction="sum")
        assert module.reduction == reduction and len(w) == 1 and w[0].filename == __file__
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert getattr(nn, name)(reduction="sum").reduction == "sum"


def test_legacy_module_against_pytorch():
    torch = pytest.importorskip("torch")
    with pytest.warns(UserWarning, match="reduction='sum'"):
        loss = nn.CrossEntropyLoss(size_average=False, ignore_index=1)
    with pytest.warns(UserWarning, match="reduction='sum'"):
        tloss = torch.nn.CrossEntropyLoss(size_average=False, ignore_index=1)
    got, exp = loss(tensor(Z), Y3), tloss(torch.tensor(Z), torch.tensor(Y3))
    assert got.shape == () and loss.reduction == tloss.reduction == "sum"
    np.testing.assert_allclose(got.data, exp.numpy(), rtol=1e-12)
    assert nn.HuberLoss.__init__.__kwdefaults__ is None  # (PyTorch's takes neither)
