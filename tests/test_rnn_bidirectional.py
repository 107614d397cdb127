"""Bidirectional RNN/LSTM/GRU and LSTM's proj_size against PyTorch with the same weights
(outputs, final states, and the gradients of every parameter, of the input and of hx, in
float64) for padded, batch_first, unbatched and packed input; gradcheck and gradgradcheck;
PyTorch's state_dict keys, signatures, repr and initialisation; errors by message."""

from __future__ import annotations

import inspect
import math

import numpy as np
import pytest

import tinygrad_ds as td
from tinygrad_ds import nn
from tinygrad_ds.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

R = np.random.default_rng(17)
TOL = dict(rtol=1e-10, atol=1e-12)

LAYERS = [
    # id, class, options (besides num_layers and bidirectional)
    ("rnn_tanh", "RNN", {}),
    ("rnn_relu", "RNN", dict(nonlinearity="relu")),
    ("lstm", "LSTM", {}),
    ("gru", "GRU", {}),
    ("lstm_proj", "LSTM", dict(proj_size=2)),
]
IDS = [c[0] for c in LAYERS]
CASES = [c[1:] for c in LAYERS]


def r(*shape):
    return R.standard_normal(shape)


def pair(torch, cls, opts, theirs_to_ours):
    """Our layer and PyTorch's (3 inputs, 4 hidden, float64) with the same weights, copied
    from PyTorch's to ours or from ours to PyTorch's."""
    ours = getattr(nn, cls)(3, 4, dtype=np.float64, **opts)
    theirs = getattr(torch.nn, cls)(3, 4, dtype=torch.float64, **opts)
    if theirs_to_ours:
        ours.load_state_dict({k: v.detach().numpy().copy() for k, v in theirs.state_dict().items()})
    else:
        theirs.load_state_dict({k: torch.tensor(v.data) for k, v in ours.state_dict().items()})
    return ours, theirs


def state_shapes(cls, opts, batch):
    """PyTorch's hx shapes: (layers * directions, *batch, H) (h has proj_size columns)."""
    n = opts.get("num_layers", 1) * (2 if opts.get("bidirectional") else 1)
    h = (n, *batch, opts.get("proj_size") or 4)
    return [h, (n, *batch, 4)] if cls == "LSTM" else [h]


def leaves(torch, arrays):
    return ([td.Tensor(a, requires_grad=True) for a in arrays],
            [torch.tensor(a, requires_grad=True) for a in arrays])  # fmt: skip


def as_hx(parts, cls):
    if not parts:
        return None
    return tuple(parts) if cls == "LSTM" else parts[0]


def flat(state):
    return list(state) if isinstance(state, tuple) else [state]


def weighted_loss(tensors, weights, wrap):
    """sum_i (t_i * w_i).sum(): random weights, so every output entry's gradient is tested."""
    total = 0
    for t, w in zip(tensors, weights):
        total = total + (t * wrap(w)).sum()
    return total


def compare(torch, ours, theirs, outs_a, outs_b, inputs_a, inputs_b):
    """Same values; then, after backward of the same random weighting of every result, the
    same gradients of every parameter and of every input."""
    assert len(outs_a) == len(outs_b)
    for a, b in zip(outs_a, outs_b):
        assert a.shape == tuple(b.shape)
        np.testing.assert_allclose(a.data, b.detach().numpy(), **TOL)
    weights = [r(*a.shape) for a in outs_a]
    weighted_loss(outs_a, weights, td.Tensor).backward()
    weighted_loss(outs_b, weights, torch.tensor).backward()
    theirs_params = dict(theirs.named_parameters())
    names = [name for name, _ in ours.named_parameters()]
    assert names == list(theirs_params)
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(p.grad.data, theirs_params[name].grad.numpy(), **TOL,
                                   err_msg=name)  # fmt: skip
    for a, b in zip(inputs_a, inputs_b):
        np.testing.assert_allclose(a.grad.data, b.grad.numpy(), **TOL)


# ---------------------------------------------------------------------------------------------
# padded, batch_first and unbatched input against PyTorch
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("cls, extra", CASES, ids=IDS)
@pytest.mark.parametrize("bidirectional", [False, True], ids=["uni", "bi"])
@pytest.mark.parametrize("num_layers", [1, 2])
@pytest.mark.parametrize("layout", ["seq_first", "batch_first", "unbatched"])
@pytest.mark.parametrize("given_hx", [False, True], ids=["zero_hx", "given_hx"])
def test_layers_against_torch(cls, extra, bidirectional, num_layers, layout, given_hx):
    torch = pytest.importorskip("torch")
    opts = dict(extra, num_layers=num_layers, bidirectional=bidirectional,
                batch_first=layout == "batch_first")  # fmt: skip
    ours, theirs = pair(torch, cls, opts, theirs_to_ours=given_hx)
    shape = {"seq_first": (5, 3, 3), "batch_first": (3, 5, 3), "unbatched": (5, 3)}[layout]
    batch = () if layout == "unbatched" else (3,)
    arrays = [r(*shape)] + ([r(*s) for s in state_shapes(cls, opts, batch)] if given_hx else [])
    inputs_a, inputs_b = leaves(torch, arrays)
    out_a, state_a = ours(inputs_a[0], as_hx(inputs_a[1:], cls))
    out_b, state_b = theirs(inputs_b[0], as_hx(inputs_b[1:], cls))
    directions = 2 if bidirectional else 1
    assert out_a.shape[-1] == directions * (extra.get("proj_size") or 4)
    compare(torch, ours, theirs, [out_a, *flat(state_a)], [out_b, *flat(state_b)],
            inputs_a, inputs_b)  # fmt: skip


# ---------------------------------------------------------------------------------------------
# PackedSequence input: each sequence's reverse pass starts at its own last step
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("cls, extra", CASES, ids=IDS)
@pytest.mark.parametrize("num_layers", [1, 2])
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("enforce_sorted", [True, False], ids=["sorted", "unsorted"])
@pytest.mark.parametrize("given_hx", [False, True], ids=["zero_hx", "given_hx"])
def test_packed_bidirectional_against_torch(cls, extra, num_layers, batch_first, enforce_sorted,
                                            given_hx):  # fmt: skip
    torch = pytest.importorskip("torch")
    tu = torch.nn.utils.rnn
    opts = dict(extra, num_layers=num_layers, bidirectional=True, batch_first=batch_first)
    ours, theirs = pair(torch, cls, opts, theirs_to_ours=not given_hx)
    lengths = [5, 4, 2, 2] if enforce_sorted else [2, 5, 1, 4]
    shape = (4, 5, 3) if batch_first else (5, 4, 3)
    arrays = [r(*shape)] + ([r(*s) for s in state_shapes(cls, opts, (4,))] if given_hx else [])
    inputs_a, inputs_b = leaves(torch, arrays)
    pa = pack_padded_sequence(inputs_a[0], lengths, batch_first, enforce_sorted)
    pb = tu.pack_padded_sequence(inputs_b[0], torch.tensor(lengths), batch_first, enforce_sorted)
    out_a, state_a = ours(pa, as_hx(inputs_a[1:], cls))
    out_b, state_b = theirs(pb, as_hx(inputs_b[1:], cls))
    np.testing.assert_array_equal(out_a.batch_sizes.data, out_b.batch_sizes.numpy())
    pad_a, len_a = pad_packed_sequence(out_a, batch_first)
    pad_b, len_b = tu.pad_packed_sequence(out_b, batch_first)
    np.testing.assert_array_equal(len_a.data, len_b.numpy())
    compare(torch, ours, theirs, [out_a.data, pad_a, *flat(state_a)],
            [out_b.data, pad_b, *flat(state_b)], inputs_a, inputs_b)  # fmt: skip


def test_packed_reverse_state_is_the_state_after_the_first_step():
    """A one-layer bidirectional GRU over a packed batch: each sequence's reverse h_n equals the
    reverse h_n of that sequence run alone, without padding; its forward h_n likewise."""
    model = nn.GRU(2, 3, bidirectional=True, dtype=np.float64)
    lengths = [3, 1, 4]
    x = r(4, 3, 2)
    _, h_n = model(pack_padded_sequence(td.Tensor(x), lengths, enforce_sorted=False))
    for i, n in enumerate(lengths):
        out, alone = model(td.Tensor(x[:n, i]))
        np.testing.assert_allclose(h_n.data[:, i], alone.data, atol=1e-14)
        np.testing.assert_allclose(alone.data[1], out.data[0, 3:], atol=1e-14)  # reverse h_0


# ---------------------------------------------------------------------------------------------
# dropout between layers, dtypes, gradcheck
# ---------------------------------------------------------------------------------------------


def test_dropout_applies_to_the_concatenated_directions():
    """With dropout=1 in training, layer 1 reads zeros from both directions: the same as
    PyTorch in eval mode with layer 1's input weights zeroed."""
    torch = pytest.importorskip("torch")
    opts = dict(num_layers=2, bidirectional=True, dropout=1.0)
    ours, theirs = pair(torch, "LSTM", opts, theirs_to_ours=True)
    theirs.eval()
    with torch.no_grad():
        theirs.weight_ih_l1.zero_()
        theirs.weight_ih_l1_reverse.zero_()
    x = r(4, 2, 3)
    out_a, (h_a, c_a) = ours(td.Tensor(x))
    out_b, (h_b, c_b) = theirs(torch.tensor(x))
    np.testing.assert_allclose(out_a.data, out_b.detach().numpy(), **TOL)
    np.testing.assert_allclose(c_a.data, c_b.detach().numpy(), **TOL)
    ours.eval()  # and no dropout at all in eval mode
    theirs.load_state_dict({k: torch.tensor(v.data) for k, v in ours.state_dict().items()})
    np.testing.assert_allclose(ours(td.Tensor(x))[0].data, theirs(torch.tensor(x))[0]
                               .detach().numpy(), **TOL)  # fmt: skip


@pytest.mark.parametrize("cls, opts", [("LSTM", dict(proj_size=2)), ("GRU", {}), ("RNN", {})])
def test_float32_stays_float32(cls, opts):
    model = getattr(nn, cls)(3, 4, num_layers=2, bidirectional=True, **opts)
    out, state = model(td.Tensor(r(5, 2, 3).astype(np.float32)))
    assert out.dtype == np.float32 and all(s.dtype == np.float32 for s in flat(state))
    assert out.shape == (5, 2, 2 * (opts.get("proj_size") or 4))


def test_gradcheck_tiny_bidirectional_lstm():
    """Output, h_n and c_n of a 2-layer bidirectional LSTM with a projection, with respect to
    the input and both initial states, against central differences."""
    model = nn.LSTM(2, 3, num_layers=2, bidirectional=True, proj_size=2, dtype=np.float64)
    x = td.Tensor(r(3, 2, 2), requires_grad=True)
    h0, c0 = (td.Tensor(r(4, 2, n), requires_grad=True) for n in (2, 3))

    def run(x, h0, c0):
        out, (h_n, c_n) = model(x, (h0, c0))
        return out, h_n, c_n

    assert td.gradcheck(run, [x, h0, c0])
    assert td.autograd.gradgradcheck(lambda x: model(x)[0], [x])


def test_gradcheck_packed_bidirectional_gru():
    model = nn.GRU(2, 3, bidirectional=True, dtype=np.float64)
    x = td.Tensor(r(3, 3, 2), requires_grad=True)

    def run(x):
        out, h_n = model(pack_padded_sequence(x, [2, 3, 1], enforce_sorted=False))
        return pad_packed_sequence(out)[0], h_n

    assert td.gradcheck(run, [x])


# ---------------------------------------------------------------------------------------------
# PyTorch's names, signatures, repr and initialisation
# ---------------------------------------------------------------------------------------------

CONFIGS = [
    ("RNN", dict(num_layers=3, bidirectional=True)),
    ("GRU", dict(num_layers=2, bidirectional=True, bias=False)),
    ("LSTM", dict(num_layers=2, bidirectional=True, proj_size=3)),
    ("LSTM", dict(num_layers=2, proj_size=1, bias=False)),
    ("LSTM", dict(bidirectional=True, batch_first=True, dropout=0.5)),
]


@pytest.mark.parametrize("cls, opts", CONFIGS)
def test_state_dict_keys_shapes_and_repr_are_pytorchs(cls, opts):
    torch = pytest.importorskip("torch")
    if opts.get("dropout") and opts.get("num_layers", 1) == 1:  # PyTorch's warning, for both
        with pytest.warns(UserWarning, match=r"non-zero dropout expects num_layers greater "
                          r"than 1, but got dropout=0.5 and num_layers=1"):  # fmt: skip
            ours = getattr(nn, cls)(5, 6, **opts)
        with pytest.warns(UserWarning, match="non-zero dropout expects num_layers"):
            theirs = getattr(torch.nn, cls)(5, 6, **opts)
    else:
        ours = getattr(nn, cls)(5, 6, **opts)
        theirs = getattr(torch.nn, cls)(5, 6, **opts)
    assert [(k, v.shape) for k, v in ours.state_dict().items()] == [
        (k, tuple(v.shape)) for k, v in theirs.state_dict().items()
    ]
    assert repr(ours) == repr(theirs)


@pytest.mark.parametrize("cls", ["RNN", "LSTM", "GRU"])
def test_signatures_are_pytorchs(cls):
    """PyTorch's layers take *args, **kwargs; their documented order is RNNBase's without
    `mode`, with RNN's nonlinearity after num_layers and proj_size for LSTM only."""
    torch = pytest.importorskip("torch")
    base = list(inspect.signature(torch.nn.RNNBase.__init__).parameters.values())[2:]
    want = [(p.name, p.default) for p in base]
    if cls != "LSTM":
        want.remove(("proj_size", 0))
    if cls == "RNN":
        want.insert(3, ("nonlinearity", "tanh"))
    got = list(inspect.signature(getattr(nn, cls).__init__).parameters.values())[1:]
    assert [(p.name, p.default) for p in got] == want


def test_reset_parameters_covers_the_reverse_and_projection_weights():
    model = nn.LSTM(4, 25, num_layers=2, bidirectional=True, proj_size=7)
    for name, p in model.named_parameters():
        assert np.abs(p.data).max() <= 1 / math.sqrt(25), name  # U(-1/sqrt(H), 1/sqrt(H))
        assert np.abs(p.data).max() > 0.12, name


# ---------------------------------------------------------------------------------------------
# errors
# ---------------------------------------------------------------------------------------------

PROJ_ERRORS = [
    (-1, ValueError, r"^LSTM: proj_size should be a positive integer or zero to disable "
                     r"projections, got -1$"),
    (4, ValueError, r"^LSTM: proj_size has to be smaller than hidden_size, got proj_size=4 "
                    r"and hidden_size=4$"),
    (9, ValueError, "proj_size has to be smaller than hidden_size"),
    (1.5, TypeError, r"^LSTM: proj_size should be of type int, got: float$"),
    (True, TypeError, r"^LSTM: proj_size should be of type int, got: bool$"),
]  # fmt: skip


@pytest.mark.parametrize("proj_size, error, message", PROJ_ERRORS)
def test_bad_proj_size(proj_size, error, message):
    with pytest.raises(error, match=message):
        nn.LSTM(3, 4, proj_size=proj_size)


def test_proj_size_is_lstm_only():
    with pytest.raises(TypeError, match="proj_size"):
        nn.GRU(3, 4, proj_size=2)


HX_ERRORS = [
    # layer, input shape, hx shapes, message
    (lambda: nn.GRU(3, 4, bidirectional=True), (5, 2, 3), [(1, 2, 4)],
     r"^GRU\(3, 4\): expected an initial state of shape \(2, 2, 4\), got \(1, 2, 4\)$"),
    (lambda: nn.RNN(3, 4, num_layers=2, bidirectional=True), (5, 3), [(2, 4)],
     r"^RNN\(3, 4\): expected an initial state of shape \(4, 4\), got \(2, 4\)$"),
    (lambda: nn.LSTM(3, 4, proj_size=2), (5, 2, 3), [(1, 2, 4), (1, 2, 4)],
     r"^LSTM\(3, 4\): expected h_0 of shape \(1, 2, 2\), got \(1, 2, 4\)$"),
    (lambda: nn.LSTM(3, 4, proj_size=2, bidirectional=True), (5, 2, 3), [(2, 2, 2), (2, 2, 2)],
     r"^LSTM\(3, 4\): expected c_0 of shape \(2, 2, 4\), got \(2, 2, 2\)$"),
]  # fmt: skip


@pytest.mark.parametrize("make, x_shape, hx_shapes, message", HX_ERRORS)
def test_bad_hx_shapes(make, x_shape, hx_shapes, message):
    model = make()
    hx = [td.Tensor(r(*s)) for s in hx_shapes]
    with pytest.raises(ValueError, match=message):
        model(td.Tensor(r(*x_shape)), tuple(hx) if len(hx) == 2 else hx[0])


def test_bad_hx_for_packed_input_is_checked_before_sorting():
    model = nn.LSTM(3, 4, bidirectional=True)
    packed = pack_padded_sequence(td.Tensor(r(5, 3, 3)), [2, 5, 3], enforce_sorted=False)
    hx = (td.Tensor(r(1, 3, 4)), td.Tensor(r(2, 3, 4)))
    with pytest.raises(ValueError, match=r"expected h_0 of shape \(2, 3, 4\), got \(1, 3, 4\)"):
        model(packed, hx)
