"""Adafactor (Shazeer and Stern, 2018), as PyTorch's `torch.optim.Adafactor`: Adam-like steps
whose second moment of a matrix is kept as a row and a column factor (memory n + m instead of
n m), with a relative step size and update clipping."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from ..tensor import Tensor
from .optimizer import Optimizer, _number

__all__ = ["Adafactor"]


class Adafactor(Optimizer):
    """Adafactor, PyTorch's form (its paper's Algorithm 4 without first moments). At step t,
    with g the gradient (negated if `maximize`) and (eps1, eps2) = `eps`, eps1 = None meaning
    the parameter dtype's machine epsilon:

        beta2_hat = 1 - t^beta2_decay,   rho = min(lr, 1 / sqrt(t))
        alpha = max(eps2, RMS(p)) rho              (RMS(x) = ||x||_2 / sqrt(numel x))
        p <- p (1 - lr weight_decay)               (decoupled, after alpha is taken)
        p of >= 2 dims (factored over its last two, rows R and columns C):
            R <- lerp(R, mean(g^2, dim=-1), t^beta2_decay)
            C <- lerp(C, mean(g^2, dim=-2), t^beta2_decay)
            v = R C / max(mean(R, dim=-2), eps1)   (the outer product: a rank-1 estimate)
        else:  v <- lerp(v, g^2, t^beta2_decay)
        u = g / sqrt(max(v, eps1^2))
        p <- p - alpha u / max(1, RMS(u) / d)      (clipping at threshold d)

    The state holds "step", and "row_var" (shape [..., n, 1]) and "col_var" ([..., 1, m]) for
    a parameter of >= 2 dims, or "variance" (the parameter's shape) otherwise, as PyTorch's.
    `foreach` is accepted for PyTorch's signature and ignored (there is one implementation).
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-2,
        beta2_decay: float = -0.8,
        eps: tuple[float | None, float] = (None, 1e-3),
        d: float = 1.0,
        weight_decay: float = 0.0,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
    ) -> None:
        defaults = dict(
            lr=lr,
            beta2_decay=beta2_decay,
            eps=eps,
            d=d,
            weight_decay=weight_decay,
            foreach=foreach,
            maximize=maximize,
        )
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        super()._check_group(group)
        decay = _number(group["beta2_decay"])
        if decay is None or not math.isfinite(decay) or decay > 0:
            raise ValueError(
                f"Adafactor: invalid beta2_decay: {group['beta2_decay']!r} (expected a finite "
                "real number <= 0)"
            )
        group["beta2_decay"] = decay
        eps = group["eps"]
        if not isinstance(eps, (tuple, list)) or len(eps) != 2:
            raise TypeError(f"Adafactor: invalid eps: {eps!r} (expected a pair (eps1, eps2))")
        pair = {"eps1": eps[0], "eps2": eps[1]}
        if pair["eps1"] is not None:
            self._check_option(pair, "eps1", what=f"eps {tuple(eps)!r}: eps1")
        self._check_option(pair, "eps2", what=f"eps {tuple(eps)!r}: eps2")
        group["eps"] = (pair["eps1"], pair["eps2"])
        d = _number(group["d"])
        if d is None or not math.isfinite(d) or d < 1:
            raise ValueError(
                f"Adafactor: invalid clipping threshold d: {group['d']!r} (expected a finite "
                "real number >= 1)"
            )
        group["d"] = d

    def _init_state(self, p: Tensor, group: dict[str, Any]) -> dict[str, Any]:
        state: dict[str, Any] = {"step": 0}
        for name, shape in _factor_shapes(p.data.shape).items():
            state[name] = Tensor._make(np.zeros(shape, dtype=p.data.dtype), None)
        return state

    def _restore(self, p: Tensor, name: str, value: Any) -> Any:
        """As the base's, with the row and column factors of their own shapes."""
        if name not in ("row_var", "col_var"):
            return super()._restore(p, name, value)
        array = np.asarray(value.data if isinstance(value, Tensor) else value)
        expected = _factor_shapes(p.data.shape)[name]
        if array.shape != expected:
            raise ValueError(
                f"Adafactor.load_state_dict: state {name!r} has shape {array.shape}, a "
                f"parameter of shape {p.shape} keeps {expected}"
            )
        return Tensor._make(np.array(array, dtype=p.data.dtype, copy=True), None)

    def _update(self, p: Tensor, grad: np.ndarray, state: dict, group: dict) -> None:
        lr, decay, wd, d = group["lr"], group["beta2_decay"], group["weight_decay"], group["d"]
        eps1, eps2 = group["eps"]
        if eps1 is None:
            eps1 = float(np.finfo(p.data.dtype).eps)
        g = -grad if group["maximize"] else grad
        state["step"] += 1
        t = state["step"]
        weight = t**decay  # 1 - beta2_hat, the weight of the new squared gradient
        rho = min(lr, 1 / math.sqrt(t))
        alpha = max(eps2, _rms(p.data)) * rho
        if wd:
            p.mul_(1 - lr * wd)
        if g.ndim > 1:
            rows, cols = state["row_var"].data, state["col_var"].data
            square = g * g
            rows += (square.mean(axis=-1, keepdims=True) - rows) * weight
            cols += (square.mean(axis=-2, keepdims=True) - cols) * weight
            v = rows @ cols
            v /= np.maximum(rows.mean(axis=-2, keepdims=True), eps1)
        else:
            variance = state["variance"].data
            variance += (g * g - variance) * weight
            v = variance.copy()
        update = np.maximum(v, eps1 * eps1, out=v)
        np.sqrt(update, out=update)
        np.divide(g, update, out=update)
        denom = max(1.0, _rms(update) / d)
        update *= -alpha / denom
        p.add_(update)


def _factor_shapes(shape: tuple[int, ...]) -> dict[str, tuple[int, ...]]:
    """The second-moment state's shapes: the row and column factors of a parameter of >= 2 dims
    (its last, then its second-to-last axis reduced to 1), else one entry of its shape."""
    if len(shape) < 2:
        return {"variance": shape}
    return {"row_var": (*shape[:-1], 1), "col_var": (*shape[:-2], 1, shape[-1])}


def _rms(x: np.ndarray) -> float:
    """||x||_2 / sqrt(numel x), the root mean square."""
    return float(np.linalg.norm(x.reshape(-1))) / math.sqrt(x.size)
