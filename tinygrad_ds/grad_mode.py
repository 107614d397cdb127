"""Grad mode: whether operations record the graph (`no_grad`, `enable_grad`)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["no_grad", "enable_grad", "is_grad_enabled", "set_grad_enabled"]

enabled: bool = True
"""Read by `Function.apply` on every operation; change it only through the helpers below."""

F = TypeVar("F", bound=Callable[..., Any])


def is_grad_enabled() -> bool:
    """True when operations are being recorded for backward."""
    return enabled


class set_grad_enabled:
    """Context manager (and decorator) that sets grad mode to `mode` and restores it on exit."""

    def __init__(self, mode: bool = True) -> None:
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
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with set_grad_enabled(self.mode):
                return fn(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


class no_grad(set_grad_enabled):
    """`with no_grad():` (or `@no_grad()` / `@no_grad`) runs operations without recording."""

    def __new__(cls, fn: Any = None) -> Any:
        if fn is not None:  # used bare, as `@no_grad`
            return set_grad_enabled(False)(fn)
        return super().__new__(cls)

    def __init__(self, fn: Any = None) -> None:
        super().__init__(False)


class enable_grad(set_grad_enabled):
    """`with enable_grad():` (or `@enable_grad()` / `@enable_grad`) records the graph again
    inside a `no_grad` block."""

    def __new__(cls, fn: Any = None) -> Any:
        if fn is not None:
            return set_grad_enabled(True)(fn)
        return super().__new__(cls)

    def __init__(self, fn: Any = None) -> None:
        super().__init__(True)
