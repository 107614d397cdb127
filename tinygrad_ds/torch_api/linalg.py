"""PyTorch's Tensor methods for products of vectors and matrices, fused multiply-adds, distances.

Every one is composed from `matmul`, `*`, `sum`, `reshape` and `permute` (so none needs a
backward of its own, and second derivatives come free): `dot` is a 1-D `matmul`, `outer` a
broadcast product, `kron` a broadcast product of interleaved axes, `tensordot` a `matmul` of
two reshaped permutations, `addmm` and its relatives `beta * input + alpha * (mat1 @ mat2)`,
`cross` three products of slices stacked, `matrix_power` repeated squaring, `dist` and `cdist`
the `norm` of a (broadcast) difference.

The package functions (`td.dot`, `td.tensordot`, `td.cdist`, `td.block_diag`, ...) are in
linalg_functions.py.
"""

from __future__ import annotations

from numbers import Real
from typing import TYPE_CHECKING, Any

import numpy as np

from .shape import _int

if TYPE_CHECKING:
    from ..tensor import Tensor

__all__ = ["TorchLinalg"]


def _coefficient(value: Any, tensors: list[Tensor], name: str, what: str) -> Any:
    """A scale factor (`alpha`, `beta`, `value`): a real number; an int (or bool) when every
    operand is an integer or bool tensor, as PyTorch asks (a float would be truncated)."""
    if isinstance(value, np.generic):
        value = value.item()
    if not isinstance(value, Real):
        raise TypeError(f"{what}: {name} must be a number, got {value!r} ({type(value).__name__})")
    if all(t.dtype.kind in "biu" for t in tensors) and not isinstance(value, int):
        raise TypeError(
            f"{what}: {name}={value!r} must be an int for integer tensors (dtypes "
            f"{', '.join(str(t.dtype) for t in tensors)})"
        )
    return value


def _scaled(x: Tensor, c: Any) -> Tensor:
    """c * x; for c = 0 exactly zeros with a zero gradient, as PyTorch's beta = 0, so that NaN
    and inf in x do not reach the result (0 * NaN would be NaN)."""
    from ..functions import where

    if c == 1:
        return x
    if c == 0:
        return where(np.zeros(x.shape, bool), x, 0)
    return x * c


def _fused(input: Any, product: Tensor, beta: Any, alpha: Any, operands: list[Tensor],
           what: str) -> Tensor:  # fmt: skip
    """beta * input + alpha * product, where `input` broadcasts to the product's shape."""
    from ..tensor import broadcasts_to

    input = product._operand(input, what)
    if not broadcasts_to(input.shape, product.shape):
        shapes = " and ".join(str(t.shape) for t in operands)
        raise ValueError(
            f"{what}: input of shape {input.shape} does not broadcast to the product's shape "
            f"{product.shape} (of {shapes})"
        )
    tensors = [input, *operands]
    beta = _coefficient(beta, tensors, "beta", what)
    alpha = _coefficient(alpha, tensors, "alpha", what)
    return _scaled(input, beta) + _scaled(product, alpha)


def _vectors(a: Tensor, b: Tensor, what: str, same_length: bool = True) -> None:
    """Both 1-D (and of one length): else a ValueError naming `what` and the shapes."""
    if a.ndim != 1 or b.ndim != 1:
        raise ValueError(f"{what}: expects two 1-D tensors, got shapes {a.shape} and {b.shape}")
    if same_length and a.shape != b.shape:
        raise ValueError(f"{what}: the vectors' lengths differ, got shapes {a.shape} and {b.shape}")


def _p_norm(diff: Tensor, p: Any, dim: Any, what: str, keepdim: bool = False) -> Tensor:
    """The p-norm of `diff` over `dim` (`Tensor.norm`, p = 0 included), its errors naming
    `what`."""
    if diff.dtype.kind != "f":
        raise TypeError(f"{what}: expected floating-point tensors, got {diff.dtype}")
    try:
        return diff.norm(p, dim=dim, keepdim=keepdim)
    except (TypeError, ValueError) as e:
        raise type(e)(str(e).replace("norm:", f"{what}:", 1)) from None


class TorchLinalg:
    """Mixin of `Tensor`: vector and matrix products, fused multiply-adds, distances."""

    __slots__ = ()  # Tensor keeps __slots__: no instance __dict__ comes from here

    # -- products of vectors -------------------------------------------------------------

    def dot(self, other: Any) -> Tensor:
        """sum_i x_i y_i of two 1-D tensors of one length (a 0-d result), through `matmul`;
        d/dx = y, d/dy = x."""
        other = self._operand(other, "dot")
        _vectors(self, other, "dot")
        return self.matmul(other)

    def vdot(self, other: Any) -> Tensor:
        """sum_i conj(x_i) y_i: `dot` for real tensors (the only kind here)."""
        other = self._operand(other, "vdot")
        _vectors(self, other, "vdot")
        return self.matmul(other)

    def inner(self, other: Any) -> Tensor:
        """The sum of products over the last dims: out[i.., j..] = sum_k x[i.., k] y[j.., k]
        (np.inner), shape x.shape[:-1] + y.shape[:-1]; a 0-d operand multiplies."""
        from .linalg_functions import tensordot

        other = self._operand(other, "inner")
        if self.ndim == 0 or other.ndim == 0:
            return self * other
        if self.shape[-1] != other.shape[-1]:
            raise ValueError(
                f"inner: the last dims differ ({self.shape[-1]} and {other.shape[-1]}), got "
                f"shapes {self.shape} and {other.shape}"
            )
        return tensordot(self, other, ([-1], [-1]))

    def outer(self, other: Any) -> Tensor:
        """out[i, j] = x_i y_j for 1-D x and y (a broadcast product)."""
        other = self._operand(other, "outer")
        _vectors(self, other, "outer", same_length=False)
        return self.reshape(-1, 1) * other.reshape(1, -1)

    def kron(self, other: Any) -> Tensor:
        """The Kronecker product (np.kron, torch.kron): for shapes a and b (the shorter padded
        with leading 1s) the result has shape a_i * b_i, out[i*b + j] = x[i] * y[j] in each
        dim. Composed as x with axes (a_i, 1), times y with axes (1, b_i), reshaped."""
        x, y = self._operands(other, "kron")
        n = max(x.ndim, y.ndim)
        sa, sb = (1,) * (n - x.ndim) + x.shape, (1,) * (n - y.ndim) + y.shape
        x = x.reshape(tuple(d for s in sa for d in (s, 1)))
        y = y.reshape(tuple(d for s in sb for d in (1, s)))
        return (x * y).reshape(tuple(p * q for p, q in zip(sa, sb)))

    def cross(self, other: Any, dim: int | None = None) -> Tensor:
        """The cross product of 3-vectors along `dim` (the other dims broadcast): (x1 y2 - x2 y1,
        x2 y0 - x0 y2, x0 y1 - x1 y0). As `torch.cross` in PyTorch 2.13, dim=None means the
        first dim of size 3 in self (PyTorch deprecates that default; `td.linalg.cross` takes
        dim=-1). Both inputs need the same number of dims and size 3 along `dim`."""
        from ..functions import stack
        from ..tensor import _axis1

        x, y = self._operands(other, "cross")
        if x.ndim != y.ndim:
            raise ValueError(
                f"cross: the inputs must have the same number of dims, got shapes {x.shape} "
                f"and {y.shape}"
            )
        if dim is None:
            axis = next((d for d, n in enumerate(x.shape) if n == 3), None)
            if axis is None:
                raise ValueError(f"cross: no dim of size 3 in shape {x.shape} (give dim)")
        else:
            axis = _axis1(dim, x.ndim, "cross")
        if x.shape[axis] != 3 or y.shape[axis] != 3:
            raise ValueError(
                f"cross: dim {axis} must have length 3 in both inputs, got shapes {x.shape} "
                f"and {y.shape}"
            )
        try:
            np.broadcast_shapes(x.shape, y.shape)
        except ValueError:
            raise ValueError(f"cross: shapes {x.shape} and {y.shape} do not broadcast") from None
        lead = (slice(None),) * axis
        x0, x1, x2 = (x[lead + (i,)] for i in range(3))
        y0, y1, y2 = (y[lead + (i,)] for i in range(3))
        return stack([x1 * y2 - x2 * y1, x2 * y0 - x0 * y2, x0 * y1 - x1 * y0], dim=axis)

    # -- products with matrices ----------------------------------------------------------

    def mv(self, vec: Any) -> Tensor:
        """The matrix-vector product: (n, m) @ (m,) -> (n,), through `matmul`."""
        vec = self._operand(vec, "mv")
        if self.ndim != 2 or vec.ndim != 1 or self.shape[1] != vec.shape[0]:
            raise ValueError(
                f"mv: expects a matrix (n, m) and a vector (m,), got shapes {self.shape} and "
                f"{vec.shape}"
            )
        return self.matmul(vec)

    def matrix_power(self, n: int) -> Tensor:
        """A square matrix (or a batch of them, the last two dims) to the integer power n, by
        repeated squaring (about 2 log2 n products); n = 0 gives identity matrices, a negative
        n the power -n of the inverse (`td.linalg.inv`: floating matrices only)."""
        from ..tensor import constant

        n = _int(n, "matrix_power", "n")
        if self.ndim < 2 or self.shape[-1] != self.shape[-2]:
            raise ValueError(
                f"matrix_power: expects square matrices (the last two dims), got shape {self.shape}"
            )
        if n < 0:  # A^n = (A^-1)^-n
            from ..linalg import inv

            return inv(self).matrix_power(-n)
        if n == 0:
            return constant(np.broadcast_to(np.eye(self.shape[-1], dtype=self.dtype),
                                            self.shape).copy())  # fmt: skip
        result, base, n = None, self, int(n)
        while True:
            if n & 1:
                result = base if result is None else result @ base
            n >>= 1
            if not n:
                return result.clone() if result is self else result
            base = base @ base

    def addmm(self, mat1: Any, mat2: Any, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
        """beta * self + alpha * (mat1 @ mat2), with self broadcast to (n, m); beta = 0 ignores
        self (NaN in it does not propagate), as PyTorch."""
        from .more import _matmul_shapes

        mat1, mat2 = self._operand(mat1, "addmm"), self._operand(mat2, "addmm")
        _matmul_shapes(mat1, mat2, "addmm", 2)
        return _fused(self, mat1.matmul(mat2), beta, alpha, [mat1, mat2], "addmm")

    def addmv(self, mat: Any, vec: Any, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
        """beta * self + alpha * (mat @ vec), with self broadcast to (n,)."""
        mat, vec = self._operand(mat, "addmv"), self._operand(vec, "addmv")
        try:
            product = mat.mv(vec)
        except ValueError as e:
            raise ValueError(str(e).replace("mv:", "addmv:", 1)) from None
        return _fused(self, product, beta, alpha, [mat, vec], "addmv")

    def addr(self, vec1: Any, vec2: Any, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
        """beta * self + alpha * outer(vec1, vec2), with self broadcast to (n, m)."""
        vec1, vec2 = self._operand(vec1, "addr"), self._operand(vec2, "addr")
        _vectors(vec1, vec2, "addr", same_length=False)
        return _fused(self, vec1.outer(vec2), beta, alpha, [vec1, vec2], "addr")

    def baddbmm(self, batch1: Any, batch2: Any, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
        """beta * self + alpha * bmm(batch1, batch2): out[b] = beta self[b] + alpha batch1[b] @
        batch2[b], with self broadcast to (b, n, m)."""
        from .more import _matmul_shapes

        b1, b2 = self._operand(batch1, "baddbmm"), self._operand(batch2, "baddbmm")
        _matmul_shapes(b1, b2, "baddbmm", 3)
        return _fused(self, b1.matmul(b2), beta, alpha, [b1, b2], "baddbmm")

    def addbmm(self, batch1: Any, batch2: Any, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
        """beta * self + alpha * sum_b batch1[b] @ batch2[b], with self broadcast to (n, m).
        The sum of products is one product: (n, b*k) @ (b*k, m), the batch laid side by side."""
        from .more import _matmul_shapes

        b1, b2 = self._operand(batch1, "addbmm"), self._operand(batch2, "addbmm")
        _matmul_shapes(b1, b2, "addbmm", 3)
        (b, n, k), m = b1.shape, b2.shape[-1]
        product = b1.permute(1, 0, 2).reshape(n, b * k).matmul(b2.reshape(b * k, m))
        return _fused(self, product, beta, alpha, [b1, b2], "addbmm")

    # -- fused elementwise ---------------------------------------------------------------

    def addcmul(self, tensor1: Any, tensor2: Any, *, value: Any = 1) -> Tensor:
        """self + value * tensor1 * tensor2, all three broadcast together."""
        t1, t2 = _broadcast3(self, tensor1, tensor2, "addcmul")
        value = _coefficient(value, [self, t1, t2], "value", "addcmul")
        return self + _scaled(t1 * t2, value)

    def addcdiv(self, tensor1: Any, tensor2: Any, *, value: Any = 1) -> Tensor:
        """self + value * tensor1 / tensor2 (true division), all three broadcast together.
        Two integer tensors are refused, as in PyTorch (whose integer addcdiv is gone)."""
        t1, t2 = _broadcast3(self, tensor1, tensor2, "addcdiv")
        if t1.dtype.kind in "biu" and t2.dtype.kind in "biu":
            raise TypeError(
                f"addcdiv: integer division is not supported (tensor1 {t1.dtype}, tensor2 "
                f"{t2.dtype}); convert one to a float dtype"
            )
        value = _coefficient(value, [self, t1, t2], "value", "addcdiv")
        return self + _scaled(t1 / t2, value)

    # -- distances -----------------------------------------------------------------------

    def dist(self, other: Any, p: Any = 2) -> Tensor:
        """The p-norm of self - other (broadcast), a 0-d tensor: `(self - other).norm(p)`,
        with p = 0 the number of elements that differ (gradient 0). Floating tensors only."""
        x, y = self._operands(other, "dist")
        try:
            np.broadcast_shapes(x.shape, y.shape)
        except ValueError:
            raise ValueError(f"dist: shapes {x.shape} and {y.shape} do not broadcast") from None
        return _p_norm(x - y, p, None, "dist")


def _broadcast3(x: Tensor, t1: Any, t2: Any, what: str) -> tuple[Tensor, Tensor]:
    """addcmul's and addcdiv's tensor1 and tensor2 as tensors, checked to broadcast with x."""
    t1, t2 = x._operand(t1, what), x._operand(t2, what)
    try:
        np.broadcast_shapes(x.shape, t1.shape, t2.shape)
    except ValueError:
        raise ValueError(
            f"{what}: shapes {x.shape}, {t1.shape} and {t2.shape} (input, tensor1, tensor2) do "
            "not broadcast together"
        ) from None
    return t1, t2
