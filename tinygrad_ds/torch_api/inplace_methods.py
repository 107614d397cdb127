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

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from .elementwise import _number

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


def _redrawn(t: Tensor, what: str, draw: Callable[[np.random.Generator], np.ndarray],
             generator: Any = None, floating: bool = True) -> Tensor:  # fmt: skip
    """t <- values drawn from `generator` (a td.Generator) or else the package's generator
    (td.manual_seed), in place; the old value gets a zero gradient, as in PyTorch."""
    from ..inplace import _replaced
    from ..rng import generator as resolve
    from ..tensor import constant

    rng = resolve(generator, what)
    if floating and t.dtype.kind != "f":
        raise TypeError(f"{what}: expects a floating-point tensor, got {t.dtype}")
    values = constant(np.asarray(draw(rng), dtype=t.dtype))
    return written(t, what, lambda a: _replaced(a, values))


class TorchInplace:
    """Mixin of `Tensor`: in-place elementwise, triangle and random filling methods, each
    the out-of-place method written back by `written`."""

    __slots__ = ()  # Tensor keeps __slots__: no instance __dict__ comes from here

    # -- elementwise -----------------------------------------------------------------------

    def exp_(self) -> Tensor:
        """`exp`, in place."""
        return written(self, "exp_", lambda a: a.exp())

    def log_(self) -> Tensor:
        """`log`, in place."""
        return written(self, "log_", lambda a: a.log())

    def sqrt_(self) -> Tensor:
        """`sqrt`, in place."""
        return written(self, "sqrt_", lambda a: a.sqrt())

    def abs_(self) -> Tensor:
        """`abs`, in place."""
        return written(self, "abs_", lambda a: a.abs())

    def neg_(self) -> Tensor:
        """`neg` (-self), in place."""
        return written(self, "neg_", lambda a: -a)

    def reciprocal_(self) -> Tensor:
        """`reciprocal` (1 / self), in place."""
        return written(self, "reciprocal_", lambda a: a.reciprocal())

    def sign_(self) -> Tensor:
        """`sign` (-1, 0 or 1), in place."""
        return written(self, "sign_", lambda a: a.sign())

    def relu_(self) -> Tensor:
        """`relu` (max(self, 0)), in place."""
        return written(self, "relu_", lambda a: a.relu())

    def sigmoid_(self) -> Tensor:
        """`sigmoid`, in place."""
        return written(self, "sigmoid_", lambda a: a.sigmoid())

    def tanh_(self) -> Tensor:
        """`tanh`, in place."""
        return written(self, "tanh_", lambda a: a.tanh())

    def pow_(self, exponent: Any) -> Tensor:
        """self ** exponent (a number or a tensor, which then gets its gradient), in place."""
        return written(self, "pow_", lambda a: a.pow(exponent), exponent)

    def clamp_min_(self, min: Any) -> Tensor:  # noqa: A002
        """`clamp_min` (max(self, min)), in place."""
        return written(self, "clamp_min_", lambda a: a.clamp_min(min), min)

    def clamp_max_(self, max: Any) -> Tensor:  # noqa: A002
        """`clamp_max` (min(self, max)), in place."""
        return written(self, "clamp_max_", lambda a: a.clamp_max(max), max)

    def floor_(self) -> Tensor:
        """`floor`, in place."""
        return written(self, "floor_", lambda a: a.floor())

    def ceil_(self) -> Tensor:
        """`ceil`, in place."""
        return written(self, "ceil_", lambda a: a.ceil())

    def round_(self, *, decimals: int = 0) -> Tensor:
        """`round` (halves to even; to `decimals` places), in place."""
        return written(self, "round_", lambda a: a.round(decimals=decimals))

    def trunc_(self) -> Tensor:
        """`trunc` (towards 0), in place."""
        return written(self, "trunc_", lambda a: a.trunc())

    # -- triangles and diagonals -----------------------------------------------------------

    def tril_(self, diagonal: int = 0) -> Tensor:
        """`tril` (0 above the `diagonal`-th diagonal), in place."""
        return written(self, "tril_", lambda a: a.tril(diagonal))

    def triu_(self, diagonal: int = 0) -> Tensor:
        """`triu` (0 below the `diagonal`-th diagonal), in place."""
        return written(self, "triu_", lambda a: a.triu(diagonal))

    def fill_diagonal_(self, fill_value: Any, wrap: bool = False) -> Tensor:
        """`fill_value` (a number) on the main diagonal self[i, i, ...], in place (NumPy's
        fill_diagonal): self has 2 dims, or more all of one length. With wrap=True a tall
        matrix's diagonal starts again after each N + 1 rows, as in PyTorch."""
        what = "fill_diagonal_"
        if self.ndim < 2:
            raise ValueError(f"{what}: expects a tensor of at least 2 dims, got shape {self.shape}")
        if self.ndim > 2 and len(set(self.shape)) > 1:
            raise ValueError(f"{what}: the dims of a tensor of more than 2 dims must all have "
                             f"one length, got shape {self.shape}")  # fmt: skip
        if not isinstance(fill_value, (bool, np.bool_)):
            _number(fill_value, "fill_value", what)
        on = np.zeros(self.shape, dtype=bool)
        np.fill_diagonal(on, True, wrap=bool(wrap))
        return written(self, what, lambda a: a.masked_fill(on, fill_value))

    # -- random filling (generator=, or td.manual_seed, makes them repeatable) ----------------

    def uniform_(self, a: float = 0.0, b: float = 1.0, *, generator: Any = None) -> Tensor:
        """Samples of U(a, b) in place (a floating tensor; a <= b, both finite)."""
        lo, hi = _number(a, "a", "uniform_"), _number(b, "b", "uniform_")
        if not (math.isfinite(lo) and math.isfinite(hi)):
            raise ValueError(f"uniform_: the bounds must be finite, got a={a}, b={b}")
        if not lo <= hi:
            raise ValueError(f"uniform_: need a <= b, got a={a}, b={b}")
        return _redrawn(self, "uniform_", lambda rng: rng.uniform(lo, hi, self.shape), generator)

    def normal_(self, mean: float = 0.0, std: float = 1.0, *, generator: Any = None) -> Tensor:
        """Samples of N(mean, std^2) in place (a floating tensor; std >= 0)."""
        mu, sigma = _number(mean, "mean", "normal_"), _number(std, "std", "normal_")
        if not sigma >= 0:
            raise ValueError(f"normal_: std must be >= 0, got {std}")
        return _redrawn(self, "normal_", lambda rng: rng.normal(mu, sigma, self.shape), generator)

    def bernoulli_(self, p: Any = 0.5, *, generator: Any = None) -> Tensor:
        """1 with probability p, else 0, in place (in self's dtype, which may be an integer
        one): p is a number or a tensor of probabilities that broadcasts to self's shape, in
        [0, 1]."""
        from ..tensor import Tensor, broadcasts_to

        probs = np.asarray(p.data if isinstance(p, Tensor) else p)
        if probs.dtype.kind not in "biuf" or isinstance(p, (bool, np.bool_)):
            raise TypeError(f"bernoulli_: p must be a number or a tensor, got {p!r}")
        if not broadcasts_to(probs.shape, self.shape):
            raise ValueError(f"bernoulli_: p of shape {probs.shape} does not broadcast to the "
                             f"tensor's shape {self.shape}")  # fmt: skip
        if not np.all((probs >= 0) & (probs <= 1)):  # (NaN fails both)
            bad = probs[~((probs >= 0) & (probs <= 1))].ravel()[0]
            raise ValueError(f"bernoulli_: p must be in [0, 1], got {bad}")
        return _redrawn(self, "bernoulli_", lambda rng: rng.random(self.shape) < probs,
                        generator, floating=False)  # fmt: skip
