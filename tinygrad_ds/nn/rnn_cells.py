"""The step functions of the recurrent layers and the cells that take one step: RNNCell,
LSTMCell, GRUCell, with PyTorch's parameter names, shapes and gate order (the sequence layers,
which unroll the same step over time, are in rnn.py).

One step of each, with x the input, h (and c) the state, and W x short for x W^T:

    RNN   h' = act(W_ih x + b_ih + W_hh h + b_hh)                       act = tanh or relu
    LSTM  i, f, g, o = split(W_ih x + b_ih + W_hh h + b_hh)              rows in this order
          c' = sigmoid(f) c + sigmoid(i) tanh(g),   h' = sigmoid(o) tanh(c')
          (with a projection, as nn.LSTM's proj_size: h' = W_hr (sigmoid(o) tanh(c')))
    GRU   r, z, n rows:  r = sigmoid(W_ir x + b_ir + W_hr h + b_hr),  z likewise,
          n = tanh(W_in x + b_in + r (W_hn h + b_hn)),   h' = (1 - z) n + z h
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import numpy as np

from ..tensor import Tensor
from . import init
from .layers import _dtype
from .module import Module, Parameter

__all__ = ["RNNCell", "LSTMCell", "GRUCell"]

GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


class _Weights(NamedTuple):
    """One layer's parameters made ready for many steps: transposed once, and for RNN and LSTM
    the two biases summed once (they only ever appear as a sum). w_hr_t is LSTM's projection
    (None without one)."""

    w_ih_t: Tensor
    w_hh_t: Tensor
    b_ih: Tensor | None
    b_hh: Tensor | None
    w_hr_t: Tensor | None = None


def _prepare(mode: str, w_ih: Tensor, w_hh: Tensor, b_ih: Tensor | None,
             b_hh: Tensor | None, w_hr: Tensor | None = None) -> _Weights:  # fmt: skip
    w_hr_t = None if w_hr is None else w_hr.T
    if mode != "GRU" and b_ih is not None:
        return _Weights(w_ih.T, w_hh.T, b_ih + b_hh, None, w_hr_t)
    return _Weights(w_ih.T, w_hh.T, b_ih, b_hh, w_hr_t)


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
    c = state[1]
    n_h = c.shape[-1]  # the hidden size (h has the projection's size if there is one)
    i = pre[:, :n_h].sigmoid()
    f = pre[:, n_h : 2 * n_h].sigmoid()
    g = pre[:, 2 * n_h : 3 * n_h].tanh()
    o = pre[:, 3 * n_h :].sigmoid()
    c = f * c + i * g
    h = o * c.tanh()
    return (h if p.w_hr_t is None else h @ p.w_hr_t), c


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
