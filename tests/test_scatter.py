"""The scatter family (torch_api/indexing.py): scatter, scatter_add, scatter_reduce, index_add,
index_copy, index_fill, masked_scatter, put and their in-place forms. Values against NumPy
(put_along_axis, np.add.at, np.maximum.at, ...), gradients against central differences in
float64, in-place autograd (recorded on non-leaves, version counter, leaves refused), errors by
message, and values and gradients against PyTorch when it is installed."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import check_op

import tinygrad_ds as td
from tinygrad_ds.torch_api.indexing import TorchIndexing

R = np.random.default_rng(7)


def r(*shape):
    return R.standard_normal(shape)


I0 = np.array([[1, 0, 2, 1], [2, 1, 0, 0]])  # along dim 0 of a (3, 4): no place twice
I0_REP = np.array([[1, 0, 2, 1], [1, 1, 0, 0]])  # (0,1), (1,0) and (1,1)... written twice
I1 = np.array([[3, 3, 0], [2, 0, 0], [1, 1, 1]])  # along dim 1, repeats, narrower than src
I3 = R.integers(0, 4, (2, 3, 5))  # along dim 1 of a (2, 4, 5)
J = np.array([2, 0, 2])  # index_add's 1-D index, a repeat


def grid(idx, axis):
    """The advanced index of scatter: idx along `axis`, aranges along the others."""
    g = list(np.indices(idx.shape, sparse=True))
    g[axis] = idx
    return tuple(g)


def cut(src, idx):
    return src[tuple(slice(0, m) for m in idx.shape)]


def np_scatter(a, axis, idx, src):
    out = a.copy()
    np.put_along_axis(out, idx, cut(src, idx), axis)  # repeats: the last write
    return out


UFUNCS = {"sum": np.add, "prod": np.multiply, "amax": np.maximum, "amin": np.minimum}
IDENTITY = {"sum": 0.0, "mean": 0.0, "prod": 1.0, "amax": -np.inf, "amin": np.inf}


def np_scatter_reduce(a, axis, idx, src, reduce, include_self=True):
    out, at, src = a.copy(), grid(idx, axis), cut(src, idx)
    counts = np.zeros(a.shape)
    np.add.at(counts, at, 1)
    if not include_self:
        out[counts > 0] = IDENTITY[reduce]
    UFUNCS.get(reduce, np.add).at(out, at, src)
    if reduce == "mean":
        out = out / np.maximum(counts + include_self, 1)
    return out


def np_index_add(a, axis, idx, src, alpha=1):
    out = a.copy()
    np.add.at(out, (slice(None),) * axis + (idx,), alpha * src)
    return out


def np_index_copy(a, axis, idx, src):
    out = a.copy()
    out[(slice(None),) * axis + (idx,)] = src
    return out


def np_put(a, idx, src, accumulate=False):
    out = a.copy().reshape(-1)
    (np.add.at if accumulate else np.put)(out, idx.reshape(-1), src.reshape(-1))
    return out.reshape(a.shape)


MASK = np.array([[True, False, True, False], [False, True, True, True], [False] * 4])


def np_masked_scatter(a, mask, src):
    out = np.broadcast_to(a, np.broadcast_shapes(a.shape, mask.shape)).copy()
    m = np.broadcast_to(mask, out.shape)
    out[m] = src.reshape(-1)[: m.sum()]
    return out


DIFFERENTIABLE = [
    # name, fn, reference, inputs (float64, all require grad)
    ("scatter_dim0", lambda a, s: a.scatter(0, I0, s), lambda a, s: np_scatter(a, 0, I0, s),
     [r(3, 4), r(2, 4)]),
    ("scatter_repeats_last_wins", lambda a, s: a.scatter(0, I0_REP, s),
     lambda a, s: np_scatter(a, 0, I0_REP, s), [r(3, 4), r(2, 5)]),
    ("scatter_dim_neg1_src_larger", lambda a, s: a.scatter(-1, td.Tensor(I1), s),
     lambda a, s: np_scatter(a, 1, I1, s), [r(3, 4), r(4, 4)]),
    ("scatter_3d", lambda a, s: a.scatter(1, I3, s), lambda a, s: np_scatter(a, 1, I3, s),
     [r(2, 4, 5), r(2, 3, 5)]),
    ("scatter_value", lambda a: a.scatter(0, I0_REP, 2.5),
     lambda a: np_scatter(a, 0, I0_REP, np.full((2, 4), 2.5)), [r(3, 4)]),
    ("scatter_value_keyword", lambda a: a.scatter(1, I1, value=-1.0),
     lambda a: np_scatter(a, 1, I1, -np.ones((3, 3))), [r(3, 4)]),
    ("scatter_add", lambda a, s: a.scatter_add(0, I0_REP, s),
     lambda a, s: np_scatter_reduce(a, 0, I0_REP, s, "sum"), [r(3, 4), r(2, 4)]),
    ("scatter_add_3d", lambda a, s: a.scatter_add(-2, I3, s),
     lambda a, s: np_scatter_reduce(a, 1, I3, s, "sum"), [r(2, 4, 5), r(3, 3, 6)]),
    ("index_add", lambda a, s: a.index_add(0, J, s), lambda a, s: np_index_add(a, 0, J, s),
     [r(3, 4), r(3, 4)]),
    ("index_add_alpha_dim1", lambda a, s: a.index_add(1, td.Tensor(J), s, alpha=-0.5),
     lambda a, s: np_index_add(a, 1, J, s, -0.5), [r(2, 3, 2), r(2, 3, 2)]),
    ("index_copy", lambda a, s: a.index_copy(0, [2, 0], s),
     lambda a, s: np_index_copy(a, 0, [2, 0], s), [r(3, 4), r(2, 4)]),
    ("index_copy_repeat_last_wins", lambda a, s: a.index_copy(-1, J, s),
     lambda a, s: np_index_copy(a, 1, [0, 2], s[:, 1:]), [r(2, 4), r(2, 3)]),
    ("index_fill", lambda a: a.index_fill(1, [0, -1], 3.0),
     lambda a: np_index_copy(a, 1, [0, 3], np.full((3, 2), 3.0)), [r(3, 4)]),
    ("index_fill_tensor_value", lambda a, v: a.index_fill(0, [1], v),
     lambda a, v: np_index_copy(a, 0, [1], np.full((1, 4), v)), [r(3, 4), r()]),
    ("masked_scatter", lambda a, s: a.masked_scatter(MASK, s),
     lambda a, s: np_masked_scatter(a, MASK, s), [r(3, 4), r(2, 4)]),
    ("masked_scatter_broadcast", lambda a, s: a.masked_scatter(MASK, s),
     lambda a, s: np_masked_scatter(a, MASK, s), [r(1, 4), r(8)]),
    ("put", lambda a, s: a.put(np.array([[0, -1], [5, 0]]), s),
     lambda a, s: np_put(a, np.array([[0, 11], [5, 0]]), s), [r(3, 4), r(4)]),
    ("put_accumulate", lambda a, s: a.put([0, -1, 0], s, accumulate=True),
     lambda a, s: np_put(a, np.array([0, 11, 0]), s, True), [r(3, 4), r(3)]),
]  # fmt: skip

for _red in ("sum", "prod", "mean", "amax", "amin"):
    for _self in (True, False):
        DIFFERENTIABLE.append((
            f"scatter_reduce_{_red}_{'with' if _self else 'without'}_self",
            lambda a, s, red=_red, inc=_self: a.scatter_reduce(1, I1, s, red, include_self=inc),
            lambda a, s, red=_red, inc=_self: np_scatter_reduce(a, 1, I1, s, red, inc),
            [r(3, 4), r(3, 4)],
        ))  # fmt: skip


@pytest.mark.parametrize(
    "fn, reference, arrays",
    [row[1:] for row in DIFFERENTIABLE],
    ids=[row[0] for row in DIFFERENTIABLE],
)
def test_value_and_gradient(fn, reference, arrays):
    check_op(fn, reference, arrays)


def test_scatter_repeats_give_the_gradient_to_the_last_write_only():
    s = td.Tensor([1.0, 2.0, 3.0], requires_grad=True)
    out = td.zeros(2).scatter(0, [1, 1, 0], s)
    assert out.tolist() == [3.0, 2.0]
    out.backward(td.Tensor([10.0, 20.0]))
    assert s.grad.tolist() == [0.0, 20.0, 10.0]


def test_scatter_reduce_prod_at_zeros_and_amax_ties():
    x = td.Tensor([2.0, 5.0, 1.0], requires_grad=True, dtype=td.float64)
    s = td.Tensor([0.0, 3.0, 5.0, 5.0], requires_grad=True, dtype=td.float64)
    out = x.scatter_reduce(0, [0, 0, 1, 1], s, "prod")
    assert out.tolist() == [0.0, 125.0, 1.0]
    out.sum().backward()  # d(2 * 0 * 3)/d0 = 6: the product of the others, at a zero too
    assert x.grad.tolist() == [0.0, 25.0, 1.0] and s.grad.tolist() == [6.0, 0.0, 25.0, 25.0]
    x.grad = s.grad = None
    x.scatter_reduce(0, [0, 0, 1, 1], s, "amax").sum().backward()  # a three-way tie at 5
    np.testing.assert_allclose(x.grad.data, [0.0, 1 / 3, 1.0])
    np.testing.assert_allclose(s.grad.data, [0.0, 1.0, 1 / 3, 1 / 3])


def test_integer_tensors_and_float32():
    x = td.Tensor([[-5, 1], [2, 3]])
    out = x.scatter_reduce(0, [[0, 0]], td.Tensor([[-4, 2]]), "mean")
    assert out.dtype == np.int64 and out.tolist() == [[-5, 1], [2, 3]]  # floor((-9) / 2)
    assert x.scatter_reduce(1, [[0, 0]], td.Tensor([[7, 9]]), "amax", include_self=False
                            ).tolist() == [[9, 1], [2, 3]]  # fmt: skip
    prod = x.scatter_reduce(1, [[1, 1]], td.Tensor([[7, 9]]), "prod")
    assert prod.tolist() == [[-5, 63], [2, 3]]
    assert x.scatter(0, [[1]], 7.9).tolist() == [[-5, 1], [7, 3]]  # the value takes x's dtype
    assert x.index_add(1, [1], td.Tensor([[1], [1]]), alpha=3).tolist() == [[-5, 4], [2, 6]]
    f = td.zeros(2, 3)
    s = td.ones(2, 3)
    for out in (f.scatter(1, [[2], [0]], s), f.scatter_add(1, [[2], [0]], s),
                f.scatter_reduce(1, [[2], [0]], s, "mean"), f.index_add(0, [1], s[:1]),
                f.index_copy(0, [1], s[:1]), f.index_fill(0, [1], 2),
                f.masked_scatter(MASK[:2, :3], s), f.put([1], s[0, :1])):  # fmt: skip
        assert out.dtype == np.float32
    x, s = td.zeros(2, 3, requires_grad=True), td.ones(2, 3, requires_grad=True)
    for red in ("sum", "prod", "mean", "amax", "amin"):
        x.grad = s.grad = None
        x.scatter_reduce(1, [[2], [0]], s, red).sum().backward()
        assert x.grad.dtype == s.grad.dtype == np.float32


def test_0d_and_empty_indices():
    x = td.Tensor(1.0, requires_grad=True)
    out = x.scatter(0, td.Tensor(0), td.Tensor(3.0))
    assert out.shape == () and out.item() == 3.0
    assert x.scatter_add(-1, [0], td.Tensor([2.0])).item() == 3.0
    assert x.index_fill(0, 0, 5.0).item() == 5.0
    assert x.index_add(0, [0], td.Tensor([2.0])).item() == 3.0
    assert td.zeros(3).scatter(0, [1], td.Tensor(2.0)).tolist() == [0, 2, 0]  # a 0-d src: 1-D
    y = td.Tensor([[1.0, 2.0]], requires_grad=True)
    out = y.scatter(0, np.zeros((0,), np.int64), td.zeros(4, 5))  # nothing written or checked
    assert out.tolist() == [[1.0, 2.0]]
    assert y.scatter_reduce(1, np.zeros((1, 0), np.int64), td.zeros(1, 0), "amax",
                            include_self=False).tolist() == [[1.0, 2.0]]  # fmt: skip
    assert y.index_add(1, [], td.zeros(1, 0)).tolist() == [[1.0, 2.0]]
    y.put([], td.zeros(0)).sum().backward()
    assert y.grad.tolist() == [[1.0, 1.0]]


def test_second_derivatives_of_scatter_add_and_index_add():
    x0, s0 = r(3, 4), r(2, 4)

    def grad_s(x, s):  # d/ds sum((x.scatter_add(s))^2) = 2 * gather(x.scatter_add(s))
        return td.grad((x.scatter_add(0, I0_REP, s) ** 2).sum(), [s], create_graph=True)[0]

    check_op(grad_s, lambda x, s: 2 * np.take_along_axis(
        np_scatter_reduce(x, 0, I0_REP, s, "sum"), I0_REP, 0), [x0, s0])  # fmt: skip

    def grad_x(x, s):  # d/dx sum(x.index_add(s)^3) = 3 * x.index_add(s)^2
        return td.grad((x.index_add(1, [1, 1], s, alpha=2.0) ** 3).sum(), [x],
                       create_graph=True)[0]  # fmt: skip

    check_op(grad_x, lambda x, s: 3 * np_index_add(x, 1, [1, 1], s, 2.0) ** 2,
             [r(2, 3), r(2, 2)])  # fmt: skip


def test_package_functions():
    a, s = r(3, 4), r(2, 4)
    np.testing.assert_allclose(td.scatter(a, 0, I0, td.Tensor(s)).data, np_scatter(a, 0, I0, s))
    np.testing.assert_allclose(td.scatter(a.tolist(), 0, I0, value=1.0).data,
                               np_scatter(a, 0, I0, np.ones((2, 4))))  # fmt: skip
    np.testing.assert_allclose(td.scatter_add(a, 0, I0_REP, td.Tensor(s)).data,
                               np_scatter_reduce(a, 0, I0_REP, s, "sum"))  # fmt: skip
    np.testing.assert_allclose(td.scatter_reduce(a, 0, I0_REP, td.Tensor(s), "amin",
                                                 include_self=False).data,
                               np_scatter_reduce(a, 0, I0_REP, s, "amin", False))  # fmt: skip
    np.testing.assert_allclose(td.index_add(a, 0, J, td.Tensor(a), alpha=2).data,
                               np_index_add(a, 0, J, a, 2))  # fmt: skip
    np.testing.assert_allclose(td.index_copy(a, 0, [1], td.Tensor(s[:1])).data,
                               np_index_copy(a, 0, [1], s[:1]))  # fmt: skip
    np.testing.assert_allclose(td.index_fill(a, 1, [1], 0).data,
                               np_index_copy(a, 1, [1], np.zeros((3, 1))))  # fmt: skip
    with pytest.raises(TypeError, match="scatter_add: expected tensors"):
        td.scatter_add("x", 0, [0], [1.0])
    for name in ("scatter", "scatter_add", "scatter_reduce", "index_add", "index_copy",
                 "index_fill"):  # fmt: skip
        assert name in td.__all__


def test_the_methods_come_from_the_mixin():
    for name in ("scatter", "scatter_", "index_add_", "masked_fill_", "put", "put_"):
        assert getattr(td.Tensor, name) is getattr(TorchIndexing, name)
    assert not hasattr(td.zeros(1), "__dict__")


# -- errors ----------------------------------------------------------------------------------

X = td.zeros(3, 4)
S = td.ones(3, 4)
ERRORS = [
    (lambda: X.scatter(0, [[0.0]], S), TypeError, "scatter: the index must hold integers, not "
     "float64"),
    (lambda: X.scatter(0, [[True]], S), TypeError, "scatter: the index must hold integers, not "
     "bool"),
    (lambda: X.scatter(0, [0, 1], S), ValueError, r"scatter: the index must have as many dims as "
     r"self, got index shape \(2,\) and self shape \(3, 4\)"),
    (lambda: X.scatter(0, [[0]], S[0]), ValueError, r"scatter: the index must have as many dims "
     r"as src, got index shape \(1, 1\) and src shape \(4,\)"),
    (lambda: X.scatter(0, np.zeros((3, 5), np.int64), td.ones(3, 5)), ValueError,
     r"scatter: index shape \(3, 5\) is larger than self's shape \(3, 4\) at dim 1"),
    (lambda: X.scatter(0, np.zeros((3, 4), np.int64), td.ones(2, 5)), ValueError,
     r"scatter: index shape \(3, 4\) is larger than src's shape \(2, 5\) at dim 0"),
    (lambda: X.scatter(0, [[-1]], S), IndexError, r"scatter: index -1 is out of range for dim 0 "
     r"of size 3 \(shape \(3, 4\)\); indices must be in \[0, 3\)"),
    (lambda: X.scatter_add(1, [[4]], S), IndexError, "scatter_add: index 4 is out of range for "
     "dim 1 of size 4"),
    (lambda: X.scatter(2, [[0]], S), IndexError, "scatter: axis 2 is out of range"),
    (lambda: X.scatter(0, [[0]], S.double()), TypeError, "scatter: self and src must have the "
     "same dtype, got float32 and float64"),
    (lambda: X.scatter(0, [[0]]), TypeError, "scatter: give src .* or value"),
    (lambda: X.scatter(0, [[0]], S, value=1.0), TypeError, "scatter: give src .* not both"),
    (lambda: X.scatter(0, [[0]], "a"), TypeError, "scatter: src must be a tensor, got str"),
    (lambda: X.scatter_reduce(0, [[0]], S, "max"), ValueError, "scatter_reduce: reduce must be "
     "one of sum, prod, mean, amax, amin, got 'max'"),
    (lambda: td.zeros(()).scatter(0, [[0]], td.ones(1, 1)), ValueError, r"scatter: the index of "
     r"a 0-d tensor must be 0-d or 1-D, got index shape \(1, 1\)"),
    (lambda: td.zeros(()).scatter(1, [0], td.ones(1)), IndexError, "scatter: axis 1"),
    (lambda: X.index_add(0, [[0]], S), ValueError, r"index_add: the index must be 1-D \(or 0-d\), "
     r"got shape \(1, 1\)"),
    (lambda: X.index_add(0, [0, 1], td.ones(2, 3)), ValueError, r"index_add: source shape \(2, 3\)"
     r" must be self's shape \(3, 4\) with dim 0 of the index's length 2, i.e. \(2, 4\)"),
    (lambda: X.index_add(0, [3], td.ones(1, 4)), IndexError, "index_add: index 3 is out of range"),
    (lambda: X.index_add(0, [-1], td.ones(1, 4)), IndexError, "index_add: index -1 is out of "
     r"range for dim 0 of size 3 \(shape \(3, 4\)\); indices must be in \[0, 3\)"),
    (lambda: X.index_add(0, [0], td.ones(1, 4).double()), TypeError, "index_add: self and source "
     "must have the same dtype"),
    (lambda: X.index_add(0, [0], td.ones(1, 4), alpha="2"), TypeError, "index_add: alpha must be "
     "a number"),
    (lambda: X.long().index_add(0, [0], td.ones(1, 4).long(), alpha=0.5), TypeError,
     "index_add: alpha must be an int for a int64 tensor, got 0.5"),
    (lambda: X.index_copy(0, [-1], td.ones(1, 4)), IndexError, "index_copy: index -1 is out of "
     "range"),
    (lambda: X.index_copy(1, [0.5], td.ones(3, 1)), TypeError, "index_copy: the index must hold "
     "integers"),
    (lambda: X.index_fill(0, [3], 1.0), IndexError, r"index_fill: index 3 .*\[-3, 3\)"),
    (lambda: X.index_fill(0, [0], td.ones(1)), ValueError, r"index_fill: value must be a number "
     r"or a 0-d tensor, got shape \(1,\)"),
    (lambda: X.index_fill(0, [0], "a"), TypeError, "index_fill: value must be a number"),
    (lambda: X.masked_scatter(MASK.astype(int), S), TypeError, "masked_scatter: the mask must be "
     "a bool tensor, not int64"),
    (lambda: X.masked_scatter(MASK, td.ones(4)), ValueError, "masked_scatter: the mask has 5 "
     r"True elements but source \(shape \(4,\)\) only 4 elements"),
    (lambda: X.masked_scatter(MASK[:2], S), ValueError, r"masked_scatter: a mask of shape \(2, 4\)"
     r" and a tensor of shape \(3, 4\) do not broadcast together"),
    (lambda: td.zeros(4).masked_scatter_(MASK, S), ValueError, r"masked_scatter_: a mask of shape "
     r"\(3, 4\) does not broadcast to the tensor's shape \(4,\)"),
    (lambda: X.put([0, 1], td.ones(3)), ValueError, "put: source and index must have the same "
     r"number of elements, got source shape \(3,\) and index shape \(2,\)"),
    (lambda: X.put([12], td.ones(1)), IndexError, r"put: index 12 is out of range for a tensor of "
     r"12 elements \(shape \(3, 4\)\); indices must be in \[-12, 12\)"),
    (lambda: X.put([-13], td.ones(1)), IndexError, "put: index -13 is out of range"),
    (lambda: X.put([0], td.ones(1).double()), TypeError, "put: self and source must have the same "
     "dtype"),
    (lambda: X.long().scatter_(0, [[0]], 2.5 * S), TypeError, "scatter_: self and src must have "
     "the same dtype, got int64 and float32"),
]  # fmt: skip


@pytest.mark.parametrize("fn, kind, message", ERRORS, ids=[e[2][:40] for e in ERRORS])
def test_errors(fn, kind, message):
    with pytest.raises(kind, match=message):
        fn()


# -- in place --------------------------------------------------------------------------------


def _inplace(method, *args, **kwargs):
    """x -> (x * 1).method(*args): the in-place form on a non-leaf, recorded for autograd."""

    def fn(x, *tensors):
        y = x * 1
        out = getattr(y, method)(*args, *tensors, **kwargs)
        assert out is y and y.grad_fn is not None
        return y

    return fn


INPLACE = [
    ("scatter_", _inplace("scatter_", 0, I0_REP), lambda a, s: np_scatter(a, 0, I0_REP, s),
     [r(3, 4), r(2, 4)]),
    ("scatter_value", _inplace("scatter_", 1, I1, value=2.0),
     lambda a: np_scatter(a, 1, I1, np.full((3, 3), 2.0)), [r(3, 4)]),
    ("scatter_add_", _inplace("scatter_add_", 1, I1),
     lambda a, s: np_scatter_reduce(a, 1, I1, s, "sum"), [r(3, 4), r(3, 3)]),
    ("scatter_reduce_amax", _inplace("scatter_reduce_", 1, I1, reduce="amax", include_self=False),
     lambda a, s: np_scatter_reduce(a, 1, I1, s, "amax", False), [r(3, 4), r(3, 3)]),
    ("scatter_reduce_prod", _inplace("scatter_reduce_", 0, I0_REP, reduce="prod"),
     lambda a, s: np_scatter_reduce(a, 0, I0_REP, s, "prod"), [r(3, 4), r(2, 4)]),
    ("index_add_", _inplace("index_add_", 0, J, alpha=3.0),
     lambda a, s: np_index_add(a, 0, J, s, 3.0), [r(3, 4), r(3, 4)]),
    ("index_copy_", _inplace("index_copy_", 1, [3, 1]),
     lambda a, s: np_index_copy(a, 1, [3, 1], s), [r(3, 4), r(3, 2)]),
    ("index_fill_", _inplace("index_fill_", 0, [0, 2]),
     lambda a, v: np_index_copy(a, 0, [0, 2], np.full((2, 4), v)), [r(3, 4), r()]),
    ("masked_fill_", _inplace("masked_fill_", MASK[0]),
     lambda a, v: np.where(MASK[0], v, a), [r(3, 4), r()]),
    ("masked_scatter_", _inplace("masked_scatter_", MASK),
     lambda a, s: np_masked_scatter(a, MASK, s), [r(3, 4), r(6)]),
    ("put_", _inplace("put_", np.array([3, 3, -1])),
     lambda a, s: np_put(a, np.array([3, 3, 11]), s), [r(3, 4), r(3)]),
    ("put_accumulate", _inplace("put_", np.array([3, 3, -1]), accumulate=True),
     lambda a, s: np_put(a, np.array([3, 3, 11]), s, True), [r(3, 4), r(3)]),
]  # fmt: skip


@pytest.mark.parametrize(
    "fn, reference, arrays", [row[1:] for row in INPLACE], ids=[row[0] for row in INPLACE]
)
def test_inplace_value_and_gradient_on_a_non_leaf(fn, reference, arrays):
    check_op(fn, reference, arrays)


def test_inplace_without_a_graph_writes_the_memory_and_moves_the_version():
    a = np.zeros((3, 4), np.float32)
    x = td.from_numpy(a)
    v = x._version[0]
    assert x.scatter_(0, I0, td.ones(2, 4)) is x
    assert a.sum() == 8 and x._version[0] == v + 1
    x.index_add_(1, [0, 0], td.ones(3, 2), alpha=2.0)
    x.put_([11], td.Tensor([7.0]), accumulate=True).masked_fill_(MASK, -1.0)
    np.testing.assert_array_equal(a[:, 0], [-1, 5, 5])
    assert a[2, 3] == 7 and x._version[0] == v + 4
    row = x[2]  # a view: the write reaches x's memory
    row.index_fill_(0, [0], 9.0)
    assert a[2, 0] == 9


def test_inplace_on_a_leaf_that_requires_grad():
    p = td.Tensor(np.zeros((3, 4)), requires_grad=True)
    with pytest.raises(RuntimeError, match="scatter_: a leaf tensor that requires grad is being "
                       "changed in place; do it under tinygrad_ds.no_grad"):  # fmt: skip
        p.scatter_(0, I0, td.ones(2, 4).double())
    for call in (
        lambda: p.index_add_(0, [0], td.ones(1, 4).double()),
        lambda: p.masked_fill_(MASK, 1.0),
        lambda: p.put_([0], td.zeros(1).double()),
    ):
        with pytest.raises(RuntimeError, match="leaf tensor that requires grad"):
            call()
    with td.no_grad():  # the optimiser's pattern
        p.index_add_(0, [1, 1], td.ones(2, 4).double()).scatter_(1, [[3]], value=5.0)
        p.masked_scatter_(MASK * [[1], [0], [0]] > 0, td.Tensor([8.0, 9.0]).double())
    assert p.is_leaf and p.requires_grad and p.grad_fn is None
    np.testing.assert_array_equal(p.data, [[8, 0, 9, 5], [2, 2, 2, 2], [0, 0, 0, 0]])


def test_inplace_bumps_the_version_so_a_saved_value_is_a_clear_error():
    x = td.Tensor(r(3, 4), requires_grad=True)
    y = x * 1
    z = (y * y).sum()  # Mul saved y
    y.scatter_add_(0, I0, td.ones(2, 4).double())
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        z.backward()
    w = x.exp()  # Exp saved its output
    w.index_fill_(1, [0], 0.0)
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        w.sum().backward()


def test_inplace_src_gets_its_gradient_and_a_view_writes_through_its_base():
    x = td.Tensor(np.zeros(4), requires_grad=False)
    s = td.Tensor([1.0, 2.0], requires_grad=True, dtype=td.float64)
    x = x.double()
    x.scatter_(0, [3, 1], s)  # x doesn't require grad, s does: recorded
    assert x.requires_grad and x.tolist() == [0.0, 2.0, 0.0, 1.0]
    (x * td.Tensor([1.0, 2.0, 3.0, 4.0]).double()).sum().backward()
    assert s.grad.tolist() == [4.0, 2.0]
    b = td.Tensor(np.ones((2, 3)), requires_grad=True)
    y = b * 2
    y[1].index_fill_(0, [0, 2], 0.0)  # through the view, into y
    assert y.tolist() == [[2, 2, 2], [0, 2, 0]]
    y.sum().backward()
    assert b.grad.tolist() == [[2, 2, 2], [0, 2, 0]]


# -- against PyTorch -------------------------------------------------------------------------

SRC = object()
TORCH_CASES = [
    # name, method, arguments (arrays become tensors; SRC is the second differentiable input),
    # self's shape, src's shape (index's: PyTorch's backward fails on a larger src)
    ("scatter", "scatter", (0, I0, SRC), (3, 4), (2, 4)),
    ("scatter_value", "scatter", (1, I1, 1.5), (3, 4), None),
    ("scatter_add", "scatter_add", (0, I0_REP, SRC), (3, 4), (2, 4)),
    ("scatter_add_3d", "scatter_add", (1, I3, SRC), (2, 4, 5), (2, 3, 5)),
    ("index_add", "index_add", (1, J, SRC), (2, 4), (2, 3)),
    ("index_copy", "index_copy", (0, np.array([2, 0]), SRC), (3, 2), (2, 2)),
    ("index_fill", "index_fill", (1, np.array([0, -1]), -2.0), (3, 4), None),
    ("masked_scatter", "masked_scatter", (MASK, SRC), (3, 4), (7,)),
    ("put", "put", (np.array([1, -2, 5]), SRC), (3, 4), (3,)),
    ("put_accumulate", "put", (np.array([1, -2, 1]), SRC, True), (3, 4), (3,)),
] + [
    (f"scatter_reduce_{red}_{inc}", "scatter_reduce", (1, I1, SRC, red, inc), (3, 4), (3, 3))
    for red in ("sum", "prod", "mean", "amax", "amin") for inc in (True, False)
]  # fmt: skip


@pytest.mark.parametrize("method, args, shape, src_shape", [c[1:] for c in TORCH_CASES],
                         ids=[c[0] for c in TORCH_CASES])  # fmt: skip
def test_against_torch(method, args, shape, src_shape):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    a = rng.standard_normal(shape)
    s = rng.standard_normal(src_shape) if src_shape else None
    ins_td = [td.Tensor(a, requires_grad=True)] + ([td.Tensor(s, requires_grad=True)] if
                                                   src_shape else [])  # fmt: skip
    ins_t = [torch.tensor(a, requires_grad=True)] + ([torch.tensor(s, requires_grad=True)] if
                                                     src_shape else [])  # fmt: skip

    def call(x, src, convert):
        rest = [src if v is SRC else convert(v) if isinstance(v, np.ndarray) else v
                for v in args]  # fmt: skip
        if method == "scatter_reduce":
            return getattr(x, method)(*rest[:4], include_self=rest[4])
        return getattr(x, method)(*rest)

    out = call(ins_td[0], ins_td[-1], td.Tensor)
    ref = call(ins_t[0], ins_t[-1], torch.tensor)
    np.testing.assert_allclose(out.data, ref.detach().numpy(), rtol=1e-12, atol=1e-12)
    g = rng.standard_normal(out.shape)
    out.backward(td.Tensor(g))
    ref.backward(torch.tensor(g))
    for x, t in zip(ins_td, ins_t):
        np.testing.assert_allclose(x.grad.data, t.grad.numpy(), rtol=1e-10, atol=1e-12)
    # the in-place form on a non-leaf: the same values and gradients
    ins_td2 = [td.Tensor(v.data, requires_grad=True) for v in ins_td]
    y = ins_td2[0] * 1
    out2 = _call_inplace(y, method, args, ins_td2[-1])
    np.testing.assert_allclose(out2.data, ref.detach().numpy(), rtol=1e-12, atol=1e-12)
    out2.backward(td.Tensor(g))
    for x, t in zip(ins_td2, ins_t):
        np.testing.assert_allclose(x.grad.data, t.grad.numpy(), rtol=1e-10, atol=1e-12)


def _call_inplace(y, method, args, src):
    rest = [src if v is SRC else td.Tensor(v) if isinstance(v, np.ndarray) else v for v in args]
    if method == "scatter_reduce":
        return y.scatter_reduce_(*rest[:4], include_self=rest[4])
    return getattr(y, method + "_")(*rest)


def test_scatter_reduce_amax_without_self_differs_from_torch_only_at_a_tie_with_self():
    """PyTorch counts self among the ties even when include_self=False, so part of the gradient
    goes nowhere; here the src values that tie share all of it."""
    x = td.Tensor([5.0], requires_grad=True, dtype=td.float64)
    s = td.Tensor([5.0, 5.0], requires_grad=True, dtype=td.float64)
    x.scatter_reduce(0, [0, 0], s, "amax", include_self=False).sum().backward()
    assert s.grad.tolist() == [0.5, 0.5] and x.grad.tolist() == [0.0]
