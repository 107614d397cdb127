"""More of PyTorch's Tensor methods, each composed from Tensor methods (the rules of
names.py): gathering, flipping, sorting, matrix products, norms and the `new_*` factories.

`Tensor` inherits them from the mixin `TorchMore`, beside `TorchNames`. None is a new
primitive: `gather` is one advanced index (`x[...]`), so its gradient is the indexing's (a
scatter that adds up repeats); `sort` and `topk` are a `gather` with NumPy's argsort; `flip`
is a slice with negative steps; `norm` is `abs`, `sum`, `max` and `where`.

tensor.py imports this module before it defines `Tensor`, so the names
needed from there are imported inside the methods that use them.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from numbers import Real
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from ..dtypes import resolve_dtype
from .shape import _int

if TYPE_CHECKING:
    from ..tensor import Tensor

__all__ = ["TorchMore", "ValuesIndices"]


class ValuesIndices(NamedTuple):
    """What `sort`, `topk`, `median` and `nanmedian` with a dim, `kthvalue`, `mode`,
    `cummax`, `cummin`, and `td.max` / `td.min` with a dim return, as PyTorch's
    `torch.return_types`: the values (differentiable) and their int64 positions along the dim
    (no gradient). It unpacks as a pair: `values, indices = x.sort()`."""

    values: Tensor
    indices: Tensor


def _argsort(data: np.ndarray, axis: int, descending: bool) -> np.ndarray:
    """The stable argsort of `data` along `axis` (int64): equal elements keep their order,
    in either direction. NaN sorts as the largest value, as in PyTorch. Descending is the
    ascending argsort of the reversed data, reversed and mapped back to the original positions:
    reversing twice puts equal elements in their original order again."""
    if not descending:
        return np.argsort(data, axis=axis, kind="stable").astype(np.int64, copy=False)
    backwards = np.argsort(np.flip(data, axis), axis=axis, kind="stable")
    return (data.shape[axis] - 1 - np.flip(backwards, axis)).astype(np.int64, copy=False)


def _norm_order(p: Any) -> float:
    """`norm`'s p as a float: "fro" is 2; a number must be positive, 0, inf or -inf."""
    if isinstance(p, str):
        if p == "fro":
            return 2.0
        raise ValueError(
            f"norm: p must be 'fro' or a positive number (or inf, -inf), got {p!r}"
            + (" (the nuclear norm is not supported)" if p == "nuc" else "")
        )
    if isinstance(p, (bool, np.bool_)) or not isinstance(p, Real):
        raise TypeError(f"norm: p must be a number or 'fro', got {p!r} ({type(p).__name__})")
    p = float(p)
    if not (p >= 0 or p == -math.inf):  # (NaN fails p >= 0)
        raise ValueError(f"norm: p must be positive (or 0, inf, -inf), got {p}")
    return p


def _matmul_shapes(a: Tensor, b: Tensor, what: str, ndim: int) -> None:
    """Check `mm` (ndim 2) and `bmm` (ndim 3) operands; the error names `what` and the shapes."""
    noun = "matrices (2-D)" if ndim == 2 else "batches of matrices (3-D)"
    if a.ndim != ndim or b.ndim != ndim:
        problem = f"expects two {noun}"
    elif ndim == 3 and a.shape[0] != b.shape[0]:
        problem = f"the batch sizes differ ({a.shape[0]} and {b.shape[0]})"
    elif a.shape[-1] != b.shape[-2]:
        problem = f"the inner sizes differ ({a.shape[-1]} and {b.shape[-2]})"
    else:
        return
    raise ValueError(f"{what}: {problem}, got shapes {a.shape} and {b.shape}")


def _zero_at_zero(x: Tensor, fn: Callable[[Tensor], Tensor]) -> Tensor:
    """fn(x) where x > 0 and 0 where x = 0, with a gradient of 0 there: fn sees 1 in place of
    each 0, so a root or power whose derivative is infinite at 0 never meets it (the outer
    `where` sends that branch no gradient, and 0 * inf would be NaN)."""
    from ..functions import where

    nonzero = x > 0
    return where(nonzero, fn(where(nonzero, x, 1)), 0)


class TorchMore:
    """Mixin of `Tensor`: more of PyTorch's methods, composed."""

    __slots__ = ()  # Tensor keeps __slots__: no instance __dict__ comes from here

    # -- indexing and reordering ---------------------------------------------------------

    def gather(self, dim: int, index: Any) -> Tensor:
        """Values picked along `dim` by `index`: for 3-D and dim = 0,
        out[i][j][k] = self[index[i][j][k]][j][k] (dim 1 replaces j, dim 2 replaces k).

        `index` is an integer Tensor or array-like with self's number of dims, no longer than
        self along any dim but `dim`, with values in [0, self.shape[dim]) (negative ones are
        refused, as in PyTorch); the result has index's shape. Composed as one advanced index,
        `self[i0, ..., index, ...]` with broadcast aranges for the other dims, so the gradient
        of a gathered element goes back to where it came from, summed over repeats."""
        from ..tensor import Tensor, _axis1, _check_0d_axis

        idx = index.data if isinstance(index, Tensor) else np.asarray(index)
        if idx.dtype.kind not in "iu":
            raise TypeError(f"gather: the index must hold integers, not {idx.dtype}")
        if self.ndim == 0:  # as in PyTorch: a 0-d tensor is one value along dim 0 (or -1)
            _check_0d_axis(dim, "gather")
            if idx.ndim > 1:
                raise ValueError(
                    f"gather: the index of a 0-d tensor must be 0-d or 1-D, got shape {idx.shape}"
                )
            return self.reshape(1).gather(0, idx.reshape(-1)).reshape(idx.shape)
        axis = _axis1(dim, self.ndim, "gather")
        if idx.ndim != self.ndim:
            raise ValueError(
                f"gather: the index must have as many dims as the tensor, got index shape "
                f"{idx.shape} for a tensor of shape {self.shape}"
            )
        for d, (m, n) in enumerate(zip(idx.shape, self.shape)):
            if d != axis and m > n:
                raise ValueError(
                    f"gather: index shape {idx.shape} is larger than the tensor's shape "
                    f"{self.shape} at dim {d} (only dim {axis}, the gathered one, may be larger)"
                )
        n = self.shape[axis]
        if idx.size and (idx.min() < 0 or idx.max() >= n):
            bad = idx.min() if idx.min() < 0 else idx.max()
            raise IndexError(
                f"gather: index {bad} is out of range for dim {axis} of size {n} (shape "
                f"{self.shape}); indices must be in [0, {n})"
            )
        # np.ogrid-style: an arange along each dim, of length 1 along the others
        grid = [np.arange(m).reshape([-1 if e == d else 1 for e in range(idx.ndim)])
                for d, m in enumerate(idx.shape)]  # fmt: skip
        grid[axis] = idx.astype(np.intp, copy=False)
        return self[tuple(grid)]

    def flip(self, *dims: Any) -> Tensor:
        """The elements in reverse order along each of `dims`: `x.flip(0)`, `x.flip(0, 1)` or
        `x.flip((0, 1))` (negative dims count from the end). A copy, as PyTorch's (so that an
        in-place change of the result leaves self alone), of self sliced with step -1; the
        gradient is flipped back."""
        from ..tensor import _axes

        if not dims:
            raise TypeError("flip: give the dims to flip, as flip(0), flip(0, 1) or flip((0, 1))")
        if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
            dims = tuple(dims[0])
        axes = _axes(dims, None, self.ndim, "flip")
        return self[
            tuple(slice(None, None, -1 if d in axes else 1) for d in range(self.ndim))
        ].clone()

    def sort(
        self, dim: int = -1, descending: bool = False, *, stable: bool = False
    ) -> ValuesIndices:
        """(values, indices): self's values in order along `dim` (ascending, or descending)
        and where each came from, so values = self.gather(dim, indices).

        The sort is always stable (NumPy's kind="stable"), whatever `stable` says: equal
        elements keep their original order, in a descending sort too (as PyTorch's
        stable=True). NaN sorts as the largest value. The values are differentiable, through
        `gather`: each one's gradient goes back to its original place; the indices are int64
        constants."""
        from ..tensor import _check_0d_axis, constant

        if self.ndim == 0:  # as in PyTorch: the one value, at index 0
            _check_0d_axis(dim, "sort")
            values, indices = self.reshape(1).sort(0, descending)
            return ValuesIndices(values.reshape(()), indices.reshape(()))
        axis, order = self._order(dim, descending, "sort")
        return ValuesIndices(self.gather(axis, order), constant(order))

    def topk(
        self, k: int, dim: int = -1, largest: bool = True, sorted: bool = True
    ) -> ValuesIndices:
        """(values, indices) of the k largest elements along `dim` (the k smallest with
        largest=False), in sorted order: the first k of `sort(dim, descending=largest)`, so
        ties come in their original order. (PyTorch leaves the order with sorted=False, and
        among ties, unspecified; here it is always this one.) The values are differentiable,
        through `gather`; the indices are int64 constants. 0 <= k <= self.shape[dim]."""
        from ..tensor import _check_0d_axis, constant

        k = _int(k, "topk", "k")
        if self.ndim == 0:  # as in PyTorch: k is 0 or 1 and the result is the one value
            _check_0d_axis(dim, "topk")
            if k not in (0, 1):
                raise ValueError(f"topk: k={k} is out of range for a 0-d tensor (size 1)")
            return self.sort()
        axis, order = self._order(dim, largest, "topk")
        n = self.shape[axis]
        if not 0 <= k <= n:
            raise ValueError(
                f"topk: k={k} is out of range for dim {axis} of size {n} (shape {self.shape}); "
                f"k must be in [0, {n}]"
            )
        first_k = order[(slice(None),) * axis + (slice(0, k),)]
        return ValuesIndices(self.gather(axis, first_k), constant(first_k))

    def _order(self, dim: int, descending: bool, what: str) -> tuple[int, np.ndarray]:
        """The axis of `dim` and the stable argsort of self along it (`what` names the caller)."""
        from ..tensor import _axis1

        axis = _axis1(dim, self.ndim, what)
        return axis, _argsort(self.data, axis, bool(descending))

    # -- matrix products -----------------------------------------------------------------

    def mm(self, other: Any) -> Tensor:
        """self @ other for two matrices: (n, k) @ (k, m) -> (n, m), through `matmul` (its
        gradients: g @ other^T and self^T @ g). No broadcasting: anything else is an error."""
        other = self._operand(other, "mm")
        _matmul_shapes(self, other, "mm", 2)
        return self.matmul(other)

    def bmm(self, other: Any) -> Tensor:
        """A batch of matrix products: (b, n, k) @ (b, k, m) -> (b, n, m), out[i] = self[i] @
        other[i], through `matmul`. The batch sizes must be equal (no broadcasting)."""
        other = self._operand(other, "bmm")
        _matmul_shapes(self, other, "bmm", 3)
        return self.matmul(other)

    # -- norms ---------------------------------------------------------------------------

    def norm(self, p: float | str = "fro", dim: Any = None, keepdim: bool = False) -> Tensor:
        """The p-norm over `dim` (an int, a tuple, or None, or (), for all elements; PyTorch's
        vector norm):

        - p = 2 or "fro": sqrt(sum x^2);  d/dx = x / norm
        - p = 1: sum |x|;  d/dx = sign(x)
        - p = inf: max |x|, p = -inf: min |x|;  the gradient sign(x) goes to the largest
          (smallest) |x|, shared equally among ties
        - any other p > 0: (sum |x|^p)^(1/p);  d/dx = sign(x) |x|^(p-1) / norm^(p-1)
        - p = 0: the number of nonzero elements (NaN counts), a constant, as PyTorch's
          gradient is 0

        Where the norm is 0 (an all-zero input or slice) the gradient is 0, as in PyTorch, not
        NaN: the root is taken of 1 there instead and its result replaced by 0 (`where`), so
        sqrt and power never see the 0 on the differentiated branch; likewise |x|^p takes 1 in
        place of each zero element (whose gradient is then 0, also for p < 1). Only floating
        tensors: PyTorch refuses integer ones."""
        from ..tensor import _axes

        if self.dtype.kind != "f":
            raise TypeError(
                f"norm: expected a floating-point tensor, got {self.dtype} (convert it first, "
                "e.g. x.float())"
            )
        from ..tensor import constant

        p = _norm_order(p)
        axes = _axes(dim, None, self.ndim, "norm") or None  # () is every dim, as in PyTorch
        if p == 0:
            count = np.count_nonzero(self.data, axis=axes, keepdims=keepdim)
            return constant(np.asarray(count, dtype=self.dtype))
        if p == 2:
            return _zero_at_zero((self * self).sum(axes, keepdims=keepdim), lambda s: s.sqrt())
        a = self.abs()
        if p == 1:
            return a.sum(axes, keepdims=keepdim)
        if math.isinf(p):
            try:
                return a.max(axes, keepdim) if p > 0 else a.min(axes, keepdim)
            except ValueError:  # max/min over an empty dim, which has no identity
                raise ValueError(
                    f"norm: the {p} norm of an empty tensor (shape {self.shape}, dim {dim}) "
                    "is undefined: max and min have no identity"
                ) from None
        s = _zero_at_zero(a, lambda v: v**p).sum(axes, keepdims=keepdim)
        return _zero_at_zero(s, lambda v: v ** (1 / p))

    # -- new tensors like self -----------------------------------------------------------

    def new_zeros(self, *size: Any, dtype: Any = None, requires_grad: bool = False,
                  device: Any = None, layout: Any = None,
                  pin_memory: bool = False) -> Tensor:  # fmt: skip
        """Zeros of `size` (varargs or one tuple) with self's dtype (or `dtype`); a new leaf
        that requires grad only when asked. `device` is checked (the CPU only: device.py)."""
        from ..device import check_factory
        from ..tensor import Tensor, _shape_args

        check_factory("new_zeros", device, layout, pin_memory)
        shape = _shape_args(size, "new_zeros")
        return Tensor.zeros(shape, dtype=self._new_dtype(dtype, "new_zeros"),
                            requires_grad=requires_grad)  # fmt: skip

    def new_ones(self, *size: Any, dtype: Any = None, requires_grad: bool = False,
                 device: Any = None, layout: Any = None,
                 pin_memory: bool = False) -> Tensor:  # fmt: skip
        """Ones of `size` (varargs or one tuple) with self's dtype (or `dtype`); a new leaf
        that requires grad only when asked. `device` is checked (the CPU only: device.py)."""
        from ..device import check_factory
        from ..tensor import Tensor, _shape_args

        check_factory("new_ones", device, layout, pin_memory)
        shape = _shape_args(size, "new_ones")
        return Tensor.ones(shape, dtype=self._new_dtype(dtype, "new_ones"),
                           requires_grad=requires_grad)  # fmt: skip

    def new_full(self, size: Any, fill_value: Any, *, dtype: Any = None,
                 requires_grad: bool = False, device: Any = None, layout: Any = None,
                 pin_memory: bool = False) -> Tensor:  # fmt: skip
        """`fill_value` everywhere in a new tensor of `size` (a tuple, or an int), converted to
        self's dtype (or `dtype`): 3.7 in an int64 tensor's new_full is 3, as in PyTorch."""
        from ..device import check_factory
        from ..tensor import Tensor, _shape_args

        check_factory("new_full", device, layout, pin_memory)
        shape = _shape_args((size,), "new_full")
        return Tensor.full(shape, fill_value, dtype=self._new_dtype(dtype, "new_full"),
                           requires_grad=requires_grad)  # fmt: skip

    def new_tensor(self, data: Any, *, dtype: Any = None, requires_grad: bool = False,
                   device: Any = None, pin_memory: bool = False) -> Tensor:  # fmt: skip
        """A new leaf holding a copy of `data` (a Tensor's is copied and cut from its graph),
        converted to self's dtype (or `dtype`), as PyTorch's (where `torch.tensor` would infer
        the dtype from the data instead)."""
        from ..device import check_factory
        from ..tensor import Tensor

        check_factory("new_tensor", device, None, pin_memory)
        return Tensor(data, requires_grad=requires_grad, dtype=self._new_dtype(dtype, "new_tensor"))

    def _new_dtype(self, dtype: Any, what: str) -> np.dtype:
        """The dtype of a `new_*` tensor: self's, unless `dtype` is given."""
        return self.dtype if dtype is None else resolve_dtype(dtype, what)
