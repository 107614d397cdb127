"""PyTorch's Tensor methods for products of vectors and matrices, fused multiply-adds, distances."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..tensor import Tensor  # noqa: F401

__all__ = ["TorchLinalg"]


class TorchLinalg:
    """Mixin of `Tensor`: vector and matrix products, fused multiply-adds, distances."""

    __slots__ = ()  # Tensor keeps __slots__: no instance __dict__ comes from here
