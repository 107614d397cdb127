"""PyTorch's reductions (torch_api/reductions.py, ops/products.py, the td.<name> functions):
prod, cumprod, median, nanmedian, kthvalue, mode, quantile, nanquantile, nansum, nanmean,
count_nonzero, argsort, msort, cummax, cummin, logcumsumexp, aminmax. Values against NumPy
closed forms, gradients against central differences in float64, second derivatives of the
products, the rules at zeros, ties and NaNs, errors by message, and values and gradients
against PyTorch when it is installed."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import check_op

import tinygrad_ds as td
from tinygrad_ds.torch_api.more import ValuesIndices
from tinygrad_ds.torch_api.reductions import MinMax, TorchReductions

R = np.random.default_rng(7)
NAN = np.nan


def r(*shape):
    return R.standard_normal(shape)


def away(*shape, low=0.5):
    """Values with |x| >= low (products of them stay well conditioned)."""
    x = r(*shape)
    return np.sign(x) * (low + np.abs(x))


def spread(*shape):
    """Distinct values, at least 0.1 apart (no ties: ranks don't flip under differences)."""
    return R.permutation(np.arange(int(np.prod(shape)))).reshape(shape) * 0.37 - 1.0


def np_rank(a, k, axis):
    """The k-th smallest (from 0) along `axis`."""
    return np.take(np.sort(a, axis=axis), k, axis=axis)


def np_lower_median(a, axis=None):
    if axis is None:
        a, axis = a.reshape(-1), 0
    return np_rank(a, (a.shape[axis] - 1) // 2, axis)


def np_mask_nan(a):
    """NaN in one element of a copy of `a` (for the NaN-ignoring reductions)."""
    a = np.array(a)
    a.flat[1] = NAN
    return a


A35 = spread(3, 5)
A245 = spread(2, 4, 5)
ZEROS = np.array([[0.0, 2.0, -1.5, 3.0], [1.5, 0.0, 0.0, 2.0], [0.5, -2.0, 1.2, 0.8]])
# a zero first, a zero last, two zeros, three zeros, none, all zeros
CUM_ZEROS = np.array([
    [0.0, 2.0, -1.5, 3.0, 0.7], [1.5, 2.0, -0.5, 1.1, 0.0], [1.5, 0.0, 1.3, 0.0, 2.0],
    [0.0, 1.2, 0.0, 0.9, 0.0], [0.5, -2.0, 1.2, 0.8, -1.1], [0.0, 0.0, 0.0, 0.0, 0.0],
])  # fmt: skip
NAN_ROWS = np.array([[1.0, NAN, 3.0, -2.0, 0.5], [0.2, 1.7, -0.4, 2.5, 1.1]])

DIFFERENTIABLE = [
    # name, fn, reference, inputs (float64, all require grad)
    ("prod_all", lambda a: a.prod(), np.prod, [away(3, 4)]),
    ("prod_dim", lambda a: a.prod(1), lambda a: np.prod(a, 1), [away(3, 4)]),
    ("prod_neg_dim_keepdim", lambda a: a.prod(dim=-2, keepdim=True),
     lambda a: np.prod(a, -2, keepdims=True), [away(2, 3, 4)]),
    ("prod_tuple", lambda a: a.prod((0, 2)), lambda a: np.prod(a, (0, 2)), [away(2, 3, 4)]),
    ("prod_zeros_dim1", lambda a: a.prod(1), lambda a: np.prod(a, 1), [ZEROS]),
    ("prod_zeros_dim0", lambda a: a.prod(0, True), lambda a: np.prod(a, 0, keepdims=True),
     [ZEROS]),
    ("prod_zeros_all", lambda a: a.prod(), np.prod, [ZEROS[1:]]),
    ("prod_0d", lambda a: a.prod(), np.prod, [np.array(1.5)]),
    ("td_prod", lambda a: td.prod(a, -1), lambda a: np.prod(a, -1), [ZEROS]),
    ("cumprod_dim1", lambda a: a.cumprod(1), lambda a: np.cumprod(a, 1), [away(3, 4)]),
    ("cumprod_dim0", lambda a: a.cumprod(dim=0), lambda a: np.cumprod(a, 0), [away(3, 4)]),
    ("cumprod_neg_dim", lambda a: a.cumprod(-2), lambda a: np.cumprod(a, 1), [away(2, 3, 4)]),
    ("cumprod_zeros", lambda a: a.cumprod(1), lambda a: np.cumprod(a, 1), [CUM_ZEROS]),
    ("cumprod_zeros_dim0", lambda a: a.cumprod(0), lambda a: np.cumprod(a, 0), [CUM_ZEROS.T]),
    ("cumprod_0d", lambda a: a.cumprod(0), lambda a: a, [np.array(2.5)]),
    ("td_cumprod", lambda a: td.cumprod(a, 1), lambda a: np.cumprod(a, 1), [CUM_ZEROS]),
    ("median_all", lambda a: a.median(), np_lower_median, [A35]),
    ("median_all_even", lambda a: a.median(), np_lower_median, [spread(2, 3)]),
    ("median_dim", lambda a: a.median(1).values, lambda a: np_lower_median(a, 1), [A35]),
    ("median_neg_dim_keepdim", lambda a: a.median(-2, keepdim=True)[0],
     lambda a: np.expand_dims(np_lower_median(a, 1), 1), [A245]),
    ("nanmedian_all", lambda a: a.nanmedian(), lambda a: np_lower_median(a[~np.isnan(a)]),
     [NAN_ROWS]),
    ("nanmedian_dim", lambda a: a.nanmedian(1).values,
     lambda a: np.array([np_lower_median(a[0, [0, 2, 3, 4]]), np_lower_median(a[1])]),
     [NAN_ROWS]),
    ("kthvalue", lambda a: a.kthvalue(2).values, lambda a: np_rank(a, 1, -1), [A35]),
    ("kthvalue_dim0_keepdim", lambda a: a.kthvalue(3, 0, True)[0],
     lambda a: np_rank(a, 2, 0)[None], [A35]),
    ("kthvalue_3d", lambda a: a.kthvalue(1, dim=1).values, lambda a: np.min(a, 1), [A245]),
    ("mode_distinct", lambda a: a.mode(0).values, lambda a: np.min(a, 0), [A35]),
    ("msort", lambda a: a.msort(), lambda a: np.sort(a, 0), [A35]),
    ("nansum_all", lambda a: a.nansum(), np.nansum, [np_mask_nan(r(3, 4))]),
    ("nansum_dim_keepdim", lambda a: a.nansum(dim=1, keepdim=True),
     lambda a: np.nansum(a, 1, keepdims=True), [np_mask_nan(r(3, 4))]),
    ("nanmean_all", lambda a: a.nanmean(), np.nanmean, [np_mask_nan(r(3, 4))]),
    ("nanmean_tuple", lambda a: a.nanmean((0, -1)), lambda a: np.nanmean(a, (0, 2)),
     [np_mask_nan(r(2, 3, 4))]),
    ("cummax", lambda a: a.cummax(1).values, lambda a: np.maximum.accumulate(a, 1), [A35]),
    ("cummin_neg", lambda a: a.cummin(-3)[0], lambda a: np.minimum.accumulate(a, 0), [A245]),
    ("logcumsumexp", lambda a: a.logcumsumexp(1), lambda a: np.log(np.cumsum(np.exp(a), 1)),
     [r(3, 4)]),
    ("logcumsumexp_dim0", lambda a: a.logcumsumexp(-3),
     lambda a: np.log(np.cumsum(np.exp(a), 0)), [r(3, 2, 2)]),
    ("aminmax_min", lambda a: a.aminmax(dim=1).min, lambda a: np.min(a, 1), [A35]),
    ("aminmax_max_all", lambda a: a.aminmax()[1], np.max, [A35]),
    ("td_median", lambda a: td.median(a, 0)[0], lambda a: np_lower_median(a, 0), [A35]),
    ("td_kthvalue", lambda a: td.kthvalue(a, 4).values, lambda a: np_rank(a, 3, 1), [A35]),
    ("td_max_dim", lambda a: td.max(a, 1).values, lambda a: np.max(a, 1), [A35]),
    ("td_min_dim_keepdim", lambda a: td.min(a, 0, True)[0], lambda a: np.min(a, 0, keepdims=True),
     [A35]),
    ("td_max_other", lambda a, b: td.max(a, b), np.maximum, [r(3, 4), r(4)]),
    ("td_std_mean_0", lambda a: td.std_mean(a, 1)[0], lambda a: np.std(a, 1, ddof=1), [r(3, 4)]),
    ("td_var_mean_1", lambda a: td.var_mean(a, 0, correction=0)[1], lambda a: np.mean(a, 0),
     [r(3, 4)]),
    ("td_var_mean_0", lambda a: td.var_mean(a, 0, keepdim=True)[0],
     lambda a: np.var(a, 0, ddof=1, keepdims=True), [r(3, 4)]),
]  # fmt: skip

QUANTILES = [(q, how) for q in (0.0, 0.3, 0.62, 1.0)
             for how in ("linear", "lower", "higher", "midpoint", "nearest")]  # fmt: skip


@pytest.mark.parametrize(
    "fn, reference, arrays",
    [row[1:] for row in DIFFERENTIABLE],
    ids=[row[0] for row in DIFFERENTIABLE],
)
def test_value_and_gradient(fn, reference, arrays):
    check_op(fn, reference, arrays)


@pytest.mark.parametrize("q, how", QUANTILES)
def test_quantile_value_and_gradient(q, how):
    check_op(lambda a: a.quantile(q, interpolation=how),
             lambda a: np.quantile(a, q, method=how), [A35])  # fmt: skip
    check_op(lambda a: a.quantile(q, 1, interpolation=how),
             lambda a: np.quantile(a, q, 1, method=how), [A35])  # fmt: skip
    check_op(lambda a: td.quantile(a, q, -3, keepdim=True, interpolation=how),
             lambda a: np.quantile(a, q, 0, method=how, keepdims=True), [A245])  # fmt: skip
    check_op(lambda a: a.nanquantile(q, 1, interpolation=how),
             lambda a: np.nanquantile(a, q, 1, method=how), [NAN_ROWS])  # fmt: skip


def test_quantile_of_several_q_puts_them_first():
    qs = np.array([0.1, 0.5, 0.9])
    check_op(lambda a: a.quantile(td.Tensor(qs), dim=1), lambda a: np.quantile(a, qs, 1), [A35])
    check_op(lambda a: a.quantile(qs, keepdim=True),
             lambda a: np.quantile(a, qs, keepdims=True), [A35])  # fmt: skip
    check_op(lambda a: a.nanquantile(list(qs)), lambda a: np.nanquantile(a, qs), [NAN_ROWS])
    x = td.Tensor(A245)
    assert x.quantile(qs, 1, keepdim=True).shape == (3, 2, 1, 5)
    assert x.quantile(qs[:1], 1).shape == (1, 2, 5) and x.quantile(0.5, 1).shape == (2, 5)
    assert x.quantile(0.5, keepdim=True).shape == (1, 1, 1) and x.quantile(0.5).shape == ()


def test_quantile_gradient_with_respect_to_q():
    # linear: d/dq = (v_j - v_i)(n - 1) between the neighbours v_i <= v_j at rank q (n - 1)
    q = td.Tensor(np.array([0.3, 0.8]), requires_grad=True)
    assert td.gradcheck(lambda q, a: a.quantile(q, 1), [q, td.Tensor(A35, requires_grad=True)])
    assert td.gradcheck(lambda q: td.Tensor(NAN_ROWS).nanquantile(q, 1), [q])
    q0 = td.Tensor(np.array(0.3), requires_grad=True)
    td.quantile(td.Tensor(np.array([1.0, 5.0, 2.0])), q0).backward()
    assert q0.grad.item() == pytest.approx((2.0 - 1.0) * 2)
    assert not td.Tensor(A35).quantile(q, interpolation="lower").requires_grad


def test_quantile_with_nan_and_nanquantile_of_all_nan():
    x = td.Tensor([[1.0, NAN, 3.0], [1.0, 2.0, 3.0], [NAN, NAN, NAN]])
    np.testing.assert_array_equal(x.quantile(0.5, 1).data, [NAN, 2.0, NAN])
    np.testing.assert_array_equal(x.nanquantile(0.5, 1).data, [2.0, 2.0, NAN])
    assert np.isnan(x.quantile(0.2).item()) and x.nanquantile(0.0).item() == 1.0


# -- products: the rules at zeros, second derivatives, dtypes -------------------------------


def _grad(fn, a):
    x = td.Tensor(np.array(a, dtype=np.float64), requires_grad=True)
    fn(x).sum().backward()
    return x.grad.data


def test_prod_gradient_at_zeros():
    # no zero: prod / x; one zero: only the zero gets the product of the others; two: all 0
    np.testing.assert_array_equal(_grad(lambda x: x.prod(), [2.0, 3.0, 4.0]), [12, 8, 6])
    np.testing.assert_array_equal(_grad(lambda x: x.prod(), [2.0, 0.0, 4.0]), [0, 8, 0])
    np.testing.assert_array_equal(_grad(lambda x: x.prod(), [0.0, 3.0, 0.0]), [0, 0, 0])
    np.testing.assert_array_equal(
        _grad(lambda x: x.prod(1), [[2.0, 0.0, 4.0], [0.0, 3.0, 0.0], [1.0, 2.0, 3.0]]),
        [[0, 8, 0], [0, 0, 0], [6, 3, 2]],
    )


def test_cumprod_gradient_at_zeros():
    # dL/dx_j = sum_{i >= j} prod_{k <= i, k != j} x_k (L = the sum of the running products)
    a = np.array([2.0, 0.0, 3.0, 0.0, 5.0])
    expected = [0.0] * 5
    for j in range(5):
        expected[j] = sum(np.prod(np.delete(a[: i + 1], j)) for i in range(j, 5))
    np.testing.assert_array_equal(_grad(lambda x: x.cumprod(0), a), expected)
    assert expected[:2] == [1.0, 2 + 6] and expected[2:] == [0.0, 0.0, 0.0]
    np.testing.assert_array_equal(_grad(lambda x: x.cumprod(0), [0.0, 3.0]), [4.0, 0.0])


def _second(fn, a, seed=0):
    """gradcheck of fn's first gradient (taken with create_graph=True, for a fixed upstream
    gradient): the second derivatives against central differences."""
    x = td.Tensor(np.array(a, dtype=np.float64), requires_grad=True)
    w = td.Tensor(np.random.default_rng(seed).standard_normal(fn(x).shape))

    def first(x):
        (g,) = td.grad((fn(x) * w).sum(), [x], create_graph=True)
        return g

    return td.gradcheck(first, [x])


SECOND = [
    ("prod", lambda x: x.prod()), ("prod_dim", lambda x: x.prod(-1)),
    ("prod_dims", lambda x: x.prod((0, 1))), ("cumprod", lambda x: x.cumprod(-1)),
    ("cumprod_0", lambda x: x.cumprod(0)), ("logcumsumexp", lambda x: x.logcumsumexp(-1)),
]  # fmt: skip


@pytest.mark.parametrize("fn", [f for _, f in SECOND], ids=[n for n, _ in SECOND])
@pytest.mark.parametrize("a", [away(3, 4), ZEROS, CUM_ZEROS], ids=["nonzero", "zeros", "cum"])
def test_second_derivatives(fn, a):
    assert _second(fn, a)


def test_third_derivative_of_cumprod_with_zeros():
    x = td.Tensor(np.array([1.5, 0.0, 2.0, -1.0]), requires_grad=True)
    (g,) = td.grad(x.cumprod(0).sum(), [x], create_graph=True)
    # dL/dx_0 = 1 + x_1 + x_1 x_2 + x_1 x_2 x_3, so d/dx = (0, 1 + x_2 + x_2 x_3, x_1 (1 + x_3),
    # x_1 x_2), and d/dx of its second element (0, 0, 1 + x_3, x_2)
    (h,) = td.grad(g[0], [x], create_graph=True)
    np.testing.assert_allclose(h.data, [0.0, 1 + 2 - 2, 0.0, 0.0])
    (third,) = td.grad(h[1], [x])
    np.testing.assert_allclose(third.data, [0.0, 0.0, 1 - 1, 2.0])


def test_dtypes():
    f32 = td.Tensor(np.array([[1.5, 2.0], [0.0, 3.0]], np.float32), requires_grad=True)
    outs = [f32.prod(), f32.cumprod(1), f32.median(), f32.quantile(0.3), f32.nansum(),
            f32.nanmean(1), f32.logcumsumexp(0), f32.cummax(0).values,
            f32.kthvalue(1)[0]]  # fmt: skip
    assert all(o.dtype == np.float32 for o in outs)
    for o in outs:
        o.sum().backward()
        assert f32.grad.dtype == np.float32
    i = td.Tensor([[1, 2], [3, 4]])
    b = td.Tensor([[True, False], [True, True]])
    assert i.prod().item() == 24 and i.prod(1).tolist() == [2, 12] and i.prod().dtype == np.int64
    assert td.Tensor(np.array([2, 3], np.int32)).prod().dtype == np.int64
    assert b.prod().dtype == np.int64 and b.prod(0).tolist() == [1, 0]
    assert i.cumprod(0).tolist() == [[1, 2], [3, 8]] and b.cumprod(1).dtype == np.int64
    assert i.nansum().dtype == np.int64 and i.nansum(0).tolist() == [4, 6]
    assert f32.prod(dtype=td.float64).dtype == np.float64
    assert f32.cumprod(0, dtype=np.float64).dtype == np.float64
    assert i.logcumsumexp(0).dtype == np.float32 and i.median().item() == 2
    assert i.median(1).values.tolist() == [1, 3] and i.mode(0).values.tolist() == [1, 2]
    assert i.cummax(1).values.tolist() == [[1, 2], [3, 4]]
    assert i.count_nonzero().dtype == np.int64 and b.count_nonzero(1).tolist() == [1, 2]


def test_empty_and_0d():
    e = td.Tensor(np.zeros((0, 3)), requires_grad=True)
    assert e.prod().item() == 1.0 and e.prod(0).tolist() == [1.0, 1.0, 1.0]
    e.prod(0).sum().backward()
    assert e.grad.shape == (0, 3)
    assert e.cumprod(0).shape == (0, 3) and e.nansum().item() == 0
    assert e.count_nonzero().item() == 0 and e.argsort(0).shape == (0, 3)
    s = td.Tensor(2.0, requires_grad=True)
    for out in (s.median(0), s.kthvalue(1), s.mode(), s.cummax(0), s.nanmedian(-1)):
        assert out.values.shape == () and out.values.item() == 2.0 and out.indices.item() == 0
    assert s.logcumsumexp(0).item() == pytest.approx(2.0) and s.quantile(0.3).item() == 2.0


# -- medians, kthvalue, mode: ties and NaNs ------------------------------------------------


def test_median_without_dim_shares_the_gradient_among_ties():
    x = td.Tensor([3.0, 1.0, 3.0, 1.0, 2.0, 1.0], requires_grad=True)
    m = x.median()
    assert m.shape == () and m.item() == 1.0  # the lower median of six values
    m.backward()
    np.testing.assert_allclose(x.grad.data, [0, 1 / 3, 0, 1 / 3, 0, 1 / 3])


def test_median_and_nanmedian_with_nan():
    x = td.Tensor([1.0, NAN, 3.0, NAN, 1.0], requires_grad=True)
    assert np.isnan(x.median().item()) and x.nanmedian().item() == 1.0
    x.nanmedian().backward()
    np.testing.assert_array_equal(x.grad.data, [0.5, 0, 0, 0, 0.5])
    v, i = x.median(0)
    assert np.isnan(v.item()) and i.item() == 1  # the first NaN
    v, i = x.nanmedian(0)
    assert v.item() == 1.0 and i.item() == 4  # the second 1 of [1, 1, 3], as PyTorch
    v, i = td.Tensor([[NAN, NAN], [4.0, NAN]]).nanmedian(1)
    assert np.isnan(v[0].item()) and v[1].item() == 4.0 and i[1].item() == 0


def test_kthvalue_ties_and_nan():
    x = td.Tensor([2.0, 1.0, 2.0, 1.0, 2.0])
    assert [x.kthvalue(k).values.item() for k in range(1, 6)] == [1, 1, 2, 2, 2]
    assert [x.kthvalue(k).indices.item() for k in range(1, 6)] == [1, 3, 0, 2, 4]  # stable
    v, i = td.Tensor([2.0, NAN, 1.0]).kthvalue(3)
    assert np.isnan(v.item()) and i.item() == 1  # NaN is the largest


def test_mode_takes_the_smallest_most_frequent_value_at_its_last_index():
    cases = [([2.0, 1.0, 2.0, 1.0, 3.0], 1.0, 3), ([1, 2, 2, 1, 3, 1, 2], 1, 5),
             ([5.0, 4.0, 4.0, 5.0], 4.0, 2), ([7.0], 7.0, 0),
             ([3.0, 2.0, 1.0], 1.0, 2)]  # fmt: skip
    for a, value, index in cases:
        out = td.Tensor(a).mode()
        assert isinstance(out, ValuesIndices) and (out.values.item(), out.indices.item()) == (
            value,
            index,
        )
    x = td.Tensor([[1.0, 1.0, 2.0], [3.0, 2.0, 2.0]], requires_grad=True)
    v, i = x.mode(0, keepdim=True)
    assert v.tolist() == [[1.0, 1.0, 2.0]] and i.tolist() == [[0, 0, 1]]
    v.sum().backward()
    np.testing.assert_array_equal(x.grad.data, [[1, 1, 0], [0, 0, 1]])


def test_median_dim_gradient_goes_to_the_index():
    x = td.Tensor([[3.0, 1.0, 3.0, 1.0, 2.0, 1.0]], requires_grad=True)
    v, i = x.median(1)
    v.sum().backward()
    expected = np.zeros((1, 6))
    expected[0, i.item()] = 1.0
    np.testing.assert_array_equal(x.grad.data, expected)
    assert x.data[0, i.item()] == v.item() == 1.0


# -- NaN-ignoring, counts, orders, running extremes ---------------------------------------


def test_nansum_and_nanmean_gradient_is_zero_at_nan():
    x = td.Tensor([[1.0, NAN, 2.0], [NAN, NAN, NAN]], requires_grad=True)
    np.testing.assert_array_equal(x.nansum(1).data, [3.0, 0.0])
    x.nansum().backward()
    np.testing.assert_array_equal(x.grad.data, [[1, 0, 1], [0, 0, 0]])
    x.grad = None
    out = x.nanmean(1)
    assert out[0].item() == 1.5 and np.isnan(out[1].item())
    out[0].backward()
    np.testing.assert_array_equal(x.grad.data, [[0.5, 0, 0.5], [0, 0, 0]])


def test_count_nonzero_and_argsort():
    x = td.Tensor([[0.0, 1.5, NAN], [0.0, 0.0, -2.0]])
    assert x.count_nonzero().item() == 3 and x.count_nonzero(0).tolist() == [0, 1, 2]
    assert x.count_nonzero((0, 1)).item() == 3 and x.count_nonzero(-1).tolist() == [2, 1]
    y = td.Tensor([3, 1, 2, 1, NAN])
    assert y.argsort().tolist() == [1, 3, 2, 0, 4] and y.argsort().dtype == np.int64
    assert y.argsort(descending=True).tolist() == [4, 0, 2, 1, 3]
    assert td.argsort(x, 0, stable=True).tolist() == [[0, 1, 1], [1, 0, 0]]


def test_cummax_and_cummin_ties_nan_and_gradient():
    x = td.Tensor([1.0, 3.0, 3.0, 2.0, 3.0, 5.0], requires_grad=True)
    v, i = x.cummax(0)
    assert v.tolist() == [1, 3, 3, 3, 3, 5] and i.tolist() == [0, 1, 2, 2, 4, 5]
    v.sum().backward()
    np.testing.assert_array_equal(x.grad.data, [1, 1, 2, 0, 1, 1])
    v, i = td.Tensor([3.0, 1.0, 1.0, 2.0, 1.0]).cummin(0)
    assert v.tolist() == [3, 1, 1, 1, 1] and i.tolist() == [0, 1, 2, 2, 4]
    v, i = td.Tensor([1.0, NAN, 2.0, NAN, 0.0]).cummax(0)
    assert i.tolist() == [0, 1, 1, 3, 3] and np.isnan(v.data[1:]).all()


def test_logcumsumexp_is_stable():
    x = td.Tensor(np.array([0.0, 1e4, -1e4, 3.0, 1e4]), requires_grad=True)
    out = x.logcumsumexp(0)
    np.testing.assert_allclose(out.data, [0, 1e4, 1e4, 1e4, 1e4 + np.log(2)])
    out.sum().backward()  # dL/dx_j = sum_{i >= j} e^(x_j - z_i)
    np.testing.assert_allclose(x.grad.data, [1, 1 + 1 + 1 + 0.5, 0, 0, 0.5])
    big = td.Tensor([-1e4, 1e4, 1e4], requires_grad=True)
    assert np.isfinite(big.logcumsumexp(0).data).all()
    big.logcumsumexp(0).sum().backward()
    assert np.isfinite(big.grad.data).all()
    minus = td.Tensor([-np.inf, -np.inf, 0.0], requires_grad=True)
    np.testing.assert_array_equal(minus.logcumsumexp(0).data, [-np.inf, -np.inf, 0.0])
    minus.logcumsumexp(0).sum().backward()
    np.testing.assert_array_equal(minus.grad.data, [0, 0, 1])


def test_aminmax_is_a_named_tuple_and_ties_share():
    x = td.Tensor([[1.0, 2.0, 2.0], [0.0, 5.0, 0.0]], requires_grad=True)
    out = x.aminmax(dim=1, keepdim=True)
    assert isinstance(out, MinMax) and out.min.tolist() == [[1], [0]]
    assert out.max.tolist() == [[2], [5]]
    (out.min.sum() + out.max.sum()).backward()
    np.testing.assert_array_equal(x.grad.data, [[1, 0.5, 0.5], [0.5, 1, 0.5]])
    assert td.aminmax([3, 1, 2]) == (td.aminmax([3, 1, 2]).min, td.aminmax([3, 1, 2]).max)


# -- package functions ---------------------------------------------------------------------


def test_package_functions_call_the_methods():
    a = A35
    x = td.Tensor(a)
    same = [
        (td.sum(a, 1), x.sum(1)), (td.sum(a, dtype=td.float32), x.astype(np.float32).sum()),
        (td.mean(a, (0, 1), True), x.mean((0, 1), keepdims=True)), (td.std(a, 0), x.std(0)),
        (td.var(a, 1, False), x.var(1, correction=0)), (td.var(a, True), x.var()),
        (td.std(a, 1, correction=0, keepdim=True), x.std(1, keepdims=True, correction=0)),
        (td.prod(a, 0), x.prod(0)), (td.cumsum(a, -1), x.cumsum(-1)),
        (td.cumprod(a, 0), x.cumprod(0)), (td.amax(a), x.max()), (td.amax(a, 1), x.max(1)),
        (td.amin(a, (0, 1), True), x.min(None, True)), (td.argmax(a, 1), x.argmax(1)),
        (td.argmin(a), x.argmin()), (td.logsumexp(a, 1), x.logsumexp(1)),
        (td.logcumsumexp(a, 0), x.logcumsumexp(0)), (td.sort(a, 0)[0], x.sort(0)[0]),
        (td.argsort(a, 0, True), x.argsort(0, True)), (td.msort(a), x.msort()),
        (td.topk(a, 2)[1], x.topk(2)[1]), (td.median(a), x.median()),
        (td.nanmedian(a, 1)[0], x.nanmedian(1)[0]), (td.mode(a)[1], x.mode()[1]),
        (td.quantile(a, 0.3, 1), x.quantile(0.3, 1)),
        (td.nanquantile(a, [0.1, 0.2], interpolation="lower"),
         x.nanquantile([0.1, 0.2], interpolation="lower")),
        (td.nansum(a, 1), x.nansum(1)), (td.nanmean(a, 0, True), x.nanmean(0, True)),
        (td.count_nonzero(a, 0), x.count_nonzero(0)), (td.cummax(a, 1)[0], x.cummax(1)[0]),
        (td.cummin(a, 0)[1], x.cummin(0)[1]), (td.kthvalue(a, 2, 0)[0], x.kthvalue(2, 0)[0]),
        (td.aminmax(a, dim=0).max, x.aminmax(dim=0).max), (td.all(a > 0, 1), (x > 0).all(1)),
        (td.any(a > 0), (x > 0).any()), (td.max(a), x.max()), (td.min(a), x.min()),
        (td.std_mean(a)[0], x.std()), (td.var_mean(a, 1, keepdim=True)[1], x.mean(1, True)),
    ]  # fmt: skip
    for k, (got, expected) in enumerate(same):
        assert got.dtype == expected.dtype and got.shape == expected.shape, k
        np.testing.assert_array_equal(got.data, expected.data, err_msg=str(k))


def test_max_and_min_take_pytorchs_three_forms():
    x = td.Tensor([[1.0, 3.0, 3.0], [NAN, 0.0, 2.0]], requires_grad=True)
    v, i = td.max(x, 1)
    assert v.data[0] == 3.0 and np.isnan(v.data[1]) and i.tolist() == [1, 0]
    v, i = td.min(x, dim=-1, keepdim=True)
    assert v.shape == (2, 1) and i.tolist() == [[0], [0]]
    y = td.Tensor([1.0, 3.0, 3.0], requires_grad=True)
    td.max(y, 0).values.backward()  # the gradient goes to the index (the first maximum)
    np.testing.assert_array_equal(y.grad.data, [0, 1, 0])
    y.grad = None
    td.max(y).backward()  # no dim: equal maxima share it
    np.testing.assert_array_equal(y.grad.data, [0, 0.5, 0.5])
    assert td.max(y, td.Tensor([2.0, 2.0, 4.0])).tolist() == [2, 3, 4]
    assert td.min([1, 5], np.array([3, 2])).tolist() == [1, 2]
    assert td.max(td.Tensor(4.0), 0).indices.item() == 0


def test_every_name_reaches_tensor_unshadowed():
    names = [n for n in vars(TorchReductions) if not n.startswith("__")]
    public = ("prod cumprod median nanmedian kthvalue mode quantile nanquantile nansum nanmean "
              "count_nonzero argsort msort cummax cummin logcumsumexp aminmax")  # fmt: skip
    assert sorted(n for n in names if not n.startswith("_")) == sorted(public.split())
    for name in names:
        assert name not in vars(td.Tensor), f"Tensor shadows TorchReductions.{name}"
    for name in ("sum", "max", "prod", "median", "quantile", "all", "any", "std_mean"):
        assert name in td.__all__ and callable(getattr(td, name))


# -- errors ----------------------------------------------------------------------------------


ERRORS = [
    (lambda x: x.prod(2), IndexError, r"prod: axis 2 is out of range for a tensor of 2 dims"),
    (lambda x: x.prod(0, dim=1), TypeError, "prod: give axis or dim, not both"),
    (lambda x: x.prod(1.5), TypeError, "prod: dim must be an int or a tuple"),
    (lambda x: x.cumprod(-3), IndexError, r"cumprod: axis -3 is out of range .* \(shape \(3, 5\)"),
    (lambda x: x.cumprod(), TypeError, r"cumprod: missing the dim .* shape \(3, 5\)"),
    (lambda x: x.median(2), IndexError, "median: axis 2 is out of range"),
    (lambda x: x.nanmedian(-3), IndexError, "nanmedian: axis -3 is out of range"),
    (lambda x: x.median(keepdim=True), TypeError, r"median: keepdim=True needs a dim"),
    (lambda x: x.kthvalue(6), ValueError,
     r"kthvalue: k=6 is out of range for a dim of size 5 \(shape \(3, 5\)\); "
     r"k must be in \[1, 5\]"),
    (lambda x: x.kthvalue(0, 0), ValueError, r"kthvalue: k=0 is out of range for a dim of size 3"),
    (lambda x: x.kthvalue(1.0), TypeError, "kthvalue: k must be an int, got 1.0"),
    (lambda x: x.kthvalue(1, 2), IndexError, "kthvalue: axis 2 is out of range"),
    (lambda x: x.mode(5), IndexError, "mode: axis 5 is out of range"),
    (lambda x: x.quantile(1.5), ValueError, r"quantile: q must be in \[0, 1\], got 1.5"),
    (lambda x: x.quantile([0.5, -0.1]), ValueError, r"quantile: q must be in \[0, 1\]"),
    (lambda x: x.nanquantile(NAN), ValueError, r"nanquantile: q must be in \[0, 1\], got nan"),
    (lambda x: x.quantile([[0.5]]), ValueError, "quantile: q must be a number or a 1-D tensor"),
    (lambda x: x.quantile("a"), ValueError, "quantile: q must be a number or a 1-D tensor"),
    (lambda x: x.quantile(0.5, interpolation="cubic"), ValueError,
     "quantile: interpolation must be one of linear, lower, higher, midpoint, nearest; "
     "got 'cubic'"),
    (lambda x: x.quantile(0.5, 2), IndexError, "quantile: axis 2 is out of range"),
    (lambda x: x.long().quantile(0.5), TypeError, "quantile: expects a floating-point tensor"),
    (lambda x: x.long().nanmean(), TypeError, "nanmean: expects a floating-point tensor"),
    (lambda x: x.nansum(3), IndexError, "nansum: axis 3 is out of range"),
    (lambda x: x.count_nonzero((0, 0)), ValueError, r"count_nonzero: repeated axis in \(0, 0\)"),
    (lambda x: x.argsort(2), IndexError, "sort: axis 2 is out of range"),
    (lambda x: x.cummax(2), IndexError, "cummax: axis 2 is out of range"),
    (lambda x: x.cummin(dim=-3), IndexError, "cummin: axis -3 is out of range"),
    (lambda x: x.logcumsumexp(2), IndexError, "logcumsumexp: axis 2 is out of range"),
    (lambda x: x.aminmax(dim=2), IndexError, "aminmax: axis 2 is out of range"),
    (lambda x: td.Tensor(2.0).median(1), IndexError, "median: axis 1 is out of range"),
    (lambda x: td.Tensor(2.0).kthvalue(2), ValueError, "kthvalue: k=2 is out of range"),
    (lambda x: td.Tensor(2.0).quantile(0.5, 1), IndexError, "quantile: axis 1 is out of range"),
    (lambda x: td.Tensor([]).median(), ValueError, r"median: no median of an empty tensor"),
    (lambda x: td.zeros(2, 0).median(1), ValueError, r"median: dim 1 is empty \(shape \(2, 0\)"),
    (lambda x: td.zeros(2, 0).mode(1), ValueError, r"mode: dim 1 is empty"),
    (lambda x: td.zeros(0).quantile(0.5), ValueError, "quantile: the tensor must not be empty"),
    (lambda x: td.zeros(0).aminmax(), ValueError, "aminmax: cannot reduce an empty tensor"),
    (lambda x: td.median("a"), TypeError, "median: expected tensors, arrays or numbers"),
    (lambda x: td.sum({}), TypeError, "sum: expected tensors, arrays or numbers"),
]  # fmt: skip


@pytest.mark.parametrize("fn, error, message", ERRORS, ids=[e[2][:40] for e in ERRORS])
def test_errors(fn, error, message):
    with pytest.raises(error, match=message):
        fn(td.Tensor(A35))


# -- against PyTorch -------------------------------------------------------------------------


def _compare(torch, fn_td, fn_torch, a, seed=0):
    """fn's values and its gradient for a random upstream gradient, in both frameworks."""
    x, t = td.Tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    out, ref = fn_td(x), fn_torch(t)
    np.testing.assert_allclose(out.data, ref.detach().numpy(), rtol=1e-12, atol=1e-12)
    g = np.random.default_rng(seed).standard_normal(out.shape)
    out.backward(td.Tensor(g))
    ref.backward(torch.tensor(g))
    np.testing.assert_allclose(x.grad.data, t.grad.numpy(), rtol=1e-10, atol=1e-12)


TIES = np.array([[3.0, 1.0, 3.0, 1.0, 2.0, 1.0], [2.0, 2.0, 0.5, 0.5, 4.0, 4.0]])
Q = np.array([0.0, 0.1, 0.25, 0.5, 0.62, 1.0])

TORCH = [
    # name, fn (applied to both tensors; `t` is the module, td or torch), input
    ("prod", lambda x, t: x.prod(), away(3, 4)),
    ("prod_dim_keepdim", lambda x, t: x.prod(1, keepdim=True), ZEROS),
    ("prod_zeros", lambda x, t: x.prod(-1), CUM_ZEROS),
    ("prod_zeros_all", lambda x, t: x.prod(), ZEROS[1:]),
    ("cumprod", lambda x, t: x.cumprod(1), CUM_ZEROS),
    ("cumprod_0", lambda x, t: x.cumprod(0), CUM_ZEROS),
    ("median_ties", lambda x, t: x.median(), TIES),
    ("nanmedian", lambda x, t: x.nanmedian(), NAN_ROWS),
    ("median_dim", lambda x, t: x.median(1)[0], A35),
    ("nanmedian_dim", lambda x, t: x.nanmedian(1, keepdim=True)[0], NAN_ROWS),
    ("kthvalue", lambda x, t: x.kthvalue(3, 0)[0], A35),
    ("mode", lambda x, t: x.mode(1)[0], TIES),
    ("mode_0", lambda x, t: x.mode(0)[0], TIES),
    ("quantile", lambda x, t: t.quantile(x, t.tensor(Q, dtype=t.float64), 1), A35),
    ("quantile_ties", lambda x, t: t.quantile(x, t.tensor(Q, dtype=t.float64), 1), TIES),
    ("nanquantile", lambda x, t: t.nanquantile(x, 0.3, 1, True), NAN_ROWS),
    ("nansum", lambda x, t: x.nansum(1), NAN_ROWS),
    ("nanmean", lambda x, t: x.nanmean(), NAN_ROWS),
    ("std_mean", lambda x, t: t.std_mean(x, 1)[0], A35),
    ("var_mean", lambda x, t: t.var_mean(x, 0, correction=0)[0], A35),
    ("cummax_ties", lambda x, t: x.cummax(1)[0], TIES),
    ("cummin_ties", lambda x, t: x.cummin(1)[0], TIES),
    ("cummax_nan", lambda x, t: x.cummax(1)[0], NAN_ROWS),
    ("logcumsumexp", lambda x, t: x.logcumsumexp(1), r(3, 4) * 30),
    ("aminmax", lambda x, t: x.aminmax(dim=1)[1], TIES),
    ("max_dim_ties", lambda x, t: t.max(x, 1)[0], TIES),
    ("min_dim_ties", lambda x, t: t.min(x, 0, True).values, TIES),
    ("msort", lambda x, t: x.msort(), A35),
]  # fmt: skip


@pytest.mark.parametrize("fn, a", [row[1:] for row in TORCH], ids=[row[0] for row in TORCH])
def test_against_torch(fn, a):
    torch = pytest.importorskip("torch")
    _compare(torch, lambda x: fn(x, td), lambda x: fn(x, torch), a)


@pytest.mark.parametrize("how", ["linear", "lower", "higher", "midpoint", "nearest"])
def test_quantile_against_torch(how):
    torch = pytest.importorskip("torch")
    q = np.linspace(0, 1, 23)  # ranks q (n - 1) on and between the values, halves included
    for a, d in [(A35, 1), (A35, None), (A245, 0), (TIES, 1)]:
        _compare(torch, lambda x, d=d: td.quantile(x, q, d, interpolation=how),
                 lambda x, d=d: torch.quantile(x, torch.tensor(q), d, interpolation=how),
                 a)  # fmt: skip
        _compare(torch, lambda x, d=d: x.nanquantile(0.4, d, True, interpolation=how),
                 lambda x, d=d: x.nanquantile(0.4, d, True, interpolation=how), a)  # fmt: skip


def test_quantile_gradient_in_q_against_torch():
    torch = pytest.importorskip("torch")
    for a, dim in [(A35, 1), (NAN_ROWS, None), (TIES, 0)]:
        for fn in ("quantile", "nanquantile"):
            q, qt = td.Tensor(Q, requires_grad=True), torch.tensor(Q, requires_grad=True)
            out = getattr(td.Tensor(a), fn)(q, dim)
            ref = getattr(torch.tensor(a), fn)(qt, dim)
            g = np.random.default_rng(5).standard_normal(out.shape)
            out.backward(td.Tensor(g))
            ref.backward(torch.tensor(g))
            np.testing.assert_allclose(out.data, ref.detach().numpy(), rtol=1e-12)
            np.testing.assert_allclose(q.grad.data, qt.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_indices_against_torch():
    torch = pytest.importorskip("torch")
    x, t = td.Tensor(TIES), torch.tensor(TIES)
    for name in ("cummax", "cummin"):
        for d in (0, 1):
            np.testing.assert_array_equal(getattr(x, name)(d)[1].data, getattr(t, name)(d)[1])
    np.testing.assert_array_equal(x.mode(1)[1].data, t.mode(1)[1])
    np.testing.assert_array_equal(x.mode(0)[1].data, t.mode(0)[1])
    np.testing.assert_array_equal(td.max(x, 1)[1].data, torch.max(t, 1)[1])
    np.testing.assert_array_equal(td.min(x, 0)[1].data, torch.min(t, 0)[1])
    np.testing.assert_array_equal(x.argsort(1).data, t.argsort(stable=True, dim=1))
    n = td.Tensor(NAN_ROWS)
    np.testing.assert_array_equal(n.cummax(1)[1].data, torch.tensor(NAN_ROWS).cummax(1)[1])
    np.testing.assert_array_equal(n.median(1)[1].data, torch.tensor(NAN_ROWS).median(1)[1])
    np.testing.assert_array_equal(n.nanmedian(1)[1].data, torch.tensor(NAN_ROWS).nanmedian(1)[1])
    a = td.Tensor(A35)  # no ties: the indices of the selections agree too
    for ours, theirs in [(a.median(1), torch.tensor(A35).median(1)),
                         (a.kthvalue(2, 0), torch.tensor(A35).kthvalue(2, 0)),
                         (a.nanmedian(0), torch.tensor(A35).nanmedian(0))]:  # fmt: skip
        np.testing.assert_array_equal(ours.indices.data, theirs.indices)
    # with ties PyTorch's median and kthvalue pick an index of their own: the same value
    for k in range(1, 7):
        ours, theirs = x.kthvalue(k, 1), t.kthvalue(k, 1)
        np.testing.assert_array_equal(ours.values.data, theirs.values)
        np.testing.assert_array_equal(TIES[[0, 1], ours.indices.data], theirs.values)


def test_second_derivatives_against_torch():
    torch = pytest.importorskip("torch")
    for fn in [lambda x: x.prod(-1), lambda x: x.prod(), lambda x: x.cumprod(1),
               lambda x: x.cumprod(0), lambda x: x.logcumsumexp(1)]:  # fmt: skip
        x, t = td.Tensor(CUM_ZEROS, requires_grad=True), torch.tensor(CUM_ZEROS, requires_grad=True)
        w = np.random.default_rng(3).standard_normal(fn(x).shape)
        (g,) = td.grad((fn(x) * td.Tensor(w)).sum(), [x], create_graph=True)
        (gt,) = torch.autograd.grad((fn(t) * torch.tensor(w)).sum(), [t], create_graph=True)
        v = np.random.default_rng(4).standard_normal(CUM_ZEROS.shape)
        (h,) = td.grad((g * td.Tensor(v)).sum(), [x])
        (ht,) = torch.autograd.grad((gt * torch.tensor(v)).sum(), [t])
        np.testing.assert_allclose(g.data, gt.detach().numpy(), rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(h.data, ht.numpy(), rtol=1e-10, atol=1e-12)
