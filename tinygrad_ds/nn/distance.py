"""Small modules of PyTorch's on pairs of inputs: PairwiseDistance and CosineSimilarity
(modules around F.pairwise_distance and F.cosine_similarity), Bilinear (y = x1^T A x2 + b) and
F.bilinear, and Softmax2d (a softmax over the channels at each position).

All are composed from Tensor operations, so their gradients need no code of their own.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..tensor import Tensor
from . import functional as F
from . import init
from .layers import _dtype, _positive
from .module import Module, Parameter, check_int, check_real

__all__ = ["PairwiseDistance", "CosineSimilarity", "Bilinear", "Softmax2d", "bilinear"]


class PairwiseDistance(Module):
    """||x1 - x2 + eps||_p along the last dim (see F.pairwise_distance)."""

    def __init__(self, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False) -> None:
        super().__init__()
        self.norm = check_real(p, "PairwiseDistance", "p")
        self.eps = check_real(eps, "PairwiseDistance", "eps")
        self.keepdim = bool(keepdim)

    def forward(self, x1: Tensor, x2: Tensor) -> Tensor:
        return F.pairwise_distance(x1, x2, self.norm, self.eps, self.keepdim)


class CosineSimilarity(Module):
    """The cosine of the angle between x1 and x2 along `dim` (see F.cosine_similarity)."""

    def __init__(self, dim: int = 1, eps: float = 1e-8) -> None:
        super().__init__()
        self.dim = check_int(dim, "CosineSimilarity", "dim")
        self.eps = check_real(eps, "CosineSimilarity", "eps")

    def forward(self, x1: Tensor, x2: Tensor) -> Tensor:
        return F.cosine_similarity(x1, x2, self.dim, self.eps)


def bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y_k = x1^T A_k x2 + b_k for each output k: input1 (*, in1), input2 (*, in2) with the
    same leading dims, weight A (out, in1, in2), bias b (out,); the result is (*, out)."""
    x1, x2 = F._float(input1, "bilinear"), F._float(input2, "bilinear")
    w = F._float(weight, "bilinear")
    if w.ndim != 3:
        raise ValueError(f"bilinear: weight must have shape (out, in1, in2), got {w.shape}")
    out, in1, in2 = w.shape
    if x1.ndim < 1 or x2.ndim < 1 or x1.shape[:-1] != x2.shape[:-1]:
        raise ValueError(
            f"bilinear: input1 and input2 must have the same leading dims, got shapes "
            f"{x1.shape} and {x2.shape}"
        )
    if x1.shape[-1] != in1 or x2.shape[-1] != in2:
        raise ValueError(
            f"bilinear: inputs of shapes {x1.shape} and {x2.shape} do not end with in1 = {in1} "
            f"and in2 = {in2} of the weight of shape {w.shape}"
        )
    b = None if bias is None else F._float(bias, "bilinear")
    if b is not None and b.shape != (out,):
        raise ValueError(f"bilinear: bias must have shape ({out},), got {b.shape}")
    lead = x1.shape[:-1]
    a = x1.reshape(-1, in1)
    # (x1 A_k) for every k at once: (B, in1) @ (in1, out * in2), then a dot with x2 per k.
    t = (a @ w.permute(1, 0, 2).reshape(in1, out * in2)).reshape(-1, out, in2)
    y = (t * x2.reshape(-1, 1, in2)).sum(-1)
    if b is not None:
        y = y + b
    return y.reshape(*lead, out)


class Bilinear(Module):
    """y = x1^T A x2 + b (see `bilinear`), `weight` A of shape (out, in1, in2) and `bias` b of
    shape (out,), both starting as U(-1/sqrt(in1), 1/sqrt(in1)) as PyTorch's."""

    def __init__(
        self,
        in1_features: int,
        in2_features: int,
        out_features: int,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        _positive("Bilinear", in1_features=in1_features, in2_features=in2_features,
                  out_features=out_features)  # fmt: skip
        self.in1_features, self.in2_features = int(in1_features), int(in2_features)
        self.out_features = int(out_features)
        d = _dtype(dtype, "Bilinear", device)
        self.weight = Parameter(np.empty((out_features, in1_features, in2_features), dtype=d))
        if bias:
            self.bias = Parameter(np.empty((out_features,), dtype=d))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        bound = 1 / math.sqrt(self.in1_features) if self.in1_features > 0 else 0.0
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input1: Tensor, input2: Tensor) -> Tensor:
        return bilinear(input1, input2, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (
            f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
            f"out_features={self.out_features}, bias={self.bias is not None}"
        )


class Softmax2d(Module):
    """A softmax over the channels at each position of a (N, C, H, W) or (C, H, W) input."""

    def forward(self, x: Tensor) -> Tensor:
        if x.ndim not in (3, 4):
            raise ValueError(
                f"Softmax2d: expected input of shape (N, C, H, W) or (C, H, W), got {x.shape}"
            )
        return x.softmax(-3)
