"""Gradients where the textbook formula breaks down, checked against closed forms.

pow at base 0, where y x^(y-1) and x^y log x meet 0 inf and 0 log 0, at every order; clip with
Tensor bounds, whose gradient goes to x, min or max by where x lies (ties go to x). The expected
numbers match PyTorch's unless a comment says otherwise.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from helpers import check_op

import tinygrad_ds as td
from tinygrad_ds.ops.elementwise import Clip

R = np.random.default_rng(11)


def f64(values, requires_grad=True):
    return td.Tensor(np.array(values, dtype=np.float64), requires_grad=requires_grad)


def derivatives(fn, x, order):
    """d^k/dx^k sum(fn(x)) for k = 1..order, each by td.grad of the one before (create_graph)."""
    out, result = fn(x).sum(), []
    for _ in range(order):
        (d,) = td.grad(out, x, create_graph=True)
        result.append(d.data.tolist())
        out = d.sum()
    return result


# ---------------------------------------------------------------------------------------------
# pow away from 0: finite differences, including the exponents 0 and 1 exactly
# ---------------------------------------------------------------------------------------------

POS = R.uniform(0.5, 2.0, (3, 4))
EXPONENTS = np.array([0.0, 1.0, 2.0, -1.5])

POW_ROWS = [
    ("tensor_exponent", lambda x, y: x**y, np.power, [POS, R.standard_normal((3, 4))]),
    ("exponents_0_1_2_broadcast", lambda x, y: x**y, np.power, [POS, EXPONENTS]),
    ("base_column_broadcast", lambda x, y: x**y, np.power, [POS[:, :1], EXPONENTS]),
    ("number_exponent_0", lambda x: x**0, lambda x: x**0, [R.standard_normal(5)]),
    ("number_exponent_1", lambda x: x**1, lambda x: x**1, [R.standard_normal(5)]),
    ("number_base", lambda y: 0.5**y, lambda y: 0.5**y, [EXPONENTS]),
]


@pytest.mark.parametrize("name,fn,ref,arrays", POW_ROWS, ids=[row[0] for row in POW_ROWS])
def test_pow_gradcheck_away_from_zero(name, fn, ref, arrays):
    check_op(fn, ref, arrays)


def test_pow_second_derivatives_gradcheck_at_exponents_0_and_1():
    """d/dy (y x^(y-1)) = x^(y-1) (1 + y log x) is 1/x at y = 0: the rule masking y = 0 must
    not cut this path (PyTorch's where does: it gives 0 there)."""
    x, y = f64(R.uniform(0.5, 2.0, 4)), f64(EXPONENTS)
    assert td.gradcheck(lambda x, y: td.grad((x**y).sum(), [x, y], create_graph=True), [x, y])
    x, y = f64([2.0, 0.5]), f64([0.0, 0.0])
    (dx,) = td.grad((x**y).sum(), x, create_graph=True)
    (dxy,) = td.grad(dx.sum(), y)
    np.testing.assert_allclose(dxy.data, [0.5, 2.0])


# ---------------------------------------------------------------------------------------------
# pow at base 0: the limits, as PyTorch
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("create_graph", [False, True], ids=["first_order", "create_graph"])
def test_pow_first_derivatives_at_base_zero(create_graph):
    """dz/dx = y x^(y-1) taken as 0 where y = 0; dz/dy = x^y log x as 0 where x = 0, y >= 0."""
    x, y = f64(np.zeros(5)), f64([0.0, 1.0, 2.0, 3.0, 2.5])
    z = x**y
    np.testing.assert_array_equal(z.data, [1, 0, 0, 0, 0])
    dx, dy = td.grad(z.sum(), [x, y], create_graph=create_graph)
    np.testing.assert_array_equal(dx.data, [0, 1, 0, 0, 0])
    np.testing.assert_array_equal(dy.data, [0, 0, 0, 0, 0])


def test_pow_number_exponent_zero_has_zero_gradient_everywhere():
    x = f64([0.0, 1.0, -2.0])
    z = x**0
    z.sum().backward()
    np.testing.assert_array_equal(z.data, [1, 1, 1])
    np.testing.assert_array_equal(x.grad.data, [0, 0, 0])


def test_pow_of_number_base_zero():
    """d/dy 0^y is 0 for y >= 0; for y < 0 it is inf log 0 = -inf (not masked, as PyTorch)."""
    y = f64([0.0, 1.0, 2.5])
    z = 0.0**y
    z.sum().backward()
    np.testing.assert_array_equal(z.data, [1, 0, 0])
    np.testing.assert_array_equal(y.grad.data, [0, 0, 0])
    y = f64([-1.0])
    with np.errstate(divide="ignore", invalid="ignore"):
        (0.0**y).sum().backward()
    np.testing.assert_array_equal(y.grad.data, [-np.inf])


@pytest.mark.parametrize("create_graph", [False, True], ids=["first_order", "create_graph"])
def test_pow_masked_entries_compute_no_inf(create_graph):
    """The masked entries are computed from x = 1, not as 0 * inf: NumPy has nothing to warn."""
    x, y = f64([0.0, 0.0, 2.0]), f64([0.0, 2.0, 0.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        td.grad((x**y).sum() + (x**0).sum() + (0.0**y).sum(), [x, y], create_graph=create_graph)


@pytest.mark.parametrize("exponent", ["number", "tensor"])
@pytest.mark.parametrize(
    "p,expected",
    [
        # d^k/dx^k x^p at x = 0 and x = 1.5, k = 1, 2, ...: the k-th falling power of p times
        # x^(p-k), which is 0 once k > p (PyTorch gives the same, and NaN before this fix)
        (0, [[0, 0], [0, 0]]),
        (1, [[1, 1], [0, 0]]),
        (2, [[0, 3], [2, 2], [0, 0]]),
        (3, [[0, 6.75], [0, 9], [6, 6], [0, 0]]),
    ],
)
def test_pow_higher_derivatives_at_zero(exponent, p, expected):
    x = f64([0.0, 1.5])
    y = p if exponent == "number" else f64([p, p], requires_grad=False)
    got = derivatives(lambda x: x**y, x, len(expected))
    np.testing.assert_allclose(got, expected, rtol=1e-12)


@pytest.mark.parametrize("p,dxx", [(2.0, 2.0), (3.0, 0.0)])
def test_pow_hessian_at_base_zero_is_the_limit(p, dxx):
    """At x = 0, y > 1 every second derivative of x^y has a limit: y (y-1) x^(y-2) for d/dx d/dx,
    x^(y-1) (1 + y log x) -> 0 for the mixed ones, x^y log^2 x -> 0 for d/dy d/dy.
    (PyTorch gives NaN for d/dx dz/dy here: it masks after multiplying by log 0.)"""
    x, y = f64([0.0]), f64([p])
    dx, dy = td.grad((x**y).sum(), [x, y], create_graph=True)
    dxx_, dxy = td.grad(dx.sum(), [x, y], retain_graph=True)
    dyx, dyy = td.grad(dy.sum(), [x, y])
    np.testing.assert_array_equal([dxx_.item(), dxy.item(), dyx.item(), dyy.item()], [dxx, 0, 0, 0])


# ---------------------------------------------------------------------------------------------
# clip with Tensor bounds
# ---------------------------------------------------------------------------------------------

# x on quarter points, bounds on half points: never within 0.25 of a kink
X = 0.25 + 0.5 * R.integers(-5, 6, (3, 4))
LOW = np.array([-1.0, -0.5, 0.0, 0.5])
HIGH = np.array([[1.0], [1.5], [2.0]])

CLIP_ROWS = [
    ("both_broadcast", lambda x, lo, hi: x.clip(lo, hi), np.clip, [X, LOW, HIGH]),
    ("min_only", lambda x, lo: x.clip(min=lo), np.maximum, [X, LOW]),
    ("max_only", lambda x, hi: x.clamp(max=hi), np.minimum, [X, HIGH]),
    ("zero_dim_bound", lambda x, lo: x.clip(lo, 1.0), lambda x, lo: np.clip(x, lo, 1), [X, -0.5]),
    ("bound_larger_than_x", lambda x, lo: x.clip(lo), np.maximum, [X[0], X + 0.5]),
]


@pytest.mark.parametrize("name,fn,ref,arrays", CLIP_ROWS, ids=[row[0] for row in CLIP_ROWS])
def test_clip_tensor_bounds_gradcheck(name, fn, ref, arrays):
    check_op(fn, ref, arrays)


def clip_grads(x, low, high, **kwargs):
    x, low, high = f64(x), f64(low), f64(high)
    z = x.clip(low, high, **kwargs)
    z.sum().backward()
    return z.data.tolist(), x.grad.data.tolist(), low.grad.data.tolist(), high.grad.data.tolist()


def test_clip_tensor_bounds_at_and_beyond_the_bounds():
    """dx = 1[min <= x <= max] (ties go to x), dmin = 1[x < min], dmax = 1[x > max]."""
    z, dx, dlow, dhigh = clip_grads([1, 2, 5, 8, 9], [2] * 5, [8] * 5)
    assert z == [2, 2, 5, 8, 8]
    assert dx == [0, 1, 1, 1, 0]
    assert dlow == [1, 0, 0, 0, 0]
    assert dhigh == [0, 0, 0, 0, 1]


def test_clip_min_above_max_gives_max_and_its_gradient():
    z, dx, dlow, dhigh = clip_grads([1, 5, 9], [6, 6, 6], [4, 4, 4])
    assert z == [4, 4, 4]
    assert (dx, dlow, dhigh) == ([0, 0, 0], [0, 0, 0], [1, 1, 1])


def test_clip_min_equal_max_gives_each_gradient_to_the_value_copied():
    """Where min = max and x < min the result is min, which gets the gradient.
    (PyTorch gives it to nobody there: its min needs min < max strictly.)"""
    z, dx, dlow, dhigh = clip_grads([1, 3, 5], [3, 3, 3], [3, 3, 3])
    assert z == [3, 3, 3]
    assert (dx, dlow, dhigh) == ([0, 1, 0], [1, 0, 0], [0, 0, 1])


def test_clip_nan_gives_nan_and_no_gradient():
    z, dx, dlow, dhigh = clip_grads([np.nan, 1, 5], [2, np.nan, 2], [8, 8, 8])
    np.testing.assert_array_equal(z, [np.nan, np.nan, 5])
    assert (dx, dlow, dhigh) == ([0, 0, 1], [0, 0, 0], [0, 0, 0])


NAN_PAIRS = ([np.nan, 1.0, np.nan, 2.0, 3.0, 1.0], [1.0, np.nan, np.nan, 2.0, 1.0, 3.0])


@pytest.mark.parametrize("name", ["maximum", "minimum"])
def test_maximum_and_minimum_give_a_nan_gradient_to_both_sides_as_pytorch(name):
    """Where either side is NaN the result is NaN and both sides get the whole gradient (as
    PyTorch); a tie splits it; elsewhere it goes to the side chosen."""
    x, y = f64(NAN_PAIRS[0]), f64(NAN_PAIRS[1])
    z = getattr(td, name)(x, y)
    z.sum().backward()
    np.testing.assert_array_equal(z.data, getattr(np, name)(*NAN_PAIRS))
    # x = 3, y = 1 at 4 and x = 1, y = 3 at 5: the side chosen there gets the gradient
    x_at_4_5, y_at_4_5 = ([1, 0], [0, 1]) if name == "maximum" else ([0, 1], [1, 0])
    assert x.grad.data.tolist() == [1, 1, 1, 0.5, *x_at_4_5]
    assert y.grad.data.tolist() == [1, 1, 1, 0.5, *y_at_4_5]


def test_abs_has_a_zero_gradient_at_nan_and_at_zero_as_pytorch():
    x = f64([np.nan, 0.0, 2.0, -2.0])
    x.abs().sum().backward()
    assert x.grad.data.tolist() == [0, 0, 1, -1]


@pytest.mark.parametrize("name", ["maximum", "minimum", "abs"])
def test_nan_gradients_match_pytorch(name):
    torch = pytest.importorskip("torch")
    arrays = NAN_PAIRS if name != "abs" else NAN_PAIRS[:1]
    ours = [f64(a) for a in arrays]
    theirs = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in arrays]
    getattr(td, name)(*ours).sum().backward()
    getattr(torch, name)(*theirs).sum().backward()
    for a, b in zip(ours, theirs):
        np.testing.assert_array_equal(a.grad.data, b.grad.numpy())


def test_clip_broadcast_bounds_sum_their_gradients():
    x, low, high = f64(np.arange(6.0).reshape(3, 2)), f64([1.0, 2.0]), f64(3.5)
    z = x.clip(low, high)
    z.sum().backward()
    np.testing.assert_array_equal(z.data, [[1, 2], [2, 3], [3.5, 3.5]])
    np.testing.assert_array_equal(x.grad.data, [[0, 0], [1, 1], [0, 0]])
    np.testing.assert_array_equal(low.grad.data, [1, 1])
    assert high.grad.item() == 2
    x, low = f64(5.0), f64([2.0, 6.0])  # x broadcast to the bound's shape
    z = x.clamp(min=low)
    z.sum().backward()
    assert z.tolist() == [5, 6] and x.grad.item() == 1 and low.grad.tolist() == [0, 1]


def test_clip_mixed_number_and_tensor_bounds_and_constant_x():
    x, low = f64([1.0, 5.0, 9.0]), f64([2.0, 6.0, 2.0])
    z = x.clip(low, 8.0)
    z.sum().backward()
    assert z.tolist() == [2, 6, 8]
    assert x.grad.tolist() == [0, 0, 0] and low.grad.tolist() == [1, 1, 0]
    high = td.Tensor([4.0, 4.0, 4.0], requires_grad=True)  # only the bound requires grad
    td.Tensor([1.0, 5.0, 9.0]).clip(0.0, high).sum().backward()
    assert high.grad.tolist() == [0, 1, 1]


def test_clip_second_derivatives_through_tensor_bounds():
    x, low = f64([1.0, 5.0, 9.0]), f64([2.0, 2.0, 2.0])
    dx, dlow = td.grad((x.clip(low, 8.0) ** 2).sum(), [x, low], create_graph=True)
    assert dx.tolist() == [0, 10, 0] and dlow.tolist() == [4, 0, 0]
    ddx, ddlow = td.grad(dx.sum() + dlow.sum(), [x, low])
    assert ddx.tolist() == [0, 2, 0] and ddlow.tolist() == [2, 0, 0]


def test_clip_number_bounds_stay_one_node_and_keep_the_dtype():
    x = td.Tensor([1.0, 5.0, 9.0], requires_grad=True)
    for low, high in [(2.0, 8.0), (np.float64(2.0), None), (None, np.float64(8.0)), (2, 8)]:
        z = x.clip(low, high)
        assert z.dtype == np.float32 and isinstance(z.grad_fn, Clip), (low, high)
    z = x.clip(np.array([2.0, 6.0, 2.0], dtype=np.float32), 8.0)  # an array bound broadcasts
    z.sum().backward()
    assert z.tolist() == [2, 6, 8] and x.grad.tolist() == [0, 0, 0]


def test_clamp_inplace_with_tensor_bounds_backpropagates():
    a = td.Tensor([1.0, 5.0, 9.0], requires_grad=True)
    c = a * 1
    c.clamp_(min=td.Tensor([2.0, 2.0, 2.0]))
    c.sum().backward()
    assert c.tolist() == [2, 5, 9] and a.grad.tolist() == [0, 1, 1]
    a, high = td.Tensor([1.0, 5.0, 9.0], requires_grad=True), td.Tensor(8.0, requires_grad=True)
    c = a * 1
    c.clamp_(2.0, high)
    c.sum().backward()
    assert c.tolist() == [2, 5, 8] and a.grad.tolist() == [0, 1, 0] and high.grad.item() == 1


@pytest.mark.parametrize(
    "bounds,message",
    [
        (dict(min=[1.0, 2.0]), r"clip: shapes x \(3,\), min \(2,\) do not broadcast"),
        (dict(max=td.Tensor([1.0, 2.0])), r"clip: shapes x \(3,\), max \(2,\) do not broadcast"),
        (
            dict(min=td.Tensor([[1.0], [2.0]]), max=td.Tensor([1.0, 2.0])),
            r"clip: shapes x \(3,\), min \(2, 1\), max \(2,\) do not broadcast",
        ),
    ],
)
def test_clip_bounds_that_do_not_broadcast(bounds, message):
    with pytest.raises(ValueError, match=message):
        td.Tensor([1.0, 5.0, 9.0], requires_grad=True).clip(**bounds)
