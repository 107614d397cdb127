"""Convolution and pooling (NCHW, PyTorch's semantics), vectorised with strided windows.

Convolution is a primitive for speed. The input's windows are a strided view; they are
copied once into a channel-major column matrix (im2col), and each group takes one matrix
product. Three primitives are closed under differentiation: each one's backward is written
with the other two, so `create_graph=True` gives gradients of gradients.

    Conv2d(x, w)            y  = x * w                    (im2col, then W @ cols)
    Conv2dInputGrad(g, w)   dx = adjoint of x -> x * w    (W^T @ g, then col2im)
    Conv2dWeightGrad(x, g)  dw = adjoint of w -> x * w    (g @ cols^T)

Max-pooling records which window offset won, and its backward is `WindowScatter`. The
adjoint of `WindowScatter` is `WindowGather`, so this pair is also closed under
differentiation. Average pooling is composed: a convolution with a constant 1/(kh kw)
kernel. 1-D versions are the 2-D ones on inputs of height 1. The only Python loops are over
the kernel's kh*kw offsets, never over pixels or batch items.

Arrays made here are channel-major in memory ((C, N, H, W) viewed as NCHW), as the matrix
products produce them, and the columns live in work arrays reused between calls: both matter
as much as the arithmetic for speed (see benchmarks/bench_cnn.py).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ..function import Function
from ..tensor import Tensor
from ..tensor import constant as _constant

__all__ = [
    "Conv2d", "Conv2dInputGrad", "Conv2dWeightGrad", "MaxPool2d", "WindowScatter", "WindowGather",
    "conv2d", "conv1d", "convolution", "pool",
]  # fmt: skip

Pair = tuple[int, int]


class Geometry(NamedTuple):
    """Where the windows fall: input size, kernel, stride, (top, bottom, left, right) padding,
    dilation and groups. The output size follows (PyTorch's floor rule)."""

    in_hw: Pair
    kernel: Pair
    stride: Pair
    padding: tuple[int, int, int, int]
    dilation: Pair
    groups: int = 1

    @property
    def padded_hw(self) -> Pair:
        pt, pb, pl, pr = self.padding
        return self.in_hw[0] + pt + pb, self.in_hw[1] + pl + pr

    @property
    def extent(self) -> Pair:
        """The span of one dilated window: d (k - 1) + 1."""
        return tuple(d * (k - 1) + 1 for d, k in zip(self.dilation, self.kernel))

    @property
    def out_hw(self) -> Pair:
        return tuple((p - e) // s + 1 for p, e, s in zip(self.padded_hw, self.extent, self.stride))

    def offsets(self) -> list[tuple[slice, slice]]:
        """For each kernel offset (i, j), row-major: the strided slices of the padded input
        that it touches across all output positions."""
        (oh, ow), (sh, sw), (dh, dw) = self.out_hw, self.stride, self.dilation
        kh, kw = self.kernel
        return [
            (
                slice(i * dh, i * dh + sh * (oh - 1) + 1, sh),
                slice(j * dw, j * dw + sw * (ow - 1) + 1, sw),
            )
            for i in range(kh)
            for j in range(kw)
        ]


# ---------------------------------------------------------------------------------------------
# im2col / col2im
# ---------------------------------------------------------------------------------------------


def _channel_major(
    n: int, c: int, h: int, w: int, dtype: np.dtype, fill: float | None
) -> np.ndarray:
    """An (N, C, H, W) array whose memory is (C, N, H, W), filled with `fill` (None: left
    uninitialised). Every array made here is laid out this way, as the matrix products produce
    it, so that elementwise ops between them run over contiguous memory."""
    if fill is None:
        return np.empty((c, n, h, w), dtype=dtype).transpose(1, 0, 2, 3)
    out = np.zeros((c, n, h, w), dtype=dtype) if fill == 0 else np.full((c, n, h, w), fill, dtype)
    return out.transpose(1, 0, 2, 3)


_WORK = threading.local()  # per thread, so that models run in parallel threads don't share
WORK_BYTES = 64 * 2**20


def _work(shape: tuple[int, ...], dtype: np.dtype, owner: object = None) -> np.ndarray:
    """An uninitialised array for an intermediate result that never leaves a primitive (the
    columns), reused from call to call: the first touch of a fresh multi-megabyte array costs a
    page fault per 4 KB, which on a virtual machine can take a third of a training step. At
    most WORK_BYTES are kept (per thread), the most recently used shapes first. `owner` marks
    who filled it last (see `_kept`)."""
    kept: dict[tuple, list] = _WORK.__dict__.setdefault("arrays", {})
    key = (tuple(shape), np.dtype(dtype))
    if key in kept:
        kept[key] = entry = kept.pop(key)  # most recently used last
        entry[1] = owner
        return entry[0]
    out = np.empty(shape, dtype=dtype)
    if out.nbytes <= WORK_BYTES:
        while kept and sum(e[0].nbytes for e in kept.values()) + out.nbytes > WORK_BYTES:
            kept.pop(next(iter(kept)))
        kept[key] = [out, owner]
    return out


def _kept(shape: tuple[int, ...], dtype: np.dtype, owner: object) -> np.ndarray | None:
    """The work array of that shape if `owner` filled it and nothing has been written to it
    since (so a backward pass can reuse the forward's columns), else None."""
    entry = _WORK.__dict__.get("arrays", {}).get((tuple(shape), np.dtype(dtype)))
    return entry[0] if entry is not None and entry[1] is owner else None


def _pad(x: np.ndarray, geo: Geometry, fill: float = 0.0) -> np.ndarray:
    pt, pb, pl, pr = geo.padding
    if not (pt or pb or pl or pr):
        return x
    n, c, h, w = x.shape
    out = _channel_major(n, c, h + pt + pb, w + pl + pr, x.dtype, fill)
    out[:, :, pt : pt + h, pl : pl + w] = x
    return out


def _crop(xp: np.ndarray, geo: Geometry) -> np.ndarray:
    pt, _, pl, _ = geo.padding
    h, w = geo.in_hw
    return xp[:, :, pt : pt + h, pl : pl + w]


def _im2col(x: np.ndarray, geo: Geometry, owner: object = None) -> np.ndarray:
    """Columns (groups, C/groups * kh * kw, N * oh * ow): every window of the padded input,
    channel-major, copied once from a strided view into a work array. With an `owner`, the
    columns that owner built last are returned as they are if no one has overwritten them."""
    n, c = x.shape[:2]
    (kh, kw), (oh, ow) = geo.kernel, geo.out_hw
    shape = (c, kh, kw, n, oh, ow)
    cols = _kept(shape, x.dtype, owner) if owner is not None else None
    if cols is not None:
        return cols.reshape(geo.groups, c // geo.groups * kh * kw, n * oh * ow)
    xp = _pad(x, geo)
    sn, sc, sh, sw = xp.strides
    (st_h, st_w), (dh, dw) = geo.stride, geo.dilation
    windows = as_strided(
        xp,
        shape=(c, kh, kw, n, oh, ow),
        strides=(sc, sh * dh, sw * dw, sn, sh * st_h, sw * st_w),
        writeable=False,
    )
    cols = _work(shape, xp.dtype, owner)
    cols[...] = windows
    return cols.reshape(geo.groups, c // geo.groups * kh * kw, n * oh * ow)


def _col2im(cols: np.ndarray, geo: Geometry, n: int) -> np.ndarray:
    """The adjoint of `_im2col`: add every column entry back where it was read from
    (a loop over the kh*kw kernel offsets, each adding one strided slice)."""
    (kh, kw), (oh, ow), (hp, wp) = geo.kernel, geo.out_hw, geo.padded_hw
    cols = cols.reshape(cols.shape[0] * cols.shape[1] // (kh * kw), kh * kw, n, oh, ow)
    xp = np.zeros((cols.shape[0], n, hp, wp), dtype=cols.dtype)  # channel-major, as cols
    for k, (rows, columns) in enumerate(geo.offsets()):
        xp[:, :, rows, columns] += cols[:, k]
    return _crop(xp.transpose(1, 0, 2, 3), geo)


def _as_channel_major(a: np.ndarray) -> np.ndarray:
    """`a` (N, C, H, W) with (C, N, H, W) memory, copied only if it isn't already."""
    if a.transpose(1, 0, 2, 3).flags.c_contiguous:
        return a
    return np.ascontiguousarray(a.transpose(1, 0, 2, 3)).transpose(1, 0, 2, 3)


def _channels_first(a: np.ndarray, groups: int) -> np.ndarray:
    """(N, F, oh, ow) -> (groups, F/groups, N*oh*ow), free when memory is already channel-major."""
    n, f, oh, ow = a.shape
    return a.transpose(1, 0, 2, 3).reshape(groups, f // groups, n * oh * ow)


# ---------------------------------------------------------------------------------------------
# convolution
# ---------------------------------------------------------------------------------------------


class Conv2d(Function):
    """y[n,f,i,j] = b[f] + sum_{c,p,q} w[f,c,p,q] x_pad[n, group(f) C/G + c, s i + d p, s j + d q];
    dL/dx = Conv2dInputGrad(g, w) (the transposed convolution), dL/dw = Conv2dWeightGrad(x, g),
    dL/db = sum of g over n, i, j. The bias is optional (a third input).

    The output keeps the matrix product's channel-major memory (an (N, F, oh, ow) view of an
    (F, N, oh, ow) array). The columns are built in a reused work array, not saved (they are
    kh*kw times the size of the input): the weight gradient uses them if no other
    convolution of that shape has overwritten them since, and builds them again otherwise.
    """

    @staticmethod
    def forward(ctx, x, w, b=None, geo=None):
        ctx.geo = geo
        ctx.cols_owner = object()  # a token: the work array keeps it, not this node
        cols = _im2col(x.data, geo, owner=ctx.cols_owner)
        need_x, need_w = ctx.needs_input_grad[:2]
        ctx.save_for_backward(x if need_w else None, w if need_x else None)
        f, groups = w.data.shape[0], geo.groups
        out = np.matmul(w.data.reshape(groups, f // groups, -1), cols)
        if b is not None:
            out += b.data.reshape(groups, f // groups, 1)
        return out.reshape(f, x.data.shape[0], *geo.out_hw).transpose(1, 0, 2, 3)

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        need_x, need_w, *need_b = ctx.needs_input_grad
        dx = Conv2dInputGrad.apply(g, w, geo=ctx.geo) if need_x else None
        dw = Conv2dWeightGrad.apply(x, g, geo=ctx.geo, built_by=ctx.cols_owner) if need_w else None
        if not need_b:
            return dx, dw
        return dx, dw, (g.sum(axis=(0, 2, 3)) if need_b[0] else None)


class Conv2dInputGrad(Function):
    """dx = col2im(W^T g): the adjoint of x -> conv2d(x, w), a transposed convolution.
    Bilinear in (g, w): d/dg = conv2d(h, w), d/dw = Conv2dWeightGrad(h, g)."""

    @staticmethod
    def forward(ctx, g, w, geo=None):
        ctx.geo = geo
        need_g, need_w = ctx.needs_input_grad
        ctx.save_for_backward(g if need_w else None, w if need_g else None)
        groups = geo.groups
        w3 = w.data.reshape(groups, w.data.shape[0] // groups, -1)
        g3 = _channels_first(g.data, groups)
        dtype = np.result_type(w3, g3)
        cols = _work((groups, w3.shape[2], g3.shape[2]), dtype)
        np.matmul(w3.transpose(0, 2, 1), g3, out=cols)
        return _col2im(cols, geo, g.data.shape[0])

    @staticmethod
    def backward(ctx, h):
        g, w = ctx.saved_tensors
        need_g, need_w = ctx.needs_input_grad
        dg = Conv2d.apply(h, w, geo=ctx.geo) if need_g else None
        dw = Conv2dWeightGrad.apply(h, g, geo=ctx.geo) if need_w else None
        return dg, dw


class Conv2dWeightGrad(Function):
    """dw[f,c,p,q] = sum_{n,i,j} g[n,f,i,j] x_pad[n, ., s i + d p, s j + d q] = g @ cols^T:
    the adjoint of w -> conv2d(x, w). Bilinear in (x, g): d/dx = Conv2dInputGrad(g, h),
    d/dg = conv2d(x, h)."""

    @staticmethod
    def forward(ctx, x, g, geo=None, built_by=None):
        ctx.geo = geo
        need_x, need_g = ctx.needs_input_grad
        ctx.save_for_backward(x if need_g else None, g if need_x else None)
        cols = _im2col(x.data, geo, owner=built_by)  # the forward's columns, if still there
        f, c = g.data.shape[1], x.data.shape[1]
        # (cols @ g^T)^T: BLAS is faster with the long axis N*oh*ow inner on both sides
        dw_t = np.matmul(cols, _channels_first(g.data, geo.groups).transpose(0, 2, 1))
        return dw_t.transpose(0, 2, 1).reshape(f, c // geo.groups, *geo.kernel)

    @staticmethod
    def backward(ctx, h):
        x, g = ctx.saved_tensors
        need_x, need_g = ctx.needs_input_grad
        dx = Conv2dInputGrad.apply(g, h, geo=ctx.geo) if need_x else None
        dg = Conv2d.apply(x, h, geo=ctx.geo) if need_g else None
        return dx, dg


# ---------------------------------------------------------------------------------------------
# max-pooling
# ---------------------------------------------------------------------------------------------


class MaxPool2d(Function):
    """y[n,c,i,j] = max over the window of x_pad (padding is -inf); the gradient goes to the
    first maximum of each window, as in PyTorch: dL/dx = WindowScatter(g, argmax). A NaN
    beats every number (the window's max is NaN), and then, as in PyTorch, the last NaN of the
    window takes the gradient."""

    @staticmethod
    def forward(ctx, x, geo=None):
        ctx.geo = geo
        low = -np.inf if x.data.dtype.kind == "f" else np.iinfo(x.data.dtype).min
        xp = _pad(x.data, geo, low)
        (first, *rest), (oh, ow) = geo.offsets(), geo.out_hw
        best = _channel_major(*x.data.shape[:2], oh, ow, x.data.dtype, 0)
        best[...] = xp[(..., *first)]
        record = ctx.needs_input_grad[0]  # else no gradient, no argmax
        argmax = np.zeros_like(best, dtype=np.min_scalar_type(len(rest))) if record else None
        for k, (rows, columns) in enumerate(rest, start=1):
            candidate = xp[:, :, rows, columns]
            if record:  # offsets come in order, so the last k to improve is the max
                better = candidate > best  # strict: ties keep the first maximum
                np.maximum(argmax, better.view(np.uint8) * argmax.dtype.type(k), out=argmax)
            np.maximum(best, candidate, out=best)  # NaN propagates
        if record and best.size and np.isnan(best.max()):  # one cheap pass when there's none
            _nan_winners(argmax, best, xp, geo)
        if record:
            ctx.save_for_backward(_constant(argmax))
        return best

    @staticmethod
    def backward(ctx, g):
        (argmax,) = ctx.saved_tensors
        return WindowScatter.apply(g, argmax=argmax.data, geo=ctx.geo)


def _nan_winners(argmax: np.ndarray, best: np.ndarray, xp: np.ndarray, geo: Geometry) -> None:
    """Point argmax at the last NaN of each window whose max is NaN (`candidate > best` is never
    true for a NaN, so the loop in MaxPool2d.forward left it at the largest number before it)."""
    nan_windows = np.isnan(best)
    for k, (rows, columns) in enumerate(geo.offsets()):  # in order: the last NaN stays
        argmax[nan_windows & np.isnan(xp[:, :, rows, columns])] = k


class WindowScatter(Function):
    """dx = each g[n,c,i,j] added at the place `argmax` picked in its window, zero elsewhere;
    dL/dg = WindowGather(h, argmax): linear in g, with that adjoint."""

    @staticmethod
    def forward(ctx, g, argmax=None, geo=None):
        ctx.geo, ctx.argmax = geo, argmax
        disjoint = all(s >= e for s, e in zip(geo.stride, geo.extent))
        tiled = (
            geo.kernel == geo.stride
            and geo.dilation == (1, 1)
            and all(o * s == p for o, s, p in zip(geo.out_hw, geo.stride, geo.padded_hw))
        )  # every place is written once, so no zeros are needed
        xp = _channel_major(*g.data.shape[:2], *geo.padded_hw, g.data.dtype, None if tiled else 0)
        g = _as_channel_major(g.data)  # the layout of argmax
        for k, (rows, columns) in enumerate(geo.offsets()):
            view = xp[:, :, rows, columns]
            if disjoint:  # windows don't overlap: each place is written at most once
                np.multiply(g, argmax == k, out=view)
            else:
                view += g * (argmax == k)
        return _crop(xp, geo)

    @staticmethod
    def backward(ctx, h):
        return WindowGather.apply(h, argmax=ctx.argmax, geo=ctx.geo)


class WindowGather(Function):
    """y[n,c,i,j] = x_pad at the place `argmax` picked in window (i, j) (max-pooling with the
    winners fixed);  dL/dx = WindowScatter(g, argmax): linear in x, with that adjoint."""

    @staticmethod
    def forward(ctx, x, argmax=None, geo=None):
        ctx.geo, ctx.argmax = geo, argmax
        xp = _pad(x.data, geo)
        out = np.zeros_like(argmax, dtype=x.data.dtype)
        for k, (rows, columns) in enumerate(geo.offsets()):
            np.copyto(out, xp[:, :, rows, columns], where=argmax == k)
        return out

    @staticmethod
    def backward(ctx, g):
        return WindowScatter.apply(g, argmax=ctx.argmax, geo=ctx.geo)


# ---------------------------------------------------------------------------------------------
# the functional API: check the arguments (errors name the function or layer), then one primitive
# ---------------------------------------------------------------------------------------------

Size = int | Sequence[int]


def _ints(value: Any, n: int, what: str, who: str, low: int) -> tuple[int, ...]:
    """An int or n ints, each >= low, as a tuple of n ints (TypeError for anything else)."""
    want = f"an int or a tuple of {n} int{'s' if n > 1 else ''}"
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        values: tuple = (value,) * n
    elif isinstance(value, (Sequence, np.ndarray)) and not isinstance(value, str):
        values = tuple(value)
    else:
        raise TypeError(f"{who}: {what} must be {want}, got {value!r}")
    if not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in values):
        raise TypeError(f"{who}: {what} must be {want}, got {value!r}")
    if len(values) != n:
        raise ValueError(f"{who}: {what} must be {want}, got {value!r}")
    if any(v < low for v in values):
        raise ValueError(f"{who}: {what} must be >= {low}, got {value!r}")
    return tuple(int(v) for v in values)


def _pads(padding: Any, kernel: tuple, stride: tuple, dilation: tuple, who: str) -> list[Pair]:
    """(before, after) per spatial axis, from ints or PyTorch's 'valid' / 'same'."""
    n = len(kernel)
    if isinstance(padding, str):
        if padding == "valid":
            return [(0, 0)] * n
        if padding == "same":
            if any(s != 1 for s in stride):
                raise ValueError(f"{who}: padding='same' needs stride 1, got stride={stride}")
            totals = [d * (k - 1) for d, k in zip(dilation, kernel)]
            return [(t // 2, t - t // 2) for t in totals]
        raise ValueError(f"{who}: padding must be an int, {n} ints, 'valid' or 'same'")
    return [(p, p) for p in _ints(padding, n, "padding", who, 0)]


def _as_tensor(x: Any, who: str = "convolution") -> Tensor:
    """`x` as a Tensor (array-likes are converted); a TypeError naming `who` otherwise."""
    if isinstance(x, Tensor):
        return x
    if x is None or isinstance(x, (str, bytes)):
        raise TypeError(f"{who}: expected a Tensor or an array of numbers, got {x!r}")
    return Tensor(x)


def _check_fits(
    spatial: tuple[int, ...],
    kernel: tuple[int, ...],
    pads: list[Pair],
    dilation: tuple[int, ...],
    shape: tuple[int, ...],
    who: str,
) -> None:
    """A ValueError naming `who` unless every padded spatial size holds one dilated kernel
    (any number of spatial dims; `shape` is the input's shape as the caller gave it)."""
    padded = tuple(n + a + b for n, (a, b) in zip(spatial, pads))
    extent = tuple(d * (k - 1) + 1 for d, k in zip(dilation, kernel))
    if any(p < e for p, e in zip(padded, extent)):
        raise ValueError(
            f"{who}: input of shape {tuple(shape)} is smaller than the kernel (size {padded} "
            f"after padding, kernel size {kernel} spanning {extent} with dilation {dilation})"
        )


def _geometry(
    x: Tensor,
    kernel: tuple[int, ...],
    stride: tuple[int, ...],
    pads: list[Pair],
    dilation: tuple[int, ...],
    groups: int,
    shape: tuple[int, ...],
    who: str,
) -> Geometry:
    """The 2-D geometry of a batched input (1-D sizes become height 1); checks the kernel fits.
    `shape` is the input's shape as the caller gave it (for the message)."""
    spatial = x.shape[2:]
    _check_fits(spatial, kernel, pads, dilation, shape, who)
    if len(spatial) == 1:  # 1-D: a 2-D problem of height 1
        spatial, kernel, stride, dilation = (
            (1, *spatial),
            (1, *kernel),
            (1, *stride),
            (1, *dilation),
        )
        pads = [(0, 0), *pads]
    (pt, pb), (pl, pr) = pads
    return Geometry(spatial, kernel, stride, (pt, pb, pl, pr), dilation, groups)


def _batched(x: Tensor, dims: int, who: str) -> tuple[Tensor, bool]:
    """x with a batch axis, and whether one was added (PyTorch accepts unbatched inputs)."""
    if x.ndim not in (dims + 1, dims + 2):
        raise ValueError(
            f"{who}: expected a {dims + 1}-D (unbatched) or {dims + 2}-D (batched) input, "
            f"got shape {x.shape}"
        )
    return (x.unsqueeze(0), True) if x.ndim == dims + 1 else (x, False)


def _finish(out: Tensor, dims: int, unbatched: bool) -> Tensor:
    if dims == 1:
        out = out.squeeze(2)
    return out.squeeze(0) if unbatched else out


def _conv_args(
    x: Tensor,
    weight: Tensor,
    bias: Any,
    stride: Size,
    padding: Size | str,
    dilation: Size,
    groups: Any,
    dims: int,
    who: str,
) -> tuple[Tensor, bool, tuple[int, ...], tuple[int, ...], list[Pair]]:
    """A convolution's arguments checked for `dims` spatial axes (errors name `who`): x with a
    batch axis, whether one was added, stride, dilation and the (before, after) pads."""
    x, unbatched = _batched(x, dims, who)
    if not isinstance(groups, (int, np.integer)) or groups < 1:
        raise ValueError(f"{who}: groups must be a positive int, got {groups!r}")
    f, c_group = weight.shape[:2]
    in_channels = x.shape[1]
    with_groups = f", groups={groups}" if groups > 1 else ""
    if in_channels != c_group * groups:
        raise ValueError(
            f"{who}: input has {in_channels} channels but weight expects {c_group * groups} "
            f"(weight shape {weight.shape}{with_groups})"
        )
    if f % groups:
        raise ValueError(f"{who}: {f} output channels (weight shape {weight.shape}) are not "
                         f"divisible by groups={groups}")  # fmt: skip
    if bias is not None and _as_tensor(bias).shape != (f,):
        raise ValueError(f"{who}: bias must have shape ({f},), got {_as_tensor(bias).shape}")
    kernel = weight.shape[2:]
    if min(kernel) < 1:
        raise ValueError(f"{who}: kernel size must be >= 1, got {kernel} (weight shape "
                         f"{weight.shape})")  # fmt: skip
    stride = _ints(stride, dims, "stride", who, 1)
    dilation = _ints(dilation, dims, "dilation", who, 1)
    pads = _pads(padding, kernel, stride, dilation, who)
    return x, unbatched, stride, dilation, pads


def convolution(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: Size = 1,
    padding: Size | str = 0,
    dilation: Size = 1,
    groups: int = 1,
    *,
    who: str | None = None,
) -> Tensor:
    """conv1d or conv2d, chosen by the weight's rank; `who` names the caller in errors."""
    x, weight = _as_tensor(input, who or "convolution"), _as_tensor(weight, who or "convolution")
    shape = x.shape  # as the caller gave it, for messages
    dims = weight.ndim - 2
    who = who or f"conv{dims}d"
    if dims not in (1, 2):
        raise ValueError(f"{who}: weight must be 3-D or 4-D (out, in/groups, *kernel), "
                         f"got shape {weight.shape}")  # fmt: skip
    x, unbatched, stride, dilation, pads = _conv_args(
        x, weight, bias, stride, padding, dilation, groups, dims, who
    )
    kernel = weight.shape[2:]
    geo = _geometry(x, kernel, stride, pads, dilation, groups, shape, who)
    if dims == 1:
        x, weight = x.unsqueeze(2), weight.unsqueeze(2)
    if bias is None:
        out = Conv2d.apply(x, weight, geo=geo)
    else:
        out = Conv2d.apply(x, weight, _as_tensor(bias), geo=geo)
    return _finish(out, dims, unbatched)


def conv2d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: Size = 1,
    padding: Size | str = 0,
    dilation: Size = 1,
    groups: int = 1,
) -> Tensor:
    """2-D convolution (cross-correlation, as PyTorch) of (N, C, H, W) or (C, H, W) input with
    weight (F, C/groups, kh, kw) and optional bias (F,); padding may be 'valid' or 'same'."""
    if _as_tensor(weight, "conv2d").ndim != 4:
        raise ValueError(f"conv2d: weight must be 4-D (out, in/groups, kh, kw), got shape "
                         f"{_as_tensor(weight).shape}")  # fmt: skip
    return convolution(input, weight, bias, stride, padding, dilation, groups, who="conv2d")


def conv1d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: Size = 1,
    padding: Size | str = 0,
    dilation: Size = 1,
    groups: int = 1,
) -> Tensor:
    """1-D convolution of (N, C, L) or (C, L) input with weight (F, C/groups, k)."""
    if _as_tensor(weight, "conv1d").ndim != 3:
        raise ValueError(f"conv1d: weight must be 3-D (out, in/groups, k), got shape "
                         f"{_as_tensor(weight).shape}")  # fmt: skip
    return convolution(input, weight, bias, stride, padding, dilation, groups, who="conv1d")


def _pool_geometry(
    x: Tensor, kernel_size: Size, stride: Size | None, padding: Size, dilation: Size,
    dims: int, shape: tuple[int, ...], who: str,
) -> Geometry:  # fmt: skip
    kernel = _ints(kernel_size, dims, "kernel_size", who, 1)
    stride = kernel if stride is None else _ints(stride, dims, "stride", who, 1)
    dilation = _ints(dilation, dims, "dilation", who, 1)
    pads = _ints(padding, dims, "padding", who, 0)
    if any(2 * p > k for p, k in zip(pads, kernel)):
        raise ValueError(f"{who}: padding {pads} must be at most half the kernel size {kernel}")
    return _geometry(x, kernel, stride, [(p, p) for p in pads], dilation, 1, shape, who)


def pool(
    kind: str,
    input: Tensor,
    kernel_size: Size,
    stride: Size | None = None,
    padding: Size = 0,
    dilation: Size = 1,
    count_include_pad: bool = True,
    *,
    dims: int = 2,
    who: str | None = None,
) -> Tensor:
    """Max or average pooling ('max' / 'avg') over 1 or 2 spatial axes; `who` names the caller."""
    if kind not in ("max", "avg"):
        raise ValueError(f"pool: kind must be 'max' or 'avg', got {kind!r}")
    who = who or f"{kind}_pool{dims}d"
    x = _as_tensor(input)
    shape = x.shape  # as the caller gave it, for messages
    x, unbatched = _batched(x, dims, who)
    geo = _pool_geometry(x, kernel_size, stride, padding, dilation, dims, shape, who)
    if dims == 1:
        x = x.unsqueeze(2)
    if kind == "max":
        out = MaxPool2d.apply(x, geo=geo)
    else:  # the mean of each window: a convolution of each channel with a constant kernel
        n, c, h, w = x.shape
        kh, kw = geo.kernel
        ones = np.ones((1, 1, kh, kw), dtype=x.dtype)
        mean = Tensor._make(ones / (kh * kw), None)
        out = Conv2d.apply(x.reshape(n * c, 1, h, w), mean, geo=geo).reshape(n, c, *geo.out_hw)
        if not count_include_pad and any(geo.padding):
            inside = _im2col(np.ones((1, 1, h, w), dtype=x.dtype), geo).sum(axis=1)
            out = out * Tensor._make((kh * kw / inside).reshape(geo.out_hw), None)
    return _finish(out, dims, unbatched)
