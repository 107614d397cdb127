"""Train a multilayer perceptron on the bundled handwritten digits (8x8 pixels, 10 classes).

    python examples/digits_mlp.py [--epochs 20] [--hidden 128]

The network is z[1] = W[1] x + b[1], a[1] = relu(z[1]), z[2] = W[2] a[1] + b[2], trained with
softmax cross-entropy by AdamW on mini-batches of 64 with a cosine learning-rate schedule. It
reaches about 96% accuracy on the held-out test split in a few seconds, prints a line per epoch,
and saves the trained weights with `td.save` (loaded back and checked at the end).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

import numpy as np

import tinygrad_ds as td
from tinygrad_ds import nn, optim
from tinygrad_ds.data import DataLoader, TensorDataset
from tinygrad_ds.datasets import load_digits


def accuracy(model: nn.Module, X: np.ndarray, y: np.ndarray) -> float:
    model.eval()
    with td.no_grad():
        predicted = model(td.Tensor(X)).argmax(axis=1).numpy()
    model.train()
    return float((predicted == y).mean())


def main(epochs: int = 20, hidden: int = 128, seed: int = 0, verbose: bool = True) -> float:
    td.manual_seed(seed)
    X_train, y_train, X_test, y_test = load_digits(seed=seed)
    model = nn.Sequential(nn.Linear(64, hidden), nn.ReLU(), nn.Linear(hidden, 10))
    optimizer = optim.AdamW(model.parameters(), lr=1e-2)
    schedule = optim.CosineAnnealingLR(optimizer, T_max=epochs)
    loader = DataLoader(TensorDataset(X_train, y_train), batch_size=64, shuffle=True, seed=seed)
    loss_fn = nn.CrossEntropyLoss()
    if verbose:
        print(model)
    start = time.perf_counter()
    for epoch in range(1, epochs + 1):
        total = 0.0
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(yb)
        schedule.step()
        if verbose:
            print(f"epoch {epoch:3d}  loss {total / len(y_train):.4f}  "
                  f"test accuracy {accuracy(model, X_test, y_test):.3f}")  # fmt: skip
    test_accuracy = accuracy(model, X_test, y_test)
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "digits_mlp.npz")
        td.save(model.state_dict(), path)
        restored = nn.Sequential(nn.Linear(64, hidden), nn.ReLU(), nn.Linear(hidden, 10))
        restored.load_state_dict(td.load(path))
    assert accuracy(restored, X_test, y_test) == test_accuracy
    if verbose:
        print(f"test accuracy {test_accuracy:.3f} after {epochs} epochs "
              f"({time.perf_counter() - start:.1f} s); saved and reloaded identically")  # fmt: skip
    return test_accuracy


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--hidden", type=int, default=128)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    main(args.epochs, args.hidden, args.seed)
