"""RMSprop, with momentum and the centered variant."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from ..tensor import Tensor
from .optimizer import Optimizer

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    """PyTorch's RMSprop. With g the gradient (+ weight_decay * p):

    s <- alpha s + (1 - alpha) g^2
    centered: a <- a + (1 - alpha) (g - a), and s - a^2 replaces s below
    d = g / (sqrt(s) + eps)
    momentum mu > 0: b <- mu b + d, p <- p - lr b;  else p <- p - lr d
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum: float = 0.0,
        centered: bool = False,
        capturable: bool = False,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        defaults = dict(
            lr=lr,
            alpha=alpha,
            eps=eps,
            weight_decay=weight_decay,
            momentum=momentum,
            centered=centered,
            maximize=maximize,
            capturable=capturable,
            foreach=foreach,
            differentiable=differentiable,
        )
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        super()._check_group(group)
        for key in ("alpha", "eps", "momentum"):
            self._check_option(group, key)

    def _init_state(self, p: Tensor, group: dict[str, Any]) -> dict[str, Any]:
        state: dict[str, Any] = {"step": 0, "square_avg": Tensor._make(np.zeros_like(p.data), None)}
        if group["momentum"] > 0:
            state["momentum_buffer"] = Tensor._make(np.zeros_like(p.data), None)
        if group["centered"]:
            state["grad_avg"] = Tensor._make(np.zeros_like(p.data), None)
        return state

    def _update(self, p: Tensor, grad: np.ndarray, state: dict, group: dict) -> None:
        lr, alpha, wd = group["lr"], group["alpha"], group["weight_decay"]
        state["step"] += 1
        g = -grad if group["maximize"] else grad
        if wd:
            g = g + wd * p.data
        s = state["square_avg"].data
        tmp = np.asarray(np.multiply(g, 1 - alpha))  # (an array even for a 0-d parameter)
        tmp *= g
        s *= alpha
        s += tmp  # s <- alpha s + (1 - alpha) g^2
        if group["centered"]:
            a = state["grad_avg"].data
            np.subtract(g, a, out=tmp)
            tmp *= 1 - alpha
            a += tmp  # a <- lerp(a, g, 1 - alpha)
            np.multiply(a, a, out=tmp)
            np.subtract(s, tmp, out=tmp)
            avg = np.sqrt(tmp, out=tmp)
        else:
            avg = np.sqrt(s, out=tmp)
        avg += group["eps"]
        if group["momentum"] > 0:
            b = state["momentum_buffer"].data
            b *= group["momentum"]
            np.divide(g, avg, out=avg)
            b += avg
            np.multiply(b, -lr, out=avg)
        else:
            np.divide(g, avg, out=avg)
            avg *= -lr
        p.add_(avg)
