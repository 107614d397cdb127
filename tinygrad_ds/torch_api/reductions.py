"""PyTorch's Tensor methods for products, medians, NaN-ignoring and cumulative reductions."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..tensor import Tensor  # noqa: F401

__all__ = ["TorchReductions"]


class TorchReductions:
    """Mixin of `Tensor`: products, medians, NaN-ignoring and cumulative reductions, composed."""

    __slots__ = ()  # Tensor keeps __slots__: no instance __dict__ comes from here
