"""Batches of sequences of different lengths, as PyTorch's `nn.utils.rnn`.

A padded batch is one (L, N, *) tensor ((N, L, *) with `batch_first`) whose sequence i holds
real steps only up to lengths[i]. A `PackedSequence` keeps the real steps only, time step by
time step: with the sequences sorted by decreasing length, step t holds the batch_sizes[t]
sequences still running, so `data` is (sum of lengths, *) and a recurrent layer runs step t
on the first batch_sizes[t] rows of its state. Everything here is composed from slicing,
`cat`, `stack` and `index_select`, so gradients flow back to the padded input.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Sequence
from typing import Any

import numpy as np

from ...functions import cat, stack
from ...tensor import Tensor

__all__ = [
    "PackedSequence", "invert_permutation", "pad_sequence", "pack_padded_sequence",
    "pad_packed_sequence", "pack_sequence", "unpad_sequence", "unpack_sequence",
]  # fmt: skip


def _longs(values: Any) -> Tensor:
    """A constant int64 Tensor (lengths, batch sizes and permutations carry no gradient)."""
    return Tensor._make(np.asarray(values, dtype=np.int64), None)


def invert_permutation(permutation: Tensor | None) -> Tensor | None:
    """The permutation q with q[p[i]] = i (None for None): it undoes `index_select(p)`."""
    if permutation is None:
        return None
    p = np.asarray(permutation.data if isinstance(permutation, Tensor) else permutation)
    inverse = np.empty_like(p, dtype=np.int64)
    inverse[p] = np.arange(p.size, dtype=np.int64)
    return _longs(inverse)


class PackedSequence(
    namedtuple("PackedSequence", ["data", "batch_sizes", "sorted_indices", "unsorted_indices"])
):
    """The real steps of a batch of sequences, time step by time step (see the module's
    docstring): `data` (sum of lengths, *), `batch_sizes` (int64, one per time step),
    `sorted_indices` (batch order by decreasing length; None if the batch was sorted) and
    `unsorted_indices` (its inverse). Build one with `pack_padded_sequence` or
    `pack_sequence`, never by hand; RNN, LSTM and GRU take one and return one."""

    __slots__ = ()

    def __new__(
        cls,
        data: Tensor,
        batch_sizes: Tensor | None = None,
        sorted_indices: Tensor | None = None,
        unsorted_indices: Tensor | None = None,
    ) -> PackedSequence:
        if batch_sizes is None:
            raise ValueError("PackedSequence: batch_sizes is required (build one with "
                             "pack_padded_sequence or pack_sequence)")  # fmt: skip
        if unsorted_indices is None:
            unsorted_indices = invert_permutation(sorted_indices)
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def to(self, *args: Any, **kwargs: Any) -> PackedSequence:
        """The same sequence with `data.to(...)` (the index tensors are kept)."""
        data = self.data.to(*args, **kwargs)
        return self if data is self.data else self._replace(data=data)

    def float(self) -> PackedSequence:  # noqa: A003 (PyTorch's name)
        return self.to(np.float32)

    def double(self) -> PackedSequence:
        return self.to(np.float64)

    @property
    def is_cuda(self) -> bool:
        return False

    def is_pinned(self) -> bool:
        return False


def _lengths(lengths: Any, what: str) -> np.ndarray:
    array = np.asarray(lengths.data if isinstance(lengths, Tensor) else lengths)
    if array.ndim != 1 or (array.size and array.dtype.kind not in "iu"):
        raise TypeError(f"{what}: lengths must be a 1-D sequence of ints, got {lengths!r:.80}")
    return array.astype(np.int64)


def pad_sequence(
    sequences: Sequence[Tensor] | Tensor,
    batch_first: bool = False,
    padding_value: float = 0.0,
    padding_side: str = "right",
) -> Tensor:
    """Stack sequences of shapes (L_i, *) into one (L, N, *) tensor, L = max L_i ((N, L, *)
    with `batch_first`), filling the missing steps with `padding_value` after each sequence
    (`padding_side='right'`) or before it ('left')."""
    what = "pad_sequence"
    if padding_side not in ("left", "right"):
        raise ValueError(f"{what}: padding_side must be 'left' or 'right', got {padding_side!r}")
    seqs = list(sequences)
    if not seqs:
        raise ValueError(f"{what}: received an empty list of sequences")
    for i, s in enumerate(seqs):
        if not isinstance(s, Tensor):
            raise TypeError(f"{what}: sequence {i} is a {type(s).__name__}, not a Tensor")
        if s.ndim == 0 or s.shape[1:] != seqs[0].shape[1:]:
            raise ValueError(
                f"{what}: sequence {i} has shape {s.shape}; every sequence must be (L_i, *) "
                f"with the same trailing shape {seqs[0].shape[1:]}"
            )
    longest = max(s.shape[0] for s in seqs)
    padded = []
    for s in seqs:
        missing = longest - s.shape[0]
        if missing:
            fill = np.full((missing, *s.shape[1:]), padding_value, dtype=s.dtype)
            block = Tensor._make(fill, None)
            s = cat([s, block] if padding_side == "right" else [block, s])
        padded.append(s)
    return stack(padded, axis=0 if batch_first else 1)


def pack_padded_sequence(
    input: Tensor,  # noqa: A002 (PyTorch's name)
    lengths: Any,
    batch_first: bool = False,
    enforce_sorted: bool = True,
) -> PackedSequence:
    """Pack a padded (L, N, *) batch ((N, L, *) with `batch_first`) whose sequence i has
    lengths[i] real steps. With `enforce_sorted` the lengths must be decreasing; otherwise
    the batch is sorted here and `sorted_indices` records the order."""
    what = "pack_padded_sequence"
    if not isinstance(input, Tensor):
        raise TypeError(f"{what}: input must be a Tensor, got {type(input).__name__}")
    if input.ndim < 2:
        raise ValueError(f"{what}: input must be at least 2-D (L, N, *), got shape {input.shape}")
    lens = _lengths(lengths, what)
    batch_dim = 0 if batch_first else 1
    n, steps = input.shape[batch_dim], input.shape[1 - batch_dim]
    if lens.size != n:
        raise ValueError(f"{what}: expected len(lengths) to be equal to batch_size, but got "
                         f"{lens.size} (batch_size={n})")  # fmt: skip
    if n and lens.min() <= 0:
        raise RuntimeError(f"{what}: length of all samples has to be greater than 0, but found "
                           f"an element in 'lengths' that is <= 0: {lens.tolist()}")  # fmt: skip
    if n and lens.max() > steps:
        raise ValueError(f"{what}: a length {lens.max()} exceeds the {steps} steps of input of "
                         f"shape {input.shape}")  # fmt: skip
    if enforce_sorted:
        if (np.diff(lens) > 0).any():
            raise RuntimeError(
                f"{what}: `lengths` array must be sorted in decreasing order when "
                "`enforce_sorted` is True; pass enforce_sorted=False to sort them here"
            )
        sorted_indices = None
    else:
        order = np.argsort(-lens, kind="stable")
        sorted_indices, lens = _longs(order), lens[order]
        input = input.index_select(batch_dim, sorted_indices)
    if batch_first:
        input = input.transpose(0, 1)
    batch_sizes = [int((lens > t).sum()) for t in range(int(lens.max()) if n else 0)]
    data = cat([input[t, :b] for t, b in enumerate(batch_sizes)])
    return PackedSequence(data, _longs(batch_sizes), sorted_indices)


def pad_packed_sequence(
    sequence: PackedSequence,
    batch_first: bool = False,
    padding_value: float = 0.0,
    total_length: int | None = None,
) -> tuple[Tensor, Tensor]:
    """The inverse of `pack_padded_sequence`: (padded, lengths), padded (T, N, *) ((N, T, *)
    with `batch_first`) in the original batch order, T = the longest length or
    `total_length`, and lengths an int64 Tensor."""
    what = "pad_packed_sequence"
    if not isinstance(sequence, PackedSequence):
        raise TypeError(f"{what}: expected a PackedSequence, got {type(sequence).__name__}")
    data, sizes = sequence.data, [int(b) for b in np.asarray(sequence.batch_sizes.data)]
    steps, n = len(sizes), sizes[0]
    if total_length is not None:
        if total_length < steps:
            raise ValueError(
                f"{what}: expected total_length to be at least the length of the longest "
                f"sequence in input, but got total_length={total_length} and max sequence "
                f"length being {steps}"
            )
        steps = int(total_length)
    rows, start = [], 0
    for t in range(steps):
        b = sizes[t] if t < len(sizes) else 0
        row = data[start : start + b]
        start += b
        if b < n:
            fill = np.full((n - b, *data.shape[1:]), padding_value, dtype=data.dtype)
            row = cat([row, Tensor._make(fill, None)]) if b else Tensor._make(fill, None)
        rows.append(row)
    padded = stack(rows, axis=0)
    lengths = np.array([sum(1 for b in sizes if b > i) for i in range(n)], dtype=np.int64)
    if sequence.unsorted_indices is not None:
        padded = padded.index_select(1, sequence.unsorted_indices)
        lengths = lengths[np.asarray(sequence.unsorted_indices.data)]
    if batch_first:
        padded = padded.transpose(0, 1)
    return padded, _longs(lengths)


def pack_sequence(sequences: Sequence[Tensor], enforce_sorted: bool = True) -> PackedSequence:
    """Pack a list of (L_i, *) sequences (decreasing lengths, unless `enforce_sorted=False`):
    `pack_padded_sequence(pad_sequence(sequences), lengths)`."""
    seqs = list(sequences)
    lengths = [s.shape[0] if isinstance(s, Tensor) and s.ndim else 0 for s in seqs]
    return pack_padded_sequence(pad_sequence(seqs), lengths, enforce_sorted=enforce_sorted)


def unpad_sequence(
    padded_sequences: Tensor, lengths: Any, batch_first: bool = False
) -> list[Tensor]:
    """The list of sequences in a padded batch: sequence i is its first lengths[i] steps
    (the inverse of `pad_sequence`)."""
    what = "unpad_sequence"
    lens = _lengths(lengths, what)
    x = padded_sequences if batch_first else padded_sequences.transpose(0, 1)
    if lens.size != x.shape[0]:
        raise ValueError(f"{what}: {lens.size} lengths for a batch of {x.shape[0]} sequences")
    return [x[i, : int(k)] for i, k in enumerate(lens)]


def unpack_sequence(packed_sequences: PackedSequence) -> list[Tensor]:
    """The list of sequences in a PackedSequence, in the original order (the inverse of
    `pack_sequence`)."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
