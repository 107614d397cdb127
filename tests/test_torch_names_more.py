"""More of PyTorch's names (torch_api/more.py): gather, flip, sort, topk, mm, bmm, norm and new_*.
Values against NumPy closed forms, gradients against central differences in float64, errors
by message, and values and gradients against PyTorch when it is installed."""

from __future__ import annotations

import math

import numpy as np
import pytest
from helpers import check_op

import tinygrad_ds as td
from tinygrad_ds.torch_api.more import TorchMore, ValuesIndices

R = np.random.default_rng(12)
INF = math.inf


def r(*shape):
    return R.standard_normal(shape)


IDX0 = np.array([[1, 0, 2, 1], [1, 1, 0, 0]])  # repeated indices along dim 0 of a (3, 4)
IDX1 = np.array([[3, 3, 0], [2, 0, 0], [1, 1, 1]])  # along dim 1, index narrower than (3, 4)
IDX3 = R.integers(0, 4, (2, 3, 5))  # along dim 1 of a (2, 4, 5)


def np_norm(a, p, axis=None, keepdims=False):
    """The vector p-norm over `axis` (np.linalg.norm's of the flattened axes)."""
    axes = tuple(range(a.ndim)) if axis is None else axis if isinstance(axis, tuple) else (axis,)
    axes = tuple(d % a.ndim for d in axes)
    rest = [d for d in range(a.ndim) if d not in axes]
    moved = np.transpose(a, rest + list(axes)).reshape([a.shape[d] for d in rest] + [-1])
    out = np.linalg.norm(moved, ord=p, axis=-1)
    return np.expand_dims(out, axes) if keepdims else out


def np_sort_desc(a, axis):
    return np.flip(np.sort(a, axis=axis), axis)


DIFFERENTIABLE = [
    # name, fn, reference, inputs (float64, all require grad)
    ("gather_dim0_repeats", lambda a: a.gather(0, IDX0),
     lambda a: np.take_along_axis(a, IDX0, 0), [r(3, 4)]),
    ("gather_dim1_narrower", lambda a: a.gather(1, td.Tensor(IDX1)),
     lambda a: np.take_along_axis(a[:3], IDX1, 1), [r(4, 4)]),
    ("gather_dim_neg2_3d", lambda a: a.gather(-2, IDX3),
     lambda a: np.take_along_axis(a[:, :, :5], IDX3, 1), [r(2, 4, 6)]),
    ("gather_nested_list", lambda a: a.gather(1, [[0, 0, 2]]), lambda a: a[:1, [0, 0, 2]],
     [r(2, 3)]),
    ("flip_0", lambda a: a.flip(0), lambda a: np.flip(a, 0), [r(3, 4)]),
    ("flip_varargs", lambda a: a.flip(0, -1), lambda a: np.flip(a, (0, 2)), [r(2, 3, 4)]),
    ("flip_tuple", lambda a: a.flip((1, 2)), lambda a: np.flip(a, (1, 2)), [r(2, 3, 4)]),
    ("flip_list_neg", lambda a: a.flip([-2]), lambda a: np.flip(a, 1), [r(2, 3, 4)]),
    ("mm", lambda a, b: a.mm(b), np.matmul, [r(3, 4), r(4, 2)]),
    ("bmm", lambda a, b: a.bmm(b), np.matmul, [r(2, 3, 4), r(2, 4, 5)]),
    ("norm_default", lambda a: a.norm(), lambda a: np_norm(a, 2), [r(3, 4)]),
    ("norm_fro_dim", lambda a: a.norm("fro", dim=1), lambda a: np_norm(a, 2, 1), [r(3, 4)]),
    ("norm_2_tuple_keepdim", lambda a: a.norm(2, (0, 2), keepdim=True),
     lambda a: np_norm(a, 2, (0, 2), True), [r(2, 3, 4)]),
    ("norm_1", lambda a: a.norm(1, dim=-1), lambda a: np_norm(a, 1, -1), [r(3, 4)]),
    ("norm_3", lambda a: a.norm(3, dim=0), lambda a: np_norm(a, 3, 0), [r(3, 4)]),
    ("norm_1_5_all", lambda a: a.norm(1.5), lambda a: np_norm(a, 1.5), [r(3, 4)]),
    ("norm_0_5", lambda a: a.norm(0.5, 1, True), lambda a: np_norm(a, 0.5, 1, True), [r(3, 4)]),
    ("norm_inf", lambda a: a.norm(INF, dim=1), lambda a: np_norm(a, INF, 1), [r(3, 4)]),
    ("norm_neg_inf", lambda a: a.norm(-INF), lambda a: np_norm(a, -INF), [r(3, 4)]),
    ("norm_np_inf_tuple", lambda a: a.norm(np.inf, dim=(0, 1)),
     lambda a: np_norm(a, INF, (0, 1)), [r(2, 3, 4)]),
    ("sort", lambda a: a.sort().values, lambda a: np.sort(a, -1), [r(3, 5)]),
    ("sort_dim0_descending", lambda a: a.sort(0, descending=True)[0],
     lambda a: np_sort_desc(a, 0), [r(4, 3)]),
    ("sort_stable_keyword", lambda a: a.sort(dim=1, stable=True).values,
     lambda a: np.sort(a, 1), [r(2, 3, 4)]),
    ("topk", lambda a: a.topk(2).values, lambda a: np_sort_desc(a, -1)[:, :2], [r(3, 5)]),
    ("topk_smallest_dim0", lambda a: a.topk(3, dim=0, largest=False)[0],
     lambda a: np.sort(a, 0)[:3], [r(4, 3)]),
]  # fmt: skip


@pytest.mark.parametrize(
    "fn, reference, arrays",
    [row[1:] for row in DIFFERENTIABLE],
    ids=[row[0] for row in DIFFERENTIABLE],
)
def test_value_and_gradient(fn, reference, arrays):
    check_op(fn, reference, arrays)


# -- gather ----------------------------------------------------------------------------------


def test_gather_gradient_adds_up_repeated_indices():
    x = td.Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    out = x.gather(1, [[0, 0, 0, 2], [1, 2, 1, 1]])  # an index longer than dim 1 is allowed
    assert out.tolist() == [[0, 0, 0, 2], [4, 5, 4, 4]]
    out.sum().backward()
    np.testing.assert_array_equal(x.grad.data, [[3, 0, 1], [0, 3, 1]])


def test_gather_accepts_integer_dtypes_and_keeps_self_dtype():
    x = td.Tensor([[1.0, 2.0], [3.0, 4.0]])
    for index in (np.array([[1], [0]], np.int32), np.array([[1], [0]], np.uint8),
                  td.Tensor([[1], [0]])):  # fmt: skip
        out = x.gather(1, index)
        assert out.dtype == np.float32 and out.tolist() == [[2.0], [3.0]]
    assert td.Tensor([[1, 2], [3, 4]]).gather(0, [[1, 0]]).tolist() == [[3, 2]]
    assert x.gather(0, np.zeros((0, 2), np.int64)).shape == (0, 2)


def test_gather_of_a_0d_tensor():
    x = td.Tensor(5.0, requires_grad=True)
    assert x.gather(0, 0).shape == () and x.gather(-1, np.array(0)).item() == 5.0
    out = x.gather(0, [0, 0])
    assert out.tolist() == [5.0, 5.0]
    out.sum().backward()
    assert x.grad.item() == 2.0


def test_gather_errors():
    x = td.zeros(2, 3)
    with pytest.raises(TypeError, match="gather: the index must hold integers, not float64"):
        x.gather(0, [[0.0, 1.0]])
    with pytest.raises(TypeError, match="gather: the index must hold integers, not bool"):
        x.gather(0, [[True, False]])
    with pytest.raises(ValueError, match=r"gather: .* as many dims .* \(2,\) .* \(2, 3\)"):
        x.gather(0, [0, 1])
    with pytest.raises(ValueError, match=r"gather: index shape \(1, 4\) is larger .*\(2, 3\) "
                       r"at dim 1 \(only dim 0"):  # fmt: skip
        x.gather(0, [[0, 0, 0, 0]])
    with pytest.raises(IndexError, match=r"gather: index -1 is out of range for dim 0 of size 2"):
        x.gather(0, [[-1, 0, 0]])
    with pytest.raises(IndexError, match=r"gather: index 3 .* dim 1 of size 3 .*\[0, 3\)"):
        x.gather(-1, [[0, 3]])
    with pytest.raises(IndexError, match="gather: axis 2 is out of range"):
        x.gather(2, [[0]])
    with pytest.raises(IndexError, match="gather: axis 1 is out of range"):
        td.Tensor(1.0).gather(1, 0)


# -- flip ------------------------------------------------------------------------------------


def test_flip_copies_and_its_gradient_flips_back():
    x = td.Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    y = x.flip(1)
    assert not np.shares_memory(y.data, x.data)
    (y * td.Tensor([1.0, 2.0, 3.0], dtype=td.float64)).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [[3, 2, 1], [3, 2, 1]])
    assert x.flip([]).tolist() == x.tolist() and td.Tensor(2.0).flip(0).item() == 2.0


def test_flip_errors():
    x = td.zeros(2, 3)
    with pytest.raises(ValueError, match=r"flip: repeated axis in \(0, -2\)"):
        x.flip(0, -2)
    with pytest.raises(IndexError, match="flip: axis 2 is out of range for a tensor of 2 dims"):
        x.flip(2)
    with pytest.raises(TypeError, match="flip: give the dims to flip"):
        x.flip()
    with pytest.raises(TypeError, match="flip: dim must be an int or a tuple of ints"):
        x.flip(0.5)


# -- mm and bmm ------------------------------------------------------------------------------


def test_mm_and_bmm_errors_name_the_shapes():
    a, b = td.zeros(2, 3), td.zeros(3, 4)
    assert a.mm(b).shape == (2, 4) and a.mm(np.ones((3, 1))).shape == (2, 1)
    with pytest.raises(ValueError, match=r"mm: expects two matrices \(2-D\), got shapes "
                       r"\(2, 3\) and \(3,\)"):  # fmt: skip
        a.mm(td.zeros(3))
    with pytest.raises(ValueError, match=r"mm: expects two matrices"):
        td.zeros(1, 2, 3).mm(b)
    with pytest.raises(ValueError, match=r"mm: the inner sizes differ \(3 and 4\), got shapes "
                       r"\(2, 3\) and \(4, 3\)"):  # fmt: skip
        a.mm(td.zeros(4, 3))
    p, q = td.zeros(2, 3, 4), td.zeros(2, 4, 5)
    assert p.bmm(q).shape == (2, 3, 5)
    with pytest.raises(ValueError, match=r"bmm: expects two batches of matrices \(3-D\), got "
                       r"shapes \(2, 3\) and \(3, 4\)"):  # fmt: skip
        a.bmm(b)
    with pytest.raises(ValueError, match=r"bmm: the batch sizes differ \(2 and 1\)"):
        p.bmm(td.zeros(1, 4, 5))  # no broadcasting of the batch
    with pytest.raises(ValueError, match=r"bmm: the inner sizes differ \(4 and 3\)"):
        p.bmm(td.zeros(2, 3, 5))


# -- norm ------------------------------------------------------------------------------------


@pytest.mark.parametrize("p", [2, "fro", 1, 3, 0.5, 1.5, INF, -INF])
def test_norm_gradient_is_zero_where_the_norm_is_zero(p):
    x = td.Tensor(np.zeros((2, 3)), requires_grad=True)
    n = x.norm(p)
    assert n.item() == 0.0
    n.backward()
    assert np.array_equal(x.grad.data, np.zeros((2, 3)))  # exactly 0, not NaN
    # an all-zero slice among nonzero ones: its gradient is 0, the others' finite
    a = np.array([[0.0, 1.0, -2.0], [0.0, 0.0, 0.0]])
    x = td.Tensor(a, requires_grad=True)
    n = x.norm(p, dim=1)
    np.testing.assert_allclose(n.data, [np_norm(a[0], p if p != "fro" else 2), 0.0])
    n.sum().backward()
    assert np.isfinite(x.grad.data).all()
    assert np.array_equal(x.grad.data[1], np.zeros(3)) and x.grad.data[0, 0] == 0


@pytest.mark.parametrize("p", [2, "fro", 1, 3, 0.5, 1.5, INF, -INF])
def test_norm_gradcheck_at_zero(p):
    # a norm is even in each element: central differences at a zero slice are 0, as its gradient
    a = np.array([[0.0, 0.0], [0.3, -0.7]])
    for fn in (lambda x: x.norm(p, dim=1), lambda x: x.norm(p, dim=0), lambda x: (x * 0).norm(p)):
        assert td.gradcheck(fn, [td.Tensor(a, requires_grad=True)])


def test_norm_dims_dtype_and_ties():
    x = td.Tensor(r(2, 3, 4).astype(np.float32))
    assert x.norm().dtype == np.float32 and x.norm(3).dtype == np.float32
    assert x.norm(dim=()).shape == () and x.norm(dim=()).item() == pytest.approx(x.norm().item())
    assert x.norm(keepdim=True).shape == (1, 1, 1) and x.norm(1, (0, 2)).shape == (3,)
    assert x.norm(INF, dim=-1, keepdim=True).shape == (2, 3, 1)
    assert td.Tensor(-3.0).norm().item() == 3.0
    assert td.zeros(0, 3).norm(2, dim=0).tolist() == [0.0] * 3
    y = td.Tensor([1.0, -3.0, 3.0], requires_grad=True)
    y.norm(INF).backward()
    np.testing.assert_array_equal(y.grad.data, [0.0, -0.5, 0.5])  # ties share, as in PyTorch


def test_norm_errors():
    x = td.zeros(2, 3)
    for p in (-1, -2.5, float("nan")):
        with pytest.raises(ValueError, match="norm: p must be positive"):
            x.norm(p)
    with pytest.raises(ValueError, match="norm: p must be 'fro' .* got 'nuc' .*nuclear"):
        x.norm("nuc")
    with pytest.raises(ValueError, match="norm: p must be 'fro' or a positive number"):
        x.norm("abc")
    for p in (True, None, [2]):
        with pytest.raises(TypeError, match="norm: p must be a number or 'fro'"):
            x.norm(p)
    with pytest.raises(TypeError, match="norm: expected a floating-point tensor, got int64"):
        td.Tensor([1, 2]).norm()
    with pytest.raises(TypeError, match="norm: expected a floating-point tensor, got bool"):
        td.Tensor([True]).norm()
    with pytest.raises(ValueError, match=r"norm: the inf norm of an empty tensor"):
        td.zeros(0, 3).norm(INF)
    with pytest.raises(IndexError, match="norm: axis 2 is out of range"):
        x.norm(dim=2)


# -- sort and topk ---------------------------------------------------------------------------

TIES = np.array([[3.0, 1.0, 3.0, np.nan, 1.0, 2.0], [0.0, -1.0, 0.0, -1.0, 5.0, 5.0]])


def test_sort_is_stable_both_ways_and_puts_nan_last():
    x = td.Tensor(TIES)
    up, down = x.sort(), x.sort(descending=True)
    assert up.indices.tolist() == [[1, 4, 5, 0, 2, 3], [1, 3, 0, 2, 4, 5]]
    assert down.indices.tolist() == [[3, 0, 2, 5, 1, 4], [4, 5, 0, 2, 1, 3]]
    np.testing.assert_array_equal(up.values.data, np.sort(TIES, -1))
    np.testing.assert_array_equal(down.values.data[1], [5, 5, 0, 0, -1, -1])
    assert np.isnan(down.values.data[0, 0])
    assert x.sort(stable=True).indices.tolist() == up.indices.tolist()
    np.testing.assert_array_equal(
        x.sort(0).indices.data, np.argsort(TIES, axis=0, kind="stable")
    )  # fmt: skip
    assert x.topk(3).indices.tolist() == [[3, 0, 2], [4, 5, 0]]
    assert x.topk(3, largest=False).indices.tolist() == [[1, 4, 5], [1, 3, 0]]


def test_sort_and_topk_return_named_tuples():
    x = td.Tensor(r(3, 4), requires_grad=True)
    for result, k in [(x.sort(), 4), (x.topk(2, 1, True, False), 2)]:
        assert isinstance(result, ValuesIndices) and isinstance(result, tuple)
        assert result._fields == ("values", "indices")
        values, indices = result
        assert values is result.values and indices is result.indices
        assert values.shape == indices.shape == (3, k)
        assert values.requires_grad and values.dtype == x.dtype
        assert indices.dtype == np.int64 and not indices.requires_grad
        np.testing.assert_array_equal(values.data, np.take_along_axis(x.data, indices.data, 1))


def test_sort_gradient_goes_back_to_the_original_places():
    x = td.Tensor([[3.0, 1.0, 3.0, 1.0, 2.0]], dtype=td.float64, requires_grad=True)
    values, _ = x.sort(descending=True)
    (values * td.arange(5.0, dtype=td.float64)).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [[0, 3, 1, 4, 2]])
    x.grad = None
    x.topk(2).values.sum().backward()
    np.testing.assert_array_equal(x.grad.data, [[1, 0, 1, 0, 0]])


def test_sort_and_topk_of_integers_bools_0d_and_empty():
    big = np.iinfo(np.int64).min
    s = td.Tensor(np.array([2, big, 5])).sort(descending=True)
    assert s.values.tolist() == [5, 2, big] and s.indices.tolist() == [2, 0, 1]
    assert td.Tensor([True, False, True]).sort().indices.tolist() == [1, 0, 2]
    assert td.Tensor([3, 1, 2]).topk(2).values.tolist() == [3, 2]
    x = td.Tensor(4.0, requires_grad=True)
    for values, indices in (x.sort(), x.sort(0, True), x.topk(1), x.topk(0, -1)):
        assert values.shape == indices.shape == () and values.item() == 4.0 and indices.item() == 0
    assert td.zeros(0, 3).sort(0).values.shape == (0, 3)
    assert td.zeros(0, 3).topk(0, dim=0).indices.shape == (0, 3)
    assert td.zeros(2, 3).topk(0).values.shape == (2, 0)


def test_sort_and_topk_errors():
    x = td.zeros(2, 3)
    with pytest.raises(ValueError, match=r"topk: k=4 is out of range for dim 1 of size 3 "
                       r"\(shape \(2, 3\)\); k must be in \[0, 3\]"):  # fmt: skip
        x.topk(4)
    with pytest.raises(ValueError, match="topk: k=-1 is out of range for dim 0 of size 2"):
        x.topk(-1, dim=0)
    with pytest.raises(TypeError, match=r"topk: k must be an int, got 2.0 \(float\)"):
        x.topk(2.0)
    with pytest.raises(ValueError, match="topk: k=2 is out of range for a 0-d tensor"):
        td.Tensor(1.0).topk(2)
    with pytest.raises(IndexError, match="sort: axis 2 is out of range"):
        x.sort(2)
    with pytest.raises(IndexError, match="topk: axis -3 is out of range"):
        x.topk(1, dim=-3)


# -- new_zeros, new_ones, new_full, new_tensor -----------------------------------------------


def test_new_tensors_take_self_dtype_and_no_grad():
    x = td.Tensor(r(2, 3), requires_grad=True)  # float64
    i = td.Tensor([1, 2])
    for t, shape in [(x.new_zeros(2, 3), (2, 3)), (x.new_zeros((4,)), (4,)),
                     (x.new_ones([2, 1]), (2, 1)), (x.new_ones(), ()),
                     (x.new_full((3,), 7), (3,)), (x.new_full(2, 1.5), (2,)),
                     (x.new_tensor([1, 2]), (2,)), (x.new_tensor(x * 2), (2, 3))]:  # fmt: skip
        assert t.dtype == np.float64 and t.shape == shape
        assert t.is_leaf and not t.requires_grad
    assert x.new_zeros(2).tolist() == [0, 0] and x.new_ones(2).tolist() == [1, 1]
    assert x.new_full((2,), 7).tolist() == [7.0, 7.0]
    assert i.new_full((2,), 3.7).tolist() == [3, 3] and i.new_tensor([1.5]).tolist() == [1]
    assert i.new_zeros(2).dtype == np.int64 and td.Tensor([True]).new_ones(1).dtype == np.bool_


def test_new_tensors_dtype_and_requires_grad_keywords():
    x = td.Tensor([1.0, 2.0])  # float32
    for t in (x.new_zeros(2, dtype=td.float64), x.new_ones((2,), dtype="float64"),
              x.new_full((2,), 1, dtype=np.float64),
              x.new_tensor([1], dtype=td.float64)):  # fmt: skip
        assert t.dtype == np.float64
    assert x.new_zeros(2, dtype=td.int64).dtype == np.int64
    for t in (x.new_zeros(2, requires_grad=True), x.new_ones(2, requires_grad=True),
              x.new_full((2,), 0.5, requires_grad=True),
              x.new_tensor([3.0], requires_grad=True)):  # fmt: skip
        assert t.requires_grad and t.is_leaf and t.dtype == np.float32
    with pytest.raises(TypeError, match="requires_grad: only floating-point"):
        td.Tensor([1]).new_zeros(2, requires_grad=True)
    with pytest.raises(TypeError, match="new_zeros: dtype complex128 is not supported"):
        x.new_zeros(2, dtype=np.complex128)
    with pytest.raises(ValueError, match="new_ones: sizes must be >= 0"):
        x.new_ones(2, -1)
    with pytest.raises(TypeError, match="new_full: sizes must be ints"):
        x.new_full((2.5,), 1)


def test_new_tensor_copies_and_cuts_from_the_graph():
    x = td.Tensor([1.0, 2.0], requires_grad=True)
    a = np.array([1.0, 2.0], np.float32)
    t = x.new_tensor(a)
    a[0] = 9.0
    assert t.tolist() == [1.0, 2.0]
    u = x.new_tensor(x)
    assert not np.shares_memory(u.data, x.data) and u.grad_fn is None and not u.requires_grad


def test_every_name_reaches_tensor_unshadowed():
    names = [n for n in vars(TorchMore) if not n.startswith("__")]
    public = "gather flip sort topk mm bmm norm new_zeros new_ones new_full new_tensor"
    assert sorted(n for n in names if not n.startswith("_")) == sorted(public.split())
    for name in names:
        assert name not in vars(td.Tensor), f"Tensor shadows TorchMore.{name}"
        assert getattr(td.Tensor, name) is getattr(TorchMore, name)
    assert issubclass(td.Tensor, TorchMore) and not hasattr(td.zeros(1), "__dict__")


# -- against PyTorch -------------------------------------------------------------------------


def _both(torch, a):
    """`a` as a float64 tinygrad_ds tensor and a torch tensor, both requiring grad."""
    return td.Tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)


def _compare(torch, fn_td, fn_torch, a, upstream_seed=0):
    """fn's values and its gradient for a random upstream gradient, in both frameworks."""
    x, t = _both(torch, a)
    out, ref = fn_td(x), fn_torch(t)
    np.testing.assert_allclose(out.data, ref.detach().numpy(), rtol=1e-12, atol=1e-12)
    g = np.random.default_rng(upstream_seed).standard_normal(out.shape)
    out.backward(td.Tensor(g))
    ref.backward(torch.tensor(g))
    np.testing.assert_allclose(x.grad.data, t.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_against_torch():
    torch = pytest.importorskip("torch")
    a = r(3, 4)
    i0 = torch.tensor(IDX0)
    _compare(torch, lambda x: x.gather(0, IDX0), lambda t: t.gather(0, i0), a)
    _compare(torch, lambda x: x.gather(1, IDX1[:, :2]),
             lambda t: t.gather(1, torch.tensor(IDX1[:, :2])), a)  # fmt: skip
    _compare(torch, lambda x: x.flip(0, 1), lambda t: t.flip(0, 1), a)
    _compare(torch, lambda x: x.flip(-1), lambda t: t.flip(-1), a)
    b = r(4, 2)
    _compare(torch, lambda x: x.mm(td.Tensor(b)), lambda t: t.mm(torch.tensor(b)), a)
    c, d = r(2, 3, 4), r(2, 4, 2)
    _compare(torch, lambda x: x.bmm(td.Tensor(d)), lambda t: t.bmm(torch.tensor(d)), c)
    for down in (False, True):
        _compare(torch, lambda x, dn=down: x.sort(1, dn)[0],
                 lambda t, dn=down: t.sort(stable=True, dim=1, descending=dn)[0], a)  # fmt: skip
        np.testing.assert_array_equal(
            td.Tensor(TIES).sort(0, down).indices.data,
            torch.tensor(TIES).sort(stable=True, dim=0, descending=down).indices.numpy(),
        )
        np.testing.assert_array_equal(
            td.Tensor(TIES).sort(descending=down).indices.data,
            torch.tensor(TIES).sort(stable=True, descending=down).indices.numpy(),
        )
    for largest in (True, False):  # no ties in `a`: PyTorch's order among ties is its own
        _compare(torch, lambda x, big=largest: x.topk(2, 0, big).values,
                 lambda t, big=largest: t.topk(2, 0, big).values, a)  # fmt: skip
        np.testing.assert_array_equal(
            td.Tensor(a).topk(3, largest=largest).indices.data,
            torch.tensor(a).topk(3, largest=largest).indices.numpy(),
        )


@pytest.mark.parametrize("p", [2, "fro", 1, 3, 0.5, 1.5, INF, -INF])
def test_norm_against_torch(p):
    torch = pytest.importorskip("torch")
    # a zero slice, a zero element among nonzero ones, and an ordinary slice
    a = np.array([[0.0, 0.0, 0.0], [0.0, 1.0, -2.0], [0.5, -1.5, 0.25]])
    _compare(torch, lambda x: x.norm(p, dim=1), lambda t: t.norm(p, dim=1), a)
    _compare(torch, lambda x: x.norm(p, 0, True), lambda t: t.norm(p, 0, True), a)
    _compare(torch, lambda x: x.norm(p), lambda t: t.norm(p), a)
    _compare(torch, lambda x: x.norm(p), lambda t: t.norm(p), np.zeros((2, 2)))
    b = r(2, 3, 4)
    _compare(torch, lambda x: x.norm(p, (0, 2)), lambda t: t.norm(p, (0, 2)), b)


def test_new_tensors_against_torch():
    torch = pytest.importorskip("torch")
    for dtype, tdtype in [(np.float64, torch.float64), (np.int64, torch.int64)]:
        x, t = td.Tensor(np.ones(2, dtype)), torch.ones(2, dtype=tdtype)
        pairs = [(x.new_zeros(2, 3), t.new_zeros(2, 3)), (x.new_ones((3,)), t.new_ones((3,))),
                 (x.new_full((2,), 3.7), t.new_full((2,), 3.7)),
                 (x.new_tensor([1.5, 2]), t.new_tensor([1.5, 2]))]  # fmt: skip
        for ours, theirs in pairs:
            assert str(ours.dtype) == str(theirs.dtype).removeprefix("torch.")
            np.testing.assert_array_equal(ours.data, theirs.numpy())


def test_norm_0_counts_the_nonzero_elements_as_pytorch():
    a = np.array([[0.0, 2.0, -3.0], [0.0, 0.0, np.nan]])
    x = td.Tensor(a, requires_grad=True)
    assert x.norm(0).item() == 3.0  # NaN is not zero
    assert x.norm(0, dim=1).tolist() == [2.0, 1.0]
    assert x.norm(0, dim=0, keepdim=True).tolist() == [[0.0, 1.0, 2.0]]
    assert x.norm(0).dtype == np.float64 and not x.norm(0).requires_grad  # gradient 0
    assert td.Tensor(a.astype(np.float32)).norm(0.0, dim=1).dtype == np.float32
    torch = pytest.importorskip("torch")
    t = torch.tensor(a)
    for dim in (None, 0, 1, (0, 1)):
        np.testing.assert_array_equal(x.norm(0, dim=dim).data, t.norm(0, dim=dim).numpy())
