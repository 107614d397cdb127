"""F.embedding_bag and nn.EmbeddingBag: the sum, mean or max of the embeddings in each bag,
composed of a lookup, index_add and amax (gradients, to the table and to per-sample weights,
come free)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..functions import cat, where
from ..tensor import Tensor
from ..tensor import constant as _const
from . import init
from .layers import _dtype, _positive
from .module import Module, Parameter
from .sampling import _padding_row

__all__ = ["embedding_bag", "EmbeddingBag"]

_MODES = ("sum", "mean", "max")


# ---------------------------------------------------------------------------------------------
# embedding_bag
# ---------------------------------------------------------------------------------------------


def _ints(value: Any, name: str) -> np.ndarray:
    a = np.asarray(value.data if isinstance(value, Tensor) else value)
    if a.dtype.kind not in "iu":
        raise TypeError(f"embedding_bag: {name} must hold integers, got dtype {a.dtype}")
    return a.astype(np.int64)


def _bags(idx: np.ndarray, offsets: Any, include_last_offset: bool) -> tuple:
    """The flat indices, the bag of each, and the number of bags, from 2-D input (a bag per
    row) or 1-D input cut at `offsets`."""
    if idx.ndim == 2:
        if offsets is not None:
            raise ValueError("embedding_bag: offsets must be None when input is 2-D (B, L)")
        b, length = idx.shape
        return idx.ravel(), np.repeat(np.arange(b), length), b
    if idx.ndim != 1:
        raise ValueError(f"embedding_bag: input must be 1-D or 2-D, got shape {idx.shape}")
    if offsets is None:
        raise ValueError("embedding_bag: offsets are needed when input is 1-D")
    off = _ints(offsets, "offsets")
    if off.ndim != 1:
        raise ValueError(f"embedding_bag: offsets must be 1-D, got shape {off.shape}")
    if off.size and off[0] != 0:
        raise ValueError(f"embedding_bag: offsets[0] must be 0 (the first bag starts the "
                         f"input), got {off[0]}")  # fmt: skip
    if off.size and (np.any(np.diff(off) < 0) or off[-1] > idx.shape[0]):
        raise ValueError(
            f"embedding_bag: offsets must be non-decreasing and at most the input's length "
            f"{idx.shape[0]}, got {off.tolist()}"
        )
    if include_last_offset:
        if off.size == 0:
            raise ValueError("embedding_bag: include_last_offset needs at least one offset")
        ends = off[1:]
        off = off[:-1]
    else:
        ends = np.append(off[1:], idx.shape[0])
    counts = ends - off
    return idx[: counts.sum()], np.repeat(np.arange(off.size), counts), off.size


def embedding_bag(
    input: Any,
    weight: Tensor,
    offsets: Any = None,
    max_norm: float | None = None,
    norm_type: float = 2.0,
    scale_grad_by_freq: bool = False,
    mode: str = "mean",
    sparse: bool = False,
    per_sample_weights: Tensor | None = None,
    include_last_offset: bool = False,
    padding_idx: int | None = None,
) -> Tensor:
    """The sum, mean or max of the rows of `weight` looked up in each bag: out[b] =
    reduce_{i in bag b} w_i weight[input_i], of shape (B, embedding_dim).

    Bags are the rows of a 2-D input, or the pieces of a 1-D input starting at `offsets`
    (with `include_last_offset`, offsets has B + 1 entries, the last the end of the last
    bag). `per_sample_weights` (input's shape, mode 'sum' only) are the w_i, else 1.
    Entries equal to `padding_idx` are left out of their bag (and of its count for the
    mean); an empty bag gives zeros. As an embedding followed by the reduction, composed;
    `sparse=True` is accepted, and the gradient is dense.
    """
    if not isinstance(weight, Tensor):
        raise TypeError(f"embedding_bag: weight must be a Tensor, got {type(weight).__name__}")
    if weight.ndim != 2:
        raise ValueError(f"embedding_bag: weight must be 2-D, got shape {weight.shape}")
    if mode not in _MODES:
        raise ValueError(f"embedding_bag: mode must be 'sum', 'mean' or 'max', got {mode!r}")
    if max_norm is not None or scale_grad_by_freq:
        raise NotImplementedError(
            "embedding_bag: max_norm and scale_grad_by_freq are not supported here"
        )
    n, d = weight.shape
    idx = _ints(input, "input")
    flat, bag, b = _bags(idx, offsets, bool(include_last_offset))
    if flat.size and (flat.min() < 0 or flat.max() >= n):
        bad = flat.min() if flat.min() < 0 else flat.max()
        raise IndexError(f"embedding_bag: index {bad} is out of range for {n} embeddings")
    psw = None
    if per_sample_weights is not None:
        if mode != "sum":
            raise ValueError(
                f"embedding_bag: per_sample_weights are only supported for mode='sum', got "
                f"mode={mode!r}"
            )
        psw = per_sample_weights
        psw = psw if isinstance(psw, Tensor) else Tensor(np.asarray(psw, dtype=weight.dtype))
        if psw.shape != idx.shape:
            raise ValueError(
                f"embedding_bag: per_sample_weights of shape {psw.shape} must match input of "
                f"shape {idx.shape}"
            )
        psw = psw.reshape(-1)
        psw = psw if psw.shape[0] == flat.size else psw[: flat.size]
    pad = _padding_row(padding_idx, n, "embedding_bag")
    if pad is not None:
        keep = flat != pad
        flat, bag = flat[keep], bag[keep]
        psw = None if psw is None else psw[_const(np.flatnonzero(keep))]
    counts = np.bincount(bag, minlength=b)
    if mode == "max":
        return _bag_max(weight, flat, bag, counts)
    rows = weight[flat]
    if psw is not None:
        rows = rows * psw.astype(weight.dtype).unsqueeze(1)
    out = Tensor.zeros(b, d, dtype=weight.dtype).index_add(0, bag, rows)
    if mode == "mean":
        out = out / _const(np.maximum(counts, 1).astype(weight.dtype)[:, None])
    return out


def _bag_max(weight: Tensor, flat: np.ndarray, bag: np.ndarray, counts: np.ndarray) -> Tensor:
    """The elementwise max of each bag's rows (0 for an empty bag): the bags laid out as
    (B, longest bag) indices into weight with a row of -inf appended for the padding."""
    n, d = weight.shape
    first = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
    table = np.full((counts.size, max(int(counts.max(initial=0)), 1)), n, dtype=np.int64)
    table[bag, np.arange(flat.size) - first[bag]] = flat
    padded = cat([weight, _const(np.full((1, d), -np.inf, dtype=weight.dtype))])
    out = padded[table].amax(1)
    return where(_const((counts > 0)[:, None]), out, 0.0)


class EmbeddingBag(Module):
    """F.embedding_bag with its own table: the sum, mean or max of the embeddings in each
    bag. `weight` (num_embeddings, embedding_dim) starts as N(0, 1), with the `padding_idx`
    row at zero; forward(input, offsets=None, per_sample_weights=None)."""

    def __init__(
        self,
        num_embeddings: int,
        embedding_dim: int,
        max_norm: float | None = None,
        norm_type: float = 2.0,
        scale_grad_by_freq: bool = False,
        mode: str = "mean",
        sparse: bool = False,
        _weight: Any = None,
        include_last_offset: bool = False,
        padding_idx: int | None = None,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        _positive("EmbeddingBag", num_embeddings=num_embeddings, embedding_dim=embedding_dim)
        if mode not in _MODES:
            raise ValueError(f"EmbeddingBag: mode must be 'sum', 'mean' or 'max', got {mode!r}")
        if max_norm is not None or scale_grad_by_freq:
            raise NotImplementedError(
                "EmbeddingBag: max_norm and scale_grad_by_freq are not supported here"
            )
        self.num_embeddings, self.embedding_dim = int(num_embeddings), int(embedding_dim)
        self.max_norm, self.norm_type, self.scale_grad_by_freq = None, norm_type, False
        self.mode, self.sparse = mode, bool(sparse)
        self.include_last_offset = bool(include_last_offset)
        self.padding_idx = _padding_row(padding_idx, self.num_embeddings, "EmbeddingBag")
        shape = (self.num_embeddings, self.embedding_dim)
        if _weight is None:
            self.weight = Parameter(np.empty(shape, dtype=_dtype(dtype, "EmbeddingBag", device)))
            self.reset_parameters()
        else:
            w = _weight.data if isinstance(_weight, Tensor) else np.asarray(_weight)
            if w.shape != shape:
                raise ValueError(f"EmbeddingBag: _weight of shape {w.shape} must be {shape}")
            self.weight = Parameter(w)

    def reset_parameters(self) -> None:
        init.normal_(self.weight)
        if self.padding_idx is not None:
            self.weight.data[self.padding_idx] = 0

    @classmethod
    def from_pretrained(
        cls, embeddings: Any, freeze: bool = True, max_norm: float | None = None,
        norm_type: float = 2.0, scale_grad_by_freq: bool = False, mode: str = "mean",
        sparse: bool = False, include_last_offset: bool = False, padding_idx: int | None = None,
    ) -> EmbeddingBag:  # fmt: skip
        """An EmbeddingBag whose weight is `embeddings` (2-D), frozen unless freeze=False."""
        w = embeddings.data if isinstance(embeddings, Tensor) else np.asarray(embeddings)
        if w.ndim != 2:
            raise ValueError(f"EmbeddingBag.from_pretrained: embeddings must be 2-D, got "
                             f"shape {w.shape}")  # fmt: skip
        bag = cls(w.shape[0], w.shape[1], max_norm, norm_type, scale_grad_by_freq, mode,
                  sparse, w, include_last_offset, padding_idx)  # fmt: skip
        bag.weight.requires_grad = not freeze
        return bag

    def forward(
        self, input: Any, offsets: Any = None, per_sample_weights: Tensor | None = None
    ) -> Tensor:
        return embedding_bag(input, self.weight, offsets, None, self.norm_type, False,
                             self.mode, self.sparse, per_sample_weights,
                             self.include_last_offset, self.padding_idx)  # fmt: skip

    def extra_repr(self) -> str:
        pad = "" if self.padding_idx is None else f", padding_idx={self.padding_idx}"
        return f"{self.num_embeddings}, {self.embedding_dim}, mode={self.mode!r}{pad}"
