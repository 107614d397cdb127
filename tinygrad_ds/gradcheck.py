"""`gradcheck`: autograd's Jacobian against central finite differences, in float64.

dy_j/dx_i  ~  (y_j(x + eps e_i) - y_j(x - eps e_i)) / (2 eps)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .autograd import grad as autograd_grad
from .tensor import Tensor

__all__ = ["gradcheck", "GradcheckError"]


class GradcheckError(AssertionError):
    """Autograd and finite differences disagree; the message names the input and element."""


def _outputs(fn: Callable[..., Any], inputs: Sequence[Tensor]) -> list[Tensor]:
    out = fn(*inputs)
    outs = list(out) if isinstance(out, (tuple, list)) else [out]
    if not outs or not all(isinstance(o, Tensor) for o in outs):
        kinds = [type(o).__name__ for o in outs] if isinstance(out, (tuple, list)) else None
        raise TypeError(
            "gradcheck: fn must return a Tensor or a tuple/list of Tensors, got "
            f"{type(out).__name__}" + (f" of {kinds}" if kinds is not None else "")
        )
    return outs


def _check_tolerance(value: Any, name: str, positive: bool) -> None:
    ok_type = isinstance(value, (int, float, np.integer, np.floating))
    if isinstance(value, bool) or not ok_type:
        raise TypeError(f"gradcheck: {name} must be a real number, got {value!r:.60}")
    if not math.isfinite(value) or value < 0 or (positive and value == 0):
        rng = "> 0" if positive else ">= 0"
        raise ValueError(f"gradcheck: {name} must be a finite number {rng}, got {value!r}")


def gradcheck(
    fn: Callable[..., Any],
    inputs: Tensor | Sequence[Any],
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
) -> bool:
    """Check d fn(*inputs) / d inputs for every input that requires grad.

    Float inputs are copied to float64 first (the check is meaningless in float32). Every output
    element is checked (tensor outputs give full Jacobians). Returns True, or raises
    `GradcheckError` naming the input, the worst element and both values. As PyTorch's, the
    check fails where either Jacobian holds a NaN or an infinity (even at the same place in
    both): such a gradient cannot be confirmed. `fn` must return Tensors; `eps` must be > 0.
    """
    if not callable(fn):
        raise TypeError(f"gradcheck: fn must be callable, got {fn!r:.60}")
    if not isinstance(inputs, (Tensor, list, tuple)):
        raise TypeError(
            f"gradcheck: inputs must be a Tensor or a list/tuple of inputs, got "
            f"{type(inputs).__name__}"
        )
    _check_tolerance(eps, "eps", positive=True)
    _check_tolerance(atol, "atol", positive=False)
    _check_tolerance(rtol, "rtol", positive=False)
    inputs = [inputs] if isinstance(inputs, Tensor) else list(inputs)
    xs: list[Tensor] = []
    for x in inputs:
        if isinstance(x, Tensor) and x.dtype.kind == "f":
            # a C-ordered copy: its flat view below is the array itself, whatever x's layout
            copy = np.array(x.data, dtype=np.float64, order="C")
            xs.append(Tensor(copy, requires_grad=x.requires_grad))
        else:
            xs.append(x)
    wrt = [i for i, x in enumerate(xs) if isinstance(x, Tensor) and x.requires_grad]
    if not wrt:
        raise ValueError("gradcheck: no input requires grad")

    outs = _outputs(fn, xs)
    sizes = [o.data.size for o in outs]
    # Analytic Jacobian, one row per output element: a backward pass with a one-hot gradient.
    analytic = {i: np.zeros((sum(sizes), xs[i].data.size)) for i in wrt}
    row = 0
    for o in outs:
        for j in range(o.data.size):
            if not o.requires_grad:
                row += 1
                continue
            onehot = np.zeros(o.data.size)
            onehot[j] = 1.0
            gs = autograd_grad(o, [xs[i] for i in wrt], onehot.reshape(o.shape).astype(o.dtype),
                               retain_graph=True, allow_unused=True)  # fmt: skip
            for i, g in zip(wrt, gs):
                if g is not None:
                    analytic[i][row] = g.data.reshape(-1)
            row += 1

    # Numerical Jacobian, one column per input element.
    for i in wrt:
        x = xs[i].data
        numeric = np.zeros_like(analytic[i])
        flat = x.reshape(-1)
        for k in range(flat.size):
            old = flat[k]
            flat[k] = old + eps
            plus = np.concatenate([o.data.reshape(-1) for o in _outputs(fn, xs)])
            flat[k] = old - eps
            minus = np.concatenate([o.data.reshape(-1) for o in _outputs(fn, xs)])
            flat[k] = old
            numeric[:, k] = (plus - minus) / (2 * eps)
        with np.errstate(invalid="ignore"):
            bad = np.abs(analytic[i] - numeric) - (atol + rtol * np.abs(numeric))
        bad[~(np.isfinite(analytic[i]) & np.isfinite(numeric))] = np.inf  # NaN or inf: fail
        if (bad > 0).any():
            j, k = np.unravel_index(np.argmax(bad), bad.shape)
            elem = np.unravel_index(k, x.shape) if x.ndim else ()
            raise GradcheckError(
                f"gradcheck: input {i} (shape {x.shape}) element {tuple(map(int, elem))}, "
                f"output element {int(j)}: autograd gives {float(analytic[i][j, k])!r}, "
                f"finite differences give {float(numeric[j, k])!r} (atol={atol}, rtol={rtol})"
            )
    return True
