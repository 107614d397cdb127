"""Schedules by a formula of the epoch: StepLR, MultiStepLR, ConstantLR, LinearLR, ExponentialLR,
PolynomialLR, CosineAnnealingLR, LambdaLR and MultiplicativeLR.

Each `get_lr()` is PyTorch's recursive form (the new rate from the group's current one), so
that chained schedules multiply as in PyTorch; `_closed_form_lr()` gives the formula.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from ..optimizer import Optimizer
from .base import LRScheduler, _check_factor, _check_int, _check_unit

__all__ = [
    "StepLR", "MultiStepLR", "ConstantLR", "LinearLR", "ExponentialLR", "PolynomialLR",
    "CosineAnnealingLR", "LambdaLR", "MultiplicativeLR",
]  # fmt: skip


class StepLR(LRScheduler):
    """lr = initial_lr * gamma ^ floor(epoch / step_size)  (decay by gamma every step_size)."""

    def __init__(
        self, optimizer: Optimizer, step_size: int, gamma: float = 0.1, last_epoch: int = -1
    ) -> None:
        if isinstance(step_size, bool) or not isinstance(step_size, int) or step_size < 1:
            raise ValueError(f"StepLR: step_size must be a positive int, got {step_size!r}")
        self.step_size, self.gamma = step_size, _check_factor(gamma, "StepLR: gamma")
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return self._lrs()
        return [lr * self.gamma for lr in self._lrs()]

    def _closed_form_lr(self) -> list[float]:
        return [b * self.gamma ** (self.last_epoch // self.step_size) for b in self.base_lrs]


class MultiStepLR(LRScheduler):
    """lr = initial_lr * gamma ^ (the number of milestones <= epoch): decay by gamma at each
    milestone (a milestone given twice decays by gamma^2)."""

    def __init__(
        self,
        optimizer: Optimizer,
        milestones: Iterable[int],
        gamma: float = 0.1,
        last_epoch: int = -1,
    ) -> None:
        if isinstance(milestones, (str, bytes)) or not isinstance(milestones, Iterable):
            raise TypeError(f"MultiStepLR: milestones must be a list of ints, got {milestones!r}")
        milestones = list(milestones)
        for m in milestones:
            _check_int(m, "MultiStepLR: each milestone", low=0)
        self.milestones = Counter(milestones)
        self.gamma = _check_factor(gamma, "MultiStepLR: gamma")
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        count = self.milestones.get(self.last_epoch, 0)
        if not count:
            return self._lrs()
        return [lr * self.gamma**count for lr in self._lrs()]

    def _closed_form_lr(self) -> list[float]:
        marks = sorted(m for m, count in self.milestones.items() for _ in range(count))
        return [b * self.gamma ** bisect_right(marks, self.last_epoch) for b in self.base_lrs]


class ConstantLR(LRScheduler):
    """lr = initial_lr * factor for epoch < total_iters, then initial_lr."""

    def __init__(
        self,
        optimizer: Optimizer,
        factor: float = 1.0 / 3,
        total_iters: int = 5,
        last_epoch: int = -1,
    ) -> None:
        self.factor = _check_unit(factor, "ConstantLR: factor", low_open=True)
        self.total_iters = _check_int(total_iters, "ConstantLR: total_iters")
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self.last_epoch == 0:
            return [lr * self.factor for lr in self._lrs()]
        if self.last_epoch != self.total_iters:
            return self._lrs()
        return [lr * (1.0 / self.factor) for lr in self._lrs()]

    def _closed_form_lr(self) -> list[float]:
        f = self.factor + (self.last_epoch >= self.total_iters) * (1 - self.factor)
        return [b * f for b in self.base_lrs]


class LinearLR(LRScheduler):
    """lr = initial_lr * (start_factor + (end_factor - start_factor) min(epoch, total_iters) /
    total_iters): a linear ramp of the factor over total_iters epochs (a warm-up by default)."""

    def __init__(
        self,
        optimizer: Optimizer,
        start_factor: float = 1.0 / 3,
        end_factor: float = 1.0,
        total_iters: int = 5,
        last_epoch: int = -1,
    ) -> None:
        self.start_factor = _check_unit(start_factor, "LinearLR: start_factor", low_open=True)
        self.end_factor = _check_unit(end_factor, "LinearLR: end_factor")
        self.total_iters = _check_int(total_iters, "LinearLR: total_iters")
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self.last_epoch == 0:
            return [lr * self.start_factor for lr in self._lrs()]
        if self._is_initial or self.last_epoch > self.total_iters:
            return self._lrs()
        s, e, T = self.start_factor, self.end_factor, self.total_iters
        ratio = 1.0 + (e - s) / (T * s + (self.last_epoch - 1) * (e - s))
        return [lr * ratio for lr in self._lrs()]

    def _closed_form_lr(self) -> list[float]:
        s, e, T = self.start_factor, self.end_factor, self.total_iters
        return [b * (s + (e - s) * min(T, self.last_epoch) / T) for b in self.base_lrs]


class ExponentialLR(LRScheduler):
    """lr = initial_lr * gamma ^ epoch."""

    def __init__(self, optimizer: Optimizer, gamma: float, last_epoch: int = -1) -> None:
        self.gamma = _check_factor(gamma, "ExponentialLR: gamma")
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self._is_initial:
            return self._lrs()
        return [lr * self.gamma for lr in self._lrs()]

    def _closed_form_lr(self) -> list[float]:
        return [b * self.gamma**self.last_epoch for b in self.base_lrs]


class PolynomialLR(LRScheduler):
    """lr = initial_lr * (1 - min(epoch, total_iters) / total_iters) ^ power  (0 from
    total_iters on)."""

    def __init__(
        self, optimizer: Optimizer, total_iters: int = 5, power: float = 1.0, last_epoch: int = -1
    ) -> None:
        self.total_iters = _check_int(total_iters, "PolynomialLR: total_iters")
        self.power = _check_factor(power, "PolynomialLR: power")
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        t, T = self.last_epoch, self.total_iters
        if self._is_initial or t > T:
            return self._lrs()
        ratio = ((1.0 - t / T) / (1.0 - (t - 1) / T)) ** self.power
        return [lr * ratio for lr in self._lrs()]

    def _closed_form_lr(self) -> list[float]:
        T = self.total_iters
        return [b * (1.0 - min(T, self.last_epoch) / T) ** self.power for b in self.base_lrs]


class CosineAnnealingLR(LRScheduler):
    """lr = eta_min + (initial_lr - eta_min) (1 + cos(pi epoch / T_max)) / 2, computed by
    PyTorch's recursive form (so values match its step by step, also past T_max)."""

    def __init__(
        self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0, last_epoch: int = -1
    ) -> None:
        if isinstance(T_max, bool) or not isinstance(T_max, int) or T_max < 1:
            raise ValueError(f"CosineAnnealingLR: T_max must be a positive int, got {T_max!r}")
        self.T_max, self.eta_min = T_max, _check_factor(eta_min, "CosineAnnealingLR: eta_min")
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        t, T, eta_min = self.last_epoch, self.T_max, self.eta_min
        if self._is_initial:
            return self._lrs()
        if self._step_count == 1 and t > 0:
            return [eta_min + (b - eta_min) * (1 + math.cos(t * math.pi / T)) / 2
                    for b in self.base_lrs]  # fmt: skip
        if (t - 1 - T) % (2 * T) == 0:
            return [lr + (b - eta_min) * (1 - math.cos(math.pi / T)) / 2
                    for lr, b in zip(self._lrs(), self.base_lrs)]  # fmt: skip
        ratio = (1 + math.cos(math.pi * t / T)) / (1 + math.cos(math.pi * (t - 1) / T))
        return [ratio * (lr - eta_min) + eta_min for lr in self._lrs()]

    def _closed_form_lr(self) -> list[float]:
        t, T, eta_min = self.last_epoch, self.T_max, self.eta_min
        return [eta_min + (b - eta_min) * (1 + math.cos(math.pi * t / T)) / 2
                for b in self.base_lrs]  # fmt: skip


class _LambdaScheduler(LRScheduler):
    """What LambdaLR and MultiplicativeLR share: `lr_lambda`, one function of the epoch, or a
    list with one per group, and a state_dict without the functions (code, not state)."""

    def __init__(
        self,
        optimizer: Optimizer,
        lr_lambda: Callable[[int], float] | Sequence[Callable[[int], float]],
        last_epoch: int = -1,
    ) -> None:
        self.lr_lambdas = _lambdas(optimizer, lr_lambda, type(self).__name__)
        super().__init__(optimizer, last_epoch)

    def _factors(self) -> list[float]:
        """Each group's lr_lambda(epoch), checked to be a finite number >= 0."""
        e, what = self.last_epoch, type(self).__name__
        return [_check_factor(f(e), f"{what}: lr_lambda({e}) for group {i}")
                for i, f in enumerate(self.lr_lambdas)]  # fmt: skip

    def state_dict(self) -> dict[str, Any]:
        """As the base's, without the functions (they are code, not state)."""
        state = super().state_dict()
        del state["lr_lambdas"]
        return state


class LambdaLR(_LambdaScheduler):
    """lr = initial_lr * lr_lambda(epoch); one function, or a list with one per group."""

    def get_lr(self) -> list[float]:
        return [b * k for k, b in zip(self._factors(), self.base_lrs)]


class MultiplicativeLR(_LambdaScheduler):
    """lr <- lr * lr_lambda(epoch) at each step after the first (one function, or a list with
    one per group): lr = initial_lr * prod_{k=1..epoch} lr_lambda(k)."""

    def get_lr(self) -> list[float]:
        if self._is_initial:
            return self._lrs()
        return [lr * k for k, lr in zip(self._factors(), self._lrs())]


def _lambdas(optimizer: Optimizer, lr_lambda: Any, what: str) -> list[Callable[[int], float]]:
    """One function per parameter group (the same one for all if a single one is given)."""
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"{what}: {type(optimizer).__name__} is not an Optimizer")
    n = len(optimizer.param_groups)
    if isinstance(lr_lambda, (list, tuple)):
        if len(lr_lambda) != n:
            raise ValueError(f"{what}: expected {n} lr_lambdas, got {len(lr_lambda)}")
        lambdas = list(lr_lambda)
    else:
        lambdas = [lr_lambda] * n
    for f in lambdas:
        if not callable(f):
            raise TypeError(f"{what}: lr_lambda must be a function of the epoch, got {f!r}")
    return lambdas
