"""The Transformer's decoder and the whole encoder-decoder model (Vaswani et al. 2017, sec. 3.1):
nn.TransformerDecoderLayer, nn.TransformerDecoder and nn.Transformer, with PyTorch's parameter
names, shapes, masks and defaults, so that a state_dict moves between the two frameworks.

They are made of the pieces in attention.py (MultiheadAttention, the encoder, and the
feed-forward network and sublayers the encoder and decoder layers share): no new primitive.
Masks follow MultiheadAttention: a bool mask is True where a query may NOT attend, a float mask
is added to the scores (Transformer.generate_square_subsequent_mask makes the causal one).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..device import check_device
from ..dtypes import get_default_dtype, resolve_dtype
from ..ops.conv import _as_tensor
from ..tensor import Tensor, constant
from . import init
from .attention import (
    MultiheadAttention,
    TransformerEncoder,
    TransformerEncoderLayer,
    _clones,
    _TransformerLayer,
)
from .module import Module, check_int
from .normalization import LayerNorm

__all__ = ["TransformerDecoderLayer", "TransformerDecoder", "Transformer"]


def _pair(
    who: str, a: Any, b: Any, names: tuple[str, str], d_model: int, batch_first: bool
) -> tuple[Tensor, Tensor]:
    """Two sequences (L, N, E) (or (N, L, E) with batch_first, or both unbatched (L, E)) as
    Tensors, checked to have d_model features and the same batch size."""
    x, y = _as_tensor(a, who), _as_tensor(b, who)
    shapes = f"got shapes {x.shape} and {y.shape}"
    if x.ndim not in (2, 3) or y.ndim != x.ndim:
        raise ValueError(
            f"{who}: {names[0]} and {names[1]} must both be 3-D (batched) or 2-D (unbatched), "
            f"{shapes}"
        )
    if x.shape[-1] != d_model or y.shape[-1] != d_model:
        raise ValueError(
            f"{who}: {names[0]} and {names[1]} must both have d_model = {d_model} features, "
            f"{shapes}"
        )
    batch = 0 if batch_first else 1
    if x.ndim == 3 and x.shape[batch] != y.shape[batch]:
        raise ValueError(
            f"{who}: {names[0]} and {names[1]} must have the same batch size (dim {batch}), "
            f"{shapes}"
        )
    return x, y


class TransformerDecoderLayer(_TransformerLayer):
    """One decoder layer (Vaswani et al. 2017, sec. 3.1): self-attention over the target, then
    attention from the target to the encoder's output (memory), then the feed-forward network
    linear2(dropout(activation(linear1(x)))), each added to its input and normalised:
    x = norm1(x + sa(x)); x = norm2(x + mha(x, memory)); x = norm3(x + ff(x)), or with
    norm_first x = x + sa(norm1(x)); x = x + mha(norm2(x), memory); x = x + ff(norm3(x)).
    PyTorch's submodules and names (self_attn, multihead_attn, linear1, linear2, norm1..3,
    dropout, dropout1..3).

    forward(tgt, memory, ...) takes tgt (T, N, E) and memory (S, N, E) (batch first with
    batch_first, or both unbatched); tgt_mask (T, T) and memory_mask (T, S) (or per head
    (N nhead, ., .)), tgt_key_padding_mask (N, T) and memory_key_padding_mask (N, S) are
    MultiheadAttention's masks; *_is_causal are hints that need the mask as well (as PyTorch).
    """

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
        check_device(device, "TransformerDecoderLayer")  # (the CPU only: device.py)
        attention = dict(dropout=dropout, bias=bias, batch_first=batch_first, dtype=dtype)
        self.self_attn = MultiheadAttention(d_model, nhead, **attention)
        self.multihead_attn = MultiheadAttention(d_model, nhead, **attention)
        self._add_sublayers(
            3, d_model, dim_feedforward, dropout, activation, layer_norm_eps, norm_first, bias,
            dtype,
        )  # fmt: skip

    def forward(
        self,
        tgt: Tensor,
        memory: Tensor,
        tgt_mask: Any = None,
        memory_mask: Any = None,
        tgt_key_padding_mask: Any = None,
        memory_key_padding_mask: Any = None,
        tgt_is_causal: bool = False,
        memory_is_causal: bool = False,
    ) -> Tensor:
        x, memory = _pair(
            "TransformerDecoderLayer", tgt, memory, ("tgt", "memory"), self.self_attn.embed_dim,
            self.self_attn.batch_first,
        )  # fmt: skip
        tgt_masks = (tgt_mask, tgt_key_padding_mask, tgt_is_causal)
        memory_masks = (memory_mask, memory_key_padding_mask, memory_is_causal)
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), *tgt_masks)
            x = x + self._mha_block(self.norm2(x), memory, *memory_masks)
            return x + self._ff_block(self.norm3(x))
        x = self.norm1(x + self._sa_block(x, *tgt_masks))
        x = self.norm2(x + self._mha_block(x, memory, *memory_masks))
        return self.norm3(x + self._ff_block(x))

    def _mha_block(
        self, x: Tensor, memory: Tensor, mask: Any, padding: Any, is_causal: bool
    ) -> Tensor:
        return self._attend(self.multihead_attn, self.dropout2, x, memory, mask, padding, is_causal)

    def _ff_block(self, x: Tensor) -> Tensor:
        return self.dropout3(self._feed_forward(x))


class TransformerDecoder(Module):
    """num_layers copies of `decoder_layer` (deep copies: each has its own parameters) applied
    in turn to the target, each attending to the same memory, then `norm` if given;
    forward(tgt, memory, tgt_mask, memory_mask, tgt_key_padding_mask, memory_key_padding_mask,
    tgt_is_causal=None, memory_is_causal=False) passes the masks to every layer."""

    def __init__(
        self, decoder_layer: TransformerDecoderLayer, num_layers: int, norm: Module | None = None
    ) -> None:
        super().__init__()
        self.layers = _clones(decoder_layer, num_layers, "TransformerDecoder")
        self.num_layers = len(self.layers)
        self.norm = norm

    def forward(
        self,
        tgt: Tensor,
        memory: Tensor,
        tgt_mask: Any = None,
        memory_mask: Any = None,
        tgt_key_padding_mask: Any = None,
        memory_key_padding_mask: Any = None,
        tgt_is_causal: bool | None = None,
        memory_is_causal: bool = False,
    ) -> Tensor:
        x = tgt
        for layer in self.layers:
            x = layer(
                x, memory, tgt_mask, memory_mask, tgt_key_padding_mask, memory_key_padding_mask,
                bool(tgt_is_causal), memory_is_causal,
            )  # fmt: skip
        return x if self.norm is None else self.norm(x)


class Transformer(Module):
    """The encoder-decoder Transformer (Vaswani et al. 2017, fig. 1), without embeddings or the
    output projection: memory = encoder(src), output = decoder(tgt, memory). As PyTorch's, the
    encoder and decoder (unless custom_encoder / custom_decoder are given) each end in a
    LayerNorm (encoder.norm, decoder.norm), and every parameter of 2 or more dims is then
    re-initialised by xavier_uniform_.

    forward(src (S, N, E), tgt (T, N, E), ...) (batch first with batch_first, or both
    unbatched) returns (T, N, E); src_mask (S, S), tgt_mask (T, T), memory_mask (T, S) and the
    key padding masks (N, S), (N, T), (N, S) are MultiheadAttention's masks.
    """

    def __init__(
        self,
        d_model: int = 512,
        nhead: int = 8,
        num_encoder_layers: int = 6,
        num_decoder_layers: int = 6,
        dim_feedforward: int = 2048,
        dropout: float = 0.1,
        activation: str | Callable[[Tensor], Tensor] = "relu",
        custom_encoder: Module | None = None,
        custom_decoder: Module | None = None,
        layer_norm_eps: float = 1e-5,
        batch_first: bool = False,
        norm_first: bool = False,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        check_device(device, "Transformer")  # (the CPU only: device.py)
        layer = (d_model, nhead, dim_feedforward, dropout, activation, layer_norm_eps)
        options = dict(batch_first=batch_first, norm_first=norm_first, bias=bias, dtype=dtype)
        if custom_encoder is not None:
            self.encoder = custom_encoder
        else:
            self.encoder = TransformerEncoder(
                TransformerEncoderLayer(*layer, **options),
                num_encoder_layers,
                LayerNorm(d_model, layer_norm_eps, bias=bias, dtype=dtype),
            )
        if custom_decoder is not None:
            self.decoder = custom_decoder
        else:
            self.decoder = TransformerDecoder(
                TransformerDecoderLayer(*layer, **options),
                num_decoder_layers,
                LayerNorm(d_model, layer_norm_eps, bias=bias, dtype=dtype),
            )
        for p in self.parameters():
            if p.ndim > 1:
                init.xavier_uniform_(p)
        self.d_model, self.nhead = d_model, nhead
        self.batch_first = bool(batch_first)

    def forward(
        self,
        src: Tensor,
        tgt: Tensor,
        src_mask: Any = None,
        tgt_mask: Any = None,
        memory_mask: Any = None,
        src_key_padding_mask: Any = None,
        tgt_key_padding_mask: Any = None,
        memory_key_padding_mask: Any = None,
        src_is_causal: bool | None = None,
        tgt_is_causal: bool | None = None,
        memory_is_causal: bool = False,
    ) -> Tensor:
        src, tgt = _pair("Transformer", src, tgt, ("src", "tgt"), self.d_model, self.batch_first)
        memory = self.encoder(
            src, mask=src_mask, src_key_padding_mask=src_key_padding_mask, is_causal=src_is_causal
        )
        return self.decoder(
            tgt, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
            tgt_key_padding_mask=tgt_key_padding_mask,
            memory_key_padding_mask=memory_key_padding_mask, tgt_is_causal=tgt_is_causal,
            memory_is_causal=memory_is_causal,
        )  # fmt: skip

    @staticmethod
    def generate_square_subsequent_mask(sz: int, device: Any = None, dtype: Any = None) -> Tensor:
        """The causal mask (sz, sz): -inf above the diagonal (position i may not attend to
        j > i), 0 elsewhere, in the default float dtype unless dtype is given; a constant."""
        who = "Transformer.generate_square_subsequent_mask"
        check_device(device, who)
        sz = check_int(sz, who, "sz")
        if sz < 0:
            raise ValueError(f"{who}: sz must be >= 0, got {sz}")
        d = get_default_dtype() if dtype is None else resolve_dtype(dtype, who)
        if d.kind != "f":
            raise TypeError(f"{who}: the mask holds -inf, so dtype must be floating, not {d}")
        return constant(np.triu(np.full((sz, sz), -np.inf, dtype=d), 1))
