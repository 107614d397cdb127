"""Variable-length sequences through an LSTM with pack_padded_sequence: digits read row by row.

    python examples/digits_rows_packed.py [--epochs 15] [--cell LSTM|GRU] [--hidden 64]

Each 8x8 digit is read as a sequence of its rows, 8 numbers per step, top to bottom, and cut
short at random: only its first 6, 7 or 8 rows are kept (every row of these digits has some
ink, so there are no blank rows to strip), so the sequences of a batch differ in length. A
batch is zero-padded to its longest sequence and packed,

    packed = nn.utils.rnn.pack_padded_sequence(padded, lengths, enforce_sorted=False)
    _, (h, c) = lstm(packed)     # h[-1]: the state after each sequence's OWN last row

so the LSTM never reads the padding: packing sorts the batch by length, and at step t runs
only on the sequences still going. The final hidden state goes to a linear layer over the 10
classes, trained with cross-entropy by Adam. It reaches about 93% test accuracy (GRU
about 94%) in a few seconds (chance: 10%), though a cut digit has lost some of its lower rows.
At the end it checks that packing changes nothing: every test sequence run alone at its own
length gives the same final state and the same outputs (max difference about 1e-6, float32
rounding), while reading the padded batch without packing gives other states (the zero rows
are read as input).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import tinygrad_ds as td
from tinygrad_ds import nn, optim
from tinygrad_ds.datasets import load_digits
from tinygrad_ds.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence


def cut_rows(X: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Images (n, 64) as zero-padded row sequences (8, n, 8), each cut to its first 6, 7 or 8
    rows, and those lengths."""
    rows = X.reshape(-1, 8, 8).transpose(1, 0, 2).copy()  # (steps, batch, features)
    lengths = rng.integers(6, 9, len(X))
    rows[np.arange(8)[:, None] >= lengths] = 0.0  # the padding
    return rows, lengths


class RowReader(nn.Module):
    def __init__(self, cell: str = "LSTM", hidden: int = 64) -> None:
        super().__init__()
        self.rnn = getattr(nn, cell)(8, hidden)
        self.head = nn.Linear(hidden, 10)

    def forward(self, rows: td.Tensor, lengths: np.ndarray) -> td.Tensor:
        packed = pack_padded_sequence(rows, lengths, enforce_sorted=False)
        _, state = self.rnn(packed)
        h = state[0] if isinstance(state, tuple) else state  # LSTM: (h, c); GRU: h
        return self.head(h[-1])  # h is in the batch's own order, not the sorted one


def packing_changes_nothing(rnn: nn.Module, rows: np.ndarray, lengths: np.ndarray
                            ) -> tuple[float, float]:  # fmt: skip
    """The largest difference between the packed batch and each sequence run alone at its
    own length (final hidden states and per-step outputs), and the smallest final-state
    difference that reading the padding (no packing) makes for a sequence that has some."""
    with td.no_grad():
        packed_out, state = rnn(pack_padded_sequence(td.Tensor(rows), lengths,
                                                     enforce_sorted=False))  # fmt: skip
        h = (state[0] if isinstance(state, tuple) else state).numpy()[-1]
        out, out_lengths = pad_packed_sequence(packed_out)
        out = out.numpy()
        assert np.array_equal(out_lengths.numpy(), lengths)
        largest = 0.0
        for i, length in enumerate(lengths):
            alone_out, alone_state = rnn(td.Tensor(rows[:length, i : i + 1]))
            alone = alone_state[0] if isinstance(alone_state, tuple) else alone_state
            state_gap = np.abs(alone.numpy()[-1, 0] - h[i]).max()
            output_gap = np.abs(alone_out.numpy()[:, 0] - out[:length, i]).max()
            largest = max(largest, float(state_gap), float(output_gap))
            assert not out[length:, i].any()  # pad_packed_sequence pads with zeros
        _, unpacked = rnn(td.Tensor(rows))  # the padding read as if it were rows
        unpacked_h = (unpacked[0] if isinstance(unpacked, tuple) else unpacked).numpy()[-1]
    short = lengths < rows.shape[0]
    padding_effect = float(np.abs(unpacked_h - h)[short].max(axis=1).min())
    return largest, padding_effect


def main(epochs: int = 15, cell: str = "LSTM", hidden: int = 64, seed: int = 0,
         verbose: bool = True) -> tuple[float, float]:  # fmt: skip
    """Returns the test accuracy and the largest packed-vs-alone difference."""
    td.manual_seed(seed)
    rng = np.random.default_rng(seed)
    X_train, y_train, X_test, y_test = load_digits(seed=seed)
    test_rows, test_lengths = cut_rows(X_test, rng)
    model = RowReader(cell, hidden)
    optimizer = optim.Adam(model.parameters(), lr=1e-2)
    loss_fn = nn.CrossEntropyLoss()
    if verbose:
        print(model)
        counts = np.bincount(test_lengths, minlength=9)[6:].tolist()
        print(f"test sequences of 6, 7, 8 rows: {counts}")
    start = time.perf_counter()
    for epoch in range(1, epochs + 1):
        rows, lengths = cut_rows(X_train, rng)  # new cuts every epoch
        order, total = rng.permutation(len(y_train)), 0.0
        for b in range(0, len(order), 64):
            batch = order[b : b + 64]
            longest = lengths[batch].max()  # pad the batch only to its longest sequence
            logits = model(td.Tensor(rows[:longest, batch]), lengths[batch])
            loss = loss_fn(logits, y_train[batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(batch)
        if verbose:
            right = accuracy(model, test_rows, test_lengths, y_test)
            print(f"epoch {epoch:3d}  loss {total / len(y_train):.4f}  test accuracy {right:.3f}")
    test_accuracy = accuracy(model, test_rows, test_lengths, y_test)
    largest, padding_effect = packing_changes_nothing(model.rnn, test_rows, test_lengths)
    if verbose:
        print(f"\n{cell}: test accuracy {test_accuracy:.3f} on digits cut to 6..8 rows "
              f"after {epochs} epochs ({time.perf_counter() - start:.1f} s)")  # fmt: skip
        print(f"packed batch vs each of the {len(y_test)} test sequences run alone: "
              f"max difference {largest:.1e}")  # fmt: skip
        print(f"without packing, reading the zero padding moves every shorter sequence's "
              f"final state by at least {padding_effect:.1e}")  # fmt: skip
    return test_accuracy, largest


def accuracy(model: RowReader, rows: np.ndarray, lengths: np.ndarray, y: np.ndarray) -> float:
    with td.no_grad():
        predicted = model(td.Tensor(rows), lengths).argmax(axis=1).numpy()
    return float((predicted == y).mean())


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--cell", choices=("LSTM", "GRU"), default="LSTM")
    parser.add_argument("--hidden", type=int, default=64)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    main(args.epochs, args.cell, args.hidden, args.seed)
