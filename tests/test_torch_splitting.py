"""Splitting, stacking and reshaping (torch_api/splitting.py, splitting_functions.py):
tensor_split, hsplit/vsplit/dsplit, split_with_sizes, hstack/vstack/dstack/column_stack,
atleast_*d, repeat_interleave, diagflat, unflatten, ravel, sum_to_size, and the questions
(is_contiguous, stride, storage_offset, nbytes, ...). Values against NumPy, gradients in
float64, errors by message, and a table against PyTorch."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import check_op

import tinygrad_ds as td

R = np.random.default_rng(3)


def r(*shape):
    return R.standard_normal(shape)


def _cat_pieces(pieces):
    """The pieces of a split weighted differently, so each one's gradient is checked."""
    return td.cat([p.reshape(-1) * (i + 1) for i, p in enumerate(pieces)])


def _np_cat_pieces(pieces):
    return np.concatenate([p.reshape(-1) * (i + 1) for i, p in enumerate(pieces)])


DIFFERENTIABLE = [
    # name, fn, reference, inputs (float64, all require grad)
    ("tensor_split_sections", lambda a: _cat_pieces(a.tensor_split(3, 1)),
     lambda a: _np_cat_pieces(np.array_split(a, 3, 1)), [r(2, 7)]),
    ("tensor_split_indices", lambda a: _cat_pieces(td.tensor_split(a, [1, 5, 3, 9])),
     lambda a: _np_cat_pieces(np.array_split(a, [1, 5, 3, 9])), [r(7)]),
    ("tensor_split_tensor", lambda a: _cat_pieces(a.tensor_split(td.tensor([2]), dim=-1)),
     lambda a: _np_cat_pieces(np.array_split(a, [2], -1)), [r(3, 4)]),
    ("hsplit", lambda a: _cat_pieces(td.hsplit(a, 2)), lambda a: _np_cat_pieces(np.hsplit(a, 2)),
     [r(3, 4)]),
    ("hsplit_1d", lambda a: _cat_pieces(a.hsplit([2])), lambda a: _np_cat_pieces(np.hsplit(a, [2])),
     [r(5)]),
    ("vsplit", lambda a: _cat_pieces(a.vsplit([1, 2])),
     lambda a: _np_cat_pieces(np.vsplit(a, [1, 2])), [r(4, 2)]),
    ("dsplit", lambda a: _cat_pieces(td.dsplit(a, 2)), lambda a: _np_cat_pieces(np.dsplit(a, 2)),
     [r(2, 1, 4)]),
    ("split_with_sizes", lambda a: _cat_pieces(a.split_with_sizes([1, 3], 1)),
     lambda a: _np_cat_pieces(np.split(a, [1], 1)), [r(2, 4)]),
    ("hstack", lambda a, b: td.hstack([a, b]), lambda a, b: np.hstack([a, b]), [r(2, 3), r(2, 1)]),
    ("hstack_1d_0d", lambda a, b: td.hstack([a, b]), lambda a, b: np.hstack([a, b]), [r(3), r()]),
    ("vstack", lambda a, b: td.vstack([a, b]), lambda a, b: np.vstack([a, b]), [r(3), r(2, 3)]),
    ("row_stack", lambda a, b: td.row_stack((a, b)), lambda a, b: np.vstack([a, b]), [r(), r()]),
    ("dstack", lambda a, b: td.dstack([a, b]), lambda a, b: np.dstack([a, b]), [r(2, 3), r(2, 3)]),
    ("column_stack", lambda a, b, c: td.column_stack([a, b, c]),
     lambda a, b, c: np.column_stack([a, b, c]), [r(3), r(3, 2), r(3)]),
    ("atleast_3d", lambda a: td.atleast_3d(a) * 2, lambda a: np.atleast_3d(a) * 2, [r(4)]),
    ("repeat_interleave_flat", lambda a: a.repeat_interleave(2), lambda a: np.repeat(a, 2),
     [r(2, 3)]),
    ("repeat_interleave_dim", lambda a: td.repeat_interleave(a, td.tensor([0, 3, 1]), dim=-1),
     lambda a: np.repeat(a, [0, 3, 1], -1), [r(2, 3)]),
    ("repeat_interleave_0d_repeats", lambda a: a.repeat_interleave(td.tensor(2), 0),
     lambda a: np.repeat(a, 2, 0), [r(2, 3)]),
    ("diagflat", lambda a: td.diagflat(a, -1), lambda a: np.diagflat(a, -1), [r(2, 2)]),
    ("unflatten", lambda a: a.unflatten(1, (2, -1)) * 1, lambda a: a.reshape(3, 2, 3), [r(3, 6)]),
    ("unflatten_fn", lambda a: td.unflatten(a, -1, [3, 1]), lambda a: a.reshape(2, 3, 1),
     [r(2, 3)]),
    ("ravel", lambda a: td.ravel(a.T), lambda a: a.T.ravel(), [r(3, 4)]),
    ("sum_to_size", lambda a: a.sum_to_size(3, 1), lambda a: a.sum(1, keepdims=True), [r(3, 4)]),
    ("sum_to_size_lead", lambda a: a.sum_to_size((1, 4)), lambda a: a.sum((0, 1))[None],
     [r(2, 3, 4)]),
]  # fmt: skip


@pytest.mark.parametrize(
    "fn, reference, arrays", [row[1:] for row in DIFFERENTIABLE], ids=[r[0] for r in DIFFERENTIABLE]
)
def test_value_and_gradient(fn, reference, arrays):
    check_op(fn, reference, arrays)


def test_second_derivative():
    x = td.tensor(r(2, 3), requires_grad=True)

    def grad(a):
        y = td.hstack(a.repeat_interleave(td.tensor([2, 1]), 0).tensor_split(2, 1))
        return td.grad((y**3).sum(), [a], create_graph=True)[0]

    assert td.gradcheck(grad, [x])


def test_float32_stays_float32_and_splits_are_views():
    x = td.tensor(np.arange(12.0).reshape(3, 4), dtype=td.float32)
    parts = x.tensor_split(2, 1)
    assert all(p.dtype == np.float32 for p in parts)
    assert np.shares_memory(parts[1].data, x.data)
    assert td.hstack(parts).dtype == np.float32 and td.vstack([x, x]).shape == (6, 4)
    assert td.hstack([td.tensor([1]), td.tensor([2.0])]).dtype == np.float32  # promoted


def test_atleast():
    assert td.atleast_1d(td.tensor(1.0)).shape == (1,)
    assert td.atleast_2d(np.ones(3)).shape == (1, 3)
    assert td.atleast_3d(np.ones((2, 3))).shape == (2, 3, 1)
    assert td.atleast_3d(np.ones((2, 3, 4, 5))).shape == (2, 3, 4, 5)
    many = td.atleast_2d(1.0, np.ones(2))
    assert isinstance(many, tuple) and [t.shape for t in many] == [(1, 1), (1, 2)]
    one_list = td.atleast_1d([td.tensor(1.0)])
    assert isinstance(one_list, tuple) and one_list[0].shape == (1,)


def test_repeat_interleave_of_counts_and_output_size():
    assert td.repeat_interleave(td.tensor([2, 0, 1])).tolist() == [0, 0, 2]
    out = td.tensor([[1, 2], [3, 4]]).repeat_interleave(2, output_size=8)
    assert out.tolist() == [1, 1, 2, 2, 3, 3, 4, 4] and out.dtype == np.int64
    assert td.tensor(5.0).repeat_interleave(3, dim=0).tolist() == [5.0, 5.0, 5.0]


def test_concat_and_sizes():
    assert td.concat([td.ones(2), td.zeros(1)]).tolist() == [1, 1, 0]
    assert td.tensor([1.0]).is_same_size(td.tensor([2.0])) and not td.is_same_size(
        [1.0], td.ones(2)
    )


def test_questions():
    x = td.tensor(np.arange(12.0).reshape(3, 4), dtype=td.float32)
    assert x.is_contiguous() and not x.T.is_contiguous() and x.T.contiguous().is_contiguous()
    assert x.stride() == (4, 1) and x.T.stride() == (1, 4) and x.stride(-2) == 4
    assert x[1:, 2:].storage_offset() == 6 and x.storage_offset() == 0
    assert x[1:, 2:].data_ptr() == x.data_ptr() + 6 * 4
    assert td.ones(3, 1).expand(3, 5).stride() == (1, 0)
    assert x.nbytes == 48 and x.itemsize == 4 and td.ones(2, dtype=td.float64).nbytes == 16
    assert x.ndimension() == 2 and td.tensor(1.0).ndimension() == 0
    assert td.tensor(2.0).stride() == () and td.tensor(2.0).stride(0) == 1
    assert td.tensor([0.0]).is_nonzero() is False and td.is_nonzero([[3]]) is True
    assert td.tensor(-1).is_signed() and td.tensor([1.0]).is_signed()
    assert not td.tensor([1], dtype=np.uint8).is_signed() and not td.is_signed(True)
    assert td.is_complex([1.0]) is False and td.tensor(1).is_complex() is False


ERRORS = [
    (lambda: td.tensor_split(td.tensor(1.0), 1), ValueError, "tensor_split: expects a tensor of"),
    (lambda: td.tensor_split(np.ones(3), 0), ValueError, "tensor_split: the number of sections"),
    (lambda: td.tensor_split(np.ones(3), 1.5), TypeError, "tensor_split: indices_or_sections"),
    (lambda: td.tensor_split(np.ones(3), [1.5]), TypeError, "tensor_split: an index must be"),
    (lambda: td.tensor_split(np.ones(3), td.ones(2)), TypeError, "tensor_split: a tensor of"),
    (lambda: td.tensor_split(np.ones(3), 1, 1), IndexError, "tensor_split: axis 1 is out of"),
    (lambda: td.hsplit(np.ones(7), 3), ValueError,
     r"hsplit: dim 0 of size 7 \(shape \(7,\)\) is not divisible into 3 sections"),
    (lambda: td.hsplit(td.tensor(1.0), 1), ValueError, "hsplit: expects a tensor of at least 1"),
    (lambda: td.vsplit(np.ones(4), 2), ValueError, "vsplit: expects a tensor of at least 2 dims"),
    (lambda: td.dsplit(np.ones((2, 2)), 1), ValueError, "dsplit: expects a tensor of at least 3"),
    (lambda: td.ones(4).split_with_sizes(2), TypeError, "split_with_sizes: split_sizes must"),
    (lambda: td.ones(4).split_with_sizes([1, 2]), ValueError,
     r"split_with_sizes: sizes \[1, 2\] must be >= 0 and add up to 4, the size of dim 0"),
    (lambda: td.ones(4).split_with_sizes([1.0, 3]), TypeError, "split_with_sizes: a split"),
    (lambda: td.hstack([]), ValueError, "hstack: expected a non-empty sequence"),
    (lambda: td.vstack(td.ones(2)), TypeError, "vstack: expected a sequence of tensors"),
    (lambda: td.dstack([np.ones(2), np.ones(3)]), ValueError, "dstack: cat: shapes"),
    (lambda: td.hstack([np.ones((2, 2)), np.ones(3)]), ValueError, "hstack: cat: shapes"),
    (lambda: td.column_stack([np.ones(2), np.ones(3)]), ValueError, "column_stack: cat"),
    (lambda: td.vstack([np.ones(2), np.ones(3)]), ValueError, "vstack: cat: shapes"),
    (lambda: td.repeat_interleave(np.ones(2), [1, 2, 3]), ValueError,
     "repeat_interleave: repeats must have one count per slice along dim 0, got 3 for size 2"),
    (lambda: td.repeat_interleave(np.ones(2), [1, -2]), ValueError,
     "repeat_interleave: repeats must be >= 0, got -2"),
    (lambda: td.repeat_interleave(np.ones(2), 1.5), TypeError, "repeat_interleave: repeats must"),
    (lambda: td.repeat_interleave(np.ones(2), 2, output_size=3), ValueError,
     "repeat_interleave: output_size 3 differs from the result's length 4"),
    (lambda: td.repeat_interleave(np.ones(2)), ValueError, "repeat_interleave: without repeats"),
    (lambda: td.repeat_interleave(np.ones(2), 2, dim=1), IndexError, "repeat_interleave: axis 1"),
    (lambda: td.unflatten(np.ones((2, 6)), 1, (4, -1)), ValueError,
     r"unflatten: sizes \[4, -1\] don't multiply up to the size 6 of dim 1"),
    (lambda: td.unflatten(np.ones((2, 6)), 1, ()), ValueError, "unflatten: sizes must be non-emp"),
    (lambda: td.unflatten(np.ones((2, 6)), 1, (-1, -1)), ValueError, "unflatten: sizes"),
    (lambda: td.ones(2, 3).sum_to_size(2), ValueError,
     r"sum_to_size: size \(2,\) is not expandable to the tensor's shape \(2, 3\)"),
    (lambda: td.tensor([1, 2]).is_nonzero(), RuntimeError, "is_nonzero: .*more than one value"),
    (lambda: td.tensor([]).is_nonzero(), RuntimeError, "is_nonzero: .*with no values"),
    (lambda: td.ones(2).is_same_size(3), TypeError, "is_same_size: expected a tensor"),
    (lambda: td.ones(2).stride(1), IndexError, "stride: axis 1 is out of range"),
    (lambda: td.diagflat(np.ones(2), 0.5), TypeError, "diagflat: offset must be an int"),
]  # fmt: skip


@pytest.mark.parametrize("call, kind, message", ERRORS)
def test_errors(call, kind, message):
    with pytest.raises(kind, match=message):
        call()


TORCH_CASES = [
    # name, call (lib: td or torch; T makes a float64 tensor requiring grad), inputs
    ("tensor_split", lambda lib, a: lib.tensor_split(a, 3, dim=1), [r(2, 8)]),
    ("tensor_split_idx", lambda lib, a: lib.tensor_split(a, [1, -1, 6]), [r(5)]),
    ("hsplit", lambda lib, a: lib.hsplit(a, [1, 3]), [r(2, 4, 2)]),
    ("vsplit", lambda lib, a: lib.vsplit(a, 2), [r(4, 3)]),
    ("dsplit", lambda lib, a: lib.dsplit(a, [1]), [r(1, 2, 3)]),
    ("hstack", lambda lib, a, b: lib.hstack([a, b]), [r(2), r(3)]),
    ("vstack", lambda lib, a, b: lib.vstack([a, b]), [r(2, 3), r(3)]),
    ("dstack", lambda lib, a, b: lib.dstack([a, b]), [r(3), r(3)]),
    ("column_stack", lambda lib, a, b: lib.column_stack([a, b]), [r(), r(1, 4)]),
    ("atleast_2d", lambda lib, a: lib.atleast_2d(a), [r(3)]),
    ("atleast_3d", lambda lib, a, b: lib.atleast_3d(a, b), [r(), r(2, 3)]),
    ("repeat_interleave", lambda lib, a: lib.repeat_interleave(a, 3, dim=0), [r(2, 2)]),
    ("repeat_interleave_t", lambda lib, a: a.repeat_interleave(
        lib.tensor(np.array([2, 0, 1])), dim=1), [r(2, 3)]),
    ("diagflat", lambda lib, a: lib.diagflat(a, 2), [r(2, 2)]),
    ("unflatten", lambda lib, a: a.unflatten(-1, (2, 2, -1)), [r(3, 8)]),
    ("ravel", lambda lib, a: lib.ravel(a.transpose(0, 1)), [r(2, 3)]),
    ("sum_to_size", lambda lib, a: a.sum_to_size(1, 3, 1), [r(2, 3, 4)]),
]  # fmt: skip


@pytest.mark.parametrize("call, arrays", [c[1:] for c in TORCH_CASES],
                         ids=[c[0] for c in TORCH_CASES])  # fmt: skip
def test_against_pytorch(call, arrays):
    torch = pytest.importorskip("torch")
    ours_in = [td.tensor(a, requires_grad=True) for a in arrays]
    theirs_in = [torch.tensor(a, requires_grad=True) for a in arrays]
    ours, theirs = call(td, *ours_in), call(torch, *theirs_in)
    ours = ours if isinstance(ours, tuple) else (ours,)
    theirs = theirs if isinstance(theirs, tuple) else (theirs,)
    assert [o.shape for o in ours] == [tuple(t.shape) for t in theirs]
    for o, t in zip(ours, theirs):
        np.testing.assert_allclose(o.data, t.detach().numpy())
        w = R.standard_normal(o.shape)
        (o * td.tensor(w)).sum().backward()
        (t * torch.tensor(w)).sum().backward()
    for a, b in zip(ours_in, theirs_in):
        np.testing.assert_allclose(a.grad.data, b.grad.numpy(), rtol=1e-10)


def test_questions_against_pytorch():
    torch = pytest.importorskip("torch")
    a = np.arange(24.0).reshape(2, 3, 4)
    views = [lambda x: x, lambda x: x.transpose(0, 2), lambda x: x[1:, :, 2:], lambda x: x[:, 1]]
    for view in views:
        ours, theirs = view(td.tensor(a)), view(torch.tensor(a))
        assert ours.stride() == theirs.stride()
        assert ours.is_contiguous() == theirs.is_contiguous()
        assert ours.storage_offset() == theirs.storage_offset()
        assert ours.nbytes == theirs.nbytes and ours.itemsize == theirs.itemsize
