"""Second-order gradients: Hessian-vector products by differentiating the backward pass.

    python examples/hessian_vector_product.py

With `create_graph=True` the backward pass is itself recorded, so its result can be
differentiated again. For a scalar f and a direction v, H v = grad(grad(f) . v): two backward
passes, never the n x n Hessian. Checked three ways, all in float64:

1. Rosenbrock's f(x, y) = (1 - x)^2 + 100 (y - x^2)^2: the Hessian built column by column from
   H e_i against its closed form [[2 - 400 y + 1200 x^2, -400 x], [-400 x, 200]].
2. A two-layer tanh network's cross-entropy J(W1, b1, W2, b2): H v against central differences
   of the gradient, (grad J(w + eps v) - grad J(w - eps v)) / (2 eps).
3. The same Hessian is symmetric: u . (H v) = v . (H u).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

import tinygrad_ds as td
from tinygrad_ds.nn import functional as F

Fn = Callable[..., td.Tensor]


def hvp(f: Fn, params: Sequence[td.Tensor], v: Sequence[np.ndarray]) -> list[np.ndarray]:
    """H v for the scalar f(*params): differentiate grad(f) . v once more."""
    grads = td.grad(f(*params), params, create_graph=True)
    dot = sum((g * td.Tensor(vi)).sum() for g, vi in zip(grads, v))
    return [h.numpy() for h in td.grad(dot, params)]


def gradient(f: Fn, values: Sequence[np.ndarray]) -> list[np.ndarray]:
    """grad f at `values` (one ordinary backward pass)."""
    params = [td.Tensor(a, requires_grad=True) for a in values]
    return [g.numpy() for g in td.grad(f(*params), params)]


def rosenbrock(p: td.Tensor) -> td.Tensor:
    x, y = p[0], p[1]
    return (1 - x) ** 2 + 100 * (y - x**2) ** 2


def rosenbrock_check(point: tuple[float, float] = (0.5, -0.3)) -> float:
    """max |H - H_closed_form| with H built from H e_1, H e_2."""
    p = td.Tensor(np.array(point), requires_grad=True)
    columns = [hvp(rosenbrock, [p], [e])[0] for e in np.eye(2)]
    H = np.stack(columns, axis=1)
    x, y = point
    exact = np.array([[2 - 400 * y + 1200 * x**2, -400 * x], [-400 * x, 200.0]])
    print(f"Rosenbrock at {point}: H from two Hessian-vector products\n{H}")
    print(f"closed form\n{exact}")
    return float(np.max(np.abs(H - exact)))


def network_loss(X: np.ndarray, y: np.ndarray) -> Fn:
    """J(W1, b1, W2, b2) = cross-entropy of softmax(W2 tanh(W1 x + b1) + b2) over (X, y)."""

    def J(W1: td.Tensor, b1: td.Tensor, W2: td.Tensor, b2: td.Tensor) -> td.Tensor:
        return F.cross_entropy(F.linear(F.linear(td.Tensor(X), W1, b1).tanh(), W2, b2), y)

    return J


def network_check(seed: int = 0, eps: float = 1e-5) -> tuple[float, float, int]:
    """(max |H v - finite differences|, |u.Hv - v.Hu|, number of parameters)."""
    rng = np.random.default_rng(seed)
    X, y = rng.standard_normal((16, 4)), rng.integers(0, 3, size=16)
    shapes = [(5, 4), (5,), (3, 5), (3,)]
    w = [rng.standard_normal(s) * 0.5 for s in shapes]
    v = [rng.standard_normal(s) for s in shapes]
    u = [rng.standard_normal(s) for s in shapes]
    J = network_loss(X, y)
    params = [td.Tensor(a, requires_grad=True) for a in w]
    Hv = hvp(J, params, v)
    plus = gradient(J, [a + eps * d for a, d in zip(w, v)])
    minus = gradient(J, [a - eps * d for a, d in zip(w, v)])
    numeric = [(p - m) / (2 * eps) for p, m in zip(plus, minus)]
    diff = max(float(np.max(np.abs(a - b))) for a, b in zip(Hv, numeric))
    Hu = hvp(J, params, u)
    uHv = sum(float(np.sum(a * b)) for a, b in zip(u, Hv))
    vHu = sum(float(np.sum(a * b)) for a, b in zip(v, Hu))
    n = sum(a.size for a in w)
    scale = max(float(np.max(np.abs(a))) for a in numeric)
    print(f"\ntwo-layer tanh network, {n} parameters, cross-entropy on 16 examples:")
    print(f"  max |H v| = {scale:.4f}; max |H v - finite differences| = {diff:.2e} (eps {eps:g})")
    print(f"  u . (H v) = {uHv:.12f}\n  v . (H u) = {vHu:.12f}  (the Hessian is symmetric)")
    return diff, abs(uHv - vHu), n


def main() -> tuple[float, float, float]:
    """Run the three checks; returns their errors (Rosenbrock, finite differences, symmetry)."""
    td.set_default_dtype(td.float64)
    try:
        rosen = rosenbrock_check()
        fd, sym, _ = network_check()
    finally:
        td.set_default_dtype(td.float32)
    ok = rosen < 1e-9 and fd < 1e-6 and sym < 1e-10
    print(f"\nsecond-order gradients {'agree' if ok else 'DISAGREE'}: Rosenbrock {rosen:.1e}, "
          f"finite differences {fd:.1e}, symmetry {sym:.1e}")  # fmt: skip
    return rosen, fd, sym


if __name__ == "__main__":
    rosen, fd, sym = main()
    raise SystemExit(0 if rosen < 1e-9 and fd < 1e-6 and sym < 1e-10 else 1)
