"""Logistic regression on the bundled breast-cancer data, with the course's cost function.

    python examples/breast_cancer_logistic.py [--epochs 300] [--lam 1e-3]

y_hat = sigmoid(W x + b) (one `nn.Linear(30, 1)`), trained by batch gradient descent on
J(W, b) = (1/N) sum_i L(y_hat(i), y(i)) + lambda R(W), with the binary cross-entropy
L = -[(1 - y) log(1 - y_hat) + y log y_hat] and R = the sum of the squared weights
(`nn.utils.l2_penalty`). About 98% of the held-out tumours are classified correctly.
"""

from __future__ import annotations

import argparse

import numpy as np

import tinygrad_ds as td
from tinygrad_ds import nn, optim
from tinygrad_ds.datasets import load_breast_cancer


def main(epochs: int = 300, lr: float = 0.5, lam: float = 1e-3, verbose: bool = True) -> float:
    td.manual_seed(0)
    X_train, y_train, X_test, y_test = load_breast_cancer()
    model = nn.Linear(30, 1)
    optimizer = optim.SGD(model.parameters(), lr=lr)
    x = td.Tensor(X_train)
    y = td.Tensor(y_train.astype(np.float32)).reshape(-1, 1)
    for epoch in range(1, epochs + 1):
        optimizer.zero_grad()
        y_hat = model(x).sigmoid()
        cost = nn.functional.binary_cross_entropy(y_hat, y) + lam * nn.utils.l2_penalty(model)
        cost.backward()
        optimizer.step()
        if verbose and (epoch == 1 or epoch % (epochs // 10) == 0):
            accuracy = float(((y_hat.numpy() > 0.5) == (y.numpy() > 0.5)).mean())
            print(f"epoch {epoch:4d}  J {cost.item():.4f}  train accuracy {accuracy:.3f}")
    with td.no_grad():
        predicted = model(td.Tensor(X_test)).sigmoid().numpy()[:, 0] > 0.5
    test_accuracy = float((predicted == y_test).mean())
    if verbose:
        print(f"test accuracy {test_accuracy:.3f} on {len(y_test)} held-out tumours")
    return test_accuracy


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=300)
    parser.add_argument("--lr", type=float, default=0.5)
    parser.add_argument("--lam", type=float, default=1e-3)
    args = parser.parse_args()
    main(args.epochs, args.lr, args.lam)
