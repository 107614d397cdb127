"""PyTorch's Tensor methods for more elementwise math, predicates and logical operations."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..tensor import Tensor  # noqa: F401

__all__ = ["TorchElementwise"]


class TorchElementwise:
    """Mixin of `Tensor`: more elementwise math, predicates and logical operations, composed."""

    __slots__ = ()  # Tensor keeps __slots__: no instance __dict__ comes from here
