"""XOR, the problem a single layer cannot solve, learned by a two-layer network.

    python examples/xor_mlp.py [--epochs 300] [--seed 0]

The four points (0,0) -> 0, (0,1) -> 1, (1,0) -> 1, (1,1) -> 0 are not linearly separable, so
a perceptron fails on them (examples/perceptron.py). The network z[1] = W[1] x + b[1],
a[1] = tanh(z[1]), y_hat = sigmoid(W[2] a[1] + b[2]) with four hidden units, trained by Adam on
the binary cross-entropy of all four points at once (batch gradient descent), gets them all
right. It prints the loss as it falls and the learned truth table.
"""

from __future__ import annotations

import argparse

import numpy as np

import tinygrad_ds as td
from tinygrad_ds import nn, optim

X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], dtype=np.float32)
Y = np.array([[0.0], [1.0], [1.0], [0.0]], dtype=np.float32)


def main(epochs: int = 300, seed: int = 0, verbose: bool = True) -> tuple[float, np.ndarray]:
    """Train; returns (final loss, the network's probabilities for the four points)."""
    td.manual_seed(seed)
    model = nn.Sequential(nn.Linear(2, 4), nn.Tanh(), nn.Linear(4, 1), nn.Sigmoid())
    optimizer = optim.Adam(model.parameters(), lr=0.1)
    loss_fn = nn.BCELoss()
    x, y = td.Tensor(X), td.Tensor(Y)
    for epoch in range(1, epochs + 1):
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        if verbose and (epoch == 1 or epoch % (epochs // 6 or 1) == 0):
            print(f"epoch {epoch:4d}  loss {loss.item():.5f}")
    with td.no_grad():
        p = model(x).numpy()[:, 0]
    if verbose:
        print("\n x1 x2 | target  p(y=1)  predicted")
        for (x1, x2), target, prob in zip(X, Y[:, 0], p):
            print(f"  {x1:.0f}  {x2:.0f} |   {target:.0f}     {prob:.3f}      {int(prob > 0.5)}")
        correct = int(np.sum((p > 0.5) == (Y[:, 0] > 0.5)))
        print(f"\n{correct}/4 points right after {epochs} epochs")
    return loss.item(), p


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    main(args.epochs, args.seed)
