"""Adagrad: per-coordinate learning rates from the accumulated squared gradients."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from ..tensor import Tensor
from .optimizer import Optimizer

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    """PyTorch's Adagrad. At step t, with g the gradient (+ weight_decay * p):

        s <- s + g^2,   p <- p - lr / (1 + (t - 1) lr_decay) * g / (sqrt(s) + eps)

    with s starting at `initial_accumulator_value`.
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-2,
        lr_decay: float = 0.0,
        weight_decay: float = 0.0,
        initial_accumulator_value: float = 0.0,
        eps: float = 1e-10,
        foreach: bool | None = None,
        *,
        maximize: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        defaults = dict(
            lr=lr,
            lr_decay=lr_decay,
            weight_decay=weight_decay,
            eps=eps,
            initial_accumulator_value=initial_accumulator_value,
            maximize=maximize,
            foreach=foreach,
            differentiable=differentiable,
            fused=fused,
        )
        super().__init__(params, defaults)
        for group in self.param_groups:  # PyTorch creates Adagrad's state up front
            for p in group["params"]:
                self.state[p] = self._init_state(p, group)

    def _check_group(self, group: dict[str, Any]) -> None:
        super()._check_group(group)
        for key in ("lr_decay", "eps", "initial_accumulator_value"):
            self._check_option(group, key)

    def _init_state(self, p: Tensor, group: dict[str, Any]) -> dict[str, Any]:
        init = np.full_like(p.data, group["initial_accumulator_value"])
        return {"step": 0, "sum": Tensor._make(init, None)}

    def _update(self, p: Tensor, grad: np.ndarray, state: dict, group: dict) -> None:
        state["step"] += 1
        g = -grad if group["maximize"] else grad
        if group["weight_decay"]:
            g = g + group["weight_decay"] * p.data
        clr = group["lr"] / (1 + (state["step"] - 1) * group["lr_decay"])
        s = state["sum"].data
        tmp = np.asarray(np.multiply(g, g))  # (an array even for a 0-d parameter)
        s += tmp
        std = np.sqrt(s, out=tmp)
        std += group["eps"]
        np.divide(g, std, out=std)
        std *= -clr
        p.add_(std)
