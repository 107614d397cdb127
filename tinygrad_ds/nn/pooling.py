"""Adaptive pooling and sliding blocks (unfold / fold), composed from indexing and matrix
products (no new primitive: gradients and second derivatives come free).

adaptive pooling    F.adaptive_{avg,max}_pool{1,2}d, AdaptiveAvgPool1d/2d, AdaptiveMaxPool1d/2d
im2col and col2im   F.unfold, F.fold, Unfold, Fold

Adaptive averages are a matrix product per axis; adaptive maxima gather each window with an
index array and take its first maximum; unfold gathers every block with two index arrays and
fold adds the columns back (ScatterAdd, unfold's adjoint).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..ops.conv import _as_tensor, _ints
from ..ops.movement import ScatterAdd
from ..tensor import Tensor
from .module import Module, check_int
from .sampling import _take

__all__ = [
    "adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_max_pool1d", "adaptive_max_pool2d",
    "unfold", "fold", "AdaptiveAvgPool1d", "AdaptiveAvgPool2d", "AdaptiveMaxPool1d",
    "AdaptiveMaxPool2d", "Unfold", "Fold",
]  # fmt: skip

# ---------------------------------------------------------------------------------------------
# adaptive pooling
# ---------------------------------------------------------------------------------------------


def _windows(n_in: int, n_out: int) -> tuple[np.ndarray, np.ndarray]:
    """PyTorch's adaptive windows: start = floor(i in / out), end = ceil((i + 1) in / out)."""
    i = np.arange(n_out)
    return i * n_in // n_out, -(-(i + 1) * n_in // n_out)


def _adaptive_sizes(x: Tensor, output_size: Any, k: int, who: str) -> tuple[Tensor, list[int]]:
    """x checked ((k+1)-D or (k+2)-D, no empty spatial dim) and the output sizes (None keeps
    the input's size, as PyTorch)."""
    x = _as_tensor(x, who)
    if x.ndim not in (k + 1, k + 2):
        raise ValueError(f"{who}: expected a {k + 1}-D or {k + 2}-D input, got shape {x.shape}")
    sizes = list(output_size) if isinstance(output_size, (tuple, list)) else [output_size] * k
    if len(sizes) != k:
        raise ValueError(f"{who}: output_size must be an int or {k} ints, got {output_size!r}")
    spatial = x.shape[-k:]
    sizes = [n if s is None else check_int(s, who, "output_size") for s, n in zip(sizes, spatial)]
    if min(sizes) < 0 or min(spatial) == 0:
        raise ValueError(
            f"{who}: output sizes must be >= 0 and the input's spatial dims non-empty, got "
            f"output_size {tuple(sizes)} for an input of shape {x.shape}"
        )
    return x, sizes


def _average_matrix(n_in: int, n_out: int, dtype: np.dtype) -> Tensor:
    """The (n_out, n_in) matrix whose row i averages window i."""
    start, end = _windows(n_in, n_out)
    j = np.arange(n_in)
    inside = (j >= start[:, None]) & (j < end[:, None])
    return Tensor._make((inside / (end - start)[:, None]).astype(dtype), None)


def _adaptive_avg(x: Any, output_size: Any, k: int) -> Tensor:
    x, sizes = _adaptive_sizes(x, output_size, k, f"adaptive_avg_pool{k}d")
    x = x._float()
    for i in range(1, k + 1):  # one matrix product per axis, the last first
        m = _average_matrix(x.shape[-i], sizes[-i], x.dtype)
        x = x @ m.T if i == 1 else (x.movedim(-i, -1) @ m.T).movedim(-1, -i)
    return x


def adaptive_avg_pool1d(input: Tensor, output_size: int) -> Tensor:
    """out[..., i] = mean of x[..., start_i:end_i], start_i = floor(i L / out),
    end_i = ceil((i + 1) L / out) (a matrix product), for (C, L) or (N, C, L) input."""
    return _adaptive_avg(input, output_size, 1)


def adaptive_avg_pool2d(input: Tensor, output_size: Any) -> Tensor:
    """The mean over adaptive_avg_pool1d's windows along H and W (output_size an int, or
    (oh, ow) where None keeps that size), for (C, H, W) or (N, C, H, W) input."""
    return _adaptive_avg(input, output_size, 2)


def _window_index(n_in: int, n_out: int) -> np.ndarray:
    """(n_out, K) input positions of each window, K the longest window; a short window repeats
    its first position (which cannot change its max, nor which position is first)."""
    start, end = _windows(n_in, n_out)
    width = int((end - start).max()) if n_out else 1
    idx = start[:, None] + np.arange(width)
    return np.where(idx < end[:, None], idx, start[:, None])


def _adaptive_max(x: Any, output_size: Any, k: int, return_indices: bool) -> Any:
    x, sizes = _adaptive_sizes(x, output_size, k, f"adaptive_max_pool{k}d")
    rows = [_window_index(n, m) for n, m in zip(x.shape[-k:], sizes)]
    windows = x
    for i, idx in enumerate(rows):  # (..., o1, K1, o2, K2, ...)
        windows = _take(windows, i - k, idx)  # axis i of the k, counted from the end
    lead = windows.ndim - 2 * k
    order = [lead + 2 * i for i in range(k)] + [lead + 2 * i + 1 for i in range(k)]
    windows = windows.permute(*range(lead), *order)  # (..., o1, o2, ..., K1, K2, ...)
    windows = windows.reshape(*windows.shape[: lead + k], -1)  # (..., o1, ..., K1 K2 ...)
    strides = [int(np.prod(x.shape[x.ndim - k + i + 1 :])) for i in range(k)]
    position = np.zeros((1,) * (2 * k), dtype=np.int64)
    for i, idx in enumerate(rows):  # the flat position in the input plane, per (o.., K..)
        shape = [1] * (2 * k)
        shape[i], shape[k + i] = idx.shape
        position = position + idx.reshape(shape) * strides[i]
    position = position.reshape(*position.shape[:k], -1)
    data = windows.data
    best = np.argmax(np.where(np.isnan(data), np.inf, data), axis=-1)[..., None]  # first max
    out = windows.gather(-1, best).squeeze(-1)
    if not return_indices:
        return out
    flat = np.take_along_axis(np.broadcast_to(position, data.shape), best, -1)[..., 0]
    return out, Tensor._make(flat.astype(np.int64), None)


def adaptive_max_pool1d(input: Tensor, output_size: int, return_indices: bool = False) -> Any:
    """out[..., i] = max of x[..., start_i:end_i] (adaptive_avg_pool1d's windows); the gradient
    goes to the first maximum. With return_indices, also its position in L (int64)."""
    return _adaptive_max(input, output_size, 1, return_indices)


def adaptive_max_pool2d(input: Tensor, output_size: Any, return_indices: bool = False) -> Any:
    """The max over adaptive windows along H and W; with return_indices, also each maximum's
    flat position h W + w in its (H, W) plane (int64), as PyTorch."""
    return _adaptive_max(input, output_size, 2, return_indices)


class _AdaptivePoolNd(Module):
    def __init__(self, output_size: Any) -> None:
        super().__init__()
        self.output_size = output_size

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveAvgPool1d(_AdaptivePoolNd):
    """F.adaptive_avg_pool1d as a module."""

    def forward(self, x: Tensor) -> Tensor:
        return adaptive_avg_pool1d(x, self.output_size)


class AdaptiveAvgPool2d(_AdaptivePoolNd):
    """F.adaptive_avg_pool2d as a module (output_size an int or (oh, ow), None keeps a size)."""

    def forward(self, x: Tensor) -> Tensor:
        return adaptive_avg_pool2d(x, self.output_size)


class _AdaptiveMaxPoolNd(_AdaptivePoolNd):
    def __init__(self, output_size: Any, return_indices: bool = False) -> None:
        super().__init__(output_size)
        self.return_indices = bool(return_indices)


class AdaptiveMaxPool1d(_AdaptiveMaxPoolNd):
    """F.adaptive_max_pool1d as a module."""

    def forward(self, x: Tensor) -> Any:
        return adaptive_max_pool1d(x, self.output_size, self.return_indices)


class AdaptiveMaxPool2d(_AdaptiveMaxPoolNd):
    """F.adaptive_max_pool2d as a module."""

    def forward(self, x: Tensor) -> Any:
        return adaptive_max_pool2d(x, self.output_size, self.return_indices)


# ---------------------------------------------------------------------------------------------
# im2col (unfold) and col2im (fold)
# ---------------------------------------------------------------------------------------------


def _block_geometry(
    spatial: tuple[int, ...], kernel_size: Any, dilation: Any, padding: Any, stride: Any,
    who: str,
) -> tuple[tuple[int, ...], ...]:  # fmt: skip
    """(kernel, dilation, padding, stride, blocks per dim) of the 2-D sliding blocks; each
    block count is (size + 2 p - d (k - 1) - 1) // s + 1 and must be >= 1."""
    kernel = _ints(kernel_size, 2, "kernel_size", who, 1)
    dil = _ints(dilation, 2, "dilation", who, 1)
    pads = _ints(padding, 2, "padding", who, 0)
    strides = _ints(stride, 2, "stride", who, 1)
    blocks = tuple(
        (n + 2 * p - d * (k - 1) - 1) // s + 1
        for n, k, d, p, s in zip(spatial, kernel, dil, pads, strides)
    )
    if min(blocks) < 1:
        raise ValueError(
            f"{who}: spatial size {tuple(spatial)} with kernel_size={kernel}, dilation={dil}, "
            f"padding={pads}, stride={strides} leaves {blocks} sliding blocks (each must be >= 1)"
        )
    return kernel, dil, pads, strides, blocks


def _block_index(
    kernel: tuple[int, ...], dil: tuple[int, ...], strides: tuple[int, ...], blocks: tuple[int, ...]
) -> tuple[np.ndarray, np.ndarray]:
    """Row and column indices (kh, 1, oh, 1) and (1, kw, 1, ow) into the padded input: row
    a of block i is a d + i s."""
    (kh, kw), (dh, dw), (sh, sw), (oh, ow) = kernel, dil, strides, blocks
    rows = np.arange(kh)[:, None] * dh + np.arange(oh)[None, :] * sh
    cols = np.arange(kw)[:, None] * dw + np.arange(ow)[None, :] * sw
    return rows[:, None, :, None], cols[None, :, None, :]


def unfold(
    input: Tensor, kernel_size: Any, dilation: Any = 1, padding: Any = 0, stride: Any = 1
) -> Tensor:
    """im2col: every kh x kw block of the zero-padded (N, C, H, W) or (C, H, W) input as a
    column, (N, C kh kw, L) with L = oh ow blocks, row c kh kw + a kw + b holding
    x_pad[n, c, a d + i s, b d + j s] for block (i, j) (PyTorch's order)."""
    x = _as_tensor(input, "unfold")
    if x.ndim not in (3, 4):
        raise ValueError(f"unfold: expected a 3-D or 4-D input, got shape {x.shape}")
    kernel, dil, pads, strides, blocks = _block_geometry(
        x.shape[-2:], kernel_size, dilation, padding, stride, "unfold"
    )
    if any(pads):
        x = x.pad([(0, 0)] * (x.ndim - 2) + [(pads[0], pads[0]), (pads[1], pads[1])])
    rows, cols = _block_index(kernel, dil, strides, blocks)
    picked = x[(Ellipsis, rows, cols)]  # (..., C, kh, kw, oh, ow)
    lead = x.shape[:-3]
    return picked.reshape(*lead, x.shape[-3] * kernel[0] * kernel[1], blocks[0] * blocks[1])


def fold(
    input: Tensor,
    output_size: Any,
    kernel_size: Any,
    dilation: Any = 1,
    padding: Any = 0,
    stride: Any = 1,
) -> Tensor:
    """col2im, the adjoint of unfold: each column of (N, C kh kw, L) or (C kh kw, L) input
    added back into its block of an (N, C, H, W) output (overlaps add up; padding is cut)."""
    x = _as_tensor(input, "fold")
    if x.ndim not in (2, 3):
        raise ValueError(f"fold: expected a 2-D or 3-D input, got shape {x.shape}")
    size = _ints(output_size, 2, "output_size", "fold", 1)
    kernel, dil, pads, strides, blocks = _block_geometry(
        size, kernel_size, dilation, padding, stride, "fold"
    )
    k = kernel[0] * kernel[1]
    rows_in, length = x.shape[-2:]
    if rows_in % k:
        raise ValueError(
            f"fold: dim -2 of the input of shape {x.shape} ({rows_in}) is not divisible by "
            f"the kernel's {kernel[0]} * {kernel[1]} = {k} places"
        )
    if length != blocks[0] * blocks[1]:
        raise ValueError(
            f"fold: output_size={size}, kernel_size={kernel}, dilation={dil}, padding={pads}, "
            f"stride={strides} give {blocks[0]} * {blocks[1]} = {blocks[0] * blocks[1]} "
            f"sliding blocks, but dim -1 of the input of shape {x.shape} is {length}"
        )
    c, lead = rows_in // k, x.shape[:-2]
    blocks_in = x.reshape(*lead, c, *kernel, *blocks)
    rows, cols = _block_index(kernel, dil, strides, blocks)
    padded = lead + (c, size[0] + 2 * pads[0], size[1] + 2 * pads[1])
    index = (slice(None),) * (len(lead) + 1) + (rows, cols)
    out = ScatterAdd.apply(blocks_in, index=index, shape=padded)
    return out[..., pads[0] : pads[0] + size[0], pads[1] : pads[1] + size[1]]


def _short(value: Any) -> Any:
    """An int, or a tuple of ints, shown as given (PyTorch's Fold and Unfold reprs)."""
    return value if isinstance(value, (int, np.integer)) else tuple(value)


class _BlocksNd(Module):
    """Unfold's and Fold's block settings, checked (on a huge input) and kept as given."""

    def __init__(
        self, kernel_size: Any, dilation: Any = 1, padding: Any = 0, stride: Any = 1
    ) -> None:
        super().__init__()
        who = type(self).__name__
        _block_geometry((10**9, 10**9), kernel_size, dilation, padding, stride, who)
        self.kernel_size, self.dilation = _short(kernel_size), _short(dilation)
        self.padding, self.stride = _short(padding), _short(stride)

    def extra_repr(self) -> str:
        return (f"kernel_size={self.kernel_size}, dilation={self.dilation}, "
                f"padding={self.padding}, stride={self.stride}")  # fmt: skip


class Unfold(_BlocksNd):
    """F.unfold as a module."""

    def forward(self, x: Tensor) -> Tensor:
        return unfold(x, self.kernel_size, self.dilation, self.padding, self.stride)


class Fold(_BlocksNd):
    """F.fold as a module."""

    def __init__(
        self,
        output_size: Any,
        kernel_size: Any,
        dilation: Any = 1,
        padding: Any = 0,
        stride: Any = 1,
    ) -> None:
        super().__init__(kernel_size, dilation, padding, stride)
        _ints(output_size, 2, "output_size", "Fold", 1)
        self.output_size = _short(output_size)

    def forward(self, x: Tensor) -> Tensor:
        return fold(x, self.output_size, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}, {super().extra_repr()}"
