"""Package-level functions of PyTorch's other names (aliases.py): `td.absolute(x)`,
`td.multiply(a, b)`, `td.greater(a, b)`, `td.eq(a, b)`, `td.inverse(A)`, `td.det(A)`, ...

Each converts its input (a Tensor, an array or a nested list) and calls the Tensor method of
the same name, so errors name the function.
"""

from __future__ import annotations

from typing import Any

from ..functions import _t
from ..linalg import SignLogAbsDet
from ..tensor import Tensor

__all__ = [
    "absolute", "multiply", "subtract", "divide", "negative", "positive", "greater",
    "greater_equal", "less", "less_equal", "not_equal", "eq", "ne", "lt", "le", "gt", "ge",
    "fix", "ger", "inverse", "det", "slogdet",
]  # fmt: skip


def absolute(input: Any) -> Tensor:
    """|input|: `abs`."""
    return _t(input, "absolute").absolute()


def multiply(input: Any, other: Any) -> Tensor:
    """input * other: `mul`."""
    return _t(input, "multiply").multiply(other)


def subtract(input: Any, other: Any, *, alpha: float = 1) -> Tensor:
    """input - alpha * other: `sub`."""
    return _t(input, "subtract").subtract(other, alpha=alpha)


def divide(input: Any, other: Any, *, rounding_mode: str | None = None) -> Tensor:
    """input / other, rounded as `rounding_mode` says (`Tensor.divide`)."""
    return _t(input, "divide").divide(other, rounding_mode=rounding_mode)


def negative(input: Any) -> Tensor:
    """-input: `neg`."""
    return _t(input, "negative").negative()


def positive(input: Any) -> Tensor:
    """input itself (`Tensor.positive`)."""
    return _t(input, "positive").positive()


def eq(input: Any, other: Any) -> Tensor:
    """input == other elementwise (bool)."""
    return _t(input, "eq").eq(other)


def ne(input: Any, other: Any) -> Tensor:
    """input != other elementwise (bool)."""
    return _t(input, "ne").ne(other)


def lt(input: Any, other: Any) -> Tensor:
    """input < other elementwise (bool)."""
    return _t(input, "lt").lt(other)


def le(input: Any, other: Any) -> Tensor:
    """input <= other elementwise (bool)."""
    return _t(input, "le").le(other)


def gt(input: Any, other: Any) -> Tensor:
    """input > other elementwise (bool)."""
    return _t(input, "gt").gt(other)


def ge(input: Any, other: Any) -> Tensor:
    """input >= other elementwise (bool)."""
    return _t(input, "ge").ge(other)


greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne  # PyTorch's aliases


def fix(input: Any) -> Tensor:
    """input rounded towards 0: `trunc`."""
    return _t(input, "fix").fix()


def ger(input: Any, vec2: Any) -> Tensor:
    """The outer product of two 1-D tensors: `outer`."""
    return _t(input, "ger").ger(vec2)


def inverse(input: Any) -> Tensor:
    """The inverse of square matrices: `td.linalg.inv`."""
    return _t(input, "inverse").inverse()


def det(input: Any) -> Tensor:
    """The determinant of square matrices: `td.linalg.det`."""
    return _t(input, "det").det()


def slogdet(input: Any) -> SignLogAbsDet:
    """(sign, log |det|) of square matrices: `td.linalg.slogdet`."""
    return _t(input, "slogdet").slogdet()
