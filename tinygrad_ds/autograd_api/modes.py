"""Inference mode and anomaly detection: `td.inference_mode`, `td.autograd.detect_anomaly`.

Inference mode is grad mode off plus a flag (`td.is_inference_mode_enabled()`), as PyTorch's
`torch.inference_mode`; PyTorch's "inference tensors" (which refuse to enter a graph later)
are not modelled: results made inside are ordinary constants.

Anomaly detection costs nothing when off: `Function.apply` and the engine each test one
module-level value (`grad_mode.anomaly_mode`), which is None unless it is on. While on, it is
an `_Anomaly`: every recorded node keeps the user's stack where it was created
(`node.forward_trace`, frames inside tinygrad_ds left out), and after each node's backward the
gradients it produced are checked for NaN; the first one raises a RuntimeError naming the op
and showing that forward traceback, as PyTorch's anomaly mode does.
"""

from __future__ import annotations

import functools
import os
import sys
import traceback
from collections.abc import Callable
from typing import Any

import numpy as np

from .. import grad_mode
from ..tensor import Tensor

__all__ = [
    "inference_mode", "is_inference_mode_enabled", "detect_anomaly", "set_detect_anomaly",
    "is_anomaly_enabled", "is_anomaly_check_nan_enabled",
]  # fmt: skip

_inference = False


def is_inference_mode_enabled() -> bool:
    """True inside `td.inference_mode()`."""
    return _inference


class inference_mode:
    """`with td.inference_mode():` (or `@td.inference_mode()` / `@td.inference_mode`) runs
    without recording, as `no_grad`, and `is_inference_mode_enabled()` is True inside.
    `inference_mode(False)` turns both back: grad mode on, inference mode off (as PyTorch)."""

    def __new__(cls, mode: Any = True) -> Any:
        if callable(mode):  # used bare, as `@td.inference_mode`
            return cls(True)(mode)
        return super().__new__(cls)

    def __init__(self, mode: Any = True) -> None:
        self.mode = bool(mode)
        self.prev: list[tuple[bool, bool]] = []

    def __enter__(self) -> None:
        global _inference
        self.prev.append((grad_mode.enabled, _inference))
        grad_mode.enabled, _inference = not self.mode, self.mode

    def __exit__(self, *exc: object) -> None:
        global _inference
        grad_mode.enabled, _inference = self.prev.pop()

    def __call__(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        mode = self.mode

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with inference_mode(mode):
                return fn(*args, **kwargs)

        return wrapper


_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


class _Anomaly:
    """What `grad_mode.anomaly_mode` holds while anomaly detection is on."""

    def __init__(self, check_nan: bool) -> None:
        self.check_nan = check_nan

    @staticmethod
    def record(node: Any) -> None:
        """Keep the user's frames of the stack that is creating `node` (file, line, code)."""
        frames = traceback.extract_stack(sys._getframe(2))
        user = [f for f in frames if not os.path.abspath(f.filename).startswith(_PACKAGE)]
        node.forward_trace = traceback.StackSummary.from_list(user or frames)  # (all: none)

    def check(self, node: Any, grads: tuple) -> None:
        """Raise if one of the gradients `node`'s backward produced holds a NaN."""
        if not self.check_nan:
            return
        for i, g in enumerate(grads):
            if g is None:
                continue
            data = g.data if isinstance(g, Tensor) else g
            if np.isnan(data).any():
                trace = getattr(node, "forward_trace", None)
                where = (
                    "Traceback of the forward call that created it:\n" + "".join(trace.format())
                    if trace is not None
                    else "(it was created before anomaly detection was turned on)"
                )
                raise RuntimeError(
                    f"Function '{node.name()}' returned nan values in its {i}th output.\n{where}"
                )


def is_anomaly_enabled() -> bool:
    """True while anomaly detection is on."""
    return grad_mode.anomaly_mode is not None


def is_anomaly_check_nan_enabled() -> bool:
    """True while anomaly detection is on and checks backward's gradients for NaN."""
    return grad_mode.anomaly_mode is not None and grad_mode.anomaly_mode.check_nan


def _set(mode: bool, check_nan: bool) -> None:
    grad_mode.anomaly_mode = _Anomaly(bool(check_nan)) if mode else None


class set_detect_anomaly:
    """Turn anomaly detection on or off at once when called (`set_detect_anomaly(True)`); as a
    context manager, only inside, the previous setting restored after."""

    def __init__(self, mode: bool, check_nan: bool = True) -> None:
        self.before = grad_mode.anomaly_mode
        _set(mode, check_nan)

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc: object) -> None:
        grad_mode.anomaly_mode = self.before


class detect_anomaly:
    """`with td.autograd.detect_anomaly():` (or as a decorator): record where every op is
    created, and make a backward that produces NaN raise a RuntimeError naming the op and
    showing the forward traceback. Slow: meant for debugging only."""

    def __init__(self, check_nan: bool = True) -> None:
        self.check_nan = check_nan
        self.prev: list[Any] = []

    def __enter__(self) -> None:
        self.prev.append(grad_mode.anomaly_mode)
        _set(True, self.check_nan)

    def __exit__(self, *exc: object) -> None:
        grad_mode.anomaly_mode = self.prev.pop()

    def __call__(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        check_nan = self.check_nan

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with detect_anomaly(check_nan):
                return fn(*args, **kwargs)

        return wrapper
