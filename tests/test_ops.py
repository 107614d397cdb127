"""Every operation: value against NumPy, gradient against central differences (float64).

A new op's test is one row in a table.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from helpers import away_from, check_op

import tinygrad_ds as td
from tinygrad_ds.ops.linalg import MatMul
from tinygrad_ds.ops.nn import max_keepdims, sum_keepdims

R = np.random.default_rng(7)


def r(*shape):
    return R.standard_normal(shape)


def pos(*shape):
    return R.uniform(0.5, 2.0, shape)


def mm(a, b, ta=False, tb=False):
    """The MatMul primitive with its transpose options (A^T and B^T without transpose nodes)."""
    return MatMul.apply(a, b, transpose_a=ta, transpose_b=tb)


def np_sigmoid(x):
    return 1 / (1 + np.exp(-x))


def np_log_softmax(x, axis=-1):
    m = x.max(axis=axis, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(axis=axis, keepdims=True))


def np_var(x, axis=None, ddof=1, keepdims=False):
    return x.var(axis=axis, ddof=ddof, keepdims=keepdims)


UNARY = [
    # name, fn, reference, input
    ("neg", lambda x: -x, lambda x: -x, r(3, 4)),
    ("exp", lambda x: x.exp(), np.exp, r(3, 4)),
    ("log", lambda x: x.log(), np.log, pos(3, 4)),
    ("sqrt", lambda x: x.sqrt(), np.sqrt, pos(3, 4)),
    ("abs", lambda x: x.abs(), np.abs, away_from(r(3, 4), [0])),
    ("tanh", lambda x: x.tanh(), np.tanh, r(3, 4)),
    ("sigmoid", lambda x: x.sigmoid(), np_sigmoid, 3 * r(3, 4)),
    ("relu", lambda x: x.relu(), lambda x: np.maximum(x, 0), away_from(r(3, 4), [0])),
    (
        "leaky_relu",
        lambda x: x.leaky_relu(0.1),
        lambda x: np.where(x > 0, x, 0.1 * x),
        away_from(r(3, 4), [0]),
    ),
    (
        "clip",
        lambda x: x.clip(-0.5, 0.7),
        lambda x: np.clip(x, -0.5, 0.7),
        away_from(r(3, 4), [-0.5, 0.7]),
    ),
    (
        "clip_low_only",
        lambda x: x.clip(min=0.2),
        lambda x: np.maximum(x, 0.2),
        away_from(r(5), [0.2]),
    ),
    ("pow_const", lambda x: x**3, lambda x: x**3, r(3, 4)),
    ("pow_frac", lambda x: x**1.5, lambda x: x**1.5, pos(4)),
    ("rpow", lambda x: 2.0**x, lambda x: 2.0**x, r(4)),
    ("reciprocal", lambda x: 1 / x, lambda x: 1 / x, pos(3)),
    ("sum_all", lambda x: x.sum(), np.sum, r(3, 4)),
    ("sum_axis0", lambda x: x.sum(axis=0), lambda x: x.sum(axis=0), r(3, 4)),
    (
        "sum_axis_neg_keep",
        lambda x: x.sum(axis=-1, keepdims=True),
        lambda x: x.sum(axis=-1, keepdims=True),
        r(2, 3, 4),
    ),
    ("sum_tuple", lambda x: x.sum(axis=(0, 2)), lambda x: x.sum(axis=(0, 2)), r(2, 3, 4)),
    (
        "sum_dim_keepdim",
        lambda x: x.sum(dim=1, keepdim=True),
        lambda x: x.sum(1, keepdims=True),
        r(2, 3),
    ),
    ("mean", lambda x: x.mean(axis=1), lambda x: x.mean(axis=1), r(3, 4)),
    ("mean_all_keep", lambda x: x.mean(keepdims=True), lambda x: x.mean(keepdims=True), r(3, 4)),
    ("var", lambda x: x.var(axis=0), lambda x: np_var(x, 0), r(5, 3)),
    ("var_ddof0", lambda x: x.var(ddof=0), lambda x: np_var(x, None, 0), r(5, 3)),
    (
        "var_correction0_keep",
        lambda x: x.var(dim=1, correction=0, keepdim=True),
        lambda x: np_var(x, 1, 0, True),
        r(2, 6),
    ),
    ("std", lambda x: x.std(axis=1), lambda x: x.std(axis=1, ddof=1), r(3, 5)),
    ("max_all", lambda x: x.max(), np.max, r(3, 4)),
    ("max_axis", lambda x: x.max(axis=1), lambda x: x.max(axis=1), r(3, 4)),
    (
        "max_keep",
        lambda x: x.max(axis=0, keepdims=True),
        lambda x: x.max(0, keepdims=True),
        r(3, 4),
    ),
    ("min_axis", lambda x: x.min(axis=-1), lambda x: x.min(axis=-1), r(2, 3, 4)),
    ("softmax", lambda x: x.softmax(axis=-1), lambda x: np.exp(np_log_softmax(x)), r(3, 5)),
    ("softmax_axis0", lambda x: x.softmax(dim=0), lambda x: np.exp(np_log_softmax(x, 0)), r(3, 5)),
    ("log_softmax", lambda x: x.log_softmax(), np_log_softmax, r(3, 5)),
    ("logsumexp", lambda x: x.logsumexp(axis=1), lambda x: np.log(np.exp(x).sum(1)), r(3, 5)),
    ("reshape", lambda x: x.reshape(4, -1), lambda x: x.reshape(4, -1), r(2, 6)),
    ("reshape_tuple", lambda x: x.reshape((3, 4)), lambda x: x.reshape(3, 4), r(12)),
    ("transpose", lambda x: x.transpose(0, 2), lambda x: x.swapaxes(0, 2), r(2, 3, 4)),
    ("permute", lambda x: x.permute(2, 0, 1), lambda x: x.transpose(2, 0, 1), r(2, 3, 4)),
    ("T", lambda x: x.T, lambda x: x.T, r(2, 3)),
    ("flatten", lambda x: x.flatten(1), lambda x: x.reshape(2, -1), r(2, 3, 4)),
    ("squeeze", lambda x: x.squeeze(), lambda x: x.squeeze(), r(1, 3, 1)),
    ("squeeze_axis", lambda x: x.squeeze(0), lambda x: x.squeeze(0), r(1, 3, 1)),
    ("unsqueeze", lambda x: x.unsqueeze(1), lambda x: x[:, None], r(3, 4)),
    ("expand", lambda x: x.expand(2, 3, 4), lambda x: np.broadcast_to(x, (2, 3, 4)), r(3, 1)),
    ("expand_minus1", lambda x: x.expand(-1, 5), lambda x: np.broadcast_to(x, (3, 5)), r(3, 1)),
    ("getitem_int", lambda x: x[1], lambda x: x[1], r(3, 4)),
    ("getitem_slice", lambda x: x[1:, ::2], lambda x: x[1:, ::2], r(3, 4)),
    ("getitem_negstep", lambda x: x[::-1, ::-2], lambda x: x[::-1, ::-2], r(3, 5)),
    ("getitem_none_ellipsis", lambda x: x[None, ..., 0], lambda x: x[None, ..., 0], r(2, 3, 4)),
    ("getitem_int_array_repeat", lambda x: x[[0, 0, 2, 0]], lambda x: x[[0, 0, 2, 0]], r(3, 2)),
    ("getitem_tensor_index", lambda x: x[td.Tensor([2, 1, 2])], lambda x: x[[2, 1, 2]], r(4)),
    (
        "getitem_two_arrays",
        lambda x: x[[0, 1, 1], [2, 0, 0]],
        lambda x: x[[0, 1, 1], [2, 0, 0]],
        r(2, 3),
    ),
    (
        "getitem_mask_list",
        lambda x: x[[True, False, True]],
        lambda x: x[[True, False, True]],
        r(3, 2),
    ),
    ("getitem_mask_tensor", lambda x: x[x > 0], lambda x: x[x > 0], r(3, 4)),
    ("pad", lambda x: x.pad(((1, 2), (0, 1))), lambda x: np.pad(x, ((1, 2), (0, 1))), r(2, 3)),
    (
        "pad_value",
        lambda x: x.pad(((1, 1),), value=3.0),
        lambda x: np.pad(x, ((1, 1),), constant_values=3.0),
        r(3),
    ),
]

BINARY = [
    ("add", lambda a, b: a + b, np.add, r(3, 4), r(3, 4)),
    ("add_broadcast_row", lambda a, b: a + b, np.add, r(3, 4), r(4)),
    ("add_broadcast_both", lambda a, b: a + b, np.add, r(3, 1), r(1, 4)),
    ("sub", lambda a, b: a - b, np.subtract, r(3, 4), r(3, 1)),
    ("mul", lambda a, b: a * b, np.multiply, r(2, 3, 4), r(3, 1)),
    ("div", lambda a, b: a / b, np.divide, r(3, 4), pos(4)),
    ("pow_tensor", lambda a, b: a**b, np.power, pos(3, 2), r(3, 2)),
    ("maximum", lambda a, b: td.maximum(a, b), np.maximum, r(3, 4), r(4)),
    ("minimum", lambda a, b: td.minimum(a, b), np.minimum, r(3, 4), r(3, 1)),
    ("matmul_2d", lambda a, b: a @ b, np.matmul, r(3, 4), r(4, 2)),
    ("matmul_vec_vec", lambda a, b: a @ b, np.matmul, r(4), r(4)),
    ("matmul_mat_vec", lambda a, b: a @ b, np.matmul, r(3, 4), r(4)),
    ("matmul_vec_mat", lambda a, b: a @ b, np.matmul, r(4), r(4, 2)),
    ("matmul_batched", lambda a, b: td.matmul(a, b), np.matmul, r(2, 3, 4), r(2, 4, 5)),
    ("matmul_broadcast_batch", lambda a, b: a @ b, np.matmul, r(2, 1, 3, 4), r(3, 4, 2)),
    ("matmul_batch_vec", lambda a, b: a @ b, np.matmul, r(2, 3, 4), r(4)),
    ("matmul_a_transposed", lambda a, b: mm(a, b, ta=True), lambda a, b: a.T @ b, r(4, 3), r(4, 2)),
    ("matmul_b_transposed", lambda a, b: mm(a, b, tb=True), lambda a, b: a @ b.T, r(3, 4), r(2, 4)),
    (
        "matmul_both_transposed_batched",
        lambda a, b: mm(a, b, ta=True, tb=True),
        lambda a, b: np.swapaxes(a, -1, -2) @ np.swapaxes(b, -1, -2),
        r(2, 4, 3),
        r(1, 5, 4),
    ),
    ("matmul_of_a_transposed_view", lambda a, b: a @ b.T, lambda a, b: a @ b.T, r(3, 4), r(2, 4)),
    (
        "cat",
        lambda a, b: td.cat([a, b], axis=1),
        lambda a, b: np.concatenate([a, b], 1),
        r(2, 3),
        r(2, 2),
    ),
    (
        "stack",
        lambda a, b: td.stack([a, b], dim=-1),
        lambda a, b: np.stack([a, b], -1),
        r(2, 3),
        r(2, 3),
    ),
    (
        "where",
        lambda a, b: td.where(a > 0, a, b),
        lambda a, b: np.where(a > 0, a, b),
        away_from(r(3, 4), [0]),
        r(4),
    ),
]


@pytest.mark.parametrize("name,fn,ref,x", UNARY, ids=[row[0] for row in UNARY])
def test_unary(name, fn, ref, x):
    check_op(fn, ref, [x])


@pytest.mark.parametrize("name,fn,ref,a,b", BINARY, ids=[row[0] for row in BINARY])
def test_binary(name, fn, ref, a, b):
    check_op(fn, ref, [a, b])


def test_max_ties_share_gradient():
    x = td.Tensor([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]], requires_grad=True)
    x.max(axis=1).sum().backward()
    np.testing.assert_allclose(x.grad.data, [[0, 0.5, 0.5], [1 / 3, 1 / 3, 1 / 3]], rtol=1e-6)


@pytest.mark.parametrize("reduce", ["max", "min"])
def test_max_over_a_nan_sends_the_gradient_to_the_nans(reduce):
    """NaN is the max (and the min) of its slice; the NaNs share its gradient, as in PyTorch,
    and a slice without NaN is unaffected. No 0/0 warning."""
    x = td.Tensor([[1.0, np.nan, 3.0, np.nan], [1.0, 5.0, 2.0, 0.0]], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        z = getattr(x, reduce)(axis=1)
        z.sum().backward()
    np.testing.assert_array_equal(z.data, [np.nan, 5.0 if reduce == "max" else 0.0])
    hit = [0, 1, 0, 0] if reduce == "max" else [0, 0, 0, 1]
    np.testing.assert_array_equal(x.grad.data, [[0, 0.5, 0, 0.5], hit])
    y = td.Tensor([2.0, np.nan, 1.0], requires_grad=True)
    getattr(y, reduce)().backward()
    np.testing.assert_array_equal(y.grad.data, [0, 1, 0])


def test_maximum_ties_split_equally():
    a = td.Tensor([1.0, 2.0], requires_grad=True)
    b = td.Tensor([1.0, 0.0], requires_grad=True)
    td.maximum(a, b).sum().backward()
    np.testing.assert_allclose(a.grad.data, [0.5, 1.0])
    np.testing.assert_allclose(b.grad.data, [0.5, 0.0])


def test_kink_gradients_match_pytorch_conventions():
    x = td.Tensor([0.0, 0.0, 0.0], requires_grad=True)
    (x.relu() + x.abs() + x.clip(0.0, 1.0)).sum().backward()
    # relu'(0) = 0, abs'(0) = 0, clip passes the gradient on its closed interval
    np.testing.assert_array_equal(x.grad.data, [1.0, 1.0, 1.0])


@pytest.mark.parametrize("big", [1e4, -1e4])
def test_softmax_stable_for_huge_logits(big):
    x = td.Tensor([[big, 0.0, -big], [big, big, 0.0]], requires_grad=True, dtype=np.float64)
    y = x.log_softmax(axis=1)
    assert np.isfinite(y.data).all()
    np.testing.assert_allclose(np.exp(y.data).sum(axis=1), 1.0)
    (y[:, 0].sum() + x.softmax(axis=1)[:, 1].sum()).backward()
    assert np.isfinite(x.grad.data).all()
    # closed forms: d log s_0 / dx_k = [k = 0] - s_k;  d s_1 / dx_k = s_1 ([k = 1] - s_k)
    s = np.exp(np_log_softmax(x.data, 1))
    expected = (np.eye(3)[0] - s) + s[:, 1:2] * (np.eye(3)[1] - s)
    np.testing.assert_allclose(x.grad.data, expected, atol=1e-12)
    f32 = td.Tensor([[big, 0.0, -big]], requires_grad=True)
    out = f32.log_softmax()
    out.sum().backward()
    assert np.isfinite(out.data).all() and np.isfinite(f32.grad.data).all()
    assert out.dtype == np.float32


def test_argmax_argmin():
    x = td.Tensor([[1.0, 5.0, 2.0], [7.0, 0.0, 3.0]])
    assert x.argmax(axis=1).tolist() == [1, 0]
    assert x.argmin(dim=1).tolist() == [0, 1]
    assert x.argmax().item() == 3
    assert x.argmax(axis=0, keepdims=True).shape == (1, 3)
    assert x.argmax(1).dtype == np.int64 and not x.argmax().requires_grad


def test_comparisons_give_bool_without_grad():
    a = td.Tensor([1.0, 2.0, 3.0], requires_grad=True)
    for result, expected in [
        (a == 2, [False, True, False]), (a != 2, [True, False, True]),
        (a < 2, [True, False, False]), (a <= 2, [True, True, False]),
        (a > 2, [False, False, True]), (a >= td.Tensor([3.0, 2.0, 1.0]), [False, True, True]),
    ]:  # fmt: skip
        assert result.dtype == np.bool_ and not result.requires_grad
        assert result.tolist() == expected


def test_float32_stays_float32():
    x = td.Tensor([1.0, 2.0], requires_grad=True)
    outs = [x * 2.5, 2.5 * x, x + 1, x / 3, x**2, 1 - x, x.exp(), x.mean(), x @ x,
            x * np.float64(2.0), td.where(x > 1, x, 0.0)]  # fmt: skip
    for out in outs:
        assert out.dtype == np.float32, out
    (x * 2.5).sum().backward()
    assert x.grad.dtype == np.float32


def test_integer_division_and_mean_promote_to_float():
    i = td.Tensor([1, 2, 3])
    assert (i / 2).dtype == np.float32
    assert i.mean().item() == pytest.approx(2.0)
    assert (i + 1).dtype == np.int64


def test_var_and_std_take_pytorchs_positional_order():
    """x.var(dim, unbiased, keepdim), as PyTorch: `x.var(0, False)` is the population variance
    (ddof 0), never keepdims; keepdims is the third argument or a keyword."""
    x = R.standard_normal((3, 4))
    t = td.Tensor(x)
    np.testing.assert_allclose(t.var(0, False).data, x.var(axis=0, ddof=0))
    np.testing.assert_allclose(t.var(0, True).data, x.var(axis=0, ddof=1))
    np.testing.assert_allclose(t.std(1, False, True).data, x.std(axis=1, ddof=0, keepdims=True))
    np.testing.assert_allclose(t.std(None, True).data, x.std(ddof=1))
    assert t.var(0, keepdims=True).shape == (1, 4) and t.std(1, unbiased=False).shape == (3,)
    for method in ("var", "std"):
        with pytest.raises(TypeError, match=f"{method}: unbiased .* must be a bool, got 1"):
            getattr(t, method)(0, 1)


INTS = [np.array([1, 2], np.int64), np.array([1, 2], np.int32), np.array([True, False])]


@pytest.mark.parametrize("ints", INTS, ids=["int64", "int32", "bool"])
@pytest.mark.parametrize("float_dtype", [np.float32, np.float64])
def test_integer_operands_take_the_floating_dtype_as_in_pytorch(ints, float_dtype):
    """An integer or bool tensor or array meeting a floating tensor takes its dtype (PyTorch's
    category rule; NumPy alone makes int64 * float32 float64), on either side, and the
    floating side's gradient is as before."""
    x = td.Tensor(np.array([0.5, 3.0], float_dtype), requires_grad=True)
    i = td.Tensor(ints)
    results = [x * i, i * x, x + i, i + x, x - i, i - x, x**i, i**x, x.maximum(i), i.maximum(x),
               x.minimum(i), td.where(i > 0, x, i), td.where(i > 0, i, x), td.cat([i, x]),
               td.stack([x, i]), x * ints, ints * x, x + ints]  # fmt: skip
    for k, out in enumerate(results):
        assert out.dtype == float_dtype, (k, out.dtype)
    expected = [ints * x.data, x.data * ints, x.data + ints]
    for out, e in zip(results[-3:], expected):
        np.testing.assert_allclose(out.data, e.astype(float_dtype))
    (x * i + x**i).sum().backward()
    grad = ints + ints * x.data ** (ints.astype(float_dtype) - 1)
    np.testing.assert_allclose(x.grad.data, grad, rtol=1e-6)
    assert x.grad.dtype == float_dtype
    assert (i * i).dtype == ints.dtype and td.cat([i, i]).dtype == ints.dtype


def test_a_0d_tensor_takes_the_dimensioned_operands_dtype_within_its_category_as_pytorch():
    """PyTorch's rule: a 0-d tensor decides the dtype only when its category (bool < integer <
    floating) is above every dimensioned operand's. NumPy alone would make float32 data
    times a float64 0-d tensor float64."""
    x = td.Tensor(np.array([0.5, 2.0], np.float32), requires_grad=True)
    s = td.Tensor(np.float64(3.0), requires_grad=True)  # 0-d float64
    outs = [x * s, s * x, x + s, s - x, x / s, s / x, x**s, x.maximum(s), x.minimum(s),
            td.where(x > 1, x, s), td.where(x > 1, s, x)]  # fmt: skip
    assert [o.dtype for o in outs] == [np.float32] * len(outs)
    np.testing.assert_allclose((x * s).data, [1.5, 6.0])
    (x * s + x / s).sum().backward()
    assert x.grad.dtype == np.float32 and s.grad.dtype == np.float64
    np.testing.assert_allclose(s.grad.data, 2.5 - 2.5 / 9, rtol=1e-6)  # sum(x) (1 - 1/s^2)
    i = td.Tensor(np.array([1, 2], np.int32))
    assert (i + td.Tensor(np.int64(5))).dtype == np.int32  # same category: dimensioned wins
    assert (i * td.Tensor(np.float64(0.5))).dtype == np.float64  # a higher category decides
    assert (td.Tensor(np.float32(2.0)) * td.Tensor(np.float64(3.0))).dtype == np.float64  # all 0-d
    assert (td.Tensor(np.float32(2.0)) * td.Tensor(np.ones(2))).dtype == np.float64
    assert (x * np.array(2.0)).dtype == np.float32  # a 0-d array operand likewise


def test_matmul_of_integer_and_float_takes_the_float_dtype():
    w = td.Tensor(np.ones((3, 2), np.float32), requires_grad=True)
    i = td.Tensor(np.arange(6).reshape(2, 3))  # int64
    out = i @ w
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out.data, np.arange(6).reshape(2, 3) @ np.ones((3, 2)))
    out.sum().backward()
    assert w.grad.dtype == np.float32
    np.testing.assert_array_equal(w.grad.data, np.tile([[3.0], [5.0], [7.0]], 2))
    assert (w.T @ np.array([1, 2, 3])).dtype == np.float32
    assert (td.Tensor(np.ones((2, 2))) @ w.detach()[:2]).dtype == np.float64  # floats: the wider


def test_mixed_precision_gradient_keeps_input_dtype():
    a = td.Tensor(np.ones(3, dtype=np.float32), requires_grad=True)
    b = td.Tensor(np.ones(3, dtype=np.float64), requires_grad=True)
    (a * b).sum().backward()
    assert a.grad.dtype == np.float32 and b.grad.dtype == np.float64
    c = td.Tensor([1.0, 2.0], requires_grad=True)
    c.double().sum().backward()
    assert c.grad.dtype == np.float32


@pytest.mark.parametrize(
    "shape,axis", [((128, 10), 1), ((5, 40), -1), ((7, 3), 0), ((2, 3, 4), -1)]
)
def test_max_keepdims_shortcut_for_short_rows_equals_numpys_max(shape, axis):
    """The softmax shift reduces short rows through a transposed copy: same values, NaN too."""
    x = R.standard_normal(shape).astype(np.float32)
    x.flat[3] = np.nan
    np.testing.assert_array_equal(max_keepdims(x, axis), x.max(axis=axis, keepdims=True))
    empty = np.zeros((0, 4), np.float32)
    assert max_keepdims(empty, 1).shape == (0, 1)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(
    "shape,axis", [((128, 10), 1), ((5, 32), -1), ((5, 40), 1), ((7, 3), 0), ((2, 3, 4), -1)]
)
def test_sum_keepdims_shortcut_for_short_rows_equals_numpys_sum(shape, axis, dtype):
    """The softmax normaliser sums short rows across a transposed copy: NumPy's sums to
    rounding (inf and NaN carried through), in the input's dtype, empty batches too."""
    x = np.abs(R.standard_normal(shape)).astype(dtype)
    out = sum_keepdims(x, axis)
    expected = x.sum(axis=axis, keepdims=True)
    assert out.shape == expected.shape and out.dtype == dtype
    np.testing.assert_allclose(out, expected, rtol=1e-6 if dtype == np.float32 else 1e-14)
    x.flat[1], x.flat[-1] = np.inf, np.nan
    out, expected = sum_keepdims(x, axis), x.sum(axis=axis, keepdims=True)
    assert np.isinf(out).sum() == np.isinf(expected).sum() and np.isnan(out).sum() == 1
    np.testing.assert_allclose(out, expected, rtol=1e-6 if dtype == np.float32 else 1e-14)
    empty = np.zeros((0, 4), dtype)
    np.testing.assert_array_equal(sum_keepdims(empty, 1), np.zeros((0, 1), dtype))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sigmoid_is_exact_to_rounding_far_into_both_tails(dtype):
    """Both forms (1 / (1 + e^-x) while e^-x is finite, the blended form when some x would
    overflow it) against e^x / (1 + e^x) in extended precision."""
    tame = np.array([-80.0, -30.0, -1.0, 0.0, 1e-3, 2.0, 30.0], dtype=dtype)
    for x in (tame, np.append(tame, -1000.0).astype(dtype)):
        exact = np.exp(x.astype(np.longdouble)) / (1 + np.exp(x.astype(np.longdouble)))
        got = td.Tensor(x).sigmoid().data
        assert got.dtype == dtype
        np.testing.assert_allclose(got, exact.astype(dtype), rtol=4 * np.finfo(dtype).eps)
    assert np.isnan(td.Tensor(np.array([np.nan, -1000.0], dtype)).sigmoid().data[0])


@pytest.mark.parametrize("slope", [0.1, 1.0, 1.5, -0.2, 0.0])
def test_leaky_relu_any_slope_value_and_gradient(slope):
    x = away_from(r(3, 4), [0])
    check_op(
        lambda t: t.leaky_relu(slope),
        lambda a: np.where(a > 0, a, slope * a),
        [x],
    )
