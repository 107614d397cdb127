"""Input validation shared by the manual network functions: clear ValueErrors, never asserts.

Layers are numbered as in the course: ``weights[0]`` holds W[1], ..., ``weights[L-1]`` holds W[L].
"""

from __future__ import annotations

import numpy as np

from .activations import HIDDEN, OUTPUTS

__all__ = ["check_activations", "check_inputs", "check_lam", "check_network", "check_targets"]


def check_activations(fn: str, hidden: str, output: str) -> None:
    """Raise unless ``hidden`` is in HIDDEN and ``output`` in OUTPUTS."""
    if hidden not in HIDDEN:
        raise ValueError(f"{fn}: unknown hidden activation {hidden!r}; expected one of {HIDDEN}")
    if output not in OUTPUTS:
        raise ValueError(f"{fn}: unknown output activation {output!r}; expected one of {OUTPUTS}")


def check_network(
    fn: str, weights: list[np.ndarray], biases: list[np.ndarray]
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Return float64 copies-if-needed of W[l] (n_l, n_(l-1)) and b[l] (n_l,), checked to chain."""
    weights, biases = list(weights), list(biases)
    if len(weights) == 0:
        raise ValueError(f"{fn}: need at least one layer; got an empty list of weights")
    if len(weights) != len(biases):
        raise ValueError(f"{fn}: got {len(weights)} weight matrices but {len(biases)} bias vectors")
    Ws = [np.asarray(w, dtype=np.float64) for w in weights]
    bs = [np.asarray(v, dtype=np.float64) for v in biases]
    for i, (w, v) in enumerate(zip(Ws, bs, strict=True)):
        if w.ndim != 2:
            raise ValueError(
                f"{fn}: weights[{i}] (W[{i + 1}]) must be 2-D (n_l, n_(l-1)); got shape {w.shape}"
            )
        if v.shape != (w.shape[0],):
            raise ValueError(
                f"{fn}: biases[{i}] (b[{i + 1}]) must have shape ({w.shape[0]},) to match "
                f"weights[{i}] of shape {w.shape}; got shape {v.shape}"
            )
        if i > 0 and w.shape[1] != Ws[i - 1].shape[0]:
            raise ValueError(
                f"{fn}: weights[{i}] (W[{i + 1}]) has shape {w.shape} but weights[{i - 1}] "
                f"(W[{i}]) has shape {Ws[i - 1].shape}: layer {i} has {Ws[i - 1].shape[0]} units, "
                f"so weights[{i}] needs {Ws[i - 1].shape[0]} columns"
            )
    return Ws, bs


def check_inputs(fn: str, weights: list[np.ndarray], X: np.ndarray) -> np.ndarray:
    """Return X as a float64 array (N, n_0) of finite values (the same object if it already is
    one)."""
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2:
        raise ValueError(f"{fn}: X must be 2-D (one example per row); got shape {X.shape}")
    if X.shape[0] == 0:
        raise ValueError(f"{fn}: X has no rows (shape {X.shape})")
    if X.shape[1] != weights[0].shape[1]:
        raise ValueError(
            f"{fn}: X has shape {X.shape} ({X.shape[1]} features) but weights[0] (W[1]) has "
            f"shape {weights[0].shape}, expecting {weights[0].shape[1]} features"
        )
    if not np.all(np.isfinite(X)):
        raise ValueError(f"{fn}: X contains non-finite values")
    return X


def check_targets(fn: str, Y: np.ndarray, n: int, n_out: int, output: str) -> np.ndarray:
    """Return the targets as a float64 matrix T of shape (N, n_L), one row t(i) per example.

    sigmoid: labels in [0, 1] (0/1, or soft), shape (N,) or (N, 1) if n_L = 1, else (N, n_L);
    softmax: integer classes 0..n_L-1 of shape (N,), returned one-hot;
    identity/linear: real targets, shape (N,) if n_L = 1, else (N, n_L).
    """
    Y = np.asarray(Y)
    if Y.ndim == 0 or Y.shape[0] != n:
        raise ValueError(f"{fn}: Y has shape {Y.shape} but X has {n} rows; need one label per row")
    if not np.issubdtype(Y.dtype, np.number) and Y.dtype != bool:
        raise ValueError(f"{fn}: Y must be numeric; got dtype {Y.dtype}")
    if output == "softmax":
        if Y.ndim == 2 and Y.shape[1] == 1:
            Y = Y[:, 0]
        if Y.ndim != 1:
            raise ValueError(
                f"{fn}: a softmax output takes integer classes of shape ({n},); got shape {Y.shape}"
            )
        bad = (Y != np.round(Y)) | (Y < 0) | (Y >= n_out)
        if np.any(bad):
            raise ValueError(
                f"{fn}: softmax labels must be integers in [0, {n_out - 1}] for n_L = {n_out} "
                f"classes; got {np.unique(Y[bad])[:5].tolist()}"
            )
        return np.eye(n_out)[Y.astype(np.int64)]
    Y = Y.astype(np.float64)
    if Y.ndim == 1 and n_out == 1:
        Y = Y[:, None]
    if Y.shape != (n, n_out):
        raise ValueError(
            f"{fn}: a {output} output with n_L = {n_out} units needs Y of shape ({n}, {n_out})"
            + (f" or ({n},)" if n_out == 1 else "")
            + f"; got shape {Y.shape}"
        )
    if not np.all(np.isfinite(Y)):
        raise ValueError(f"{fn}: Y contains non-finite values")
    if output == "sigmoid":
        bad = (Y < 0) | (Y > 1)
        if np.any(bad):
            raise ValueError(
                f"{fn}: sigmoid-output labels must lie in [0, 1] (0/1 labels); "
                f"got {np.unique(Y[bad])[:5].tolist()}"
            )
    return Y


def check_lam(fn: str, lam: float) -> float:
    """Return lam as a float, raising unless it is finite and >= 0."""
    lam = float(lam)
    if not np.isfinite(lam) or lam < 0:
        raise ValueError(f"{fn}: lam must be a finite number >= 0; got {lam}")
    return lam
