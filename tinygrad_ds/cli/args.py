"""Argument parsing for the command line: one-line errors, and the checked value types.

Every bad argument ends the same way: one line on stderr, ``tinygrad-ds <command>: error: ...``,
and exit status 2. argparse's own errors are shortened to that line by `Parser`; problems found
later (a missing IDX file, an unwritable folder) are raised as `UsageError` and `main` prints
them alike.
"""

from __future__ import annotations

import argparse
import math
import sys
from typing import NoReturn

__all__ = [
    "UsageError", "Parser", "positive_int", "nonnegative_int", "positive_float",
    "nonnegative_float", "probability", "int_list", "batch_size",
]  # fmt: skip


class UsageError(Exception):
    """A bad argument found after parsing; `main` prints it on one line and exits with 2."""


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line (no usage block): ``prog: error: message``."""

    def error(self, message: str) -> NoReturn:
        """Print ``prog: error: message (see prog --help)`` on stderr and exit with status 2."""
        sys.stderr.write(f"{self.prog}: error: {message} (see {self.prog} --help)\n")
        raise SystemExit(2)


def _number(text: str, kind: type, what: str) -> float | int:
    try:
        value = kind(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}") from None
    if isinstance(value, float) and not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}")
    return value


def positive_int(text: str) -> int:
    """An int >= 1."""
    value = _number(text, int, "an integer >= 1")
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected an integer >= 1, got {text}")
    return value


def nonnegative_int(text: str) -> int:
    """An int >= 0."""
    value = _number(text, int, "an integer >= 0")
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected an integer >= 0, got {text}")
    return value


def positive_float(text: str) -> float:
    """A finite float > 0 (a learning rate, say)."""
    value = _number(text, float, "a positive number")
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text}")
    return value


def nonnegative_float(text: str) -> float:
    """A finite float >= 0 (a weight decay or a lambda)."""
    value = _number(text, float, "a number >= 0")
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a number >= 0, got {text}")
    return value


def probability(text: str) -> float:
    """A float in [0, 1) (a dropout probability)."""
    value = _number(text, float, "a probability in [0, 1)")
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(f"expected a probability in [0, 1), got {text}")
    return value


def int_list(text: str) -> tuple[int, ...]:
    """Comma-separated positive ints, e.g. ``64,32`` -> (64, 32)."""
    parts = [p.strip() for p in text.split(",")]
    if not parts or any(not p.isdigit() or int(p) < 1 for p in parts):
        raise argparse.ArgumentTypeError(
            f"expected positive integers separated by commas, such as 64,32; got {text!r}"
        )
    return tuple(int(p) for p in parts)


def batch_size(text: str) -> int | str:
    """A batch size: an int >= 1 (1 is stochastic gradient descent) or ``full`` (batch GD)."""
    if text == "full":
        return "full"
    try:
        return positive_int(text)
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(
            f"expected an integer >= 1 or 'full', got {text!r}"
        ) from None
