"""Convolution and pooling layers: NCHW, with PyTorch's parameter names, shapes and
initialisation, so that a state_dict moves between the two frameworks.

The work is done by the primitives in `ops/conv.py` (pooling with ceil_mode, return_indices,
divisor_override or three dims by `nn/three_d_pool.py`). Errors name the layer as it was built,
e.g. "Conv2d(1, 8, kernel_size=3): input has 3 channels but weight expects 1 (...)".
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..ops.conv import Size, _ints, convolution
from ..tensor import Tensor
from . import functional as F
from . import init
from .layers import _dtype
from .module import Module, Parameter, check_int
from .three_d_pool import avg_pool_any, max_pool_any

__all__ = [
    "Conv1d", "Conv2d", "MaxPool1d", "MaxPool2d", "MaxPool3d", "AvgPool1d", "AvgPool2d",
    "AvgPool3d",
]  # fmt: skip


PADDING_MODES = ("zeros", "reflect", "replicate", "circular")
"""How a convolution layer pads: with zeros, or by F.pad's other modes before convolving."""


def _short(values: tuple[int, ...]) -> Any:
    """(3, 3) shown as 3 in a layer's name."""
    return values[0] if len(set(values)) == 1 else values


class _ConvNd(Module):
    """The shared body of Conv1d and Conv2d (dims = number of spatial axes)."""

    dims = 2

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: Size,
        stride: Size = 1,
        padding: Size | str = 0,
        dilation: Size = 1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: str = "zeros",
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        kind = type(self).__name__
        for name, n in (("in_channels", in_channels), ("out_channels", out_channels),
                        ("groups", groups)):  # fmt: skip
            if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
                raise ValueError(f"{kind}: {name} must be a positive int, got {n!r}")
        for name, n in (("in_channels", in_channels), ("out_channels", out_channels)):
            if n % groups:
                raise ValueError(f"{kind}: {name} ({n}) must be divisible by groups ({groups})")
        if padding_mode not in PADDING_MODES:
            raise ValueError(
                f"{kind}: padding_mode must be one of {PADDING_MODES}, but got "
                f"padding_mode={padding_mode!r}"
            )
        if isinstance(padding, str) and padding not in ("valid", "same"):
            raise ValueError(f"{kind}: padding must be an int, a tuple, 'valid' or 'same'")
        d = _dtype(dtype, kind, device)
        self.in_channels, self.out_channels = int(in_channels), int(out_channels)
        self.kernel_size = _ints(kernel_size, self.dims, "kernel_size", kind, 1)
        self.stride = _ints(stride, self.dims, "stride", kind, 1)
        self.padding = (
            padding if isinstance(padding, str) else _ints(padding, self.dims, "padding", kind, 0)
        )
        self.dilation = _ints(dilation, self.dims, "dilation", kind, 1)
        self.groups = int(groups)
        self.padding_mode = padding_mode
        self.weight = Parameter(np.empty(self._weight_shape(), dtype=d))
        if bias:
            self.bias = Parameter(np.empty((self.out_channels,), dtype=d))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def _weight_shape(self) -> tuple[int, ...]:
        """(out_channels, in_channels / groups, *kernel_size)."""
        return (self.out_channels, self.in_channels // self.groups, *self.kernel_size)

    def reset_parameters(self) -> None:
        """PyTorch's default: weight and bias both U(-1/sqrt(fan_in), 1/sqrt(fan_in)), with
        fan_in = in_channels / groups * prod(kernel_size) (kaiming_uniform_, a = sqrt(5))."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in = self.weight.shape[1] * math.prod(self.kernel_size)
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0.0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, x: Tensor) -> Tensor:
        if self.padding_mode == "zeros":
            return self._convolve(x, self.padding)
        pads = []  # F.pad's (before, after) widths, last axis first, as PyTorch
        for i in reversed(range(self.dims)):
            if self.padding == "same":  # d (k - 1) in all, the odd one after
                total = self.dilation[i] * (self.kernel_size[i] - 1)
                pads += [total // 2, total - total // 2]
            else:
                pads += [0, 0] if self.padding == "valid" else [self.padding[i]] * 2
        x = x if isinstance(x, Tensor) else Tensor(x)
        return self._convolve(F.pad(x, tuple(pads), mode=self.padding_mode), (0,) * self.dims)

    def _convolve(self, x: Tensor, padding: Any) -> Tensor:
        """The convolution itself, zero-padded by `padding`."""
        return convolution(
            x, self.weight, self.bias, self.stride, padding, self.dilation, self.groups,
            who=self._name(),
        )  # fmt: skip

    def _name(self) -> str:
        """The layer as it is built, for error messages: "Conv2d(1, 8, kernel_size=3)"."""
        extra = [f"kernel_size={_short(self.kernel_size)}"]
        for what, value, default in (("stride", self.stride, 1), ("padding", self.padding, 0),
                                     ("dilation", self.dilation, 1)):  # fmt: skip
            if isinstance(value, str) or set(value) != {default}:
                extra.append(f"{what}={value!r}" if isinstance(value, str) else
                             f"{what}={_short(value)}")  # fmt: skip
        if self.groups != 1:
            extra.append(f"groups={self.groups}")
        return f"{type(self).__name__}({self.in_channels}, {self.out_channels}, {', '.join(extra)})"

    def extra_repr(self) -> str:
        """As PyTorch prints it: "1, 8, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1)"
        (and a transposed convolution's output_padding when it is not zero)."""
        s = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
        s += f"stride={self.stride}"
        if self.padding != (0,) * self.dims:
            s += f", padding={self.padding}"  # (PyTorch's: padding=same, unquoted)
        if self.dilation != (1,) * self.dims:
            s += f", dilation={self.dilation}"
        output_padding = getattr(self, "output_padding", None)
        if output_padding is not None and output_padding != (0,) * self.dims:
            s += f", output_padding={output_padding}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s


class Conv2d(_ConvNd):
    """2-D convolution of (N, C_in, H, W) or (C_in, H, W) input: `weight` of shape
    (out_channels, in_channels / groups, kh, kw), `bias` of shape (out_channels,).

    The output is (N, C_out, H_out, W_out) with H_out = (H + 2 p - d (k - 1) - 1) // s + 1.
    """

    dims = 2


class Conv1d(_ConvNd):
    """1-D convolution of (N, C_in, L) or (C_in, L) input: `weight` of shape
    (out_channels, in_channels / groups, k), `bias` of shape (out_channels,)."""

    dims = 1


class _PoolNd(Module):
    """The shared body of the pooling layers (kind 'max' or 'avg', dims spatial axes)."""

    kind, dims = "max", 2

    def __init__(self, kernel_size: Size, stride: Size | None, padding: Size, ceil_mode: bool):
        super().__init__()
        kind = type(self).__name__
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride
        self.padding = padding
        self.ceil_mode = bool(ceil_mode)
        _ints(kernel_size, self.dims, "kernel_size", kind, 1)
        _ints(self.stride, self.dims, "stride", kind, 1)
        _ints(padding, self.dims, "padding", kind, 0)

    def _who(self) -> str:
        return f"{type(self).__name__}({self.extra_repr()})"


class MaxPool2d(_PoolNd):
    """The maximum of each kh x kw window of (N, C, H, W) or (C, H, W) input; stride defaults
    to kernel_size, padding never wins. The gradient goes to each window's first maximum.
    With return_indices, forward gives (values, int64 flat indices) for MaxUnpool2d; ceil_mode
    as PyTorch's (see `F.max_pool2d`). PyTorch's arguments, in its order."""

    kind, dims = "max", 2

    def __init__(
        self,
        kernel_size: Size,
        stride: Size | None = None,
        padding: Size = 0,
        dilation: Size = 1,
        return_indices: bool = False,
        ceil_mode: bool = False,
    ) -> None:
        super().__init__(kernel_size, stride, padding, ceil_mode)
        _ints(dilation, self.dims, "dilation", type(self).__name__, 1)
        self.dilation = dilation
        self.return_indices = bool(return_indices)

    def forward(self, x: Tensor) -> Any:
        return max_pool_any(
            x, self.kernel_size, self.stride, self.padding, self.dilation, self.ceil_mode,
            self.return_indices, self.dims, self._who(),
        )  # fmt: skip

    def extra_repr(self) -> str:
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
                f"dilation={self.dilation}, ceil_mode={self.ceil_mode}")  # fmt: skip


class MaxPool1d(MaxPool2d):
    """MaxPool2d over the last axis of (N, C, L) or (C, L) input."""

    kind, dims = "max", 1


class AvgPool2d(_PoolNd):
    """The mean of each kh x kw window of (N, C, H, W) or (C, H, W) input; stride defaults to
    kernel_size; padded zeros count in the mean unless count_include_pad=False; ceil_mode and
    divisor_override as PyTorch's (see `F.avg_pool2d`). PyTorch's arguments, in its order."""

    kind, dims = "avg", 2

    def __init__(
        self,
        kernel_size: Size,
        stride: Size | None = None,
        padding: Size = 0,
        ceil_mode: bool = False,
        count_include_pad: bool = True,
        divisor_override: int | None = None,
    ) -> None:
        super().__init__(kernel_size, stride, padding, ceil_mode)
        self.count_include_pad = bool(count_include_pad)
        if divisor_override is not None:
            who = type(self).__name__
            if check_int(divisor_override, who, "divisor_override") == 0:
                raise ValueError(f"{who}: divisor_override must not be zero")
        self.divisor_override = divisor_override

    def forward(self, x: Tensor) -> Tensor:
        return avg_pool_any(x, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad, self.divisor_override, self.dims,
                            self._who())  # fmt: skip

    def extra_repr(self) -> str:  # (PyTorch's: the other options are not shown)
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxPool3d(MaxPool2d):
    """MaxPool2d over the last three axes of (N, C, D, H, W) or (C, D, H, W) input (F.max_pool3d
    as a module)."""

    kind, dims = "max", 3


class AvgPool3d(AvgPool2d):
    """AvgPool2d over the last three axes of (N, C, D, H, W) or (C, D, H, W) input
    (F.avg_pool3d as a module)."""

    kind, dims = "avg", 3


class AvgPool1d(AvgPool2d):
    """AvgPool2d over the last axis of (N, C, L) or (C, L) input (no divisor_override, as in
    PyTorch)."""

    kind, dims = "avg", 1

    def __init__(
        self,
        kernel_size: Size,
        stride: Size | None = None,
        padding: Size = 0,
        ceil_mode: bool = False,
        count_include_pad: bool = True,
    ) -> None:
        super().__init__(kernel_size, stride, padding, ceil_mode, count_include_pad)
