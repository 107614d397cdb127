"""Pooling over any number of spatial dims with all of PyTorch's options (ceil_mode,
return_indices, divisor_override), and the 3-D pooling layers built on it (MaxPool1d/2d/3d
and AvgPool1d/2d/3d, in nn/conv.py, call `max_pool_any` and `avg_pool_any`).

max pooling     F.max_pool1d/2d/3d, F.max_pool{1,2,3}d_with_indices
avg pooling     F.avg_pool1d/2d/3d
power average   F.lp_pool{1,2,3}d, LPPool1d/2d/3d
adaptive        F.adaptive_{avg,max}_pool3d, F.adaptive_max_pool{1,2,3}d_with_indices,
                AdaptiveAvgPool3d, AdaptiveMaxPool3d (the 1-D/2-D helpers of pooling.py)

All composed (gradients and second derivatives come free). Max pooling finds each window's
winner on the arrays (a loop over the kernel's offsets, each a strided slice of the padded
input: no loop over positions) and then gathers the winners from the flattened input, so the
gradient goes to each window's first maximum (the last NaN if there is one), as PyTorch's.
Average pooling is separable: a box sum along one axis after the other (k strided slices per
axis), divided by PyTorch's window counts, which are products of per-axis counts too.
1-D and 2-D pooling without those options takes the faster primitives of ops/conv.py (`pool`).
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np

from ..ops.conv import Size, _as_tensor, _batched, _ints, pool
from ..tensor import Tensor
from .module import Module, check_int, check_real
from .pooling import _adaptive_avg, _adaptive_max, _AdaptiveMaxPoolNd, _AdaptivePoolNd

__all__ = [
    "max_pool1d", "max_pool2d", "avg_pool1d", "avg_pool2d", "max_pool3d", "avg_pool3d",
    "max_pool1d_with_indices", "max_pool2d_with_indices", "max_pool3d_with_indices",
    "lp_pool1d", "lp_pool2d", "lp_pool3d", "adaptive_avg_pool3d", "adaptive_max_pool3d",
    "adaptive_max_pool1d_with_indices", "adaptive_max_pool2d_with_indices",
    "adaptive_max_pool3d_with_indices", "LPPool1d", "LPPool2d",
    "LPPool3d", "AdaptiveAvgPool3d", "AdaptiveMaxPool3d",
]  # fmt: skip


class _Windows:
    """Where the pooling windows of a batched input fall, per spatial axis: kernel, stride,
    padding, dilation and the output size (PyTorch's rule: floor, or ceil with ceil_mode, where
    a last window that would start in the right padding is dropped)."""

    def __init__(
        self, x: Tensor, kernel_size: Size, stride: Size | None, padding: Size, dilation: Size,
        ceil_mode: bool, dims: int, shape: tuple[int, ...], who: str,
    ) -> None:  # fmt: skip
        self.kernel = _ints(kernel_size, dims, "kernel_size", who, 1)
        empty = stride is None or (isinstance(stride, (tuple, list)) and not stride)
        self.stride = self.kernel if empty else _ints(stride, dims, "stride", who, 1)
        self.pads = _ints(padding, dims, "padding", who, 0)
        self.dilation = _ints(dilation, dims, "dilation", who, 1)
        self.spatial = x.shape[2:]
        extent = [d * (k - 1) + 1 for d, k in zip(self.dilation, self.kernel)]
        if any(2 * p > e for p, e in zip(self.pads, extent)):
            raise ValueError(f"{who}: padding {self.pads} must be at most half the kernel size "
                             f"{tuple(extent)}")  # fmt: skip
        out = []
        for n, p, e, s in zip(self.spatial, self.pads, extent, self.stride):
            span = n + 2 * p - e
            o = (span + (s - 1 if ceil_mode else 0)) // s + 1
            if ceil_mode and (o - 1) * s >= n + p:
                o -= 1
            out.append(o)
        if min(out) < 1:
            raise ValueError(
                f"{who}: input of shape {tuple(shape)} is smaller than the kernel (size "
                f"{tuple(n + 2 * p for n, p in zip(self.spatial, self.pads))} after padding, "
                f"kernel size {self.kernel} spanning {tuple(extent)} with dilation "
                f"{self.dilation})"
            )
        self.out = tuple(out)

    def widths(self) -> list[tuple[int, int]]:
        """(before, after) padding of (N, C, *spatial): p before each spatial axis, and after
        it as much as the last window needs (p, or more or less with ceil_mode)."""
        widths = [(0, 0), (0, 0)]
        for n, p, k, s, d, o in zip(self.spatial, self.pads, self.kernel, self.stride,
                                    self.dilation, self.out):  # fmt: skip
            widths.append((p, max(0, (o - 1) * s + d * (k - 1) + 1 - n - p)))
        return widths

    def first_inside(self, axis: int) -> np.ndarray:
        """Per output position along `axis`, the first kernel offset a whose input position
        start + a d is inside the input (not padding)."""
        start = np.arange(self.out[axis]) * self.stride[axis] - self.pads[axis]
        return np.maximum(0, -(start // self.dilation[axis]))  # the first a with start + a d >= 0

    def offsets(self) -> Any:
        """For each kernel offset, row-major: its strided slices of the padded input."""
        for offset in itertools.product(*(range(k) for k in self.kernel)):
            yield tuple(
                slice(a * d, a * d + s * (o - 1) + 1, s)
                for a, s, d, o in zip(offset, self.stride, self.dilation, self.out)
            )


def _grid(per_axis: list[np.ndarray], op: Any) -> np.ndarray:
    """The outer combination of 1-D arrays (one per axis) by `op` (np.add, np.multiply)."""
    k = len(per_axis)
    out = per_axis[0].reshape((-1,) + (1,) * (k - 1))
    for i, v in enumerate(per_axis[1:], start=1):
        out = op(out, v.reshape((1,) * i + (-1,) + (1,) * (k - 1 - i)))
    return out


def _max_pool(
    input: Any, kernel_size: Size, stride: Size | None, padding: Size, dilation: Size,
    ceil_mode: bool, dims: int, who: str,
) -> tuple[Tensor, Tensor]:  # fmt: skip
    """Max pooling over the last `dims` axes: (values, int64 flat indices into each input
    plane), PyTorch's winner rule: the first maximum of a window, or its last NaN."""
    x = _as_tensor(input, who)
    shape = x.shape
    x, unbatched = _batched(x, dims, who)
    geo = _Windows(x, kernel_size, stride, padding, dilation, ceil_mode, dims, shape, who)
    data = x.data
    floating = data.dtype.kind == "f"
    low = -np.inf if floating else np.iinfo(data.dtype).min if data.dtype.kind in "iu" else 0
    xp = np.pad(data, geo.widths(), constant_values=low)
    kind = np.min_scalar_type(math.prod(geo.kernel) - 1)
    # as PyTorch: the max starts at `low` and its place at the window's first place inside the
    # input, so a window of -inf (of `low`) points there; a strictly greater value takes over,
    # and the padding (`low`) never does. Offsets come in order: the last k to improve wins.
    row_major = [math.prod(geo.kernel[i + 1 :]) for i in range(dims)]
    best = np.full(data.shape[:2] + geo.out, low, dtype=data.dtype)
    argmax = np.empty(best.shape, dtype=kind)
    argmax[...] = _grid([geo.first_inside(i) * m for i, m in enumerate(row_major)], np.add)
    for k, slices in enumerate(geo.offsets()):
        candidate = xp[(..., *slices)]
        better = candidate > best
        np.maximum(argmax, better.view(np.uint8) * kind.type(k), out=argmax)
        np.maximum(best, candidate, out=best)  # NaN propagates
    if floating and best.size and np.isnan(best.max()):  # the last NaN of a window wins
        nan_windows = np.isnan(best)
        for k, slices in enumerate(geo.offsets()):
            argmax[nan_windows & np.isnan(xp[(..., *slices)])] = k
    plane = [math.prod(geo.spatial[i + 1 :]) for i in range(dims)]  # flat strides of a plane
    where = np.zeros(best.shape, dtype=np.int64)
    for i, a in enumerate(np.unravel_index(argmax, geo.kernel)):  # offset -> input position
        start = np.arange(geo.out[i]) * geo.stride[i] - geo.pads[i]
        where += (start.reshape((-1,) + (1,) * (dims - 1 - i)) + a * geo.dilation[i]) * plane[i]
    n, c = data.shape[:2]
    out = x.reshape(n, c, -1).gather(-1, where.reshape(n, c, -1)).reshape(best.shape)
    indices = Tensor._make(where, None)
    if unbatched:
        return out.squeeze(0), indices.squeeze(0)
    return out, indices


def _avg_pool(
    input: Any, kernel_size: Size, stride: Size | None, padding: Size, ceil_mode: bool,
    count_include_pad: bool, divisor_override: int | None, dims: int, who: str,
) -> Tensor:  # fmt: skip
    """The mean of each window over the last `dims` axes, PyTorch's divisor: the window's size
    within the padded input (count_include_pad) or within the input, or divisor_override."""
    x = _as_tensor(input, who)
    if x.dtype.kind != "f":
        raise TypeError(f"{who}: expected a floating tensor, got {x.dtype}")
    if divisor_override is not None and check_int(divisor_override, who, "divisor_override") == 0:
        raise ValueError(f"{who}: divisor_override must not be zero")
    shape = x.shape
    x, unbatched = _batched(x, dims, who)
    geo = _Windows(x, kernel_size, stride, padding, 1, ceil_mode, dims, shape, who)
    widths = geo.widths()
    y = x.pad(widths) if any(w != (0, 0) for w in widths) else x
    counts = []
    for axis, (n, p, k, s, o) in enumerate(
        zip(geo.spatial, geo.pads, geo.kernel, geo.stride, geo.out), start=2
    ):
        lead = (slice(None),) * axis
        terms = [y[lead + (slice(a, a + s * (o - 1) + 1, s),)] for a in range(k)]
        y = terms[0]
        for t in terms[1:]:
            y = y + t
        start = np.arange(o) * s - p
        end = np.minimum(start + k, n + p)
        if count_include_pad:
            counts.append(end - start)
        else:
            counts.append(np.minimum(end, n) - np.maximum(start, 0))
    if divisor_override is not None:
        divisor = np.full(geo.out, float(divisor_override))
    else:
        divisor = _grid(counts, np.multiply).astype(np.float64)
    out = y / Tensor._make(divisor.astype(x.dtype), None)
    return out.squeeze(0) if unbatched else out


def max_pool_any(
    input: Any, kernel_size: Size, stride: Size | None, padding: Size, dilation: Size,
    ceil_mode: bool, return_indices: bool, dims: int, who: str,
) -> Any:  # fmt: skip
    """Max pooling over `dims` axes: for 1 or 2 without ceil_mode or return_indices the
    primitive of ops/conv.py, otherwise the pooling of any dims here (the same values and
    gradients)."""
    if dims < 3 and not ceil_mode and not return_indices:
        return pool("max", input, kernel_size, stride, padding, dilation, dims=dims, who=who)
    out, indices = _max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, dims, who)
    return (out, indices) if return_indices else out


def avg_pool_any(
    input: Any, kernel_size: Size, stride: Size | None, padding: Size, ceil_mode: bool,
    count_include_pad: bool, divisor_override: int | None, dims: int, who: str,
) -> Tensor:  # fmt: skip
    """Average pooling over `dims` axes: for 1 or 2 without ceil_mode or divisor_override the
    primitive of ops/conv.py, otherwise the pooling of any dims here."""
    if dims < 3 and not ceil_mode and divisor_override is None:
        return pool("avg", input, kernel_size, stride, padding, 1, count_include_pad, dims=dims,
                    who=who)  # fmt: skip
    return _avg_pool(input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                     divisor_override, dims, who)  # fmt: skip


def max_pool2d(
    input: Tensor,
    kernel_size: Size,
    stride: Size | None = None,
    padding: Size = 0,
    dilation: Size = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Any:
    """The maximum of each (dilated) kh x kw window of (N, C, H, W) or (C, H, W) input;
    stride defaults to kernel_size, padding never wins, and the gradient goes to each window's
    first maximum. ceil_mode lets a last window start inside the input and run over its end;
    return_indices also gives each winner's flat position h W + w in its plane (int64), for
    max_unpool2d. PyTorch's arguments, in its order."""
    return max_pool_any(input, kernel_size, stride, padding, dilation, ceil_mode,
                        return_indices, 2, "max_pool2d")  # fmt: skip


def max_pool1d(
    input: Tensor,
    kernel_size: Size,
    stride: Size | None = None,
    padding: Size = 0,
    dilation: Size = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Any:
    """max_pool2d over the last axis of (N, C, L) or (C, L) input."""
    return max_pool_any(input, kernel_size, stride, padding, dilation, ceil_mode,
                        return_indices, 1, "max_pool1d")  # fmt: skip


def avg_pool2d(
    input: Tensor,
    kernel_size: Size,
    stride: Size | None = None,
    padding: Size = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> Tensor:
    """The mean of each kh x kw window of (N, C, H, W) or (C, H, W) input; stride defaults to
    kernel_size. The divisor is the window's size within the padded input (with ceil_mode a
    last window may be cut short), within the input if count_include_pad=False, or
    divisor_override. PyTorch's arguments, in its order."""
    return avg_pool_any(input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                        divisor_override, 2, "avg_pool2d")  # fmt: skip


def avg_pool1d(
    input: Tensor,
    kernel_size: Size,
    stride: Size | None = None,
    padding: Size = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
) -> Tensor:
    """avg_pool2d over the last axis of (N, C, L) or (C, L) input (no divisor_override, as in
    PyTorch)."""
    return avg_pool_any(input, kernel_size, stride, padding, ceil_mode, count_include_pad, None,
                        1, "avg_pool1d")  # fmt: skip


def max_pool3d(
    input: Tensor,
    kernel_size: Size,
    stride: Size | None = None,
    padding: Size = 0,
    dilation: Size = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Any:
    """The maximum of each (dilated) kd x kh x kw window of (N, C, D, H, W) or (C, D, H, W)
    input; stride defaults to kernel_size, padding never wins. The gradient goes to each
    window's first maximum. With return_indices, also each winner's flat position
    d H W + h W + w in its input volume (int64), for max_unpool3d."""
    return max_pool_any(input, kernel_size, stride, padding, dilation, ceil_mode,
                        return_indices, 3, "max_pool3d")  # fmt: skip


def _with_indices(dims: int) -> Any:
    def max_pool_with_indices(
        input: Tensor,
        kernel_size: Size,
        stride: Size | None = None,
        padding: Size = 0,
        dilation: Size = 1,
        ceil_mode: bool = False,
        return_indices: bool = False,
    ) -> tuple[Tensor, Tensor]:
        return _max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, dims,
                         f"max_pool{dims}d_with_indices")  # fmt: skip

    max_pool_with_indices.__name__ = max_pool_with_indices.__qualname__ = (
        f"max_pool{dims}d_with_indices"
    )
    max_pool_with_indices.__doc__ = (
        f"max_pool{dims}d that always returns (values, int64 indices), as PyTorch's: the "
        "indices are flat positions in each input plane; ceil_mode and dilation as PyTorch's."
    )
    return max_pool_with_indices


max_pool1d_with_indices = _with_indices(1)
max_pool2d_with_indices = _with_indices(2)
max_pool3d_with_indices = _with_indices(3)


def avg_pool3d(
    input: Tensor,
    kernel_size: Size,
    stride: Size | None = None,
    padding: Size = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> Tensor:
    """The mean of each kd x kh x kw window of (N, C, D, H, W) or (C, D, H, W) input; stride
    defaults to kernel_size. The divisor is the window's size within the padded input (with
    ceil_mode a last window may be cut short), within the input if count_include_pad=False, or
    divisor_override if given."""
    return avg_pool_any(input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                        divisor_override, 3, "avg_pool3d")  # fmt: skip


def _lp_pool(
    input: Any, norm_type: float, kernel_size: Size, stride: Size | None, ceil_mode: bool,
    dims: int,
) -> Tensor:  # fmt: skip
    """PyTorch's power average: (sum of x^p over the window)^(1/p), computed as
    (sign(a) relu(|a|) k)^(1/p) with a = avg_pool(x^p) and k the kernel's size; p = inf is
    max_pool(|x|), p = -inf is -max_pool(-|x|)."""
    who = f"lp_pool{dims}d"
    p = check_real(norm_type, who, "norm_type")
    x = _as_tensor(input, who)
    if p == math.inf:
        return _max_pool(x.abs(), kernel_size, stride, 0, 1, ceil_mode, dims, who)[0]
    if p == -math.inf:
        return -_max_pool(-x.abs(), kernel_size, stride, 0, 1, ceil_mode, dims, who)[0]
    k = math.prod(_ints(kernel_size, dims, "kernel_size", who, 1))
    a = _avg_pool(x**p, kernel_size, stride, 0, ceil_mode, True, None, dims, who)
    return (a.sign() * a.abs().relu() * k) ** (1.0 / p)


def lp_pool1d(
    input: Tensor,
    norm_type: float,
    kernel_size: int,
    stride: Size | None = None,
    ceil_mode: bool = False,
) -> Tensor:
    """(sum over each window of x^p)^(1/p) along the last axis of (N, C, L) or (C, L) input
    (p = norm_type; p = 1 is sum pooling, p = inf max pooling of |x|), as PyTorch computes it:
    avg_pool1d(x^p) times the kernel size, to the 1/p."""
    return _lp_pool(input, norm_type, kernel_size, stride, ceil_mode, 1)


def lp_pool2d(
    input: Tensor,
    norm_type: float,
    kernel_size: Size,
    stride: Size | None = None,
    ceil_mode: bool = False,
) -> Tensor:
    """(sum over each kh x kw window of x^p)^(1/p) of (N, C, H, W) or (C, H, W) input, as
    PyTorch computes it: avg_pool2d(x^p) times kh kw, to the 1/p."""
    return _lp_pool(input, norm_type, kernel_size, stride, ceil_mode, 2)


def lp_pool3d(
    input: Tensor,
    norm_type: float,
    kernel_size: Size,
    stride: Size | None = None,
    ceil_mode: bool = False,
) -> Tensor:
    """(sum over each kd x kh x kw window of x^p)^(1/p) of (N, C, D, H, W) or (C, D, H, W)
    input, as PyTorch computes it: avg_pool3d(x^p) times kd kh kw, to the 1/p."""
    return _lp_pool(input, norm_type, kernel_size, stride, ceil_mode, 3)


def adaptive_avg_pool3d(input: Tensor, output_size: Any) -> Tensor:
    """The mean over adaptive windows along D, H and W (start = floor(i in / out), end =
    ceil((i + 1) in / out); output_size an int or (od, oh, ow), None keeps a size), for
    (C, D, H, W) or (N, C, D, H, W) input."""
    return _adaptive_avg(input, output_size, 3)


def adaptive_max_pool3d(input: Tensor, output_size: Any, return_indices: bool = False) -> Any:
    """The max over adaptive windows along D, H and W; with return_indices, also each maximum's
    flat position d H W + h W + w in its input volume (int64), as PyTorch."""
    return _adaptive_max(input, output_size, 3, return_indices)


def adaptive_max_pool1d_with_indices(
    input: Tensor, output_size: Any, return_indices: bool = False
) -> tuple[Tensor, Tensor]:
    """adaptive_max_pool1d that always returns (values, int64 indices), as PyTorch's."""
    return _adaptive_max(input, output_size, 1, True)


def adaptive_max_pool2d_with_indices(
    input: Tensor, output_size: Any, return_indices: bool = False
) -> tuple[Tensor, Tensor]:
    """adaptive_max_pool2d that always returns (values, int64 indices), as PyTorch's."""
    return _adaptive_max(input, output_size, 2, True)


def adaptive_max_pool3d_with_indices(
    input: Tensor, output_size: Any, return_indices: bool = False
) -> tuple[Tensor, Tensor]:
    """adaptive_max_pool3d that always returns (values, int64 indices), as PyTorch's."""
    return _adaptive_max(input, output_size, 3, True)


# ---------------------------------------------------------------------------------------------
# modules
# ---------------------------------------------------------------------------------------------


class _LPPoolNd(Module):
    dims = 1

    def __init__(
        self, norm_type: float, kernel_size: Size, stride: Size | None = None,
        ceil_mode: bool = False,
    ) -> None:  # fmt: skip
        super().__init__()
        who = type(self).__name__
        check_real(norm_type, who, "norm_type")
        self.norm_type = norm_type  # (as given: PyTorch's repr shows 2, not 2.0)
        _ints(kernel_size, self.dims, "kernel_size", who, 1)
        if stride is not None:
            _ints(stride, self.dims, "stride", who, 1)
        self.kernel_size, self.stride, self.ceil_mode = kernel_size, stride, bool(ceil_mode)

    def forward(self, x: Tensor) -> Tensor:
        return _lp_pool(x, self.norm_type, self.kernel_size, self.stride, self.ceil_mode,
                        self.dims)  # fmt: skip

    def extra_repr(self) -> str:
        return (f"norm_type={self.norm_type}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}, ceil_mode={self.ceil_mode}")  # fmt: skip


class LPPool1d(_LPPoolNd):
    """F.lp_pool1d as a module: LPPool1d(norm_type, kernel_size, stride=None, ceil_mode=False)."""

    dims = 1


class LPPool2d(_LPPoolNd):
    """F.lp_pool2d as a module: LPPool2d(norm_type, kernel_size, stride=None, ceil_mode=False)."""

    dims = 2


class LPPool3d(_LPPoolNd):
    """F.lp_pool3d as a module: LPPool3d(norm_type, kernel_size, stride=None, ceil_mode=False)."""

    dims = 3


class AdaptiveAvgPool3d(_AdaptivePoolNd):
    """F.adaptive_avg_pool3d as a module (output_size an int or (od, oh, ow), None keeps a
    size)."""

    def forward(self, x: Tensor) -> Tensor:
        return adaptive_avg_pool3d(x, self.output_size)


class AdaptiveMaxPool3d(_AdaptiveMaxPoolNd):
    """F.adaptive_max_pool3d as a module."""

    def forward(self, x: Tensor) -> Any:
        return adaptive_max_pool3d(x, self.output_size, self.return_indices)
