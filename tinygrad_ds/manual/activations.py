"""Activations g(z) and their derivatives g'(z), in plain NumPy.

The course writes g' in terms of the activation a = g(z) where it can:
sigmoid' = a (1 - a), tanh' = 1 - a^2, relu' = 1[z > 0] (0 at the kink z = 0).
Hidden layers use one of ``HIDDEN``; the output layer one of ``OUTPUTS``.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "HIDDEN",
    "OUTPUTS",
    "activate",
    "g_prime",
    "log_sigmoid",
    "log_softmax",
    "relu",
    "relu_prime",
    "sigmoid",
    "sigmoid_prime",
    "softmax",
    "tanh",
    "tanh_prime",
]

HIDDEN = ("sigmoid", "tanh", "relu")
OUTPUTS = ("sigmoid", "softmax", "identity", "linear")


# ---------------------------------------------------------------- activations
def sigmoid(z: np.ndarray) -> np.ndarray:
    """sigma(z) = 1 / (1 + e^-z), computed as e^z / (1 + e^z) for z < 0 so nothing overflows."""
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(-np.abs(z))  # in (0, 1]: never overflows
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def log_sigmoid(z: np.ndarray) -> np.ndarray:
    """log sigma(z) = -log(1 + e^-z) = -logaddexp(0, -z); log(1 - sigma(z)) = log_sigmoid(-z)."""
    return -np.logaddexp(0.0, -np.asarray(z, dtype=np.float64))


def tanh(z: np.ndarray) -> np.ndarray:
    """tanh(z) = (e^z - e^-z) / (e^z + e^-z)."""
    return np.tanh(np.asarray(z, dtype=np.float64))


def relu(z: np.ndarray) -> np.ndarray:
    """relu(z) = max(0, z)."""
    return np.maximum(np.asarray(z, dtype=np.float64), 0.0)


def softmax(z: np.ndarray) -> np.ndarray:
    """softmax(z)_k = e^(z_k - m) / sum_j e^(z_j - m) over the last axis, m = max_j z_j.

    Subtracting the maximum changes nothing mathematically and keeps every exponent <= 0.
    """
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(z - np.max(z, axis=-1, keepdims=True))
    return e / np.sum(e, axis=-1, keepdims=True)


def log_softmax(z: np.ndarray) -> np.ndarray:
    """log softmax(z)_k = z_k - m - log sum_j e^(z_j - m) (log-sum-exp), m = max_j z_j."""
    z = np.asarray(z, dtype=np.float64)
    shifted = z - np.max(z, axis=-1, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))


# ---------------------------------------------------------------- derivatives
def sigmoid_prime(a: np.ndarray) -> np.ndarray:
    """sigma'(z) = sigma(z) (1 - sigma(z)) = a (1 - a), from the activation a = sigma(z)."""
    return a * (1.0 - a)


def tanh_prime(a: np.ndarray) -> np.ndarray:
    """tanh'(z) = 1 - tanh(z)^2 = 1 - a^2, from the activation a = tanh(z)."""
    return 1.0 - a * a


def relu_prime(z: np.ndarray) -> np.ndarray:
    """relu'(z) = 1[z > 0]; the kink z = 0 gets 0 (a subgradient)."""
    return (np.asarray(z) > 0).astype(np.float64)


# ---------------------------------------------------------------- by name
_G = {"sigmoid": sigmoid, "tanh": tanh, "relu": relu, "softmax": softmax}


def activate(name: str, z: np.ndarray) -> np.ndarray:
    """a = g(z) for g named ``name`` (one of HIDDEN or OUTPUTS; 'identity'/'linear' give a = z)."""
    if name in ("identity", "linear"):
        return np.asarray(z, dtype=np.float64)
    if name not in _G:
        raise ValueError(
            f"activate: unknown activation {name!r}; expected one of {HIDDEN + OUTPUTS}"
        )
    return _G[name](z)


def g_prime(name: str, z: np.ndarray, a: np.ndarray) -> np.ndarray:
    """g'(z[l]) for a hidden activation, elementwise; takes both z[l] and a[l] = g(z[l])."""
    if name == "sigmoid":
        return sigmoid_prime(a)
    if name == "tanh":
        return tanh_prime(a)
    if name == "relu":
        return relu_prime(z)
    raise ValueError(f"g_prime: unknown hidden activation {name!r}; expected one of {HIDDEN}")
