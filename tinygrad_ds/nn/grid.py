"""Spatial transformers (Jaderberg et al. 2015): F.affine_grid makes a sampling grid from
affine matrices, F.grid_sample reads an image at a grid's points. Both composed of Tensor
operations (gather, floor, clip, ...), so they are differentiable w.r.t. the image, the grid
and theta, with second derivatives free.

Grid coordinates are normalised: x = -1 is the left edge of the image and +1 the right (the
centres of the corner pixels with `align_corners=True`, their outer edges otherwise); y the
same from top to bottom.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..functions import where
from ..tensor import Tensor
from ..tensor import constant as _const

__all__ = ["affine_grid", "grid_sample"]


def _base(n: int, align_corners: bool, dtype: np.dtype) -> np.ndarray:
    """The n normalised coordinates of the pixel centres along one axis."""
    if n <= 1:
        return np.zeros(n, dtype=dtype)
    steps = np.linspace(-1.0, 1.0, n)
    return (steps if align_corners else steps * (n - 1) / n).astype(dtype)


def affine_grid(theta: Tensor, size: Any, align_corners: bool | None = None) -> Tensor:
    """The sampling grid (N, H, W, 2) of the 2-D affine maps theta (N, 2, 3) for an output of
    size (N, C, H, W): grid[n, i, j] = theta[n] @ (x_j, y_i, 1), (x_j, y_i) the normalised
    centre of output pixel (i, j). align_corners=None is False, as PyTorch's default."""
    if not isinstance(theta, Tensor):
        raise TypeError(f"affine_grid: theta must be a Tensor, got {type(theta).__name__}")
    if theta.dtype.kind != "f":
        raise TypeError(f"affine_grid: theta must be floating, got dtype {theta.dtype}")
    size = tuple(size)
    if len(size) != 4 or not all(isinstance(s, (int, np.integer)) and s > 0 for s in size):
        raise ValueError(
            f"affine_grid: size must be 4 positive ints (N, C, H, W) (only 2-D grids are "
            f"supported here), got {size}"
        )
    n, _, h, w = size
    if theta.shape != (n, 2, 3):
        raise ValueError(
            f"affine_grid: theta of shape {theta.shape} must be (N, 2, 3) = ({n}, 2, 3) for "
            f"size {size}"
        )
    xs, ys = _base(w, bool(align_corners), theta.dtype), _base(h, bool(align_corners), theta.dtype)
    base = np.stack(np.broadcast_arrays(xs[None, :], ys[:, None], np.ones((1, 1), theta.dtype)), -1)
    grid = _const(base.reshape(1, h * w, 3)) @ theta.transpose(1, 2)
    return grid.reshape(n, h, w, 2)


def _unnormalise(coord: Tensor, size: int, align_corners: bool) -> Tensor:
    """Normalised coordinates in [-1, 1] as pixel coordinates along an axis of `size`."""
    if align_corners:
        return (coord + 1) * ((size - 1) / 2)
    return ((coord + 1) * size - 1) / 2


def _reflect(coord: Tensor, low2: int, high2: int) -> Tensor:
    """coord reflected off the bounds low2 / 2 and high2 / 2 until it falls between them."""
    if low2 == high2:
        return coord * 0.0
    lo, span = low2 / 2, (high2 - low2) / 2
    dist = (coord - lo).abs()
    flips = np.floor(dist.data / span)
    extra = dist - _const((flips * span).astype(dist.dtype))  # fmod(dist, span)
    return where(_const(flips % 2 == 0), extra + lo, (-extra) + (span + lo))


def _source(coord: Tensor, size: int, padding_mode: str, align_corners: bool) -> Tensor:
    """The pixel coordinate read for a normalised grid coordinate, after the padding mode."""
    x = _unnormalise(coord, size, align_corners)
    if padding_mode == "border":
        return x.clip(0, size - 1)
    if padding_mode == "reflection":
        x = _reflect(x, 0, 2 * (size - 1)) if align_corners else _reflect(x, -1, 2 * size - 1)
        return x.clip(0, size - 1)
    return x


def grid_sample(
    input: Tensor,
    grid: Tensor,
    mode: str = "bilinear",
    padding_mode: str = "zeros",
    align_corners: bool | None = None,
) -> Tensor:
    """out[n, c, i, j] = input[n, c] read at the normalised point grid[n, i, j] = (x, y), for
    input (N, C, H, W) and grid (N, H_out, W_out, 2): the bilinear blend of the four pixels
    around the point, or the nearest pixel (ties to even, as PyTorch). Points outside read 0
    ('zeros'), the nearest edge pixel ('border') or the image mirrored at its edges
    ('reflection'). align_corners=None is False, as PyTorch's default. Differentiable w.r.t.
    input and grid; with 'nearest' the grid gets no gradient (None, where PyTorch's is 0)."""
    if not isinstance(input, Tensor) or not isinstance(grid, Tensor):
        bad = input if not isinstance(input, Tensor) else grid
        raise TypeError(f"grid_sample: input and grid must be Tensors, got {type(bad).__name__}")
    if mode not in ("bilinear", "nearest"):
        raise ValueError(f"grid_sample: mode must be 'bilinear' or 'nearest', got {mode!r}")
    if padding_mode not in ("zeros", "border", "reflection"):
        raise ValueError(
            f"grid_sample: padding_mode must be 'zeros', 'border' or 'reflection', got "
            f"{padding_mode!r}"
        )
    if input.ndim != 4:
        raise ValueError(
            f"grid_sample: input must be 4-D (N, C, H, W) (only 2-D sampling is supported "
            f"here), got shape {input.shape}"
        )
    if grid.ndim != 4 or grid.shape[3] != 2 or grid.shape[0] != input.shape[0]:
        raise ValueError(
            f"grid_sample: grid of shape {grid.shape} must be (N, H_out, W_out, 2) with N = "
            f"{input.shape[0]} (input of shape {input.shape})"
        )
    if input.dtype.kind != "f" or grid.dtype != input.dtype:
        raise TypeError(
            f"grid_sample: input and grid must be floating tensors of one dtype, got "
            f"{input.dtype} and {grid.dtype}"
        )
    n, c, h, w = input.shape
    _, ho, wo, _ = grid.shape
    corners = bool(align_corners)
    x = _source(grid[..., 0].reshape(n, 1, ho * wo), w, padding_mode, corners)
    y = _source(grid[..., 1].reshape(n, 1, ho * wo), h, padding_mode, corners)
    flat = input.reshape(n, c, h * w)

    def read(yi: np.ndarray, xi: np.ndarray) -> tuple[Tensor, np.ndarray]:
        """input at integer pixels (yi, xi), each (N, 1, P), and where they are inside."""
        inside = (xi >= 0) & (xi < w) & (yi >= 0) & (yi < h)
        at = np.clip(yi, 0, h - 1) * w + np.clip(xi, 0, w - 1)
        return flat.gather(2, np.broadcast_to(at, (n, c, ho * wo))), inside

    if mode == "nearest":
        values, inside = read(np.round(y.data).astype(np.int64), np.round(x.data).astype(np.int64))
        out = values * _const(inside.astype(input.dtype))
        return out.reshape(n, c, ho, wo)
    x0, y0 = np.floor(x.data), np.floor(y.data)
    wx1, wy1 = x - _const(x0), y - _const(y0)  # weights of the right and lower pixels
    wx0, wy0 = 1 - wx1, 1 - wy1
    x0, y0 = x0.astype(np.int64), y0.astype(np.int64)
    out = None
    for yi, wy in ((y0, wy0), (y0 + 1, wy1)):
        for xi, wx in ((x0, wx0), (x0 + 1, wx1)):
            values, inside = read(yi, xi)
            term = values * (wy * wx * _const(inside.astype(input.dtype)))
            out = term if out is None else out + term
    return out.reshape(n, c, ho, wo)
