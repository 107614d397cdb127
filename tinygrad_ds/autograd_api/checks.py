"""`gradgradcheck`: second derivatives against finite differences of the first.

For outputs y = f(x) and a vector v shaped like y, the first derivative is the vjp
g(x, v) = d<y, v>/dx, recorded (create_graph); `gradcheck` then compares g's own Jacobian, in
x and in v, with central finite differences of g, as PyTorch's gradgradcheck does.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..autograd import grad
from ..gradcheck import GradcheckError, gradcheck
from ..tensor import Tensor

__all__ = ["gradgradcheck"]


def gradgradcheck(
    func: Callable[..., Any],
    inputs: Tensor | Sequence[Any],
    grad_outputs: Tensor | Sequence[Tensor] | None = None,
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
) -> bool:
    """Check the second derivatives of `func` at `inputs` (those that require grad).

    `grad_outputs` (v, one per output) default to random normal values from a fixed seed (the
    package's generator is left alone). Returns True, or raises `GradcheckError` (False
    instead when `raise_exception=False`). Inputs are checked in float64, as by `gradcheck`.
    """
    if not callable(func):
        raise TypeError(f"gradgradcheck: func must be callable, got {func!r:.60}")
    xs = [inputs] if isinstance(inputs, Tensor) else list(inputs)
    probe = [Tensor(x.data.astype(np.float64), requires_grad=x.requires_grad)
             if isinstance(x, Tensor) and x.dtype.kind == "f" else x for x in xs]  # fmt: skip
    out = func(*probe)
    outs = list(out) if isinstance(out, (tuple, list)) else [out]
    if not all(isinstance(o, Tensor) for o in outs):
        raise TypeError("gradgradcheck: func must return a Tensor or a tuple of Tensors")
    if grad_outputs is None:
        rng = np.random.default_rng(0)
        vs = [Tensor(rng.standard_normal(o.shape), requires_grad=True) for o in outs]
    else:
        vs = [grad_outputs] if isinstance(grad_outputs, Tensor) else list(grad_outputs)
        if len(vs) != len(outs):
            raise ValueError(
                f"gradgradcheck: {len(outs)} outputs but {len(vs)} grad_outputs were given"
            )
        for i, (v, o) in enumerate(zip(vs, outs)):
            if not isinstance(v, Tensor) or v.shape != o.shape:
                shape = v.shape if isinstance(v, Tensor) else type(v).__name__
                raise ValueError(
                    f"gradgradcheck: grad_outputs[{i}] has shape {shape}, but output {i} has "
                    f"shape {o.shape}"
                )
    n = len(xs)
    wrt = [i for i, x in enumerate(xs) if isinstance(x, Tensor) and x.requires_grad]

    def first_derivative(*args: Any) -> tuple[Tensor, ...]:
        ins, ws = args[:n], args[n:]
        ys = func(*ins)
        ys = list(ys) if isinstance(ys, (tuple, list)) else [ys]
        parts = [(y * w.astype(y.dtype)).sum() for y, w in zip(ys, ws) if y.requires_grad]
        targets = [ins[i] for i in wrt]
        gs: tuple = (None,) * len(targets)
        if parts:
            gs = grad(sum(parts[1:], parts[0]), targets, create_graph=True, allow_unused=True)
        return tuple(g if g is not None else Tensor.zeros(t.shape, dtype=t.dtype)
                     for g, t in zip(gs, targets))  # fmt: skip

    try:
        return gradcheck(first_derivative, list(xs) + list(vs), eps=eps, atol=atol, rtol=rtol)
    except GradcheckError as error:
        if raise_exception:
            raise GradcheckError(f"gradgradcheck: {error}") from None
        return False
