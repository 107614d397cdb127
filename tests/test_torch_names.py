"""PyTorch's names (torch_api/names.py and the package-level factories): values against NumPy closed
forms, gradients against central differences in float64, errors by message."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import check_op

import tinygrad_ds as td
from tinygrad_ds import creation
from tinygrad_ds.torch_api.names import TorchNames

R = np.random.default_rng(11)


def r(*shape):
    return R.standard_normal(shape)


def pos(*shape):
    return R.uniform(0.5, 2.0, shape)


MASK = np.array([True, False, False, True])
TIES = np.array([[1.0, 3.0, 3.0, -2.0], [0.5, 0.5, -1.0, 0.0]])  # two-way ties: the split is 1/2
NEG_TIES_T = -TIES.T  # a transposed (Fortran-ordered) input


def np_softmax(x, axis):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


DIFFERENTIABLE = [
    # name, fn, reference, inputs (float64, all require grad)
    ("add", lambda a, b: a.add(b), np.add, [r(3, 4), r(4)]),
    ("add_alpha", lambda a, b: a.add(b, alpha=2.5), lambda a, b: a + 2.5 * b, [r(3, 4), r(4)]),
    ("sub", lambda a, b: a.sub(b), np.subtract, [r(3, 4), r(3, 1)]),
    ("sub_alpha", lambda a, b: a.sub(b, alpha=-0.5), lambda a, b: a + 0.5 * b, [r(3, 4), r(4)]),
    ("sub_alpha_number", lambda a: a.sub(2.0, alpha=3), lambda a: a - 6.0, [r(3)]),
    ("mul", lambda a, b: a.mul(b), np.multiply, [r(2, 3), r(3)]),
    ("div", lambda a, b: a.div(b), np.divide, [r(2, 3), pos(3)]),
    ("pow_number", lambda a: a.pow(3), lambda a: a**3, [r(3, 4)]),
    ("pow_tensor", lambda a, b: a.pow(b), np.power, [pos(3, 4), r(4)]),
    ("neg", lambda a: a.neg(), np.negative, [r(3, 4)]),
    ("square", lambda a: a.square(), np.square, [r(3, 4)]),
    ("clone", lambda a: a.clone(), lambda a: a, [r(3, 4)]),
    ("contiguous_of_transposed", lambda a: a.T.contiguous(), lambda a: a.T, [r(3, 4)]),
    ("contiguous_of_strided", lambda a: a[::2].contiguous(), lambda a: a[::2], [r(7)]),
    ("t_2d", lambda a: a.t(), lambda a: a.T, [r(3, 4)]),
    ("t_1d", lambda a: a.t() * 1.0, lambda a: a, [r(4)]),
    ("to_float64", lambda a: a.to(td.float64), lambda a: a, [r(3)]),
    ("masked_fill", lambda a: a.masked_fill(MASK, -1.5), lambda a: np.where(MASK, -1.5, a),
     [r(3, 4)]),
    ("masked_fill_tensor_value", lambda a, v: a.masked_fill(td.Tensor(MASK), v),
     lambda a, v: np.where(MASK, v, a), [r(2, 4), np.array(0.3)]),
    ("amax_ties", lambda a: a.amax(dim=1), lambda a: a.max(axis=1), [TIES]),
    ("amax_all", lambda a: a.amax(), np.max, [r(3, 4)]),
    ("amin_ties_keepdim", lambda a: a.amin(0, keepdims=True),
     lambda a: a.min(0, keepdims=True), [NEG_TIES_T]),
    ("repeat", lambda a: a.repeat(2, 3), lambda a: np.tile(a, (2, 3)), [r(2, 3)]),
    ("repeat_extra_leading_dims", lambda a: a.repeat(2, 1, 3, 2),
     lambda a: np.tile(a, (2, 1, 3, 2)), [r(2, 3)]),
    ("repeat_tuple_of_ones", lambda a: a.repeat((1, 1)), lambda a: a, [r(2, 3)]),
    ("repeat_broadcast_row", lambda a: a.repeat(3, 1), lambda a: np.tile(a, (3, 1)), [r(1, 4)]),
    ("td_softmax", lambda a: td.softmax(a, 1), lambda a: np_softmax(a, 1), [r(3, 5)]),
    ("td_log_softmax", lambda a: td.log_softmax(a, dim=0),
     lambda a: np.log(np_softmax(a, 0)), [r(3, 5)]),
]  # fmt: skip


@pytest.mark.parametrize(
    "fn, reference, arrays",
    [row[1:] for row in DIFFERENTIABLE],
    ids=[row[0] for row in DIFFERENTIABLE],
)
def test_value_and_gradient(fn, reference, arrays):
    check_op(fn, reference, arrays)


def test_amax_ties_share_the_gradient_equally():
    x = td.Tensor(TIES, requires_grad=True)
    x.amax(dim=1).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [[0, 0.5, 0.5, 0], [0.5, 0.5, 0, 0]])


# -- split and chunk -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "args, kwargs, sizes",
    [
        ((2,), {}, [2, 2, 1]),  # an int size: the last piece smaller
        ((5,), {}, [5]),
        ((9,), {}, [5]),
        (([1, 3, 1],), {}, [1, 3, 1]),
        (([0, 5],), {}, [0, 5]),
        ((2,), {"dim": -2}, [2, 2, 1]),
    ],
)
def test_split_sizes_and_values(args, kwargs, sizes):
    x = r(5, 3)
    pieces = td.Tensor(x).split(*args, **kwargs)
    assert isinstance(pieces, tuple)
    assert [p.shape[0] for p in pieces] == sizes
    np.testing.assert_array_equal(np.concatenate([p.data for p in pieces]), x)


@pytest.mark.parametrize(
    "n, chunks, sizes",
    [(7, 3, [3, 3, 1]), (6, 3, [2, 2, 2]), (6, 4, [2, 2, 2]), (5, 5, [1] * 5), (2, 5, [1, 1])],
)
def test_chunk_follows_torchs_rule(n, chunks, sizes):
    # torch: every chunk has size ceil(n / chunks), the last smaller, so maybe fewer chunks
    x = r(2, n)
    pieces = td.Tensor(x).chunk(chunks, dim=1)
    assert [p.shape for p in pieces] == [(2, s) for s in sizes]
    np.testing.assert_array_equal(np.concatenate([p.data for p in pieces], axis=1), x)


def test_split_of_an_empty_axis_is_one_empty_piece():
    (piece,) = td.zeros(0, 3).split(2)
    assert piece.shape == (0, 3)


@pytest.mark.parametrize(
    "fn",
    [
        lambda x: x.split(2, dim=1),
        lambda x: x.split([1, 3, 1], dim=1),
        lambda x: x.chunk(2, dim=1),
        lambda x: tuple(p * (i + 1.0) for i, p in enumerate(x.chunk(3))),
    ],
    ids=["split_int", "split_list", "chunk", "chunk_weighted"],
)
def test_split_and_chunk_gradients(fn):
    assert td.gradcheck(fn, [td.Tensor(r(3, 5), requires_grad=True)])


# -- comparisons and logical reductions ------------------------------------------------------


@pytest.mark.parametrize(
    "name, ufunc",
    [("eq", np.equal), ("ne", np.not_equal), ("lt", np.less), ("le", np.less_equal),
     ("gt", np.greater), ("ge", np.greater_equal)],
)  # fmt: skip
def test_comparisons_are_the_operators(name, ufunc):
    a = np.array([[1.0, 2.0, 3.0], [3.0, 2.0, 1.0]])
    b = np.array([2.0, 2.0, 2.0])
    x = td.Tensor(a, requires_grad=True)
    for other in (td.Tensor(b), b, 2.0):
        out = getattr(x, name)(other)
        assert out.dtype == np.bool_ and not out.requires_grad
        np.testing.assert_array_equal(out.data, ufunc(a, b))


@pytest.mark.parametrize(
    "kwargs, np_kwargs",
    [({}, {}), ({"axis": 1}, {"axis": 1}), ({"axis": (0, 2)}, {"axis": (0, 2)}),
     ({"dim": 0, "keepdim": True}, {"axis": 0, "keepdims": True}), ({"dim": -1}, {"axis": -1})],
)  # fmt: skip
def test_any_and_all_against_numpy(kwargs, np_kwargs):
    a = (R.random((2, 3, 4)) > 0.6) * R.standard_normal((2, 3, 4))
    x = td.Tensor(a, requires_grad=True)
    for name in ("any", "all"):
        out = getattr(x, name)(**kwargs)
        assert out.dtype == np.bool_ and not out.requires_grad
        np.testing.assert_array_equal(out.data, getattr(np, name)(a, **np_kwargs))
    assert td.Tensor([[True, True], [True, False]]).all(dim=1).tolist() == [True, False]


def test_any_and_all_of_a_0d_tensor_along_its_axis_0():
    assert td.Tensor(2.0).any(0).item() is True
    assert td.Tensor(0.0).all(dim=0).item() is False


# -- copies, layout, dtype and device --------------------------------------------------------


def test_clone_is_new_memory_and_stays_in_the_graph():
    x = td.Tensor(r(2, 3), requires_grad=True)
    y = x.clone()
    assert y.grad_fn is not None and y.dtype == x.dtype
    assert not np.shares_memory(y.data, x.data)
    np.testing.assert_array_equal(y.data, x.data)


def test_contiguous():
    x = td.Tensor(r(3, 4), requires_grad=True)
    assert x.contiguous() is x
    for view in (x.T, x[:, ::2], x[::2, ::-1], x.reshape(2, 6).T[1:]):
        assert not view.data.flags.c_contiguous
        c = view.contiguous()
        assert c.data.flags.c_contiguous and not np.shares_memory(c.data, x.data)
        np.testing.assert_array_equal(c.data, view.data)


def test_dim_and_t():
    assert td.zeros(2, 3, 4).dim() == 3 and td.Tensor(1.0).dim() == 0
    for x in (td.Tensor(1.0), td.zeros(3)):
        assert x.t() is x
    assert td.zeros(2, 3).t().shape == (3, 2)
    with pytest.raises(ValueError, match=r"t: expects a tensor of at most 2 dims.*\(2, 3, 4\)"):
        td.zeros(2, 3, 4).t()


def test_long_is_an_int64_constant():
    x = td.Tensor([1.7, -2.5, 3.0], requires_grad=True)
    y = x.long()
    assert y.dtype == np.int64 and not y.requires_grad and y.grad_fn is None
    assert y.tolist() == [1, -2, 3]
    assert y.long() is y


def test_to_dtype_device_and_tensor():
    x = td.Tensor([1.0, 2.0], requires_grad=True)
    assert x.to("cpu") is x and x.to(device="cpu") is x and x.cpu() is x
    assert x.to(td.float32) is x and x.to() is x
    y = x.to("cpu", td.float64)
    assert y.dtype == np.float64 and y.grad_fn is not None
    y.sum().backward()
    assert x.grad.dtype == np.float32 and x.grad.tolist() == [1.0, 1.0]
    assert x.to("float64").dtype == np.float64 and x.to(dtype=np.float16).dtype == np.float16
    assert x.to(td.zeros(1, dtype=td.float64)).dtype == np.float64
    z = x.to(td.int64)
    assert z.dtype == np.int64 and not z.requires_grad


@pytest.mark.parametrize("device", ["cuda", "cuda:0", "mps"])
def test_to_another_device_is_an_error(device):
    with pytest.raises(ValueError, match=f"to: device '{device}' is not available.*CPU only"):
        td.zeros(2).to(device)
    with pytest.raises(ValueError, match="to: device"):
        td.zeros(2).to(device=device)


def test_to_rejects_what_is_not_a_dtype():
    with pytest.raises(TypeError, match="to: expected a dtype, a device or a tensor"):
        td.zeros(2).to(object())


# -- masked_fill ---------------------------------------------------------------------------


def test_masked_fill_gradient_flows_where_the_mask_is_false():
    x = td.Tensor(r(2, 4), requires_grad=True)
    v = td.Tensor(0.5, dtype=td.float64, requires_grad=True)
    out = x.masked_fill(x > 0, v)
    out.sum().backward()
    np.testing.assert_array_equal(x.grad.data, (x.data <= 0).astype(float))
    assert v.grad.item() == (x.data > 0).sum()
    assert out.dtype == x.dtype


def test_masked_fill_keeps_float32():
    x = td.Tensor([1.0, 2.0, 3.0])
    out = x.masked_fill(td.Tensor([False, True, False]), 0.0)
    assert out.dtype == np.float32 and out.tolist() == [1.0, 0.0, 3.0]


def test_masked_fill_errors():
    x = td.zeros(2, 3)
    with pytest.raises(TypeError, match="masked_fill: the mask must be a bool tensor, not int64"):
        x.masked_fill(td.Tensor([1, 0, 1]), 1.0)
    with pytest.raises(TypeError, match="masked_fill: .* not float32"):
        x.masked_fill(td.zeros(3), 1.0)
    with pytest.raises(ValueError, match=r"masked_fill: a mask of shape \(4,\) .*\(2, 3\)"):
        x.masked_fill(np.ones(4, dtype=bool), 1.0)
    with pytest.raises(ValueError, match=r"masked_fill: a mask of shape \(3, 2, 3\)"):
        x.masked_fill(np.ones((3, 2, 3), dtype=bool), 1.0)  # would grow the tensor
    with pytest.raises(ValueError, match=r"masked_fill: value must be .* 0-d .*\(2,\)"):
        x.masked_fill(np.ones(3, dtype=bool), td.zeros(2))


# -- split, chunk and repeat: errors and memory ----------------------------------------------


def test_split_and_chunk_errors():
    x = td.zeros(5, 3)
    with pytest.raises(ValueError, match=r"split: sizes \[2, 2\] must .* add up to 5.*\(5, 3\)"):
        x.split([2, 2])
    with pytest.raises(ValueError, match=r"split: sizes \[6, -1\]"):
        x.split([6, -1])
    with pytest.raises(ValueError, match="split: the split size must be positive, got 0"):
        x.split(0)
    with pytest.raises(IndexError, match="split: axis 2 is out of range"):
        x.split(1, dim=2)
    with pytest.raises(ValueError, match="chunk: the number of chunks must be positive, got 0"):
        x.chunk(0)


def test_repeat_is_new_writable_c_ordered_memory():
    for x, sizes in [(td.zeros(1, 3), (2, 1)), (td.zeros(2, 3), (1, 1)), (td.zeros(1), (4,)),
                     (td.zeros(3, 2).T, (1, 1)), (td.zeros(2, 3), (2, 2))]:  # fmt: skip
        out = x.repeat(*sizes)
        assert out.data.flags.writeable and out.data.flags.c_contiguous
        assert not np.shares_memory(out.data, x.data)


def test_repeat_values_and_errors():
    a = np.arange(6.0).reshape(2, 3)
    for sizes in [(0, 2), (3, 1, 1), ((2, 1, 2),)]:
        np.testing.assert_array_equal(td.Tensor(a).repeat(*sizes).data, np.tile(a, *(
            sizes if isinstance(sizes[0], tuple) else (sizes,))))  # fmt: skip
    assert td.Tensor(5.0).repeat(3).tolist() == [5.0, 5.0, 5.0]
    with pytest.raises(ValueError, match=r"repeat: sizes \(2,\) .* shape \(2, 3\)"):
        td.Tensor(a).repeat(2)
    with pytest.raises(ValueError, match=r"repeat: sizes \(2, -1\)"):
        td.Tensor(a).repeat(2, -1)


# -- package-level names ---------------------------------------------------------------------


def test_package_factories():
    z = td.zeros(2, 3)
    assert z.shape == (2, 3) and z.dtype == np.float32 and z.tolist() == [[0.0] * 3] * 2
    assert td.ones((2,)).tolist() == [1.0, 1.0]
    assert td.full((2,), 7).dtype == np.int64
    assert td.arange(3).tolist() == [0, 1, 2] and td.eye(2).tolist() == [[1, 0], [0, 1]]
    assert td.randn(4, 5).shape == (4, 5) and td.rand(3).dtype == np.float32
    assert td.zeros_like(z).shape == (2, 3) and td.ones_like(z).dtype == np.float32
    assert td.full_like(z, 2.5).tolist() == [[2.5] * 3] * 2 and td.randn_like(z).shape == (2, 3)
    for name in ["tensor", "zeros", "ones", "full", "randn", "rand", "arange", "eye",
                 "zeros_like", "ones_like", "full_like", "randn_like"]:  # fmt: skip
        assert name in td.__all__ and getattr(td, name) is getattr(creation, name)
    assert "softmax" in td.__all__ and "log_softmax" in td.__all__


def test_tensor_function_copies_and_follows_the_dtype_rules():
    assert td.tensor([1.0]).dtype == td.float32
    assert td.tensor([1, 2]).dtype == td.int64
    assert td.tensor([1, 2], dtype=td.float64).dtype == td.float64
    a = np.array([1.0, 2.0])
    t = td.tensor(a, requires_grad=True)
    assert t.dtype == np.float64 and t.requires_grad and t.is_leaf
    a[0] = 10.0
    assert t.tolist() == [1.0, 2.0]  # a copy, unlike Tensor(a)
    u = td.tensor(t * 2)
    assert u.is_leaf and not u.requires_grad and u.tolist() == [2.0, 4.0]
    with pytest.raises(TypeError, match="requires_grad: only floating-point"):
        td.tensor([1, 2], requires_grad=True)


def test_softmax_dtype_argument():
    x = td.Tensor([[1.0, 2.0, 3.0]])
    out = td.softmax(x, -1, dtype=td.float64)
    assert out.dtype == np.float64
    np.testing.assert_allclose(out.data, np_softmax(x.data.astype(np.float64), -1))


def test_every_torch_name_reaches_tensor_unshadowed():
    names = [n for n in vars(TorchNames) if not n.startswith("__")]
    public = "add sub mul div pow neg square eq ne lt le gt ge clone contiguous dim t long to cpu"
    public += " masked_fill any all amax amin split chunk repeat"
    public += " int short bool half type_as element_size is_floating_point nelement"
    public += " cuda device is_cpu is_cuda get_device is_pinned pin_memory type"
    assert sorted(n for n in names if not n.startswith("_")) == sorted(public.split())
    for name in names:
        assert name not in vars(td.Tensor), f"Tensor shadows TorchNames.{name}"
        assert getattr(td.Tensor, name) is getattr(TorchNames, name)
    assert not hasattr(td.zeros(1), "__dict__")  # the mixin keeps Tensor's __slots__
