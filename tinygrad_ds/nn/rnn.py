"""Recurrent layers with PyTorch's parameter names, shapes and gate order, so that a
state_dict moves between the two frameworks: RNNCell, RNN, LSTMCell, LSTM, GRUCell, GRU.

One step of each, with x the input, h (and c) the state, and W x short for x W^T:

    RNN   h' = act(W_ih x + b_ih + W_hh h + b_hh)                       act = tanh or relu
    LSTM  i, f, g, o = split(W_ih x + b_ih + W_hh h + b_hh)              rows in this order
          c' = sigmoid(f) c + sigmoid(i) tanh(g),   h' = sigmoid(o) tanh(c')
    GRU   r, z, n rows:  r = sigmoid(W_ir x + b_ir + W_hr h + b_hr),  z likewise,
          n = tanh(W_in x + b_in + r (W_hn h + b_hn)),   h' = (1 - z) n + z h

The sequence layers unroll a step over time, layer by layer, with Tensor operations. So
backpropagation through time is the ordinary backward pass of the unrolled graph, and
truncated BPTT is `h.detach()` between chunks of a sequence.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import numpy as np

from ..functions import cat, stack
from ..tensor import Tensor
from . import functional as F
from . import init
from .layers import _dtype
from .module import Module, Parameter
from .utils.rnn import PackedSequence

__all__ = ["RNNCell", "RNN", "LSTMCell", "LSTM", "GRUCell", "GRU"]

GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


class _Weights(NamedTuple):
    """One layer's parameters made ready for many steps: transposed once, and for RNN and LSTM
    the two biases summed once (they only ever appear as a sum)."""

    w_ih_t: Tensor
    w_hh_t: Tensor
    b_ih: Tensor | None
    b_hh: Tensor | None


def _prepare(mode: str, w_ih: Tensor, w_hh: Tensor, b_ih: Tensor | None,
             b_hh: Tensor | None) -> _Weights:  # fmt: skip
    if mode != "GRU" and b_ih is not None:
        return _Weights(w_ih.T, w_hh.T, b_ih + b_hh, None)
    return _Weights(w_ih.T, w_hh.T, b_ih, b_hh)


def _affine(x: Tensor, w_t: Tensor, b: Tensor | None) -> Tensor:
    out = x @ w_t
    return out if b is None else out + b


def _step(mode: str, x: Tensor, state: Any, p: _Weights) -> Any:
    """One time step on a batch (x of shape (N, input_size)): the new state, which is h for
    RNN and GRU and (h, c) for LSTM."""
    if mode == "GRU":
        h = state
        gi, gh = _affine(x, p.w_ih_t, p.b_ih), _affine(h, p.w_hh_t, p.b_hh)
        n_h = h.shape[-1]
        r = (gi[:, :n_h] + gh[:, :n_h]).sigmoid()
        z = (gi[:, n_h : 2 * n_h] + gh[:, n_h : 2 * n_h]).sigmoid()
        n = (gi[:, 2 * n_h :] + r * gh[:, 2 * n_h :]).tanh()
        return n + z * (h - n)  # = (1 - z) n + z h
    h = state[0] if mode == "LSTM" else state
    pre = _affine(x, p.w_ih_t, p.b_ih) + h @ p.w_hh_t
    if mode == "RNN_TANH":
        return pre.tanh()
    if mode == "RNN_RELU":
        return pre.relu()
    c, n_h = state[1], h.shape[-1]
    i = pre[:, :n_h].sigmoid()
    f = pre[:, n_h : 2 * n_h].sigmoid()
    g = pre[:, 2 * n_h : 3 * n_h].tanh()
    o = pre[:, 3 * n_h :].sigmoid()
    c = f * c + i * g
    return o * c.tanh(), c


def _mode(cls_mode: str, nonlinearity: str, who: str) -> str:
    if cls_mode != "RNN":
        return cls_mode
    if nonlinearity not in ("tanh", "relu"):
        raise ValueError(f"{who}: nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}")
    return "RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU"


def _sizes(who: str, **sizes: int) -> None:
    for name, n in sizes.items():
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
            raise ValueError(f"{who}: {name} must be a positive int, got {n!r}")


def _zeros(shape: tuple[int, ...], like: Tensor) -> Tensor:
    return Tensor._make(np.zeros(shape, dtype=like.dtype), None)


# ---------------------------------------------------------------------------------------------
# cells: one step
# ---------------------------------------------------------------------------------------------


class _CellBase(Module):
    mode = "RNN"

    def __init__(self, input_size: int, hidden_size: int, bias: bool, nonlinearity: str,
                 device: Any, dtype: Any) -> None:  # fmt: skip
        super().__init__()
        who = type(self).__name__
        _sizes(who, input_size=input_size, hidden_size=hidden_size)
        self.input_size, self.hidden_size, self.bias = int(input_size), int(hidden_size), bias
        self._mode = _mode(self.mode, nonlinearity, who)
        self.nonlinearity = nonlinearity
        gates, d = GATES[self._mode] * hidden_size, _dtype(dtype, who, device)
        self.weight_ih = Parameter(np.empty((gates, input_size), dtype=d))
        self.weight_hh = Parameter(np.empty((gates, hidden_size), dtype=d))
        if bias:
            self.bias_ih = Parameter(np.empty((gates,), dtype=d))
            self.bias_hh = Parameter(np.empty((gates,), dtype=d))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """PyTorch's default: every parameter U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))."""
        bound = 1 / math.sqrt(self.hidden_size)
        for p in self.parameters():
            init.uniform_(p, -bound, bound)

    def _name(self) -> str:
        return f"{type(self).__name__}({self.input_size}, {self.hidden_size})"

    def _run(self, x: Any, state: Any) -> Any:
        """Check shapes, add a batch axis to unbatched input, take one step, remove it again."""
        who, lstm = self._name(), self._mode == "LSTM"
        x = x if isinstance(x, Tensor) else Tensor(x)
        if x.ndim not in (1, 2) or x.shape[-1] != self.input_size:
            raise ValueError(f"{who}: expected input of shape (batch, {self.input_size}) or "
                             f"({self.input_size},), got {x.shape}")  # fmt: skip
        unbatched = x.ndim == 1
        batch = (1,) if unbatched else x.shape[:1]
        want = batch + (self.hidden_size,)
        if state is None:
            zeros = _zeros(want, self.weight_ih)
            state = (zeros, zeros) if lstm else zeros
        if lstm and (not isinstance(state, (tuple, list)) or len(state) != 2):
            raise ValueError(f"{who}: the state must be a pair (h, c)")
        given = state if lstm else (state,)
        parts = tuple(p if isinstance(p, Tensor) else Tensor(p) for p in given)
        parts = tuple(p.reshape(want) if unbatched and p.shape == want[1:] else p for p in parts)
        for p in parts:
            if p.shape != want:
                raise ValueError(f"{who}: expected a hidden state of shape {want}, got "
                                 f"{p.shape} (input shape {x.shape})")  # fmt: skip
        x = x.reshape(1, -1) if unbatched else x
        p = _prepare(self._mode, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)
        out = _step(self._mode, x, parts if lstm else parts[0], p)
        if unbatched:
            out = tuple(t.reshape(-1) for t in out) if lstm else out.reshape(-1)
        return out

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if not self.bias:
            s += ", bias=False"
        if self._mode == "RNN_RELU":
            s += ", nonlinearity='relu'"
        return s


class RNNCell(_CellBase):
    """h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh) (or relu), for x of shape (N, input_size)
    or (input_size,); h defaults to zeros. weight_ih (H, I), weight_hh (H, H), biases (H,)."""

    mode = "RNN"

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 nonlinearity: str = "tanh", device: Any = None,
                 dtype: Any = None) -> None:  # fmt: skip
        super().__init__(input_size, hidden_size, bias, nonlinearity, device, dtype)

    def forward(self, x: Tensor, hx: Tensor | None = None) -> Tensor:
        return self._run(x, hx)


class LSTMCell(_CellBase):
    """One LSTM step: returns (h', c') from x and (h, c) (zeros by default). weight_ih (4H, I)
    and weight_hh (4H, H) hold the input, forget, cell and output gates' rows in that order."""

    mode = "LSTM"

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 device: Any = None, dtype: Any = None) -> None:  # fmt: skip
        super().__init__(input_size, hidden_size, bias, "tanh", device, dtype)

    def forward(self, x: Tensor, hx: tuple[Tensor, Tensor] | None = None) -> tuple[Tensor, Tensor]:
        return self._run(x, hx)


class GRUCell(_CellBase):
    """One GRU step: returns h' from x and h (zeros by default). weight_ih (3H, I) and
    weight_hh (3H, H) hold the reset, update and new gates' rows in that order."""

    mode = "GRU"

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 device: Any = None, dtype: Any = None) -> None:  # fmt: skip
        super().__init__(input_size, hidden_size, bias, "tanh", device, dtype)

    def forward(self, x: Tensor, hx: Tensor | None = None) -> Tensor:
        return self._run(x, hx)


# ---------------------------------------------------------------------------------------------
# sequence layers: the step unrolled over time, layer by layer
# ---------------------------------------------------------------------------------------------


class _RNNBase(Module):
    mode = "RNN"

    def __init__(self, input_size: int, hidden_size: int, num_layers: int, nonlinearity: str,
                 bias: bool, batch_first: bool, dropout: float, device: Any,
                 dtype: Any) -> None:  # fmt: skip
        super().__init__()
        who = type(self).__name__
        _sizes(who, input_size=input_size, hidden_size=hidden_size, num_layers=num_layers)
        if isinstance(dropout, bool) or not 0 <= dropout <= 1:
            raise ValueError(f"{who}: dropout must be a probability in [0, 1], got {dropout!r}")
        self.input_size, self.hidden_size = int(input_size), int(hidden_size)
        self.num_layers, self.bias = int(num_layers), bool(bias)
        self.batch_first, self.dropout = bool(batch_first), float(dropout)
        self._mode = _mode(self.mode, nonlinearity, who)
        self.nonlinearity = nonlinearity
        gates, d = GATES[self._mode] * hidden_size, _dtype(dtype, who, device)
        for k in range(num_layers):
            n_in = input_size if k == 0 else hidden_size
            setattr(self, f"weight_ih_l{k}", Parameter(np.empty((gates, n_in), dtype=d)))
            setattr(self, f"weight_hh_l{k}", Parameter(np.empty((gates, hidden_size), dtype=d)))
            if bias:
                setattr(self, f"bias_ih_l{k}", Parameter(np.empty((gates,), dtype=d)))
                setattr(self, f"bias_hh_l{k}", Parameter(np.empty((gates,), dtype=d)))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """PyTorch's default: every parameter U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))."""
        bound = 1 / math.sqrt(self.hidden_size)
        for p in self.parameters():
            init.uniform_(p, -bound, bound)

    def _layer(self, k: int) -> _Weights:
        def get(name: str) -> Any:  # getattr: a parametrized weight is read as a property
            return getattr(self, name, None)

        return _prepare(self._mode, get(f"weight_ih_l{k}"), get(f"weight_hh_l{k}"),
                        get(f"bias_ih_l{k}"), get(f"bias_hh_l{k}"))  # fmt: skip

    def _name(self) -> str:
        return f"{type(self).__name__}({self.input_size}, {self.hidden_size})"

    def _initial(self, hx: Any, batch: tuple[int, ...], like: Tensor) -> list[Any]:
        """The per-layer initial states (zeros unless given), checked against PyTorch's shape
        (num_layers, N, H), or (num_layers, H) for unbatched input."""
        who, lstm = self._name(), self._mode == "LSTM"
        want = (self.num_layers, *batch, self.hidden_size)
        if hx is None:
            zeros = _zeros((*(batch or (1,)), self.hidden_size), like)
            return [(zeros, zeros) if lstm else zeros] * self.num_layers
        if lstm and (not isinstance(hx, (tuple, list)) or len(hx) != 2):
            raise ValueError(f"{who}: the initial state must be a pair (h_0, c_0)")
        parts = [t if isinstance(t, Tensor) else Tensor(t) for t in (hx if lstm else (hx,))]
        for t in parts:
            if t.shape != want:
                raise ValueError(f"{who}: expected an initial state of shape {want}, got "
                                 f"{t.shape}")  # fmt: skip
        if not batch:  # unbatched: give the states a batch axis of 1
            parts = [t.reshape(self.num_layers, 1, self.hidden_size) for t in parts]
        if lstm:
            return [(parts[0][k], parts[1][k]) for k in range(self.num_layers)]
        return [parts[0][k] for k in range(self.num_layers)]

    def _run_packed(self, x: PackedSequence, hx: Any) -> tuple[PackedSequence, Any]:
        """The layers over a PackedSequence: step t runs on the first batch_sizes[t] rows of
        the state (the sequences still running, longest first), so each sequence's final state
        is taken at its own last step. `hx` and the final states are in the caller's batch
        order (permuted by sorted_indices, as PyTorch)."""
        who, lstm = self._name(), self._mode == "LSTM"
        data = x.data
        if data.ndim != 2 or data.shape[-1] != self.input_size:
            raise ValueError(f"{who}: expected packed data of shape (steps, {self.input_size}), "
                             f"got {data.shape}")  # fmt: skip
        sizes = [int(b) for b in np.asarray(x.batch_sizes.data)]
        order, undo = x.sorted_indices, x.unsorted_indices
        if hx is not None and order is not None:  # into the sorted order
            hx = tuple(t.index_select(1, order) for t in hx) if lstm else hx.index_select(1, order)
        states = self._initial(hx, (sizes[0],), self.weight_ih_l0)
        starts = np.concatenate([[0], np.cumsum(sizes)]).tolist()
        steps = [data[starts[t] : starts[t + 1]] for t in range(len(sizes))]
        finals = []
        for k in range(self.num_layers):
            p, state, outs, ended = self._layer(k), states[k], [], []
            for xt, b in zip(steps, sizes):
                if b < (state[0] if lstm else state).shape[0]:  # sequences b.. have ended
                    ended.append(tuple(s[b:] for s in state) if lstm else state[b:])
                    state = tuple(s[:b] for s in state) if lstm else state[:b]
                state = _step(self._mode, xt, state, p)
                outs.append(state[0] if lstm else state)
            ended.append(state)
            if lstm:
                finals.append(tuple(cat([e[i] for e in reversed(ended)]) for i in (0, 1)))
            else:
                finals.append(cat(list(reversed(ended))))
            last = k == self.num_layers - 1
            steps = outs if last or not self.dropout else [
                F.dropout(h, self.dropout, self.training) for h in outs
            ]  # fmt: skip
        output = x._replace(data=cat(steps))

        def batch_order(parts: list[Tensor]) -> Tensor:
            s = stack(parts)
            return s if undo is None else s.index_select(1, undo)

        if lstm:
            return output, (
                batch_order([f[0] for f in finals]),
                batch_order([f[1] for f in finals]),
            )
        return output, batch_order(finals)

    def _run(self, x: Any, hx: Any) -> tuple[Tensor, Any]:
        if isinstance(x, PackedSequence):
            return self._run_packed(x, hx)
        who, lstm = self._name(), self._mode == "LSTM"
        x = x if isinstance(x, Tensor) else Tensor(x)
        if x.ndim not in (2, 3) or x.shape[-1] != self.input_size:
            order = "(batch, seq, " if self.batch_first else "(seq, batch, "
            raise ValueError(f"{who}: expected input of shape {order}{self.input_size}) or "
                             f"(seq, {self.input_size}), got {x.shape}")  # fmt: skip
        unbatched = x.ndim == 2
        if x.shape[1 if self.batch_first and not unbatched else 0] == 0:
            raise ValueError(f"{who}: expected a sequence length larger than 0, got input of "
                             f"shape {x.shape}")  # fmt: skip
        if unbatched:
            batch: tuple[int, ...] = ()
            x = x.reshape(x.shape[0], 1, self.input_size)
        else:
            batch = x.shape[:1] if self.batch_first else x.shape[1:2]
            if self.batch_first:
                x = x.transpose(0, 1)
        states = self._initial(hx, batch, self.weight_ih_l0)
        steps = [x[t] for t in range(x.shape[0])]  # per-step tensors, never re-sliced
        finals = []
        for k in range(self.num_layers):
            p, state, outs = self._layer(k), states[k], []
            for xt in steps:
                state = _step(self._mode, xt, state, p)
                outs.append(state[0] if lstm else state)
            finals.append(state)
            last = k == self.num_layers - 1
            steps = outs if last or not self.dropout else [
                F.dropout(h, self.dropout, self.training) for h in outs
            ]  # fmt: skip
        output = stack(steps, axis=1 if self.batch_first and not unbatched else 0)
        if unbatched:
            output = output.reshape(output.shape[0], self.hidden_size)
        shape = (self.num_layers, *batch, self.hidden_size)
        if lstm:
            h_n = stack([s[0] for s in finals]).reshape(shape)
            c_n = stack([s[1] for s in finals]).reshape(shape)
            return output, (h_n, c_n)
        return output, stack(finals).reshape(shape)

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self._mode == "RNN_RELU":
            s += ", nonlinearity='relu'"
        if not self.bias:
            s += ", bias=False"
        if self.batch_first:
            s += ", batch_first=True"
        if self.dropout:
            s += f", dropout={self.dropout}"
        return s


class RNN(_RNNBase):
    """A multi-layer Elman RNN over (L, N, input_size) input ((N, L, .) with batch_first, or
    unbatched (L, input_size)); returns (output, h_n): output holds the last layer's h at every
    step, (L, N, H); h_n each layer's last h, (num_layers, N, H). `hx` defaults to zeros.
    Layer k has weight_ih_l{k}, weight_hh_l{k}, bias_ih_l{k}, bias_hh_l{k}, as in PyTorch;
    `dropout` applies between layers in training."""

    mode = "RNN"

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 nonlinearity: str = "tanh", bias: bool = True, batch_first: bool = False,
                 dropout: float = 0.0, device: Any = None, dtype: Any = None) -> None:  # fmt: skip
        super().__init__(input_size, hidden_size, num_layers, nonlinearity, bias, batch_first,
                         dropout, device, dtype)  # fmt: skip

    def forward(self, x: Tensor, hx: Tensor | None = None) -> tuple[Tensor, Tensor]:
        return self._run(x, hx)


class LSTM(_RNNBase):
    """A multi-layer LSTM; returns (output, (h_n, c_n)), shapes as for RNN; `hx` is a pair
    (h_0, c_0) of shape (num_layers, N, H), zeros by default. Gate rows in PyTorch's order:
    input, forget, cell, output."""

    mode = "LSTM"

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 device: Any = None, dtype: Any = None) -> None:  # fmt: skip
        super().__init__(input_size, hidden_size, num_layers, "tanh", bias, batch_first,
                         dropout, device, dtype)  # fmt: skip

    def forward(self, x: Tensor, hx: tuple[Tensor, Tensor] | None = None) -> tuple[Tensor, Any]:
        return self._run(x, hx)


class GRU(_RNNBase):
    """A multi-layer GRU; returns (output, h_n), shapes as for RNN. Gate rows in PyTorch's
    order: reset, update, new."""

    mode = "GRU"

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 device: Any = None, dtype: Any = None) -> None:  # fmt: skip
        super().__init__(input_size, hidden_size, num_layers, "tanh", bias, batch_first,
                         dropout, device, dtype)  # fmt: skip

    def forward(self, x: Tensor, hx: Tensor | None = None) -> tuple[Tensor, Tensor]:
        return self._run(x, hx)
