"""Rprop: per-coordinate step sizes adapted from the signs of successive gradients."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from ..tensor import Tensor
from .optimizer import Optimizer, _number

__all__ = ["Rprop"]


class Rprop(Optimizer):
    """Resilient backpropagation (Riedmiller and Braun, 1993), PyTorch's form. Each coordinate
    keeps a step size, starting at lr; with g the gradient and g' the previous one (as kept):

        g g' > 0: step <- min(step eta_plus, step_max);  g g' < 0: step <- max(step eta_minus,
        step_min) and g is taken as 0 (no move now, and no sign change next time)
        p <- p - sign(g) step,   g' <- g

    Only the gradient's sign is used, so it suits full-batch training, not mini-batches.
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-2,
        etas: tuple[float, float] = (0.5, 1.2),
        step_sizes: tuple[float, float] = (1e-6, 50),
        *,
        capturable: bool = False,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        defaults = dict(lr=lr, etas=etas, step_sizes=step_sizes, maximize=maximize,
                        capturable=capturable, foreach=foreach,
                        differentiable=differentiable)  # fmt: skip
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        super()._check_group(group)
        for key, rule in (("etas", "0 < eta_minus < 1 < eta_plus"),
                          ("step_sizes", "0 <= step_min <= step_max")):  # fmt: skip
            pair = group[key]
            numbers = [_number(v) for v in pair] if isinstance(pair, (tuple, list)) else []
            if len(numbers) != 2 or None in numbers:
                raise TypeError(f"Rprop: invalid {key}: {pair!r} (expected a pair of numbers)")
            low, high = numbers
            ok = 0 < low < 1 < high if key == "etas" else 0 <= low <= high
            if not ok:
                raise ValueError(f"Rprop: invalid {key}: {tuple(pair)!r} (expected {rule})")
            group[key] = (low, high)

    def _init_state(self, p: Tensor, group: dict[str, Any]) -> dict[str, Any]:
        return {
            "step": 0,
            "prev": Tensor._make(np.zeros_like(p.data), None),
            "step_size": Tensor._make(np.full_like(p.data, group["lr"]), None),
        }

    def _update(self, p: Tensor, grad: np.ndarray, state: dict, group: dict) -> None:
        eta_minus, eta_plus = group["etas"]
        step_min, step_max = group["step_sizes"]
        state["step"] += 1
        g = -grad if group["maximize"] else np.array(grad)
        prev, size = state["prev"].data, state["step_size"].data
        sign = np.sign(g * prev)
        factor = np.where(sign > 0, eta_plus, np.where(sign < 0, eta_minus, 1.0))
        size *= factor.astype(size.dtype)
        np.clip(size, step_min, step_max, out=size)
        g[sign < 0] = 0
        p.add_(-np.sign(g) * size)
        prev[...] = g
