"""Adam's kin, as PyTorch's: NAdam (Nesterov momentum), RAdam (rectified) and Adamax (the
infinity norm). All keep Adam's `betas` and `eps` (checked as Adam's), `weight_decay` as an L2
term in the gradient (or, for NAdam and RAdam with `decoupled_weight_decay=True`, AdamW's
p <- p (1 - lr weight_decay)), and `maximize`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from ..tensor import Tensor
from .adam import check_betas_and_eps, gradient, moments
from .optimizer import Optimizer

__all__ = ["NAdam", "RAdam", "Adamax"]


class NAdam(Optimizer):
    """NAdam (Dozat, 2016), PyTorch's form. At step t, with g the gradient (+ weight_decay p)
    and psi the momentum_decay:

        mu_t = beta1 (1 - 0.96^(t psi) / 2),   prod_t = mu_1 ... mu_t
        m, v as Adam's;   d = sqrt(v / (1 - beta2^t)) + eps
        p <- p - lr (1 - mu_t) / (1 - prod_t) g / d - lr mu_{t+1} / (1 - prod_{t+1}) m / d
    """

    _float_state = ("mu_product",)

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum_decay: float = 4e-3,
        decoupled_weight_decay: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
    ) -> None:
        defaults = dict(
            lr=lr,
            betas=betas,
            eps=eps,
            weight_decay=weight_decay,
            momentum_decay=momentum_decay,
            decoupled_weight_decay=decoupled_weight_decay,
            maximize=maximize,
            foreach=foreach,
            capturable=capturable,
            differentiable=differentiable,
        )
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        super()._check_group(group)
        check_betas_and_eps(self, group)
        self._check_option(group, "momentum_decay")

    def _init_state(self, p: Tensor, group: dict[str, Any]) -> dict[str, Any]:
        return {
            "step": 0,
            "mu_product": 1.0,
            "exp_avg": Tensor._make(np.zeros_like(p.data), None),
            "exp_avg_sq": Tensor._make(np.zeros_like(p.data), None),
        }

    def _update(self, p: Tensor, grad: np.ndarray, state: dict, group: dict) -> None:
        lr, eps, psi = group["lr"], group["eps"], group["momentum_decay"]
        beta1, beta2 = group["betas"]
        state["step"] += 1
        t = state["step"]
        g = gradient(p, grad, group, group["decoupled_weight_decay"])
        mu = beta1 * (1.0 - 0.5 * 0.96 ** (t * psi))
        mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((t + 1) * psi))
        state["mu_product"] *= mu
        prod = state["mu_product"]
        m, v, _ = moments(g, state, beta1, beta2)
        denom = np.sqrt(v / (1 - beta2**t))
        denom += eps
        step = g * (-lr * (1.0 - mu) / (1.0 - prod))
        step += m * (-lr * mu_next / (1.0 - prod * mu_next))
        step /= denom
        p.add_(step)


class RAdam(Optimizer):
    """RAdam (Liu et al., 2019). At step t, with m, v as Adam's, rho_inf = 2 / (1 - beta2) - 1
    and rho_t = rho_inf - 2 t beta2^t / (1 - beta2^t):

        m_hat = m / (1 - beta1^t)
        rho_t > 5:  r = sqrt((rho_t - 4)(rho_t - 2) rho_inf / ((rho_inf - 4)(rho_inf - 2) rho_t))
                    p <- p - lr m_hat r sqrt(1 - beta2^t) / (sqrt(v) + eps)
        else:       p <- p - lr m_hat   (the variance estimate is not yet trusted)
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        decoupled_weight_decay: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
    ) -> None:
        defaults = dict(
            lr=lr,
            betas=betas,
            eps=eps,
            weight_decay=weight_decay,
            decoupled_weight_decay=decoupled_weight_decay,
            maximize=maximize,
            foreach=foreach,
            capturable=capturable,
            differentiable=differentiable,
        )
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        super()._check_group(group)
        check_betas_and_eps(self, group)

    def _init_state(self, p: Tensor, group: dict[str, Any]) -> dict[str, Any]:
        return {
            "step": 0,
            "exp_avg": Tensor._make(np.zeros_like(p.data), None),
            "exp_avg_sq": Tensor._make(np.zeros_like(p.data), None),
        }

    def _update(self, p: Tensor, grad: np.ndarray, state: dict, group: dict) -> None:
        lr, eps = group["lr"], group["eps"]
        beta1, beta2 = group["betas"]
        state["step"] += 1
        t = state["step"]
        g = gradient(p, grad, group, group["decoupled_weight_decay"])
        m, v, _ = moments(g, state, beta1, beta2)
        bc1, bc2 = 1 - beta1**t, 1 - beta2**t
        m_hat = m / bc1
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * t * beta2**t / bc2
        if rho_t > 5.0:
            rect = math.sqrt(
                (rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)
            )
            m_hat *= lr
            m_hat *= math.sqrt(bc2) / (np.sqrt(v) + eps)
            m_hat *= -rect
            p.add_(m_hat)
        else:
            m_hat *= -lr
            p.add_(m_hat)


class Adamax(Optimizer):
    """Adamax (Kingma and Ba, section 7): Adam with the infinity norm. At step t, with g the
    gradient (+ weight_decay p):

        m <- m + (1 - beta1) (g - m),   u <- max(beta2 u, |g| + eps)
        p <- p - lr / (1 - beta1^t) m / u
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        foreach: bool | None = None,
        *,
        maximize: bool = False,
        differentiable: bool = False,
        capturable: bool = False,
    ) -> None:
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, maximize=maximize,
                        foreach=foreach, differentiable=differentiable,
                        capturable=capturable)  # fmt: skip
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        super()._check_group(group)
        check_betas_and_eps(self, group)

    def _init_state(self, p: Tensor, group: dict[str, Any]) -> dict[str, Any]:
        return {
            "step": 0,
            "exp_avg": Tensor._make(np.zeros_like(p.data), None),
            "exp_inf": Tensor._make(np.zeros_like(p.data), None),
        }

    def _update(self, p: Tensor, grad: np.ndarray, state: dict, group: dict) -> None:
        beta1, beta2 = group["betas"]
        state["step"] += 1
        g = gradient(p, grad, group, False)
        m, u = state["exp_avg"].data, state["exp_inf"].data
        m += (1 - beta1) * (g - m)
        u *= beta2
        np.maximum(u, np.abs(g) + group["eps"], out=u)
        p.add_(m / u * (-group["lr"] / (1 - beta1 ** state["step"])))
