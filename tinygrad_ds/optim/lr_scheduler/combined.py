"""Schedules driven by a metric or by other schedules: ReduceLROnPlateau, SequentialLR and
ChainedScheduler."""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Sequence
from typing import Any

from ..optimizer import Optimizer, _number
from .base import LRScheduler, _check_factor, _check_int, _per_group

__all__ = ["ReduceLROnPlateau", "SequentialLR", "ChainedScheduler"]


class ReduceLROnPlateau(LRScheduler):
    """Multiply the rates by `factor` when a metric has stopped improving: `step(metric)`
    after each validation; once more than `patience` epochs in a row bring no improvement
    (a "min" metric below best * (1 - threshold) in "rel" mode, below best - threshold in
    "abs" mode; the reverse for "max"), lr <- max(lr * factor, min_lr), skipped if that
    changes it by no more than eps, and the next `cooldown` epochs are not counted."""

    def __init__(
        self,
        optimizer: Optimizer,
        mode: str = "min",
        factor: float = 0.1,
        patience: int = 10,
        threshold: float = 1e-4,
        threshold_mode: str = "rel",
        cooldown: int = 0,
        min_lr: float | list[float] = 0,
        eps: float = 1e-8,
    ) -> None:
        what = "ReduceLROnPlateau"
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{what}: {type(optimizer).__name__} is not an Optimizer")
        self.factor = _check_factor(factor, f"{what}: factor")
        if self.factor >= 1.0:
            raise ValueError(f"{what}: factor must be < 1.0, got {factor!r}")
        self.optimizer = optimizer
        self.min_lrs = _per_group(optimizer, min_lr, f"{what}: min_lr")
        self.default_min_lr = None if isinstance(min_lr, (list, tuple)) else self.min_lrs[0]
        self.patience = _check_int(patience, f"{what}: patience", low=0)
        self.cooldown = _check_int(cooldown, f"{what}: cooldown", low=0)
        self.eps = _check_factor(eps, f"{what}: eps")
        self.threshold = _check_factor(threshold, f"{what}: threshold")
        self.mode, self.threshold_mode = mode, threshold_mode
        self._check_modes()
        self.last_epoch = 0
        self._last_lr = self._lrs()
        self._reset()

    def _check_modes(self) -> None:
        if self.mode not in ("min", "max"):
            raise ValueError(f"ReduceLROnPlateau: mode must be 'min' or 'max', got {self.mode!r}")
        if self.threshold_mode not in ("rel", "abs"):
            raise ValueError(
                "ReduceLROnPlateau: threshold_mode must be 'rel' or 'abs', got "
                f"{self.threshold_mode!r}"
            )
        self.mode_worse = math.inf if self.mode == "min" else -math.inf

    def _reset(self) -> None:
        self.best = self.mode_worse
        self.cooldown_counter = 0
        self.num_bad_epochs = 0

    @property
    def in_cooldown(self) -> bool:
        return self.cooldown_counter > 0

    def is_better(self, a: float, best: float) -> bool:
        """Whether metric `a` improves on `best` by more than the threshold."""
        t = self.threshold
        if self.mode == "min":
            return a < best * (1.0 - t) if self.threshold_mode == "rel" else a < best - t
        return a > best * (1.0 + t) if self.threshold_mode == "rel" else a > best + t

    def step(self, metrics: Any) -> None:  # type: ignore[override]
        """Record this epoch's metric (a number or a 0-d Tensor; NaN counts as no
        improvement) and reduce the rates if it has stalled for too long."""
        value = metrics.item() if hasattr(metrics, "item") and not isinstance(
            metrics, (int, float)) else metrics  # fmt: skip
        current = _number(value)
        if current is None:
            raise TypeError(f"ReduceLROnPlateau.step: metrics must be a number, got {metrics!r}")
        current = float(current)
        self.last_epoch += 1
        if self.is_better(current, self.best):
            self.best, self.num_bad_epochs = current, 0
        else:
            self.num_bad_epochs += 1
        if self.in_cooldown:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0  # bad epochs in the cooldown are not counted
        if self.num_bad_epochs > self.patience:
            self._reduce_lr()
            self.cooldown_counter, self.num_bad_epochs = self.cooldown, 0
        self._last_lr = self._lrs()

    def _reduce_lr(self) -> None:
        groups = self.optimizer.param_groups
        if len(groups) != len(self.min_lrs):
            if self.default_min_lr is None:
                raise RuntimeError(
                    f"ReduceLROnPlateau: the optimiser has {len(groups)} parameter groups but "
                    f"min_lr gave {len(self.min_lrs)}; set min_lrs to one per group"
                )
            self.min_lrs = [self.default_min_lr] * len(groups)
        for group, min_lr in zip(groups, self.min_lrs):
            old = float(group["lr"])
            new = max(old * self.factor, min_lr)
            if old - new > self.eps:
                group["lr"] = new

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        super().load_state_dict(state_dict)
        self._check_modes()


def _check_schedulers(optimizer: Any, schedulers: Any, what: str) -> list[LRScheduler]:
    if not isinstance(schedulers, (list, tuple)) or not schedulers:
        raise ValueError(f"{what}: expected a non-empty list of schedulers, got {schedulers!r}")
    for i, s in enumerate(schedulers):
        if not isinstance(s, LRScheduler):
            raise TypeError(f"{what}: the scheduler at index {i} is a {type(s).__name__}")
        if isinstance(s, ReduceLROnPlateau):
            raise ValueError(
                f"{what}: the scheduler at index {i} is a ReduceLROnPlateau, whose step needs "
                "a metric; step it on its own"
            )
        if s.optimizer is not optimizer:
            raise ValueError(
                f"{what}: the scheduler at index {i} ({type(s).__name__}) belongs to another "
                "optimiser; all must share one"
            )
    return list(schedulers)


class _Composite(LRScheduler):
    """State of a scheduler made of schedulers: its own, with theirs nested under
    "_schedulers"."""

    _schedulers: list[LRScheduler]

    def state_dict(self) -> dict[str, Any]:
        state = {k: v for k, v in vars(self).items() if k not in ("optimizer", "_schedulers")}
        state["_schedulers"] = [s.state_dict() for s in self._schedulers]
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        own = {k: v for k, v in state_dict.items() if k != "_schedulers"}
        super().load_state_dict(own)
        for s, saved in zip(self._schedulers, state_dict.get("_schedulers", [])):
            s.load_state_dict(saved)


class SequentialLR(_Composite):
    """Run `schedulers[0]` until epoch milestones[0], then `schedulers[1]` (restarted at its
    epoch 0, from the closed form) until milestones[1], and so on; e.g. a LinearLR warm-up
    followed by a CosineAnnealingLR."""

    def __init__(
        self,
        optimizer: Optimizer,
        schedulers: Sequence[LRScheduler],
        milestones: Sequence[int],
        last_epoch: int = -1,
    ) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"SequentialLR: {type(optimizer).__name__} is not an Optimizer")
        self._schedulers = _check_schedulers(optimizer, schedulers, "SequentialLR")
        if not isinstance(milestones, (list, tuple)):
            raise TypeError(f"SequentialLR: milestones must be a list of ints, got {milestones!r}")
        for m in milestones:
            _check_int(m, "SequentialLR: each milestone", low=0)
        if len(milestones) != len(schedulers) - 1:
            raise ValueError(
                f"SequentialLR: expected {len(schedulers) - 1} milestone(s) for "
                f"{len(schedulers)} schedulers, got {len(milestones)}"
            )
        self._milestones = list(milestones)
        self.last_epoch = last_epoch + 1
        self.optimizer = optimizer
        for group in optimizer.param_groups:  # undo the schedulers' own first steps
            group["lr"] = group["initial_lr"]
        self._undo(self)
        idx = bisect_right(self._milestones, 0)
        self._schedulers[idx]._initial_step()
        self._last_lr = self._schedulers[idx].get_last_lr()

    def _undo(self, sched: LRScheduler) -> None:
        """Step every scheduler inside back by one epoch (their construction made one)."""
        if isinstance(sched, _Composite):
            for s in sched._schedulers:
                self._undo(s)
        elif sched is not self:
            sched.last_epoch -= 1

    def step(self) -> None:
        """Advance one epoch: step the current scheduler, or restart the next at a
        milestone."""
        self.last_epoch += 1
        idx = bisect_right(self._milestones, self.last_epoch)
        scheduler = self._schedulers[idx]
        if idx > 0 and self._milestones[idx - 1] == self.last_epoch:
            scheduler._update_lr(0)
        else:
            scheduler.step()
        self._last_lr = scheduler.get_last_lr()


class ChainedScheduler(_Composite):
    """Step several schedulers together on one optimiser; their (recursive) factors
    multiply, e.g. ConstantLR's warm-up and ExponentialLR's decay at once."""

    def __init__(
        self, schedulers: Sequence[LRScheduler], optimizer: Optimizer | None = None
    ) -> None:
        if isinstance(schedulers, (list, tuple)) and schedulers and optimizer is None:
            optimizer = getattr(schedulers[0], "optimizer", None)
        self._schedulers = _check_schedulers(optimizer, schedulers, "ChainedScheduler")
        self.optimizer = optimizer
        self._last_lr = self._lrs()

    def step(self) -> None:
        """Step every scheduler, in order."""
        for s in self._schedulers:
            s.step()
        self._last_lr = self._lrs()
