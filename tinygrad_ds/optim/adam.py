"""Adam (with AMSGrad) and AdamW, as PyTorch's documented algorithms."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from ..tensor import Tensor
from .optimizer import Optimizer

__all__ = ["Adam", "AdamW"]


def check_betas_and_eps(opt: Optimizer, group: dict[str, Any]) -> None:
    """Adam's family: `betas` must be a pair of numbers in [0, 1), `eps` a number >= 0."""
    betas = group["betas"]
    if not isinstance(betas, (tuple, list)) or len(betas) != 2:
        raise TypeError(f"{opt._name}: invalid betas: {betas!r} (expected a pair (beta1, beta2))")
    pair = {"beta1": betas[0], "beta2": betas[1]}
    for key in pair:
        opt._check_option(pair, key, high=1.0, what=f"betas {tuple(betas)!r}: {key}")
    group["betas"] = (pair["beta1"], pair["beta2"])
    opt._check_option(group, "eps")


def gradient(p: Tensor, grad: np.ndarray, group: dict, decoupled: bool) -> np.ndarray:
    """The gradient with `maximize` and `weight_decay` applied: g + weight_decay p (the L2
    form), or, `decoupled` (AdamW's), g as it is and p <- p (1 - lr weight_decay) in place."""
    g = -grad if group["maximize"] else grad
    wd = group["weight_decay"]
    if wd and decoupled:
        p.mul_(1 - group["lr"] * wd)
    elif wd:
        g = g + wd * p.data
    return g


def moments(g: np.ndarray, state: dict, beta1: float, beta2: float) -> tuple[np.ndarray, ...]:
    """m <- m + (1 - beta1) (g - m),  v <- beta2 v + (1 - beta2) g^2, in place in the state's
    "exp_avg" and "exp_avg_sq"; (m, v, tmp), tmp the one scratch array this made, g's shape,
    free for the caller to overwrite."""
    m, v = state["exp_avg"].data, state["exp_avg_sq"].data
    tmp = np.asarray(np.subtract(g, m))  # (an array even for a 0-d parameter)
    tmp *= 1 - beta1
    m += tmp  # m <- lerp(m, g, 1 - beta1)
    np.multiply(g, 1 - beta2, out=tmp)
    tmp *= g
    v *= beta2
    v += tmp  # v <- beta2 v + (1 - beta2) g^2
    return m, v, tmp


class Adam(Optimizer):
    """Adam (Kingma and Ba). At step t, with g the gradient (+ weight_decay * p, the L2 form):

    m <- m + (1 - beta1) (g - m)            v <- beta2 v + (1 - beta2) g^2
    v_max <- max(v_max, v) (amsgrad, then used for v below)
    p <- p - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
    """

    _decoupled = False

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        amsgrad: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
        decoupled_weight_decay: bool = False,
    ) -> None:
        defaults = dict(
            lr=lr,
            betas=betas,
            eps=eps,
            weight_decay=weight_decay,
            amsgrad=amsgrad,
            maximize=maximize,
            foreach=foreach,
            capturable=capturable,
            differentiable=differentiable,
            fused=fused,
            decoupled_weight_decay=decoupled_weight_decay or self._decoupled,
        )
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        super()._check_group(group)
        check_betas_and_eps(self, group)

    def _init_state(self, p: Tensor, group: dict[str, Any]) -> dict[str, Any]:
        state: dict[str, Any] = {
            "step": 0,
            "exp_avg": Tensor._make(np.zeros_like(p.data), None),
            "exp_avg_sq": Tensor._make(np.zeros_like(p.data), None),
        }
        if group["amsgrad"]:
            state["max_exp_avg_sq"] = Tensor._make(np.zeros_like(p.data), None)
        return state

    def _update(self, p: Tensor, grad: np.ndarray, state: dict, group: dict) -> None:
        lr, eps = group["lr"], group["eps"]
        beta1, beta2 = group["betas"]
        state["step"] += 1
        t = state["step"]
        g = gradient(p, grad, group, group["decoupled_weight_decay"])
        m, v, tmp = moments(g, state, beta1, beta2)
        if group["amsgrad"]:
            v = np.maximum(state["max_exp_avg_sq"].data, v, out=state["max_exp_avg_sq"].data)
        step_size = lr / (1 - beta1**t)
        denom = np.sqrt(v, out=tmp)
        denom /= math.sqrt(1 - beta2**t)
        denom += eps
        np.divide(m, denom, out=denom)
        denom *= -step_size
        p.add_(denom)


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov and Hutter): before the Adam step,
    p <- p (1 - lr weight_decay), and the gradient is left alone. Default weight_decay 0.01."""

    _decoupled = True

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        capturable: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize=maximize,
                         foreach=foreach, capturable=capturable, differentiable=differentiable,
                         fused=fused)  # fmt: skip
