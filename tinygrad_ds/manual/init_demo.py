"""Why weights cannot start equal: the symmetry of a zero-initialised sigmoid network.

With every W[l] = 0 and b[l] = 0, z[l] = 0 and a[l] = sigma(0) = 1/2 for every input, so y_hat
does not depend on x. Every hidden unit of a layer then gets the same delta[l]_j (because the
rows of W[l+1]^T are equal), hence the same update, and stays identical to its neighbours
through gradient descent: the layer behaves as one unit. A random start breaks the tie.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .activations import HIDDEN
from .backprop import backprop
from .network import cost, forward

__all__ = ["SymmetryDemo", "init_weights", "symmetry_demo"]

INITS = ("zeros", "constant", "random")


@dataclass
class SymmetryDemo:
    """What ``symmetry_demo`` records, row t = before step t+1 (row 0: at initialisation).

    cost: (steps+1,) J(W, b) on the training data.
    weight_spread: (steps+1, L-1), for each hidden layer l the largest difference between two of
        its units' incoming weights and bias, max_(j,k,i) |[W[l] | b[l]]_ji - [W[l] | b[l]]_ki|;
        0 means all units of the layer are identical.
    activation_spread: (steps+1, L-1), max over examples of max_j a[l]_j - min_j a[l]_j.
        A single layer (sizes (n_0, n_1), L = 1) has no hidden layer: both have 0 columns.
    output_spread: (steps+1,), max over output units of max_i y_hat(i) - min_i y_hat(i): 0 means
        y_hat is the same for every input x.
    weights, biases: the parameters after the last step; X, Y: the training data.
    """

    init: str
    sizes: tuple[int, ...]
    cost: np.ndarray
    weight_spread: np.ndarray
    activation_spread: np.ndarray
    output_spread: np.ndarray
    weights: list[np.ndarray]
    biases: list[np.ndarray]
    X: np.ndarray
    Y: np.ndarray


def init_weights(
    sizes: tuple[int, ...], init: str = "random", seed: int = 0, constant: float = 0.5
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """W[l] (n_l, n_(l-1)) and b[l] (n_l,) for layer sizes (n_0, ..., n_L).

    'zeros': W = 0, b = 0. 'constant': every W and b entry equals ``constant``.
    'random': W[l]_jk ~ N(0, 1 / n_(l-1)) and b = 0.
    """
    sizes = tuple(int(s) for s in sizes)
    if len(sizes) < 2 or min(sizes) < 1:
        raise ValueError(f"init_weights: need sizes (n_0, ..., n_L) with L >= 1; got {sizes}")
    if init not in INITS:
        raise ValueError(f"init_weights: unknown init {init!r}; expected one of {INITS}")
    rng = np.random.default_rng(seed)
    pairs = list(zip(sizes[1:], sizes[:-1], strict=True))
    if init == "random":
        W = [rng.normal(0.0, 1.0 / np.sqrt(n_in), size=(n, n_in)) for n, n_in in pairs]
        return W, [np.zeros(n) for n, _ in pairs]
    value = 0.0 if init == "zeros" else float(constant)
    return [np.full((n, n_in), value) for n, n_in in pairs], [np.full(n, value) for n, _ in pairs]


def _default_data(sizes: tuple[int, ...], seed: int) -> tuple[np.ndarray, np.ndarray]:
    """32 Gaussian inputs x, labels y_k = 1[|v_k . x| > 1/2] for random unit vectors v_k.

    A band is not a monotone function of one projection, so a layer acting as a single unit
    cannot fit it; the labels are unbalanced, so the zero-initialised gradient is not zero.
    """
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(32, sizes[0]))
    V = rng.normal(size=(sizes[0], sizes[-1]))
    Y = (np.abs(X @ (V / np.linalg.norm(V, axis=0))) > 0.5).astype(np.float64)
    return X, Y


def symmetry_demo(
    init: str = "zeros",
    sizes: tuple[int, ...] = (2, 4, 1),
    steps: int = 300,
    lr: float = 2.0,
    seed: int = 0,
    hidden: str = "sigmoid",
    X: np.ndarray | None = None,
    Y: np.ndarray | None = None,
) -> SymmetryDemo:
    """Train a sigmoid-output network by full-batch gradient descent, W[l] <- W[l] - lr dJ/dW[l],
    from ``init`` (see ``init_weights``) and record how different its hidden units are.

    The data default to 32 Gaussian points with band labels (see ``_default_data``; the same
    for every ``init`` with the same seed). Returns a ``SymmetryDemo``; with init='zeros' or
    'constant' its ``weight_spread`` stays 0 at every step, with 'random' it does not.
    With hidden='tanh' or 'relu' a zero start is worse still: a[l] = g(0) = 0 for the hidden
    layers, so only b[L] ever receives a gradient and the hidden weights stay exactly 0.
    A single layer (logistic regression, sizes (n_0, n_1)) has no hidden units to keep equal:
    from zeros it trains as from anywhere, its cost being convex.
    """
    sizes = tuple(int(s) for s in sizes)
    if int(steps) != steps or steps < 0:
        raise ValueError(f"symmetry_demo: steps must be an integer >= 0; got {steps}")
    if hidden not in HIDDEN:
        raise ValueError(f"symmetry_demo: unknown hidden activation {hidden!r}; expected {HIDDEN}")
    if (X is None) != (Y is None):
        raise ValueError("symmetry_demo: give both X and Y, or neither (for the default data)")
    W, b = init_weights(sizes, init, seed=seed + 1)
    if X is None:
        X, Y = _default_data(sizes, seed)
    L = len(sizes) - 1
    rows = {"cost": [], "w": [], "a": [], "out": []}

    def record():
        _, a = forward(W, b, X, hidden, "sigmoid")
        rows["cost"].append(cost(W, b, X, Y, hidden, "sigmoid"))
        rows["w"].append(
            [np.ptp(np.column_stack([W[l], b[l]]), axis=0).max() for l in range(L - 1)]
        )
        rows["a"].append([np.ptp(a[l], axis=1).max() for l in range(1, L)])
        rows["out"].append(np.ptp(a[L], axis=0).max())

    record()
    for _ in range(int(steps)):
        dW, db = backprop(W, b, X, Y, hidden, "sigmoid", loop=False)
        W = [w - lr * g for w, g in zip(W, dW, strict=True)]
        b = [v - lr * g for v, g in zip(b, db, strict=True)]
        record()
    return SymmetryDemo(
        init=init,
        sizes=sizes,
        cost=np.array(rows["cost"]),
        weight_spread=np.array(rows["w"], dtype=np.float64).reshape(int(steps) + 1, L - 1),
        activation_spread=np.array(rows["a"], dtype=np.float64).reshape(int(steps) + 1, L - 1),
        output_spread=np.array(rows["out"]),
        weights=W,
        biases=b,
        X=np.asarray(X, dtype=np.float64),
        Y=np.asarray(Y),
    )
