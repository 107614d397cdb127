"""Train a small two-layer network with nothing but the Tensor API, and watch its loss fall.

    python examples/quickstart.py

The network is the course's z[1] = W[1] x + b[1], a[1] = tanh(z[1]), z[2] = W[2] a[1] + b[2],
y_hat = sigmoid(z[2]), trained by batch gradient descent on the binary cross-entropy
L = -[(1 - y) log(1 - y_hat) + y log y_hat] for points inside vs outside a circle.
"""

from __future__ import annotations

import argparse

import numpy as np

import tinygrad_ds as td


def make_circle_data(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, size=(n, 2)).astype(np.float32)
    y = (np.sum(X**2, axis=1) < 0.5).astype(np.float32)
    return X, y


def main(epochs: int = 300, lr: float = 1.0, seed: int = 0) -> float:
    td.manual_seed(seed)
    X, y = make_circle_data(256, seed)
    x, target = td.Tensor(X), td.Tensor(y).reshape(-1, 1)
    W1 = td.Tensor.randn(16, 2, requires_grad=True)
    b1 = td.Tensor.zeros(16, requires_grad=True)
    W2 = (td.Tensor.randn(1, 16) * 0.25).detach().requires_grad_()
    b2 = td.Tensor.zeros(1, requires_grad=True)
    params = [W1, b1, W2, b2]
    for epoch in range(epochs + 1):
        a1 = (x @ W1.T + b1).tanh()
        y_hat = (a1 @ W2.T + b2).sigmoid().clip(1e-7, 1 - 1e-7)
        loss = -(target * y_hat.log() + (1 - target) * (1 - y_hat).log()).mean()
        for p in params:
            p.grad = None
        loss.backward()
        with td.no_grad():
            for p in params:
                p -= lr * p.grad
        if epoch % (epochs // 10) == 0:
            accuracy = float(((y_hat.data > 0.5) == (target.data > 0.5)).mean())
            print(f"epoch {epoch:4d}  loss {loss.item():.4f}  accuracy {accuracy:.3f}")
    return loss.item()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=300)
    args = parser.parse_args()
    main(args.epochs)
