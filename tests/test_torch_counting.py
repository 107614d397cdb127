"""Counting, sets and search (torch_api/counting.py, counting_functions.py): unique,
unique_consecutive, bincount, histc, histogram, argwhere, searchsorted, bucketize, isin,
tril_indices, triu_indices, combinations, unravel_index. Values against NumPy, dtypes, the
gradient of combinations, errors by message, and a table of cases against PyTorch."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from helpers import check_op

import tinygrad_ds as td

R = np.random.default_rng(7)
INTS = np.array([3, 1, 2, 1, 3, 3, 0, 2])
ROWS = np.array([[1, 2], [3, 4], [1, 2], [0, 9], [3, 4]])
FLOATS = np.array([1.0, 2.0, 1.0, 5.0, 7.0, 2.5, -1.0, 8.0])


def _np(t):
    return tuple(x.data for x in t) if isinstance(t, tuple) else t.data


# -- values against NumPy --------------------------------------------------------------------


def test_unique_flat_with_inverse_and_counts():
    x = td.tensor(INTS.reshape(2, 4))
    values, inverse, counts = x.unique(return_inverse=True, return_counts=True)
    ref_v, ref_i, ref_c = np.unique(INTS, return_inverse=True, return_counts=True)
    np.testing.assert_array_equal(values.data, ref_v)
    np.testing.assert_array_equal(inverse.data, ref_i.reshape(2, 4))
    np.testing.assert_array_equal(counts.data, ref_c)
    assert inverse.dtype == counts.dtype == np.int64 and values.dtype == np.int64
    np.testing.assert_array_equal(values.data[inverse.data], x.data)  # values[inverse] == x
    assert isinstance(x.unique(), td.Tensor) and len(x.unique(return_counts=True)) == 2
    assert td.unique(td.tensor(3.0)).shape == (1,)  # a 0-d tensor counts as 1-D


def test_unique_keeps_dtype_and_has_no_gradient():
    x = td.tensor([2.0, 1.0, 2.0], requires_grad=True)
    u = td.unique(x)
    assert u.dtype == np.float32 and u.tolist() == [1.0, 2.0] and not u.requires_grad
    nan = td.unique(td.tensor([np.nan, 1.0, np.nan]), return_counts=True)  # each NaN distinct
    assert nan[0].shape == (3,) and nan[1].tolist() == [1, 1, 1]


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_unique_along_a_dim(dim):
    values, inverse, counts = td.unique(ROWS, dim=dim, return_inverse=True, return_counts=True)
    ref = np.unique(ROWS, axis=dim % 2, return_inverse=True, return_counts=True)
    np.testing.assert_array_equal(values.data, ref[0])
    np.testing.assert_array_equal(inverse.data, ref[1].reshape(-1))
    np.testing.assert_array_equal(counts.data, ref[2])
    assert np.array_equal(np.take(values.data, inverse.data, axis=dim), ROWS)


def test_unique_consecutive():
    x = td.tensor([1, 1, 2, 2, 3, 1, 1, 2])
    values, inverse, counts = x.unique_consecutive(return_inverse=True, return_counts=True)
    groups = [(k, len(list(g))) for k, g in itertools.groupby(x.tolist())]
    assert values.tolist() == [k for k, _ in groups]
    assert counts.tolist() == [n for _, n in groups]
    assert inverse.tolist() == [0, 0, 1, 1, 2, 3, 3, 4]
    v, i, c = td.unique_consecutive(ROWS[[0, 0, 1, 2, 2, 2]], dim=0, return_inverse=True,
                                    return_counts=True)  # fmt: skip
    assert v.tolist() == [[1, 2], [3, 4], [1, 2]] and c.tolist() == [2, 1, 3]
    assert i.tolist() == [0, 0, 1, 2, 2, 2]
    cols = td.unique_consecutive(td.tensor([[1, 1, 2], [5, 5, 5]]), dim=1)
    assert cols.tolist() == [[1, 2], [5, 5]]


def test_bincount():
    x = td.tensor(INTS)
    assert x.bincount().tolist() == np.bincount(INTS).tolist() and x.bincount().dtype == np.int64
    assert td.bincount(INTS, minlength=7).tolist() == np.bincount(INTS, minlength=7).tolist()
    w = R.standard_normal(INTS.size)
    out = td.bincount(INTS, weights=td.tensor(w))
    np.testing.assert_allclose(out.data, np.bincount(INTS, w))
    assert out.dtype == np.float64
    assert td.bincount(INTS, td.tensor(w.astype(np.float32))).dtype == np.float32
    assert td.bincount(INTS, np.arange(8)).dtype == np.float64  # int weights: float64
    assert td.bincount(np.zeros(0, np.int64), minlength=3).tolist() == [0, 0, 0]


def test_histc():
    x = td.tensor(FLOATS)
    out = x.histc(4, 0, 3)
    assert out.tolist() == [0.0, 2.0, 1.0, 1.0] and out.dtype == np.float64  # 5, 7, -1, 8 out
    assert td.tensor(FLOATS, dtype=td.float32).histc(3).dtype == np.float32
    np.testing.assert_array_equal(td.histc(FLOATS, 5).data,
                                  np.histogram(FLOATS, 5)[0])  # fmt: skip
    assert td.histc(td.tensor([2.0, 2.0]), 4).tolist() == [0, 0, 2, 0]  # range 2 +- 1
    assert td.histc(td.tensor([1.0, np.nan]), 3, 0, 3).tolist() == [0, 1, 0]
    assert td.histc(td.tensor([], dtype=td.float64), 3).tolist() == [0, 0, 0]


def test_histogram():
    hist, edges = td.histogram(td.tensor(FLOATS, dtype=td.float64), 4)
    ref = np.histogram(FLOATS, 4)
    np.testing.assert_allclose(hist.data, ref[0])
    np.testing.assert_allclose(edges.data, ref[1])
    assert hist.dtype == edges.dtype == np.float64
    w, e = R.random(FLOATS.size), np.array([-2.0, 0.0, 3.0, 10.0])
    out = td.tensor(FLOATS, dtype=td.float32).histogram(td.tensor(e), weight=w, density=True)
    np.testing.assert_allclose(out.hist.data, np.histogram(FLOATS, e, weights=w, density=True)[0],
                               rtol=1e-6)  # fmt: skip
    assert out.hist.dtype == np.float32 and out.bin_edges.tolist() == e.tolist()
    ranged = td.histogram(td.tensor(FLOATS), 3, range=(0.0, 6.0))
    assert ranged.hist.tolist() == np.histogram(FLOATS, 3, (0, 6))[0].tolist()


def test_argwhere():
    x = np.array([[0, 1.5], [2, 0]])
    assert td.argwhere(x).tolist() == np.argwhere(x).tolist()
    assert td.tensor(x).argwhere().dtype == np.int64


SEARCH = [
    # sequence, values, keywords
    (np.array([1, 3, 5, 7, 9]), np.array([3, 6, 9, 0, 10]), {}),
    (np.array([1, 3, 5, 7, 9]), np.array([3, 6, 9, 0, 10]), {"right": True}),
    (np.array([1, 3, 5, 7, 9]), np.array([[3, 6], [9, 1]]), {"side": "right"}),
    (np.array([1.0, 3.0, 5.0]), 3.0, {}),
]


@pytest.mark.parametrize("seq, values, kw", SEARCH)
def test_searchsorted_1d(seq, values, kw):
    side = "right" if kw.get("right") or kw.get("side") == "right" else "left"
    out = td.searchsorted(td.tensor(seq), values, **kw)
    assert out.tolist() == np.searchsorted(seq, values, side).tolist() and out.dtype == np.int64


def test_searchsorted_rows_sorter_and_int32():
    seq = np.array([[1, 3, 5, 7, 9], [2, 4, 6, 8, 10]])
    v = np.array([[3, 6, 9], [3, 6, 9]])
    assert td.searchsorted(seq, v).tolist() == [[1, 3, 4], [1, 2, 4]]
    assert td.searchsorted(seq, v, right=True).tolist() == [[2, 3, 5], [1, 3, 4]]
    out = td.searchsorted([5, 1, 3], [2, 4], sorter=[1, 2, 0], out_int32=True)
    assert out.tolist() == [1, 2] and out.dtype == np.int32


def test_bucketize():
    b = np.array([1, 3, 5, 7])
    x = np.array([[1, 5], [3, 9]])
    assert td.bucketize(x, b).tolist() == [[0, 2], [1, 4]]
    assert td.bucketize(td.tensor(x), td.tensor(b), right=True).tolist() == [[1, 3], [2, 4]]
    assert td.bucketize(3, b, right=True).shape == ()


def test_isin():
    a = np.array([[1, 2], [3, 4]])
    assert td.isin(a, [2, 3]).tolist() == np.isin(a, [2, 3]).tolist()
    assert td.isin(td.tensor([1, 2]), 2, invert=True).tolist() == [True, False]
    assert td.isin(2, td.tensor([1, 2])).item() is True


@pytest.mark.parametrize("row, col, offset", [(3, 4, 1), (3, 3, 0), (4, 3, -1), (0, 3, 0),
                                              (3, 3, 5), (2, 5, -4)])  # fmt: skip
def test_triangle_indices(row, col, offset):
    lower = td.tril_indices(row, col, offset)
    upper = td.triu_indices(row, col, offset)
    np.testing.assert_array_equal(lower.data, np.stack(np.tril_indices(row, offset, col)))
    np.testing.assert_array_equal(upper.data, np.stack(np.triu_indices(row, offset, col)))
    assert lower.shape[0] == 2 and lower.dtype == np.int64
    assert td.tril_indices(row, col, offset, dtype=td.int32).dtype == np.int32


def test_combinations_values_and_shapes():
    x = td.tensor([1.0, 2.0, 3.0, 4.0])
    ref = list(itertools.combinations([1.0, 2.0, 3.0, 4.0], 3))
    assert td.combinations(x, 3).tolist() == [list(c) for c in ref]
    both = itertools.combinations_with_replacement([1, 2, 3, 4], 2)
    assert td.combinations(x, with_replacement=True).tolist() == [list(c) for c in both]
    assert td.combinations(x, 5).shape == (0, 5) and td.combinations(x, 0).shape == (0,)


@pytest.mark.parametrize("r, with_replacement", [(2, False), (3, False), (2, True)])
def test_combinations_gradient(r, with_replacement):
    pick = itertools.combinations_with_replacement if with_replacement else itertools.combinations
    index = np.array(list(pick(range(4), r)))
    check_op(lambda a: td.combinations(a, r, with_replacement) ** 2,
             lambda a: a[index] ** 2, [R.standard_normal(4)])  # fmt: skip


def test_combinations_second_derivative():
    x = td.tensor([0.5, -1.0, 2.0], dtype=td.float64, requires_grad=True)
    (g,) = td.grad((td.combinations(x).prod(1) ** 2).sum(), [x], create_graph=True)
    assert td.gradcheck(lambda a: td.grad((td.combinations(a).prod(1) ** 2).sum(), [a],
                                          create_graph=True)[0], [x])  # fmt: skip
    np.testing.assert_allclose(g.data, [2 * 0.5 * (1 + 4), -2 * (0.25 + 4), 2 * 2 * (0.25 + 1)])


def test_unravel_index():
    rows, cols = td.unravel_index(td.tensor([4, 1, -1]), (2, 3))
    assert rows.tolist() == [1, 0, 1] and cols.tolist() == [1, 1, 2] and rows.dtype == np.int64
    idx = R.integers(0, 24, (2, 5))
    for ours, ref in zip(td.unravel_index(idx, (2, 3, 4)), np.unravel_index(idx, (2, 3, 4))):
        np.testing.assert_array_equal(ours.data, ref)
    assert td.unravel_index(7, 10)[0].item() == 7


# -- errors ----------------------------------------------------------------------------------

ERRORS = [
    (lambda: td.unique(td.tensor(5), dim=0), IndexError, "unique: dim 0 given for a 0-d"),
    (lambda: td.unique(ROWS, dim=2), IndexError, "unique: axis 2 is out of range"),
    (lambda: td.unique_consecutive(ROWS, dim=-3), IndexError, "unique_consecutive: axis -3"),
    (lambda: td.bincount([-1, 2]), ValueError, "bincount: expects non-negative ints, got -1"),
    (lambda: td.bincount([[1]]), ValueError, r"bincount: expects a 1-D tensor .* shape \(1, 1\)"),
    (lambda: td.bincount([1.0]), ValueError, "bincount: .*dtype float32"),
    (lambda: td.bincount([1, 2], [1.0]), ValueError, "bincount: weights must be 1-D"),
    (lambda: td.bincount([1, 2], minlength=-1), ValueError, "bincount: minlength must be >= 0"),
    (lambda: td.histc([1, 2]), TypeError, "histc: expects a floating-point tensor, got int64"),
    (lambda: td.histc([1.0], 0), ValueError, "histc: bins must be > 0, got 0"),
    (lambda: td.histc([1.0], 3, min=3, max=1), ValueError, "histc: max must be larger than min"),
    (lambda: td.histogram([1.0], 0), ValueError, "histogram: bins must be > 0"),
    (lambda: td.histogram([1.0], [0.0, 3.0, 1.0]), ValueError, "histogram: bin edges must be"),
    (lambda: td.histogram([1.0], [0.0, 1.0], range=(0, 1)), ValueError, "histogram: range is"),
    (lambda: td.histogram([1.0], 3, range=(2, 1)), ValueError, "histogram: range must be"),
    (lambda: td.histogram([1.0, 2.0], 3, weight=[1.0]), ValueError, "histogram: weight of shape"),
    (lambda: td.searchsorted([[1, 2], [3, 4]], [1, 2]), ValueError,
     r"searchsorted: the sequence must be 1-D or have the leading dims of values, got shapes"),
    (lambda: td.searchsorted([1, 3], [2], right=True, side="left"), ValueError,
     "searchsorted: side and right can't be set to opposites"),
    (lambda: td.searchsorted([1, 3], [2], side="middle"), ValueError, "searchsorted: side must"),
    (lambda: td.searchsorted(3, [2]), ValueError, "searchsorted: sorted_sequence must have"),
    (lambda: td.searchsorted([1, 3], [2], sorter=[0]), ValueError, "searchsorted: sorter must"),
    (lambda: td.searchsorted([1, 3], [2], sorter=[0, 2]), IndexError, "searchsorted: sorter"),
    (lambda: td.bucketize([1], [[1, 3]]), ValueError, r"bucketize: boundaries must be 1-D"),
    (lambda: td.isin(["a"], [1]), TypeError, "isin: elements must hold numbers"),
    (lambda: td.tril_indices(-1, 3), ValueError, "tril_indices: row and col must be >= 0"),
    (lambda: td.triu_indices(3, 3, dtype=td.float32), TypeError, "triu_indices: dtype must"),
    (lambda: td.tril_indices(3.0, 3), TypeError, "tril_indices: row must be an int"),
    (lambda: td.combinations([[1.0]]), ValueError, r"combinations: expects a 1-D tensor"),
    (lambda: td.combinations([1.0], -1), ValueError, "combinations: r must be >= 0, got -1"),
    (lambda: td.unravel_index([1.0], (2, 3)), TypeError, "unravel_index: expected 'indices'"),
    (lambda: td.unravel_index([6], (2, 3)), IndexError, r"unravel_index: index 6 is out of"),
    (lambda: td.unravel_index([1], (2, -3)), ValueError, "unravel_index: sizes must be >= 0"),
]  # fmt: skip


@pytest.mark.parametrize("call, kind, message", ERRORS)
def test_errors(call, kind, message):
    with pytest.raises(kind, match=message):
        call()


# -- against PyTorch -------------------------------------------------------------------------

TORCH_CASES = [
    # name, call (with `lib` for td or torch, `T` to make a tensor), compared
    ("unique", lambda lib, T: lib.unique(T(INTS), return_inverse=True, return_counts=True)),
    ("unique_dim0", lambda lib, T: lib.unique(T(ROWS), dim=0, return_inverse=True,
                                              return_counts=True)),
    ("unique_dim1", lambda lib, T: lib.unique(T(ROWS.T), dim=1, return_counts=True)),
    ("unique_consecutive", lambda lib, T: lib.unique_consecutive(
        T(INTS[[0, 0, 1, 2, 2]]), return_inverse=True, return_counts=True)),
    ("unique_consecutive_dim", lambda lib, T: lib.unique_consecutive(
        T(ROWS[[0, 0, 2, 1]]), dim=0, return_inverse=True, return_counts=True)),
    ("bincount", lambda lib, T: lib.bincount(T(INTS), minlength=6)),
    ("bincount_weights", lambda lib, T: lib.bincount(T(INTS), T(FLOATS.astype(np.float32)))),
    ("histc", lambda lib, T: lib.histc(T(FLOATS.astype(np.float32)), 6)),
    ("histc_range", lambda lib, T: lib.histc(T(FLOATS), 4, -1, 5)),
    ("histogram", lambda lib, T: tuple(lib.histogram(T(FLOATS), 5))),
    ("histogram_edges", lambda lib, T: tuple(lib.histogram(
        T(FLOATS), T(np.array([-2.0, 0.0, 3.0, 10.0])), weight=T(FLOATS * 0 + 2), density=True))),
    ("argwhere", lambda lib, T: lib.argwhere(T(np.array([[0, 1], [2, 0]])))),
    ("searchsorted_rows", lambda lib, T: lib.searchsorted(
        T(np.array([[1, 3, 5], [2, 4, 6]])), T(np.array([[3, 0], [7, 4]])), right=True)),
    ("searchsorted_sorter", lambda lib, T: lib.searchsorted(
        T(np.array([5, 1, 3])), T(np.array([2, 4, 6])), sorter=T(np.array([1, 2, 0])))),
    ("bucketize", lambda lib, T: lib.bucketize(T(FLOATS), T(np.array([0.0, 2.0, 5.0])))),
    ("isin", lambda lib, T: lib.isin(T(INTS), T(np.array([1, 3])), invert=True)),
    ("tril_indices", lambda lib, T: lib.tril_indices(4, 3, -1)),
    ("triu_indices", lambda lib, T: lib.triu_indices(3, 5, 2)),
    ("combinations", lambda lib, T: lib.combinations(T(FLOATS[:4]), 3)),
    ("unravel_index", lambda lib, T: lib.unravel_index(T(np.array([5, -2, 11])), (3, 4))),
]  # fmt: skip


@pytest.mark.parametrize("call", [c[1] for c in TORCH_CASES], ids=[c[0] for c in TORCH_CASES])
def test_against_pytorch(call):
    torch = pytest.importorskip("torch")
    ours = call(td, td.tensor)
    theirs = call(torch, lambda a: torch.from_numpy(np.array(a)))
    ours = ours if isinstance(ours, tuple) else (ours,)
    theirs = theirs if isinstance(theirs, tuple) else (theirs,)
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        b = b.numpy()
        assert a.shape == b.shape and a.dtype == b.dtype, (a.shape, b.shape, a.dtype, b.dtype)
        np.testing.assert_allclose(a.data, b, rtol=1e-6)


def test_combinations_gradient_against_pytorch():
    torch = pytest.importorskip("torch")
    a = R.standard_normal(5)
    x = td.tensor(a, requires_grad=True)
    t = torch.tensor(a, requires_grad=True)
    (td.combinations(x, 3, True).prod(1) ** 2).sum().backward()
    (torch.combinations(t, 3, True).prod(1) ** 2).sum().backward()
    np.testing.assert_allclose(x.grad.data, t.grad.numpy(), rtol=1e-10)
