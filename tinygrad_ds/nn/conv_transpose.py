"""Transposed convolution and pixel shuffling, with PyTorch's names, shapes and defaults.

conv_transpose   F.conv_transpose1d, F.conv_transpose2d, ConvTranspose1d, ConvTranspose2d
pixel shuffle    F.pixel_shuffle, F.pixel_unshuffle, PixelShuffle, PixelUnshuffle
max unpooling    F.max_unpool1d, F.max_unpool2d, MaxUnpool1d, MaxUnpool2d

A transposed convolution is the adjoint of conv2d with respect to its input: y = A^T x where
conv2d(z, w) = A z. That is exactly the existing primitive `Conv2dInputGrad` (ops/conv.py),
whose backward is written with `Conv2d` and `Conv2dWeightGrad`, so gradients and second
derivatives come free. The output size is (in - 1) s - 2 p + d (k - 1) + output_padding + 1;
output_padding adds rows at the bottom (and columns at the right), which the adjoint fills when
they fall inside the padding and which are zero beyond it. Pixel shuffling is a reshape and a
permute; max unpooling writes each value at its flat index into a zero plane (a scatter).
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from ..ops.conv import Conv2dInputGrad, Geometry, Size, _as_tensor, _batched, _ints
from ..tensor import Tensor
from .conv import _ConvNd
from .module import Module, check_int

__all__ = [
    "conv_transpose1d", "conv_transpose2d", "ConvTranspose1d", "ConvTranspose2d",
    "pixel_shuffle", "pixel_unshuffle", "PixelShuffle", "PixelUnshuffle",
    "max_unpool1d", "max_unpool2d", "MaxUnpool1d", "MaxUnpool2d",
]  # fmt: skip


# ---------------------------------------------------------------------------------------------
# transposed convolution
# ---------------------------------------------------------------------------------------------


def _check_output_padding(extra: tuple, stride: tuple, dilation: tuple, who: str) -> None:
    """PyTorch's rule: each output_padding is smaller than its stride or its dilation."""
    if any(o >= s and o >= d for o, s, d in zip(extra, stride, dilation)):
        raise ValueError(
            f"{who}: output_padding must be smaller than either stride or dilation, got "
            f"output_padding={extra}, stride={stride}, dilation={dilation}"
        )


class _Transposed(NamedTuple):
    """A transposed convolution's checked arguments and the convolution it is the adjoint of:
    one whose padded input is `inner` framed by (pads, after) per axis; `beyond` zeros follow
    (output_padding rows past the padding, which get no contribution)."""

    x: Tensor
    w: Tensor
    b: Tensor | None
    unbatched: bool
    c_out: int
    kernel: tuple[int, ...]
    stride: tuple[int, ...]
    pads: tuple[int, ...]
    dilation: tuple[int, ...]
    inner: list[int]
    after: list[int]
    beyond: list[int]


def _transposed(
    input: Any,
    weight: Any,
    bias: Any,
    stride: Size,
    padding: Size,
    output_padding: Size,
    groups: int,
    dilation: Size,
    dims: int,
    who: str,
) -> _Transposed:
    """conv_transpose{dims}d's arguments checked (errors name `who`), for any number of dims."""
    x, w = _as_tensor(input, who), _as_tensor(weight, who)
    if w.ndim != dims + 2:
        raise ValueError(f"{who}: weight must be {dims + 2}-D (in, out/groups, *kernel), got "
                         f"shape {w.shape}")  # fmt: skip
    x, unbatched = _batched(x, dims, who)
    if isinstance(groups, bool) or not isinstance(groups, (int, np.integer)) or groups < 1:
        raise ValueError(f"{who}: groups must be a positive int, got {groups!r}")
    c_in, c_group = w.shape[:2]
    if x.shape[1] != c_in:
        raise ValueError(f"{who}: input has {x.shape[1]} channels but weight expects {c_in} "
                         f"(weight shape {w.shape})")  # fmt: skip
    if c_in % groups:
        raise ValueError(f"{who}: {c_in} input channels (weight shape {w.shape}) are not "
                         f"divisible by groups={groups}")  # fmt: skip
    c_out = c_group * groups
    b = None if bias is None else _as_tensor(bias, who)
    if b is not None and b.shape != (c_out,):
        raise ValueError(f"{who}: bias must have shape ({c_out},), got {b.shape}")
    kernel = w.shape[2:]
    if min(kernel) < 1:
        raise ValueError(f"{who}: kernel size must be >= 1, got {kernel} (weight shape {w.shape})")
    stride = _ints(stride, dims, "stride", who, 1)
    pads = _ints(padding, dims, "padding", who, 0)
    extra = _ints(output_padding, dims, "output_padding", who, 0)
    dilation = _ints(dilation, dims, "dilation", who, 1)
    _check_output_padding(extra, stride, dilation, who)
    sizes = [
        (n - 1) * s - 2 * p + d * (k - 1) + o + 1
        for n, s, p, d, k, o in zip(x.shape[2:], stride, pads, dilation, kernel, extra)
    ]
    if min(sizes) < 1:
        raise ValueError(f"{who}: the output size {tuple(sizes)} is too small (input shape "
                         f"{x.shape}, kernel {kernel}, padding {pads})")  # fmt: skip
    # the adjoint of a convolution of an input of size `inner` padded by (p, max(p - o, 0)); the
    # output_padding rows past the padding (o - p of them) get no contribution: zeros
    beyond = [max(o - p, 0) for o, p in zip(extra, pads)]
    inner = [n - e for n, e in zip(sizes, beyond)]
    after = [max(p - o, 0) for o, p in zip(extra, pads)]
    return _Transposed(x, w, b, unbatched, c_out, kernel, stride, pads, dilation, inner, after,
                       beyond)  # fmt: skip


def _transposed_end(out: Tensor, t: _Transposed) -> Tensor:
    """The adjoint's output with the `beyond` zeros, the bias, and without an added batch dim."""
    if any(t.beyond):
        out = out.pad(((0, 0), (0, 0), *((0, e) for e in t.beyond)))
    if t.b is not None:
        out = out + t.b.reshape(1, t.c_out, *(1,) * len(t.beyond))
    return out.squeeze(0) if t.unbatched else out


def _conv_transpose(
    input: Any,
    weight: Any,
    bias: Any,
    stride: Size,
    padding: Size,
    output_padding: Size,
    groups: int,
    dilation: Size,
    dims: int,
    who: str,
) -> Tensor:
    """conv_transpose{dims}d (1 or 2 dims): check the arguments (errors name `who`), then the
    adjoint of a 2-D convolution (1-D inputs become height 1)."""
    t = _transposed(input, weight, bias, stride, padding, output_padding, groups, dilation, dims,
                    who)  # fmt: skip
    x, w, kernel, stride, dilation = t.x, t.w, t.kernel, t.stride, t.dilation
    pads, after, inner = t.pads, t.after, t.inner
    if dims == 1:
        x, w = x.unsqueeze(2), w.unsqueeze(2)
        inner, kernel, stride, dilation = [1, *inner], (1, *kernel), (1, *stride), (1, *dilation)
        pads, after = (0, *pads), [0, *after]
    geo = Geometry(
        tuple(inner), tuple(kernel), tuple(stride),
        (pads[0], after[0], pads[1], after[1]), tuple(dilation), groups,
    )  # fmt: skip
    out = Conv2dInputGrad.apply(x, w, geo=geo)
    if dims == 1:
        out = out.squeeze(2)
    return _transposed_end(out, t)


def conv_transpose2d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: Size = 1,
    padding: Size = 0,
    output_padding: Size = 0,
    groups: int = 1,
    dilation: Size = 1,
) -> Tensor:
    """2-D transposed convolution (the adjoint of conv2d in its input; "deconvolution") of
    (N, C_in, H, W) or (C_in, H, W) input with weight (C_in, C_out/groups, kh, kw) and optional
    bias (C_out,): H_out = (H - 1) s - 2 p + d (kh - 1) + output_padding + 1."""
    return _conv_transpose(input, weight, bias, stride, padding, output_padding, groups,
                           dilation, 2, "conv_transpose2d")  # fmt: skip


def conv_transpose1d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: Size = 1,
    padding: Size = 0,
    output_padding: Size = 0,
    groups: int = 1,
    dilation: Size = 1,
) -> Tensor:
    """1-D transposed convolution of (N, C_in, L) or (C_in, L) input with weight
    (C_in, C_out/groups, k): L_out = (L - 1) s - 2 p + d (k - 1) + output_padding + 1."""
    return _conv_transpose(input, weight, bias, stride, padding, output_padding, groups,
                           dilation, 1, "conv_transpose1d")  # fmt: skip


class _ConvTransposeNd(_ConvNd):
    """The shared body of ConvTranspose1d and ConvTranspose2d: weight (in, out/groups, *k)."""

    dims = 2

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: Size,
        stride: Size = 1,
        padding: Size = 0,
        output_padding: Size = 0,
        groups: int = 1,
        bias: bool = True,
        dilation: Size = 1,
        padding_mode: str = "zeros",
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        kind = type(self).__name__
        if padding_mode != "zeros":
            raise ValueError(f'{kind}: only "zeros" padding mode is supported, got '
                             f"{padding_mode!r}")  # fmt: skip
        if isinstance(padding, str):
            raise ValueError(f"{kind}: padding must be an int or a tuple of ints, got {padding!r}")
        extra = _ints(output_padding, self.dims, "output_padding", kind, 0)
        # (PyTorch's init, through _ConvNd's, has fan_in = out_channels / groups * prod(k))
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, padding_mode, device, dtype)  # fmt: skip
        _check_output_padding(extra, self.stride, self.dilation, kind)
        self.output_padding = extra

    def _weight_shape(self) -> tuple[int, ...]:
        """(in_channels, out_channels / groups, *kernel_size): the adjoint's weight."""
        return (self.in_channels, self.out_channels // self.groups, *self.kernel_size)

    def _sizes_to_padding(self, x: Tensor, output_size: Any) -> tuple[int, ...]:
        """The output_padding that gives `output_size` (PyTorch's forward(input, output_size))."""
        kind = self._name()
        sizes = list(output_size)[-self.dims :]
        sizes = [check_int(n, kind, "output_size") for n in sizes]
        if len(sizes) != self.dims:
            raise ValueError(f"{kind}: output_size must have {self.dims} or more entries, got "
                             f"{output_size!r}")  # fmt: skip
        extra = []
        for n_in, n, s, p, d, k in zip(x.shape[-self.dims :], sizes, self.stride, self.padding,
                                       self.dilation, self.kernel_size):  # fmt: skip
            low = (n_in - 1) * s - 2 * p + d * (k - 1) + 1
            if not low <= n < low + s:
                raise ValueError(
                    f"{kind}: requested an output size of {tuple(sizes)}, but valid sizes run "
                    f"from the minimum to the minimum + stride - 1 (here {n} is not in "
                    f"[{low}, {low + s - 1}])"
                )
            extra.append(n - low)
        return tuple(extra)

    def forward(self, input: Tensor, output_size: Any = None) -> Tensor:
        extra = self.output_padding
        if output_size is not None:
            extra = self._sizes_to_padding(_as_tensor(input, self._name()), output_size)
        return _conv_transpose(
            input, self.weight, self.bias, self.stride, self.padding, extra, self.groups,
            self.dilation, self.dims, self._name(),
        )  # fmt: skip


class ConvTranspose2d(_ConvTransposeNd):
    """2-D transposed convolution of (N, C_in, H, W) or (C_in, H, W) input: `weight` of shape
    (in_channels, out_channels / groups, kh, kw), `bias` of shape (out_channels,);
    forward(input, output_size=None) picks output_padding to reach output_size if given."""

    dims = 2


class ConvTranspose1d(_ConvTransposeNd):
    """1-D transposed convolution of (N, C_in, L) or (C_in, L) input: `weight` of shape
    (in_channels, out_channels / groups, k), `bias` of shape (out_channels,)."""

    dims = 1


# ---------------------------------------------------------------------------------------------
# pixel shuffle
# ---------------------------------------------------------------------------------------------


def _factor(value: Any, who: str, name: str) -> int:
    r = check_int(value, who, name)
    if r < 1:
        raise ValueError(f"{who}: {name} must be a positive int, got {r}")
    return r


def pixel_shuffle(input: Tensor, upscale_factor: int) -> Tensor:
    """(*, C r^2, H, W) -> (*, C, H r, W r): out[..., c, h r + i, w r + j] =
    x[..., c r^2 + i r + j, h, w] (Shi et al. 2016, sub-pixel convolution); a reshape and a
    permute."""
    who = "pixel_shuffle"
    x, r = _as_tensor(input, who), _factor(upscale_factor, who, "upscale_factor")
    if x.ndim < 3:
        raise ValueError(f"{who}: expected an input of 3 or more dims (*, C, H, W), got shape "
                         f"{x.shape}")  # fmt: skip
    *batch, c, h, w = x.shape
    if c % (r * r):
        raise ValueError(f"{who}: the channel dim ({c}, input shape {x.shape}) must be "
                         f"divisible by upscale_factor squared ({r * r})")  # fmt: skip
    k = len(batch)
    y = x.reshape(*batch, c // (r * r), r, r, h, w)
    y = y.permute(*range(k), k, k + 3, k + 1, k + 4, k + 2)
    return y.reshape(*batch, c // (r * r), h * r, w * r)


def pixel_unshuffle(input: Tensor, downscale_factor: int) -> Tensor:
    """(*, C, H r, W r) -> (*, C r^2, H, W), the inverse of pixel_shuffle:
    out[..., c r^2 + i r + j, h, w] = x[..., c, h r + i, w r + j]."""
    who = "pixel_unshuffle"
    x, r = _as_tensor(input, who), _factor(downscale_factor, who, "downscale_factor")
    if x.ndim < 3:
        raise ValueError(f"{who}: expected an input of 3 or more dims (*, C, H, W), got shape "
                         f"{x.shape}")  # fmt: skip
    *batch, c, h, w = x.shape
    if h % r or w % r:
        raise ValueError(f"{who}: the height and width ({h}, {w}, input shape {x.shape}) must "
                         f"be divisible by downscale_factor ({r})")  # fmt: skip
    k = len(batch)
    y = x.reshape(*batch, c, h // r, r, w // r, r)
    y = y.permute(*range(k), k, k + 2, k + 4, k + 1, k + 3)
    return y.reshape(*batch, c * r * r, h // r, w // r)


class PixelShuffle(Module):
    """(*, C r^2, H, W) -> (*, C, H r, W r) with r = upscale_factor (see F.pixel_shuffle)."""

    def __init__(self, upscale_factor: int) -> None:
        super().__init__()
        self.upscale_factor = _factor(upscale_factor, "PixelShuffle", "upscale_factor")

    def forward(self, input: Tensor) -> Tensor:
        return pixel_shuffle(input, self.upscale_factor)

    def extra_repr(self) -> str:
        return f"upscale_factor={self.upscale_factor}"


class PixelUnshuffle(Module):
    """(*, C, H r, W r) -> (*, C r^2, H, W) with r = downscale_factor (see F.pixel_unshuffle)."""

    def __init__(self, downscale_factor: int) -> None:
        super().__init__()
        self.downscale_factor = _factor(downscale_factor, "PixelUnshuffle", "downscale_factor")

    def forward(self, input: Tensor) -> Tensor:
        return pixel_unshuffle(input, self.downscale_factor)

    def extra_repr(self) -> str:
        return f"downscale_factor={self.downscale_factor}"


# ---------------------------------------------------------------------------------------------
# max unpooling
# ---------------------------------------------------------------------------------------------


def _max_unpool(
    input: Any, indices: Any, kernel_size: Size, stride: Size | None, padding: Size,
    output_size: Any, dims: int, who: str,
) -> Tensor:  # fmt: skip
    """Each input value written at its flat index (h W_out + w) into a zero plane of the output
    size, per (batch, channel); PyTorch's default and allowed output sizes."""
    x = _as_tensor(input, who)
    idx = np.asarray(indices.data if isinstance(indices, Tensor) else indices)
    if x.ndim not in (dims + 1, dims + 2):
        raise ValueError(f"{who}: expected a {dims + 1}-D or {dims + 2}-D input, got shape "
                         f"{x.shape}")  # fmt: skip
    if idx.shape != x.shape or not np.issubdtype(idx.dtype, np.integer):
        raise ValueError(f"{who}: indices must be integers of the input's shape {x.shape}, got "
                         f"shape {idx.shape} and dtype {idx.dtype}")  # fmt: skip
    kernel = _ints(kernel_size, dims, "kernel_size", who, 1)
    stride = kernel if stride is None else _ints(stride, dims, "stride", who, 1)
    pads = _ints(padding, dims, "padding", who, 0)
    spatial = x.shape[-dims:]
    default = [(n - 1) * s - 2 * p + k for n, s, p, k in zip(spatial, stride, pads, kernel)]
    sizes = default
    if output_size is not None:
        sizes = [check_int(n, who, "output_size") for n in list(output_size)[-dims:]]
        if len(list(output_size)) not in (dims, x.ndim):
            raise ValueError(f"{who}: output_size must have {dims} or {x.ndim} entries, got "
                             f"{output_size!r}")  # fmt: skip
        for d, (n, low, s) in enumerate(zip(sizes, default, stride)):
            if not low - s < n < low + s:
                raise ValueError(f"{who}: invalid output_size {tuple(sizes)} (dim {d} must be "
                                 f"between {low - s} and {low + s})")  # fmt: skip
    plane = int(np.prod(sizes))
    if idx.size and (idx.min() < 0 or idx.max() >= plane):
        bad = idx.min() if idx.min() < 0 else idx.max()
        raise ValueError(f"{who}: found an invalid max index {bad} (output planes are of size "
                         f"{'x'.join(map(str, sizes))})")  # fmt: skip
    lead = x.shape[:-dims]
    flat = x.reshape(*lead, -1)
    zeros = Tensor._make(np.zeros((*lead, plane), dtype=x.dtype), None)
    out = zeros.scatter(-1, idx.reshape(*lead, -1).astype(np.int64), flat)
    return out.reshape(*lead, *sizes)


def max_unpool2d(
    input: Tensor,
    indices: Any,
    kernel_size: Size,
    stride: Size | None = None,
    padding: Size = 0,
    output_size: Any = None,
) -> Tensor:
    """The partial inverse of max_pool2d: out[n, c].flat[indices[n, c, i, j]] = x[n, c, i, j],
    zero elsewhere; the output is (H - 1) s - 2 p + k high (wide) unless output_size says
    otherwise (within a stride of that). Indices are flat positions in each H_out x W_out
    plane, as PyTorch's max_pool2d(return_indices=True) gives them. Where an index repeats
    (overlapping windows), the last write wins and alone gets the gradient (PyTorch gives each
    the gradient there)."""
    return _max_unpool(input, indices, kernel_size, stride, padding, output_size, 2,
                       "max_unpool2d")  # fmt: skip


def max_unpool1d(
    input: Tensor,
    indices: Any,
    kernel_size: Size,
    stride: Size | None = None,
    padding: Size = 0,
    output_size: Any = None,
) -> Tensor:
    """max_unpool2d along the last axis of (N, C, L) or (C, L) input: out[n, c, indices] = x."""
    return _max_unpool(input, indices, kernel_size, stride, padding, output_size, 1,
                       "max_unpool1d")  # fmt: skip


class MaxUnpool2d(Module):
    """The partial inverse of MaxPool2d (see F.max_unpool2d); forward(input, indices,
    output_size=None)."""

    dims = 2

    def __init__(self, kernel_size: Size, stride: Size | None = None, padding: Size = 0) -> None:
        super().__init__()
        kind = type(self).__name__
        self.kernel_size = _ints(kernel_size, self.dims, "kernel_size", kind, 1)
        self.stride = (
            self.kernel_size if stride is None else _ints(stride, self.dims, "stride", kind, 1)
        )
        self.padding = _ints(padding, self.dims, "padding", kind, 0)

    def forward(self, input: Tensor, indices: Any, output_size: Any = None) -> Tensor:
        return _max_unpool(input, indices, self.kernel_size, self.stride, self.padding,
                           output_size, self.dims, type(self).__name__)  # fmt: skip

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxUnpool1d(MaxUnpool2d):
    """The partial inverse of MaxPool1d (see F.max_unpool1d)."""

    dims = 1
