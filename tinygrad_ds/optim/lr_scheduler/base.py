"""The `LRScheduler` base and the checks its subclasses share."""

from __future__ import annotations

import math
from typing import Any

from ..optimizer import Optimizer, _number

__all__ = ["LRScheduler"]


def _check_factor(value: Any, what: str) -> float:
    """`value` as a float if it is a finite real number >= 0; else TypeError / ValueError."""
    number = _number(value)
    if number is None:
        raise TypeError(f"{what} must be a finite real number >= 0, got {value!r:.60}")
    if not math.isfinite(number) or number < 0:
        raise ValueError(f"{what} must be a finite real number >= 0, got {value!r}")
    return number


def _check_int(value: Any, what: str, low: int = 1) -> int:
    """`value` if it is an int >= low (not a bool); else ValueError, as PyTorch's checks."""
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ValueError(f"{what} must be an int >= {low}, got {value!r}")
    return value


def _check_unit(value: Any, what: str, low_open: bool = False) -> float:
    """A factor in [0, 1] (or (0, 1] with `low_open`)."""
    number = _check_factor(value, what)
    if number > 1 or (low_open and number == 0):
        side = "(0, 1]" if low_open else "[0, 1]"
        raise ValueError(f"{what} must be in {side}, got {value!r}")
    return number


def _per_group(optimizer: Optimizer, value: Any, what: str) -> list[float]:
    """One value per parameter group: a list or tuple of them, or one value for all."""
    n = len(optimizer.param_groups)
    if isinstance(value, (list, tuple)):
        if len(value) != n:
            raise ValueError(f"{what}: expected {n} values (one per group), got {len(value)}")
        return [_check_factor(v, f"{what}[{i}]") for i, v in enumerate(value)]
    return [_check_factor(value, what)] * n


class LRScheduler:
    """Base class: `last_epoch` counts the `step()` calls (construction makes the first, which
    sets it to 0 and the rates to their initial values); subclasses give `get_lr()`, and may
    give `_closed_form_lr()`, the rates at any `last_epoch` (used by SequentialLR)."""

    _is_initial = False

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
        self._initial_step()

    def _initial_step(self) -> None:
        """The step made at construction (and by SequentialLR when a schedule takes over)."""
        self._step_count = 0
        self._is_initial = True
        try:
            self.step()
        finally:
            self._is_initial = False

    def get_lr(self) -> list[float]:
        raise NotImplementedError

    def step(self) -> None:
        """Advance the schedule by one epoch and set the new rates on the optimiser."""
        self._step_count += 1
        try:
            self._update_lr()
        except Exception:
            self._step_count -= 1
            raise

    def _update_lr(self, epoch: int | None = None) -> None:
        """Move to the next epoch (or to `epoch`, by the closed form if there is one) and set
        the rates; a rate that is not a finite number >= 0 raises and changes nothing."""
        previous = self.last_epoch
        self.last_epoch = previous + 1 if epoch is None else epoch
        try:
            closed = epoch is not None and hasattr(self, "_closed_form_lr")
            lrs = [
                _check_factor(lr, f"{type(self).__name__}: the learning rate of group {i} at "
                               f"epoch {self.last_epoch}")
                for i, lr in enumerate(self._closed_form_lr() if closed else self.get_lr())
            ]  # fmt: skip
        except Exception:
            self.last_epoch = previous
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
