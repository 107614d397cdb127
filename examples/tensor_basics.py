"""A tour of the Tensor: creating one, operating on it, and letting backward differentiate it.

    python examples/tensor_basics.py

Each step prints what it shows and checks it against a closed form: gradients of a polynomial,
of a broadcast product, of a matrix product, of an indexed read, of a reduction; gradients
accumulating over two backward calls; `no_grad`; `td.grad` without touching `.grad`; and the
second derivative from `create_graph=True`.
"""

from __future__ import annotations

import numpy as np

import tinygrad_ds as td


def show(title: str, value: object) -> None:
    print(f"{title:<46} {value}")


def main(verbose: bool = True) -> dict[str, bool]:
    """Run the tour; returns {claim: held} (every value is True)."""
    out = show if verbose else (lambda *args: None)
    checks: dict[str, bool] = {}

    # 1. Creating: Python floats become float32; NumPy arrays keep their dtype.
    x = td.Tensor([1.0, 2.0, 3.0], requires_grad=True)
    out("x", x)
    out("x.dtype, x.shape, x.is_leaf", (x.dtype, x.shape, x.is_leaf))
    checks["float32 by default"] = x.dtype == np.float32

    # 2. y = sum(x^2 + 3x): dy/dx = 2x + 3.
    y = (x**2 + 3 * x).sum()
    y.backward()
    out("y = sum(x^2 + 3x)", y.item())
    out("dy/dx = 2x + 3", x.grad)
    checks["polynomial gradient"] = np.allclose(x.grad.numpy(), 2 * x.numpy() + 3)

    # 3. Gradients accumulate until they are cleared: a second backward adds 2x + 3 again.
    (x**2 + 3 * x).sum().backward()
    out("after a second backward (accumulated)", x.grad)
    checks["gradients accumulate"] = np.allclose(x.grad.numpy(), 2 * (2 * x.numpy() + 3))
    x.grad = None

    # 4. Broadcasting: a (2, 3) matrix times a (3,) row; the row's gradient sums over the rows.
    A = td.Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    (A * x).sum().backward()
    out("d sum(A * x) / dx = column sums of A", x.grad)
    checks["broadcast gradient"] = np.allclose(x.grad.numpy(), A.numpy().sum(axis=0))
    out("d sum(A * x) / dA = x in every row", A.grad.numpy().tolist())
    x.grad = None

    # 5. Matrix product: L = sum(W @ v), dL/dW = 1 v^T, dL/dv = W^T 1.
    td.manual_seed(0)
    W = td.Tensor.randn(2, 3, requires_grad=True)
    v = td.Tensor([0.5, -1.0, 2.0], requires_grad=True)
    (W @ v).sum().backward()
    out("dL/dW = outer(1, v)", W.grad.numpy().round(3).tolist())
    checks["matmul gradient"] = np.allclose(W.grad.numpy(), np.outer(np.ones(2), v.numpy())) and (
        np.allclose(v.grad.numpy(), W.numpy().T @ np.ones(2))
    )

    # 6. Indexing: a repeated index receives its gradient twice.
    z = td.Tensor([10.0, 20.0, 30.0], requires_grad=True)
    z[[0, 0, 2]].sum().backward()
    out("d sum(z[[0, 0, 2]]) / dz", z.grad)
    checks["indexing gradient"] = z.grad.tolist() == [2.0, 0.0, 1.0]

    # 7. Softmax cross-entropy from its parts: gradient is softmax(s) - onehot.
    s = td.Tensor([[2.0, 1.0, 0.1]], requires_grad=True)
    loss = -s.log_softmax(axis=1)[0, 0]
    loss.backward()
    p = np.exp(s.numpy()) / np.exp(s.numpy()).sum()
    out("d(-log softmax(s)_0)/ds = softmax(s) - e_0", s.grad.numpy().round(4))
    checks["softmax cross-entropy gradient"] = np.allclose(s.grad.numpy(), p - [1, 0, 0])

    # 8. no_grad records nothing: the result has no grad_fn and needs no gradient.
    with td.no_grad():
        frozen = x * 2
    out("under no_grad: requires_grad, grad_fn", (frozen.requires_grad, frozen.grad_fn))
    checks["no_grad records nothing"] = not frozen.requires_grad and frozen.grad_fn is None

    # 9. td.grad returns gradients and leaves .grad alone; create_graph gives second ones.
    t = td.Tensor(3.0, requires_grad=True)
    (dy,) = td.grad(t**3, t, create_graph=True)  # 3 t^2 = 27
    (d2y,) = td.grad(dy, t)  # 6 t = 18
    out("d(t^3)/dt, d2(t^3)/dt2 at t = 3", (dy.item(), d2y.item()))
    checks["second derivative"] = (dy.item(), d2y.item()) == (27.0, 18.0) and t.grad is None

    # 10. The graph behind a result: grad_fn and its inputs.
    r = (x * 2 + 1).sum()
    out("grad_fn of sum(2x + 1)", r.grad_fn)
    checks["graph recorded"] = r.grad_fn is not None

    if verbose:
        print(f"\nall {len(checks)} claims hold" if all(checks.values()) else checks)
    return checks


if __name__ == "__main__":
    results = main()
    raise SystemExit(0 if all(results.values()) else 1)
