"""Recurrent layers: values against loop-based references written from PyTorch's formulas,
gradients against central differences over several time steps (float64), PyTorch's
parameter names and shapes, truncated BPTT, and an RNN that learns binary addition."""

from __future__ import annotations

import math
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import tinygrad_ds as td
from tinygrad_ds import nn
from tinygrad_ds.nn import functional as F
from tinygrad_ds.nn.rnn import _prepare, _step

R = np.random.default_rng(5)
MODES = {"RNN": "RNN_TANH", "LSTM": "LSTM", "GRU": "GRU"}


def r(*shape):
    return R.standard_normal(shape)


# ---------------------------------------------------------------------------------------------
# references: one example and one step at a time, gates sliced by PyTorch's row order
# ---------------------------------------------------------------------------------------------


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def step_ref(mode, x, state, w_ih, w_hh, b_ih, b_hh):
    """One step for one example (x of shape (I,)); state is h, or (h, c) for LSTM."""
    b_ih = 0 if b_ih is None else b_ih
    b_hh = 0 if b_hh is None else b_hh
    if mode in ("RNN_TANH", "RNN_RELU"):
        pre = w_ih @ x + b_ih + w_hh @ state + b_hh
        return np.tanh(pre) if mode == "RNN_TANH" else np.maximum(pre, 0)
    if mode == "LSTM":
        h, c = state
        n = len(h)
        gates = w_ih @ x + b_ih + w_hh @ h + b_hh
        i, f, g, o = (gates[k * n : (k + 1) * n] for k in range(4))  # input, forget, cell, output
        c = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
        return sigmoid(o) * np.tanh(c), c
    h, n = state, len(state)
    gi, gh = w_ih @ x + b_ih, w_hh @ h + b_hh
    reset = sigmoid(gi[:n] + gh[:n])
    update = sigmoid(gi[n : 2 * n] + gh[n : 2 * n])
    new = np.tanh(gi[2 * n :] + reset * gh[2 * n :])
    return (1 - update) * new + update * h


def sequence_ref(mode, params, x, h0, c0=None):
    """Loops over layers, examples and steps. params: per layer (w_ih, w_hh, b_ih, b_hh);
    x (L, N, I); h0, c0 (layers, N, H). Returns output (L, N, H), h_n and c_n."""
    layers, (steps, batch) = len(params), x.shape[:2]
    hidden = h0.shape[-1]
    h_n, c_n = np.zeros_like(h0), np.zeros_like(h0)
    inputs = x
    for k in range(layers):
        out = np.zeros((steps, batch, hidden))
        for n in range(batch):
            state = (h0[k, n], c0[k, n]) if mode == "LSTM" else h0[k, n]
            for t in range(steps):
                state = step_ref(mode, inputs[t, n], state, *params[k])
                out[t, n] = state[0] if mode == "LSTM" else state
            h_n[k, n] = state[0] if mode == "LSTM" else state
            if mode == "LSTM":
                c_n[k, n] = state[1]
        inputs = out
    return inputs, h_n, c_n


def layer_params(module, layers):
    get = module.__dict__.get
    return [
        tuple(None if get(f"{name}_l{k}") is None else get(f"{name}_l{k}").data
              for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"))
        for k in range(layers)
    ]  # fmt: skip


# ---------------------------------------------------------------------------------------------
# values
# ---------------------------------------------------------------------------------------------

SEQUENCE_CASES = [
    # id, class, options
    ("rnn", "RNN", {}),
    ("rnn_relu_2layers", "RNN", dict(nonlinearity="relu", num_layers=2)),
    ("lstm", "LSTM", {}),
    ("lstm_3layers_batch_first", "LSTM", dict(num_layers=3, batch_first=True)),
    ("gru", "GRU", {}),
    ("gru_2layers_no_bias", "GRU", dict(num_layers=2, bias=False)),
]


@pytest.mark.parametrize("cls, opts", [c[1:] for c in SEQUENCE_CASES],
                         ids=[c[0] for c in SEQUENCE_CASES])  # fmt: skip
@pytest.mark.parametrize("given_state", [False, True], ids=["zero_state", "given_state"])
def test_sequence_layers_match_the_loops(cls, opts, given_state):
    layers, batch_first = opts.get("num_layers", 1), opts.get("batch_first", False)
    model = getattr(nn, cls)(3, 4, dtype=np.float64, **opts)
    mode = "RNN_RELU" if opts.get("nonlinearity") == "relu" else MODES[cls]
    x = r(5, 2, 3)  # (L, N, I)
    h0 = r(layers, 2, 4) if given_state else np.zeros((layers, 2, 4))
    c0 = r(layers, 2, 4) if given_state else np.zeros((layers, 2, 4))
    hx = None
    if given_state:
        hx = (td.Tensor(h0), td.Tensor(c0)) if cls == "LSTM" else td.Tensor(h0)
    inp = x.transpose(1, 0, 2) if batch_first else x
    output, state = model(td.Tensor(inp), hx)
    expected, h_n, c_n = sequence_ref(mode, layer_params(model, layers), x, h0, c0)
    np.testing.assert_allclose(output.data, expected.transpose(1, 0, 2) if batch_first else
                               expected, atol=1e-12)  # fmt: skip
    if cls == "LSTM":
        np.testing.assert_allclose(state[0].data, h_n, atol=1e-12)
        np.testing.assert_allclose(state[1].data, c_n, atol=1e-12)
    else:
        np.testing.assert_allclose(state.data, h_n, atol=1e-12)


@pytest.mark.parametrize("cls", ["RNN", "LSTM", "GRU"])
def test_unbatched_sequences(cls):
    model = getattr(nn, cls)(3, 4, num_layers=2, dtype=np.float64)
    x = r(6, 3)
    output, state = model(td.Tensor(x))
    batched, batched_state = model(td.Tensor(x[:, None]))
    assert output.shape == (6, 4)
    np.testing.assert_allclose(output.data, batched.data[:, 0], atol=1e-12)
    h, hb = (state[0], batched_state[0]) if cls == "LSTM" else (state, batched_state)
    assert h.shape == (2, 4)
    np.testing.assert_allclose(h.data, hb.data[:, 0], atol=1e-12)
    hx = (h, state[1]) if cls == "LSTM" else h  # feeding the unbatched state back in
    assert model(td.Tensor(x), hx)[0].shape == (6, 4)


CELL_CASES = [("RNNCell", {}), ("RNNCell", dict(nonlinearity="relu")), ("LSTMCell", {}),
              ("GRUCell", dict(bias=False))]  # fmt: skip


@pytest.mark.parametrize("cls, opts", CELL_CASES)
def test_cells_match_one_step_of_the_loops(cls, opts):
    cell = getattr(nn, cls)(3, 4, dtype=np.float64, **opts)
    mode = "RNN_RELU" if opts.get("nonlinearity") == "relu" else MODES[cls[:-4]]
    p = tuple(None if t is None else t.data for t in
              (cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh))  # fmt: skip
    x, h, c = r(2, 3), r(2, 4), r(2, 4)
    lstm = cls == "LSTMCell"
    out = cell(td.Tensor(x), (td.Tensor(h), td.Tensor(c)) if lstm else td.Tensor(h))
    for n in range(2):
        expected = step_ref(mode, x[n], (h[n], c[n]) if lstm else h[n], *p)
        if lstm:
            np.testing.assert_allclose(out[0].data[n], expected[0], atol=1e-12)
            np.testing.assert_allclose(out[1].data[n], expected[1], atol=1e-12)
        else:
            np.testing.assert_allclose(out.data[n], expected, atol=1e-12)
    zero = cell(td.Tensor(x[0]))  # unbatched, zero state by default
    expected = step_ref(mode, x[0], (np.zeros(4), np.zeros(4)) if lstm else np.zeros(4), *p)
    got = zero[0].data if lstm else zero.data
    np.testing.assert_allclose(got, expected[0] if lstm else expected, atol=1e-12)


# ---------------------------------------------------------------------------------------------
# gradients over several time steps
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["RNN_TANH", "RNN_RELU", "LSTM", "GRU"])
def test_cell_gradients_over_several_steps(mode):
    """The step function (as the layers use it) unrolled over 4 steps: every input, the
    initial state and every weight checked against central differences."""
    gates = {"LSTM": 4, "GRU": 3}.get(mode, 1) * 3
    lstm = mode == "LSTM"

    def unrolled(x, h0, c0, w_ih, w_hh, b_ih, b_hh):
        p = _prepare(mode, w_ih, w_hh, b_ih, b_hh)
        state, outs = ((h0, c0) if lstm else h0), []
        for t in range(x.shape[0]):
            state = _step(mode, x[t], state, p)
            outs.append(state[0] if lstm else state)
        return td.stack(outs) if not lstm else (td.stack(outs), state[1])

    shapes = [(4, 2, 2), (2, 3), (2, 3), (gates, 2), (gates, 3), (gates,), (gates,)]
    inputs = [td.Tensor(r(*s) * 0.7, requires_grad=True) for s in shapes]
    if mode == "RNN_RELU":  # keep pre-activations away from relu's kink
        inputs[4] = td.Tensor(np.eye(3)[:gates] * 0.5, requires_grad=True)
        inputs[5] = td.Tensor(np.full(gates, 2.0), requires_grad=True)
    assert td.gradcheck(unrolled, inputs)


@pytest.mark.parametrize("cls", ["RNN", "LSTM", "GRU"])
def test_layer_gradients_with_respect_to_input_and_state(cls):
    model = getattr(nn, cls)(2, 3, num_layers=2, batch_first=True, dtype=np.float64)
    x, h0 = td.Tensor(r(2, 3, 2), requires_grad=True), td.Tensor(r(2, 2, 3), requires_grad=True)
    if cls == "LSTM":
        c0 = td.Tensor(r(2, 2, 3), requires_grad=True)
        assert td.gradcheck(lambda x, h, c: model(x, (h, c))[0], [x, h0, c0])
    else:
        assert td.gradcheck(lambda x, h: model(x, h)[0], [x, h0])


def test_layer_parameter_gradients_match_the_cells():
    """The layer and its cell, given the same weights, give the same weight gradients."""
    lstm = nn.LSTM(2, 3, dtype=np.float64)
    cell = nn.LSTMCell(2, 3, dtype=np.float64)
    cell.load_state_dict({k[:-3]: v for k, v in lstm.state_dict().items()})
    x = r(4, 2, 2)
    lstm(td.Tensor(x))[0].sum().backward()
    state, total = None, 0
    for t in range(4):
        state = cell(td.Tensor(x[t]), state)
        total = total + state[0].sum()
    total.backward()
    for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
        np.testing.assert_allclose(getattr(cell, name).grad.data,
                                   getattr(lstm, name + "_l0").grad.data, atol=1e-12)  # fmt: skip


# ---------------------------------------------------------------------------------------------
# PyTorch's names, shapes and initialisation; errors
# ---------------------------------------------------------------------------------------------


def test_parameter_names_and_shapes_are_pytorchs():
    lstm = nn.LSTM(3, 5, num_layers=2)
    assert [(k, v.shape) for k, v in lstm.state_dict().items()] == [
        ("weight_ih_l0", (20, 3)), ("weight_hh_l0", (20, 5)), ("bias_ih_l0", (20,)),
        ("bias_hh_l0", (20,)), ("weight_ih_l1", (20, 5)), ("weight_hh_l1", (20, 5)),
        ("bias_ih_l1", (20,)), ("bias_hh_l1", (20,)),
    ]  # fmt: skip
    assert [k for k in nn.GRU(3, 5, bias=False).state_dict()] == ["weight_ih_l0", "weight_hh_l0"]
    assert nn.GRU(3, 5).weight_ih_l0.shape == (15, 3)
    assert nn.RNN(3, 5).weight_hh_l0.shape == (5, 5)
    cell = nn.GRUCell(3, 5)
    assert [(k, v.shape) for k, v in cell.state_dict().items()] == [
        ("weight_ih", (15, 3)), ("weight_hh", (15, 5)), ("bias_ih", (15,)), ("bias_hh", (15,))
    ]  # fmt: skip
    assert nn.LSTMCell(3, 5).weight_ih.shape == (20, 3)
    for module in (nn.LSTM(3, 25, num_layers=2), nn.RNNCell(4, 25)):
        values = np.concatenate([p.data.ravel() for p in module.parameters()])
        assert np.abs(values).max() <= 1 / math.sqrt(25)  # U(-1/sqrt(H), 1/sqrt(H))
        assert np.abs(values).max() > 0.18
    assert repr(nn.LSTM(3, 5, num_layers=2, batch_first=True)) == (
        "LSTM(3, 5, num_layers=2, batch_first=True)"
    )


def test_errors_name_the_layer_and_the_shapes():
    with pytest.raises(
        ValueError, match=r"^LSTM\(3, 5\): expected input of shape \(seq, batch, 3\)"
    ):
        nn.LSTM(3, 5)(td.Tensor(r(4, 2, 2)))
    with pytest.raises(ValueError, match=r"^GRU\(3, 5\): expected an initial state of shape"):
        nn.GRU(3, 5)(td.Tensor(r(4, 2, 3)), td.Tensor(r(1, 3, 5)))
    with pytest.raises(ValueError, match=r"^LSTM\(3, 5\): the initial state must be a pair"):
        nn.LSTM(3, 5)(td.Tensor(r(4, 2, 3)), td.Tensor(r(1, 2, 5)))
    with pytest.raises(ValueError, match=r"^RNNCell\(3, 5\): expected input of shape \(batch, 3\)"):
        nn.RNNCell(3, 5)(td.Tensor(r(2, 4)))
    with pytest.raises(ValueError, match=r"^GRUCell\(3, 5\): expected a hidden state of shape"):
        nn.GRUCell(3, 5)(td.Tensor(r(2, 3)), td.Tensor(r(3, 5)))
    with pytest.raises(ValueError, match="nonlinearity must be 'tanh' or 'relu'"):
        nn.RNN(3, 5, nonlinearity="sigmoid")
    with pytest.raises(ValueError, match="num_layers must be a positive int"):
        nn.GRU(3, 5, num_layers=0)


def test_dropout_between_layers_only_in_training():
    model = nn.GRU(3, 8, num_layers=2, dropout=0.5, dtype=np.float64)
    x = td.Tensor(r(5, 4, 3))
    assert not np.allclose(model(x)[0].data, model(x)[0].data)  # fresh masks each call
    model.eval()
    np.testing.assert_array_equal(model(x)[0].data, model(x)[0].data)


# ---------------------------------------------------------------------------------------------
# truncated backpropagation through time
# ---------------------------------------------------------------------------------------------


def test_detaching_the_state_truncates_backpropagation():
    """Gradients of the second chunk, with the state carried over detached, equal those of
    that chunk run alone from the same (constant) state."""
    model = nn.LSTM(2, 3, dtype=np.float64)
    first, second = td.Tensor(r(4, 1, 2), requires_grad=True), td.Tensor(r(4, 1, 2))
    _, (h, c) = model(first)
    out, _ = model(second, (h.detach(), c.detach()))
    out.sum().backward()
    assert first.grad is None  # nothing flowed into the first chunk
    carried = [p.grad.data.copy() for p in model.parameters()]
    model.zero_grad()
    alone, _ = model(second, (td.Tensor(h.data.copy()), td.Tensor(c.data.copy())))
    alone.sum().backward()
    for got, expected in zip(carried, model.parameters()):
        np.testing.assert_allclose(got, expected.grad.data, atol=1e-12)


# ---------------------------------------------------------------------------------------------
# learning a sequence task: adding two binary numbers bit by bit
# ---------------------------------------------------------------------------------------------


def addition_data(n: int, bits: int, rng: np.random.Generator):
    """Pairs of random numbers below 2^bits, least significant bit first: inputs (bits+1, n, 2)
    (the extra step reads zeros, for the last carry), targets (bits+1, n), the sum's bits."""
    a, b = rng.integers(0, 2**bits, n), rng.integers(0, 2**bits, n)
    place = 2 ** np.arange(bits + 1)[:, None]
    x = np.stack([(a // place) % 2, (b // place) % 2], axis=-1).astype(np.float32)
    return x, ((a + b) // place) % 2


class Adder(nn.Module):
    def __init__(self, cls: str, hidden: int = 16) -> None:
        super().__init__()
        self.rnn = getattr(nn, cls)(2, hidden)
        self.head = nn.Linear(hidden, 2)

    def forward(self, x: td.Tensor) -> td.Tensor:
        return self.head(self.rnn(x)[0])  # (L, N, 2): a logit pair per output bit


def train_adder(cls: str, steps: int, seed: int = 0) -> float:
    """Train on 8-bit sums; return the fraction of unseen 16-bit sums got entirely right."""
    td.manual_seed(seed)
    rng = np.random.default_rng(seed)
    model = Adder(cls)
    opt = td.optim.Adam(model.parameters(), lr=0.02)
    for _ in range(steps):
        x, y = addition_data(64, 8, rng)
        loss = F.cross_entropy(model(td.Tensor(x)).reshape(-1, 2), y.reshape(-1))
        opt.zero_grad()
        loss.backward()
        opt.step()
    x, y = addition_data(500, 16, rng)
    with td.no_grad():
        bits = model(td.Tensor(x)).argmax(axis=-1).numpy()
    return float((bits == y).all(axis=0).mean())


@pytest.mark.parametrize("cls", ["RNN", "GRU", "LSTM"])
def test_recurrent_nets_learn_binary_addition(cls):
    """Trained on 8-bit numbers, each adds unseen 16-bit numbers: the carry is learnt (99.6% to
    100% of sums entirely right over seeds 0-7; about a second each)."""
    assert train_adder(cls, steps=400) >= 0.98


# ---------------------------------------------------------------------------------------------
# the examples, on small budgets
# ---------------------------------------------------------------------------------------------

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def run_example(name: str, *args: str) -> str:
    proc = subprocess.run([sys.executable, str(EXAMPLES / name), *args], capture_output=True,
                          text=True, timeout=300)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_rnn_sequence_example_adds_long_numbers_after_truncated_bptt():
    out = run_example("rnn_sequence.py", "--streams", "80", "--chunk", "8")
    assert "backpropagating through 8 steps at most" in out
    for bits in (64, 256):
        match = re.search(rf"unseen {bits}-bit additions entirely right: ([\d.]+)%", out)
        assert float(match.group(1)) >= 99.0


def test_lstm_sequence_example_holds_memory_beyond_the_bptt_window():
    out = run_example("lstm_sequence.py", "--streams", "30", "--chunk", "16")
    match = re.search(r"right at ([\d.]+)% of the steps, and at ([\d.]+)% of those whose mark "
                      r"is 16 or more steps back", out)  # fmt: skip
    assert float(match.group(1)) >= 90.0 and float(match.group(2)) >= 85.0
