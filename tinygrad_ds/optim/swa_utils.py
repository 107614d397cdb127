"""Weight averaging, as PyTorch's `torch.optim.swa_utils`: `AveragedModel` keeps a running
average of a model's parameters (SWA, Izmailov et al. 2018: the equal-weight mean of the
iterates; or an exponential moving average, EMA), `SWALR` anneals the learning rate to a
constant for the averaging phase, and `update_bn` recomputes BatchNorm statistics for the
averaged weights.

    swa_model = AveragedModel(model)
    swa_scheduler = SWALR(optimizer, swa_lr=0.05)
    for epoch in range(epochs):
        train_one_epoch(model, optimizer)
        if epoch >= swa_start:
            swa_model.update_parameters(model)
            swa_scheduler.step()
    update_bn(loader, swa_model)
"""

from __future__ import annotations

import copy
import itertools
import math
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from ..grad_mode import no_grad
from ..nn.module import Module
from ..nn.normalization import BatchNorm1d
from ..tensor import Tensor
from .lr_scheduler.base import LRScheduler, _check_int, _per_group
from .optimizer import Optimizer

__all__ = [
    "AveragedModel", "SWALR", "update_bn", "get_ema_multi_avg_fn", "get_swa_multi_avg_fn",
    "get_ema_avg_fn", "get_swa_avg_fn",
]  # fmt: skip

AvgFn = Callable[[Tensor, Tensor, Any], Tensor]
MultiAvgFn = Callable[[list[Tensor], list[Tensor], Any], None]


def _count(num_averaged: Any) -> int:
    """The number of models averaged so far, as an int (it may come as a 0-d Tensor)."""
    return int(num_averaged.item()) if isinstance(num_averaged, Tensor) else int(num_averaged)


def _store(target: Tensor, value: Tensor) -> None:
    """target <- value in place, cast to target's dtype (an integer buffer truncates, as
    PyTorch's copy_ does)."""
    array = np.asarray(value.data if isinstance(value, Tensor) else value)
    target.copy_(Tensor._make(array.astype(target.dtype, copy=False), None))


def _check_decay(decay: Any) -> float:
    if isinstance(decay, bool) or not isinstance(decay, (int, float, np.number)):
        raise TypeError(f"get_ema_avg_fn: decay must be a number in [0, 1], got {decay!r}")
    if not 0.0 <= decay <= 1.0:
        raise ValueError(f"get_ema_avg_fn: invalid decay {decay}; expected a value in [0, 1]")
    return float(decay)


def get_ema_avg_fn(decay: float = 0.999) -> AvgFn:
    """The exponential moving average of one parameter, for `AveragedModel(avg_fn=...)`:
    W_ema <- decay W_ema + (1 - decay) W_model (the first average is the model's copy)."""
    decay = _check_decay(decay)

    def ema_update(ema_param: Tensor, current_param: Tensor, num_averaged: Any) -> Tensor:
        with no_grad():
            return decay * ema_param + (1 - decay) * current_param

    return ema_update


def get_swa_avg_fn() -> AvgFn:
    """The equal-weight (SWA) average of one parameter after n models:
    W_avg <- W_avg + (W_model - W_avg) / (n + 1)."""

    def swa_update(averaged_param: Tensor, current_param: Tensor, num_averaged: Any) -> Tensor:
        with no_grad():
            return averaged_param + (current_param - averaged_param) / (_count(num_averaged) + 1)

    return swa_update


def get_ema_multi_avg_fn(decay: float = 0.999) -> MultiAvgFn:
    """`get_ema_avg_fn`'s average applied in place to lists of parameters, for
    `AveragedModel(multi_avg_fn=...)`."""
    one = get_ema_avg_fn(decay)

    def ema_update(ema_params: list[Tensor], current_params: list[Tensor], num_averaged: Any):
        for p_ema, p_model in zip(ema_params, current_params, strict=True):
            _store(p_ema, one(p_ema, p_model, num_averaged))

    return ema_update


def get_swa_multi_avg_fn() -> MultiAvgFn:
    """`get_swa_avg_fn`'s average applied in place to lists of parameters."""
    one = get_swa_avg_fn()

    def swa_update(averaged: list[Tensor], current: list[Tensor], num_averaged: Any) -> None:
        for p_avg, p_model in zip(averaged, current, strict=True):
            _store(p_avg, one(p_avg, p_model, num_averaged))

    return swa_update


class AveragedModel(Module):
    """A copy of `model` (`module`, made by deepcopy) whose parameters are a running average of
    `model`'s, as PyTorch's: `update_parameters(model)` copies them the first time, then
    averages them in with `avg_fn(averaged, current, n_averaged)` (one tensor at a time, its
    result stored) or `multi_avg_fn(averaged_list, current_list, n_averaged)` (in place, called
    once per dtype); neither given: the equal-weight SWA mean. `n_averaged` (an int64 buffer)
    counts the updates. With `use_buffers=True` the buffers (BatchNorm's running statistics)
    are averaged as the parameters; otherwise they are copied from `model` at each update.
    Calling it runs `module`. `device` may be None or "cpu" (everything lives on the CPU).
    """

    def __init__(
        self,
        model: Module,
        device: Any = None,
        avg_fn: AvgFn | None = None,
        multi_avg_fn: MultiAvgFn | None = None,
        use_buffers: bool = False,
    ) -> None:
        super().__init__()
        if not isinstance(model, Module):
            raise TypeError(f"AveragedModel: model must be an nn.Module, got {type(model)}")
        if avg_fn is not None and multi_avg_fn is not None:
            raise ValueError("AveragedModel: give only one of avg_fn and multi_avg_fn")
        for name, fn in (("avg_fn", avg_fn), ("multi_avg_fn", multi_avg_fn)):
            if fn is not None and not callable(fn):
                raise TypeError(f"AveragedModel: {name} must be callable, got {fn!r:.60}")
        self.module = copy.deepcopy(model)
        if device is not None:
            self.module.to(device)
        self.register_buffer("n_averaged", Tensor(np.array(0, dtype=np.int64)))
        self.avg_fn = avg_fn
        self.multi_avg_fn = multi_avg_fn
        self.use_buffers = bool(use_buffers)

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        return self.module(*args, **kwargs)

    def _tensors(self, model: Module) -> list[Tensor]:
        if self.use_buffers:
            return list(itertools.chain(model.parameters(), model.buffers()))
        return list(model.parameters())

    def update_parameters(self, model: Module) -> None:
        """Average `model`'s current parameters (and buffers, with `use_buffers`) into this
        model's, then count one more model averaged."""
        mine, theirs = self._tensors(self.module), self._tensors(model)
        if len(mine) != len(theirs):
            raise ValueError(
                f"AveragedModel.update_parameters: the model has {len(theirs)} parameters"
                f"{' and buffers' if self.use_buffers else ''}, the averaged one {len(mine)}"
            )
        for i, (a, b) in enumerate(zip(mine, theirs)):
            if a.shape != b.shape:
                raise ValueError(
                    f"AveragedModel.update_parameters: tensor {i} has shape {b.shape} in the "
                    f"model, {a.shape} in the averaged one"
                )
        averaged = [p.detach() for p in mine]
        current = [p.detach() for p in theirs]
        n = self.n_averaged
        with no_grad():
            if _count(n) == 0:
                for a, b in zip(averaged, current):
                    _store(a, b)
            elif self.avg_fn is not None:
                for a, b in zip(averaged, current):
                    _store(a, self.avg_fn(a, b, n))
            else:
                multi = self.multi_avg_fn or get_swa_multi_avg_fn()
                by_dtype: dict[np.dtype, tuple[list[Tensor], list[Tensor]]] = {}
                for a, b in zip(averaged, current):
                    pair = by_dtype.setdefault(a.dtype, ([], []))
                    pair[0].append(a)
                    pair[1].append(b)
                for group_averaged, group_current in by_dtype.values():
                    multi(group_averaged, group_current, n)
            if not self.use_buffers:  # keep the buffers in step with the model's
                for a, b in zip(self.module.buffers(), model.buffers(), strict=True):
                    _store(a, b.detach())
            self.n_averaged.add_(1)


def update_bn(loader: Iterable[Any], model: Module, device: Any = None) -> None:
    """Recompute the running statistics of every BatchNorm layer in `model` from one pass over
    `loader`, as PyTorch's: the statistics are reset, then each layer keeps the cumulative
    average of its batch statistics (momentum None) over the batches (a batch is a Tensor,
    or a list or tuple whose first element is the model's input). Each layer's momentum and
    the model's training mode are restored afterwards."""
    if not isinstance(model, Module):
        raise TypeError(f"update_bn: model must be an nn.Module, got {type(model).__name__}")
    momenta = {}
    for module in model.modules():
        if isinstance(module, BatchNorm1d):  # (BatchNorm2d is one)
            module.reset_running_stats()
            momenta[module] = module.momentum
    if not momenta:
        return
    was_training = model.training
    model.train()
    for module in momenta:
        module.momentum = None
    try:
        with no_grad():
            for batch in loader:
                if isinstance(batch, (list, tuple)):
                    batch = batch[0]
                if device is not None:
                    batch = batch.to(device)
                model(batch)
    finally:
        for module, momentum in momenta.items():
            module.momentum = momentum
        model.train(was_training)


def _linear_anneal(t: float) -> float:
    return t


def _cosine_anneal(t: float) -> float:
    return (1 - math.cos(math.pi * t)) / 2


class SWALR(LRScheduler):
    """Anneal each group's learning rate from its current value to `swa_lr` (one value, or one
    per group, stored as group["swa_lr"]) over `anneal_epochs` steps, then hold it there, as
    PyTorch's. At step s, with alpha(t) = t ("linear") or (1 - cos(pi t)) / 2 ("cos") and
    t = min(1, s / max(1, anneal_epochs)): lr = swa_lr alpha(t) + lr_0 (1 - alpha(t)), where
    lr_0 is recovered from the current rate (so that another schedule may run before it).
    """

    def __init__(
        self,
        optimizer: Optimizer,
        swa_lr: float | list[float],
        anneal_epochs: int = 10,
        anneal_strategy: str = "cos",
        last_epoch: int = -1,
    ) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"SWALR: {type(optimizer).__name__} is not an Optimizer")
        swa_lrs = _per_group(optimizer, swa_lr, "SWALR: swa_lr")
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(
                f"SWALR: anneal_strategy must be 'cos' or 'linear', got {anneal_strategy!r}"
            )
        self.anneal_epochs = _check_int(anneal_epochs, "SWALR: anneal_epochs", low=0)
        self._set_anneal_func(anneal_strategy)
        for lr, group in zip(swa_lrs, optimizer.param_groups):
            group["swa_lr"] = lr
        super().__init__(optimizer, last_epoch)

    def _set_anneal_func(self, anneal_strategy: str) -> None:
        self._anneal_strategy = anneal_strategy
        self.anneal_func = _cosine_anneal if anneal_strategy == "cos" else _linear_anneal

    @staticmethod
    def _get_initial_lr(lr: float, swa_lr: float, alpha: float) -> float:
        """lr_0 such that lr = swa_lr alpha + lr_0 (1 - alpha)."""
        return swa_lr if alpha == 1 else (lr - alpha * swa_lr) / (1 - alpha)

    def get_lr(self) -> list[float]:
        step = self._step_count - 1
        if self.anneal_epochs == 0:
            step = max(1, step)
        span = max(1, self.anneal_epochs)
        prev_alpha = self.anneal_func(max(0.0, min(1.0, (step - 1) / span)))
        alpha = self.anneal_func(max(0.0, min(1.0, step / span)))
        lrs = []
        for group in self.optimizer.param_groups:
            lr_0 = self._get_initial_lr(group["lr"], group["swa_lr"], prev_alpha)
            lrs.append(group["swa_lr"] * alpha + lr_0 * (1 - alpha))
        return lrs

    def state_dict(self) -> dict[str, Any]:
        """As the base's, without the annealing function (restored from its name)."""
        return {k: v for k, v in super().state_dict().items() if k != "anneal_func"}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        super().load_state_dict({k: v for k, v in state_dict.items() if k != "anneal_func"})
        self._set_anneal_func(self._anneal_strategy)
