"""PyTorch's other names and the generated in-place forms (torch_api/aliases.py,
aliases_functions.py): absolute, multiply, divide(rounding_mode), greater, ..., fix, ger,
inverse, det, slogdet; sin_, lerp_, eq_, addmm_, ..., detach_, random_, exponential_,
... Values against NumPy, gradients in float64 (on a non-leaf for the in-place forms), the
version counter, leaves refused outside no_grad, errors by message, and PyTorch tables."""

from __future__ import annotations

import math

import numpy as np
import pytest
from helpers import away_from, check_op

import tinygrad_ds as td
from tinygrad_ds.torch_api.aliases import TorchAliases

R = np.random.default_rng(9)


def r(*shape):
    return away_from(R.standard_normal(shape), [0.0])


def unit(*shape):  # inside (-1, 1), for asin, atanh, erfinv
    return R.uniform(-0.8, 0.8, shape)


def pos(*shape):
    return R.uniform(0.5, 2.0, shape)


def big(*shape):  # > 1, for acosh
    return R.uniform(1.5, 3.0, shape)


SPD = np.array([[2.0, 0.5, 0.1], [0.5, 1.5, -0.3], [0.1, -0.3, 1.0]])

# -- the aliases -----------------------------------------------------------------------------

ALIASES = [
    # name, fn, reference, inputs (float64, all require grad)
    ("absolute", lambda a: a.absolute(), np.abs, [r(3, 4)]),
    ("td.absolute", lambda a: td.absolute(a), np.abs, [r(3)]),
    ("multiply", lambda a, b: td.multiply(a, b), np.multiply, [r(3, 4), r(4)]),
    ("subtract_alpha", lambda a, b: a.subtract(b, alpha=2), lambda a, b: a - 2 * b,
     [r(3, 1), r(4)]),
    ("divide", lambda a, b: td.divide(a, b), np.divide, [r(3, 4), pos(3, 4)]),
    ("negative", lambda a: td.negative(a), np.negative, [r(3, 4)]),
    ("positive", lambda a: a.positive() * 1, lambda a: a, [r(3, 4)]),
    ("fix", lambda a: td.fix(a) + a, lambda a: np.trunc(a) + a, [away_from(R.uniform(-3, 3, 5),
                                                                           [-2, -1, 0, 1, 2])]),
    ("ger", lambda a, b: td.ger(a, b), np.outer, [r(3), r(4)]),
    ("inverse", lambda a: a.inverse(), np.linalg.inv, [SPD]),
    ("td.inverse_batch", lambda a: td.inverse(a), np.linalg.inv, [np.stack([SPD, SPD.T * 2])]),
    ("det", lambda a: a.det(), np.linalg.det, [SPD]),
    ("td.det", lambda a: td.det(a), np.linalg.det, [SPD - 0.9]),
    ("slogdet", lambda a: td.slogdet(a).logabsdet, lambda a: np.linalg.slogdet(a)[1],
     [SPD - 0.9]),
    ("logdet", lambda a: a.logdet(), lambda a: np.log(np.linalg.det(a)), [SPD]),
]  # fmt: skip


@pytest.mark.parametrize("fn, reference, arrays", [row[1:] for row in ALIASES],
                         ids=[row[0] for row in ALIASES])  # fmt: skip
def test_alias_value_and_gradient(fn, reference, arrays):
    check_op(fn, reference, arrays)


@pytest.mark.parametrize("name, ufunc", [
    ("greater", np.greater), ("greater_equal", np.greater_equal), ("less", np.less),
    ("less_equal", np.less_equal), ("not_equal", np.not_equal), ("eq", np.equal),
    ("ne", np.not_equal), ("lt", np.less), ("le", np.less_equal), ("gt", np.greater),
    ("ge", np.greater_equal),
])  # fmt: skip
def test_comparisons(name, ufunc):
    a, b = R.integers(0, 3, (3, 4)), R.integers(0, 3, 4)
    fn = getattr(td, name)(a, b)
    assert fn.dtype == np.bool_ and fn.tolist() == ufunc(a, b).tolist()
    if hasattr(np, name) or name in ("greater", "less", "not_equal"):
        method = getattr(td.tensor(a), name)(td.tensor(b))
        assert method.tolist() == ufunc(a, b).tolist()


def test_divide_rounding_modes():
    a, b = np.array([-7, 7, -6, 5]), np.array([2, -2, 4, 5])
    assert td.divide(a, b, rounding_mode="trunc").tolist() == [-3, -3, -1, 1]
    assert td.divide(a, b, rounding_mode="trunc").dtype == np.int64
    assert td.divide(a, b, rounding_mode="floor").tolist() == (a // b).tolist()
    f = td.tensor([-7.5, 7.5]).divide(2, rounding_mode="trunc")
    assert f.tolist() == [-3.0, 3.0] and f.dtype == np.float32
    assert td.divide(td.tensor([1, 2]), 4).tolist() == [0.25, 0.5]


def test_aliases_second_derivative():
    x = td.tensor(SPD, requires_grad=True)

    def grad(a):
        return td.grad(a.logdet() + td.multiply(a, a).sum(), [a], create_graph=True)[0]

    assert td.gradcheck(grad, [x])


def test_logdet_signs_and_float32():
    assert np.isnan(td.logdet(td.tensor([[-1.0]])).item())
    assert td.logdet(td.zeros(2, 2)).item() == -np.inf
    assert td.tensor(SPD, dtype=td.float32).logdet().dtype == np.float32


# -- the in-place forms ----------------------------------------------------------------------


def _inplace(method, *args, **kwargs):
    """x -> (x * 1).method(*args, *tensors): the in-place form on a non-leaf, recorded."""

    def fn(x, *tensors):
        y = x * 1
        out = getattr(y, method)(*args, *tensors, **kwargs)
        assert out is y and y.grad_fn is not None
        return y

    return fn


INPLACE = [
    # method, args, reference, inputs (the first is changed in place; the others are operands)
    ("sin_", (), np.sin, [r(3, 4)]),
    ("cos_", (), np.cos, [r(3, 4)]),
    ("tan_", (), np.tan, [unit(3, 4)]),
    ("sinh_", (), np.sinh, [r(3, 4)]),
    ("cosh_", (), np.cosh, [r(3, 4)]),
    ("asin_", (), np.arcsin, [unit(3, 4)]),
    ("acos_", (), np.arccos, [unit(3, 4)]),
    ("atan_", (), np.arctan, [r(3, 4)]),
    ("asinh_", (), np.arcsinh, [r(3, 4)]),
    ("acosh_", (), np.arccosh, [big(3, 4)]),
    ("atanh_", (), np.arctanh, [unit(3, 4)]),
    ("arcsin_", (), np.arcsin, [unit(4)]),
    ("arccos_", (), np.arccos, [unit(4)]),
    ("arctan_", (), np.arctan, [r(4)]),
    ("arcsinh_", (), np.arcsinh, [r(4)]),
    ("arccosh_", (), np.arccosh, [big(4)]),
    ("arctanh_", (), np.arctanh, [unit(4)]),
    ("atan2_", (), np.arctan2, [r(3, 4), r(4)]),
    ("arctan2_", (), np.arctan2, [r(3, 4), pos(3, 4)]),
    ("erf_", (), lambda a: np.vectorize(math.erf)(a), [r(3, 4)]),
    ("erfc_", (), lambda a: np.vectorize(math.erfc)(a), [r(3, 4)]),
    ("exp2_", (), np.exp2, [r(3, 4)]),
    ("expm1_", (), np.expm1, [r(3, 4)]),
    ("log1p_", (), np.log1p, [pos(3, 4)]),
    ("log2_", (), np.log2, [pos(3, 4)]),
    ("log10_", (), np.log10, [pos(3, 4)]),
    ("rsqrt_", (), lambda a: 1 / np.sqrt(a), [pos(3, 4)]),
    ("square_", (), np.square, [r(3, 4)]),
    ("negative_", (), np.negative, [r(3, 4)]),
    ("absolute_", (), np.abs, [r(3, 4)]),
    ("deg2rad_", (), np.deg2rad, [r(3, 4)]),
    ("rad2deg_", (), np.rad2deg, [r(3, 4)]),
    ("nan_to_num_", (), lambda a: a, [r(3, 4)]),
    ("logit_", (), lambda a: np.log(a / (1 - a)), [R.uniform(0.2, 0.8, (3, 4))]),
    ("clip_", (-0.5, 0.7), lambda a: np.clip(a, -0.5, 0.7),
     [away_from(R.standard_normal((3, 4)), [-0.5, 0.7])]),
    ("lerp_", (), lambda a, b, w: a + w * (b - a), [r(3, 4), r(4), pos(3, 4)]),
    ("lerp_scalar", (), lambda a, b: a + 0.25 * (b - a), [r(3, 4), r(3, 4)], {"weight": 0.25}),
    ("hypot_", (), np.hypot, [r(3, 4), r(3, 1)]),
    ("fmod_", (1.5,), lambda a: np.fmod(a, 1.5), [away_from(R.uniform(-4, 4, (3, 4)),
                                                               [-3, -1.5, 0, 1.5, 3])]),
    ("remainder_", (1.5,), lambda a: np.remainder(a, 1.5),
     [away_from(R.uniform(-4, 4, (3, 4)), [-3, -1.5, 0, 1.5, 3])]),
    ("copysign_", (), np.copysign, [r(3, 4), r(3, 4)]),
    ("xlogy_", (), lambda a, b: a * np.log(b), [r(3, 4), pos(3, 4)]),
    ("multiply_", (), np.multiply, [r(3, 4), r(4)]),
    ("subtract_", (), lambda a, b: a - 3 * b, [r(3, 4), r(3, 4)], {"alpha": 3}),
    ("divide_", (), np.divide, [r(3, 4), pos(4)]),
    ("true_divide_", (), np.divide, [r(3, 4), pos(3, 4)]),
    ("addcmul_", (), lambda a, b, c: a + 0.5 * b * c, [r(3, 4), r(3, 4), r(4)], {"value": 0.5}),
    ("addcdiv_", (), lambda a, b, c: a + b / c, [r(3, 4), r(3, 4), pos(3, 4)]),
    ("addmm_", (), lambda a, b, c: 2 * a + b @ c, [r(3, 4), r(3, 2), r(2, 4)], {"beta": 2}),
    ("addmv_", (), lambda a, m, v: a + m @ v, [r(3), r(3, 2), r(2)]),
    ("addr_", (), lambda a, u, v: a + np.outer(u, v), [r(3, 4), r(3), r(4)]),
    ("baddbmm_", (), lambda a, b, c: a + 0.5 * b @ c, [r(2, 3, 4), r(2, 3, 5), r(2, 5, 4)],
     {"alpha": 0.5}),
    ("addbmm_", (), lambda a, b, c: a + (b @ c).sum(0), [r(3, 4), r(2, 3, 5), r(2, 5, 4)]),
    ("cumsum_", (1,), lambda a: np.cumsum(a, 1), [r(3, 4)]),
    ("cumprod_", (0,), lambda a: np.cumprod(a, 0), [r(3, 4)]),
]  # fmt: skip


def _row(method, args, reference, arrays, kwargs=None):
    name = method.split("_scalar")[0] + "_" if method.endswith("_scalar") else method
    return _inplace(name, *args, **(kwargs or {})), reference, arrays


@pytest.mark.parametrize("fn, reference, arrays", [_row(*row) for row in INPLACE],
                         ids=[row[0] for row in INPLACE])  # fmt: skip
def test_inplace_value_and_gradient_on_a_non_leaf(fn, reference, arrays):
    check_op(fn, reference, arrays)


def test_erfinv_in_place():
    a = unit(5)
    x = td.tensor(a)
    x.erfinv_()
    np.testing.assert_allclose(td.erf(x).data, a, rtol=1e-7)


def test_frac_fix_sgn_in_place():
    a = np.array([-2.5, -0.25, 0.0, 1.75, 3.0])
    assert td.tensor(a).frac_().tolist() == (a - np.trunc(a)).tolist()
    assert td.tensor(a).fix_().tolist() == np.trunc(a).tolist()
    assert td.tensor(a).sgn_().tolist() == np.sign(a).tolist()
    assert td.tensor([1, -7]).floor_divide_(2).tolist() == [0, -4]
    nan = td.tensor([np.nan, np.inf, 1.0], dtype=td.float64).nan_to_num_(posinf=5.0)
    assert nan.tolist() == [0.0, 5.0, 1.0]


def test_in_place_second_derivative():
    def grad(x):  # d/dx sum(sin(x)^2 * x), through sin_, square_ and multiply_
        return td.grad((x * 1).sin_().square_().multiply_(x).sum(), [x], create_graph=True)[0]

    check_op(grad, lambda a: 2 * np.sin(a) * np.cos(a) * a + np.sin(a) ** 2, [r(3, 4)])


COMPARISONS = [
    ("eq_", np.equal), ("ne_", np.not_equal), ("lt_", np.less), ("le_", np.less_equal),
    ("gt_", np.greater), ("ge_", np.greater_equal), ("greater_", np.greater),
    ("greater_equal_", np.greater_equal), ("less_", np.less), ("less_equal_", np.less_equal),
    ("not_equal_", np.not_equal), ("logical_and_", np.logical_and),
    ("logical_or_", np.logical_or), ("logical_xor_", np.logical_xor),
]  # fmt: skip


@pytest.mark.parametrize("method, ufunc", COMPARISONS)
def test_comparisons_in_place_write_ones_and_zeros(method, ufunc):
    a = np.array([[0.0, 1.0, 2.0], [2.0, 0.0, 1.0]])
    b = np.array([1.0, 0.0, 2.0])
    x = td.tensor(a, dtype=td.float32)
    assert getattr(x, method)(td.tensor(b)) is x
    assert x.dtype == np.float32 and x.tolist() == ufunc(a, b).astype(np.float32).tolist()
    leaf = td.tensor(a, requires_grad=True)
    y = leaf * 2  # recorded: the old value gets a zero gradient, as in PyTorch
    getattr(y, method)(b)
    assert y.requires_grad and y.tolist() == ufunc(a * 2, b).astype(float).tolist()
    (y * 3).sum().backward()
    assert leaf.grad.tolist() == np.zeros_like(a).tolist()


def test_logical_not_and_bitwise_in_place():
    assert td.tensor([0.0, 2.0]).logical_not_().tolist() == [1.0, 0.0]
    x = td.tensor([12, 10])
    assert x.bitwise_and_(6).tolist() == [4, 2] and x.dtype == np.int64
    assert x.bitwise_or_(td.tensor([1, 1])).tolist() == [5, 3]
    assert x.bitwise_xor_(7).tolist() == [2, 4]
    assert x.bitwise_not_().tolist() == [-3, -5]
    flags = td.tensor([True, False])
    assert flags.logical_xor_(td.tensor([True, True])).tolist() == [False, True]


def test_in_place_memory_version_and_views():
    a = np.array([[0.5, 1.0], [1.5, 2.0]], np.float32)
    x = td.from_numpy(a)
    v = x._version[0]
    assert x.sin_() is x
    np.testing.assert_allclose(a, np.sin([[0.5, 1.0], [1.5, 2.0]]), rtol=1e-6)
    x.cumsum_(0).lerp_(td.zeros(2), 0.5).eq_(x)
    assert x._version[0] == v + 4 and a.tolist() == [[1.0, 1.0], [1.0, 1.0]]
    x[1].negative_()  # a view: the write reaches x's memory
    assert a.tolist() == [[1.0, 1.0], [-1.0, -1.0]]


def test_leaves_refused_outside_no_grad_and_allowed_under_it():
    p = td.tensor([0.5, 0.25], requires_grad=True)
    for method, args in (("sin_", ()), ("lerp_", (td.ones(2), 0.5)), ("eq_", (0.5,)),
                         ("cumsum_", (0,)), ("random_", ()), ("exponential_", ())):  # fmt: skip
        with pytest.raises(RuntimeError, match=f"{method}: a leaf tensor that requires grad is "
                           "being changed in place"):  # fmt: skip
            getattr(p, method)(*args)
    with td.no_grad():
        p.asin_().sin_().square_().sub_(0.0625).abs_()
    assert p.is_leaf and p.requires_grad and p.grad_fn is None
    np.testing.assert_allclose(p.data, [0.1875, 0.0], atol=1e-7)


def test_recorded_gradient_through_a_non_leaf_and_an_operand():
    x = td.tensor([0.3, 0.6], dtype=td.float64, requires_grad=True)
    w = td.tensor([2.0, 4.0], dtype=td.float64, requires_grad=True)
    y = x.exp()  # Exp saves its output: changing y in place is an error at backward
    z = x * 1
    z.hypot_(w).atan_()
    z.sum().backward()
    h = np.hypot([0.3, 0.6], [2.0, 4.0])
    np.testing.assert_allclose(x.grad.data, [0.3, 0.6] / h / (1 + h**2))
    np.testing.assert_allclose(w.grad.data, [2.0, 4.0] / h / (1 + h**2))
    y.cos_()
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        y.sum().backward()


def test_operand_requiring_grad_records_a_change_of_a_constant():
    x = td.tensor([1.0, 2.0], dtype=td.float64)
    b = td.tensor([3.0, 1.0], dtype=td.float64, requires_grad=True)
    x.addcmul_(b, b, value=2)
    assert x.requires_grad
    x.sum().backward()
    assert b.grad.tolist() == [12.0, 4.0]


def test_detach_():
    x = td.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    assert y.detach_() is y and not y.requires_grad and y.grad_fn is None and y.is_leaf
    assert y.tolist() == [2.0, 4.0]
    assert x.detach_() is x and not x.requires_grad


def test_random_fills_follow_manual_seed_and_ranges():
    for method, args in (("random_", (10,)), ("exponential_", (2.0,)), ("geometric_", (0.3,)),
                         ("cauchy_", (1.0, 0.5)), ("log_normal_", (0.0, 0.5))):  # fmt: skip
        td.manual_seed(4)
        a = getattr(td.zeros(6), method)(*args)
        td.manual_seed(4)
        b = getattr(td.zeros(6), method)(*args)
        assert a.tolist() == b.tolist() and a.dtype == np.float32
    td.manual_seed(0)
    assert set(td.zeros(400).random_(3).tolist()) == {0.0, 1.0, 2.0}
    ints = td.zeros(400, dtype=td.int64).random_(-3, 2).data
    assert ints.min() == -3 and ints.max() == 1
    assert td.zeros(50, dtype=td.float32).random_().data.max() <= 2**24
    u8 = td.zeros(300, dtype=np.uint8).random_().data
    assert u8.dtype == np.uint8 and u8.max() > 200
    assert set(td.zeros(50, dtype=td.bool_).random_().tolist()) == {False, True}


def test_random_fill_statistics():
    td.manual_seed(1)
    e = td.zeros(20000, dtype=td.float64).exponential_(4.0).data
    assert e.min() >= 0 and abs(e.mean() - 0.25) < 0.01
    g = td.zeros(20000, dtype=td.int64).geometric_(0.25).data
    assert g.min() >= 1 and abs(g.mean() - 4.0) < 0.1
    c = td.zeros(20000, dtype=td.float64).cauchy_(2.0, 0.5).data
    assert abs(np.median(c) - 2.0) < 0.03
    assert abs(np.quantile(c, 0.75) - np.quantile(c, 0.25) - 1.0) < 0.05  # 2 sigma
    ln = td.zeros(20000, dtype=td.float64).log_normal_(0.5, 0.25).data
    assert abs(np.log(ln).mean() - 0.5) < 0.01 and abs(np.log(ln).std() - 0.25) < 0.01


def test_generated_methods_are_named_and_documented():
    for name in ("sin_", "lerp_", "eq_", "addmm_", "bitwise_not_"):
        method = getattr(TorchAliases, name)
        assert method.__name__ == name and name[:-1] in method.__doc__


ERRORS = [
    (lambda: td.tensor([1, 2]).sin_(), TypeError,
     "sin_: a value of dtype float.* can't be stored in a int64 tensor"),
    (lambda: td.ones(3, 1).hypot_(td.ones(3, 4)), ValueError,
     r"hypot_: the result's shape \(3, 4\) differs from the tensor's shape \(3, 1\)"),
    (lambda: td.ones(2).addr_(td.ones(3), td.ones(2)), ValueError, r"addr_: the result's"),
    (lambda: td.tensor([1.0]).bitwise_and_(1), TypeError, "bitwise_and"),
    (lambda: td.tensor([1.0]).divide_(2, rounding_mode="round"), ValueError,
     "divide: rounding_mode must be None, 'trunc' or 'floor'"),
    (lambda: td.positive([True]), TypeError, "positive: not defined for a bool tensor"),
    (lambda: td.tensor([1.0]).cumsum_(2), IndexError, "cumsum"),
    (lambda: (td.ones(3, requires_grad=True) * 1)[1:].detach_(), RuntimeError,
     r"detach_: this tensor \(shape \(2,\)\) is a view"),
    (lambda: td.zeros(2).random_(5, 5), ValueError, "random_: expects from < to, got from=5"),
    (lambda: td.zeros(2, dtype=np.uint8).random_(-1, 3), ValueError,
     r"random_: \[-1, 3\) is out of the range of uint8"),
    (lambda: td.zeros(2).random_(1.5), TypeError, "random_: to must be an int, got 1.5"),
    (lambda: td.zeros(2).exponential_(0), ValueError, "exponential_: lambd must be > 0, got 0"),
    (lambda: td.zeros(2, dtype=td.int64).exponential_(), TypeError,
     "exponential_: expects a floating-point tensor, got int64"),
    (lambda: td.zeros(2).geometric_(1), ValueError, r"geometric_: p must be in \(0, 1\), got 1"),
    (lambda: td.zeros(2).cauchy_(0, -1), ValueError, "cauchy_: sigma must be > 0, got -1"),
    (lambda: td.zeros(2).log_normal_(0, 0), ValueError, "log_normal_: std must be > 0, got 0"),
    (lambda: td.zeros(2).log_normal_("a"), TypeError, "log_normal_: mean must be a number"),
    (lambda: td.inverse(td.ones(2, 3)), ValueError, "inv"),
]  # fmt: skip


@pytest.mark.parametrize("call, kind, message", ERRORS)
def test_errors(call, kind, message):
    with pytest.raises(kind, match=message):
        call()


# -- against PyTorch -------------------------------------------------------------------------

TORCH_INPLACE = [
    # method, operands (arrays become tensors), input
    ("sin_", (), r(3, 4)),
    ("tan_", (), unit(3, 4)),
    ("lerp_", (np.ones(4), 0.3), r(3, 4)),
    ("hypot_", (r(4),), r(3, 4)),
    ("fmod_", (1.5,), R.uniform(-4, 4, (3, 4))),
    ("remainder_", (-1.5,), R.uniform(-4, 4, (3, 4))),
    ("xlogy_", (pos(3, 4),), r(3, 4)),
    ("logit_", (0.1,), R.uniform(0.0, 1.0, (3, 4))),
    ("addmm_", (r(3, 2), r(2, 4)), r(3, 4)),
    ("baddbmm_", (r(2, 3, 2), r(2, 2, 4)), r(2, 3, 4)),
    ("cumprod_", (-1,), r(3, 4)),
    ("eq_", (np.array([0.0, 1.0, 2.0, 3.0]),), R.integers(0, 4, (3, 4))),
    ("lt_", ((np.array([0.0, 1.0, 0.0, 1.0])),), R.integers(0, 2, (3, 4))),
    ("divide_", (pos(4),), r(3, 4)),
    ("nan_to_num_", (0.5, 5.0, -5.0), np.array([np.nan, np.inf, -np.inf, 1.0])),
]  # fmt: skip


@pytest.mark.parametrize("method, args, a", TORCH_INPLACE, ids=[c[0] for c in TORCH_INPLACE])
def test_in_place_against_pytorch(method, args, a):
    torch = pytest.importorskip("torch")
    a = np.asarray(a, dtype=np.float64)
    x, t = td.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    y, u = x * 1, t * 1
    ours = getattr(y, method)(*[td.tensor(v) if isinstance(v, np.ndarray) else v for v in args])
    theirs = getattr(u, method)(*[torch.tensor(v) if isinstance(v, np.ndarray) else v
                                  for v in args])  # fmt: skip
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-12)
    w = R.standard_normal(a.shape)
    (ours * td.tensor(w)).sum().backward()
    (theirs * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(x.grad.data, t.grad.numpy(), rtol=1e-10, atol=1e-12)


TORCH_ALIASES = [
    ("absolute", lambda lib, a: lib.absolute(a), r(3)),
    ("subtract", lambda lib, a: lib.subtract(a, a * 2, alpha=0.5), r(3)),
    ("divide_trunc", lambda lib, a: lib.divide(a * 3, 2, rounding_mode="trunc"), r(4)),
    ("fix", lambda lib, a: lib.fix(a * 3), r(4)),
    ("ger", lambda lib, a: lib.ger(a, a[:2]), r(3)),
    ("inverse", lambda lib, a: lib.inverse(a), SPD),
    ("det", lambda lib, a: a.det(), SPD - 0.9),
    ("slogdet", lambda lib, a: lib.slogdet(a)[1], SPD - 0.9),
    ("logdet", lambda lib, a: lib.logdet(a), SPD),
]  # fmt: skip


@pytest.mark.parametrize("call, a", [c[1:] for c in TORCH_ALIASES],
                         ids=[c[0] for c in TORCH_ALIASES])  # fmt: skip
def test_aliases_against_pytorch(call, a):
    torch = pytest.importorskip("torch")
    x, t = td.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    ours, theirs = call(td, x), call(torch, t)
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-10, atol=1e-12)
    ours.sum().backward()
    theirs.sum().backward()
    np.testing.assert_allclose(x.grad.data, t.grad.numpy(), rtol=1e-9, atol=1e-12)


def test_in_place_through_an_indexed_view_against_pytorch():
    torch = pytest.importorskip("torch")
    a, w = np.array([[0.5, 1.0], [1.5, 2.0]]), np.array([[1.0, 2.0], [3.0, 4.0]])
    x, t = td.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    y, u = x * 1, t * 1
    y[0].sin_(), u[0].sin_()
    y[1].eq_(1.5), u[1].eq_(1.5)
    (y * td.tensor(w)).sum().backward()
    (u * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(y.data, u.detach().numpy())
    np.testing.assert_allclose(x.grad.data, t.grad.numpy())
