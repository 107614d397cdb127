"""Every optimiser on one convex problem: the course's regularised logistic regression.

    python examples/optimizers_compared.py [--epochs 50] [--lam 1e-2]

On the bundled breast-cancer data (float64), J(W, b) = (1/N) sum_i L(y_hat(i), y(i)) +
lambda R(W), with y_hat = sigmoid(W x + b), the binary cross-entropy L and R the sum of the
squared weights. J is strictly convex for lambda > 0, so it has one minimum J*: L-BFGS with the
strong-Wolfe line search finds it to many digits, and every other optimiser, given the same
number of full-batch steps (epochs), is scored by how far above J* it stops. The table shows
the course's batch gradient descent beside its variants.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

import numpy as np

import tinygrad_ds as td
from tinygrad_ds import nn, optim
from tinygrad_ds.datasets import load_breast_cancer

RECIPES: dict[str, Callable[[list[td.Tensor]], optim.Optimizer]] = {
    "SGD (batch gradient descent)": lambda p: optim.SGD(p, lr=0.5),
    "SGD, momentum 0.9": lambda p: optim.SGD(p, lr=0.5, momentum=0.9),
    "SGD, Nesterov": lambda p: optim.SGD(p, lr=0.5, momentum=0.9, nesterov=True),
    "Adagrad": lambda p: optim.Adagrad(p, lr=0.5),
    "RMSprop": lambda p: optim.RMSprop(p, lr=0.01),
    "Adadelta": lambda p: optim.Adadelta(p, lr=1.0),
    "Adam": lambda p: optim.Adam(p, lr=0.1),
    "Adamax": lambda p: optim.Adamax(p, lr=0.1),
    "NAdam": lambda p: optim.NAdam(p, lr=0.1),
    "RAdam": lambda p: optim.RAdam(p, lr=0.1),
    "Rprop": lambda p: optim.Rprop(p, lr=0.01),
}


def main(epochs: int = 50, lam: float = 1e-2, verbose: bool = True) -> dict[str, float]:
    """{recipe: J after `epochs` full-batch steps}, with "L-BFGS" the minimum J*, "start" the
    J all of them start from, and "gradient norm at J*" the size of dJ/d(W, b) where L-BFGS
    stopped."""
    X_train, y_train, _, _ = load_breast_cancer()
    x = td.Tensor(X_train.astype(np.float64))
    y = td.Tensor(y_train.astype(np.float64)).reshape(-1, 1)

    def fresh_model() -> nn.Linear:
        td.manual_seed(0)  # every optimiser starts from the same weights
        return nn.Linear(30, 1, dtype=td.float64)

    def cost(model: nn.Linear) -> td.Tensor:
        y_hat = model(x).sigmoid()
        return nn.functional.binary_cross_entropy(y_hat, y) + lam * nn.utils.l2_penalty(model)

    with td.no_grad():
        results: dict[str, float] = {"start": cost(fresh_model()).item()}
    for name, make in RECIPES.items():
        model = fresh_model()
        optimizer = make(list(model.parameters()))
        for _ in range(epochs):
            optimizer.zero_grad()
            cost(model).backward()
            optimizer.step()
        with td.no_grad():
            results[name] = cost(model).item()

    model = fresh_model()
    lbfgs = optim.LBFGS(model.parameters(), max_iter=200, tolerance_grad=1e-10,
                        tolerance_change=1e-14, line_search_fn="strong_wolfe")  # fmt: skip

    def closure() -> td.Tensor:
        lbfgs.zero_grad()
        j = cost(model)
        j.backward()
        return j

    lbfgs.step(closure)
    best = closure().item()  # (fills .grad at the minimum)
    results["L-BFGS"] = best
    results["gradient norm at J*"] = float(
        np.sqrt(sum((p.grad.numpy() ** 2).sum() for p in model.parameters()))
    )
    if verbose:
        print(f"J* = {best:.10f} (L-BFGS, strong Wolfe; |dJ| there "
              f"{results['gradient norm at J*']:.1e})")  # fmt: skip
        print(f"J at the start = {results['start']:.6f}")
        print(f"{'optimiser':30s} {'J after ' + str(epochs) + ' steps':>20s} {'J - J*':>10s}")
        for name in RECIPES:
            print(f"{name:30s} {results[name]:20.6f} {results[name] - best:10.2e}")
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=50)
    parser.add_argument("--lam", type=float, default=1e-2)
    args = parser.parse_args()
    main(args.epochs, args.lam)
