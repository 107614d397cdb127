"""Two interleaving half moons, a small network, and the curved boundary it learns.

    python examples/moons_decision_boundary.py [--out runs/moons_decision_boundary.png]

A line cannot separate the moons (logistic regression gets about 85% of them); a network with
two hidden layers of 16 tanh units, trained by Adam on mini-batches of 32, bends its boundary
around them and gets 96 to 98% of the held-out points right. The picture shows p(y = 1 | x)
over the plane, the 0.5 contour (the decision boundary) and the points.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

import tinygrad_ds as td
from tinygrad_ds import nn, optim
from tinygrad_ds.data import DataLoader, TensorDataset
from tinygrad_ds.datasets import make_moons, stratified_split


def train(model: nn.Module, X: np.ndarray, y: np.ndarray, epochs: int, seed: int) -> None:
    """Adam on mini-batches of 32 with binary cross-entropy on the model's one logit."""
    optimizer = optim.Adam(model.parameters(), lr=0.01)
    loader = DataLoader(TensorDataset(X, y.astype(np.float32)[:, None]), batch_size=32,
                        shuffle=True, seed=seed)  # fmt: skip
    loss_fn = nn.BCEWithLogitsLoss()
    for _ in range(epochs):
        for xb, yb in loader:
            optimizer.zero_grad()
            loss_fn(model(xb), yb).backward()
            optimizer.step()


def accuracy(model: nn.Module, X: np.ndarray, y: np.ndarray) -> float:
    with td.no_grad():
        return float(np.mean((model(td.Tensor(X)).numpy()[:, 0] > 0) == y))


def plot(model: nn.Module, X: np.ndarray, y: np.ndarray, path: Path, title: str) -> Path:
    """p(y = 1 | x) on a grid, the 0.5 contour and the points, saved as a PNG (Agg canvas)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    (x0, y0), (x1, y1) = X.min(axis=0) - 0.5, X.max(axis=0) + 0.5
    gx, gy = np.meshgrid(np.linspace(x0, x1, 200), np.linspace(y0, y1, 200))
    grid = np.stack([gx.ravel(), gy.ravel()], axis=1).astype(np.float32)
    with td.no_grad():
        p = model(td.Tensor(grid)).sigmoid().numpy().reshape(gx.shape)
    fig = Figure(figsize=(6, 4.5), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    filled = ax.contourf(gx, gy, p, levels=20, cmap="RdBu_r", alpha=0.7)
    ax.contour(gx, gy, p, levels=[0.5], colors="black", linewidths=1.5)
    ax.scatter(X[:, 0], X[:, 1], c=y, cmap="RdBu_r", edgecolors="white", linewidths=0.5, s=18)
    fig.colorbar(filled, ax=ax, label="p(y = 1 | x)")
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    return path


def main(out: str | Path = "runs/moons_decision_boundary.png", epochs: int = 40, seed: int = 0,
         verbose: bool = True) -> tuple[float, float, Path]:  # fmt: skip
    """Train a line and a network; returns (line's test accuracy, network's, the PNG's path)."""
    X, y = make_moons(1000, noise=0.2, seed=seed)
    train_idx, test_idx = stratified_split(y, 0.25, seed)
    td.manual_seed(seed)
    line = nn.Linear(2, 1)
    train(line, X[train_idx], y[train_idx], epochs, seed)
    network = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 16), nn.Tanh(),
                            nn.Linear(16, 1))  # fmt: skip
    train(network, X[train_idx], y[train_idx], epochs, seed)
    acc_line = accuracy(line, X[test_idx], y[test_idx])
    acc_net = accuracy(network, X[test_idx], y[test_idx])
    title = f"2-16-16-1 tanh network: {acc_net:.1%} of the test points right"
    path = plot(network, X[test_idx], y[test_idx], Path(out), title)
    if verbose:
        print(f"logistic regression (a line):   test accuracy {acc_line:.3f}")
        print(f"two hidden layers of 16 (tanh): test accuracy {acc_net:.3f}")
        print(f"decision boundary: {path}")
    return acc_line, acc_net, path


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out",
        default="runs/moons_decision_boundary.png",
        help="where to save the PNG (default runs/moons_decision_boundary.png)",
    )
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    main(args.out, args.epochs, args.seed)
