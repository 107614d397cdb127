"""Recurrent layers with PyTorch's parameter names, shapes and gate order, so that a
state_dict moves between the two frameworks: RNN, LSTM and GRU here, and the cells RNNCell,
LSTMCell and GRUCell (one step; the step formulas are in rnn_cells.py, re-exported here).

The sequence layers unroll a step over time, layer by layer, with Tensor operations. So
backpropagation through time is the ordinary backward pass of the unrolled graph, and
truncated BPTT is `h.detach()` between chunks of a sequence.

With `bidirectional=True` each layer has a second set of weights (the `_reverse` ones) that
runs over the steps backwards, and the layer's output at step t is [forward h_t, backward h_t]
on the last axis, which the next layer reads. A PackedSequence (sequences of different
lengths) runs step t on the first batch_sizes[t] rows of the state: going forwards a sequence
leaves after its own last step, going backwards it joins there, from its initial state.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from ..functions import cat, stack
from ..tensor import Tensor
from . import functional as F
from . import init
from .layers import _dtype
from .module import Module, Parameter
from .rnn_cells import (
    GATES,
    GRUCell,
    LSTMCell,
    RNNCell,
    _mode,
    _prepare,
    _sizes,
    _step,
    _Weights,
    _zeros,
)
from .utils.rnn import PackedSequence

__all__ = ["RNNCell", "RNN", "LSTMCell", "LSTM", "GRUCell", "GRU"]

# A state is h (a Tensor of shape (N, H)) or, for LSTM, the pair (h, c).


def _h(state: Any) -> Tensor:
    return state[0] if isinstance(state, tuple) else state


def _rows(state: Any, start: int, stop: int | None = None) -> Any:
    """Rows start:stop of the state (the state itself if that is all of it)."""
    if start == 0 and (stop is None or stop >= _h(state).shape[0]):
        return state
    return tuple(s[start:stop] for s in state) if isinstance(state, tuple) else state[start:stop]


def _cat_rows(parts: list[Any]) -> Any:
    if len(parts) == 1:
        return parts[0]
    if isinstance(parts[0], tuple):
        return tuple(cat([p[i] for p in parts]) for i in range(2))
    return cat(parts)


def _forwards(mode: str, steps: list[Tensor], sizes: list[int], state: Any,
              p: _Weights) -> tuple[list[Tensor], Any]:  # fmt: skip
    """One direction over the steps in order: step t runs the first sizes[t] rows (the
    sequences still running, longest first). Returns each step's h and every sequence's state
    after its own last step, in the batch's row order."""
    outs, ended = [], []
    for xt, b in zip(steps, sizes):
        if b < _h(state).shape[0]:  # the sequences in rows b.. have ended
            ended.append(_rows(state, b))
            state = _rows(state, 0, b)
        state = _step(mode, xt, state, p)
        outs.append(_h(state))
    return outs, _cat_rows([state, *reversed(ended)])


def _backwards(mode: str, steps: list[Tensor], sizes: list[int], initial: Any,
               p: _Weights) -> tuple[list[Tensor], Any]:  # fmt: skip
    """One direction over the steps backwards: each sequence joins, with its row of `initial`,
    at its own last step, so its final state is the one after its first step."""
    outs: list[Tensor] = [None] * len(steps)  # type: ignore[list-item]
    state = _rows(initial, 0, sizes[-1])
    for t in reversed(range(len(steps))):
        n = _h(state).shape[0]
        if sizes[t] > n:  # the sequences in rows n..sizes[t] start here
            state = _cat_rows([state, _rows(initial, n, sizes[t])])
        state = _step(mode, steps[t], state, p)
        outs[t] = _h(state)
    return outs, state


class _RNNBase(Module):
    mode = "RNN"

    def __init__(self, input_size: int, hidden_size: int, num_layers: int, nonlinearity: str,
                 bias: bool, batch_first: bool, dropout: float, bidirectional: bool,
                 proj_size: int, device: Any, dtype: Any) -> None:  # fmt: skip
        super().__init__()
        who = type(self).__name__
        _sizes(who, input_size=input_size, hidden_size=hidden_size, num_layers=num_layers)
        if isinstance(dropout, bool) or not 0 <= dropout <= 1:
            raise ValueError(f"{who}: dropout must be a probability in [0, 1], got {dropout!r}")
        if dropout > 0 and num_layers == 1:  # PyTorch's warning
            warnings.warn("dropout option adds dropout after all but last recurrent layer, so "
                          "non-zero dropout expects num_layers greater than 1, but got "
                          f"dropout={dropout} and num_layers={num_layers}",
                          stacklevel=3)  # fmt: skip
        if isinstance(proj_size, bool) or not isinstance(proj_size, (int, np.integer)):
            raise TypeError(f"{who}: proj_size should be of type int, got: "
                            f"{type(proj_size).__name__}")  # fmt: skip
        if proj_size < 0:
            raise ValueError(f"{who}: proj_size should be a positive integer or zero to disable "
                             f"projections, got {proj_size}")  # fmt: skip
        if proj_size >= hidden_size:
            raise ValueError(f"{who}: proj_size has to be smaller than hidden_size, got "
                             f"proj_size={proj_size} and hidden_size={hidden_size}")  # fmt: skip
        self.input_size, self.hidden_size = int(input_size), int(hidden_size)
        self.num_layers, self.bias = int(num_layers), bool(bias)
        self.batch_first, self.dropout = bool(batch_first), float(dropout)
        self.bidirectional, self.proj_size = bool(bidirectional), int(proj_size)
        self._mode = _mode(self.mode, nonlinearity, who)
        self.nonlinearity = nonlinearity
        gates, d = GATES[self._mode] * hidden_size, _dtype(dtype, who, device)
        h_out = self.proj_size or self.hidden_size  # the size of h
        for k in range(num_layers):  # PyTorch's order, so that state_dict keys line up
            n_in = input_size if k == 0 else h_out * self._directions
            for s in ("", "_reverse")[: self._directions]:
                setattr(self, f"weight_ih_l{k}{s}", Parameter(np.empty((gates, n_in), dtype=d)))
                setattr(self, f"weight_hh_l{k}{s}", Parameter(np.empty((gates, h_out), dtype=d)))
                if bias:
                    setattr(self, f"bias_ih_l{k}{s}", Parameter(np.empty((gates,), dtype=d)))
                    setattr(self, f"bias_hh_l{k}{s}", Parameter(np.empty((gates,), dtype=d)))
                if proj_size:
                    w_hr = np.empty((proj_size, hidden_size), dtype=d)
                    setattr(self, f"weight_hr_l{k}{s}", Parameter(w_hr))
        self.reset_parameters()

    @property
    def _directions(self) -> int:
        return 2 if self.bidirectional else 1

    def reset_parameters(self) -> None:
        """PyTorch's default: every parameter U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))."""
        bound = 1 / math.sqrt(self.hidden_size)
        for p in self.parameters():
            init.uniform_(p, -bound, bound)

    def _layer(self, k: int, reverse: bool) -> _Weights:
        def get(name: str) -> Any:  # getattr: a parametrized weight is read as a property
            return getattr(self, f"{name}_l{k}{'_reverse' if reverse else ''}", None)

        return _prepare(self._mode, get("weight_ih"), get("weight_hh"), get("bias_ih"),
                        get("bias_hh"), get("weight_hr"))  # fmt: skip

    def _name(self) -> str:
        return f"{type(self).__name__}({self.input_size}, {self.hidden_size})"

    def _initial(self, hx: Any, batch: tuple[int, ...], like: Tensor,
                 order: Tensor | None = None) -> list[Any]:  # fmt: skip
        """The initial state of each layer and direction (zeros unless given), checked against
        PyTorch's shapes (num_layers * directions, N, H), or (num_layers * directions, H) for
        unbatched input; with a projection h has proj_size columns. `order` puts the batch
        axis of a given hx into a PackedSequence's sorted order."""
        who, lstm = self._name(), self._mode == "LSTM"
        n = self.num_layers * self._directions
        h_out = self.proj_size or self.hidden_size
        if hx is None:
            h = _zeros((*(batch or (1,)), h_out), like)
            c = _zeros((*(batch or (1,)), self.hidden_size), like) if lstm else None
            return [(h, c) if lstm else h] * n
        if lstm and (not isinstance(hx, (tuple, list)) or len(hx) != 2):
            raise ValueError(f"{who}: the initial state must be a pair (h_0, c_0)")
        parts = [t if isinstance(t, Tensor) else Tensor(t) for t in (hx if lstm else (hx,))]
        names = ("h_0", "c_0") if lstm else ("an initial state",)
        for t, name, size in zip(parts, names, (h_out, self.hidden_size)):
            want = (n, *batch, size)
            if t.shape != want:
                raise ValueError(f"{who}: expected {name} of shape {want}, got {t.shape}")
        if not batch:  # unbatched: give the states a batch axis of 1
            parts = [t.reshape(n, 1, t.shape[-1]) for t in parts]
        if order is not None:
            parts = [t.index_select(1, order) for t in parts]
        if lstm:
            return [(parts[0][k], parts[1][k]) for k in range(n)]
        return [parts[0][k] for k in range(n)]

    def _run(self, x: Any, hx: Any) -> tuple[Any, Any]:
        """Check the input, cut it into per-step tensors, run every layer and direction, and
        put the outputs and final states together in PyTorch's shapes."""
        who, packed = self._name(), isinstance(x, PackedSequence)
        unbatched = False
        if packed:
            data, order = x.data, x.sorted_indices
            if data.ndim != 2 or data.shape[-1] != self.input_size:
                raise ValueError(f"{who}: expected packed data of shape (steps, "
                                 f"{self.input_size}), got {data.shape}")  # fmt: skip
            sizes = [int(b) for b in np.asarray(x.batch_sizes.data)]
            starts = np.concatenate([[0], np.cumsum(sizes)]).tolist()
            steps = [data[starts[t] : starts[t + 1]] for t in range(len(sizes))]
            batch: tuple[int, ...] = (sizes[0],)
        else:
            order = None
            x = x if isinstance(x, Tensor) else Tensor(x)
            if x.ndim not in (2, 3) or x.shape[-1] != self.input_size:
                first = "(batch, seq, " if self.batch_first else "(seq, batch, "
                raise ValueError(f"{who}: expected input of shape {first}{self.input_size}) "
                                 f"or (seq, {self.input_size}), got {x.shape}")  # fmt: skip
            unbatched = x.ndim == 2
            if x.shape[1 if self.batch_first and not unbatched else 0] == 0:
                raise ValueError(f"{who}: expected a sequence length larger than 0, got input "
                                 f"of shape {x.shape}")  # fmt: skip
            if unbatched:
                batch = ()
                x = x.reshape(x.shape[0], 1, self.input_size)
            else:
                batch = x.shape[:1] if self.batch_first else x.shape[1:2]
                if self.batch_first:
                    x = x.transpose(0, 1)
            steps = [x[t] for t in range(x.shape[0])]  # per-step tensors, never re-sliced
            sizes = [x.shape[1]] * x.shape[0]
        states = self._initial(hx, batch, self.weight_ih_l0, order)
        finals = []
        for k in range(self.num_layers):
            outs = []
            for d, run in enumerate((_forwards, _backwards)[: self._directions]):
                h, final = run(self._mode, steps, sizes, states[k * self._directions + d],
                               self._layer(k, reverse=d == 1))  # fmt: skip
                outs.append(h)
                finals.append(final)
            steps = outs[0] if len(outs) == 1 else [cat(hs, axis=-1) for hs in zip(*outs)]
            if self.dropout and k < self.num_layers - 1:
                steps = [F.dropout(h, self.dropout, self.training) for h in steps]
        h_n = stack([_h(f) for f in finals])
        c_n = stack([f[1] for f in finals]) if self._mode == "LSTM" else None
        if packed:
            output: Any = x._replace(data=cat(steps))
            if x.unsorted_indices is not None:  # the final states back in the caller's order
                h_n = h_n.index_select(1, x.unsorted_indices)
                c_n = None if c_n is None else c_n.index_select(1, x.unsorted_indices)
        else:
            output = stack(steps, axis=1 if self.batch_first and not unbatched else 0)
            if unbatched:
                output = output.reshape(output.shape[0], output.shape[-1])
                h_n = h_n.reshape(h_n.shape[0], h_n.shape[-1])
                c_n = None if c_n is None else c_n.reshape(c_n.shape[0], c_n.shape[-1])
        return output, (h_n if c_n is None else (h_n, c_n))

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size:
            s += f", proj_size={self.proj_size}"
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
        if self.bidirectional:
            s += ", bidirectional=True"
        return s


class RNN(_RNNBase):
    """A multi-layer Elman RNN over (L, N, input_size) input ((N, L, .) with batch_first,
    unbatched (L, input_size), or a PackedSequence); returns (output, h_n): output holds the
    last layer's h at every step, (L, N, D*H) with D = 2 if bidirectional else 1 (forward then
    backward h on the last axis); h_n each layer's and direction's last h, (num_layers*D, N, H)
    ordered layer 0 forward, layer 0 reverse, layer 1 forward, ... `hx` (that shape) defaults to
    zeros. Layer k has weight_ih_l{k}, weight_hh_l{k}, bias_ih_l{k}, bias_hh_l{k} (and the
    same with _reverse), as in PyTorch; `dropout` applies between layers in training."""

    mode = "RNN"

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 nonlinearity: str = "tanh", bias: bool = True, batch_first: bool = False,
                 dropout: float = 0.0, bidirectional: bool = False, device: Any = None,
                 dtype: Any = None) -> None:  # fmt: skip
        super().__init__(input_size, hidden_size, num_layers, nonlinearity, bias, batch_first,
                         dropout, bidirectional, 0, device, dtype)  # fmt: skip

    def forward(self, x: Tensor, hx: Tensor | None = None) -> tuple[Tensor, Tensor]:
        return self._run(x, hx)


class LSTM(_RNNBase):
    """A multi-layer LSTM; returns (output, (h_n, c_n)), shapes as for RNN; `hx` is a pair
    (h_0, c_0) of shape (num_layers*D, N, H), zeros by default. Gate rows in PyTorch's order:
    input, forget, cell, output. With 0 < proj_size < hidden_size, h = W_hr (o * tanh(c)) has
    proj_size entries (weight_hr_l{k} of shape (proj_size, H); weight_hh (4H, proj_size)):
    output and h_n have proj_size columns per direction, c_n keeps H."""

    mode = "LSTM"

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, proj_size: int = 0, device: Any = None,
                 dtype: Any = None) -> None:  # fmt: skip
        super().__init__(input_size, hidden_size, num_layers, "tanh", bias, batch_first,
                         dropout, bidirectional, proj_size, device, dtype)  # fmt: skip

    def forward(self, x: Tensor, hx: tuple[Tensor, Tensor] | None = None) -> tuple[Tensor, Any]:
        return self._run(x, hx)


class GRU(_RNNBase):
    """A multi-layer GRU; returns (output, h_n), shapes as for RNN. Gate rows in PyTorch's
    order: reset, update, new."""

    mode = "GRU"

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, device: Any = None,
                 dtype: Any = None) -> None:  # fmt: skip
        super().__init__(input_size, hidden_size, num_layers, "tanh", bias, batch_first,
                         dropout, bidirectional, 0, device, dtype)  # fmt: skip

    def forward(self, x: Tensor, hx: Tensor | None = None) -> tuple[Tensor, Tensor]:
        return self._run(x, hx)
