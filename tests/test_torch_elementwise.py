"""PyTorch's elementwise methods beyond the core (torch_api/elementwise.py, ops/trig.py) and their
package functions: values against NumPy closed forms, gradients against central differences in
float64, second derivatives through create_graph, domain edges, dtypes, errors by message, and
values and gradients against PyTorch when it is installed."""

from __future__ import annotations

import math

import numpy as np
import pytest
from helpers import away_from, check_op

import tinygrad_ds as td
from tinygrad_ds.torch_api import elementwise_functions as EF
from tinygrad_ds.torch_api.elementwise import TorchElementwise

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")  # NumPy on NaN / inf results

R = np.random.default_rng(7)
INF, NAN = math.inf, math.nan


def r(*shape):
    return R.standard_normal(shape)


def u(low, high, *shape):
    return R.uniform(low, high, shape)


def f64(values, requires_grad=True):
    return td.Tensor(np.array(values, dtype=np.float64), requires_grad=requires_grad)


def first_derivative(fn):
    """x -> d/dx sum(fn(x)), recorded (create_graph) so that it can be differentiated again."""
    return lambda *xs: td.grad(fn(*xs).sum(), list(xs), create_graph=True)


Y = away_from(r(3, 4), [0.0], 0.2)  # a constant second operand, away from 0
SIGNS = np.array([-1.6, 2.2, -0.7, 3.1])

DIFFERENTIABLE = [
    # name, fn, NumPy reference, inputs (float64, all require grad)
    ("tan", lambda a: a.tan(), np.tan, [u(-1.2, 1.2, 3, 4)]),
    ("asin", lambda a: a.asin(), np.arcsin, [u(-0.9, 0.9, 3, 4)]),
    ("arcsin", lambda a: a.arcsin(), np.arcsin, [u(-0.9, 0.9, 5)]),
    ("acos", lambda a: a.acos(), np.arccos, [u(-0.9, 0.9, 3, 4)]),
    ("atan", lambda a: a.atan(), np.arctan, [3 * r(3, 4)]),
    ("atan2", lambda a, b: a.atan2(b), np.arctan2, [r(3, 4), r(3, 4)]),
    ("atan2_broadcast", lambda a, b: a.arctan2(b), np.arctan2, [r(2, 1, 4), r(3, 1)]),
    ("sinh", lambda a: a.sinh(), np.sinh, [2 * r(3, 4)]),
    ("cosh", lambda a: a.cosh(), np.cosh, [2 * r(3, 4)]),
    ("asinh", lambda a: a.asinh(), np.arcsinh, [3 * r(3, 4)]),
    ("acosh", lambda a: a.acosh(), np.arccosh, [u(1.1, 5, 3, 4)]),
    ("atanh", lambda a: a.arctanh(), np.arctanh, [u(-0.9, 0.9, 3, 4)]),
    ("rsqrt", lambda a: a.rsqrt(), lambda a: 1 / np.sqrt(a), [u(0.2, 4, 3, 4)]),
    ("log2", lambda a: a.log2(), np.log2, [u(0.1, 9, 3, 4)]),
    ("log10", lambda a: a.log10(), np.log10, [u(0.1, 9, 3, 4)]),
    ("exp2", lambda a: a.exp2(), np.exp2, [2 * r(3, 4)]),
    ("logit", lambda a: a.logit(), lambda a: np.log(a / (1 - a)), [u(0.05, 0.95, 3, 4)]),
    ("logit_eps", lambda a: a.logit(0.2), lambda a: np.log(np.clip(a, 0.2, 0.8) /
     (1 - np.clip(a, 0.2, 0.8))), [away_from(u(0, 1, 20), [0.2, 0.8], 0.02)]),
    ("xlogy", lambda a, b: a.xlogy(b), lambda a, b: a * np.log(b), [r(3, 4), u(0.2, 3, 4)]),
    ("lerp_small", lambda a, b: a.lerp(b, 0.3), lambda a, b: a + 0.3 * (b - a), [r(3, 4), r(4)]),
    ("lerp_large", lambda a, b: a.lerp(b, 0.8), lambda a, b: a + 0.8 * (b - a), [r(3, 4), r(4)]),
    ("lerp_tensor", lambda a, b, w: a.lerp(b, w), lambda a, b, w: a + w * (b - a),
     [r(3, 4), r(3, 4), u(-1, 2, 4)]),
    ("hypot", lambda a, b: a.hypot(b), np.hypot, [r(3, 4), r(4)]),
    ("copysign", lambda a: a.copysign(Y), lambda a: np.copysign(a, Y),
     [away_from(r(3, 4), [0.0])]),
    ("copysign_number", lambda a: a.copysign(-1.0), lambda a: -np.abs(a),
     [away_from(r(5), [0.0])]),
    ("deg2rad", lambda a: a.deg2rad(), np.deg2rad, [90 * r(3, 4)]),
    ("rad2deg", lambda a: a.rad2deg(), np.rad2deg, [r(3, 4)]),
    ("frac", lambda a: a.frac(), lambda a: a - np.trunc(a),
     [away_from(3 * r(3, 4), range(-9, 10), 0.05)]),
    ("fmod", lambda a, b: a.fmod(b), np.fmod,
     [np.array([5.3, -5.3, 7.1, -2.2]), np.array([2.0, 2.0, -3.0, -0.7])]),
    ("remainder", lambda a, b: a.remainder(b), np.remainder,
     [np.array([5.3, -5.3, 7.1, -2.2]), np.array([2.0, 2.0, -3.0, -0.7])]),
    ("mod_operator", lambda a, b: a % b, np.remainder, [np.array([[5.3], [-5.3]]), SIGNS]),
    ("rmod_number", lambda a: 7.5 % a, lambda a: np.remainder(7.5, a), [SIGNS]),
    ("fmod_number", lambda a: a.fmod(1.5), lambda a: np.fmod(a, 1.5),
     [np.array([5.3, -5.3, 0.7, -2.2])]),
    ("clamp_min", lambda a: a.clamp_min(0.5), lambda a: np.maximum(a, 0.5),
     [away_from(r(3, 4), [0.5])]),
    ("clamp_max_tensor", lambda a, b: a.clamp_max(b), np.minimum,
     [r(3, 4), r(4)]),
    ("nan_to_num_finite", lambda a: a.nan_to_num(), lambda a: a, [r(3, 4)]),
    ("float_power", lambda a, b: a.float_power(b), np.power, [u(0.5, 2, 3, 4), r(4)]),
    ("true_divide", lambda a, b: a.true_divide(b), np.divide, [r(3, 4), Y]),
]  # fmt: skip


@pytest.mark.parametrize(
    "fn, reference, arrays",
    [row[1:] for row in DIFFERENTIABLE],
    ids=[row[0] for row in DIFFERENTIABLE],
)
def test_value_and_gradient(fn, reference, arrays):
    check_op(fn, reference, arrays)


# -- closed-form derivatives, and second ones through create_graph ---------------------------

SMOOTH = [
    # name, fn, first derivative, second derivative (closed forms), input
    ("tan", lambda x: x.tan(), lambda x: 1 / np.cos(x) ** 2,
     lambda x: 2 * np.tan(x) / np.cos(x) ** 2, u(-1.2, 1.2, 3, 4)),
    ("asin", lambda x: x.asin(), lambda x: 1 / np.sqrt(1 - x**2),
     lambda x: x / (1 - x**2) ** 1.5, u(-0.9, 0.9, 3, 4)),
    ("acos", lambda x: x.acos(), lambda x: -1 / np.sqrt(1 - x**2),
     lambda x: -x / (1 - x**2) ** 1.5, u(-0.9, 0.9, 3, 4)),
    ("atan", lambda x: x.atan(), lambda x: 1 / (1 + x**2),
     lambda x: -2 * x / (1 + x**2) ** 2, 2 * r(3, 4)),
    ("sinh", lambda x: x.sinh(), np.cosh, np.sinh, 2 * r(3, 4)),
    ("cosh", lambda x: x.cosh(), np.sinh, np.cosh, 2 * r(3, 4)),
    ("asinh", lambda x: x.asinh(), lambda x: 1 / np.sqrt(x**2 + 1),
     lambda x: -x / (x**2 + 1) ** 1.5, 3 * r(3, 4)),
    ("acosh", lambda x: x.acosh(), lambda x: 1 / np.sqrt(x**2 - 1),
     lambda x: -x / (x**2 - 1) ** 1.5, u(1.1, 5, 3, 4)),
    ("atanh", lambda x: x.atanh(), lambda x: 1 / (1 - x**2),
     lambda x: 2 * x / (1 - x**2) ** 2, u(-0.9, 0.9, 3, 4)),
    ("rsqrt", lambda x: x.rsqrt(), lambda x: -0.5 * x**-1.5, lambda x: 0.75 * x**-2.5,
     u(0.2, 4, 3, 4)),
    ("log2", lambda x: x.log2(), lambda x: 1 / (x * np.log(2)),
     lambda x: -1 / (x**2 * np.log(2)), u(0.2, 9, 3, 4)),
    ("log10", lambda x: x.log10(), lambda x: 1 / (x * np.log(10)),
     lambda x: -1 / (x**2 * np.log(10)), u(0.2, 9, 3, 4)),
    ("exp2", lambda x: x.exp2(), lambda x: np.exp2(x) * np.log(2),
     lambda x: np.exp2(x) * np.log(2) ** 2, 2 * r(3, 4)),
    ("logit", lambda x: x.logit(), lambda x: 1 / (x * (1 - x)),
     lambda x: (2 * x - 1) / (x * (1 - x)) ** 2, u(0.05, 0.95, 3, 4)),
]  # fmt: skip
SMOOTH_IDS = [row[0] for row in SMOOTH]


@pytest.mark.parametrize("name, fn, d1, d2, x", SMOOTH, ids=SMOOTH_IDS)
def test_first_and_second_derivatives_in_closed_form(name, fn, d1, d2, x):
    t = f64(x)
    (g,) = td.grad(fn(t).sum(), t, create_graph=True)
    np.testing.assert_allclose(g.data, d1(x), rtol=1e-12)
    (h,) = td.grad(g.sum(), t)
    np.testing.assert_allclose(h.data, d2(x), rtol=1e-10)
    assert td.gradcheck(first_derivative(fn), [t])  # the recorded derivative's own gradient


SECOND_ORDER = [
    # name, fn of tensors, inputs: the recorded first derivatives against finite differences
    ("atan2", lambda a, b: a.atan2(b), [r(3, 4), r(4)]),
    ("hypot", lambda a, b: a.hypot(b), [r(3, 4), r(3, 4)]),
    ("xlogy", lambda a, b: a.xlogy(b), [r(3, 4), u(0.2, 3, 4)]),
    ("lerp", lambda a, b, w: a.lerp(b, w), [r(3, 4), r(3, 4), u(-1, 2, 3, 4)]),
    ("fmod", lambda a, b: a.fmod(b) * b, [np.array([5.3, -5.3, 7.1]), np.array([2.0, 2, -3])]),
    ("remainder", lambda a, b: a.remainder(b) * a, [np.array([5.3, -5.3]), np.array([2.0, 2])]),
    ("float_power", lambda a, b: a.float_power(b), [u(0.5, 2, 3), r(3)]),
    ("copysign", lambda a: a.copysign(SIGNS) ** 3, [away_from(r(4), [0.0])]),
]  # fmt: skip


@pytest.mark.parametrize(
    "fn, arrays", [row[1:] for row in SECOND_ORDER], ids=[row[0] for row in SECOND_ORDER]
)
def test_second_derivatives(fn, arrays):
    inputs = [f64(a) for a in arrays]
    assert td.gradcheck(first_derivative(fn), inputs)


def test_atan2_hypot_and_asinh_gradients_do_not_overflow_or_underflow():
    for scale in (1e200, 1e-200):
        y, x = f64([3.0 * scale]), f64([4.0 * scale])
        y.atan2(x).backward()
        np.testing.assert_allclose([y.grad.item(), x.grad.item()],
                                   [4 / 25 / scale, -3 / 25 / scale], rtol=1e-14)  # fmt: skip
        a, b = f64([3.0 * scale]), f64([4.0 * scale])
        h = a.hypot(b)
        assert h.item() == pytest.approx(5 * scale, rel=1e-15)
        h.backward()
        assert (a.grad.item(), b.grad.item()) == pytest.approx((0.6, 0.8), rel=1e-15)
    x = f64([1e160, -1e160])
    x.asinh().sum().backward()
    np.testing.assert_allclose(x.grad.data, [1e-160, 1e-160], rtol=1e-14)
    x = f64([1e160])
    x.acosh().backward()
    np.testing.assert_allclose(x.grad.data, [1e-160], rtol=1e-14)


# -- accuracy where a composition would lose it ----------------------------------------------


def test_logarithms_are_exact_at_powers_of_their_base():
    for dtype in (np.float32, np.float64):
        x = td.Tensor(np.array([1000.0, 1e-3, 1e5, 1.0], dtype))
        assert x.log10().tolist() == [3.0, -3.0, 5.0, 0.0] and x.log10().dtype == dtype
        y = td.Tensor(np.array([8.0, 1024.0, 0.125], dtype))
        assert y.log2().tolist() == [3.0, 10.0, -3.0] and y.log2().dtype == dtype
        assert td.Tensor(np.array([3.0, -2.0, 0.0], dtype)).exp2().tolist() == [8.0, 0.25, 1.0]
    assert td.log10(1000).item() == 3.0 and td.log2(8).item() == 3.0  # ints: float32, exact


def test_hyperbolic_and_inverse_functions_keep_their_precision():
    x = td.Tensor(np.array([1e-10, -1e-12, 710.0, -710.0, 1e-300]))
    np.testing.assert_array_equal(x.sinh().data, np.sinh(x.data))  # 1e-10 exact; 710 finite
    assert np.isfinite(x.sinh().data[2]) and np.isfinite(x.cosh().data[3])
    np.testing.assert_array_equal(x.asinh().data, np.arcsinh(x.data))
    assert f64(-1e10).asinh().item() == pytest.approx(-math.asinh(1e10), rel=1e-15)
    near_one = 1 - 1e-12
    assert f64(near_one).acos().item() == pytest.approx(math.acos(near_one), rel=1e-12)
    x = f64([near_one])
    x.asin().backward()  # 1 / sqrt((1 - x)(1 + x)), not 1 / sqrt(1 - x^2)
    d = 1 - near_one  # (exact: 1.0000889e-12, the float next to 1 - 1e-12)
    assert x.grad.item() == pytest.approx(1 / math.sqrt(d * (2 - d)), rel=1e-14)


def test_lerp_at_weight_one_gives_end_exactly_and_tan_matches_numpy():
    a, b = td.Tensor([0.1, -3.3, 1e8]), td.Tensor([0.7, 2.9, 3.0])
    assert a.lerp(b, 1.0).tolist() == b.tolist()
    assert a.lerp(b, td.Tensor([1.0, 0.0, 1.0])).tolist() == [b[0].item(), a[1].item(), 3.0]
    assert a.lerp(b, 0.0).tolist() == a.tolist()
    x = u(-1.5, 1.5, 1000)
    np.testing.assert_allclose(td.Tensor(x).tan().data, np.tan(x), rtol=4e-16, atol=0)


# -- domain edges: inf and NaN as PyTorch gives them, never an error --------------------------


def grad_of(fn, *values):
    ts = [f64(v) for v in values]
    grads = td.grad(fn(*ts).sum(), ts, allow_unused=True)
    return fn(*ts).data, [None if g is None else g.data for g in grads]


def test_inverse_functions_at_and_beyond_their_domain_edges():
    z, (g,) = grad_of(lambda x: x.asin(), [1.0, -1.0, 2.0])
    np.testing.assert_array_equal(z, [math.pi / 2, -math.pi / 2, NAN])
    np.testing.assert_array_equal(g, [INF, INF, NAN])
    z, (g,) = grad_of(lambda x: x.acos(), [1.0, -1.0, -1.5])
    np.testing.assert_array_equal(z, [0.0, math.pi, NAN])
    np.testing.assert_array_equal(g, [-INF, -INF, NAN])
    z, (g,) = grad_of(lambda x: x.acosh(), [1.0, 0.5])
    np.testing.assert_array_equal(z, [0.0, NAN])
    np.testing.assert_array_equal(g, [INF, NAN])
    z, (g,) = grad_of(lambda x: x.atanh(), [1.0, -1.0])
    np.testing.assert_array_equal(z, [INF, -INF])
    np.testing.assert_array_equal(g, [INF, INF])
    z, (g,) = grad_of(lambda x: x.rsqrt(), [0.0, -1.0])
    np.testing.assert_array_equal(z, [INF, NAN])
    np.testing.assert_array_equal(g, [-INF, NAN])
    z, (g,) = grad_of(lambda x: x.logit(), [0.0, 1.0, 2.0])
    np.testing.assert_array_equal(z, [-INF, INF, NAN])
    np.testing.assert_array_equal(g[:2], [INF, INF])


def test_atan2_and_hypot_at_the_origin():
    z, (gy, gx) = grad_of(lambda y, x: y.atan2(x), [0.0, 0.0, -0.0], [0.0, -0.0, -1.0])
    np.testing.assert_array_equal(z, [0.0, math.pi, -math.pi])  # signed zeros, as NumPy
    np.testing.assert_array_equal(gy, [0.0, 0.0, -1.0])  # 0 at the origin, as PyTorch
    np.testing.assert_array_equal(gx, [0.0, 0.0, 0.0])
    z, (ga, gb) = grad_of(lambda a, b: a.hypot(b), [0.0], [0.0])
    assert z.tolist() == [0.0] and np.isnan(ga[0]) and np.isnan(gb[0])  # 0 / 0, as PyTorch


def test_xlogy_is_zero_where_x_is_zero_with_its_gradient():
    z, (gx, gy) = grad_of(lambda x, y: x.xlogy(y), [0.0, 0.0, 0.0, 0.0, 1.0],
                          [0.0, NAN, -1.0, INF, 0.0])  # fmt: skip
    np.testing.assert_array_equal(z, [0.0, NAN, 0.0, 0.0, -INF])
    np.testing.assert_array_equal(gx, [0.0, NAN, 0.0, 0.0, -INF])
    np.testing.assert_array_equal(gy, [NAN, NAN, 0.0, 0.0, INF])  # x / y, as PyTorch
    t = f64([0.0, 2.0])
    (g,) = td.grad(t.xlogy(3.0).sum(), t, create_graph=True)
    np.testing.assert_allclose(g.data, [math.log(3.0), math.log(3.0)])  # log y at x = 0 too
    assert td.xlogy(2, td.Tensor([1.0, math.e])).tolist() == pytest.approx([0.0, 2.0])


def test_logit_eps_clamps_with_no_gradient_outside():
    z, (g,) = grad_of(lambda x: x.logit(eps=0.1), [0.0, 0.1, 0.5, 0.9, 1.0])
    np.testing.assert_allclose(z, np.log(np.array([1, 1, 9, 81, 81]) / 9), rtol=1e-12)
    np.testing.assert_allclose(g, [0.0, 1 / 0.09, 4.0, 1 / 0.09, 0.0], rtol=1e-12)
    assert td.Tensor([0.3]).logit(-1.0).item() == pytest.approx(math.log(0.3 / 0.7))


def test_copysign_signs_and_zeros():
    z, (gx, gy) = grad_of(lambda x, y: x.copysign(y), [0.0, 1.0, -2.0, 3.0],
                          [-1.0, -0.0, 3.0, 0.0])  # fmt: skip
    np.testing.assert_array_equal(z, [-0.0, -1.0, 2.0, 3.0])
    assert np.signbit(z[0])
    np.testing.assert_array_equal(gx, [0.0, -1.0, -1.0, 1.0])  # 0 at x = 0, as PyTorch
    np.testing.assert_array_equal(gy, np.zeros(4))  # a step function of y, as PyTorch's
    assert td.Tensor([3]).copysign(-1).tolist() == [-3.0]


def test_nan_to_num_values_and_gradient():
    x = td.Tensor([NAN, INF, -INF, 1.5], requires_grad=True)
    out = x.nan_to_num()
    big = float(np.finfo(np.float32).max)
    assert out.tolist() == [0.0, big, -big, 1.5] and out.dtype == np.float32
    out.sum().backward()
    assert x.grad.tolist() == [0.0, 0.0, 0.0, 1.0]
    assert x.nan_to_num(1.0, 2.0, -3.0).tolist() == [1.0, 2.0, -3.0, 1.5]
    assert td.nan_to_num(td.Tensor([NAN], dtype="float64"), posinf=9).item() == 0.0
    ints = td.Tensor([1, 2])
    assert ints.nan_to_num().tolist() == [1, 2] and ints.nan_to_num().dtype == np.int64


# -- division, floor division and remainders -------------------------------------------------


def test_floor_division_and_remainders_match_python():
    a = np.array([7.5, -7.5, 7.5, -7.5, 0.0, 3.0])
    b = np.array([2.0, 2.0, -2.0, -2.0, 3.0, 0.5])
    x, y = td.Tensor(a, dtype="float64"), td.Tensor(b, dtype="float64")
    assert (x // y).tolist() == [p // q for p, q in zip(a, b)] == x.floor_divide(y).tolist()
    assert (x % y).tolist() == [p % q for p, q in zip(a, b)] == x.remainder(y).tolist()
    assert x.fmod(y).tolist() == [math.fmod(p, q) for p, q in zip(a, b)]
    i, j = td.Tensor([7, -7, 7, -7]), td.Tensor([2, 2, -2, -2])
    for out, expected in [(i // j, [3, -4, -4, 3]), (i % j, [1, 1, -1, -1]),
                          (i.fmod(j), [1, -1, 1, -1]), (i // 2, [3, -4, 3, -4]),
                          (20 // j, [10, 10, -10, -10]), (20 % j, [0, 0, 0, 0]),
                          (td.fmod(i, 3), [1, -1, 1, -1])]:  # fmt: skip
        assert out.tolist() == expected and out.dtype == np.int64
    assert (i // 2.5).dtype == np.float32 and (i % 2.5).tolist() == [2.0, 0.5, 2.0, 0.5]
    f = td.Tensor([7.5, -7.5])
    assert (f // 2).dtype == np.float32 and (f % 2.0).dtype == np.float32
    assert (7.5 % td.Tensor([2.0, -2.0])).tolist() == [1.5, -0.5]
    assert x.true_divide(2).tolist() == (a / 2).tolist()
    assert td.Tensor([1, 2]).true_divide(2).tolist() == [0.5, 1.0]
    assert np.isnan(td.Tensor([5.0]).fmod(0.0).item()) and np.isnan((td.Tensor([5.0]) % 0).item())
    assert (td.Tensor([5.0, -5.0]) // 0).tolist() == [INF, -INF]


def test_floor_divide_and_heaviside_refuse_backward_as_pytorch():
    x = td.Tensor([5.0, -3.0], requires_grad=True)
    out = x // 2
    assert out.requires_grad and out.tolist() == [2.0, -2.0]
    with pytest.raises(RuntimeError, match="floor_divide: the derivative is not implemented"):
        (out + x).sum().backward()
    h = x.heaviside(td.Tensor([0.5]))
    assert h.requires_grad and h.tolist() == [1.0, 0.0]
    with pytest.raises(RuntimeError, match="heaviside: the derivative is not implemented"):
        h.sum().backward()
    with td.no_grad():
        assert not (x // 2).requires_grad


def test_heaviside_values():
    x = td.Tensor([-2.0, -0.0, 0.0, 3.0, NAN])
    assert x.heaviside(0.5).tolist() == [0.0, 0.5, 0.5, 1.0, 0.0]  # NaN gives 0, as PyTorch
    assert x.heaviside(td.Tensor([7.0])).tolist() == [0.0, 7.0, 7.0, 1.0, 0.0]
    ints = td.heaviside(td.Tensor([-1, 0, 4]), td.Tensor([5]))
    assert ints.tolist() == [0, 5, 1] and ints.dtype == np.int64


# -- predicates, logic and closeness ---------------------------------------------------------

VALUES = np.array([1.5, -0.0, 0.0, -2.0, INF, -INF, NAN])


@pytest.mark.parametrize(
    "name, reference",
    [("isnan", np.isnan), ("isinf", np.isinf), ("isposinf", np.isposinf),
     ("isneginf", np.isneginf), ("isfinite", np.isfinite), ("signbit", np.signbit),
     ("isreal", np.isreal), ("logical_not", np.logical_not)],
)  # fmt: skip
def test_predicates(name, reference):
    for data in (VALUES, VALUES.astype(np.float32), np.array([3, -1, 0]), np.array([True, False])):
        x = td.Tensor(data, requires_grad=data.dtype.kind == "f")
        out = getattr(x, name)()
        assert out.dtype == np.bool_ and not out.requires_grad
        np.testing.assert_array_equal(out.data, reference(data))
        np.testing.assert_array_equal(getattr(td, name)(data).data, reference(data))


def test_logical_operations():
    a, b = np.array([[1.0, 0.0, -2.0, 0.0]]), np.array([[3], [0]])
    for name, ufunc in [("logical_and", np.logical_and), ("logical_or", np.logical_or),
                        ("logical_xor", np.logical_xor)]:  # fmt: skip
        out = getattr(td.Tensor(a), name)(td.Tensor(b))
        assert out.dtype == np.bool_ and out.shape == (2, 4)
        np.testing.assert_array_equal(out.data, ufunc(a, b))
        np.testing.assert_array_equal(getattr(td, name)(a, 1).data, ufunc(a, 1))


def test_bitwise_operations_and_operators():
    i, j = td.Tensor([12, 10, -1]), td.Tensor([10, 6, 3])
    assert (i & j).tolist() == [8, 2, 3] == i.bitwise_and(j).tolist()
    assert (i | j).tolist() == [14, 14, -1] == td.bitwise_or(i, j).tolist()
    assert (i ^ j).tolist() == [6, 12, -4] == i.bitwise_xor(j).tolist()
    assert i.bitwise_not().tolist() == [-13, -11, 0] == td.bitwise_not(i).tolist()
    assert (3 & i).tolist() == [0, 2, 3] and (i | True).tolist() == [13, 11, -1]
    p, q = td.Tensor([True, True, False]), td.Tensor([True, False, False])
    assert (p & q).tolist() == [True, False, False] and (p ^ q).dtype == np.bool_
    assert (p | q).tolist() == [True, True, False]
    assert p.bitwise_not().tolist() == [False, False, True]
    small = td.Tensor(np.array([5, 6], np.int32))
    assert (small & 3).dtype == np.int32  # a number takes the tensor's integer dtype


def test_isclose_allclose_and_equal():
    a = td.Tensor([1.0, 1.0, INF, NAN, -INF, 0.0], dtype="float64")
    b = [1.0 + 1e-6, 1.1, INF, NAN, INF, 1e-9]
    np.testing.assert_array_equal(a.isclose(b).data, np.isclose(a.data, b))
    assert a.isclose(b).tolist() == [True, False, True, False, False, True]
    assert a.isclose(b, equal_nan=True).tolist()[3] is True
    assert a.isclose(b, rtol=0, atol=0).tolist() == [False, False, True, False, False, False]
    assert td.isclose(td.Tensor([[1.0], [2.0]]), [1.0, 2.0]).shape == (2, 2)
    assert td.Tensor([1, 2]).isclose(td.Tensor([1, 3])).tolist() == [True, False]
    assert td.allclose(td.Tensor([1.0]), [1.0, 1.0 + 1e-9]) is True
    assert td.Tensor([1.0, 2.0]).allclose([1.0, 2.1]) is False
    assert td.Tensor([1.0, NAN]).allclose([1.0, NAN], equal_nan=True) is True
    x = td.Tensor([1.0, 2.0])
    assert x.equal(td.Tensor([1.0, 2.0], dtype="float64")) is True  # dtypes may differ
    assert x.equal([1.0, 2.0]) is True and td.equal(x, x) is True
    assert x.equal(td.Tensor([1.0, 2.0, 3.0])) is False
    assert x.equal(td.Tensor([[1.0, 2.0]])) is False  # same values, another shape
    assert td.Tensor([NAN]).equal(td.Tensor([NAN])) is False


# -- sign ------------------------------------------------------------------------------------


def test_sign_and_sgn_are_zero_at_nan():
    a = np.array([NAN, -2.0, -0.0, 0.0, 3.0, INF, -INF])
    want = [0.0, -1.0, 0.0, 0.0, 1.0, 1.0, -1.0]  # -1, 0 or 1, and 0 at NaN
    x = td.Tensor(a)
    for out in (x.sign(), x.sgn(), td.sign(a), td.sgn(x)):
        assert out.tolist() == want and out.dtype == np.float64 and out.grad_fn is None
    assert td.Tensor(a, dtype="float32").sign().dtype == np.float32
    assert td.Tensor(NAN).sign().item() == 0.0 and td.Tensor(NAN).sign().shape == ()
    assert td.Tensor([3, -7, 0]).sign().tolist() == [1, -1, 0]
    assert td.Tensor([True, False]).sign().tolist() == [True, False]  # bools as themselves
    x = td.Tensor([NAN, -2.0], requires_grad=True)
    x.abs().sum().backward()  # abs's derivative is the sign: 0 at NaN too
    assert x.grad.tolist() == [0.0, -1.0]


def test_sign_against_torch():
    torch = pytest.importorskip("torch")
    for a in (np.array([NAN, -2.0, 0.0, 3.0, -INF]), np.array(NAN), np.array([4, -1, 0]),
              np.array([True, False])):  # fmt: skip
        for name in ("sign", "sgn"):
            ours, theirs = getattr(td, name)(td.Tensor(a)), getattr(torch, name)(torch.tensor(a))
            np.testing.assert_array_equal(ours.data, theirs.numpy())
            assert str(ours.dtype) == str(theirs.dtype).removeprefix("torch.")


# -- dtypes ----------------------------------------------------------------------------------


def test_dtypes_follow_pytorch():
    x = td.Tensor([0.5, 0.25], requires_grad=True)
    for out in (x.tan(), x.asin(), x.atan2(2.0), x.sinh(), x.acos(), x.rsqrt(), x.log2(),
                x.exp2(), x.logit(), x.xlogy(3), x.lerp(1.0, 0.3), x.lerp(1.0, x), x.hypot(2),
                x.copysign(-1), x.deg2rad(), x.frac(), x.fmod(0.2), x % 0.2, x // 0.2,
                x.clamp_min(0.3), x.nan_to_num(), x.heaviside(1.0), 2.0 % x):  # fmt: skip
        assert out.dtype == np.float32
    ints = td.Tensor([1, 2])
    for out in (ints.tan(), ints.atan2(ints), ints.log10(), ints.exp2(), ints.rsqrt(),
                ints.deg2rad(), ints.xlogy(ints), ints.copysign(-1), ints.asinh()):  # fmt: skip
        assert out.dtype == np.float32
    assert ints.sgn().dtype == np.int64 and ints.clamp_max(1).tolist() == [1, 1]
    fp = x.float_power(2)
    assert fp.dtype == np.float64 and fp.tolist() == [0.25, 0.0625]
    fp.sum().backward()
    assert x.grad.dtype == np.float32 and x.grad.tolist() == [1.0, 0.5]
    assert td.float_power(2, td.Tensor([0.1], dtype="float64")).item() == 2**0.1
    assert td.Tensor([3.0]).float_power([0.1]).item() == 3**0.1  # the list read in float64


# -- errors by message -----------------------------------------------------------------------


def test_errors():
    x, ints = td.zeros(2, 3), td.Tensor([4, 2])
    with pytest.raises(ValueError, match=r"atan2: shapes \(2, 3\) and \(2,\) do not broadcast"):
        x.atan2(td.zeros(2))
    with pytest.raises(ValueError, match=r"hypot: shapes \(2, 3\) and \(4,\) do not broadcast"):
        td.hypot(x, [1.0, 2.0, 3.0, 4.0])
    with pytest.raises(ValueError, match=r"// \(floor_divide\): shapes \(2, 3\) and \(2,\)"):
        x // td.zeros(2)
    with pytest.raises(ValueError, match=r"lerp: shapes \(2, 3\), \(2, 3\) and \(2,\) \(self, "):
        x.lerp(x, td.zeros(2))
    with pytest.raises(TypeError, match="atan2: unsupported operand of type str"):
        x.atan2("1")
    with pytest.raises(TypeError, match="tan: expected tensors, arrays or numbers, got str"):
        td.tan("x")
    with pytest.raises(TypeError, match="frac: expected a floating-point tensor, got int64"):
        ints.frac()
    with pytest.raises(TypeError, match="logit: eps must be a number, got 'a'"):
        x.logit("a")
    with pytest.raises(TypeError, match="lerp: weight must be a number, got True"):
        x.lerp(x, True)
    with pytest.raises(ZeroDivisionError, match="floor_divide: integer division by zero"):
        ints.floor_divide(td.Tensor([1, 0]))
    with pytest.raises(ZeroDivisionError, match=r"% \(remainder\): integer division by zero"):
        ints % 0
    with pytest.raises(ZeroDivisionError, match="fmod: integer division by zero"):
        td.fmod(ints, [0, 1])
    with pytest.raises(TypeError, match="remainder: not defined for bool tensors"):
        td.Tensor([True]).remainder(td.Tensor([True]))
    for call, name in [(lambda: x.bitwise_and(ints[:1]), "bitwise_and"),
                       (lambda: ints | 1.5, r"\| \(bitwise_or\)"),
                       (lambda: x.bitwise_not(), "bitwise_not"),
                       (lambda: ints ^ x[0, :2], r"\^ \(bitwise_xor\)")]:  # fmt: skip
        with pytest.raises(TypeError, match=f"{name}: needs bool or integer tensors, got float32"):
            call()
    with pytest.raises(ValueError, match="isclose: rtol must be >= 0, got -1"):
        x.isclose(x, rtol=-1)
    with pytest.raises(TypeError, match="isclose: atol must be a number, got None"):
        x.allclose(x, atol=None)
    with pytest.raises(TypeError, match="clamp_min: min must be a number or a tensor, got None"):
        x.clamp_min(None)
    with pytest.raises(TypeError, match="clamp_max: max must be a number or a tensor, got None"):
        td.clamp_max(x, None)
    with pytest.raises(TypeError, match="nan_to_num: posinf must be a number, got '1'"):
        x.nan_to_num(posinf="1")
    with pytest.raises(TypeError, match="float_power: unsupported operand"):
        x.float_power(None)


# -- package functions and wiring ------------------------------------------------------------

A, B = u(0.2, 0.8, 2, 3), u(0.2, 0.8, 3)
UNARY = ("tan asin acos atan arcsin arccos arctan sinh cosh asinh atanh arcsinh arctanh rsqrt "
         "log2 log10 exp2 logit deg2rad rad2deg frac sgn sign reciprocal square floor ceil "
         "round trunc neg isnan isinf isposinf isneginf isfinite isreal signbit logical_not "
         "nan_to_num").split()  # fmt: skip
BINARY = ("atan2 arctan2 xlogy hypot copysign true_divide floor_divide fmod remainder clamp_min "
          "clamp_max heaviside float_power logical_and logical_or logical_xor isclose pow add "
          "sub mul div").split()  # fmt: skip


@pytest.mark.parametrize("name", UNARY + BINARY)
def test_package_functions_call_the_methods(name):
    x = td.Tensor(A)
    args = (B,) if name in BINARY else ()
    out, expected = getattr(td, name)(A, *args), getattr(x, name)(*args)
    assert out.dtype == expected.dtype
    np.testing.assert_array_equal(out.data, expected.data)


def test_more_package_functions():
    x = td.Tensor(A)
    assert td.acosh(1 + A).tolist() == (x + 1).acosh().tolist()
    assert td.arccosh(2.0).item() == pytest.approx(math.acosh(2.0))
    assert td.lerp(A, B, 0.25).tolist() == x.lerp(B, 0.25).tolist()
    assert td.clamp(A, 0.3, 0.6).tolist() == x.clamp(0.3, 0.6).tolist()
    assert td.add(A, B, alpha=2).tolist() == x.add(B, alpha=2).tolist()
    assert td.sub(A, B, alpha=2).tolist() == x.sub(B, alpha=2).tolist()
    assert td.pow(2, td.Tensor([3.0])).tolist() == [8.0]
    assert td.atan2(1.0, x).shape == (2, 3)
    assert td.allclose(A, A) is True and td.equal(A, B) is False
    assert td.bitwise_and([6], [3]).tolist() == [2]


def test_the_mixin_is_wired_into_tensor():
    names = [n for n in vars(TorchElementwise) if not n.startswith("__")] + [
        "__floordiv__", "__rfloordiv__", "__mod__", "__rmod__", "__and__", "__or__", "__xor__",
        "__rand__", "__ror__", "__rxor__"]  # fmt: skip
    for name in names:
        assert name not in vars(td.Tensor), f"Tensor shadows TorchElementwise.{name}"
        assert getattr(td.Tensor, name) is getattr(TorchElementwise, name)
    assert not hasattr(td.zeros(1), "__dict__")
    for name in EF.__all__:
        assert getattr(td, name) is getattr(EF, name) and name in td.__all__


# -- against PyTorch -------------------------------------------------------------------------


def _compare(torch, fn_td, fn_torch, arrays, seed=0):
    """fn's values and its gradients for a random upstream gradient, in both frameworks
    (float64; NaN matches NaN, inf matches inf)."""
    ours = [f64(a) for a in arrays]
    theirs = [torch.tensor(np.array(a, dtype=np.float64), requires_grad=True) for a in arrays]
    out, ref = fn_td(*ours), fn_torch(*theirs)
    np.testing.assert_allclose(out.data, ref.detach().numpy(), rtol=1e-12, atol=1e-14)
    g = np.random.default_rng(seed).standard_normal(out.shape)
    grads = td.grad(out, ours, td.Tensor(g), allow_unused=True)
    ref_grads = torch.autograd.grad(ref, theirs, torch.tensor(g), allow_unused=True)
    for mine, other in zip(grads, ref_grads):
        if mine is None:
            assert other is None or not other.any()
        else:
            np.testing.assert_allclose(mine.data, other.numpy(), rtol=1e-10, atol=1e-14)


EDGES = [-2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0]
AGAINST_TORCH = [
    # name, our fn, torch fn (same arguments), inputs
    ("tan", lambda a: a.tan(), lambda t: t.tan(), [u(-1.5, 1.5, 3, 4)]),
    ("asin", lambda a: a.asin(), lambda t: t.asin(), [EDGES]),
    ("acos", lambda a: a.arccos(), lambda t: t.arccos(), [EDGES]),
    ("atan", lambda a: a.atan(), lambda t: t.atan(), [3 * r(3, 4)]),
    ("atan2", lambda a, b: a.atan2(b), lambda a, b: a.atan2(b), [r(3, 4), r(4)]),
    ("atan2_origin", lambda a, b: a.atan2(b), lambda a, b: a.atan2(b),
     [[0.0, 0.0, 1.0, -1.0], [0.0, -2.0, 0.0, 0.0]]),
    ("sinh", lambda a: a.sinh(), lambda t: t.sinh(), [3 * r(3, 4)]),
    ("cosh", lambda a: a.cosh(), lambda t: t.cosh(), [3 * r(3, 4)]),
    ("asinh", lambda a: a.asinh(), lambda t: t.asinh(), [3 * r(3, 4)]),
    ("acosh", lambda a: a.acosh(), lambda t: t.acosh(), [[0.5, 1.0, 1.5, 3.0, 100.0]]),
    ("atanh", lambda a: a.atanh(), lambda t: t.atanh(), [EDGES]),
    ("rsqrt", lambda a: a.rsqrt(), lambda t: t.rsqrt(), [[0.0, 0.25, 4.0, -1.0]]),
    ("log2", lambda a: a.log2(), lambda t: t.log2(), [[0.0, 0.5, 8.0, 10.0, -1.0]]),
    ("log10", lambda a: a.log10(), lambda t: t.log10(), [[0.0, 0.5, 1000.0, 7.0, -1.0]]),
    ("exp2", lambda a: a.exp2(), lambda t: t.exp2(), [3 * r(3, 4)]),
    ("logit", lambda a: a.logit(), lambda t: t.logit(), [[0.0, 0.25, 0.5, 0.9, 1.0, 1.5]]),
    ("logit_eps", lambda a: a.logit(0.1), lambda t: t.logit(0.1),
     [[0.0, 0.05, 0.1, 0.5, 0.9, 0.95, 1.0]]),
    ("xlogy", lambda a, b: a.xlogy(b), lambda a, b: a.xlogy(b),
     [[0.0, 0.0, 0.0, 1.0, 2.0, -1.5], [0.0, NAN, -1.0, 0.0, 3.0, 0.5]]),  # (not y = inf:
    # PyTorch's gradient for x there is inf, though x log y is 0 all along x = 0)
    ("lerp_numbers", lambda a, b: a.lerp(b, 0.3) + a.lerp(b, 0.7) + a.lerp(b, -0.6),
     lambda a, b: a.lerp(b, 0.3) + a.lerp(b, 0.7) + a.lerp(b, -0.6), [r(3, 4), r(3, 4)]),
    ("lerp_tensor", lambda a, b, w: a.lerp(b, w), lambda a, b, w: a.lerp(b, w),
     [r(3, 4), r(3, 4), u(-1, 2, 3, 4)]),
    ("hypot", lambda a, b: a.hypot(b), lambda a, b: a.hypot(b), [r(3, 4), r(3, 4)]),
    ("hypot_origin", lambda a, b: a.hypot(b), lambda a, b: a.hypot(b), [[0.0, 3.0], [0.0, 4.0]]),
    ("copysign", lambda a: a.copysign(SIGNS), lambda t: t.copysign(torch_tensor(SIGNS)),
     [[0.0, -1.0, 2.0, -0.0]]),
    ("deg2rad", lambda a: a.deg2rad(), lambda t: t.deg2rad(), [90 * r(3, 4)]),
    ("rad2deg", lambda a: a.rad2deg(), lambda t: t.rad2deg(), [r(3, 4)]),
    ("frac", lambda a: a.frac(), lambda t: t.frac(), [[1.5, -1.5, 2.0, -0.25, 7.75]]),
    ("fmod", lambda a, b: a.fmod(b), lambda a, b: a.fmod(b),
     [[5.0, -5.0, 5.5, -7.25], [3.0, 3.0, -2.0, -2.0]]),
    ("remainder", lambda a, b: a.remainder(b), lambda a, b: a.remainder(b),
     [[5.0, -5.0, 5.5, -7.25], [3.0, 3.0, -2.0, -2.0]]),
    ("mod_number", lambda a: a % 1.5 + 4.0 % a, lambda t: t % 1.5 + torch_full(4.0, t) % t,
     [[5.2, -5.2, 2.5, -0.7]]),  # (PyTorch's `4.0 % t` has no derivative for t)
    ("clamp_min", lambda a: a.clamp_min(0.5), lambda t: t.clamp_min(0.5), [r(3, 4)]),
    ("clamp_max_tensor", lambda a, b: a.clamp_max(b), lambda a, b: a.clamp_max(b),
     [r(3, 4), r(4)]),
    ("nan_to_num", lambda a: a.nan_to_num(), lambda t: t.nan_to_num(), [[NAN, INF, -INF, 1.0]]),
    ("nan_to_num_values", lambda a: a.nan_to_num(1.0, 2.0, -2.0),
     lambda t: t.nan_to_num(1.0, 2.0, -2.0), [[NAN, INF, -INF, 1.0]]),
    ("float_power", lambda a, b: a.float_power(b), lambda a, b: a.float_power(b),
     [u(0.5, 2, 3, 4), r(3, 4)]),
]  # fmt: skip


def torch_tensor(a):
    import torch

    return torch.tensor(np.array(a, dtype=np.float64))


def torch_full(value, like):
    import torch

    return torch.full_like(like, value)


@pytest.mark.parametrize(
    "fn_td, fn_torch, arrays",
    [row[1:] for row in AGAINST_TORCH],
    ids=[row[0] for row in AGAINST_TORCH],
)
def test_against_torch(fn_td, fn_torch, arrays):
    torch = pytest.importorskip("torch")
    _compare(torch, fn_td, fn_torch, arrays)


def test_constant_results_against_torch():
    torch = pytest.importorskip("torch")
    a = np.array([1.5, -0.0, 0.0, -2.0, INF, -INF, NAN])
    b = np.array([1.5, 0.0, 1e-9, -2.1, INF, INF, NAN])
    x, y, t, s = td.Tensor(a), td.Tensor(b), torch.tensor(a), torch.tensor(b)
    for name in ("isnan", "isinf", "isposinf", "isneginf", "isfinite", "isreal", "signbit",
                 "logical_not"):  # fmt: skip
        np.testing.assert_array_equal(getattr(x, name)().data, getattr(t, name)().numpy())
    for name in ("sgn", "sign"):  # (0 at NaN, as PyTorch's)
        np.testing.assert_array_equal(getattr(x, name)().data, getattr(t, name)().numpy())
    for name in ("logical_and", "logical_or", "logical_xor", "isclose", "heaviside"):
        np.testing.assert_array_equal(getattr(x, name)(y).data, getattr(t, name)(s).numpy())
    assert x.isclose(y, equal_nan=True).tolist() == t.isclose(s, equal_nan=True).tolist()
    assert x.allclose(y) == t.allclose(s) and x.equal(x) == t.equal(t)
    i, j = np.array([12, -7, 7, 0]), np.array([5, 2, -3, 9])
    for name in ("bitwise_and", "bitwise_or", "bitwise_xor", "floor_divide", "remainder", "fmod"):
        ours, theirs = (
            getattr(td.Tensor(i), name)(td.Tensor(j)),
            getattr(torch.tensor(i), name)(torch.tensor(j)),
        )
        assert ours.tolist() == theirs.tolist() and str(ours.dtype) == "int64"
    assert (td.Tensor(i) // 2.5).tolist() == (torch.tensor(i) // 2.5).tolist()
    assert td.Tensor(i).bitwise_not().tolist() == torch.tensor(i).bitwise_not().tolist()
    f = np.array([7.5, -7.5, 0.5])
    assert (td.Tensor(f) // -2).tolist() == (torch.tensor(f) // -2).tolist()
    assert td.Tensor(f).float_power(2).tolist() == torch.tensor(f).float_power(2).tolist()


def test_sign_of_a_tensor_that_requires_grad_has_a_zero_gradient_as_pytorch():
    """sign is a step function, as floor: its result requires grad and sends back zeros (so
    `x.sign().sum().backward()` works, as in PyTorch), at every order."""
    x = td.Tensor([NAN, -2.0, 0.0, 3.0], requires_grad=True)
    for out in (x.sign(), x.sgn(), td.sign(x)):
        assert out.requires_grad and out.tolist() == [0.0, -1.0, 0.0, 1.0]
        (g,) = td.grad(out.sum(), [x], create_graph=True)
        assert g.tolist() == [0.0, 0.0, 0.0, 0.0]
    y = td.Tensor([0.5, -1.5], requires_grad=True)
    (y * y.sign()).sum().backward()  # |y| through sign: d/dy = sign(y)
    assert y.grad.tolist() == [1.0, -1.0]


def test_sign_gradient_against_torch():
    torch = pytest.importorskip("torch")
    a = np.array([NAN, -2.0, 0.0, 3.0])
    x, t = td.Tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    (x.sign() * x).sum().backward()
    (t.sign() * t).sum().backward()
    assert x.sign().requires_grad == t.sign().requires_grad
    np.testing.assert_array_equal(x.grad.data, t.grad.numpy())
