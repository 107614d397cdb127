"""sin, cos, log1p, expm1, the rounding ops (floor, ceil, round, trunc) and cumsum.

Each: values against NumPy, first derivatives by gradcheck (float64) and against the closed
form, second derivatives through create_graph=True against finite differences of the first,
both backward paths, dtypes, errors, and PyTorch's values and gradients when it is installed.
"""

from __future__ import annotations

import numpy as np
import pytest
from helpers import assert_backward_paths_agree, check_op

import tinygrad_ds as td

R = np.random.default_rng(23)


def r(*shape):
    return R.standard_normal(shape)


def f64(values, requires_grad=True):
    return td.Tensor(np.array(values, dtype=np.float64), requires_grad=requires_grad)


def first_derivative(fn):
    """x -> d/dx sum(fn(x)), recorded (create_graph) so that it can be differentiated again."""
    return lambda x: td.grad(fn(x).sum(), x, create_graph=True)[0]


# ---------------------------------------------------------------------------------------------
# sin, cos, log1p, expm1: smooth, every derivative through create_graph
# ---------------------------------------------------------------------------------------------

SMOOTH = [
    # name, fn, value, first derivative, second derivative (closed forms), input
    ("sin", lambda x: x.sin(), np.sin, np.cos, lambda x: -np.sin(x), 2 * r(3, 4)),
    ("cos", lambda x: x.cos(), np.cos, lambda x: -np.sin(x), lambda x: -np.cos(x), 2 * r(3, 4)),
    (
        "log1p",
        lambda x: x.log1p(),
        np.log1p,
        lambda x: 1 / (1 + x),
        lambda x: -1 / (1 + x) ** 2,
        R.uniform(-0.6, 2.0, (3, 4)),
    ),
    ("expm1", lambda x: x.expm1(), np.expm1, np.exp, np.exp, r(3, 4)),
]  # fmt: skip
SMOOTH_IDS = [row[0] for row in SMOOTH]


@pytest.mark.parametrize("name, fn, value, d1, d2, x", SMOOTH, ids=SMOOTH_IDS)
def test_smooth_values_and_first_derivatives(name, fn, value, d1, d2, x):
    check_op(fn, value, [x])  # value, gradcheck in float64, both backward paths
    t = f64(x)
    (g,) = td.grad(fn(t).sum(), t)
    np.testing.assert_allclose(g.data, d1(x), rtol=1e-12)


@pytest.mark.parametrize("name, fn, value, d1, d2, x", SMOOTH, ids=SMOOTH_IDS)
def test_smooth_second_and_third_derivatives(name, fn, value, d1, d2, x):
    t = f64(x)
    (g,) = td.grad(fn(t).sum(), t, create_graph=True)
    assert g.requires_grad
    (h,) = td.grad(g.sum(), t)
    np.testing.assert_allclose(h.data, d2(x), rtol=1e-12)
    # the recorded first derivative against its own finite differences, and the second's
    assert td.gradcheck(first_derivative(fn), [t])
    assert td.gradcheck(first_derivative(first_derivative(fn)), [t])
    assert_backward_paths_agree(first_derivative(fn), [t])


def test_sin_and_cos_at_known_points():
    x = f64([0.0, np.pi / 6, np.pi / 2, np.pi])
    np.testing.assert_allclose(x.sin().data, [0.0, 0.5, 1.0, 0.0], atol=1e-15)
    np.testing.assert_allclose(x.cos().data, [1.0, np.sqrt(3) / 2, 0.0, -1.0], atol=1e-15)
    x.cos().sum().backward()
    np.testing.assert_allclose(x.grad.data, [0.0, -0.5, -1.0, 0.0], atol=1e-15)


def test_log1p_and_expm1_are_accurate_for_tiny_x():
    """At x = 1e-10, 1 + x rounds to 1 in float32 (log(1 + x) and e^x - 1 give 0) and loses
    seven digits in float64; log1p and expm1 keep all of them, as np.log1p and np.expm1."""
    x32 = td.Tensor([1e-10])
    assert x32.dtype == np.float32
    assert x32.log1p().item() == np.log1p(np.float32(1e-10)) != 0
    assert x32.expm1().item() == np.expm1(np.float32(1e-10)) != 0
    assert (1 + x32).log().item() == 0.0 and (x32.exp() - 1).item() == 0.0

    x64 = f64([1e-10], requires_grad=False)
    assert x64.log1p().item() == np.log1p(1e-10)
    assert x64.expm1().item() == np.expm1(1e-10)
    series = [  # x -+ x^2 / 2 (the x^3 terms are below float64's rounding)
        (x64.log1p(), (1 + x64).log(), 1e-10 - 0.5e-20),
        (x64.expm1(), x64.exp() - 1, 1e-10 + 0.5e-20),
    ]
    for accurate, naive, exact in series:
        assert accurate.item() == pytest.approx(exact, rel=1e-15, abs=0)
        assert naive.item() != pytest.approx(exact, rel=1e-9, abs=0)  # 1 + x lost 7 digits


def test_expm1_gradient_is_e_to_the_x():
    """dz/dx = z + 1 (as PyTorch's): exact to rounding near 0; for very negative x, where
    e^x is below float64's epsilon, z + 1 is exact to epsilon absolutely, not relatively."""
    x = f64([1e-10, -1e-10, 0.0, 2.0, -3.0])
    x.expm1().sum().backward()
    np.testing.assert_allclose(x.grad.data, np.exp(x.data), rtol=1e-15, atol=0)
    far = f64([-30.0, -50.0])
    far.expm1().sum().backward()
    np.testing.assert_allclose(far.grad.data, np.exp(far.data), rtol=0, atol=1e-16)


@pytest.mark.parametrize("method", ["sin", "cos", "log1p", "expm1"])
def test_smooth_ops_keep_float_dtypes_and_promote_integers_like_exp(method):
    x32 = td.Tensor([0.25, 0.5], requires_grad=True)
    out = getattr(x32, method)()
    assert out.dtype == np.float32
    out.sum().backward()
    assert x32.grad.dtype == np.float32
    assert getattr(td.Tensor(np.array([0.25]), dtype=np.float64), method)().dtype == np.float64
    ints = td.Tensor([0, 1, 2])
    assert getattr(ints, method)().dtype == ints.exp().dtype == np.float32
    np.testing.assert_allclose(getattr(ints, method)().data, getattr(np, method)([0.0, 1, 2]),
                               rtol=1e-6)  # fmt: skip
    td.set_default_dtype(td.float64)
    assert getattr(ints, method)().dtype == ints.exp().dtype == np.float64


@pytest.mark.parametrize("name", ["sin", "cos", "log1p", "expm1"])
def test_package_level_functions_match_the_methods(name):
    assert name in td.__all__
    values = [0.1, 0.7, 2.0]
    by_function = getattr(td, name)(values)  # a list is accepted, as td.exp([...])
    by_method = getattr(td.Tensor(values), name)()
    assert by_function.dtype == by_method.dtype
    np.testing.assert_array_equal(by_function.data, by_method.data)
    x = td.Tensor(values, requires_grad=True)
    assert getattr(td, name)(x).requires_grad


# ---------------------------------------------------------------------------------------------
# floor, ceil, round, trunc: step functions, zero gradient
# ---------------------------------------------------------------------------------------------

ROUNDINGS = {"floor": np.floor, "ceil": np.ceil, "round": np.rint, "trunc": np.trunc}
HALVES = [-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, -1.7, -0.2, 0.0, 1.2, 3.9]


@pytest.mark.parametrize("name", ROUNDINGS)
def test_rounding_values_match_numpy_including_halves(name):
    for dtype in (np.float32, np.float64):
        x = td.Tensor(np.array(HALVES, dtype=dtype))
        out = getattr(x, name)()
        assert out.dtype == dtype
        np.testing.assert_array_equal(out.data, ROUNDINGS[name](np.array(HALVES, dtype=dtype)))
        np.testing.assert_array_equal(np.signbit(out.data), np.signbit(ROUNDINGS[name](x.data)))


def test_round_takes_halves_to_even():
    out = td.Tensor([0.5, 1.5, 2.5, -0.5, -1.5, 0.4999, 0.5001]).round()
    assert out.tolist() == [0.0, 2.0, 2.0, -0.0, -2.0, 0.0, 1.0]
    assert np.signbit(out.data[3])  # -0.5 -> -0, as NumPy and PyTorch
    assert td.Tensor([-0.3]).trunc().item() == 0 and np.signbit(td.Tensor([-0.3]).trunc().data)


@pytest.mark.parametrize("name", ROUNDINGS)
def test_rounding_result_requires_grad_and_its_gradient_is_exactly_zero(name):
    x = td.Tensor(np.array(HALVES, dtype=np.float32), requires_grad=True)
    out = getattr(x, name)()
    assert out.requires_grad and out.grad_fn is not None
    out.backward(np.full(out.shape, 3.0, dtype=np.float32))
    assert x.grad.dtype == np.float32 and x.grad.shape == x.shape
    np.testing.assert_array_equal(x.grad.data, np.zeros(len(HALVES)))
    assert_backward_paths_agree(lambda t: getattr(t, name)(), [f64(HALVES)])


@pytest.mark.parametrize("name", ROUNDINGS)
def test_rounding_gradcheck_between_the_jumps(name):
    """Away from the jumps (integers; half-integers for round) the step function is flat:
    finite differences give 0 too."""
    x = np.array([[-2.3, -0.7, 0.2], [1.35, 2.6, 0.9]])
    check_op(lambda t: getattr(t, name)(), ROUNDINGS[name], [x])


@pytest.mark.parametrize("name", ROUNDINGS)
def test_rounding_inside_a_graph_with_second_derivatives(name):
    """d/dx (round(x) x^2) = 2 x round(x) (round contributes 0), and d^2/dx^2 = 2 round(x):
    the zero gradient is a constant that create_graph carries through."""
    x = f64([-1.7, -0.3, 0.6, 2.2])
    rounded = ROUNDINGS[name](x.data)
    (g,) = td.grad((getattr(x, name)() * x**2).sum(), x, create_graph=True)
    np.testing.assert_allclose(g.data, 2 * x.data * rounded, rtol=1e-15)
    (h,) = td.grad(g.sum(), x)
    np.testing.assert_allclose(h.data, 2 * rounded, rtol=1e-15)
    assert td.gradcheck(first_derivative(lambda t: getattr(t, name)() * t**2), [x])


@pytest.mark.parametrize("name", ROUNDINGS)
@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.uint8, np.bool_])
def test_rounding_integer_and_bool_tensors_gives_the_values_unchanged(name, dtype):
    data = np.array([0, 1, 5, 0, 1], dtype=dtype)
    x = td.Tensor(data)
    out = getattr(x, name)()
    assert out.dtype == dtype and not out.requires_grad
    np.testing.assert_array_equal(out.data, data)
    assert not np.shares_memory(out.data, x.data)  # a new tensor, as PyTorch's


# ---------------------------------------------------------------------------------------------
# cumsum
# ---------------------------------------------------------------------------------------------

X3 = r(2, 3, 4)


@pytest.mark.parametrize("axis", [0, 1, 2, -1, -2, -3])
def test_cumsum_values_and_gradient_along_each_axis(axis):
    check_op(lambda t: t.cumsum(axis), lambda a: np.cumsum(a, axis=axis), [X3])


@pytest.mark.parametrize("axis", [0, 1, 2, -1])
def test_cumsum_gradient_is_the_running_sum_from_the_far_end(axis):
    """z = L x along the axis, L lower-triangular ones: dL/dx = L^T g, i.e. sum_{i >= j} g_i."""
    x = f64(X3)
    g = r(*X3.shape)
    x.cumsum(axis).backward(g)
    n = X3.shape[axis]
    lower = np.tril(np.ones((n, n)))
    expected = np.moveaxis(np.moveaxis(g, axis, -1) @ lower, -1, axis)  # (L^T g) as g^T L
    np.testing.assert_allclose(x.grad.data, expected, rtol=1e-12)


def test_cumsum_takes_the_axis_positionally_or_as_dim_or_axis():
    x = td.Tensor(X3)
    for out in (x.cumsum(1), x.cumsum(dim=1), x.cumsum(axis=1), x.cumsum(np.int64(1))):
        np.testing.assert_array_equal(out.data, np.cumsum(X3, axis=1))
    np.testing.assert_array_equal(x.cumsum(dim=-3).data, np.cumsum(X3, axis=0))


def test_cumsum_second_derivatives_through_create_graph():
    """cumsum is linear; squared, its Hessian is 2 L^T L: the recorded backward (a cumsum of
    the reversed g) is differentiated again."""
    x = f64(r(3, 5))
    fn = lambda t: t.cumsum(1) ** 2  # noqa: E731
    assert td.gradcheck(first_derivative(fn), [x])
    assert_backward_paths_agree(first_derivative(fn), [x])
    (g,) = td.grad(fn(x).sum(), x, create_graph=True)
    (h,) = td.grad((g * td.Tensor(np.eye(3, 5))).sum(), x)
    lower = np.tril(np.ones((5, 5)))
    hessian = 2 * lower.T @ lower  # the same for each row
    np.testing.assert_allclose(h.data, np.eye(3, 5) @ hessian, rtol=1e-12)


def test_cumsum_keeps_float32_and_its_gradient_float32():
    x = td.Tensor(X3.astype(np.float32), requires_grad=True)
    out = x.cumsum(-1)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out.data, np.cumsum(X3.astype(np.float32), -1), rtol=1e-6)
    out.sum().backward()
    assert x.grad.dtype == np.float32
    np.testing.assert_array_equal(x.grad.data, np.broadcast_to([4, 3, 2, 1], X3.shape))


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.uint8, np.bool_])
def test_cumsum_of_integers_and_bools_gives_int64(dtype):
    data = np.array([[1, 0, 1], [0, 1, 1]], dtype=dtype)
    out = td.Tensor(data).cumsum(1)
    assert out.dtype == np.int64 and not out.requires_grad
    assert out.tolist() == [[1, 1, 2], [0, 1, 2]]


def test_cumsum_of_a_0d_tensor_and_of_an_empty_axis():
    x = td.Tensor(2.5, requires_grad=True)
    out = x.cumsum(0)
    assert out.shape == () and out.item() == 2.5 and x.cumsum(-1).item() == 2.5
    out.backward()
    assert x.grad.item() == 1.0
    e = td.Tensor(np.zeros((2, 0)), requires_grad=True)
    out = e.cumsum(1)
    assert out.shape == (2, 0)
    out.sum().backward()
    assert e.grad.shape == (2, 0)


def test_cumsum_errors_name_the_operation_and_the_shape():
    x = td.Tensor(X3)
    with pytest.raises(TypeError, match=r"cumsum: missing the axis .*shape \(2, 3, 4\)"):
        x.cumsum()
    with pytest.raises(IndexError, match=r"cumsum: axis 3 is out of range .*shape \(2, 3, 4\)"):
        x.cumsum(3)
    with pytest.raises(IndexError, match=r"cumsum: axis -4 is out of range .*shape \(2, 3, 4\)"):
        x.cumsum(dim=-4)
    with pytest.raises(IndexError, match=r"cumsum: axis 1 is out of range .*shape \(\)"):
        td.Tensor(1.0).cumsum(1)
    with pytest.raises(TypeError, match="cumsum: give axis or dim, not both"):
        x.cumsum(0, dim=1)
    with pytest.raises(TypeError, match="cumsum: dim must be an int, got 1.0"):
        x.cumsum(1.0)
    with pytest.raises(TypeError, match="cumsum: dim must be an int, got True"):
        x.cumsum(True)


# ---------------------------------------------------------------------------------------------
# every op: the upstream gradient is never written into
# ---------------------------------------------------------------------------------------------

ALL_OPS = {
    "sin": lambda t: t.sin(),
    "cos": lambda t: t.cos(),
    "log1p": lambda t: (t * t).log1p(),
    "expm1": lambda t: t.expm1(),
    **{name: (lambda t, name=name: getattr(t, name)()) for name in ROUNDINGS},
    "cumsum": lambda t: t.cumsum(1),
}


@pytest.mark.parametrize("name", ALL_OPS)
@pytest.mark.parametrize("create_graph", [False, True], ids=["first_order", "create_graph"])
def test_backward_leaves_the_upstream_gradient_unchanged(name, create_graph):
    x = f64(r(3, 4))
    upstream = r(3, 4)
    kept = upstream.copy()
    td.grad(ALL_OPS[name](x), x, upstream, create_graph=create_graph)
    np.testing.assert_array_equal(upstream, kept)


# ---------------------------------------------------------------------------------------------
# against PyTorch
# ---------------------------------------------------------------------------------------------

TORCH_CASES = [
    # name, ours, theirs (called with a torch tensor), input
    ("sin", lambda t: t.sin(), lambda t: t.sin(), 3 * r(3, 4)),
    ("cos", lambda t: t.cos(), lambda t: t.cos(), 3 * r(3, 4)),
    ("log1p", lambda t: t.log1p(), lambda t: t.log1p(), R.uniform(-0.9, 3.0, (3, 4))),
    ("expm1", lambda t: t.expm1(), lambda t: t.expm1(), r(3, 4)),
    ("floor", lambda t: t.floor(), lambda t: t.floor(), np.array(HALVES)),
    ("ceil", lambda t: t.ceil(), lambda t: t.ceil(), np.array(HALVES)),
    ("round", lambda t: t.round(), lambda t: t.round(), np.array(HALVES)),
    ("trunc", lambda t: t.trunc(), lambda t: t.trunc(), np.array(HALVES)),
    ("cumsum_0", lambda t: t.cumsum(0), lambda t: t.cumsum(0), X3),
    ("cumsum_dim1", lambda t: t.cumsum(dim=1), lambda t: t.cumsum(dim=1), X3),
    ("cumsum_neg", lambda t: t.cumsum(-1), lambda t: t.cumsum(-1), X3),
]  # fmt: skip


@pytest.mark.parametrize("name, ours, theirs, x", TORCH_CASES, ids=[c[0] for c in TORCH_CASES])
def test_values_and_gradients_match_pytorch(name, ours, theirs, x):
    torch = pytest.importorskip("torch")
    t = f64(x)
    tt = torch.tensor(x, requires_grad=True)
    out, expected = ours(t), theirs(tt)
    assert out.requires_grad == expected.requires_grad
    gout = np.random.default_rng(0).standard_normal(out.shape)
    out.backward(gout)
    expected.backward(torch.tensor(gout))
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-14, atol=1e-15)
    np.testing.assert_array_equal(np.signbit(out.data), np.signbit(expected.detach().numpy()))
    np.testing.assert_allclose(t.grad.data, tt.grad.numpy(), rtol=1e-14, atol=1e-15)


@pytest.mark.parametrize("name, fn, value, d1, d2, x", SMOOTH, ids=SMOOTH_IDS)
def test_second_derivatives_match_pytorch(name, fn, value, d1, d2, x):
    torch = pytest.importorskip("torch")
    t = f64(x)
    (g,) = td.grad(fn(t).sum(), t, create_graph=True)
    (h,) = td.grad(g.sum(), t)
    tt = torch.tensor(x, requires_grad=True)
    (tg,) = torch.autograd.grad(getattr(tt, name)().sum(), tt, create_graph=True)
    (th,) = torch.autograd.grad(tg.sum(), tt)
    np.testing.assert_allclose(g.data, tg.detach().numpy(), rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(h.data, th.numpy(), rtol=1e-14, atol=1e-15)


def test_integer_results_match_pytorch():
    torch = pytest.importorskip("torch")
    data = np.array([[1, 0, 3], [2, 5, 1]], dtype=np.int32)
    ours, theirs = td.Tensor(data).cumsum(1), torch.tensor(data).cumsum(1)
    assert str(ours.dtype) == str(theirs.dtype).removeprefix("torch.") == "int64"
    np.testing.assert_array_equal(ours.data, theirs.numpy())
    for name in ("sin", "log1p", "floor", "round"):
        ours, theirs = getattr(td.Tensor(data), name)(), getattr(torch.tensor(data), name)()
        assert str(ours.dtype) == str(theirs.dtype).removeprefix("torch.")
        np.testing.assert_allclose(ours.data, theirs.numpy(), rtol=1e-6)
