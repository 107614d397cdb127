"""Movement primitives: reshape, permute, expand / sum_to, indexing, concatenation, padding.

Outputs that are NumPy views of their input share the input's version counter, so an
in-place change through either is seen by every saved tensor that aliases the memory.
"""

from __future__ import annotations

import numpy as np

from ..function import Function
from ..tensor import Tensor

__all__ = [
    "Reshape",
    "Permute",
    "Expand",
    "SumTo",
    "GetItem",
    "ScatterAdd",
    "IndexPut",
    "Cat",
    "Pad",
]


def _view_of(ctx: Function, x: Tensor, out: np.ndarray, index: object = None) -> np.ndarray:
    """Mark `out` as a view of `x` when it shares x's memory (so they share a version)."""
    if out.base is not None and (out.base is x.data or out.base is x.data.base):
        ctx.output_is_view_of(x, index)
    return out


def swap_last_two(ndim: int) -> tuple[int, ...]:
    """The permutation that swaps the last two of `ndim` axes (a matrix transpose)."""
    return (*range(ndim - 2), ndim - 1, ndim - 2)


class Reshape(Function):
    """z = x viewed with another shape;  dz/dx: the gradient reshaped back."""

    @staticmethod
    def forward(ctx, x, shape=()):
        ctx.in_shape = x.data.shape
        return _view_of(ctx, x, x.data.reshape(shape))

    @staticmethod
    def backward(ctx, g):
        return Reshape.apply(g, shape=ctx.in_shape)

    @staticmethod
    def backward_array(ctx, g):
        return g.reshape(ctx.in_shape)


class Permute(Function):
    """z = x with its axes reordered by `dims`;  dz/dx: the gradient permuted back."""

    @staticmethod
    def forward(ctx, x, dims=()):
        ctx.dims = dims
        return _view_of(ctx, x, x.data.transpose(dims))

    @staticmethod
    def backward(ctx, g):
        return Permute.apply(g, dims=_inverse(ctx.dims))

    @staticmethod
    def backward_array(ctx, g):
        return g.transpose(_inverse(ctx.dims))


def _inverse(dims: tuple[int, ...]) -> tuple[int, ...]:
    """The permutation that undoes `dims`."""
    inverse = [0] * len(dims)
    for i, d in enumerate(dims):
        inverse[d] = i
    return tuple(inverse)


def broadcast_view(a: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """np.broadcast_to(a, shape): a read-only view of a's memory, stride 0 on the axes that
    broadcasting adds or stretches. Made here with the ndarray constructor for a C-contiguous
    array (np.broadcast_to's Python layers take 3-5 us, more than a small op's NumPy work);
    np.broadcast_to itself otherwise, and for its error when the shapes do not broadcast."""
    lead = len(shape) - a.ndim
    if type(a) is not np.ndarray or lead < 0 or not a.flags.c_contiguous:
        return np.broadcast_to(a, shape)
    strides = [0] * lead
    for n, m, stride in zip(a.shape, shape[lead:], a.strides):
        if n == m:
            strides.append(stride)
        elif n == 1:
            strides.append(0)
        else:
            return np.broadcast_to(a, shape)  # (raises NumPy's error)
    view = np.ndarray(shape, a.dtype, a, 0, tuple(strides))
    view.setflags(write=False)
    return view


class Expand(Function):
    """z = broadcast_to(x, shape);  dz/dx = sum of g over the broadcast axes (SumTo)."""

    @staticmethod
    def forward(ctx, x, shape=()):
        ctx.in_shape = x.data.shape
        return _view_of(ctx, x, broadcast_view(x.data, shape))  # read-only, x's memory

    @staticmethod
    def backward(ctx, g):
        return SumTo.apply(g, shape=ctx.in_shape)

    @staticmethod
    def backward_array(ctx, g):
        return sum_to(g, ctx.in_shape)


def sum_to(x: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """`x` summed over the axes that broadcasting `shape` to x.shape added or stretched."""
    in_shape = x.shape
    lead = len(in_shape) - len(shape)
    if lead < 0:
        raise ValueError(f"sum_to: cannot sum shape {in_shape} to {shape}")
    if in_shape[lead:] == shape:  # only leading axes were added (a bias, say)
        return x.sum(axis=tuple(range(lead)))
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and in_shape[lead + i] != 1
    )
    out = x.sum(axis=axes, keepdims=True)
    return out.reshape(shape) if lead else out


class SumTo(Function):
    """z = x summed down to `shape` (the adjoint of broadcasting);  dz/dx = expand(g)."""

    @staticmethod
    def forward(ctx, x, shape=()):
        ctx.in_shape = x.data.shape
        return sum_to(x.data, shape)

    @staticmethod
    def backward(ctx, g):
        return Expand.apply(g, shape=ctx.in_shape)

    @staticmethod
    def backward_array(ctx, g):
        return broadcast_view(g, ctx.in_shape)


def _selects_once(index: object) -> bool:
    """True when `index` cannot pick an element twice: ints, slices, None, Ellipsis, masks."""
    parts = index if isinstance(index, tuple) else (index,)
    return all(
        p is None
        or p is Ellipsis
        or isinstance(p, (int, np.integer, slice))
        or (isinstance(p, np.ndarray) and p.dtype == bool)
        for p in parts
    )


class GetItem(Function):
    """z = x[index];  dz/dx = g scattered back into zeros of x's shape, summed on repeats."""

    @staticmethod
    def forward(ctx, x, index=()):
        ctx.in_shape = x.data.shape
        ctx.index = index
        out = x.data[index]
        if type(out) is not np.ndarray:  # one element picked by ints: NumPy gives a copy;
            out = x.data[(index if isinstance(index, tuple) else (index,)) + (...,)]  # a view
        return _view_of(ctx, x, out, index)

    @staticmethod
    def backward(ctx, g):
        return ScatterAdd.apply(g, index=ctx.index, shape=ctx.in_shape)

    @staticmethod
    def backward_array(ctx, g):
        return _scatter_add(g, ctx.index, ctx.in_shape)


class ScatterAdd(Function):
    """z = zeros(shape) with z[index] += x (repeated indices add up);  dz/dx = g[index]."""

    @staticmethod
    def forward(ctx, x, index=(), shape=()):
        ctx.index = index
        return _scatter_add(x.data, index, shape)

    @staticmethod
    def backward(ctx, g):
        return g[ctx.index]

    backward_array = backward  # (the same indexing on arrays)


def _scatter_add(x: np.ndarray, index: object, shape: tuple[int, ...]) -> np.ndarray:
    """zeros(shape) with [index] += x."""
    out = np.zeros(shape, dtype=x.dtype)
    if _selects_once(index):
        out[index] = x
    else:
        np.add.at(out, index, x)
    return out


class IndexPut(Function):
    """z = x with z[index] = v (the recorded form of `x[index] = v`);
    dz/dx = g with the written places zeroed, dz/dv = g[index]."""

    @staticmethod
    def forward(ctx, x, v, index=()):
        ctx.index = index
        out = x.data.copy()
        out[index] = v.data
        return out

    @staticmethod
    def backward(ctx, g):
        gx, gv = ctx.needs_input_grad
        keep = None
        if gx:
            mask = np.ones(g.shape, dtype=bool)
            mask[ctx.index] = False
            keep = g * Tensor._make(mask, None)
        return keep, (g[ctx.index] if gv else None)


class Cat(Function):
    """z = concatenate(xs, axis);  dz/dx_k = the slice of g that x_k filled."""

    @staticmethod
    def forward(ctx, *xs, axis=0):
        ctx.axis = axis
        ctx.bounds = np.cumsum([0] + [x.data.shape[axis] for x in xs]).tolist()
        return np.concatenate([x.data for x in xs], axis=axis)

    @staticmethod
    def backward(ctx, g):
        lead = (slice(None),) * ctx.axis
        b = ctx.bounds
        return tuple(
            g[lead + (slice(b[k], b[k + 1]),)] if need else None
            for k, need in enumerate(ctx.needs_input_grad)
        )

    backward_array = backward  # (the same slicing on arrays)


class Pad(Function):
    """z = x padded with a constant by NumPy's (before, after) pairs;  dz/dx = g's interior."""

    @staticmethod
    def forward(ctx, x, pad_width=(), value=0.0):
        ctx.interior = tuple(
            slice(before, before + n) for (before, _), n in zip(pad_width, x.data.shape)
        )
        return np.pad(x.data, pad_width, constant_values=value)

    @staticmethod
    def backward(ctx, g):
        return g[ctx.interior]

    backward_array = backward  # (the same slicing on arrays)
