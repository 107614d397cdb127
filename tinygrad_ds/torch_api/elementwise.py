"""PyTorch's Tensor methods for more elementwise math, predicates and logical operations."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..tensor import Tensor  # noqa: F401

__all__ = ["TorchElementwise"]


class TorchElementwise:
    """Mixin of `Tensor`: more elementwise math, predicates and logical operations, composed."""

    __slots__ = ()  # Tensor keeps __slots__: no instance __dict__ comes from here

    # -- the error function

    def erf(self) -> Tensor:
        """erf x = 2/sqrt(pi) int_0^x e^(-t^2) dt, to a few ulps (ops/special.py);
        d/dx = 2/sqrt(pi) e^(-x^2). Integers become the default float dtype."""
        from ..ops.special import Erf

        return Erf.apply(self._float())

    def erfc(self) -> Tensor:
        """erfc x = 1 - erf x, accurate in the tail too (erfc 10 = 2.1e-45, not 0);
        d/dx = -2/sqrt(pi) e^(-x^2)."""
        from ..ops.special import Erfc

        return Erfc.apply(self._float())

    def erfinv(self) -> Tensor:
        """The inverse of erf on [-1, 1] (+-inf at +-1, NaN outside);
        d/dy = sqrt(pi)/2 e^(erfinv(y)^2)."""
        from ..ops.special import Erfinv

        return Erfinv.apply(self._float())
