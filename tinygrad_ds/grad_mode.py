"""Grad mode: whether operations record the graph (`no_grad`, `enable_grad`)."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["no_grad", "enable_grad", "is_grad_enabled", "set_grad_enabled"]

enabled: bool = True
"""Read by `Function.apply` on every operation; change it only through the helpers below."""

anomaly_mode: Any = None
"""None, or while `td.autograd.detect_anomaly` is on the object that records each new node's
creation stack and checks each backward's gradients for NaN (autograd_api/modes.py)."""

F = TypeVar("F", bound=Callable[..., Any])


def is_grad_enabled() -> bool:
    """True when operations are being recorded for backward."""
    return enabled


class _GradMode:
    """Context manager (and decorator) that sets grad mode to `mode` on entry and restores the
    previous mode on exit."""

    def __init__(self, mode: bool) -> None:
        self.mode = bool(mode)
        self.prev: list[bool] = []

    def __enter__(self) -> None:
        global enabled
        self.prev.append(enabled)
        enabled = self.mode

    def __exit__(self, *exc: object) -> None:
        global enabled
        enabled = self.prev.pop()

    def __call__(self, fn: F) -> F:
        mode = self.mode
        if inspect.isgeneratorfunction(fn):  # as PyTorch: the mode holds in each of its steps
            return _in_mode_each_step(fn, mode)  # type: ignore[return-value]

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with _GradMode(mode):
                return fn(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


def _in_mode_each_step(fn: Callable[..., Any], mode: bool) -> Callable[..., Any]:
    """A generator function whose every step (up to each `yield`) runs in grad mode `mode`,
    while the code between its steps keeps its own; values and exceptions sent in reach it."""

    @functools.wraps(fn)
    def generator(*args: Any, **kwargs: Any) -> Any:
        steps = fn(*args, **kwargs)
        sent, thrown = None, None
        while True:
            try:
                with _GradMode(mode):
                    item = steps.send(sent) if thrown is None else steps.throw(thrown)
            except StopIteration as stop:
                return stop.value
            sent, thrown = None, None
            try:
                sent = yield item
            except GeneratorExit:
                steps.close()
                raise
            except BaseException as error:  # thrown into this generator: passed on
                thrown = error

    return generator


class set_grad_enabled(_GradMode):
    """Set grad mode to `mode`, as PyTorch's: at once when called (`set_grad_enabled(False)`
    turns recording off until it is turned back on); as a context manager or a decorator, only
    inside, and the previous mode is restored after."""

    def __init__(self, mode: bool = True) -> None:
        global enabled
        super().__init__(mode)
        self.before = enabled
        enabled = self.mode

    def __enter__(self) -> None:  # the mode was set by the call; restore what came before it
        self.prev.append(self.before)

    def __call__(self, fn: F) -> F:  # a decorator: the call itself changes nothing
        global enabled
        enabled = self.before
        return super().__call__(fn)


class no_grad(_GradMode):
    """`with no_grad():` (or `@no_grad()` / `@no_grad`) runs operations without recording."""

    def __new__(cls, fn: Any = None) -> Any:
        if fn is not None:  # used bare, as `@no_grad`
            return _GradMode(False)(fn)
        return super().__new__(cls)

    def __init__(self, fn: Any = None) -> None:
        super().__init__(False)


class enable_grad(_GradMode):
    """`with enable_grad():` (or `@enable_grad()` / `@enable_grad`) records the graph again
    inside a `no_grad` block."""

    def __new__(cls, fn: Any = None) -> Any:
        if fn is not None:
            return _GradMode(True)(fn)
        return super().__new__(cls)

    def __init__(self, fn: Any = None) -> None:
        super().__init__(True)
