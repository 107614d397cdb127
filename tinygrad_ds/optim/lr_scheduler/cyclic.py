"""Schedules that cycle: CosineAnnealingWarmRestarts, CyclicLR and OneCycleLR.

CyclicLR and OneCycleLR also cycle the momentum, inversely to the rate (PyTorch's default
`cycle_momentum=True`), of an optimiser that has one: "momentum" (SGD, RMSprop) or the first
of "betas" (Adam and its kin). They are meant to be stepped after every batch.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from ..optimizer import Optimizer
from .base import LRScheduler, _check_factor, _check_int, _check_unit, _per_group

__all__ = ["CosineAnnealingWarmRestarts", "CyclicLR", "OneCycleLR"]


class CosineAnnealingWarmRestarts(LRScheduler):
    """SGDR (Loshchilov and Hutter): lr = eta_min + (initial_lr - eta_min) (1 + cos(pi T_cur /
    T_i)) / 2, where T_cur counts the epochs since the last restart and the i-th period lasts
    T_i = T_0 T_mult^i epochs. `step(epoch)` accepts a fractional epoch (e.g. epoch + i / n
    after batch i of n), as PyTorch's."""

    def __init__(
        self,
        optimizer: Optimizer,
        T_0: int,
        T_mult: int = 1,
        eta_min: float = 0.0,
        last_epoch: int = -1,
    ) -> None:
        self.T_0 = self.T_i = _check_int(T_0, "CosineAnnealingWarmRestarts: T_0")
        self.T_mult = _check_int(T_mult, "CosineAnnealingWarmRestarts: T_mult")
        self.eta_min = _check_factor(eta_min, "CosineAnnealingWarmRestarts: eta_min")
        self.T_cur: float = last_epoch
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        cos = (1 + math.cos(math.pi * self.T_cur / self.T_i)) / 2
        return [self.eta_min + (b - self.eta_min) * cos for b in self.base_lrs]

    def step(self, epoch: float | None = None) -> None:
        """Advance one epoch, or jump to `epoch` (a number >= 0, possibly fractional)."""
        if epoch is None and self.last_epoch < 0:
            epoch = 0
        if epoch is None:
            epoch = self.last_epoch + 1
            self.T_cur = self.T_cur + 1
            if self.T_cur >= self.T_i:
                self.T_cur, self.T_i = self.T_cur % self.T_i, self.T_i * self.T_mult
        else:
            epoch = _check_factor(epoch, "CosineAnnealingWarmRestarts.step: epoch")
            T_0, mult = self.T_0, self.T_mult
            if epoch < T_0:
                self.T_i, self.T_cur = T_0, epoch
            elif mult == 1:
                self.T_cur = epoch % T_0
            else:  # the restart n before epoch: T_0 (mult^n - 1) / (mult - 1) <= epoch
                n = int(math.log(epoch / T_0 * (mult - 1) + 1, mult))
                self.T_cur = epoch - T_0 * (mult**n - 1) / (mult - 1)
                self.T_i = T_0 * mult**n
        self._step_count += 1
        self.last_epoch = math.floor(epoch)
        for group, lr in zip(self.optimizer.param_groups, self.get_lr()):
            group["lr"] = lr
        self._last_lr = self._lrs()


def _momentum_key(optimizer: Optimizer, what: str) -> str:
    """ "betas" or "momentum": which option of the optimiser holds its momentum."""
    if "betas" in optimizer.defaults:
        return "betas"
    if "momentum" in optimizer.defaults:
        return "momentum"
    raise ValueError(
        f"{what}: {type(optimizer).__name__} has no momentum or betas to cycle; "
        "pass cycle_momentum=False"
    )


class _CyclesMomentum(LRScheduler):
    """Sets, after each step's rates, the momentums that `get_lr` left in `_momentums`."""

    cycle_momentum = False

    def _set_momentum(self, group: dict[str, Any], value: float) -> None:
        if self._use_key == "betas":
            group["betas"] = (value, *group["betas"][1:])
        else:
            group["momentum"] = value

    def _update_lr(self, epoch: int | None = None) -> None:
        self._momentums: list[float] = []
        super()._update_lr(epoch)
        for group, value in zip(self.optimizer.param_groups, self._momentums):
            self._set_momentum(group, value)
        del self._momentums

    def _init_momentum(self, base_momentum: Any, max_momentum: Any, last_epoch: int) -> None:
        """Store each group's base and max momentum (and start at the max, as PyTorch)."""
        what = type(self).__name__
        self._use_key = _momentum_key(self.optimizer, what)
        base = [_check_unit(m, f"{what}: base_momentum") for m in _per_group(
            self.optimizer, base_momentum, f"{what}: base_momentum")]  # fmt: skip
        top = [_check_unit(m, f"{what}: max_momentum") for m in _per_group(
            self.optimizer, max_momentum, f"{what}: max_momentum")]  # fmt: skip
        self.base_momentums, self.max_momentums = base, top
        if last_epoch == -1:
            for group, b, m in zip(self.optimizer.param_groups, base, top):
                self._set_momentum(group, m)
                group["max_momentum"], group["base_momentum"] = m, b


class CyclicLR(_CyclesMomentum):
    """Cyclical learning rates (Smith, 2017): the rate climbs linearly from base_lr to max_lr
    over step_size_up steps and back over step_size_down (default the same), its height
    scaled per cycle c (1-based) by 1 ("triangular"), 1 / 2^(c-1) ("triangular2"), or per
    iteration t by gamma^t ("exp_range"), or by `scale_fn`. The momentum goes the other way,
    from max_momentum to base_momentum."""

    def __init__(
        self,
        optimizer: Optimizer,
        base_lr: float | list[float],
        max_lr: float | list[float],
        step_size_up: int = 2000,
        step_size_down: int | None = None,
        mode: str = "triangular",
        gamma: float = 1.0,
        scale_fn: Callable[[float], float] | None = None,
        scale_mode: str = "cycle",
        cycle_momentum: bool = True,
        base_momentum: float | list[float] = 0.8,
        max_momentum: float | list[float] = 0.9,
        last_epoch: int = -1,
    ) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"CyclicLR: {type(optimizer).__name__} is not an Optimizer")
        self.optimizer = optimizer
        base_lrs = _per_group(optimizer, base_lr, "CyclicLR: base_lr")
        self.max_lrs = _per_group(optimizer, max_lr, "CyclicLR: max_lr")
        up = _check_factor(step_size_up, "CyclicLR: step_size_up")
        down = up if step_size_down is None else _check_factor(step_size_down, "CyclicLR: "
                                                                "step_size_down")  # fmt: skip
        if up + down == 0:
            raise ValueError("CyclicLR: step_size_up + step_size_down must be > 0")
        self.total_size, self.step_ratio = up + down, up / (up + down)
        if scale_fn is None and mode not in ("triangular", "triangular2", "exp_range"):
            raise ValueError(
                "CyclicLR: mode must be 'triangular', 'triangular2' or 'exp_range' (or give "
                f"scale_fn), got {mode!r}"
            )
        if scale_fn is not None and not callable(scale_fn):
            raise TypeError(f"CyclicLR: scale_fn must be a function, got {scale_fn!r}")
        if scale_mode not in ("cycle", "iterations"):
            raise ValueError(f"CyclicLR: scale_mode must be 'cycle' or 'iterations', got "
                             f"{scale_mode!r}")  # fmt: skip
        self.mode, self.gamma = mode, _check_factor(gamma, "CyclicLR: gamma")
        self._scale_fn_custom = scale_fn
        self.scale_mode = scale_mode
        if scale_fn is None:
            self.scale_mode = "iterations" if mode == "exp_range" else "cycle"
        if last_epoch == -1:
            for group, lr in zip(optimizer.param_groups, base_lrs):
                group["lr"] = lr
        self.cycle_momentum = bool(cycle_momentum)
        if self.cycle_momentum:
            self._init_momentum(base_momentum, max_momentum, last_epoch)
        super().__init__(optimizer, last_epoch)
        self.base_lrs = base_lrs

    def scale_fn(self, x: float) -> float:
        """The height's scale at cycle or iteration x."""
        if self._scale_fn_custom is not None:
            return self._scale_fn_custom(x)
        if self.mode == "triangular":
            return 1.0
        if self.mode == "triangular2":
            return 1 / (2.0 ** (x - 1))
        return self.gamma**x

    def get_lr(self) -> list[float]:
        cycle = math.floor(1 + self.last_epoch / self.total_size)
        x = 1.0 + self.last_epoch / self.total_size - cycle  # the position in the cycle
        if x <= self.step_ratio:
            height = x / self.step_ratio
        else:
            height = (x - 1) / (self.step_ratio - 1)
        scale = self.scale_fn(cycle if self.scale_mode == "cycle" else self.last_epoch)
        lrs = [b + (m - b) * height * scale for b, m in zip(self.base_lrs, self.max_lrs)]
        if self.cycle_momentum:
            self._momentums = [
                m - (m - b) * height * scale
                for b, m in zip(self.base_momentums, self.max_momentums)
            ]
        return lrs

    def state_dict(self) -> dict[str, Any]:
        """As the base's, without `scale_fn` (code, not state)."""
        state = super().state_dict()
        state.pop("_scale_fn_custom", None)
        return state


class OneCycleLR(_CyclesMomentum):
    """The 1cycle policy (Smith and Topin): over total_steps (or epochs * steps_per_epoch)
    steps the rate anneals from max_lr / div_factor up to max_lr during the first pct_start
    of the steps, then down to max_lr / (div_factor * final_div_factor); with three_phase,
    up, back down to the start, then to the minimum. Annealing is by half a cosine ("cos")
    or linear; the momentum goes the other way, between max_momentum and base_momentum.
    Stepping past total_steps is an error. (At step total_steps itself, one past the
    schedule, a linear anneal holds its final values: PyTorch's extrapolates to a negative
    rate.)"""

    def __init__(
        self,
        optimizer: Optimizer,
        max_lr: float | list[float],
        total_steps: int | None = None,
        epochs: int | None = None,
        steps_per_epoch: int | None = None,
        pct_start: float = 0.3,
        anneal_strategy: str = "cos",
        cycle_momentum: bool = True,
        base_momentum: float | list[float] = 0.85,
        max_momentum: float | list[float] = 0.95,
        div_factor: float = 25.0,
        final_div_factor: float = 1e4,
        three_phase: bool = False,
        last_epoch: int = -1,
    ) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"OneCycleLR: {type(optimizer).__name__} is not an Optimizer")
        self.optimizer = optimizer
        if total_steps is not None:
            self.total_steps = _check_int(total_steps, "OneCycleLR: total_steps")
        elif epochs is not None and steps_per_epoch is not None:
            self.total_steps = _check_int(epochs, "OneCycleLR: epochs") * _check_int(
                steps_per_epoch, "OneCycleLR: steps_per_epoch"
            )
        else:
            raise ValueError("OneCycleLR: give total_steps, or epochs and steps_per_epoch")
        pct = _check_unit(pct_start, "OneCycleLR: pct_start")
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(
                f"OneCycleLR: anneal_strategy must be 'cos' or 'linear', got {anneal_strategy!r}"
            )
        self.anneal_strategy = anneal_strategy
        n = self.total_steps
        ends = [pct * n - 1, 2 * pct * n - 2, n - 1] if three_phase else [pct * n - 1, n - 1]
        lrs = ["initial_lr", "max_lr", "initial_lr", "min_lr"] if three_phase else [
            "initial_lr", "max_lr", "min_lr"]  # fmt: skip
        moms = ["max_momentum", "base_momentum", "max_momentum", "max_momentum"]
        self._schedule_phases = [
            {"end_step": float(e), "start_lr": lrs[i], "end_lr": lrs[i + 1],
             "start_momentum": moms[i], "end_momentum": moms[i + 1]}
            for i, e in enumerate(ends)
        ]  # fmt: skip
        max_lrs = _per_group(optimizer, max_lr, "OneCycleLR: max_lr")
        div = _check_factor(div_factor, "OneCycleLR: div_factor")
        final_div = _check_factor(final_div_factor, "OneCycleLR: final_div_factor")
        if div == 0 or final_div == 0:
            raise ValueError("OneCycleLR: div_factor and final_div_factor must be > 0")
        if last_epoch == -1:
            for group, m in zip(optimizer.param_groups, max_lrs):
                group["initial_lr"] = m / div
                group["max_lr"] = m
                group["min_lr"] = group["initial_lr"] / final_div
        self.cycle_momentum = bool(cycle_momentum)
        if self.cycle_momentum:
            self._init_momentum(base_momentum, max_momentum, last_epoch)
        super().__init__(optimizer, last_epoch)

    def _anneal(self, start: float, end: float, pct: float) -> float:
        if self.anneal_strategy == "cos":
            return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)
        return (end - start) * pct + start

    def get_lr(self) -> list[float]:
        step = self.last_epoch
        if step > self.total_steps:
            raise ValueError(
                f"OneCycleLR: tried to step {step} times, but total_steps is {self.total_steps}"
            )
        phases = self._schedule_phases
        start = 0.0
        for i, phase in enumerate(phases):
            end = phase["end_step"]
            if step <= end or i == len(phases) - 1:
                break
            start = end
        if end == start:
            raise ValueError(
                f"OneCycleLR: phase {i} of the schedule is empty (it starts and ends at step "
                f"{end}); choose another pct_start for total_steps={self.total_steps}"
            )
        pct = (step - start) / (end - start)
        if self.anneal_strategy == "linear":
            pct = min(pct, 1.0)  # PyTorch extrapolates at step total_steps, to a rate < 0
        groups = self.optimizer.param_groups
        lrs = [self._anneal(g[phase["start_lr"]], g[phase["end_lr"]], pct) for g in groups]
        if self.cycle_momentum:
            self._momentums = [
                self._anneal(g[phase["start_momentum"]], g[phase["end_momentum"]], pct)
                for g in groups
            ]
        return lrs
