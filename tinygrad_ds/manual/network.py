"""The forward pass and the cost J of a fully connected network, in plain NumPy.

Course notation: z[l] = W[l] a[l-1] + b[l], a[l] = g(z[l]), a[0] = x, y_hat = a[L].
With one example per row of X the same equations read Z[l] = A[l-1] W[l]^T + b[l].
``weights[0]`` holds W[1]; ``activations[l]`` is a[l]; ``zs[l - 1]`` is z[l].
"""

from __future__ import annotations

import numpy as np

from ._checks import check_activations, check_inputs, check_lam, check_network, check_targets
from .activations import activate, log_sigmoid, log_softmax

__all__ = ["cost", "example_losses", "forward", "regulariser"]


def forward(
    weights: list[np.ndarray],
    biases: list[np.ndarray],
    X: np.ndarray,
    hidden: str = "sigmoid",
    output: str = "sigmoid",
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Return (zs, activations): z[l] = W[l] a[l-1] + b[l] and a[l] = g(z[l]) for l = 1..L.

    Each z[l], a[l] has shape (N, n_l); ``activations[0]`` is X itself (a[0] = x; the same
    object when X is already a float64 array, else its float64 conversion), so
    ``len(activations) == len(zs) + 1``. Hidden layers use ``hidden``, layer L uses ``output``.
    """
    check_activations("forward", hidden, output)
    Ws, bs = check_network("forward", weights, biases)
    X = check_inputs("forward", Ws, X)
    return _forward(Ws, bs, X, hidden, output)


def _forward(Ws, bs, x, hidden, output):
    """Unchecked forward pass; ``x`` is one example (n_0,) or a batch (N, n_0)."""
    L = len(Ws)
    zs, activations = [], [x]
    for l in range(1, L + 1):
        z = activations[l - 1] @ Ws[l - 1].T + bs[l - 1]  # z[l] = W[l] a[l-1] + b[l]
        zs.append(z)
        activations.append(activate(output if l == L else hidden, z))  # a[l] = g(z[l])
    return zs, activations


def example_losses(z_L: np.ndarray, T: np.ndarray, output: str) -> np.ndarray:
    """Per-example loss L(y_hat(i), y(i)) from the output pre-activations z[L] (N, n_L).

    sigmoid: L = -sum_k [(1 - y_k) log(1 - y_hat_k) + y_k log y_hat_k] (one term if n_L = 1);
    softmax: L = -sum_k y_k log y_hat_k with y one-hot (cross-entropy);
    identity: L = (1/2) ||y_hat - y||^2.
    The logs are taken from z[L] (log y_hat = log sigma(z), log(1 - y_hat) = log sigma(-z), and
    log-sum-exp for softmax), which equals the formula on y_hat but never takes log(0).
    """
    if output == "sigmoid":
        return -np.sum((1.0 - T) * log_sigmoid(-z_L) + T * log_sigmoid(z_L), axis=1)
    if output == "softmax":
        return -np.sum(T * log_softmax(z_L), axis=1)
    return 0.5 * np.sum((z_L - T) ** 2, axis=1)


def regulariser(weights: list[np.ndarray]) -> float:
    """R(W, b) = sum_l sum_(j,k) W[l]_jk^2: squared weights only, biases excluded, no 1/2."""
    return float(sum(np.sum(np.square(w)) for w in weights))


def cost(
    weights: list[np.ndarray],
    biases: list[np.ndarray],
    X: np.ndarray,
    Y: np.ndarray,
    hidden: str = "sigmoid",
    output: str = "sigmoid",
    lam: float = 0.0,
) -> float:
    """J(W, b) = (1/N) sum_i L(y_hat(i), y(i)) + lam R(W, b), with L from ``example_losses``."""
    check_activations("cost", hidden, output)
    Ws, bs = check_network("cost", weights, biases)
    X = check_inputs("cost", Ws, X)
    T = check_targets("cost", Y, X.shape[0], Ws[-1].shape[0], output)
    lam = check_lam("cost", lam)
    zs, _ = _forward(Ws, bs, X, hidden, output)
    return float(np.mean(example_losses(zs[-1], T, output)) + lam * regulariser(Ws))
