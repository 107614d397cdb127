"""Attention: F.scaled_dot_product_attention, nn.MultiheadAttention, nn.TransformerEncoderLayer
and nn.TransformerEncoder, with PyTorch's parameter names, shapes, masks and defaults, so that a
state_dict moves between the two frameworks.

Everything is composed from matrix products, softmax, where and dropout (Vaswani et al. 2017,
eq. 1: softmax(Q K^T / sqrt(d_k)) V): no new primitive, so gradients and second derivatives
come free.

The two mask conventions are PyTorch's and they are opposite: in scaled_dot_product_attention a
bool mask is True where a query MAY attend; in MultiheadAttention (attn_mask, key_padding_mask)
a bool mask is True where it may NOT. Float masks are added to the scores in both.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from typing import Any

import numpy as np

from ..device import check_device
from ..functions import where
from ..ops.conv import _as_tensor
from ..tensor import Tensor
from . import functional as F
from . import init
from .containers import ModuleList
from .dropout import _probability
from .layers import Dropout, Linear, _dtype
from .module import Module, Parameter, check_int, check_real
from .normalization import LayerNorm
from .sampling import _take

__all__ = [
    "scaled_dot_product_attention", "MultiheadAttention", "NonDynamicallyQuantizableLinear",
    "TransformerEncoderLayer", "TransformerEncoder",
]  # fmt: skip


def _as_mask(mask: Any, who: str) -> Tensor:
    """A mask as a constant bool Tensor, or a float Tensor (which may carry a gradient)."""
    if isinstance(mask, Tensor):
        return mask
    m = np.asarray(mask)
    return Tensor._make(m, None) if m.dtype == bool else _as_tensor(mask, who)


def scaled_dot_product_attention(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    attn_mask: Any = None,
    dropout_p: float = 0.0,
    is_causal: bool = False,
    scale: float | None = None,
    enable_gqa: bool = False,
) -> Tensor:
    """softmax(Q K^T scale + M) V over the last two dims (batch dims broadcast), with
    Q (..., L, E), K (..., S, E), V (..., S, Ev) and scale = 1 / sqrt(E) unless given.

    A bool attn_mask is True where a query may attend (else the score is -inf); a float one is
    added to the scores; is_causal masks key j > query i (top-left aligned, as PyTorch). A
    query that may attend to no key gets zero weights and a zero output (PyTorch's safe
    softmax), not NaN. dropout_p drops weights (always, as PyTorch: pass 0 in eval mode).
    enable_gqa lets K and V have fewer heads (dim -3) than Q, each shared by a group of them.
    """
    who = "scaled_dot_product_attention"
    q, k, v = _as_tensor(query, who), _as_tensor(key, who), _as_tensor(value, who)
    if min(q.ndim, k.ndim, v.ndim) < 2:
        raise ValueError(
            f"{who}: query, key and value must have at least 2 dims, got shapes {q.shape}, "
            f"{k.shape} and {v.shape}"
        )
    if q.shape[-1] != k.shape[-1] or k.shape[-2] != v.shape[-2]:
        raise ValueError(
            f"{who}: query (..., L, E), key (..., S, E) and value (..., S, Ev) do not match: "
            f"shapes {q.shape}, {k.shape} and {v.shape}"
        )
    dropout_p = _probability(dropout_p, who, "dropout_p")
    if enable_gqa and min(q.ndim, k.ndim) >= 3 and k.shape[-3] != q.shape[-3]:
        hq, hk = q.shape[-3], k.shape[-3]
        if hq % hk or v.shape[-3] != hk:
            raise ValueError(
                f"{who}: with enable_gqa the query's {hq} heads must be a multiple of the key's "
                f"and value's, got shapes {q.shape}, {k.shape} and {v.shape}"
            )
        group = np.arange(hq) // (hq // hk)
        k, v = _take(k, -3, group), _take(v, -3, group)
    length, source = q.shape[-2], k.shape[-2]
    if is_causal:
        if attn_mask is not None:
            raise ValueError(f"{who}: give attn_mask or is_causal=True, not both")
        attn_mask = Tensor._make(np.tril(np.ones((length, source), dtype=bool)), None)
    scale = 1.0 / math.sqrt(q.shape[-1]) if scale is None else check_real(scale, who, "scale")
    scores = (q @ k.transpose(-2, -1)) * scale
    if attn_mask is not None:
        mask = _as_mask(attn_mask, who)
        try:
            np.broadcast_shapes(mask.shape, scores.shape)
        except ValueError:
            raise ValueError(
                f"{who}: attn_mask of shape {mask.shape} does not broadcast to the scores of "
                f"shape {scores.shape} (..., L, S)"
            ) from None
        if mask.dtype == bool:
            scores = where(mask, scores, -math.inf)
        else:
            scores = scores + mask
    attn = _safe_softmax(scores)
    if dropout_p > 0:
        attn = F.dropout(attn, dropout_p, True)
    return attn @ v


def _safe_softmax(scores: Tensor) -> Tensor:
    """softmax over the last dim, with zeros for a row that is all -inf (where softmax gives
    NaN): those rows are softmaxed as zeros (no NaN reaches the gradient) and then zeroed."""
    dead = np.isneginf(scores.data).all(axis=-1, keepdims=True)
    if not dead.any():
        return scores.softmax(-1)
    dead_t = Tensor._make(dead, None)
    return where(dead_t, 0.0, where(dead_t, 0.0, scores).softmax(-1))


# ---------------------------------------------------------------------------------------------
# MultiheadAttention
# ---------------------------------------------------------------------------------------------


class NonDynamicallyQuantizableLinear(Linear):
    """Linear under the name PyTorch gives MultiheadAttention's out_proj (in PyTorch it only
    marks the layer for its quantisation tools), so that the reprs agree."""


def _float_mask(mask: Any, dtype: np.dtype, who: str, what: str) -> Tensor:
    """MultiheadAttention's masks as floats to add: -inf where a bool mask is True."""
    m = _as_mask(mask, who)
    if m.dtype == bool:
        return Tensor._make(np.where(m.data, -np.inf, 0.0).astype(dtype), None)
    if m.dtype.kind != "f":
        raise TypeError(f"{who}: {what} must be a bool or floating tensor, got {m.dtype}")
    return m


class MultiheadAttention(Module):
    """Multi-head attention (Vaswani et al. 2017, sec. 3.2.2): each of num_heads heads attends
    with its own slice of the projections, softmax(Q_h K_h^T / sqrt(d_h)) V_h, and out_proj mixes
    the concatenated heads. PyTorch's parameters: in_proj_weight (3 E, E) holding W_q, W_k, W_v
    one under the other (or q_proj_weight, k_proj_weight (E, kdim), v_proj_weight (E, vdim)
    when kdim or vdim differ from E), in_proj_bias (3 E,), out_proj (E, E).

    Inputs are (L, N, E) (or (N, L, E) with batch_first) or unbatched (L, E). Masks: attn_mask
    (L, S) or (N num_heads, L, S), key_padding_mask (N, S); bool True = may NOT attend, floats
    added. forward returns (output, weights): weights (N, L, S) averaged over heads, or
    (N, num_heads, L, S), or None with need_weights=False (then a query with no key to attend to
    gets a zero output, as PyTorch's fast path; with weights it gets NaN, as PyTorch's).
    """

    def __init__(
        self,
        embed_dim: int,
        num_heads: int,
        dropout: float = 0.0,
        bias: bool = True,
        add_bias_kv: bool = False,
        add_zero_attn: bool = False,
        kdim: int | None = None,
        vdim: int | None = None,
        batch_first: bool = False,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        who = "MultiheadAttention"
        check_device(device, who)  # (the CPU only: device.py)
        embed_dim, num_heads = (
            check_int(embed_dim, who, "embed_dim"),
            check_int(num_heads, who, "num_heads"),
        )
        if embed_dim <= 0 or num_heads <= 0:
            raise ValueError(
                f"{who}: embed_dim and num_heads must be positive, got {embed_dim} and {num_heads}"
            )
        if embed_dim % num_heads:
            raise ValueError(
                f"{who}: embed_dim ({embed_dim}) must be divisible by num_heads ({num_heads})"
            )
        if add_bias_kv or add_zero_attn:
            raise NotImplementedError(f"{who}: add_bias_kv and add_zero_attn are not supported")
        dropout = _probability(dropout, who, "dropout")
        d = _dtype(dtype, who)
        self.embed_dim, self.num_heads = embed_dim, num_heads
        self.kdim = embed_dim if kdim is None else check_int(kdim, who, "kdim")
        self.vdim = embed_dim if vdim is None else check_int(vdim, who, "vdim")
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        self.dropout, self.batch_first = dropout, bool(batch_first)
        self.head_dim = embed_dim // num_heads
        if self._qkv_same_embed_dim:
            self.in_proj_weight = Parameter(np.empty((3 * embed_dim, embed_dim), dtype=d))
            for name in ("q_proj_weight", "k_proj_weight", "v_proj_weight"):
                self.register_parameter(name, None)
        else:
            self.q_proj_weight = Parameter(np.empty((embed_dim, embed_dim), dtype=d))
            self.k_proj_weight = Parameter(np.empty((embed_dim, self.kdim), dtype=d))
            self.v_proj_weight = Parameter(np.empty((embed_dim, self.vdim), dtype=d))
            self.register_parameter("in_proj_weight", None)
        if bias:
            self.in_proj_bias = Parameter(np.empty((3 * embed_dim,), dtype=d))
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = NonDynamicallyQuantizableLinear(embed_dim, embed_dim, bias=bias, dtype=d)
        self._reset_parameters()

    def _reset_parameters(self) -> None:
        """PyTorch's: xavier_uniform_ projections, zero biases (out_proj's weight keeps
        Linear's default)."""
        if self._qkv_same_embed_dim:
            init.xavier_uniform_(self.in_proj_weight)
        else:
            for w in (self.q_proj_weight, self.k_proj_weight, self.v_proj_weight):
                init.xavier_uniform_(w)
        if self.in_proj_bias is not None:
            init.zeros_(self.in_proj_bias)
            init.zeros_(self.out_proj.bias)

    def _projections(self) -> tuple[Tensor, Tensor, Tensor]:
        if self._qkv_same_embed_dim:
            return tuple(self.in_proj_weight.chunk(3, 0))
        return self.q_proj_weight, self.k_proj_weight, self.v_proj_weight

    def forward(
        self,
        query: Tensor,
        key: Tensor,
        value: Tensor,
        key_padding_mask: Any = None,
        need_weights: bool = True,
        attn_mask: Any = None,
        average_attn_weights: bool = True,
        is_causal: bool = False,
    ) -> tuple[Tensor, Tensor | None]:
        who = "MultiheadAttention"
        q, k, v = _as_tensor(query, who), _as_tensor(key, who), _as_tensor(value, who)
        batched = q.ndim == 3
        if q.ndim not in (2, 3) or k.ndim != q.ndim or v.ndim != q.ndim:
            raise ValueError(
                f"{who}: query, key and value must all be 3-D (batched) or 2-D (unbatched), got "
                f"shapes {q.shape}, {k.shape} and {v.shape}"
            )
        if is_causal and attn_mask is None:
            raise ValueError(f"{who}: is_causal=True is a hint that needs attn_mask as well")
        if not batched:
            q, k, v = q.unsqueeze(0), k.unsqueeze(0), v.unsqueeze(0)
        elif not self.batch_first:
            q, k, v = q.transpose(0, 1), k.transpose(0, 1), v.transpose(0, 1)
        n, length, e = q.shape
        source = k.shape[1]
        if e != self.embed_dim or k.shape[2] != self.kdim or v.shape[2] != self.vdim:
            raise ValueError(
                f"{who}: expected query, key and value of {self.embed_dim}, {self.kdim} and "
                f"{self.vdim} features, got shapes {tuple(query.shape)}, {tuple(key.shape)} and "
                f"{tuple(value.shape)}"
            )
        if k.shape[:2] != v.shape[:2] or k.shape[0] != n:
            raise ValueError(
                f"{who}: key and value must have the same batch and source length as each other "
                f"and the batch of the query, got shapes {tuple(query.shape)}, "
                f"{tuple(key.shape)} and {tuple(value.shape)}"
            )
        wq, wk, wv = self._projections()
        bq = bk = bv = None
        if self.in_proj_bias is not None:
            bq, bk, bv = self.in_proj_bias.chunk(3, 0)
        h, hd = self.num_heads, self.head_dim

        def heads(x: Tensor, w: Tensor, b: Tensor | None, steps: int) -> Tensor:
            return F.linear(x, w, b).reshape(n, steps, h, hd).transpose(1, 2)  # (N, H, T, hd)

        q, k, v = heads(q, wq, bq, length), heads(k, wk, bk, source), heads(v, wv, bv, source)
        mask = self._mask(attn_mask, key_padding_mask, n, length, source, q.dtype, batched)
        p = self.dropout if self.training else 0.0
        if need_weights:
            scores = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(hd))
            with np.errstate(invalid="ignore"):  # a row with no key: NaN, as PyTorch's
                weights = (scores if mask is None else scores + mask).softmax(-1)
            if p > 0:  # (the weights returned are the dropped ones, as PyTorch's)
                weights = F.dropout(weights, p, True)
            out = weights @ v
        else:
            out, weights = scaled_dot_product_attention(q, k, v, mask, p), None
        out = self.out_proj(out.transpose(1, 2).reshape(n, length, e))
        if weights is not None and average_attn_weights:
            weights = weights.mean(1)
        if not batched:
            return out.squeeze(0), (None if weights is None else weights.squeeze(0))
        return (out if self.batch_first else out.transpose(0, 1)), weights

    def _mask(
        self, attn_mask: Any, key_padding_mask: Any, n: int, length: int, source: int,
        dtype: np.dtype, batched: bool,
    ) -> Tensor | None:  # fmt: skip
        """attn_mask and key_padding_mask merged into one float mask of shape (N, H, L, S)
        (or one that broadcasts to it)."""
        who, h = "MultiheadAttention", self.num_heads
        mask = None
        if attn_mask is not None:
            m = _float_mask(attn_mask, dtype, who, "attn_mask")
            if m.shape == (length, source):
                mask = m
            elif m.shape == (n * h, length, source):
                mask = m.reshape(n, h, length, source)
            else:
                raise ValueError(
                    f"{who}: attn_mask must have shape {(length, source)} or "
                    f"{(n * h, length, source)}, got {m.shape}"
                )
        if key_padding_mask is not None:
            m = _float_mask(key_padding_mask, dtype, who, "key_padding_mask")
            expected = (n, source) if batched else (source,)
            if m.shape != expected:
                raise ValueError(
                    f"{who}: key_padding_mask must have shape {expected}, got {m.shape}"
                )
            m = m.reshape(n, 1, 1, source)
            mask = m if mask is None else mask + m
        return mask


# ---------------------------------------------------------------------------------------------
# Transformer encoder
# ---------------------------------------------------------------------------------------------

_ACTIVATIONS: dict[str, Callable[[Tensor], Tensor]] = {"relu": F.relu, "gelu": F.gelu}


class _TransformerLayer(Module):
    """What the encoder and decoder layers (here and in transformer.py) share, under PyTorch's
    names: the feed-forward network linear2(dropout(activation(linear1(x)))) (Vaswani et al.
    2017, eq. 2), one LayerNorm (norm1, norm2, ...) and one Dropout (dropout1, ...) per
    sublayer, and the self-attention sublayer dropout1(self_attn(x, x, x))."""

    def _add_sublayers(
        self, sublayers: int, d_model: int, dim_feedforward: int, dropout: float,
        activation: str | Callable[[Tensor], Tensor], layer_norm_eps: float, norm_first: bool,
        bias: bool, dtype: Any,
    ) -> None:  # fmt: skip
        """Register the feed-forward network, the norms and the dropouts, in PyTorch's order
        (so that state_dict keys come in the same order); the attentions come before."""
        if isinstance(activation, str):
            if activation not in _ACTIVATIONS:
                raise ValueError(
                    f"{type(self).__name__}: activation should be 'relu' or 'gelu', not "
                    f"{activation!r}"
                )
            activation = _ACTIVATIONS[activation]
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias, dtype=dtype)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias, dtype=dtype)
        self.norm_first = bool(norm_first)
        for i in range(1, sublayers + 1):  # norm1, norm2 (, norm3)
            setattr(self, f"norm{i}", LayerNorm(d_model, layer_norm_eps, bias=bias, dtype=dtype))
        for i in range(1, sublayers + 1):  # dropout1, dropout2 (, dropout3)
            setattr(self, f"dropout{i}", Dropout(dropout))
        self.activation = activation

    def _attend(
        self, attn: MultiheadAttention, dropout: Module, x: Tensor, memory: Tensor, mask: Any,
        padding: Any, is_causal: bool,
    ) -> Tensor:  # fmt: skip
        """An attention sublayer: dropout(attn(x, memory, memory)), without the weights."""
        out = attn(
            x, memory, memory, attn_mask=mask, key_padding_mask=padding, need_weights=False,
            is_causal=is_causal,
        )[0]  # fmt: skip
        return dropout(out)

    def _sa_block(self, x: Tensor, mask: Any, padding: Any, is_causal: bool) -> Tensor:
        return self._attend(self.self_attn, self.dropout1, x, x, mask, padding, is_causal)

    def _feed_forward(self, x: Tensor) -> Tensor:
        return self.linear2(self.dropout(self.activation(self.linear1(x))))


def _clones(layer: Module, num_layers: int, who: str) -> ModuleList:
    """num_layers deep copies of layer (each with its own parameters), as PyTorch's stacks."""
    num_layers = check_int(num_layers, who, "num_layers")
    if num_layers < 1:
        raise ValueError(f"{who}: num_layers must be >= 1, got {num_layers}")
    return ModuleList([copy.deepcopy(layer) for _ in range(num_layers)])


class TransformerEncoderLayer(_TransformerLayer):
    """One encoder layer (Vaswani et al. 2017, sec. 3.1): self-attention, then a feed-forward
    network linear2(dropout(activation(linear1(x)))), each added to its input and normalised:
    x = norm1(x + sa(x)); x = norm2(x + ff(x)), or with norm_first x = x + sa(norm1(x));
    x = x + ff(norm2(x)). PyTorch's submodules and names (self_attn, linear1, linear2, norm1,
    norm2, dropout, dropout1, dropout2)."""

    def __init__(
        self,
        d_model: int,
        nhead: int,
        dim_feedforward: int = 2048,
        dropout: float = 0.1,
        activation: str | Callable[[Tensor], Tensor] = "relu",
        layer_norm_eps: float = 1e-5,
        batch_first: bool = False,
        norm_first: bool = False,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        check_device(device, "TransformerEncoderLayer")  # (the CPU only: device.py)
        self.self_attn = MultiheadAttention(
            d_model, nhead, dropout=dropout, bias=bias, batch_first=batch_first, dtype=dtype
        )
        self._add_sublayers(
            2, d_model, dim_feedforward, dropout, activation, layer_norm_eps, norm_first, bias,
            dtype,
        )  # fmt: skip

    def forward(
        self,
        src: Tensor,
        src_mask: Any = None,
        src_key_padding_mask: Any = None,
        is_causal: bool = False,
    ) -> Tensor:
        x = _as_tensor(src, "TransformerEncoderLayer")
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), src_mask, src_key_padding_mask, is_causal)
            return x + self._ff_block(self.norm2(x))
        x = self.norm1(x + self._sa_block(x, src_mask, src_key_padding_mask, is_causal))
        return self.norm2(x + self._ff_block(x))

    def _ff_block(self, x: Tensor) -> Tensor:
        return self.dropout2(self._feed_forward(x))


class TransformerEncoder(Module):
    """num_layers copies of `encoder_layer` (deep copies: each has its own parameters) applied
    in turn, then `norm` if given; forward(src, mask=None, src_key_padding_mask=None,
    is_causal=None) passes the masks to every layer. enable_nested_tensor and mask_check (PyTorch's
    switches for its padded fast path) are accepted and ignored: the result is the same."""

    def __init__(
        self,
        encoder_layer: TransformerEncoderLayer,
        num_layers: int,
        norm: Module | None = None,
        enable_nested_tensor: bool = True,
        mask_check: bool = True,
    ) -> None:
        super().__init__()
        self.layers = _clones(encoder_layer, num_layers, "TransformerEncoder")
        self.num_layers = len(self.layers)
        self.norm = norm

    def forward(
        self,
        src: Tensor,
        mask: Any = None,
        src_key_padding_mask: Any = None,
        is_causal: bool | None = None,
    ) -> Tensor:
        x = src
        for layer in self.layers:
            x = layer(x, mask, src_key_padding_mask, bool(is_causal))
        return x if self.norm is None else self.norm(x)
