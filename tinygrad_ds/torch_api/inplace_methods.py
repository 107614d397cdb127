"""In-place forms of PyTorch's elementwise and filling methods (`exp_`, `clamp_min_`, `tril_`,
`fill_diagonal_`, `uniform_`, ...): each is its out-of-place method written back into the
tensor by one helper, `written`, through inplace.py's machinery (as `copy_`): recorded for
autograd on a non-leaf tensor (the new value computed from an alias of the old one, so the
graph is right), the version counter moved (so a node that saved the old value is a clear
error at backward), and refused on a leaf that requires grad outside no_grad.

tensor.py imports this module before it defines `Tensor`, so the names needed from there are
imported inside the functions that use them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..tensor import Tensor

__all__ = ["TorchInplace", "written"]


def written(t: Tensor, what: str, fn: Callable[[Tensor], Tensor], other: Any = None) -> Tensor:
    """t <- fn(t), in place (`what` names the method in errors). With a graph to record (t or
    the Tensor `other`, an operand of fn, requires grad) fn is applied to an alias of t's old
    value and node; otherwise to t's data as a constant, and the result written into t's
    memory (a result t's dtype can't hold is a TypeError)."""
    from ..inplace import change
    from ..tensor import Tensor, constant

    other = other if isinstance(other, Tensor) else None
    return change(t, what, fn, lambda data: fn(constant(data)).data, other)


class TorchInplace:
    """Mixin of `Tensor`: in-place elementwise, triangle and random filling methods."""

    __slots__ = ()
