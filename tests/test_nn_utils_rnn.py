"""nn.utils.rnn: padding and packing against NumPy and PyTorch (values, batch_sizes, indices,
gradients), gradcheck through pack/pad, and RNN/LSTM/GRU over a PackedSequence against
PyTorch's with the same weights (outputs, final states, gradients)."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_ds as td
from tinygrad_ds import nn
from tinygrad_ds.nn.utils.rnn import (
    PackedSequence,
    invert_permutation,
    pack_padded_sequence,
    pack_sequence,
    pad_packed_sequence,
    pad_sequence,
    unpack_sequence,
    unpad_sequence,
)

R = np.random.default_rng(11)


def seqs(lengths, feat=(3,), dtype=np.float64):
    return [td.Tensor(R.standard_normal((n, *feat)).astype(dtype), requires_grad=True)
            for n in lengths]  # fmt: skip


# ---------------------------------------------------------------------------------------------
# padding and packing: values against NumPy
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("side", ["right", "left"])
def test_pad_sequence_values(batch_first, side):
    xs = seqs([2, 4, 1], feat=(2,))
    out = pad_sequence(xs, batch_first=batch_first, padding_value=-1.0, padding_side=side)
    want = np.full((3, 4, 2), -1.0)
    for i, x in enumerate(xs):
        n = x.shape[0]
        if side == "right":
            want[i, :n] = x.data
        else:
            want[i, 4 - n :] = x.data
    np.testing.assert_array_equal(out.data, want if batch_first else want.transpose(1, 0, 2))
    out.sum().backward()
    assert all(np.array_equal(x.grad.data, np.ones_like(x.data)) for x in xs)


def test_pack_padded_sorted_values():
    padded = td.Tensor(np.arange(12.0).reshape(4, 3))  # (L=4, N=3)
    p = pack_padded_sequence(padded, [4, 2, 1])
    np.testing.assert_array_equal(p.data.data, [0, 1, 2, 3, 4, 6, 9])
    np.testing.assert_array_equal(p.batch_sizes.data, [3, 2, 1, 1])
    assert p.batch_sizes.dtype == np.int64 and p.sorted_indices is None
    assert p.unsorted_indices is None and isinstance(p, tuple)
    back, lengths = pad_packed_sequence(p, padding_value=-5.0)
    want = padded.data.copy()
    want[2:, 1], want[1:, 2] = -5, -5
    np.testing.assert_array_equal(back.data, want)
    np.testing.assert_array_equal(lengths.data, [4, 2, 1])
    assert lengths.dtype == np.int64


def test_invert_permutation_and_unsorted_round_trip():
    np.testing.assert_array_equal(invert_permutation(td.Tensor(np.array([2, 0, 1]))).data,
                                  [1, 2, 0])  # fmt: skip
    assert invert_permutation(None) is None
    xs = seqs([2, 5, 3])
    p = pack_sequence(xs, enforce_sorted=False)
    np.testing.assert_array_equal(p.sorted_indices.data, [1, 2, 0])
    np.testing.assert_array_equal(p.unsorted_indices.data, [2, 0, 1])
    for x, y in zip(xs, unpack_sequence(p)):
        np.testing.assert_array_equal(x.data, y.data)
    padded = pad_sequence(xs, batch_first=True)
    for x, y in zip(xs, unpad_sequence(padded, td.Tensor(np.array([2, 5, 3])), True)):
        np.testing.assert_array_equal(x.data, y.data)


def test_total_length_and_dtype():
    xs = seqs([3, 1], dtype=np.float32)
    p = pack_sequence(xs)
    assert p.data.dtype == np.float32
    out, lengths = pad_packed_sequence(p, batch_first=True, total_length=5)
    assert out.shape == (2, 5, 3) and out.dtype == np.float32
    assert not out.data[:, 3:].any()
    assert p.double().data.dtype == np.float64


def test_gradcheck_through_pack_and_pad():
    x = td.Tensor(R.standard_normal((4, 3, 2)), requires_grad=True)

    def f(x):
        p = pack_padded_sequence(x, [2, 4, 1], enforce_sorted=False)
        return pad_packed_sequence(p, batch_first=True, padding_value=0.5)[0] * 2

    assert td.gradcheck(f, [x])


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: pad_sequence([]), ValueError, "empty list"),
        (lambda: pad_sequence([td.ones(2, 3), td.ones(2, 4)]), ValueError, "trailing shape"),
        (lambda: pad_sequence([td.ones(2)], padding_side="up"), ValueError, "padding_side"),
        (lambda: pack_padded_sequence(td.ones(3, 2), [3, 3, 1]), ValueError, "batch_size=2"),
        (lambda: pack_padded_sequence(td.ones(3, 2), [1, 3]), RuntimeError, "decreasing"),
        (lambda: pack_padded_sequence(td.ones(3, 2), [3, 0]), RuntimeError, "greater than 0"),
        (lambda: pack_padded_sequence(td.ones(3, 2), [4, 1]), ValueError, "exceeds"),
        (lambda: pack_padded_sequence(td.ones(3, 2), [1.5, 1.0]), TypeError, "lengths"),
        (lambda: pad_packed_sequence(pack_sequence([td.ones(3, 1)]), total_length=2),
         ValueError, "total_length=2 and max sequence length being 3"),
        (lambda: pad_packed_sequence(td.ones(3)), TypeError, "PackedSequence"),
        (lambda: PackedSequence(td.ones(3)), ValueError, "batch_sizes"),
    ],
)  # fmt: skip
def test_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()


# ---------------------------------------------------------------------------------------------
# against PyTorch
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("enforce_sorted", [False, True])
def test_pack_pad_against_torch(batch_first, enforce_sorted):
    torch = pytest.importorskip("torch")
    tu = torch.nn.utils.rnn
    lengths = [5, 3, 3, 1] if enforce_sorted else [3, 5, 1, 3]
    x = R.standard_normal((4, 5, 2) if batch_first else (5, 4, 2))
    ours = td.Tensor(x, requires_grad=True)
    theirs = torch.tensor(x, requires_grad=True)
    p = pack_padded_sequence(ours, lengths, batch_first, enforce_sorted)
    q = tu.pack_padded_sequence(theirs, torch.tensor(lengths), batch_first, enforce_sorted)
    np.testing.assert_allclose(p.data.data, q.data.detach().numpy())
    np.testing.assert_array_equal(p.batch_sizes.data, q.batch_sizes.numpy())
    for a, b in [(p.sorted_indices, q.sorted_indices), (p.unsorted_indices, q.unsorted_indices)]:
        assert (a is None) == (b is None)
        if a is not None:
            np.testing.assert_array_equal(a.data, b.numpy())
    out, lens = pad_packed_sequence(p, batch_first, 2.0, total_length=6)
    tout, tlens = tu.pad_packed_sequence(q, batch_first, 2.0, total_length=6)
    np.testing.assert_allclose(out.data, tout.detach().numpy())
    np.testing.assert_array_equal(lens.data, tlens.numpy())
    w = R.standard_normal(out.shape)
    (out * td.Tensor(w)).sum().backward()
    (tout * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(ours.grad.data, theirs.grad.numpy())


def test_pad_sequence_against_torch():
    torch = pytest.importorskip("torch")
    xs = [R.standard_normal((n, 2)) for n in (2, 4, 3)]
    for bf in (False, True):
        for side in ("left", "right"):
            ours = pad_sequence([td.Tensor(x) for x in xs], bf, 1.5, side)
            theirs = torch.nn.utils.rnn.pad_sequence([torch.tensor(x) for x in xs], bf, 1.5, side)
            np.testing.assert_array_equal(ours.data, theirs.numpy())


def _pair(torch, name, num_layers, batch_first):
    ours = getattr(nn, name)(3, 4, num_layers=num_layers, batch_first=batch_first,
                             dtype=np.float64)  # fmt: skip
    theirs = getattr(torch.nn, name)(3, 4, num_layers=num_layers, batch_first=batch_first,
                                     dtype=torch.float64)  # fmt: skip
    theirs.load_state_dict({k: torch.tensor(v.data) for k, v in ours.state_dict().items()})
    return ours, theirs


@pytest.mark.parametrize("name", ["RNN", "LSTM", "GRU"])
@pytest.mark.parametrize("num_layers, batch_first, enforce_sorted, with_hx", [
    (1, False, True, False), (2, True, False, True), (2, False, False, False),
    (1, True, False, True),
])  # fmt: skip
def test_rnn_packed_against_torch(name, num_layers, batch_first, enforce_sorted, with_hx):
    torch = pytest.importorskip("torch")
    tu = torch.nn.utils.rnn
    ours, theirs = _pair(torch, name, num_layers, batch_first)
    lengths = [4, 3, 3, 1] if enforce_sorted else [2, 4, 1, 3]
    x = R.standard_normal((4, 4, 3))
    xa, xb = td.Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    pa = pack_padded_sequence(xa, lengths, batch_first, enforce_sorted)
    pb = tu.pack_padded_sequence(xb, torch.tensor(lengths), batch_first, enforce_sorted)
    hx_a = hx_b = None
    if with_hx:
        h0 = [R.standard_normal((num_layers, 4, 4)) for _ in range(2 if name == "LSTM" else 1)]
        hx_a = [td.Tensor(h, requires_grad=True) for h in h0]
        hx_b = [torch.tensor(h, requires_grad=True) for h in h0]
        hx_a, hx_b = (tuple(hx_a), tuple(hx_b)) if name == "LSTM" else (hx_a[0], hx_b[0])
    out_a, fin_a = ours(pa, hx_a)
    out_b, fin_b = theirs(pb, hx_b)
    assert isinstance(out_a, PackedSequence)
    np.testing.assert_allclose(out_a.data.data, out_b.data.detach().numpy(), atol=1e-12)
    fin_a = fin_a if name == "LSTM" else (fin_a,)
    fin_b = fin_b if name == "LSTM" else (fin_b,)
    for a, b in zip(fin_a, fin_b):
        assert a.shape == tuple(b.shape)
        np.testing.assert_allclose(a.data, b.detach().numpy(), atol=1e-12)
    pad_a = pad_packed_sequence(out_a, batch_first)[0]
    pad_b = tu.pad_packed_sequence(out_b, batch_first)[0]
    w = R.standard_normal(pad_a.shape)
    wf = [R.standard_normal(a.shape) for a in fin_a]
    loss_a = (pad_a * td.Tensor(w)).sum() + sum((a * td.Tensor(v)).sum() for a, v in zip(fin_a, wf))
    loss_b = (pad_b * torch.tensor(w)).sum() + sum((b * torch.tensor(v)).sum()
                                                   for b, v in zip(fin_b, wf))  # fmt: skip
    loss_a.backward()
    loss_b.backward()
    np.testing.assert_allclose(xa.grad.data, xb.grad.numpy(), atol=1e-10)
    for (k, p), (_, q) in zip(ours.named_parameters(), theirs.named_parameters()):
        np.testing.assert_allclose(p.grad.data, q.grad.numpy(), atol=1e-10, err_msg=k)
    if with_hx:
        for a, b in zip(hx_a if name == "LSTM" else (hx_a,), hx_b if name == "LSTM" else (hx_b,)):
            np.testing.assert_allclose(a.grad.data, b.grad.numpy(), atol=1e-10)


def test_rnn_packed_gradcheck_and_errors():
    gru = nn.GRU(2, 3, dtype=np.float64)
    x = td.Tensor(R.standard_normal((3, 2, 2)), requires_grad=True)

    def f(x):
        out, h = gru(pack_padded_sequence(x, [1, 3], enforce_sorted=False))
        return pad_packed_sequence(out)[0].sum() + h.sum()

    assert td.gradcheck(f, [x])
    with pytest.raises(ValueError, match=r"GRU\(2, 3\): expected packed data of shape"):
        gru(pack_sequence([td.ones(2, 5)]))
    with pytest.raises(ValueError, match="initial state of shape"):
        gru(pack_sequence([td.ones(2, 2)]), td.zeros(1, 2, 3))
