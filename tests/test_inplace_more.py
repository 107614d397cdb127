"""In-place elementwise, triangle and random methods (torch_api/inplace_methods.py): exp_, log_,
..., clamp_min_, tril_, fill_diagonal_, uniform_, normal_, bernoulli_. Each is its out-of-place
method written back through inplace.py: values against NumPy, gradients on a non-leaf against
central differences in float64, the version counter, leaves refused outside no_grad, errors by
message, and values and gradients against PyTorch when it is installed."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import away_from, check_op

import tinygrad_ds as td
from tinygrad_ds.torch_api.inplace_methods import TorchInplace

R = np.random.default_rng(5)


def r(*shape):
    return away_from(R.standard_normal(shape), [0.0])


def pos(*shape):
    return R.uniform(0.5, 2.0, shape)


def _inplace(method, *args, **kwargs):
    """x -> (x * 1).method(*args, *tensors): the in-place form on a non-leaf, recorded."""

    def fn(x, *tensors):
        y = x * 1
        out = getattr(y, method)(*args, *tensors, **kwargs)
        assert out is y and y.grad_fn is not None
        return y

    return fn


def np_sigmoid(a):
    return 1 / (1 + np.exp(-a))


def np_fill_diagonal(a, v, wrap=False):
    out = a.copy()
    np.fill_diagonal(out, v, wrap=wrap)
    return out


ROUNDED = away_from(R.uniform(-3, 3, (3, 4)), [-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, -2, -1, 0, 1, 2])

DIFFERENTIABLE = [
    # name, fn, reference, inputs (float64, all require grad)
    ("exp_", _inplace("exp_"), np.exp, [r(3, 4)]),
    ("log_", _inplace("log_"), np.log, [pos(3, 4)]),
    ("sqrt_", _inplace("sqrt_"), np.sqrt, [pos(3, 4)]),
    ("abs_", _inplace("abs_"), np.abs, [r(3, 4)]),
    ("neg_", _inplace("neg_"), np.negative, [r(3, 4)]),
    ("reciprocal_", _inplace("reciprocal_"), np.reciprocal, [pos(3, 4)]),
    ("sign_", _inplace("sign_"), np.sign, [r(3, 4)]),
    ("relu_", _inplace("relu_"), lambda a: np.maximum(a, 0), [r(3, 4)]),
    ("sigmoid_", _inplace("sigmoid_"), np_sigmoid, [r(3, 4)]),
    ("tanh_", _inplace("tanh_"), np.tanh, [r(3, 4)]),
    ("pow_number", _inplace("pow_", 3), lambda a: a**3, [r(3, 4)]),
    ("pow_tensor", _inplace("pow_"), np.power, [pos(3, 4), r(4)]),
    ("clamp_min_", _inplace("clamp_min_", 0.3), lambda a: np.maximum(a, 0.3),
     [away_from(R.standard_normal((3, 4)), [0.3])]),
    ("clamp_max_tensor", _inplace("clamp_max_"), np.minimum, [r(3, 4), r(3, 1) + 0.05]),
    ("floor_", _inplace("floor_"), np.floor, [ROUNDED]),
    ("ceil_", _inplace("ceil_"), np.ceil, [ROUNDED]),
    ("round_", _inplace("round_"), np.round, [ROUNDED]),
    ("trunc_", _inplace("trunc_"), np.trunc, [ROUNDED]),
    ("tril_", _inplace("tril_"), np.tril, [r(2, 3, 4)]),
    ("tril_diag_neg1", _inplace("tril_", -1), lambda a: np.tril(a, -1), [r(4, 3)]),
    ("triu_", _inplace("triu_", 1), lambda a: np.triu(a, 1), [r(3, 4)]),
    ("fill_diagonal_", _inplace("fill_diagonal_", 2.0), lambda a: np_fill_diagonal(a, 2.0),
     [r(3, 5)]),
    ("fill_diagonal_wrap", _inplace("fill_diagonal_", -1, wrap=True),
     lambda a: np_fill_diagonal(a, -1, True), [r(7, 3)]),
    ("fill_diagonal_3d", _inplace("fill_diagonal_", 0.5), lambda a: np_fill_diagonal(a, 0.5),
     [r(3, 3, 3)]),
    ("chained", lambda x: (x * 1).exp_().tanh_().mul_(2).sqrt_(),
     lambda a: np.sqrt(2 * np.tanh(np.exp(a))), [r(3, 4)]),
]  # fmt: skip


@pytest.mark.parametrize(
    "fn, reference, arrays",
    [row[1:] for row in DIFFERENTIABLE],
    ids=[row[0] for row in DIFFERENTIABLE],
)
def test_value_and_gradient_on_a_non_leaf(fn, reference, arrays):
    check_op(fn, reference, arrays)


def test_second_derivative():
    def grad(x):  # d/dx sum(tanh(x)^2), through tanh_ and pow_
        return td.grad((x * 1).tanh_().pow_(2).sum(), [x], create_graph=True)[0]

    check_op(grad, lambda a: 2 * np.tanh(a) * (1 - np.tanh(a) ** 2), [r(3, 4)])


def test_without_a_graph_the_memory_is_written_and_the_version_moves():
    a = np.array([[1.0, 4.0], [9.0, 16.0]], np.float32)
    x = td.from_numpy(a)
    v = x._version[0]
    assert x.sqrt_() is x and x.dtype == np.float32
    np.testing.assert_array_equal(a, [[1, 2], [3, 4]])
    x.neg_().clamp_min_(-2.5).tril_()
    np.testing.assert_array_equal(a, [[-1, 0], [-2.5, -2.5]])
    x.fill_diagonal_(7)
    np.testing.assert_array_equal(a, [[7, 0], [-2.5, 7]])
    assert x._version[0] == v + 5
    x[1].abs_()  # a view: the write reaches x's memory
    np.testing.assert_array_equal(a[1], [2.5, 7])


def test_integer_tensors():
    x = td.Tensor([[-3, 2], [0, -1]])
    assert x.abs_().tolist() == [[3, 2], [0, 1]] and x.dtype == np.int64
    assert x.neg_().sign_().tolist() == [[-1, -1], [0, -1]]
    assert td.Tensor([[-3, 2], [0, -1]]).relu_().triu_().tolist() == [[0, 2], [0, 0]]
    assert td.Tensor([[1, 2], [3, 4]]).fill_diagonal_(0).tolist() == [[0, 2], [3, 0]]
    for method, args in (("exp_", ()), ("sqrt_", ()), ("pow_", (0.5,)), ("clamp_min_", (0.5,)),
                         ("sigmoid_", ())):  # fmt: skip
        with pytest.raises(TypeError, match=f"{method}: a value of dtype float.* can't be "
                           "stored in a int64 tensor"):  # fmt: skip
            getattr(td.Tensor([1, 2]), method)(*args)


def test_leaves_refused_outside_no_grad_and_allowed_under_it():
    p = td.Tensor([1.0, 2.0], requires_grad=True)
    for method, args in (("exp_", ()), ("clamp_max_", (1.0,)), ("tril_", ()), ("uniform_", ()),
                         ("bernoulli_", ()), ("fill_diagonal_", (0,))):  # fmt: skip
        q = (
            p.reshape(1, 2).detach().requires_grad_()
            if method in ("tril_", "fill_diagonal_")
            else p
        )
        with pytest.raises(RuntimeError, match=f"{method}: a leaf tensor that requires grad is "
                           "being changed in place"):  # fmt: skip
            getattr(q, method)(*args)
    with td.no_grad():  # the optimiser's (and nn.init's) pattern
        p.exp_().log_().pow_(2).normal_(3.0, 0.0)
    assert p.is_leaf and p.requires_grad and p.grad_fn is None and p.tolist() == [3.0, 3.0]


def test_a_saved_value_changed_in_place_is_a_clear_error():
    x = td.Tensor([0.5, 1.5], requires_grad=True)
    y = x * 1
    w = y * y  # Mul saved y
    y.sigmoid_()
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        w.sum().backward()
    z = x.exp()  # Exp saved its output
    z.log_()
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        z.sum().backward()
    u = x.sin()
    u.tanh_()  # Sin saved its input x, not u: fine
    u.sum().backward()
    np.testing.assert_allclose(x.grad.data, np.cos([0.5, 1.5]) / np.cosh(np.sin([0.5, 1.5])) ** 2,
                               rtol=1e-6)  # fmt: skip


def test_operands_that_require_grad_get_their_gradient():
    x = td.Tensor([2.0, 3.0], dtype=td.float64)  # needs no grad itself
    e = td.Tensor([2.0, 0.5], requires_grad=True, dtype=td.float64)
    x.pow_(e)
    assert x.requires_grad
    x.sum().backward()
    np.testing.assert_allclose(e.grad.data, [4 * np.log(2), np.sqrt(3) * np.log(3)])
    lo = td.Tensor(1.0, requires_grad=True, dtype=td.float64)
    y = td.Tensor([0.0, 2.0], dtype=td.float64)
    y.clamp_min_(lo).sum().backward()
    assert lo.grad.item() == 1.0 and y.tolist() == [1.0, 2.0]


# -- random filling --------------------------------------------------------------------------


def test_random_fills_follow_manual_seed():
    for method, args in (("uniform_", (-1.0, 2.0)), ("normal_", (1.0, 0.5)),
                         ("bernoulli_", (0.3,))):  # fmt: skip
        td.manual_seed(11)
        a = getattr(td.zeros(5), method)(*args)
        td.manual_seed(11)
        b = getattr(td.zeros(5), method)(*args)
        assert a.tolist() == b.tolist() and a.dtype == np.float32


def test_random_fill_statistics():
    td.manual_seed(0)
    u = td.zeros(20000).uniform_(2.0, 5.0).data
    assert u.min() >= 2.0 and u.max() < 5.0 and abs(u.mean() - 3.5) < 0.05
    n = td.zeros(20000, dtype=td.float64).normal_(-1.0, 2.0).data
    assert abs(n.mean() + 1.0) < 0.06 and abs(n.std() - 2.0) < 0.06
    b = td.zeros(20000).bernoulli_(0.25).data
    assert set(np.unique(b)) == {0.0, 1.0} and abs(b.mean() - 0.25) < 0.02
    probs = td.Tensor([0.0, 1.0, 1.0, 0.0])
    assert td.zeros(3, 4, dtype=td.int64).bernoulli_(probs).tolist() == [[0, 1, 1, 0]] * 3


def test_random_fill_on_a_non_leaf_gives_a_zero_gradient():
    x = td.Tensor([1.0, 2.0, 3.0], requires_grad=True)
    for method in ("uniform_", "normal_", "bernoulli_"):
        x.grad = None
        y = x * 2
        getattr(y, method)()
        assert y.requires_grad and y.grad_fn is not None
        y.sum().backward()
        assert x.grad.tolist() == [0.0, 0.0, 0.0]


ERRORS = [
    (lambda: td.zeros(3, dtype=td.int64).uniform_(), TypeError,
     "uniform_: expects a floating-point tensor, got int64"),
    (lambda: td.zeros(3).uniform_(2, 1), ValueError, "uniform_: need a <= b, got a=2, b=1"),
    (lambda: td.zeros(3).uniform_(0, float("inf")), ValueError, "uniform_: the bounds must be "
     "finite"),
    (lambda: td.zeros(3).uniform_("0"), TypeError, "uniform_: a must be a number, got '0'"),
    (lambda: td.zeros(3).normal_(0, -1), ValueError, "normal_: std must be >= 0, got -1"),
    (lambda: td.zeros(3, dtype=td.int64).normal_(), TypeError, "normal_: expects a "
     "floating-point tensor"),
    (lambda: td.zeros(3).bernoulli_(1.5), ValueError, r"bernoulli_: p must be in \[0, 1\], "
     "got 1.5"),
    (lambda: td.zeros(3).bernoulli_(td.Tensor([0.5, 0.5])), ValueError, r"bernoulli_: p of shape "
     r"\(2,\) does not broadcast to the tensor's shape \(3,\)"),
    (lambda: td.zeros(3).bernoulli_("a"), TypeError, "bernoulli_: p must be a number or a tensor"),
    (lambda: td.zeros(3).fill_diagonal_(1), ValueError, r"fill_diagonal_: expects a tensor of at "
     r"least 2 dims, got shape \(3,\)"),
    (lambda: td.zeros(2, 2, 3).fill_diagonal_(1), ValueError, r"fill_diagonal_: the dims of a "
     r"tensor of more than 2 dims must all have one length, got shape \(2, 2, 3\)"),
    (lambda: td.zeros(2, 2).fill_diagonal_("a"), TypeError, "fill_diagonal_: fill_value must be "
     "a number"),
    (lambda: td.zeros(3).tril_(), ValueError, "tril: expects a tensor of at least 2 dims"),
    (lambda: td.zeros(3).pow_("a"), TypeError, "unsupported operand of type str"),
    (lambda: td.zeros(3).expand(2, 3).exp_(), ValueError, "exp_: this tensor .* is a read-only "
     "view"),
]  # fmt: skip


@pytest.mark.parametrize("fn, kind, message", ERRORS, ids=[e[2][:40] for e in ERRORS])
def test_errors(fn, kind, message):
    with pytest.raises(kind, match=message):
        fn()


def test_the_methods_come_from_the_mixin():
    for name in ("exp_", "clamp_min_", "fill_diagonal_", "bernoulli_"):
        assert getattr(td.Tensor, name) is getattr(TorchInplace, name)
    assert not hasattr(td.zeros(1), "__dict__")


# -- against PyTorch -------------------------------------------------------------------------

TORCH_CASES = [
    # method, arguments, input
    ("exp_", (), r(3, 4)), ("log_", (), pos(3, 4)), ("sqrt_", (), pos(3, 4)),
    ("abs_", (), r(3, 4)), ("neg_", (), r(3, 4)), ("reciprocal_", (), pos(3, 4)),
    ("sign_", (), r(3, 4)), ("relu_", (), r(3, 4)), ("sigmoid_", (), r(3, 4)),
    ("tanh_", (), r(3, 4)), ("pow_", (2.5,), pos(3, 4)), ("clamp_min_", (0.2,), r(3, 4)),
    ("clamp_max_", (-0.2,), r(3, 4)), ("floor_", (), ROUNDED), ("ceil_", (), ROUNDED),
    ("round_", (), ROUNDED), ("trunc_", (), ROUNDED), ("tril_", (1,), r(3, 4)),
    ("triu_", (-1,), r(2, 3, 4)), ("fill_diagonal_", (3.0,), r(4, 3)),
    ("fill_diagonal_", (3.0, True), r(8, 3)), ("fill_diagonal_", (3.0,), r(2, 2, 2)),
]  # fmt: skip


@pytest.mark.parametrize("method, args, a", TORCH_CASES, ids=[c[0] for c in TORCH_CASES])
def test_against_torch(method, args, a):
    torch = pytest.importorskip("torch")
    x, t = td.Tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    out, ref = getattr(x * 1, method)(*args), getattr(t * 1, method)(*args)
    np.testing.assert_allclose(out.data, ref.detach().numpy(), rtol=1e-12, atol=1e-12)
    g = np.random.default_rng(1).standard_normal(a.shape)
    out.backward(td.Tensor(g))
    ref.backward(torch.tensor(g))
    np.testing.assert_allclose(x.grad.data, t.grad.numpy(), rtol=1e-10, atol=1e-12)
