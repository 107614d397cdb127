"""Batch, stochastic and mini-batch gradient descent on the same problem, side by side.

    python examples/gd_variants.py [--epochs 20] [--lr 0.1] [--batch 32] [--plot gd_variants.png]

One optimiser (plain SGD), one model (logistic regression, `nn.Linear(30, 1)` on the bundled
breast-cancer data) and one learning rate; only the DataLoader's batch size differs:

    batch       B = N   one step per epoch, the exact gradient of J
    stochastic  B = 1   N noisy steps per epoch
    mini-batch  B = 32  N / 32 steps per epoch, the usual compromise

After every epoch the full training cost J is recorded against the epoch and against the wall
time spent training. A table is always printed; with matplotlib installed the two curves are
also drawn to a PNG file.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import tinygrad_ds as td
from tinygrad_ds import nn, optim
from tinygrad_ds.data import DataLoader, TensorDataset
from tinygrad_ds.datasets import load_breast_cancer


def train(batch_size: int, epochs: int, lr: float, seed: int = 0) -> dict[str, list[float]]:
    """Train from the same start with the given batch size; J and the seconds after each epoch
    (entry 0 is the start)."""
    X, y, _, _ = load_breast_cancer()
    y = y.astype(np.float32)[:, None]
    td.manual_seed(seed)
    model = nn.Linear(30, 1)
    optimizer = optim.SGD(model.parameters(), lr=lr)
    loader = DataLoader(TensorDataset(X, y), batch_size=batch_size, shuffle=True, seed=seed)
    loss_fn = nn.BCEWithLogitsLoss()

    def cost() -> float:
        with td.no_grad():
            return loss_fn(model(td.Tensor(X)), y).item()

    history = {"cost": [cost()], "seconds": [0.0], "steps": [0]}
    elapsed = 0.0
    for _ in range(epochs):
        start = time.perf_counter()
        for xb, yb in loader:
            optimizer.zero_grad()
            loss_fn(model(xb), yb).backward()
            optimizer.step()
        elapsed += time.perf_counter() - start
        history["cost"].append(cost())
        history["seconds"].append(elapsed)
        history["steps"].append(history["steps"][-1] + len(loader))
    return history


def table(runs: dict[str, dict[str, list[float]]]) -> str:
    names = list(runs)
    head = f"{'epoch':>5}  " + "  ".join(f"{n + ' J':>14} {'seconds':>8}" for n in names)
    lines = [head, "-" * len(head)]
    for e in range(len(runs[names[0]]["cost"])):
        cells = [f"{runs[n]['cost'][e]:>14.4f} {runs[n]['seconds'][e]:>8.3f}" for n in names]
        lines.append(f"{e:>5}  " + "  ".join(cells))
    steps = ", ".join(f"{n}: {runs[n]['steps'][-1]}" for n in names)
    lines.append(f"optimiser steps taken: {steps}")
    return "\n".join(lines)


def plot(runs: dict[str, dict[str, list[float]]], path: str) -> bool:
    """Draw J against epochs and against seconds; False if matplotlib is not installed."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    fig, (by_epoch, by_time) = plt.subplots(1, 2, figsize=(10, 4), sharey=True)
    for name, h in runs.items():
        by_epoch.plot(range(len(h["cost"])), h["cost"], marker=".", label=name)
        by_time.plot(h["seconds"], h["cost"], marker=".", label=name)
    by_epoch.set(xlabel="epoch", ylabel="training cost J", yscale="log", title="J vs epochs")
    by_time.set(xlabel="seconds of training", title="J vs wall time")
    by_epoch.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return True


def main(epochs: int = 20, lr: float = 0.1, batch: int = 32, plot_path: str | None = None,
         verbose: bool = True) -> dict[str, dict[str, list[float]]]:  # fmt: skip
    n = len(load_breast_cancer()[1])
    sizes = {"batch": n, "stochastic": 1, f"mini-batch {batch}": batch}
    runs = {name: train(size, epochs, lr) for name, size in sizes.items()}
    if verbose:
        print(f"SGD, lr={lr}, {n} training examples, {epochs} epochs\n")
        print(table(runs))
    if plot_path and plot(runs, plot_path) and verbose:
        print(f"\nplot written to {plot_path}")
    elif plot_path and verbose:
        print("\n(matplotlib is not installed: no plot, the table above has the numbers)")
    return runs


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--lr", type=float, default=0.1)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--plot", default="gd_variants.png", help="PNG path ('' for none)")
    args = parser.parse_args()
    main(args.epochs, args.lr, args.batch, args.plot or None)
