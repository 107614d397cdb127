"""Stochastic gradient descent, with momentum, dampening, Nesterov and weight decay."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from ..dtypes import scalar_array
from ..tensor import Tensor
from .optimizer import Optimizer

__all__ = ["SGD"]


class SGD(Optimizer):
    """PyTorch's SGD. With g the gradient (+ weight_decay * p), mu the momentum and tau the
    dampening:

        b <- g on the first step, else b <- mu b + (1 - tau) g
        d = g + mu b (nesterov) or b (momentum > 0) or g (plain)
        p <- p - lr d

    Fed by a DataLoader of batch size N, 1 or B it is batch, stochastic or mini-batch
    gradient descent.
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        momentum: float = 0.0,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        defaults = dict(
            lr=lr,
            momentum=momentum,
            dampening=dampening,
            weight_decay=weight_decay,
            nesterov=nesterov,
            maximize=maximize,
            foreach=foreach,
            differentiable=differentiable,
            fused=fused,
        )
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        super()._check_group(group)
        self._check_option(group, "momentum")
        self._check_option(group, "dampening")
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError("SGD: Nesterov momentum requires a momentum and zero dampening")

    def _init_state(self, p: Tensor, group: dict[str, Any]) -> dict[str, Any]:
        return {"momentum_buffer": None}

    def _step_group(self, group: dict[str, Any]) -> None:
        """Plain gradient descent, p <- p - lr g (no momentum, weight decay or maximize), goes
        straight to the update and keeps no state, as PyTorch's SGD keeps none without
        momentum: the training loop's commonest step, without the general path's per-parameter
        bookkeeping."""
        if group["momentum"] or group["weight_decay"] or group["maximize"]:
            super()._step_group(group)
            return
        scale = -group["lr"]
        for p in group["params"]:
            g = p.grad
            if g is None:
                continue
            if type(g) is not Tensor or g.data.shape != p.data.shape:
                self._bad_grad(p, g)
            g = g.data  # (-lr as a 0-d array of g's dtype: see dtypes.ONE)
            step = g * (scalar_array(scale, g.dtype) if type(scale) is float else scale)
            data = p.data
            try:  # p.add_(step) without its Python layers; add_ itself where NumPy refuses
                data += step  # (NumPy's in-place casting rule, "same_kind", as add_'s)
            except (TypeError, ValueError):
                p.add_(step)  # (raises add_'s error, naming the shapes and dtypes)
            else:
                p._version[0] += 1

    def _update(self, p: Tensor, grad: np.ndarray, state: dict, group: dict) -> None:
        lr, momentum, wd = group["lr"], group["momentum"], group["weight_decay"]
        d = -grad if group["maximize"] else grad
        if wd:
            d = d + wd * p.data
        if momentum:
            buf = state["momentum_buffer"]
            if buf is None:
                buf = state["momentum_buffer"] = Tensor._make(np.array(d, dtype=p.dtype), None)
            else:
                b = buf.data
                b *= momentum
                b += (1 - group["dampening"]) * d if group["dampening"] else d
            d = d + momentum * buf.data if group["nesterov"] else buf.data
        p.add_(d * -lr)
