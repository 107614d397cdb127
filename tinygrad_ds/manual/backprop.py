"""Backpropagation as the course derives it: deltas by hand, per example and batched.

delta[l] = dL/dz[l]. At the output, delta[L] = a[L] - y (sigmoid with binary cross-entropy,
softmax with cross-entropy, identity with squared error); below it,
delta[l] = (W[l+1]^T delta[l+1]) * g'(z[l]). The gradients of one example's loss are
dL/dW[l] = delta[l] a[l-1]^T and dL/db[l] = delta[l]; those of J add 2 lam W[l] for R = sum W^2.
"""

from __future__ import annotations

import numpy as np

from ._checks import check_activations, check_inputs, check_lam, check_network, check_targets
from .activations import OUTPUTS, activate, g_prime
from .network import _forward

__all__ = ["backprop", "output_delta"]


def output_delta(
    z_L: np.ndarray, y: np.ndarray, output: str = "sigmoid", simplified: bool = True
) -> np.ndarray:
    """delta[L] = dL/dz[L] for one example (z_L of shape (n_L,)) or a batch (N, n_L).

    ``simplified=True`` returns the course's result a[L] - y. ``simplified=False`` applies the
    chain rule unsimplified, delta[L] = g'(z[L])^T dL/dy_hat:
    sigmoid, dL/dy_hat = (y_hat - y) / (y_hat (1 - y_hat)), times g'(z[L]) = y_hat (1 - y_hat);
    softmax, dL/dy_hat = -y / y_hat, times the Jacobian diag(y_hat) - y_hat y_hat^T;
    identity, dL/dy_hat = y_hat - y, times g' = 1.
    Both agree to rounding while y_hat is away from 0 and 1; where y_hat rounds to exactly 0 or
    1 the unsimplified form gives nan or inf, which is why the course simplifies it.
    ``y`` has the shape of z_L (targets; one-hot for softmax), or for softmax may hold class
    indices of shape z_L.shape[:-1].
    """
    if output not in OUTPUTS:
        raise ValueError(f"output_delta: unknown output {output!r}; expected one of {OUTPUTS}")
    z_L = np.asarray(z_L, dtype=np.float64)
    y = np.asarray(y)
    if z_L.ndim not in (1, 2):
        raise ValueError(f"output_delta: z_L must be (n_L,) or (N, n_L); got shape {z_L.shape}")
    if output == "softmax" and y.shape == z_L.shape[:-1]:
        n_out = z_L.shape[-1]
        if np.any((y != np.round(y)) | (y < 0) | (y >= n_out)):
            raise ValueError(
                f"output_delta: class indices must be integers in [0, {n_out - 1}]; got {y}"
            )
        y = np.eye(n_out)[y.astype(np.int64)]
    if y.shape != z_L.shape:
        raise ValueError(
            f"output_delta: y has shape {y.shape} but z_L has shape {z_L.shape}; they must match"
        )
    y = y.astype(np.float64)
    y_hat = activate(output, z_L)
    if simplified:
        return y_hat - y
    with np.errstate(divide="ignore", invalid="ignore"):
        if output == "sigmoid":
            dL_dyhat = (y_hat - y) / (y_hat * (1.0 - y_hat))
            return dL_dyhat * (y_hat * (1.0 - y_hat))
        if output == "softmax":
            dL_dyhat = -y / y_hat
            eye = np.eye(z_L.shape[-1])
            jacobian = y_hat[..., :, None] * eye - y_hat[..., :, None] * y_hat[..., None, :]
            return np.einsum("...jk,...j->...k", jacobian, dL_dyhat)
    return y_hat - y  # identity: dL/dy_hat = y_hat - y and g' = 1


def backprop(
    weights: list[np.ndarray],
    biases: list[np.ndarray],
    X: np.ndarray,
    Y: np.ndarray,
    hidden: str = "sigmoid",
    output: str = "sigmoid",
    lam: float = 0.0,
    loop: bool = True,
    simplified: bool = True,
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Return (dW, db), the gradient of J(W, b) = (1/N) sum_i L(i) + lam sum_l ||W[l]||^2.

    dW[l] = (1/N) sum_i delta[l](i) a[l-1](i)^T + 2 lam W[l] and db[l] = (1/N) sum_i delta[l](i),
    one array per layer with the shapes of W[l], b[l]. ``loop=True`` runs the per-example
    algorithm with accumulators Delta[l]; ``loop=False`` the same over the batch with matrices.
    ``simplified`` selects the form of delta[L] (see ``output_delta``). Y: 0/1 labels (N,), (N, 1)
    or (N, n_L) for sigmoid; integer classes (N,) for softmax; real targets for identity.
    """
    check_activations("backprop", hidden, output)
    Ws, bs = check_network("backprop", weights, biases)
    X = check_inputs("backprop", Ws, X)
    T = check_targets("backprop", Y, X.shape[0], Ws[-1].shape[0], output)
    lam = check_lam("backprop", lam)
    step = _backprop_loop if loop else _backprop_batch
    dW, db = step(Ws, bs, X, T, hidden, output, simplified)
    dW = [d + 2.0 * lam * w for d, w in zip(dW, Ws, strict=True)]  # d(lam R)/dW[l] = 2 lam W[l]
    return dW, db


def _backprop_loop(Ws, bs, X, T, hidden, output, simplified):
    """Per-example backprop with accumulators, layers indexed 1..L as in the course."""
    L = len(Ws)
    W = [None, *Ws]  # W[l] for l = 1..L
    Delta_W = [None] + [np.zeros_like(w) for w in Ws]  # Delta[l] = 0
    Delta_b = [None] + [np.zeros_like(v) for v in bs]
    for x, y in zip(X, T, strict=True):
        zs, a = _forward(Ws, bs, x, hidden, output)  # a[l] for l = 0..L, each (n_l,)
        z = [None, *zs]  # z[l] for l = 1..L
        delta = output_delta(z[L], y, output, simplified)  # delta[L] = a[L] - y
        for l in range(L, 0, -1):
            Delta_W[l] += np.outer(delta, a[l - 1])  # Delta[l] += delta[l] a[l-1]^T
            Delta_b[l] += delta
            if l > 1:  # delta[l-1] = (W[l]^T delta[l]) * g'(z[l-1])
                delta = (W[l].T @ delta) * g_prime(hidden, z[l - 1], a[l - 1])
    N = X.shape[0]
    return [D / N for D in Delta_W[1:]], [D / N for D in Delta_b[1:]]


def _backprop_batch(Ws, bs, X, T, hidden, output, simplified):
    """Vectorised backprop: row i of Delta[l] (N, n_l) is delta[l](i)^T."""
    L = len(Ws)
    W = [None, *Ws]
    zs, A = _forward(Ws, bs, X, hidden, output)
    Z = [None, *zs]
    N = X.shape[0]
    dW, db = [None] * (L + 1), [None] * (L + 1)
    Delta = output_delta(Z[L], T, output, simplified)  # (N, n_L)
    for l in range(L, 0, -1):
        dW[l] = Delta.T @ A[l - 1] / N  # (1/N) sum_i delta[l](i) a[l-1](i)^T
        db[l] = Delta.sum(axis=0) / N
        if l > 1:
            Delta = (Delta @ W[l]) * g_prime(hidden, Z[l - 1], A[l - 1])
    return dW[1:], db[1:]
