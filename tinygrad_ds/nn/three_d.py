"""Volumes (N, C, D, H, W): 3-D convolution, normalisation, channel dropout, padding and max
unpooling, with PyTorch's names, shapes and defaults (3-D pooling is in three_d_pool.py).

conv3d              F.conv3d, Conv3d; F.conv_transpose3d, ConvTranspose3d
normalisation       BatchNorm3d, InstanceNorm3d (the 1-D layers on more position dims)
dropout             F.dropout3d, Dropout3d (whole channels)
padding             ConstantPad3d, ZeroPad3d, ReflectionPad3d, ReplicationPad3d, CircularPad3d
max unpooling       F.max_unpool3d, MaxUnpool3d

A 3-D convolution is a 2-D one with the depth folded into the channels: the kd depth slices
that each output depth reads (strided slices of the depth-padded input, stacked) become
C kd channels of an (N od, C kd, H, W) input, and the weight (F, C/g, kd, kh, kw) is read as
(F, C/g kd, kh, kw); the existing `Conv2d` primitive (ops/conv.py) does the rest. Everything is
composed from it, slicing, stacking and reshapes, so gradients and second derivatives come
free. The transposed convolution is its adjoint: `Conv2dInputGrad` on the folded input, then
each depth slice added back where it was read from.
"""

from __future__ import annotations

import warnings
from typing import Any

from ..functions import stack
from ..ops.conv import (
    Conv2d,
    Conv2dInputGrad,
    Geometry,
    Size,
    _as_tensor,
    _check_fits,
    _conv_args,
    _geometry,
)
from ..ops.movement import ScatterAdd
from ..tensor import Tensor
from .conv import _ConvNd
from .conv_transpose import (
    MaxUnpool2d,
    _ConvTransposeNd,
    _max_unpool,
    _transposed,
    _transposed_end,
)
from .dropout import _check_dropout, _DropoutNd, _feature_dropout, _in_place
from .normalization import BatchNorm1d
from .normalization_more import InstanceNorm1d
from .sampling import _ConstantPadNd, _ModePadNd, _ZeroPadNd

__all__ = [
    "conv3d", "conv_transpose3d", "dropout3d", "max_unpool3d", "Conv3d", "ConvTranspose3d",
    "BatchNorm3d", "InstanceNorm3d", "Dropout3d", "ConstantPad3d", "ZeroPad3d",
    "ReflectionPad3d", "ReplicationPad3d", "CircularPad3d", "MaxUnpool3d",
]  # fmt: skip

# ---------------------------------------------------------------------------------------------
# convolution
# ---------------------------------------------------------------------------------------------


def _depth_slices(x: Tensor, kd: int, stride: int, dilation: int, od: int) -> list[Tensor]:
    """For each depth offset a of the kernel, the input depths a d + i s (i < od) it meets."""
    return [
        x[:, :, a * dilation : a * dilation + stride * (od - 1) + 1 : stride] for a in range(kd)
    ]


def _fold_depth(slices: list[Tensor]) -> Tensor:
    """kd slices (N, C, od, H, W) -> (N od, C kd, H, W), channel c kd + a from slice a."""
    n, c, od, h, w = slices[0].shape
    if len(slices) == 1:
        return slices[0].permute(0, 2, 1, 3, 4).reshape(n * od, c, h, w)
    stacked = stack(slices, axis=3)  # (N, C, od, kd, H, W)
    return stacked.permute(0, 2, 1, 3, 4, 5).reshape(n * od, c * len(slices), h, w)


def _conv3d(
    input: Any, weight: Any, bias: Any, stride: Size, padding: Size | str, dilation: Size,
    groups: int, who: str,
) -> Tensor:  # fmt: skip
    """conv3d with the arguments checked (errors name `who`)."""
    x, w = _as_tensor(input, who), _as_tensor(weight, who)
    shape = x.shape  # as the caller gave it, for messages
    if w.ndim != 5:
        raise ValueError(f"{who}: weight must be 5-D (out, in/groups, kd, kh, kw), got shape "
                         f"{w.shape}")  # fmt: skip
    x, unbatched, stride, dilation, pads = _conv_args(
        x, w, bias, stride, padding, dilation, groups, 3, who
    )
    kernel = w.shape[2:]
    _check_fits(x.shape[2:], kernel, pads, dilation, shape, who)
    (before, after), kd, sd, dd = pads[0], kernel[0], stride[0], dilation[0]
    if before or after:
        x = x.pad(((0, 0), (0, 0), (before, after), (0, 0), (0, 0)))
    od = (x.shape[2] - dd * (kd - 1) - 1) // sd + 1
    folded = _fold_depth(_depth_slices(x, kd, sd, dd, od))
    geo = _geometry(folded, kernel[1:], stride[1:], pads[1:], dilation[1:], groups, shape, who)
    f, c_group = w.shape[:2]
    w2 = w.reshape(f, c_group * kd, *kernel[1:])
    args = (folded, w2) if bias is None else (folded, w2, _as_tensor(bias, who))
    out = Conv2d.apply(*args, geo=geo)  # (N od, F, oh, ow)
    out = out.reshape(x.shape[0], od, f, *geo.out_hw).permute(0, 2, 1, 3, 4)
    return out.squeeze(0) if unbatched else out


def conv3d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: Size = 1,
    padding: Size | str = 0,
    dilation: Size = 1,
    groups: int = 1,
) -> Tensor:
    """3-D convolution (cross-correlation, as PyTorch) of (N, C, D, H, W) or (C, D, H, W)
    input with weight (F, C/groups, kd, kh, kw) and optional bias (F,):
    y[n,f,i,j,k] = b[f] + sum_{c,p,q,r} w[f,c,p,q,r] x_pad[n, g(f) C/G + c, s i + d p, ...];
    D_out = (D + 2 p - d (kd - 1) - 1) // s + 1 (and so for H, W); padding may be 'valid' or
    'same' (stride 1)."""
    return _conv3d(input, weight, bias, stride, padding, dilation, groups, "conv3d")


class Conv3d(_ConvNd):
    """3-D convolution of (N, C_in, D, H, W) or (C_in, D, H, W) input (see F.conv3d): `weight`
    of shape (out_channels, in_channels / groups, kd, kh, kw), `bias` of shape (out_channels,);
    PyTorch's initialisation, as Conv2d's."""

    dims = 3

    def _convolve(self, x: Tensor, padding: Any) -> Tensor:
        return _conv3d(x, self.weight, self.bias, self.stride, padding, self.dilation,
                       self.groups, self._name())  # fmt: skip


def _conv_transpose3d(
    input: Any, weight: Any, bias: Any, stride: Size, padding: Size, output_padding: Size,
    groups: int, dilation: Size, who: str,
) -> Tensor:  # fmt: skip
    """conv_transpose3d with the arguments checked (errors name `who`): `_conv3d`'s steps
    undone in reverse, each by its adjoint (the folded 2-D convolution by `Conv2dInputGrad`,
    each depth slice added back where it was read)."""
    if isinstance(padding, str):
        raise ValueError(f"{who}: padding must be an int or a tuple of ints, got {padding!r}")
    t = _transposed(input, weight, bias, stride, padding, output_padding, groups, dilation, 3,
                    who)  # fmt: skip
    (n, c_in, od, h, w), (kd, *k2) = t.x.shape, t.kernel
    (pd, *p2), (ad, *a2), (sd, *s2), (dd, *d2) = t.pads, t.after, t.stride, t.dilation
    geo = Geometry(tuple(t.inner[1:]), tuple(k2), tuple(s2), (p2[0], a2[0], p2[1], a2[1]),
                   tuple(d2), groups)  # fmt: skip
    folded = t.x.permute(0, 2, 1, 3, 4).reshape(n * od, c_in, h, w)
    w2 = t.w.reshape(c_in, t.w.shape[1] * kd, *k2)  # channel c kd + a: depth offset a
    cols = Conv2dInputGrad.apply(folded, w2, geo=geo)  # (N od, C_out kd, H', W')
    cols = cols.reshape(n, od, t.c_out, kd, *cols.shape[2:]).permute(0, 2, 3, 1, 4, 5)
    shape = (n, t.c_out, pd + t.inner[0] + ad, *cols.shape[4:])
    out = None
    for a in range(kd):  # depth offset a read depths a d + i s: add its slice back there
        index = (slice(None), slice(None), slice(a * dd, a * dd + sd * (od - 1) + 1, sd))
        piece = ScatterAdd.apply(cols[:, :, a], index=index, shape=shape)
        out = piece if out is None else out + piece
    return _transposed_end(out[:, :, pd : pd + t.inner[0]], t)


def conv_transpose3d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: Size = 1,
    padding: Size = 0,
    output_padding: Size = 0,
    groups: int = 1,
    dilation: Size = 1,
) -> Tensor:
    """3-D transposed convolution (the adjoint of conv3d in its input) of (N, C_in, D, H, W) or
    (C_in, D, H, W) input with weight (C_in, C_out/groups, kd, kh, kw) and optional bias
    (C_out,): D_out = (D - 1) s - 2 p + d (kd - 1) + output_padding + 1 (and so for H, W)."""
    return _conv_transpose3d(input, weight, bias, stride, padding, output_padding, groups,
                             dilation, "conv_transpose3d")  # fmt: skip


class ConvTranspose3d(_ConvTransposeNd):
    """3-D transposed convolution of (N, C_in, D, H, W) or (C_in, D, H, W) input: `weight` of
    shape (in_channels, out_channels / groups, kd, kh, kw), `bias` of shape (out_channels,);
    forward(input, output_size=None) picks output_padding to reach output_size if given."""

    dims = 3

    def forward(self, input: Tensor, output_size: Any = None) -> Tensor:
        extra = self.output_padding
        if output_size is not None:
            extra = self._sizes_to_padding(_as_tensor(input, self._name()), output_size)
        return _conv_transpose3d(input, self.weight, self.bias, self.stride, self.padding, extra,
                                 self.groups, self.dilation, self._name())  # fmt: skip


# ---------------------------------------------------------------------------------------------
# normalisation, channel dropout, padding, max unpooling
# ---------------------------------------------------------------------------------------------


class BatchNorm3d(BatchNorm1d):
    """Batch normalisation over (N, C, D, H, W) inputs, as PyTorch's: each channel by its mean
    and variance over N, D, H and W. It is BatchNorm1d on the input seen as (N, C, D H W),
    which has the same statistics."""

    def forward(self, x: Tensor) -> Tensor:
        if x.ndim != 5 or x.shape[1] != self.num_features:
            raise ValueError(f"BatchNorm3d: expected input of shape (N, {self.num_features}, D, "
                             f"H, W), got {x.shape}")  # fmt: skip
        n, c, *spatial = x.shape
        return super().forward(x.reshape(n, c, -1)).reshape(x.shape)


class InstanceNorm3d(InstanceNorm1d):
    """Instance normalisation over (N, C, D, H, W) or unbatched (C, D, H, W) inputs: each
    example's channel by its own mean and variance over D, H and W (see InstanceNorm1d and
    `instance_norm`)."""

    _spatial = 3


def dropout3d(
    input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False
) -> Tensor:
    """Zero whole channels (3-D feature maps) of (N, C, D, H, W) or (C, D, H, W) input with
    probability p, scaling the rest by 1 / (1 - p), in training mode; the identity otherwise.
    `inplace=True` writes the result into input, as PyTorch."""
    x = _check_dropout(input, p, training, "dropout3d")
    if x.ndim not in (4, 5):
        warnings.warn(
            f"dropout3d: received a {x.ndim}-D input; it expects 4-D (C, D, H, W) or 5-D "
            "(N, C, D, H, W) inputs (as PyTorch, dim 0 is taken as the channels unless 5-D)",
            stacklevel=2,
        )
    if not training or p == 0 or x.ndim < 1:
        return x
    lead = 2 if x.ndim == 5 else 1  # PyTorch's: an unbatched input gets a batch dim
    shape = x.shape[:lead] + (1,) * (x.ndim - lead)
    if inplace:  # written into input (nn/dropout.py's _in_place)
        return _in_place(input, "dropout3d", lambda a: _feature_dropout(a, p, shape))
    return _feature_dropout(x, p, shape)


class Dropout3d(_DropoutNd):
    """F.dropout3d as a module: whole channels of (N, C, D, H, W) input, in train mode."""

    fn = staticmethod(dropout3d)


class ConstantPad3d(_ConstantPadNd):
    """Pads the last three dims with `value`: padding (left, right, top, bottom, front,
    back), or one int for all six."""

    dims = 3


class ZeroPad3d(_ZeroPadNd):
    """Pads the last three dims with zeros: (left, right, top, bottom, front, back)."""

    dims = 3


class ReflectionPad3d(_ModePadNd):
    """Pads the last three dims with their mirror image (edges not repeated): pads < the size."""

    mode, dims = "reflect", 3


class ReplicationPad3d(_ModePadNd):
    """Pads the last three dims by repeating their edge values."""

    mode, dims = "replicate", 3


class CircularPad3d(_ModePadNd):
    """Pads the last three dims by wrapping around: pads <= the size."""

    mode, dims = "circular", 3


def max_unpool3d(
    input: Tensor,
    indices: Any,
    kernel_size: Size,
    stride: Size | None = None,
    padding: Size = 0,
    output_size: Any = None,
) -> Tensor:
    """The partial inverse of max_pool3d: out[n, c].flat[indices[n, c, i, j, k]] =
    x[n, c, i, j, k], zero elsewhere; each output size is (in - 1) s - 2 p + k unless
    output_size says otherwise (within a stride of that). Indices are flat positions
    d H W + h W + w in each output volume, as max_pool3d(return_indices=True) gives them."""
    return _max_unpool(input, indices, kernel_size, stride, padding, output_size, 3,
                       "max_unpool3d")  # fmt: skip


class MaxUnpool3d(MaxUnpool2d):
    """The partial inverse of MaxPool3d (see F.max_unpool3d); forward(input, indices,
    output_size=None)."""

    dims = 3
