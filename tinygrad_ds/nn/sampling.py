"""Padding and resampling, composed from indexing, padding and matrix products (no new
primitive: gradients and second derivatives come free).

F.pad and the padding modules       ZeroPad*, ConstantPad*, ReflectionPad*, ReplicationPad*,
                                    CircularPad* (1d, 2d)
F.interpolate and Upsample          nearest, nearest-exact, linear, bilinear
F.embedding                         nn.Embedding's lookup, as a function (the one both use)

Every non-constant padding and every nearest interpolation is a gather along one axis with an
index array `x[..., idx]` (whose gradient adds up repeated picks); linear interpolation is a
small matrix product per axis. Both follow PyTorch's index rules, cited in each docstring.
Adaptive pooling and fold/unfold are in pooling.py, channel dropout in dropout.py.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..functions import where
from ..ops.conv import _as_tensor
from ..tensor import Tensor
from .module import Module, check_int, check_real

__all__ = [
    "pad", "interpolate", "embedding", "ZeroPad1d", "ZeroPad2d", "ConstantPad1d",
    "ConstantPad2d", "ReflectionPad1d", "ReflectionPad2d", "ReplicationPad1d", "ReplicationPad2d",
    "CircularPad1d", "CircularPad2d", "Upsample", "UpsamplingNearest2d", "UpsamplingBilinear2d",
]  # fmt: skip


def _take(x: Tensor, axis: int, idx: np.ndarray) -> Tensor:
    """x with `idx` (an int array) picked along `axis`: x[..., idx, ...] (idx's dims replace
    the axis); the gradient adds up repeated picks."""
    return x[(slice(None),) * (axis % x.ndim) + (np.asarray(idx, np.intp),)]


# ---------------------------------------------------------------------------------------------
# padding
# ---------------------------------------------------------------------------------------------

_MODES = ("constant", "reflect", "replicate", "circular")


def _pad_source(mode: str, n: int, before: int, after: int) -> np.ndarray:
    """For output positions j = -before .. n + after - 1 of one axis of size n, the input
    position each copies: reflect mirrors about the edges (without repeating them), replicate
    clamps, circular wraps. Negative pads crop (the range starts or ends inside)."""
    j = np.arange(-before, n + after)
    if mode == "replicate":
        return np.clip(j, 0, n - 1)
    if mode == "circular":
        return j % n
    period = 2 * (n - 1)  # reflect: ... 2 1 | 0 1 2 ... n-1 | n-2 ...
    j = np.abs(j) % period if period else np.zeros_like(j)
    return np.where(j < n, j, period - j)


def pad(
    input: Tensor, pad: Sequence[int], mode: str = "constant", value: float | None = None
) -> Tensor:
    """`input` padded as PyTorch's F.pad: `pad` is flat and starts at the last dim,
    (left, right, top, bottom, front, back); a negative pad crops.

    mode "constant" fills with `value` (default 0) and pads any number of trailing dims;
    "reflect" (x[1], x[0] | x[0] ... x[n-1] | x[n-2]: pads < n), "replicate" (edge values) and
    "circular" (wraps around: pads <= n) pad the last 1, 2 or 3 dims of a batched or unbatched
    input (pad of length 2 for 2-D or 3-D input, 4 for 3-D or 4-D, 6 for 4-D or 5-D).
    """
    x = _as_tensor(input, "pad")
    if not isinstance(pad, (tuple, list)) or not all(
        isinstance(p, (int, np.integer)) and not isinstance(p, bool) for p in pad
    ):
        raise TypeError(f"pad: pad must be a tuple of ints, got {pad!r}")
    if mode not in _MODES:
        raise NotImplementedError(f"pad: unrecognised padding mode {mode!r} (one of {_MODES})")
    if len(pad) % 2:
        raise ValueError(f"pad: padding length must be divisible by 2, got {tuple(pad)}")
    k = len(pad) // 2
    if k > x.ndim:
        raise ValueError(
            f"pad: padding length {len(pad)} is more than two times the number of dims of the "
            f"input of shape {x.shape}"
        )
    if mode != "constant":
        if value is not None and value != 0:
            raise ValueError(f"pad: padding mode {mode!r} doesn't take a value argument")
        if k not in (1, 2, 3) or x.ndim not in (k + 1, k + 2):
            raise NotImplementedError(
                f"pad: padding size {len(pad)} is not supported for a {x.ndim}-D input in mode "
                f"{mode!r}: non-constant modes pad the last 1, 2 or 3 dims of a (k+1)-D or "
                "(k+2)-D input (pad of length 2 k)"
            )
    pairs = [(int(pad[2 * i]), int(pad[2 * i + 1])) for i in range(k)]  # last dim first
    crop: list[Any] = [slice(None)] * x.ndim
    widths = [(0, 0)] * x.ndim
    for i, (before, after) in enumerate(pairs):
        axis = x.ndim - 1 - i
        n = x.shape[axis]
        if n + before + after < 0 or (mode != "constant" and n + before + after <= 0):
            raise ValueError(
                f"pad: padding {(before, after)} of dim {axis} (size {n}) of the input of shape "
                f"{x.shape} leaves a negative or empty size"
            )
        if mode == "constant":
            crop[axis] = slice(max(-before, 0), n - max(-after, 0))
            widths[axis] = (max(before, 0), max(after, 0))
            continue
        if n == 0:
            raise ValueError(f"pad: mode {mode!r} cannot pad dim {axis} of size 0 ({x.shape})")
        limit = n - 1 if mode == "reflect" else n if mode == "circular" else math.inf
        if max(before, after) > limit:
            rule = "less than" if mode == "reflect" else "at most"
            raise ValueError(
                f"pad: in mode {mode!r} padding must be {rule} the size of the dim it pads, "
                f"got padding {(before, after)} at dim {axis} of the input of shape {x.shape}"
            )
        x = _take(x, axis, _pad_source(mode, n, before, after))
    if mode == "constant":
        x = x[tuple(crop)]
        if any(w != (0, 0) for w in widths):
            x = x.pad(widths, 0.0 if value is None else value)
    return x


class _PadNd(Module):
    """The padding modules: `padding` an int (the same on every side) or a tuple of 2 dims
    ints (left, right[, top, bottom])."""

    mode, dims = "constant", 1

    def __init__(self, padding: int | Sequence[int], value: float | None = None) -> None:
        super().__init__()
        who = type(self).__name__
        if isinstance(padding, (int, np.integer)) and not isinstance(padding, bool):
            padding = (int(padding),) * (2 * self.dims)
        if not isinstance(padding, (tuple, list)) or len(padding) != 2 * self.dims:
            raise ValueError(
                f"{who}: padding must be an int or a tuple of {2 * self.dims} ints, got {padding!r}"
            )
        self.padding = tuple(check_int(p, who, "padding") for p in padding)
        if value is not None:
            check_real(value, who, "value")
        self.value = value

    def forward(self, x: Tensor) -> Tensor:
        x = _as_tensor(x, type(self).__name__)
        if x.ndim not in (self.dims + 1, self.dims + 2):
            raise ValueError(
                f"{type(self).__name__}: expected a {self.dims + 1}-D or {self.dims + 2}-D "
                f"input, got shape {x.shape}"
            )
        return pad(x, self.padding, self.mode, self.value)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class _ConstantPadNd(_PadNd):
    def __init__(self, padding: int | Sequence[int], value: float) -> None:
        super().__init__(padding, value)

    def extra_repr(self) -> str:
        return f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_ConstantPadNd):
    """Pads the last dim of (C, W) or (N, C, W) input with `value`: padding (left, right)."""

    dims = 1


class ConstantPad2d(_ConstantPadNd):
    """Pads the last two dims with `value`: padding (left, right, top, bottom)."""

    dims = 2


class _ZeroPadNd(_PadNd):
    def __init__(self, padding: int | Sequence[int]) -> None:
        super().__init__(padding, 0.0)


class ZeroPad1d(_ZeroPadNd):
    """Pads the last dim with zeros: padding (left, right)."""

    dims = 1


class ZeroPad2d(_ZeroPadNd):
    """Pads the last two dims with zeros: padding (left, right, top, bottom)."""

    dims = 2


class _ModePadNd(_PadNd):
    """The reflection, replication and circular padding modules (they take no value)."""

    def __init__(self, padding: int | Sequence[int]) -> None:
        super().__init__(padding)


class ReflectionPad1d(_ModePadNd):
    """Pads the last dim with its mirror image (edges not repeated): pads < the size."""

    mode, dims = "reflect", 1


class ReflectionPad2d(_ModePadNd):
    """Pads the last two dims with their mirror image: (left, right, top, bottom)."""

    mode, dims = "reflect", 2


class ReplicationPad1d(_ModePadNd):
    """Pads the last dim by repeating its edge values."""

    mode, dims = "replicate", 1


class ReplicationPad2d(_ModePadNd):
    """Pads the last two dims by repeating their edge values: (left, right, top, bottom)."""

    mode, dims = "replicate", 2


class CircularPad1d(_ModePadNd):
    """Pads the last dim by wrapping around (x[-1] before x[0]): pads <= the size."""

    mode, dims = "circular", 1


class CircularPad2d(_ModePadNd):
    """Pads the last two dims by wrapping around: (left, right, top, bottom)."""

    mode, dims = "circular", 2


# ---------------------------------------------------------------------------------------------
# interpolation
# ---------------------------------------------------------------------------------------------

_INTERPOLATE_DIMS = {"linear": 1, "bilinear": 2}


def _nearest_source(
    n_in: int, n_out: int, scale: float | None, exact: bool, shortcuts: bool = False
) -> np.ndarray:
    """PyTorch's nearest rule in float32, as its kernels compute it: src = floor(i s) (or
    floor((i + 0.5) s) for nearest-exact), s = 1 / scale_factor if given, else in / out,
    clamped to n_in - 1. With `shortcuts` (its 2-D "nearest" kernel), an axis whose size
    stays is copied and one whose size doubles takes i // 2, whatever the scale_factor."""
    if shortcuts and n_out in (n_in, 2 * n_in):
        return np.arange(n_out) // (n_out // n_in)
    s = np.float32(1.0 / scale if scale else n_in / n_out)
    i = np.arange(n_out, dtype=np.float32) + np.float32(0.5 if exact else 0.0)
    return np.minimum(np.floor(i * s).astype(np.int64), n_in - 1)


def _linear_weights(
    n_in: int, n_out: int, scale: float | None, align_corners: bool, dtype: np.dtype
) -> np.ndarray:
    """The (n_out, n_in) matrix of 1-D linear interpolation, PyTorch's source coordinates:
    src = i (in - 1) / (out - 1) with align_corners, else max((i + 0.5) s - 0.5, 0) with
    s = 1 / scale_factor if given, else in / out; then (1 - t) x[floor src] + t x[floor src + 1]
    (the last index clamped to n_in - 1), t = src - floor(src)."""
    i = np.arange(n_out, dtype=dtype)
    if align_corners:
        s = dtype.type((n_in - 1) / (n_out - 1) if n_out > 1 else 0.0)
        src = i * s
    else:
        s = dtype.type(1.0 / scale if scale else n_in / n_out)
        src = np.maximum((i + dtype.type(0.5)) * s - dtype.type(0.5), 0)
    i0 = np.minimum(src.astype(np.int64), n_in - 1)
    i1 = np.minimum(i0 + 1, n_in - 1)
    t = src - i0
    w = np.zeros((n_out, n_in), dtype=dtype)
    np.add.at(w, (np.arange(n_out), i0), 1 - t)
    np.add.at(w, (np.arange(n_out), i1), t)
    return w


def _sizes(
    x: Tensor, k: int, size: Any, scale_factor: Any, recompute: bool | None
) -> tuple[list[int], list[float | None]]:
    """The output sizes of the last k dims and the scales the kernels use (None: in / out)."""
    if (size is None) == (scale_factor is None):
        raise ValueError(
            "interpolate: give exactly one of size and scale_factor, got "
            + ("both" if size is not None else "neither")
        )
    spatial = x.shape[2:]
    if size is not None:
        sizes = list(size) if isinstance(size, (tuple, list)) else [size] * k
        if len(sizes) != k:
            raise ValueError(
                f"interpolate: size {size!r} has {len(sizes)} entries for an input of shape "
                f"{x.shape} with {k} spatial dims"
            )
        sizes = [check_int(n, "interpolate", "size") for n in sizes]
        scales: list[float | None] = [None] * k
    else:
        factors = list(scale_factor) if isinstance(scale_factor, (tuple, list)) else [
            scale_factor] * k  # fmt: skip
        if len(factors) != k:
            raise ValueError(
                f"interpolate: scale_factor {scale_factor!r} has {len(factors)} entries for an "
                f"input of shape {x.shape} with {k} spatial dims"
            )
        factors = [check_real(f, "interpolate", "scale_factor") for f in factors]
        sizes = [math.floor(n * f) for n, f in zip(spatial, factors)]
        scales = [None if recompute else f for f in factors]
    if min(sizes) <= 0 or min(spatial) <= 0:
        raise ValueError(
            f"interpolate: input and output sizes must be greater than 0, got input of shape "
            f"{x.shape} and output size {tuple(sizes)}"
        )
    return sizes, scales


def interpolate(
    input: Tensor,
    size: int | Sequence[int] | None = None,
    scale_factor: float | Sequence[float] | None = None,
    mode: str = "nearest",
    align_corners: bool | None = None,
    recompute_scale_factor: bool | None = None,
    antialias: bool = False,
) -> Tensor:
    """Resample the spatial dims of an (N, C, L) or (N, C, H, W) input to `size`, or to
    floor(in * scale_factor), as PyTorch's F.interpolate.

    "nearest": out[i] = x[floor(i s)], "nearest-exact": x[floor((i + 0.5) s)], with s = in / out
    (or 1 / scale_factor); "linear" (3-D input) and "bilinear" (4-D input, one axis after the
    other): the source coordinate i (in - 1) / (out - 1) with align_corners=True, else
    (i + 0.5) s - 0.5 (half-pixel centres), clamped at 0, between its two neighbours.
    """
    x = _as_tensor(input, "interpolate")
    modes = ("nearest", "nearest-exact", "linear", "bilinear")
    if mode not in modes:
        raise NotImplementedError(f"interpolate: mode {mode!r} is not supported (one of {modes})")
    if x.ndim not in (3, 4):
        raise NotImplementedError(
            f"interpolate: expected a 3-D (N, C, L) or 4-D (N, C, H, W) input, got shape {x.shape}"
        )
    if mode in _INTERPOLATE_DIMS:
        if x.ndim != _INTERPOLATE_DIMS[mode] + 2:
            raise NotImplementedError(
                f"interpolate: got a {x.ndim}-D input, but {mode} mode needs a "
                f"{_INTERPOLATE_DIMS[mode] + 2}-D input"
            )
        align_corners = bool(align_corners)
    elif align_corners is not None:
        raise ValueError(
            "interpolate: align_corners can only be set with the interpolating modes linear "
            f"and bilinear, not {mode!r}"
        )
    if antialias:
        raise NotImplementedError("interpolate: antialias=True is not supported")
    k = x.ndim - 2
    sizes, scales = _sizes(x, k, size, scale_factor, recompute_scale_factor)
    if mode.startswith("nearest"):
        exact, shortcuts = mode == "nearest-exact", mode == "nearest" and k == 2
        for axis, n_out, scale in zip(range(2, x.ndim), sizes, scales):
            src = _nearest_source(x.shape[axis], n_out, scale, exact, shortcuts)
            x = _take(x, axis, src)
        return x
    x = x._float()
    dtype = x.dtype
    if sizes[-1] != x.shape[-1]:  # (an axis whose size stays is copied, as PyTorch does)
        w_last = _linear_weights(x.shape[-1], sizes[-1], scales[-1], align_corners, dtype)
        x = x @ Tensor._make(np.ascontiguousarray(w_last.T), None)
    if k == 2 and sizes[0] != x.shape[-2]:
        w_first = _linear_weights(x.shape[-2], sizes[0], scales[0], align_corners, dtype)
        x = Tensor._make(w_first, None) @ x
    return x


class Upsample(Module):
    """F.interpolate as a module: Upsample(size=None, scale_factor=None, mode="nearest",
    align_corners=None, recompute_scale_factor=None)."""

    def __init__(
        self,
        size: int | Sequence[int] | None = None,
        scale_factor: float | Sequence[float] | None = None,
        mode: str = "nearest",
        align_corners: bool | None = None,
        recompute_scale_factor: bool | None = None,
    ) -> None:
        super().__init__()
        self.size = size
        if isinstance(scale_factor, (tuple, list)):
            self.scale_factor: Any = tuple(float(f) for f in scale_factor)
        else:
            self.scale_factor = float(scale_factor) if scale_factor else None
        self.mode = mode
        self.align_corners = align_corners
        self.recompute_scale_factor = recompute_scale_factor

    def forward(self, x: Tensor) -> Tensor:
        return interpolate(
            x, self.size, self.scale_factor, self.mode, self.align_corners,
            self.recompute_scale_factor,
        )  # fmt: skip

    def extra_repr(self) -> str:
        if self.scale_factor is not None:
            info = f"scale_factor={self.scale_factor!r}"
        else:
            info = f"size={self.size!r}"
        return f"{info}, mode={self.mode!r}"


class UpsamplingNearest2d(Upsample):
    """Upsample(size, scale_factor, mode="nearest") of (N, C, H, W) input."""

    def __init__(self, size: Any = None, scale_factor: Any = None) -> None:
        super().__init__(size, scale_factor, mode="nearest")


class UpsamplingBilinear2d(Upsample):
    """Upsample(size, scale_factor, mode="bilinear", align_corners=True)."""

    def __init__(self, size: Any = None, scale_factor: Any = None) -> None:
        super().__init__(size, scale_factor, mode="bilinear", align_corners=True)


# ---------------------------------------------------------------------------------------------
# embedding
# ---------------------------------------------------------------------------------------------


def _padding_row(padding_idx: Any, n: int, who: str) -> int | None:
    """padding_idx (an int in [-n, n), or None) as a row of a table of n rows."""
    if padding_idx is None:
        return None
    padding_idx = check_int(padding_idx, who, "padding_idx")
    if not -n <= padding_idx < n:
        raise ValueError(f"{who}: padding_idx {padding_idx} is out of range for {n} embeddings")
    return padding_idx % n


def _lookup(indices: Any, weight: Tensor, padding_row: int | None, who: str) -> Tensor:
    """weight[indices] for integer indices in [0, n) (errors name `who`); the row
    `padding_row` is looked up as it is but receives no gradient. nn.Embedding's forward."""
    idx = np.asarray(indices.data if isinstance(indices, Tensor) else indices)
    if idx.dtype.kind not in "iu":
        raise TypeError(f"{who}: indices must be integers, got dtype {idx.dtype}")
    n = weight.shape[0]
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        bad = int(idx.min()) if idx.min() < 0 else int(idx.max())
        raise IndexError(f"{who}: index {bad} is out of range for {n} embeddings")
    out = weight[idx.astype(np.intp)]
    if padding_row is None:
        return out
    pad = Tensor._make((idx == padding_row)[..., None], None)
    return where(pad, out.detach(), out)


def embedding(
    input: Any,
    weight: Tensor,
    padding_idx: int | None = None,
    max_norm: float | None = None,
    norm_type: float = 2.0,
    scale_grad_by_freq: bool = False,
    sparse: bool = False,
) -> Tensor:
    """Row i of `weight` (num_embeddings, embedding_dim) for each integer index i of `input`:
    shape input.shape + (embedding_dim,). The row `padding_idx` (negative counts from the
    end) is looked up as it is but receives no gradient, as PyTorch's.

    As PyTorch: with `max_norm`, each row looked up whose `norm_type`-norm exceeds it is first
    rescaled in place, under no_grad, to norm max_norm (times max_norm / (norm + 1e-7));
    with `scale_grad_by_freq`, each row's gradient is divided by how often its index occurs in
    `input`. `sparse=True` is accepted, but the gradient is dense here."""
    if not isinstance(weight, Tensor):
        raise TypeError(f"embedding: weight must be a Tensor, got {type(weight).__name__}")
    if weight.ndim != 2:
        raise ValueError(f"embedding: weight must be 2-D, got shape {weight.shape}")
    padding_row = _padding_row(padding_idx, weight.shape[0], "embedding")
    if max_norm is None and not scale_grad_by_freq:
        return _lookup(input, weight, padding_row, "embedding")
    return _embedding_options(input, weight, padding_row, max_norm, norm_type,
                              scale_grad_by_freq, "embedding")  # fmt: skip


def _embedding_options(input: Any, weight: Tensor, padding_row: int | None, max_norm: Any,
                       norm_type: Any, by_freq: Any, who: str) -> Tensor:  # fmt: skip
    """embedding's lookup with max_norm and scale_grad_by_freq (see `embedding`); also
    nn.Embedding's."""
    from ..grad_mode import no_grad

    idx = np.asarray(input.data if isinstance(input, Tensor) else input)
    n = weight.shape[0]
    valid = idx.dtype.kind in "iu" and (idx.size == 0 or (idx.min() >= 0 and idx.max() < n))
    if max_norm is not None and valid:  # (else _lookup's error)
        max_norm, p = check_real(max_norm, who, "max_norm"), check_real(norm_type, who, "norm_type")
        rows = np.unique(idx)
        norms = np.linalg.norm(weight.data[rows].astype(np.float64), ord=p, axis=1)
        big = norms > max_norm
        if big.any():
            rows, scale = rows[big], (max_norm / (norms[big] + 1e-7))[:, None]
            with no_grad():  # the table itself changes: its version moves
                weight[rows] = Tensor((weight.data[rows] * scale).astype(weight.dtype))
    out = _lookup(idx, weight, padding_row, who)
    if by_freq:
        _, inverse, counts = np.unique(idx, return_inverse=True, return_counts=True)
        s = (1.0 / counts[inverse.reshape(idx.shape)])[..., None].astype(out.dtype)
        fixed = out.detach()
        out = fixed + (out - fixed) * Tensor._make(s, None)  # the value out, the gradient / count
    return out
