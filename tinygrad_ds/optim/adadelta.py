"""Adadelta: per-coordinate steps from running averages of squared gradients and updates."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from ..tensor import Tensor
from .optimizer import Optimizer

__all__ = ["Adadelta"]


class Adadelta(Optimizer):
    """Adadelta (Zeiler, 2012), PyTorch's form. With g the gradient (+ weight_decay p):

        s <- rho s + (1 - rho) g^2
        d = sqrt(a + eps) / sqrt(s + eps) g
        a <- rho a + (1 - rho) d^2,   p <- p - lr d

    (lr = 1 is the paper's method; the ratio of root-mean-squares sets the scale.)
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1.0,
        rho: float = 0.9,
        eps: float = 1e-6,
        weight_decay: float = 0.0,
        foreach: bool | None = None,
        *,
        capturable: bool = False,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize,
                        foreach=foreach, capturable=capturable,
                        differentiable=differentiable)  # fmt: skip
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        super()._check_group(group)
        self._check_option(group, "eps")
        self._check_option(group, "rho")
        if group["rho"] > 1:
            raise ValueError(f"Adadelta: invalid rho: {group['rho']!r} (expected 0 <= rho <= 1)")

    def _init_state(self, p: Tensor, group: dict[str, Any]) -> dict[str, Any]:
        return {
            "step": 0,
            "square_avg": Tensor._make(np.zeros_like(p.data), None),
            "acc_delta": Tensor._make(np.zeros_like(p.data), None),
        }

    def _update(self, p: Tensor, grad: np.ndarray, state: dict, group: dict) -> None:
        rho, eps = group["rho"], group["eps"]
        state["step"] += 1
        g = -grad if group["maximize"] else grad
        if group["weight_decay"]:
            g = g + group["weight_decay"] * p.data
        s, a = state["square_avg"].data, state["acc_delta"].data
        s *= rho
        s += (1 - rho) * g * g
        delta = np.sqrt(a + eps)
        delta /= np.sqrt(s + eps)
        delta *= g
        a *= rho
        a += (1 - rho) * delta * delta
        delta *= -group["lr"]
        p.add_(delta)
