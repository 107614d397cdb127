"""The Tensor's construction, dtypes, factories, attributes and error messages."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_ds as td
from tinygrad_ds import Tensor


def test_construction_and_dtype_rules():
    assert Tensor(1.5).dtype == np.float32 and Tensor(1.5).shape == ()
    assert Tensor([[1.0, 2.0], [3.0, 4.0]]).dtype == np.float32
    assert Tensor([1, 2]).dtype == np.int64
    assert Tensor([True, False]).dtype == np.bool_
    assert Tensor(np.zeros(2, dtype=np.float64)).dtype == np.float64
    assert Tensor(np.zeros(2, dtype=np.float32)).dtype == np.float32
    assert Tensor(Tensor([1.0])).dtype == np.float32
    assert Tensor([1, 2], dtype="float64").dtype == np.float64
    assert Tensor([1.0], dtype=td.float64).dtype == np.float64
    assert Tensor(np.int32(3)).dtype == np.int32
    for bad in (Tensor([1, 2]), Tensor([True])):
        with pytest.raises(TypeError, match="only floating-point tensors can require grad"):
            bad.requires_grad_()
    with pytest.raises(TypeError, match="only floating-point"):
        Tensor([1, 2], requires_grad=True)
    with pytest.raises(TypeError, match="cannot make a tensor"):
        Tensor(["a", "b"])


def test_setting_requires_grad_follows_pytorchs_rules():
    """`t.requires_grad = ...` is requires_grad_(): an integer or bool tensor can't require grad
    (no silently truncated gradient), a non-leaf's can't be unset, and a float leaf's can."""
    for bad in (Tensor([1, 2]), Tensor([True])):
        with pytest.raises(TypeError, match="only floating-point tensors can require grad"):
            bad.requires_grad = True
        assert bad.requires_grad is False
        bad.requires_grad = False  # asking for no gradient is always fine
    x = Tensor([1.0, 2.0])
    x.requires_grad = True
    y = x * 3.0
    assert y.requires_grad and y.grad_fn is not None
    with pytest.raises(RuntimeError, match="non-leaf tensor's requires_grad can't be unset"):
        y.requires_grad = False
    y.requires_grad = True  # already so: nothing changes
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.data, [3.0, 3.0])
    x.requires_grad = False
    assert not (x * 3.0).requires_grad


def test_casting_to_an_integer_dtype_leaves_the_graph():
    x = Tensor([1.5, -2.5], requires_grad=True)
    for cast in (x.astype(np.int64), x.astype(bool), x.long()):
        assert not cast.requires_grad and cast.grad_fn is None
    assert x.astype(np.int64).tolist() == [1, -2]
    y = x.astype(np.float64)  # between float dtypes the cast stays differentiable
    (y * y).sum().backward()
    np.testing.assert_allclose(x.grad.data, [3.0, -5.0])


def test_a_0d_tensor_reduces_over_axis_0_or_minus_1_as_in_pytorch():
    x = Tensor(np.float64(3.0), requires_grad=True)
    for reduce in ("sum", "mean", "max", "min"):
        for axis in (0, -1):
            out = getattr(x, reduce)(axis)
            assert out.shape == () and out.item() == 3.0
            assert td.gradcheck(lambda a, r=reduce, ax=axis: getattr(a, r)(ax), [x])
    assert x.sum(dim=0, keepdim=True).shape == ()
    with pytest.raises(IndexError, match="sum: axis 1 is out of range for a tensor of 0 dims"):
        x.sum(1)


def test_default_dtype_is_settable():
    td.set_default_dtype(td.float64)
    assert Tensor([1.0]).dtype == np.float64
    assert Tensor.randn(2).dtype == np.float64 and Tensor.zeros(1).dtype == np.float64
    assert td.get_default_dtype() == np.float64
    td.set_default_dtype(np.float32)
    assert Tensor.ones(2).dtype == np.float32
    with pytest.raises(TypeError, match="floating dtype"):
        td.set_default_dtype(np.int64)


def test_factories_take_varargs_or_a_tuple_and_options():
    assert Tensor.zeros(2, 3).shape == (2, 3) == Tensor.zeros((2, 3)).shape
    assert Tensor.ones([4]).shape == (4,)
    t = Tensor.full((2, 2), 7.0)
    assert t.dtype == np.float32 and t.tolist() == [[7.0, 7.0], [7.0, 7.0]]
    assert Tensor.full((2,), 3).dtype == np.int64
    assert Tensor.eye(3).data.trace() == 3
    assert Tensor.eye(2, 3).shape == (2, 3)
    r = Tensor.randn(2, 3, requires_grad=True, dtype=np.float64)
    assert r.requires_grad and r.dtype == np.float64 and r.is_leaf
    u = Tensor.uniform(1000, low=2.0, high=3.0)
    assert 2.0 <= u.data.min() and u.data.max() < 3.0
    v = Tensor.uniform(1000)
    assert -1.0 <= v.data.min() and v.data.max() < 1.0
    assert 0 <= Tensor.rand(100).data.min() and Tensor.rand(100).data.max() < 1
    assert Tensor.zeros_like(r).shape == (2, 3) and Tensor.zeros_like(r).dtype == np.float64
    assert Tensor.ones_like(np.zeros((1, 2), np.int64)).dtype == np.int64
    with pytest.raises(ValueError, match="uniform"):
        Tensor.uniform(3, low=1, high=0)


def test_arange_follows_numpy():
    assert Tensor.arange(5).dtype == np.int64 and Tensor.arange(5).tolist() == [0, 1, 2, 3, 4]
    assert Tensor.arange(1, 7, 2).tolist() == [1, 3, 5]
    f = Tensor.arange(0, 1, 0.25)
    assert f.dtype == np.float32 and f.tolist() == [0.0, 0.25, 0.5, 0.75]
    assert Tensor.arange(3, dtype=np.float64).dtype == np.float64


def test_manual_seed_makes_randomness_reproducible():
    td.manual_seed(42)
    a = Tensor.randn(5).tolist(), Tensor.rand(3).tolist()
    td.manual_seed(42)
    b = Tensor.randn(5).tolist(), Tensor.rand(3).tolist()
    assert a == b
    td.manual_seed(43)
    assert Tensor.randn(5).tolist() != a[0]


def test_attributes():
    x = Tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    assert x.shape == (2, 3) and x.ndim == 2 and x.T.shape == (3, 2) and x.mT.shape == (3, 2)
    assert x.size() == (2, 3) and x.size(1) == 3 and x.numel() == 6
    assert isinstance(x.numpy(), np.ndarray) and np.asarray(x).shape == (2, 3)
    assert np.asarray(x, dtype=np.float64).dtype == np.float64
    assert len(x) == 2 and [row.tolist() for row in x] == [[1, 2, 3], [4, 5, 6]]
    assert x.is_leaf and x.grad_fn is None
    y = x * 2
    assert not y.is_leaf and y.grad_fn is not None and y.requires_grad
    d = y.detach()
    assert d.is_leaf and not d.requires_grad and np.shares_memory(d.data, y.data)
    assert Tensor([2.5]).item() == 2.5 and float(Tensor([2.5])) == 2.5
    assert int(Tensor([3])) == 3 and bool(Tensor([1.0])) is True
    with pytest.raises(ValueError, match="only one-element"):
        Tensor([1.0, 2.0]).item()
    with pytest.raises(ValueError, match="ambiguous"):
        bool(Tensor([1.0, 2.0]))
    with pytest.raises(TypeError, match="0-d"):
        len(Tensor(1.0))
    x.name = "x"
    assert x.name == "x" and "name='x'" in repr(x)
    assert abs(Tensor([-1.0])).tolist() == [1.0] and Tensor([-2.0]).abs().tolist() == [2.0]


def test_repr_is_readable():
    x = Tensor([1.0, 2.0], requires_grad=True)
    assert repr(x) == "Tensor([1., 2.], dtype=float32, requires_grad=True)"
    assert repr(x * 2).endswith("grad_fn=<Mul>)")
    assert repr(Tensor([1, 2])) == "Tensor([1, 2], dtype=int64)"


def test_format_spec_of_a_0d_tensor_is_its_numbers():
    loss = Tensor(0.123456, requires_grad=True) * 2
    assert f"{loss:.3f}" == "0.247" and f"{Tensor(3):>4}" == "   3" and f"{Tensor(True)}" == "True"
    assert f"{Tensor([1.0, 2.0])}" == str(Tensor([1.0, 2.0]))  # the empty spec: str
    with pytest.raises(TypeError, match=r"format: the spec '.2f' applies to 0-d tensors only, "):
        f"{Tensor([1.5]):.2f}"


def test_tensor_is_hashable_and_eq_is_elementwise():
    a, b = Tensor([1.0, 2.0]), Tensor([1.0, 3.0])
    assert (a == b).tolist() == [True, False]
    assert len({a: 1, b: 2}) == 2


def test_numpy_arrays_on_the_left_defer_to_tensor():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = np.array([3.0, 4.0]) * x
    assert isinstance(y, Tensor) and y.requires_grad
    z = np.array([1.0, 1.0]) + x
    assert isinstance(z, Tensor)


def test_package_level_functions_mirror_methods():
    x = Tensor([0.5, 1.0, 2.0])
    for fn, method in [(td.exp, "exp"), (td.log, "log"), (td.tanh, "tanh"),
                       (td.sigmoid, "sigmoid"), (td.relu, "relu"), (td.sqrt, "sqrt")]:  # fmt: skip
        np.testing.assert_array_equal(fn(x).data, getattr(x, method)().data)
    np.testing.assert_array_equal(td.maximum(x, 1.0).data, [1.0, 1.0, 2.0])
    np.testing.assert_array_equal(td.minimum(x, 1.0).data, [0.5, 1.0, 1.0])
    np.testing.assert_array_equal(td.where(x > 0.7, x, -1.0).data, [-1.0, 1.0, 2.0])
    assert td.cat([x, x]).shape == (6,) and td.stack([x, x], axis=1).shape == (3, 2)
    assert td.matmul(x, x).item() == pytest.approx(0.25 + 1 + 4)


@pytest.mark.parametrize(
    "action,error,pattern",
    [
        (lambda: Tensor.zeros(3, 4) @ Tensor.zeros(5, 2), ValueError,
         r"matmul: shapes \(3, 4\) and \(5, 2\) are not aligned"),
        (lambda: Tensor.zeros(2, 3, 4) @ Tensor.zeros(3, 4, 2), ValueError, "matmul"),
        (lambda: Tensor.zeros(3) @ Tensor(2.0), ValueError, "0-d"),
        (lambda: Tensor.zeros(2, 3).reshape(4, 2), ValueError,
         r"reshape: cannot reshape a tensor of shape \(2, 3\) into \(4, 2\)"),
        (lambda: Tensor.zeros(2, 3).reshape(-1, -1), ValueError, "reshape"),
        (lambda: Tensor.zeros(2, 3).sum(axis=2), IndexError, "sum: axis 2 is out of range"),
        (lambda: Tensor.zeros(2, 3).mean(dim=(0, 0)), ValueError, "repeated axis"),
        (lambda: Tensor.zeros(2, 3).permute(0, 0), ValueError, "permute"),
        (lambda: Tensor.zeros(2, 3).expand(4, 3), ValueError, "expand"),
        (lambda: Tensor.zeros(2, 3).transpose(0, 5), IndexError, "transpose"),
        (lambda: Tensor.zeros(2, 3)[5], IndexError, r"getitem: .* shape \(2, 3\)"),
        (lambda: Tensor.zeros(2) + Tensor.zeros(3), ValueError,
         r"Add: shapes \(2,\) and \(3,\) do not broadcast"),
        (lambda: td.cat([Tensor.zeros(2, 3), Tensor.zeros(3, 2)], axis=0), ValueError, "cat"),
        (lambda: td.stack([Tensor.zeros(2), Tensor.zeros(3)]), ValueError, "stack"),
        (lambda: td.where(Tensor([True, False]), Tensor.zeros(3), 1.0), ValueError, "where"),
        (lambda: Tensor.zeros(2, 3).pad(((1, -1), (0, 0))), ValueError, "pad"),
        (lambda: Tensor.zeros(2).clip(), ValueError, "clip"),
        (lambda: Tensor.zeros(0).max(), ValueError, "max: cannot reduce over an empty axis"),
        (lambda: Tensor.zeros(2, 0).max(1), ValueError, r"max: .* empty axis of shape \(2, 0\)"),
        (lambda: Tensor([[], []]).long().min(1), ValueError, "min: cannot reduce over an empty"),
        (lambda: Tensor.zeros(2, 3).permute(0, 3), ValueError, "permute"),
        (lambda: Tensor.zeros(3).expand(-1, 3), ValueError, "expand: -1 is not allowed"),
        (lambda: Tensor.zeros(2, 1, 2).flatten(2, 1), ValueError, "flatten: start_dim 2"),
        (lambda: Tensor.zeros(2, 3).logsumexp(5), IndexError, "logsumexp: axis 5"),
        (lambda: Tensor.zeros(2, 2).__setitem__(0, Tensor.zeros(3)), ValueError, "setitem"),
    ],
)  # fmt: skip
def test_errors_name_the_operation_and_shapes(action, error, pattern):
    with pytest.raises(error, match=pattern):
        action()


def test_broadcast_error_names_the_shapes():
    with pytest.raises(ValueError) as info:
        Tensor.zeros(2) + Tensor.zeros(3)
    assert "(2,)" in str(info.value) and "(3,)" in str(info.value)


def test_docstring_examples_run():
    import doctest
    import importlib

    # the module by its import name: the attribute `td.tensor` is the function (torch.tensor)
    tensor_module = importlib.import_module("tinygrad_ds.tensor")
    for module in (td, tensor_module):
        result = doctest.testmod(module)
        assert result.attempted > 0 and result.failed == 0
