"""Backprop by hand and by autograd, side by side, on the course's 3-layer binary network.

Sizes 2-3-3-1 (two hidden layers of 3 sigmoid units, one sigmoid output, L = 3), the four XOR
points as the batch, binary cross-entropy, float64. By hand (plain NumPy, ``tinygrad_ds.manual``):

    z[l] = W[l] a[l-1] + b[l],  a[l] = g(z[l]),  a[0] = x
    delta[L] = a[L] - y,  delta[l] = (W[l+1]^T delta[l+1]) * g'(z[l]),  g' = a (1 - a)
    dJ/dW[l] = (1/N) sum_i delta[l](i) a[l-1](i)^T,  dJ/db[l] = (1/N) sum_i delta[l](i)

By autograd: the same forward with Tensors, ``retain_grad()`` on each z[l], ``J.backward()``.
Since J = (1/N) sum_i L(i), autograd's dJ/dz[l] is delta[l] / N: N z[l].grad is printed.
Then the unsimplified last-layer delta, and ``manual.cross_check`` on an equal nn.Sequential.
Run: python examples/backprop_by_hand.py
"""

import sys
from pathlib import Path

import numpy as np

try:
    import tinygrad_ds as td
except ImportError:  # running from a source checkout without `pip install -e .`
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    import tinygrad_ds as td
from tinygrad_ds import manual, nn
from tinygrad_ds.nn import functional as F

SIZES = (2, 3, 3, 1)
X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
Y = np.array([0.0, 1.0, 1.0, 0.0])
DIFFS: list[float] = []  # every |hand - autograd| figure printed


def show(name: str, hand: np.ndarray, auto: np.ndarray, auto_name: str = "autograd") -> None:
    """Print two arrays side by side, one row per example (or per unit), and their difference."""
    hand, auto = np.atleast_2d(hand), np.atleast_2d(auto)
    width = 10 * hand.shape[1] + 2
    print(f"  {name:<9}{'by hand':<{width}}| {auto_name}")
    for h, a in zip(hand, auto, strict=True):
        row_h = "".join(f"{v:10.6f}" for v in h)
        row_a = "".join(f"{v:10.6f}" for v in a)
        print(f"  {'':<9}{row_h:<{width}}| {row_a}")
    diff = float(np.max(np.abs(hand - auto)))
    DIFFS.append(diff)
    print(f"  {'':<9}max |by hand - {auto_name}| = {diff:.2e}")


def main() -> None:
    rng = np.random.default_rng(0)
    W = [rng.normal(size=(m, k)) for k, m in zip(SIZES[:-1], SIZES[1:], strict=True)]
    b = [rng.normal(size=m) for m in SIZES[1:]]
    L, N = len(W), X.shape[0]
    print(f"network {'-'.join(map(str, SIZES))}, sigmoid units, L = {L}, N = {N} (XOR), float64")

    # ---- forward: by hand, and by autograd with the pre-activations kept
    zs, a = manual.forward(W, b, X)  # zs[l-1] = z[l], a[l] = a[l]
    W_t = [td.Tensor(w, requires_grad=True) for w in W]
    b_t = [td.Tensor(v, requires_grad=True) for v in b]
    z_t, a_t = [], [td.Tensor(X)]
    for l in range(1, L + 1):
        z_t.append(F.linear(a_t[l - 1], W_t[l - 1], b_t[l - 1]))  # z[l] = W[l] a[l-1] + b[l]
        z_t[-1].retain_grad()
        a_t.append(z_t[-1].sigmoid())  # a[l] = g(z[l])
    J = F.binary_cross_entropy(a_t[L], Y[:, None])
    J.backward()
    print(f"\nJ = {manual.cost(W, b, X, Y):.12f} by hand, {J.item():.12f} by autograd")

    print("\n== forward: z[l] = W[l] a[l-1] + b[l], a[l] = sigmoid(z[l]); one row per example")
    for l in range(1, L + 1):
        show(f"z[{l}]", zs[l - 1], z_t[l - 1].data)
        show(f"a[{l}]", a[l], a_t[l].data)

    # ---- backward: the deltas by hand, top down, in the course's equations
    print("\n== backward: delta[l] = dL/dz[l]; autograd's column is N * dJ/dz[l] = N * z[l].grad")
    delta = [None] * (L + 1)
    delta[L] = a[L] - Y[:, None]  # delta[L] = a[L] - y
    for l in range(L - 1, 0, -1):  # delta[l] = (W[l+1]^T delta[l+1]) * a[l] (1 - a[l])
        delta[l] = (delta[l + 1] @ W[l]) * manual.sigmoid_prime(a[l])
    for l in range(L, 0, -1):
        show(f"delta[{l}]", delta[l], N * z_t[l - 1].grad.data, "N * z.grad")

    print("\n== gradients: dW[l] = (1/N) sum_i delta[l] a[l-1]^T, db[l] = (1/N) sum_i delta[l]")
    dW_loop, db_loop = manual.backprop(W, b, X, Y, loop=True)  # the per-example algorithm
    for l in range(L, 0, -1):
        dW = delta[l].T @ a[l - 1] / N
        db = delta[l].mean(axis=0)
        show(f"dW[{l}]", dW, W_t[l - 1].grad.data)
        show(f"db[{l}]", db, b_t[l - 1].grad.data)
        loop_diff = max(np.max(np.abs(dW - dW_loop[l - 1])), np.max(np.abs(db - db_loop[l - 1])))
        print(f"  {'':<9}(and manual.backprop's per-example loop: max |diff| = {loop_diff:.2e})")

    # ---- the last layer's delta without the course's simplification
    y_hat, y = a[L][:, 0], Y
    dL_dyhat = (y_hat - y) / (y_hat * (1 - y_hat))
    g_prime = y_hat * (1 - y_hat)
    print("\n== last layer unsimplified: delta[L] = dL/dy_hat * g'(z[L])")
    print("   dL/dy_hat = (y_hat - y) / (y_hat (1 - y_hat)),  g'(z[L]) = y_hat (1 - y_hat)")
    heads = ("y_hat", "dL/dy_hat", "g'(z[L])", "product", "a[L] - y")
    print(f"  {'y':>4}" + "".join(f"{h:>12}" for h in heads))
    for row in zip(y, y_hat, dL_dyhat, g_prime, dL_dyhat * g_prime, y_hat - y, strict=True):
        print(f"  {row[0]:4.0f}" + "".join(f"{v:12.6f}" for v in row[1:]))
    unsimplified = manual.output_delta(zs[-1], Y[:, None], simplified=False)
    simplify_diff = float(np.max(np.abs(unsimplified - delta[L])))
    print(f"  max |unsimplified - (a[L] - y)| = {simplify_diff:.2e}")
    saturated = manual.output_delta(np.array([40.0]), np.array([0.0]), simplified=False)
    print(f"  (at z[L] = 40, y_hat rounds to 1: unsimplified gives {saturated[0]}, a[L] - y = 1)")

    # ---- the same check as one call, on an nn model holding these weights
    model = nn.Sequential(
        nn.Linear(2, 3), nn.Sigmoid(), nn.Linear(3, 3), nn.Sigmoid(), nn.Linear(3, 1), nn.Sigmoid()
    ).double()  # float64, so the model holds exactly these weights
    names = [f"{i}.{p}" for i in (0, 2, 4) for p in ("weight", "bias")]
    model.load_state_dict(dict(zip(names, [t for pair in zip(W, b) for t in pair], strict=True)))
    report = manual.cross_check(model, X, Y)
    print(f"\n== manual.cross_check(model, X, y) on an nn.Sequential with these weights\n{report}")

    print(f"\nmax abs difference, hand vs autograd: {max(DIFFS):.3e}")
    print(f"max abs difference, unsimplified vs simplified delta[L]: {simplify_diff:.3e}")


if __name__ == "__main__":
    main()
