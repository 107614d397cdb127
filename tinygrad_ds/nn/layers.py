"""Layers: Linear, Embedding, Identity, Flatten, Unflatten, Dropout and the activation modules
(ReLU, LeakyReLU, Sigmoid, Tanh, Softmax, LogSoftmax; the others are in activation.py)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..device import check_device
from ..dtypes import get_default_dtype
from ..tensor import Tensor
from . import functional as F
from . import init
from .dropout import _probability
from .module import Module, Parameter, check_int, check_real
from .sampling import _embedding_options, _lookup, _padding_row

__all__ = [
    "Linear", "Embedding", "Identity", "Flatten", "Unflatten", "Dropout", "ReLU", "LeakyReLU",
    "Sigmoid", "Tanh", "Softmax", "LogSoftmax",
]  # fmt: skip


def _dtype(dtype: Any, who: str, device: Any = None) -> np.dtype:
    """The parameters' dtype: the default, or `dtype` if it is a floating one; `device` must be
    the CPU (None, 'cpu', td.device('cpu'): PyTorch's `device=`, see `check_device`)."""
    check_device(device, who)
    if dtype is None:
        return get_default_dtype()
    try:
        d = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"{who}: dtype {dtype!r} is not a dtype") from None
    if d.kind != "f":
        raise TypeError(f"{who}: layers hold floating parameters; dtype {d} is not floating")
    return d


def _positive(what: str, **sizes: int) -> None:
    """Sizes are ints (TypeError otherwise) and >= 0 (ValueError otherwise)."""
    for name, n in sizes.items():
        if check_int(n, what, name) < 0:
            raise ValueError(f"{what}: {name} must be a non-negative int, got {n!r}")


# ---------------------------------------------------------------------------------------------
# layers with parameters
# ---------------------------------------------------------------------------------------------


class Linear(Module):
    """y = x W^T + b, with `weight` W of shape (out_features, in_features) and `bias` b of shape
    (out_features,): the course's z = W a + b, one example per row.

    Both start as U(-1/sqrt(in), 1/sqrt(in)), PyTorch's default (kaiming_uniform_ with
    a = sqrt(5) for the weight).
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        _positive("Linear", in_features=in_features, out_features=out_features)
        self.in_features = int(in_features)
        self.out_features = int(out_features)
        d = _dtype(dtype, "Linear", device)
        self.weight = Parameter(np.empty((out_features, in_features), dtype=d))
        if bias:
            self.bias = Parameter(np.empty((out_features,), dtype=d))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            bound = 1 / math.sqrt(self.in_features) if self.in_features > 0 else 0.0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, x: Tensor) -> Tensor:
        return F.linear(x, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, "
            f"bias={self.bias is not None}"
        )


class Embedding(Module):
    """A lookup table: row i of `weight` (num_embeddings, embedding_dim) for each index i.

    `weight` starts as N(0, 1); the row `padding_idx` (if given) starts at zero and receives no
    gradient. The output has shape indices.shape + (embedding_dim,). `max_norm`, `norm_type`,
    `scale_grad_by_freq` and `sparse` are F.embedding's (rows renormalised in place when looked
    up; gradients divided by the index counts; a dense gradient even with sparse=True).
    """

    def __init__(
        self,
        num_embeddings: int,
        embedding_dim: int,
        padding_idx: int | None = None,
        max_norm: float | None = None,
        norm_type: float = 2.0,
        scale_grad_by_freq: bool = False,
        sparse: bool = False,
        _weight: Any = None,
        _freeze: bool = False,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        _positive("Embedding", num_embeddings=num_embeddings, embedding_dim=embedding_dim)
        padding_idx = _padding_row(padding_idx, num_embeddings, "Embedding")
        self.num_embeddings = int(num_embeddings)
        self.embedding_dim = int(embedding_dim)
        self.padding_idx = padding_idx
        self.max_norm = None if max_norm is None else check_real(max_norm, "Embedding", "max_norm")
        self.norm_type = check_real(norm_type, "Embedding", "norm_type")
        self.scale_grad_by_freq, self.sparse = bool(scale_grad_by_freq), bool(sparse)
        shape = (self.num_embeddings, self.embedding_dim)
        if _weight is None:
            self.weight = Parameter(np.empty(shape, dtype=_dtype(dtype, "Embedding", device)))
            self.reset_parameters()
        else:  # the given table, its memory shared and its padding row left as it is
            w = _weight.data if isinstance(_weight, Tensor) else np.asarray(_weight)
            if w.shape != shape:
                raise ValueError(f"Embedding: _weight of shape {w.shape} must be {shape}")
            if w.dtype.kind != "f":
                raise TypeError(f"Embedding: the table must hold floats, got dtype {w.dtype}")
            self.weight = Parameter(w, requires_grad=not _freeze)

    @classmethod
    def from_pretrained(
        cls, embeddings: Any, freeze: bool = True, padding_idx: int | None = None,
        max_norm: float | None = None, norm_type: float = 2.0, scale_grad_by_freq: bool = False,
        sparse: bool = False,
    ) -> Embedding:  # fmt: skip
        """An Embedding whose weight is `embeddings` (2-D, its memory shared, as PyTorch's),
        frozen (no gradient) unless freeze=False."""
        w = embeddings.data if isinstance(embeddings, Tensor) else np.asarray(embeddings)
        if w.ndim != 2:
            raise ValueError(f"Embedding.from_pretrained: embeddings must be 2-D, got shape "
                             f"{w.shape}")  # fmt: skip
        return cls(w.shape[0], w.shape[1], padding_idx, max_norm, norm_type, scale_grad_by_freq,
                   sparse, _weight=w, _freeze=freeze)  # fmt: skip

    def reset_parameters(self) -> None:
        init.normal_(self.weight)
        if self.padding_idx is not None:
            self.weight.data[self.padding_idx] = 0

    def forward(self, indices: Any) -> Tensor:
        if self.max_norm is None and not self.scale_grad_by_freq:
            return _lookup(indices, self.weight, self.padding_idx, "Embedding")
        return _embedding_options(indices, self.weight, self.padding_idx, self.max_norm,
                                  self.norm_type, self.scale_grad_by_freq, "Embedding")  # fmt: skip

    def extra_repr(self) -> str:
        s = f"{self.num_embeddings}, {self.embedding_dim}"
        s += "" if self.padding_idx is None else f", padding_idx={self.padding_idx}"
        s += "" if self.max_norm is None else f", max_norm={self.max_norm}"
        s += "" if self.norm_type == 2 else f", norm_type={self.norm_type}"
        s += ", scale_grad_by_freq=True" if self.scale_grad_by_freq else ""
        return s + (", sparse=True" if self.sparse else "")


# ---------------------------------------------------------------------------------------------
# layers without parameters
# ---------------------------------------------------------------------------------------------


class Identity(Module):
    """y = x (a placeholder that ignores its constructor arguments, as PyTorch's)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()

    def forward(self, x: Tensor) -> Tensor:
        return x


class Flatten(Module):
    """Flatten dims start_dim..end_dim into one (default: all but the batch axis)."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, x: Tensor) -> Tensor:
        return x.flatten(self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Dropout(Module):
    """Inverted dropout in training mode (zero with probability p, scale the rest by
    1 / (1 - p)); the identity in eval mode. `inplace=True` writes into the input."""

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        self.p, self.inplace = _probability(p, "Dropout"), bool(inplace)

    def forward(self, x: Tensor) -> Tensor:
        return F.dropout(x, self.p, self.training, self.inplace)

    def extra_repr(self) -> str:
        return f"p={self.p}" + (", inplace=True" if self.inplace else "")


class ReLU(Module):
    """max(x, 0); `inplace=True` writes it into the input."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = bool(inplace)

    def forward(self, x: Tensor) -> Tensor:
        return F.relu(x, self.inplace)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class LeakyReLU(Module):
    """x if x > 0 else negative_slope * x; `inplace=True` writes it into the input."""

    def __init__(self, negative_slope: float = 0.01, inplace: bool = False) -> None:
        super().__init__()
        self.negative_slope = check_real(negative_slope, "LeakyReLU", "negative_slope")
        self.inplace = bool(inplace)

    def forward(self, x: Tensor) -> Tensor:
        return F.leaky_relu(x, self.negative_slope, self.inplace)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}" + (", inplace=True" if self.inplace else "")


class Sigmoid(Module):
    """1 / (1 + e^-x)."""

    def forward(self, x: Tensor) -> Tensor:
        return F.sigmoid(x)


class Tanh(Module):
    """tanh(x), elementwise."""

    def forward(self, x: Tensor) -> Tensor:
        return F.tanh(x)


class Softmax(Module):
    """Softmax along `dim` (the last axis unless given)."""

    def __init__(self, dim: int = -1) -> None:
        super().__init__()
        self.dim = dim if dim is None else check_int(dim, type(self).__name__, "dim")

    def forward(self, x: Tensor) -> Tensor:
        return F.softmax(x, dim=self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class LogSoftmax(Softmax):
    """Log-softmax along `dim` (the last axis unless given)."""

    def forward(self, x: Tensor) -> Tensor:
        return F.log_softmax(x, dim=self.dim)


# ---------------------------------------------------------------------------------------------
# Unflatten (the inverse of Flatten)
# ---------------------------------------------------------------------------------------------


class Unflatten(Module):
    """Split dim `dim` into `unflattened_size` (one entry may be -1, inferred): the inverse of
    Flatten, e.g. (N, 10) -> (N, 2, 5) with Unflatten(1, (2, 5))."""

    def __init__(self, dim: int, unflattened_size: tuple[int, ...] | list[int]) -> None:
        super().__init__()
        self.dim = check_int(dim, "Unflatten", "dim")
        if not isinstance(unflattened_size, (tuple, list, np.ndarray)):
            raise TypeError(
                f"Unflatten: unflattened_size must be a tuple of ints, got {unflattened_size!r}"
            )
        size = tuple(check_int(n, "Unflatten", "unflattened_size") for n in unflattened_size)
        if not size or sum(n == -1 for n in size) > 1 or min(size) < -1:
            raise ValueError(
                "Unflatten: unflattened_size must be non-empty sizes >= 0 with at most one -1, "
                f"got {size}"
            )
        self.unflattened_size = size

    def forward(self, x: Tensor) -> Tensor:
        if x.ndim == 0:
            raise ValueError("Unflatten: a 0-d tensor has no dim to unflatten")
        from ..tensor import _axis1

        axis = _axis1(self.dim, x.ndim, "Unflatten")
        n, size = x.shape[axis], self.unflattened_size
        known = math.prod(m for m in size if m != -1)
        if (n != known) if -1 not in size else (known == 0 or n % known):
            raise ValueError(
                f"Unflatten: sizes {size} do not multiply up to the size of dim {self.dim} "
                f"({n}) of the input of shape {x.shape}"
            )
        size = tuple(n // known if m == -1 else m for m in size)
        return x.reshape(x.shape[:axis] + size + x.shape[axis + 1 :])

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"
