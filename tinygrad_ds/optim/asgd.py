"""Averaged SGD: SGD with a decaying step, and a running average of the iterates."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from ..tensor import Tensor
from .optimizer import Optimizer

__all__ = ["ASGD"]


class ASGD(Optimizer):
    """Averaged SGD (Polyak and Juditsky, 1992), PyTorch's form. At step t, with g the gradient
    (+ weight_decay p), eta and mu as left by the previous step (lr and 1 at first):

        p <- p (1 - lambd eta) - eta g
        ax <- ax + mu (p - ax)    (ax <- p while mu = 1)
        eta <- lr / (1 + lambd lr t)^alpha,   mu <- 1 / max(1, t - t0)

    The average `state[p]["ax"]` (from step t0 on) is the estimate to use; p itself is not
    averaged.
    """

    _float_state = ("eta", "mu")

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-2,
        lambd: float = 1e-4,
        alpha: float = 0.75,
        t0: float = 1e6,
        weight_decay: float = 0.0,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
        capturable: bool = False,
    ) -> None:
        defaults = dict(
            lr=lr, lambd=lambd, alpha=alpha, t0=t0, weight_decay=weight_decay, maximize=maximize,
            foreach=foreach, differentiable=differentiable, capturable=capturable,
        )  # fmt: skip
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        super()._check_group(group)
        for key in ("lambd", "alpha", "t0"):
            self._check_option(group, key)

    def _init_state(self, p: Tensor, group: dict[str, Any]) -> dict[str, Any]:
        return {
            "step": 0,
            "eta": float(group["lr"]),
            "mu": 1.0,
            "ax": Tensor._make(np.zeros_like(p.data), None),
        }

    def _update(self, p: Tensor, grad: np.ndarray, state: dict, group: dict) -> None:
        lr, lambd = group["lr"], group["lambd"]
        state["step"] += 1
        t = state["step"]
        g = -grad if group["maximize"] else grad
        if group["weight_decay"]:
            g = g + group["weight_decay"] * p.data
        eta = state["eta"]
        p.mul_(1 - lambd * eta)
        p.add_(g * -eta)
        ax = state["ax"].data
        if state["mu"] != 1:
            ax += (p.data - ax) * state["mu"]
        else:
            ax[...] = p.data
        state["eta"] = lr / (1 + lambd * lr * t) ** group["alpha"]
        state["mu"] = 1 / max(1, t - group["t0"])
