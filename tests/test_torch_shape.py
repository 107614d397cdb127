"""PyTorch's shape and indexing methods (torch_api/shape.py) and the package functions
(torch_api/shape_functions.py): values against NumPy closed forms, gradients against central
differences in float64 (first and second order), dtypes, errors by message, and values and
gradients against PyTorch when it is installed."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import check_op

import tinygrad_ds as td
from tinygrad_ds.torch_api import shape_functions
from tinygrad_ds.torch_api.shape import TorchShape

R = np.random.default_rng(21)


def r(*shape):
    return R.standard_normal(shape)


def np_diag_embed(a, offset=0, dim1=-2, dim2=-1):
    """Diagonal matrices out[..., i, i + offset] = a[..., i] in dims dim1, dim2 of the result."""
    n, k = a.shape[-1], abs(offset)
    out = np.zeros(a.shape[:-1] + (n + k, n + k))
    i = np.arange(n)
    out[..., i + max(-offset, 0), i + max(offset, 0)] = a
    return np.moveaxis(out, (-2, -1), (dim1, dim2))


def np_unfold(a, axis, size, step):
    """Windows of `size` every `step` along `axis`, as a last dim (NumPy's sliding windows)."""
    windows = np.lib.stride_tricks.sliding_window_view(a, size, axis)
    return windows[(slice(None),) * axis + (slice(None, None, step),)]


IDX = np.array([2, 0, 2, 2])  # repeats: their gradients add up
TAKE = np.array([[0, -1, 5], [5, 11, -12]])
ALONG = np.array([[[1], [-1], [0]], [[0], [0], [3]]])  # (2, 3, 1), along dim 2 of (2, 3, 4)
MASK = np.array([True, False, True, True])  # broadcast over the rows of a (3, 4)

DIFFERENTIABLE = [
    # name, fn, reference, inputs (float64, all require grad)
    ("diagonal", lambda a: a.diagonal(), np.diagonal, [r(3, 4)]),
    ("diagonal_offset_above", lambda a: a.diagonal(2), lambda a: np.diagonal(a, 2), [r(3, 4)]),
    ("diagonal_offset_below", lambda a: a.diagonal(-1), lambda a: np.diagonal(a, -1), [r(3, 4)]),
    ("diagonal_beyond_the_edge", lambda a: a.diagonal(5), lambda a: np.diagonal(a, 5), [r(3, 4)]),
    ("diagonal_3d_neg_dims", lambda a: a.diagonal(1, -1, 0),
     lambda a: np.diagonal(a, 1, 2, 0), [r(3, 2, 4)]),
    ("diagonal_dims_swapped", lambda a: a.diagonal(-1, 1, 0),
     lambda a: np.diagonal(a, -1, 1, 0), [r(3, 4)]),
    ("trace", lambda a: a.trace(), np.trace, [r(3, 4)]),
    ("diag_vector", lambda a: a.diag(), np.diag, [r(3)]),
    ("diag_vector_above", lambda a: a.diag(2), lambda a: np.diag(a, 2), [r(3)]),
    ("diag_vector_below", lambda a: a.diag(-1), lambda a: np.diag(a, -1), [r(3)]),
    ("diag_matrix", lambda a: a.diag(-1), lambda a: np.diag(a, -1), [r(3, 4)]),
    ("diag_embed", lambda a: a.diag_embed(), np_diag_embed, [r(2, 3)]),
    ("diag_embed_offset_dims", lambda a: a.diag_embed(1, 0, 2),
     lambda a: np_diag_embed(a, 1, 0, 2), [r(2, 3)]),
    ("diag_embed_below_swapped", lambda a: a.diag_embed(-2, -1, 1),
     lambda a: np_diag_embed(a, -2, -1, 1), [r(2, 3)]),
    ("tril", lambda a: a.tril(), np.tril, [r(3, 4)]),
    ("tril_batched_offset", lambda a: a.tril(1), lambda a: np.tril(a, 1), [r(2, 3, 4)]),
    ("triu", lambda a: a.triu(), np.triu, [r(4, 3)]),
    ("triu_batched_below", lambda a: a.triu(-1), lambda a: np.triu(a, -1), [r(2, 3, 3)]),
    ("roll_flat", lambda a: a.roll(5), lambda a: np.roll(a, 5), [r(3, 4)]),
    ("roll_dim", lambda a: a.roll(-1, 1), lambda a: np.roll(a, -1, 1), [r(3, 4)]),
    ("roll_tuples", lambda a: a.roll((1, 7), (0, -1)), lambda a: np.roll(a, (1, 7), (0, 2)),
     [r(2, 3, 4)]),
    ("roll_same_dim_twice", lambda a: a.roll((1, 1), (0, 0)), lambda a: np.roll(a, 2, 0),
     [r(3, 2)]),
    ("tile_fewer_dims", lambda a: a.tile(2), lambda a: np.tile(a, 2), [r(2, 3)]),
    ("tile_more_dims", lambda a: a.tile((2, 1, 3)), lambda a: np.tile(a, (2, 1, 3)), [r(2, 3)]),
    ("unbind", lambda a: a.unbind(1)[2], lambda a: a[:, 2], [r(2, 3)]),
    ("narrow", lambda a: a.narrow(1, 1, 2), lambda a: a[:, 1:3], [r(2, 4)]),
    ("narrow_neg_start", lambda a: a.narrow(-1, -3, 2), lambda a: a[:, 1:3], [r(2, 4)]),
    ("select", lambda a: a.select(1, -1), lambda a: a[:, -1], [r(2, 3, 4)]),
    ("movedim", lambda a: a.movedim(0, -1), lambda a: np.moveaxis(a, 0, -1), [r(2, 3, 4)]),
    ("moveaxis_tuples", lambda a: a.moveaxis((0, 1), (2, 0)),
     lambda a: np.moveaxis(a, (0, 1), (2, 0)), [r(2, 3, 4)]),
    ("swapaxes", lambda a: a.swapaxes(0, 2), lambda a: np.swapaxes(a, 0, 2), [r(2, 3, 4)]),
    ("swapdims", lambda a: a.swapdims(-1, 1), lambda a: np.swapaxes(a, 1, 2), [r(2, 3, 4)]),
    ("view_as", lambda a: a.view_as(td.zeros(3, 2)), lambda a: a.reshape(3, 2), [r(2, 3)]),
    ("reshape_as", lambda a: a.reshape_as(np.zeros(6)), lambda a: a.reshape(6), [r(2, 3)]),
    ("expand_as", lambda a: a.expand_as(td.zeros(2, 3, 4)),
     lambda a: np.broadcast_to(a, (2, 3, 4)), [r(3, 1)]),
    ("fliplr", lambda a: a.fliplr(), np.fliplr, [r(2, 3, 2)]),
    ("flipud", lambda a: a.flipud(), np.flipud, [r(3, 2)]),
    ("rot90", lambda a: a.rot90(), np.rot90, [r(2, 3)]),
    ("rot90_k2", lambda a: a.rot90(2), lambda a: np.rot90(a, 2), [r(2, 3)]),
    ("rot90_k3_dims", lambda a: a.rot90(3, (2, 0)), lambda a: np.rot90(a, 3, (2, 0)),
     [r(2, 3, 4)]),
    ("rot90_negative_k", lambda a: a.rot90(-1, [1, -1]), lambda a: np.rot90(a, -1, (1, 2)),
     [r(2, 3, 4)]),
    ("index_select_repeats", lambda a: a.index_select(1, IDX),
     lambda a: np.take(a, IDX, 1), [r(2, 3)]),
    ("index_select_0d_index", lambda a: a.index_select(0, td.tensor(1)), lambda a: a[[1]],
     [r(2, 3)]),
    ("take", lambda a: a.take(TAKE), lambda a: np.take(a, TAKE), [r(3, 4)]),
    ("take_along_dim", lambda a: a.take_along_dim(ALONG, 2),
     lambda a: np.take_along_axis(a, ALONG, 2), [r(2, 3, 4)]),
    ("take_along_dim_broadcast", lambda a: a.take_along_dim(ALONG[:1, :, :], -1),
     lambda a: np.take_along_axis(a, ALONG[:1], 2), [r(2, 3, 4)]),
    ("take_along_dim_flat", lambda a: a.take_along_dim([[3, 0], [0, 5]]),
     lambda a: a.reshape(-1)[[3, 0, 0, 5]], [r(2, 3)]),
    ("masked_select", lambda a: a.masked_select(MASK), lambda a: np.broadcast_to(a, (3, 4))[
     np.broadcast_to(MASK, (3, 4))], [r(3, 1)]),
    ("diff", lambda a: a.diff(), np.diff, [r(3, 4)]),
    ("diff_n2_dim0", lambda a: a.diff(2, 0), lambda a: np.diff(a, 2, 0), [r(4, 3)]),
    ("diff_prepend_append", lambda a, p, q: a.diff(2, 1, p, q),
     lambda a, p, q: np.diff(a, 2, 1, prepend=p, append=q), [r(2, 3), r(2, 1), r(2, 2)]),
    ("diff_n_too_large", lambda a: a.diff(4), lambda a: np.diff(a, 4), [r(2, 3)]),
    ("unfold", lambda a: a.unfold(1, 3, 1), lambda a: np_unfold(a, 1, 3, 1), [r(2, 5)]),
    ("unfold_step", lambda a: a.unfold(0, 2, 2), lambda a: np_unfold(a, 0, 2, 2), [r(5, 3)]),
    ("unfold_3d_step3", lambda a: a.unfold(-2, 2, 3), lambda a: np_unfold(a, 1, 2, 3),
     [r(2, 6, 2)]),
    ("td_diag", td.diag, np.diag, [r(3, 3)]),
    ("td_diagonal", lambda a: td.diagonal(a, 0, 1, 2), lambda a: np.diagonal(a, 0, 1, 2),
     [r(2, 3, 3)]),
    ("td_trace_tril_triu", lambda a: td.trace(td.tril(a) + td.triu(a, 1) * 2),
     lambda a: np.trace(a), [r(3, 3)]),
    ("td_diag_embed", lambda a: td.diag_embed(a, -1), lambda a: np_diag_embed(a, -1), [r(3)]),
    ("td_roll_tile", lambda a: td.tile(td.roll(a, 1, 0), (2,)),
     lambda a: np.tile(np.roll(a, 1, 0), 2), [r(3)]),
    ("td_unbind_narrow_select", lambda a: td.unbind(td.narrow(a, 0, 1, 1))[0] + td.select(a, 1, 0),
     lambda a: a[1] + a[:, 0], [r(3, 3)]),
    ("td_movedim_swapaxes", lambda a: td.swapaxes(td.movedim(a, 0, 1), 0, 2) + td.swapdims(
     td.moveaxis(a, 2, 0), 1, 2), lambda a: np.transpose(a, (2, 0, 1))
     + np.transpose(a, (2, 1, 0)), [r(2, 2, 2)]),
    ("td_flips_and_rot90", lambda a: td.fliplr(a) + td.flipud(a) + td.rot90(a, 2) + td.flip(a, 0),
     lambda a: np.fliplr(a) + 2 * np.flipud(a) + np.rot90(a, 2), [r(3, 3)]),
    ("td_taking", lambda a: td.index_select(a, 0, [1]).sum() + td.take(a, [0, 0]).sum()
     + td.take_along_dim(a, [[1]], 1).sum() + td.masked_select(a, a > 0).sum()
     + td.gather(a, 0, [[0]]).sum(), lambda a: a[1].sum() + 3 * a[0, 0] + a[:, 1].sum()
     + a[a > 0].sum(), [r(2, 2)]),
    ("td_diff", lambda a: td.diff(a, 1, 0, append=[[1.0]]), lambda a: np.diff(a, 1, 0, append=1),
     [r(3, 1)]),
    ("td_split_chunk", lambda a: td.split(a, [1, 2], 1)[1] * td.chunk(a, 2, 1)[1][:, :1],
     lambda a: a[:, 1:] * a[:, 2:], [r(2, 3)]),
    ("td_broadcast", lambda a, b: td.broadcast_tensors(a, b)[0] * td.broadcast_to(b, (2, 3)),
     lambda a, b: a * b, [r(2, 1), r(3)]),
    ("td_meshgrid_ij", lambda a, b: td.stack(td.meshgrid(a, b, indexing="ij")),
     lambda a, b: np.stack(np.meshgrid(a, b, indexing="ij")), [r(2), r(3)]),
    ("td_meshgrid_xy", lambda a, b, c: td.stack(td.meshgrid([a, b, c], indexing="xy")),
     lambda a, b, c: np.stack(np.meshgrid(a, b, c)), [r(2), r(3), r(4)]),
]  # fmt: skip


@pytest.mark.parametrize(
    "fn, reference, arrays",
    [row[1:] for row in DIFFERENTIABLE],
    ids=[row[0] for row in DIFFERENTIABLE],
)
def test_value_and_gradient(fn, reference, arrays):
    check_op(fn, reference, arrays)


SECOND_ORDER = [  # one per family: diagonals, triangles, reordering, taking, windows
    lambda a: a.diagonal(1).sin().sum() + a.diag_embed(-1).diagonal(-1, 1, 2).exp().sum(),
    lambda a: (a.tril(-1) * a.triu()).sum() + a.trace() ** 2,
    lambda a: (a.roll(1, 0) * a.rot90() ** 2).sum() + (a.movedim(0, 1) * a).sum(),
    lambda a: (
        (a.index_select(0, [1, 1, 0]) ** 2).sum()
        + (a.take([[0, 8]]) ** 2).sum()
        + a.take_along_dim(np.array([[2], [0], [1]]), 1).exp().sum()
    ),
    lambda a: (a.unfold(1, 2, 1) ** 3).sum() + a.diff(2).sin().sum(),
]


@pytest.mark.parametrize("fn", SECOND_ORDER)
def test_second_derivatives(fn):
    x = td.Tensor(r(3, 3), requires_grad=True)

    def first(t):  # sum of the recorded gradient times a fixed weight
        (g,) = td.grad(fn(t), [t], create_graph=True)
        return (g * td.Tensor(np.arange(9.0).reshape(3, 3))).sum()

    assert td.gradcheck(first, [x])


# -- gradients spelled out -------------------------------------------------------------------


def test_triangles_gradient_is_the_mask_and_diagonals_gradient_the_identity():
    x = td.Tensor(r(2, 3, 4), requires_grad=True)
    (x.tril(1) + 2 * x.triu(2)).sum().backward()
    expected = np.tri(3, 4, 1) + 2 * (1 - np.tri(3, 4, 1))
    np.testing.assert_array_equal(x.grad.data, np.broadcast_to(expected, (2, 3, 4)))
    m = td.Tensor(r(3, 3), requires_grad=True)
    m.trace().backward()
    np.testing.assert_array_equal(m.grad.data, np.eye(3))


def test_repeats_and_overlapping_windows_add_up_their_gradients():
    x = td.Tensor(np.arange(5.0), requires_grad=True)
    x.unfold(0, 3, 1).sum().backward()  # windows [0:3], [1:4], [2:5]
    np.testing.assert_array_equal(x.grad.data, [1, 2, 3, 2, 1])
    x.grad = None
    x.index_select(0, [4, 0, 4, 4]).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [1, 0, 0, 0, 3])
    x.grad = None
    x.take([[-1, 4], [1, 1]]).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [0, 2, 0, 0, 2])
    x.grad = None
    x.unfold(0, 2, 3).sum().backward()  # windows [0:2], [3:5]: element 2 is in none
    np.testing.assert_array_equal(x.grad.data, [1, 1, 0, 1, 1])


def test_meshgrid_and_broadcast_gradients_sum_over_the_copies():
    a, b = td.Tensor([1.0, 2.0], requires_grad=True), td.Tensor([3.0, 4.0, 5.0], requires_grad=True)
    gx, gy = td.meshgrid(a, b, indexing="xy")
    assert gx.shape == gy.shape == (3, 2) and gx.tolist() == [[1, 2]] * 3
    (gx * gy).sum().backward()
    np.testing.assert_allclose(a.grad.data, [12, 12])
    np.testing.assert_allclose(b.grad.data, [3, 3, 3])
    (c,) = td.meshgrid(td.Tensor([1.0, 2.0]), indexing="xy")  # one tensor: nothing to swap
    assert c.shape == (2,)
    s, t = td.meshgrid(td.tensor(7), td.arange(3))  # a 0-d tensor counts as one value
    assert s.shape == t.shape == (1, 3) and s.tolist() == [[7] * 3] and t.dtype == np.int64


# -- dtypes, shapes and copies ---------------------------------------------------------------


def test_float32_stays_float32_and_integers_and_bools_keep_their_dtype():
    x = td.Tensor(r(3, 4).astype(np.float32), requires_grad=True)
    outs = [x.diagonal(), x.trace(), x.diag(), x[0].diag(1), x.diag_embed(), x.tril(), x.triu(),
            x.roll(1), x.tile(2), x.unbind()[0], x.narrow(0, 0, 1), x.select(0, 1),
            x.movedim(0, 1), x.rot90(), x.fliplr(), x.index_select(0, [0]), x.take([1]),
            x.take_along_dim(np.array([[0]]), 1), x.masked_select(x > 0), x.diff(),
            x.unfold(1, 2, 1), td.einsum("ii->i", x[:, :3])]  # fmt: skip
    assert all(o.dtype == np.float32 and o.requires_grad for o in outs)
    i = td.Tensor(np.arange(9, dtype=np.int32).reshape(3, 3))
    assert i.tril().dtype == i.diag().dtype == i.diag_embed().dtype == i.diff().dtype == np.int32
    assert i.trace().dtype == np.int64 and i.trace().item() == 12  # as PyTorch's
    b = td.Tensor(np.array([[True, True], [False, True]]))
    assert b.triu().tolist() == [[True, True], [False, True]] and b.tril().dtype == np.bool_
    assert b.diag_embed().dtype == np.bool_ and b.rot90().dtype == np.bool_
    assert td.Tensor([True, False, False, True]).diff().tolist() == [True, False, True]


def test_nonzero_is_an_int64_constant():
    x = td.Tensor([[0.0, 1.5, 0.0], [2.0, 0.0, -1.0]], requires_grad=True)
    n = x.nonzero()
    assert n.dtype == np.int64 and not n.requires_grad and n.tolist() == [[0, 1], [1, 0], [1, 2]]
    rows, cols = x.nonzero(as_tuple=True)
    assert rows.tolist() == [0, 1, 1] and cols.tolist() == [1, 0, 2] and rows.dtype == np.int64
    assert td.Tensor(3.0).nonzero().shape == (1, 0) and td.Tensor(0.0).nonzero().shape == (0, 0)
    assert [t.tolist() for t in td.Tensor(3.0).nonzero(as_tuple=True)] == [[0]]
    assert td.nonzero(td.zeros(2, 2), as_tuple=True)[1].shape == (0,)
    assert td.nonzero([True, False, True]).tolist() == [[0], [2]]


def test_copies_views_and_empty_results():
    x = td.Tensor(np.arange(12.0).reshape(3, 4))
    for y in (x.roll(0), x.roll(4, 1), x.roll(12), x.rot90(4), x.rot90(), x.diagonal(),
              x.tril(), x.tile(1)):  # fmt: skip
        assert not np.shares_memory(y.data, x.data)
    for y in (x.narrow(1, 1, 2), x.select(0, 1), x.movedim(0, 1), x.swapaxes(0, 1),
              x.view_as(td.zeros(4, 3)), x.unbind()[1]):  # fmt: skip
        assert np.shares_memory(y.data, x.data)
    assert x.diagonal(4).shape == (0,) and x.diagonal(-3).shape == (0,)
    assert x.narrow(1, 4, 0).shape == (3, 0) and x.unfold(1, 0, 1).shape == (3, 5, 0)
    assert x.index_select(0, []).shape == (0, 4) and x.take([]).shape == (0,)
    assert x.diff(9).shape == (3, 0) and x.diff(0) is x
    assert td.zeros(0, 3).roll(1, 0).shape == (0, 3) and td.zeros(0, 2).tril().shape == (0, 2)
    assert td.Tensor(5.0).unfold(0, 1, 1).tolist() == [5.0] and td.Tensor(2.0).roll(3).item() == 2
    assert td.Tensor(2.0).tile(2, 2).tolist() == [[2, 2], [2, 2]] and x.tile().shape == (3, 4)
    assert (
        td.Tensor(2.0).movedim(0, -1).item() == 2 and td.Tensor(5.0).index_select(0, 0).shape == ()
    )
    assert td.Tensor(2.0).masked_select(np.array(True)).tolist() == [2.0]
    assert td.broadcast_tensors() == () and td.zeros(2, 1).expand_as(np.zeros((2, 3))).shape == (
        2,
        3,
    )


# -- errors ----------------------------------------------------------------------------------

X = td.zeros(3, 4)
ERRORS = [
    # call, error, message
    (lambda: X.diagonal(0, 1, -1), ValueError,
     r"diagonal: dim1 and dim2 are both 1 for a tensor of shape \(3, 4\)"),
    (lambda: X.diagonal(0, 0, 2), IndexError,
     r"diagonal: axis 2 is out of range for a tensor of 2 dims \(shape \(3, 4\)\)"),
    (lambda: td.zeros(3).diagonal(), ValueError,
     r"diagonal: expects a tensor of at least 2 dims, got shape \(3,\)"),
    (lambda: X.diagonal(1.5), TypeError, r"diagonal: offset must be an int, got 1.5 \(float\)"),
    (lambda: td.zeros(2, 2, 2).trace(), ValueError,
     r"trace: expects a matrix \(2-D\), got shape \(2, 2, 2\)"),
    (lambda: td.zeros(2, 2, 2).diag(), ValueError,
     r"diag: expects a 1-D or 2-D tensor, got shape \(2, 2, 2\)"),
    (lambda: td.tensor(1.0).diag(), ValueError, r"diag: expects a 1-D or 2-D tensor, got shape"),
    (lambda: X.diag_embed(0, 0, -3), ValueError, r"diag_embed: dim1 and dim2 are both 0"),
    (lambda: X.diag_embed(0, 0, 3), IndexError, r"diag_embed: axis 3 is out of range for a "
     r"tensor of 3 dims \(shape \(3, 4\)\)"),
    (lambda: td.tensor(1.0).diag_embed(), ValueError,
     r"diag_embed: expects a tensor of at least 1 dim, got shape \(\)"),
    (lambda: td.zeros(3).tril(), ValueError,
     r"tril: expects a tensor of at least 2 dims, got shape \(3,\)"),
    (lambda: X.triu(True), TypeError, r"triu: diagonal must be an int, got True \(bool\)"),
    (lambda: X.roll((1, 2)), ValueError, r"roll: without dims, shifts must be one int .* got "
     r"\(1, 2\) for shape \(3, 4\)"),
    (lambda: X.roll(1, (0, 1)), ValueError, r"roll: shifts 1 and dims \(0, 1\) must have the "
     r"same length"),
    (lambda: X.roll(1, 2), IndexError, r"roll: axis 2 is out of range .* \(shape \(3, 4\)\)"),
    (lambda: X.roll(0.5), TypeError, r"roll: shifts must be an int, got 0.5"),
    (lambda: X.tile(-1), ValueError, r"tile: sizes must be >= 0, got -1"),
    (lambda: X.tile(2.0), TypeError, r"tile: sizes must be ints"),
    (lambda: td.tensor(1.0).unbind(), ValueError, r"unbind: a 0-d tensor has no dim"),
    (lambda: X.unbind(2), IndexError, r"unbind: axis 2 is out of range"),
    (lambda: X.narrow(1, 5, 0), IndexError, r"narrow: start 5 is out of range for dim 1 of "
     r"size 4 \(shape \(3, 4\)\); it must be in \[-4, 4\]"),
    (lambda: X.narrow(1, 3, 2), ValueError, r"narrow: start \(3\) \+ length \(2\) exceeds the "
     r"size 4 of dim 1 \(shape \(3, 4\)\)"),
    (lambda: X.narrow(1, 0, -1), ValueError, r"narrow: length must be >= 0, got -1"),
    (lambda: td.tensor(1.0).narrow(0, 0, 1), ValueError, r"narrow: cannot narrow a 0-d tensor"),
    (lambda: X.select(1, -5), IndexError, r"select: index -5 is out of range for dim 1 of size "
     r"4 \(shape \(3, 4\)\); it must be in \[-4, 4\)"),
    (lambda: X.select(0, 1.0), TypeError, r"select: index must be an int"),
    (lambda: td.tensor(1.0).select(0, 0), IndexError, r"select: cannot select from a 0-d"),
    (lambda: X.movedim((0, 1), (1,)), ValueError, r"movedim: source \(0, 1\) and destination "
     r"\(1,\) must name as many dims \(shape \(3, 4\)\)"),
    (lambda: X.movedim((0, -2), (0, 1)), ValueError, r"movedim: repeated dim in source \(0, -2\)"),
    (lambda: X.moveaxis(0, 2), IndexError, r"movedim: axis 2 is out of range"),
    (lambda: X.swapaxes(0, 2), IndexError, r"swapaxes: axis 2 is out of range .*\(3, 4\)"),
    (lambda: X.swapdims(-3, 0), IndexError, r"swapdims: axis -3 is out of range"),
    (lambda: X.view_as(td.zeros(5)), ValueError, r"view_as: cannot reshape a tensor of shape "
     r"\(3, 4\) \(12 elements\) into shape \(5,\)"),
    (lambda: X.reshape_as([1, 2]), TypeError, r"reshape_as: expected a tensor, got list"),
    (lambda: X.expand_as(td.zeros(3, 5)), ValueError,
     r"expand_as: cannot broadcast shape \(3, 4\) to \(3, 5\)"),
    (lambda: td.zeros(3).fliplr(), ValueError, r"fliplr: expects a tensor of at least 2 dims"),
    (lambda: td.tensor(1.0).flipud(), ValueError, r"flipud: expects a tensor of at least 1 dim,"),
    (lambda: X.rot90(1, (0, 0)), ValueError, r"rot90: dim1 and dim2 are both 0"),
    (lambda: X.rot90(1, (0,)), ValueError, r"rot90: dims must be a pair of dims, got \(0,\)"),
    (lambda: X.rot90(1.5), TypeError, r"rot90: k must be an int, got 1.5 \(float\)"),
    (lambda: X.rot90(1, (0, 2)), IndexError, r"rot90: axis 2 is out of range"),
    (lambda: td.zeros(3).rot90(), ValueError, r"rot90: expects a tensor of at least 2 dims"),
    (lambda: X.index_select(0, [[1]]), ValueError,
     r"index_select: the index must be 1-D \(or 0-d\), got shape \(1, 1\)"),
    (lambda: X.index_select(0, [1.0]), TypeError,
     r"index_select: the index must hold integers, not float64"),
    (lambda: X.index_select(0, [True]), TypeError, r"index_select: .* integers, not bool"),
    (lambda: X.index_select(0, [-1]), IndexError, r"index_select: index -1 is out of range for "
     r"dim 0 of size 3 \(shape \(3, 4\)\); indices must be in \[0, 3\)"),
    (lambda: X.index_select(1, [4]), IndexError, r"index_select: index 4 is out of range"),
    (lambda: td.zeros(0, 3).index_select(0, [0]), IndexError, r"index_select: index 0 is out "
     r"of range for dim 0 of size 0"),
    (lambda: X.take([-13]), IndexError, r"take: index -13 is out of range for a tensor of 12 "
     r"elements \(shape \(3, 4\)\); indices must be in \[-12, 12\)"),
    (lambda: X.take([[1.0]]), TypeError, r"take: the index must hold integers, not float64"),
    (lambda: X.take_along_dim([[-1]]), IndexError, r"take_along_dim: index -1 is out of range "
     r"for a tensor of 12 elements .*in \[0, 12\)"),
    (lambda: X.take_along_dim([[4]], 1), IndexError, r"take_along_dim: index 4 is out of range "
     r"for dim 1 of size 4 \(shape \(3, 4\)\); indices must be in \[-4, 4\)"),
    (lambda: X.take_along_dim([[1], [2]], 1), ValueError, r"take_along_dim: shapes \(3, 4\) and "
     r"\(2, 1\) do not broadcast outside dim 1"),
    (lambda: X.take_along_dim([1], 1), ValueError, r"take_along_dim: the indices must have as "
     r"many dims as the tensor, got shapes \(1,\) and \(3, 4\)"),
    (lambda: X.take_along_dim([[0.0]], 1), TypeError, r"take_along_dim: the indices must hold "
     r"integers, not float64"),
    (lambda: X.masked_select([1, 0, 1, 0]), TypeError,
     r"masked_select: the mask must be a bool tensor, not int64"),
    (lambda: X.masked_select(np.ones(2, bool)), ValueError, r"masked_select: a mask of shape "
     r"\(2,\) does not broadcast with the tensor's shape \(3, 4\)"),
    (lambda: X.diff(-1), ValueError, r"diff: n must be >= 0, got -1"),
    (lambda: td.tensor(1.0).diff(), ValueError, r"diff: expects a tensor of at least 1 dim,"),
    (lambda: X.diff(prepend=td.zeros(3)), ValueError, r"diff: prepend of shape \(3,\) must "
     r"match the tensor's shape \(3, 4\) in every dim but dim 1"),
    (lambda: X.diff(dim=0, append=td.zeros(1, 3)), ValueError, r"diff: append of shape \(1, 3\)"),
    (lambda: X.diff(2, 2), IndexError, r"diff: axis 2 is out of range"),
    (lambda: X.unfold(1, 5, 1), ValueError, r"unfold: size 5 is larger than dim 1 of size 4 "
     r"\(shape \(3, 4\)\)"),
    (lambda: X.unfold(1, 2, 0), ValueError, r"unfold: step must be positive, got 0"),
    (lambda: X.unfold(1, -1, 1), ValueError, r"unfold: size must be >= 0, got -1"),
    (lambda: X.unfold(2, 1, 1), IndexError, r"unfold: axis 2 is out of range"),
    (lambda: td.tensor(5.0).unfold(0, 2, 1), ValueError, r"unfold: size 2 is larger than dim 0 "
     r"of size 1"),
    (lambda: td.tensor(5.0).unfold(1, 1, 1), IndexError, r"unfold: axis 1 is out of range"),
    (lambda: td.meshgrid(td.zeros(2, 2)), ValueError,
     r"meshgrid: expects 0-d or 1-D tensors, got shape \(2, 2\)"),
    (lambda: td.meshgrid(td.zeros(2), indexing="ab"), ValueError,
     r"meshgrid: indexing must be 'ij' or 'xy', got 'ab'"),
    (lambda: td.meshgrid(td.zeros(2), td.arange(2)), TypeError,
     r"meshgrid: expects tensors of one dtype, got \['float32', 'int64'\]"),
    (lambda: td.meshgrid(), ValueError, r"meshgrid: expects at least one tensor"),
    (lambda: td.broadcast_tensors(td.zeros(2), td.zeros(3)), ValueError,
     r"broadcast_tensors: shapes \[\(2,\), \(3,\)\] do not broadcast"),
    (lambda: td.broadcast_to(td.zeros(2), (3,)), ValueError,
     r"broadcast_to: cannot broadcast shape \(2,\) to \(3,\)"),
    (lambda: td.broadcast_to(td.zeros(2), (2.0,)), TypeError, r"broadcast_to: sizes must be ints"),
    (lambda: td.diag("abc"), TypeError, r"diag: expected tensors, arrays or numbers, got str"),
    (lambda: td.take_along_dim(object(), [0]), TypeError, r"take_along_dim: expected tensors"),
]  # fmt: skip


@pytest.mark.parametrize("call, error, message", ERRORS)
def test_errors_name_the_method_and_the_fault(call, error, message):
    with pytest.raises(error, match=message):
        call()


# -- the names -------------------------------------------------------------------------------


def test_every_name_reaches_tensor_unshadowed():
    names = [n for n in vars(TorchShape) if not n.startswith("__")]
    public = ("diagonal trace diag_embed diag tril triu roll tile movedim moveaxis swapaxes "
              "swapdims view_as reshape_as expand_as fliplr flipud rot90 unbind narrow select "
              "index_select take take_along_dim masked_select nonzero diff unfold")  # fmt: skip
    assert sorted(n for n in names if not n.startswith("_")) == sorted(public.split())
    for name in names:
        assert name not in vars(td.Tensor), f"Tensor shadows TorchShape.{name}"
        assert getattr(td.Tensor, name) is getattr(TorchShape, name)
    assert td.Tensor.moveaxis is td.Tensor.movedim and not hasattr(td.zeros(1), "__dict__")
    for name in shape_functions.__all__:
        assert getattr(td, name) is getattr(shape_functions, name) and name in td.__all__
    assert td.moveaxis is td.movedim


def test_package_functions_take_arrays_and_lists():
    assert td.diag([1.0, 2.0]).tolist() == [[1, 0], [0, 2]]
    assert td.trace(np.eye(3)).item() == 3 and td.tril([[1, 2], [3, 4]]).tolist() == [
        [1, 0],
        [3, 4],
    ]
    assert td.roll([1, 2, 3], 1).tolist() == [3, 1, 2] and td.flip([1, 2], 0).tolist() == [2, 1]
    assert td.gather([[1, 2], [3, 4]], 1, [[1], [0]]).tolist() == [[2], [3]]
    assert [t.tolist() for t in td.chunk([1, 2, 3], 2)] == [[1, 2], [3]]
    assert td.broadcast_to(3.0, (2,)).tolist() == [3.0, 3.0]
    assert td.broadcast_to(td.zeros(2, 1), (-1, 3)).shape == (2, 3)


# -- against PyTorch -------------------------------------------------------------------------

TORCH_CASES = [
    # name, fn (the same call in both frameworks; `I` turns an int array into either index), shape
    ("diagonal", lambda x, I: x.diagonal(1, 2, 0), (3, 2, 4)),
    ("diagonal_below", lambda x, I: x.diagonal(-2, -1, -2), (2, 4, 3)),
    ("trace", lambda x, I: x.trace(), (3, 4)),
    ("diag", lambda x, I: x.diag(-1), (3, 4)),
    ("diag_of_vector", lambda x, I: x.diag(2), (3,)),
    ("diag_embed", lambda x, I: x.diag_embed(-1, 2, 0), (2, 3)),
    ("tril_triu", lambda x, I: x.tril(1) * 2 + x.triu(-1), (2, 3, 4)),
    ("roll", lambda x, I: x.roll((1, -5), (0, 2)), (2, 3, 4)),
    ("roll_flat", lambda x, I: x.roll(-3), (2, 3)),
    ("tile", lambda x, I: x.tile((2, 1, 2)), (2, 3)),
    ("unbind", lambda x, I: x.unbind(-1)[1] * x.unbind(-1)[0], (2, 3)),
    ("narrow_select", lambda x, I: x.narrow(1, -2, 2) * x.select(1, 0).unsqueeze(1), (2, 3)),
    ("movedim", lambda x, I: x.movedim((0, 2), (1, 0)), (2, 3, 4)),
    ("swap", lambda x, I: x.swapaxes(0, 1).swapdims(-1, 0), (2, 3, 4)),
    ("fliplr_flipud", lambda x, I: x.fliplr() * x.flipud(), (3, 3)),
    ("rot90", lambda x, I: x.rot90(3, (2, 1)) * 1 + x.rot90(-1, (2, 1)), (2, 3, 4)),
    ("rot90_k2", lambda x, I: x.rot90(2), (2, 3)),
    ("index_select", lambda x, I: x.index_select(1, I([2, 0, 2])), (2, 3)),
    ("take", lambda x, I: x.take(I([[0, -1], [5, 5]])), (2, 3)),
    ("take_along_dim", lambda x, I: x.take_along_dim(I([[[1], [-1], [0]]]), 2), (2, 3, 4)),
    ("take_along_dim_flat", lambda x, I: x.take_along_dim(I([[3, 0], [0, 5]])), (2, 3)),
    ("masked_select", lambda x, I: x.masked_select(I([[True], [False], [True]])), (3, 4)),
    ("diff", lambda x, I: x.diff(2, 0, append=x[:1] * 2), (4, 3)),
    ("unfold", lambda x, I: x.unfold(1, 3, 2), (2, 7)),
    ("trace_of_views", lambda x, I: x.T[:3].trace() + x[:3].diagonal().sum(), (3, 3)),
]  # fmt: skip


@pytest.mark.parametrize("fn, shape", [c[1:] for c in TORCH_CASES], ids=[c[0] for c in TORCH_CASES])
def test_against_torch(fn, shape):
    torch = pytest.importorskip("torch")
    a = r(*shape)
    x, t = td.Tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    out = fn(x, lambda v: np.array(v))
    ref = fn(t, lambda v: torch.tensor(v))
    np.testing.assert_allclose(out.data, ref.detach().numpy(), rtol=1e-12, atol=1e-12)
    g = r(*ref.shape)
    out.backward(td.Tensor(g))
    ref.backward(torch.tensor(g))
    np.testing.assert_allclose(x.grad.data, t.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_functions_against_torch():
    torch = pytest.importorskip("torch")
    a, b, c = r(2), r(3), r(4)
    for indexing in ("ij", "xy"):
        ours = td.meshgrid(td.Tensor(a), td.Tensor(b), td.Tensor(c), indexing=indexing)
        theirs = torch.meshgrid(torch.tensor(a), torch.tensor(b), torch.tensor(c),
                                indexing=indexing)  # fmt: skip
        for o, t in zip(ours, theirs):
            np.testing.assert_array_equal(o.data, t.numpy())
    m = np.array([[0.0, 1.0], [2.0, 0.0]])
    assert td.nonzero(m).tolist() == torch.nonzero(torch.tensor(m)).tolist()
    for o, t in zip(td.nonzero(m, as_tuple=True), torch.nonzero(torch.tensor(m), as_tuple=True)):
        assert o.tolist() == t.tolist()
    for o, t in zip(td.broadcast_tensors(a[:, None], b), torch.broadcast_tensors(
            torch.tensor(a[:, None]), torch.tensor(b))):  # fmt: skip
        np.testing.assert_array_equal(o.data, t.numpy())
    v = np.array([True, False, False, True])
    assert td.diff(v).tolist() == torch.diff(torch.tensor(v)).tolist()
    i = np.arange(9).reshape(3, 3)
    assert td.trace(i).item() == torch.trace(torch.tensor(i)).item()
