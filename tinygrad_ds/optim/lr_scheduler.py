"""Learning-rate schedulers, as PyTorch's: call `scheduler.step()` after `optimizer.step()`,
once per epoch (or per iteration, as you choose the schedule's unit).

Each sets `group["lr"]` of every parameter group; `get_last_lr()` reads the values back.
Options are checked at construction, and every rate a schedule gives must be a finite number
>= 0 (the optimisers refuse anything else): a step that would break this raises ValueError
naming the scheduler, the group and the value, and changes nothing.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from .optimizer import Optimizer, _number

__all__ = ["LRScheduler", "StepLR", "ExponentialLR", "CosineAnnealingLR", "LambdaLR"]


def _check_factor(value: Any, what: str) -> float:
    """`value` as a float if it is a finite real number >= 0; else TypeError / ValueError."""
    number = _number(value)
    if number is None:
        raise TypeError(f"{what} must be a finite real number >= 0, got {value!r:.60}")
    if not math.isfinite(number) or number < 0:
        raise ValueError(f"{what} must be a finite real number >= 0, got {value!r}")
    return number


class LRScheduler:
    """Base class: `last_epoch` counts the `step()` calls (construction makes the first, which
    sets it to 0 and the rates to their initial values); subclasses give `get_lr()`."""

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(
                f"{type(self).__name__}: {type(optimizer).__name__} is not an Optimizer"
            )
        self.optimizer = optimizer
        groups = optimizer.param_groups
        if last_epoch == -1:
            for group in groups:
                group.setdefault("initial_lr", group["lr"])
        elif any("initial_lr" not in group for group in groups):
            raise KeyError(
                f"{type(self).__name__}: resuming with last_epoch={last_epoch} needs "
                "'initial_lr' in every parameter group (load the optimiser's state first)"
            )
        self.base_lrs: list[float] = [group["initial_lr"] for group in groups]
        self.last_epoch = last_epoch
        self._step_count = 0
        self._is_initial = True
        self.step()
        self._is_initial = False

    def get_lr(self) -> list[float]:
        raise NotImplementedError

    def step(self) -> None:
        """Advance the schedule by one epoch and set the new rates on the optimiser."""
        self._step_count += 1
        self.last_epoch += 1
        try:
            lrs = [
                _check_factor(lr, f"{type(self).__name__}: the learning rate of group {i} at "
                               f"epoch {self.last_epoch}")
                for i, lr in enumerate(self.get_lr())
            ]  # fmt: skip
        except Exception:
            self._step_count -= 1
            self.last_epoch -= 1
            raise
        for group, lr in zip(self.optimizer.param_groups, lrs):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def get_last_lr(self) -> list[float]:
        """The rates set by the latest `step()`, one per parameter group."""
        return list(self._last_lr)

    def _lrs(self) -> list[float]:
        return [group["lr"] for group in self.optimizer.param_groups]

    def state_dict(self) -> dict[str, Any]:
        """Everything but the optimiser (save it alongside the optimiser's state)."""
        return {k: v for k, v in vars(self).items() if k != "optimizer"}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        for key, value in state_dict.items():
            if key != "optimizer":
                setattr(self, key, list(value) if isinstance(value, tuple) else value)


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


class ExponentialLR(LRScheduler):
    """lr = initial_lr * gamma ^ epoch."""

    def __init__(self, optimizer: Optimizer, gamma: float, last_epoch: int = -1) -> None:
        self.gamma = _check_factor(gamma, "ExponentialLR: gamma")
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self._is_initial:
            return self._lrs()
        return [lr * self.gamma for lr in self._lrs()]


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


class LambdaLR(LRScheduler):
    """lr = initial_lr * lr_lambda(epoch); one function, or a list with one per group."""

    def __init__(
        self,
        optimizer: Optimizer,
        lr_lambda: Callable[[int], float] | Sequence[Callable[[int], float]],
        last_epoch: int = -1,
    ) -> None:
        n = len(optimizer.param_groups)
        if isinstance(lr_lambda, (list, tuple)):
            if len(lr_lambda) != n:
                raise ValueError(f"LambdaLR: expected {n} lr_lambdas, got {len(lr_lambda)}")
            self.lr_lambdas = list(lr_lambda)
        else:
            self.lr_lambdas = [lr_lambda] * n
        for f in self.lr_lambdas:
            if not callable(f):
                raise TypeError(f"LambdaLR: lr_lambda must be a function of the epoch, got {f!r}")
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        e = self.last_epoch
        factors = [
            _check_factor(f(e), f"LambdaLR: lr_lambda({e}) for group {i}")
            for i, f in enumerate(self.lr_lambdas)
        ]
        return [b * k for k, b in zip(factors, self.base_lrs)]

    def state_dict(self) -> dict[str, Any]:
        """As the base's, without the functions (they are code, not state)."""
        state = super().state_dict()
        del state["lr_lambdas"]
        return state
