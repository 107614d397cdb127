"""PyTorch's Tensor methods for diagonals, triangles, rolling, splitting, selecting and taking."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..tensor import Tensor  # noqa: F401

__all__ = ["TorchShape"]


class TorchShape:
    """Mixin of `Tensor`: diagonals, triangles, rolling, splitting, selecting, taking."""

    __slots__ = ()  # Tensor keeps __slots__: no instance __dict__ comes from here
