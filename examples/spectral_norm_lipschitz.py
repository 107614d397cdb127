"""Spectral normalisation bounds a network's Lipschitz constant: breast cancer diagnosis.

    python examples/spectral_norm_lipschitz.py [--epochs 60] [--hidden 64]

A network f = W3 relu(W2 relu(W1 x)) (biases aside) moves its output by at most
||W3|| ||W2|| ||W1|| ||x - x'|| when its input moves from x to x', ||W|| the spectral norm
(largest singular value) and relu 1-Lipschitz. `nn.utils.parametrizations.spectral_norm`
replaces each weight by W / sigma(W) (Miyato et al. 2018, eq. 8), sigma estimated by a step of
power iteration per training forward pass (a few more passes after training let it catch up
with the last update), so the product, and with it the Lipschitz constant
of the whole network, is at most 1: no input change of size r moves the logits by more than r.

Two 30-64-64-2 ReLU networks are trained alike (Adam, cross-entropy) on the bundled Wisconsin
breast cancer data (30 standardised features), one plain and one with every Linear spectrally
normalised. Both diagnose about 96-98% of the test patients correctly. The example then checks
the bound: the singular values of the normalised weights (by np.linalg.svd) are 1, and the
input-output Jacobian of the normalised network has spectral norm below 1 at every test
patient (computed exactly, 2 backward passes for the batch), while the plain network's reaches
ten or more: a small change of the features can swing its logits far more.
"""

from __future__ import annotations

import argparse

import numpy as np

import tinygrad_ds as td
from tinygrad_ds import nn, optim
from tinygrad_ds.datasets import load_breast_cancer
from tinygrad_ds.nn.utils.parametrizations import spectral_norm


def make_model(hidden: int, normalised: bool) -> nn.Sequential:
    layers = [nn.Linear(30, hidden), nn.Linear(hidden, hidden), nn.Linear(hidden, 2)]
    if normalised:
        layers = [spectral_norm(layer) for layer in layers]
    return nn.Sequential(layers[0], nn.ReLU(), layers[1], nn.ReLU(), layers[2])


def train(model: nn.Module, X: np.ndarray, y: np.ndarray, epochs: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    optimizer = optim.Adam(model.parameters(), lr=1e-2)
    for _ in range(epochs):
        order = rng.permutation(len(y))
        for b in range(0, len(y), 64):
            batch = order[b : b + 64]
            loss = nn.functional.cross_entropy(model(td.Tensor(X[batch])), y[batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()


def jacobian_norms(model: nn.Module, X: np.ndarray) -> np.ndarray:
    """The spectral norm of d f(x) / dx (2 x 30) at each row x of X. The rows of a batch do
    not interact, so the gradient of sum_n f_k(x_n) holds every row's d f_k / dx at once."""
    x = td.Tensor(X, requires_grad=True)
    out = model(x)
    rows = [td.grad(out[:, k].sum(), x, retain_graph=True)[0].numpy() for k in range(2)]
    return np.linalg.norm(np.stack(rows, axis=1), ord=2, axis=(1, 2))


def main(epochs: int = 60, hidden: int = 64, seed: int = 0,
         verbose: bool = True) -> dict[str, float]:  # fmt: skip
    """Returns, for the plain and the normalised network, the test accuracy and the largest
    Jacobian spectral norm over the test patients, and the largest singular value of any
    normalised weight."""
    X_train, y_train, X_test, y_test = load_breast_cancer(seed=seed)
    results = {}
    for name, normalised in (("plain", False), ("normalised", True)):
        td.manual_seed(seed)
        model = make_model(hidden, normalised)
        train(model, X_train, y_train, epochs, seed)
        if normalised:  # sigma's estimate lags the last update: let power iteration catch up
            with td.no_grad():
                for _ in range(200):
                    model(td.Tensor(X_train[:1]))
        model.eval()  # the power iteration stops; the weights used are fixed
        with td.no_grad():
            predicted = model(td.Tensor(X_test)).argmax(axis=1).numpy()
        results[f"{name}_accuracy"] = float((predicted == y_test).mean())
        results[f"{name}_jacobian"] = float(jacobian_norms(model, X_test).max())
        if normalised:
            with td.no_grad():
                sigmas = [np.linalg.svd(model[i].weight.numpy(), compute_uv=False)[0]
                          for i in (0, 2, 4)]  # fmt: skip
            results["largest_sigma"] = float(max(sigmas))
        if verbose:
            accuracy, jacobian = results[f"{name}_accuracy"], results[f"{name}_jacobian"]
            print(f"{name:>10}: test accuracy {accuracy:.3f}, largest Jacobian spectral norm "
                  f"at a test patient {jacobian:.3f}")  # fmt: skip
    if verbose:
        sigma = results["largest_sigma"]
        print(f"largest singular value of the normalised weights: {sigma:.4f} (1 up to the "
              "power iteration's convergence: the network is 1-Lipschitz)")  # fmt: skip
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=60)
    parser.add_argument("--hidden", type=int, default=64)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    main(args.epochs, args.hidden, args.seed)
