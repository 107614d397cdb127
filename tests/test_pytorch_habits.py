"""PyTorch habits found missing by trying common snippets: round(decimals=), the shift
operators, one-argument where, x.max(other) / x.min(other), Embedding.from_pretrained."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_ds as td


def test_round_to_decimals():
    x = td.tensor([1.2345, 2.5, -0.555, 1234.5, 15.0], dtype=td.float64, requires_grad=True)
    np.testing.assert_array_equal(td.round(x, decimals=2).data, np.round(x.data * 100) / 100)
    np.testing.assert_array_equal(x.round(decimals=-1).data, np.round(x.data / 10) * 10)
    x.round(decimals=1).sum().backward()
    np.testing.assert_array_equal(x.grad.data, np.zeros(5))  # a step function: d/dx = 0
    y = td.tensor([1.26, -3.14159])
    y.round_(decimals=1)
    np.testing.assert_allclose(y.data, [1.3, -3.1], rtol=1e-6)
    assert y.dtype == td.float32
    with pytest.raises(TypeError, match=r"round: decimals needs a floating tensor, got int64"):
        td.tensor([15]).round(decimals=-1)
    with pytest.raises(TypeError, match=r"round: decimals must be an int, got 1.5"):
        y.round(decimals=1.5)


def test_round_to_decimals_matches_pytorch():
    torch = pytest.importorskip("torch")
    values = np.random.default_rng(0).normal(0, 100, 50)
    for d in (-2, -1, 1, 3):
        ours = td.tensor(values).round(decimals=d).data
        theirs = torch.tensor(values).round(decimals=d).numpy()
        np.testing.assert_array_equal(ours, theirs)


def test_shifts():
    a = td.tensor([1, 8, -8, 5])
    np.testing.assert_array_equal((a << 2).data, [4, 32, -32, 20])
    np.testing.assert_array_equal((a >> 1).data, [0, 4, -4, 2])
    np.testing.assert_array_equal((1 << td.tensor([0, 3])).data, [1, 8])  # reflected
    np.testing.assert_array_equal((64 >> td.tensor([1, 3])).data, [32, 8])
    np.testing.assert_array_equal(td.bitwise_left_shift(a, td.tensor([0, 1, 2, 3])).data,
                                  [1, 16, -32, 40])  # fmt: skip
    np.testing.assert_array_equal(a.bitwise_right_shift(3).data, [0, 1, -1, 0])
    # counts outside [0, 64): 0, or -1 for a negative number shifted right, as PyTorch
    np.testing.assert_array_equal((a << 64).data, [0, 0, 0, 0])
    np.testing.assert_array_equal((a >> td.tensor([-1, 70, 70, 64])).data, [0, 0, -1, 0])
    assert (td.tensor([3], dtype=td.int32) << 1).dtype == np.int32
    with pytest.raises(TypeError, match=r">> \(bitwise_right_shift\): needs integer tensors"):
        td.tensor([8.0]) >> 1
    with pytest.raises(ValueError, match=r"<< \(bitwise_left_shift\): shapes \(2,\) and \(3,\)"):
        td.tensor([1, 2]) << td.tensor([1, 2, 3])


def test_shifts_match_pytorch():
    torch = pytest.importorskip("torch")
    a = np.array([1, 8, -8, 5, -1, 2**40])
    n = np.array([0, 3, 2, 63, 64, -1])
    np.testing.assert_array_equal((td.tensor(a) << td.tensor(n)).data,
                                  (torch.tensor(a) << torch.tensor(n)).numpy())  # fmt: skip
    np.testing.assert_array_equal((td.tensor(a) >> td.tensor(n)).data,
                                  (torch.tensor(a) >> torch.tensor(n)).numpy())  # fmt: skip


def test_where_of_a_condition_alone_gives_the_indices():
    cond = td.tensor([[0, 1], [1, 0], [1, 1]])
    rows, cols = td.where(cond)
    np.testing.assert_array_equal(rows.data, [0, 1, 2, 2])
    np.testing.assert_array_equal(cols.data, [1, 0, 0, 1])
    assert rows.dtype == np.int64
    with pytest.raises(TypeError, match=r"where: give both a and b, or neither"):
        td.where(cond, 1)


def test_max_and_min_of_a_tensor_and_another():
    x = td.tensor([[1.0, -2.0, 3.0]], dtype=td.float64, requires_grad=True)
    other = td.tensor([0.0, 0.0, 5.0], dtype=td.float64, requires_grad=True)
    np.testing.assert_array_equal(x.max(other).data, [[1.0, 0.0, 5.0]])
    np.testing.assert_array_equal(x.min(other).data, [[0.0, -2.0, 3.0]])
    assert td.gradcheck(lambda a, b: a.max(b) + a.min(b) * 2, [x, other])


def test_embedding_from_pretrained():
    table = np.arange(12, dtype=np.float32).reshape(4, 3)
    frozen = td.nn.Embedding.from_pretrained(table, padding_idx=0)
    assert np.shares_memory(frozen.weight.data, table) and not frozen.weight.requires_grad
    np.testing.assert_array_equal(frozen(td.tensor([0, 2])).data, table[[0, 2]])  # row 0 kept
    assert repr(frozen) == "Embedding(4, 3, padding_idx=0)"
    trained = td.nn.Embedding.from_pretrained(td.tensor(table), freeze=False)
    trained(td.tensor([1, 1, 3])).sum().backward()
    np.testing.assert_array_equal(trained.weight.grad.data[:, 0], [0, 2, 0, 1])
    with pytest.raises(ValueError, match=r"Embedding.from_pretrained: embeddings must be 2-D"):
        td.nn.Embedding.from_pretrained(np.ones(3))
    with pytest.raises(ValueError, match=r"Embedding: _weight of shape \(4, 3\) must be"):
        td.nn.Embedding(5, 3, _weight=table)


def test_embedding_from_pretrained_matches_pytorch():
    torch = pytest.importorskip("torch")
    table = np.random.default_rng(1).normal(size=(6, 4))
    idx = np.array([[0, 5], [2, 2]])
    ours = td.nn.Embedding.from_pretrained(table, max_norm=1.0)(td.tensor(idx)).data
    theirs = torch.nn.Embedding.from_pretrained(torch.tensor(table), max_norm=1.0)(
        torch.tensor(idx)
    )
    np.testing.assert_allclose(ours, theirs.detach().numpy(), rtol=1e-6)


def test_relu_of_a_bool_tensor_is_refused():  # found in review: it gave a bool tensor
    with pytest.raises(TypeError, match=r"relu: not defined for a bool tensor"):
        td.tensor([True, False]).relu()
    np.testing.assert_array_equal(td.tensor([-1, 2]).relu().data, [0, 2])  # integers keep it


def test_augmented_bitwise_assignments_are_in_place():  # found in review: they rebound x
    x = td.tensor([1, 2, 3])
    alias, view = x, x[:2]
    x <<= 1
    assert x is alias and x.data.tolist() == [2, 4, 6] and view.data.tolist() == [2, 4]
    x >>= td.tensor([1, 1, 2])
    x |= 8
    x &= td.tensor([9, 10, 15])
    x ^= 1
    assert alias.data.tolist() == [8, 11, 8] and view.data.tolist() == [8, 11]
    mask = td.tensor([True, False])
    same = mask
    mask |= td.tensor([False, True])
    assert same.data.tolist() == [True, True]
    with pytest.raises(TypeError, match=r"bitwise_left_shift: needs integer tensors"):
        y = td.tensor([1.0])
        y <<= 1


def test_factories_take_size_as_a_keyword():
    for make in (td.zeros, td.ones, td.empty, td.rand, td.randn):
        assert make(size=(2, 3)).shape == (2, 3) and make(size=[4]).shape == (4,)
    np.testing.assert_array_equal(td.full(size=(2,), fill_value=3.0).data, [3.0, 3.0])
    with pytest.raises(TypeError, match=r"zeros: give the shape as arguments or as size=, not"):
        td.zeros(2, size=(2,))


def test_legacy_variable_is_a_new_leaf_over_the_same_memory():
    t = td.ones(2)
    v = td.autograd.Variable(t, requires_grad=True)
    assert v is not t and np.shares_memory(v.data, t.data)
    assert v.requires_grad and not t.requires_grad
    (v * 3).sum().backward()
    np.testing.assert_array_equal(v.grad.data, [3.0, 3.0])
    assert not td.autograd.Variable([1.0, 2.0]).requires_grad


def test_legacy_tensor_types():
    x = td.FloatTensor([1, 2])
    assert x.dtype == np.float32 and isinstance(x, td.FloatTensor)
    assert not isinstance(x, td.LongTensor) and isinstance(td.tensor([1]), td.LongTensor)
    assert td.LongTensor(2, 3).shape == (2, 3) and td.FloatTensor().shape == (0,)
    np.testing.assert_array_equal(td.LongTensor(2, 3).data, np.zeros((2, 3)))
    for kind, dtype in [(td.DoubleTensor, np.float64), (td.HalfTensor, np.float16),
                        (td.IntTensor, np.int32), (td.ShortTensor, np.int16),
                        (td.CharTensor, np.int8), (td.ByteTensor, np.uint8),
                        (td.BoolTensor, np.bool_)]:  # fmt: skip
        assert kind([1, 0]).dtype == dtype
    assert x.type() == "tinygrad_ds.FloatTensor" and td.tensor([True]).type().endswith("BoolTensor")
    assert x.type(td.LongTensor).dtype == np.int64 and x.type(td.float64).dtype == np.float64
    assert x.type("torch.DoubleTensor").dtype == np.float64  # as code written for PyTorch says
    y = td.tensor([1.5, 2.5], requires_grad=True)
    y.type(td.DoubleTensor).sum().backward()  # differentiable between float dtypes
    np.testing.assert_array_equal(y.grad.data, [1.0, 1.0])
    with pytest.raises(TypeError, match=r"FloatTensor: expected a tensor of dtype float32, got"):
        td.FloatTensor(td.tensor([1, 2]))
    with pytest.raises(TypeError, match=r"type: 'bogus' is not a dtype"):
        x.type("bogus")
