"""Folding an eval-mode batch norm into the convolution or linear layer before it, as
PyTorch's `nn.utils.fusion`: bn(conv(x)) = conv'(x) with

    s = gamma / sqrt(running_var + eps),   W' = W s (per output channel),
    b' = (b - running_mean) s + beta.
"""

from __future__ import annotations

import copy

import numpy as np

from ...grad_mode import no_grad
from ...tensor import Tensor
from ..module import Module, Parameter

__all__ = ["fuse_conv_bn_eval", "fuse_conv_bn_weights", "fuse_linear_bn_eval",
           "fuse_linear_bn_weights"]  # fmt: skip


def _filled(like: Tensor, value: float) -> Tensor:
    return Tensor._make(np.full(like.shape, value, dtype=like.dtype), None)


def fuse_conv_bn_weights(conv_w: Tensor, conv_b: Tensor | None, bn_rm: Tensor, bn_rv: Tensor,
                         bn_eps: float, bn_w: Tensor | None, bn_b: Tensor | None,
                         transpose: bool = False) -> tuple[Parameter, Parameter]:  # fmt: skip
    """(W', b') of the module docstring for a convolution weight (out, in, *k) (transposed:
    (in, out, *k)); a missing bias is 0, a missing gamma 1 and beta 0. New Parameters, with
    the dtypes and requires_grad of conv_w and conv_b."""
    w_dtype = conv_w.dtype
    b_dtype = conv_b.dtype if conv_b is not None else w_dtype
    b_grad = conv_b.requires_grad if conv_b is not None else False
    with no_grad():
        conv_b = _filled(bn_rm, 0.0) if conv_b is None else conv_b
        bn_w = _filled(bn_rm, 1.0) if bn_w is None else bn_w
        bn_b = _filled(bn_rm, 0.0) if bn_b is None else bn_b
        rsqrt = (bn_rv + bn_eps).rsqrt()
        shape = (1, -1) if transpose else (-1, 1)
        shape += (1,) * (conv_w.ndim - 2)
        w = (conv_w * (bn_w * rsqrt).reshape(shape)).astype(w_dtype)
        b = ((conv_b - bn_rm) * rsqrt * bn_w + bn_b).astype(b_dtype)
    return Parameter(w, conv_w.requires_grad), Parameter(b, b_grad)


def _check_eval(a: Module, bn: Module, what: str) -> None:
    if a.training or bn.training:
        raise ValueError(f"{what}: fusion only for eval! ({type(a).__name__} training="
                         f"{a.training}, {type(bn).__name__} training={bn.training})")  # fmt: skip
    if bn.running_mean is None or bn.running_var is None:
        raise ValueError(f"{what}: the batch norm must track running statistics")


def fuse_conv_bn_eval(conv: Module, bn: Module, transpose: bool = False) -> Module:
    """A copy of `conv` computing bn(conv(x)) in eval mode (both modules must be in eval)."""
    _check_eval(conv, bn, "fuse_conv_bn_eval")
    fused = copy.deepcopy(conv)
    fused.weight, fused.bias = fuse_conv_bn_weights(
        fused.weight, fused.bias, bn.running_mean, bn.running_var, bn.eps, bn.weight, bn.bias,
        transpose,
    )  # fmt: skip
    return fused


def fuse_linear_bn_weights(linear_w: Tensor, linear_b: Tensor | None, bn_rm: Tensor,
                           bn_rv: Tensor, bn_eps: float, bn_w: Tensor | None,
                           bn_b: Tensor | None) -> tuple[Parameter, Parameter]:  # fmt: skip
    """(W', b') of the module docstring for a linear weight (out, in)."""
    b_grad = linear_b.requires_grad if linear_b is not None else False
    with no_grad():
        linear_b = _filled(bn_rm, 0.0) if linear_b is None else linear_b
        bn_w = _filled(bn_rm, 1.0) if bn_w is None else bn_w
        bn_b = _filled(bn_rm, 0.0) if bn_b is None else bn_b
        scale = bn_w * (bn_rv + bn_eps).rsqrt()
        w = linear_w * scale.unsqueeze(-1)
        b = (linear_b - bn_rm) * scale + bn_b
    return Parameter(w, linear_w.requires_grad), Parameter(b, b_grad)


def fuse_linear_bn_eval(linear: Module, bn: Module) -> Module:
    """A copy of `linear` computing bn(linear(x)) in eval mode (both modules must be in
    eval; bn.num_features must be linear.out_features, or 1)."""
    what = "fuse_linear_bn_eval"
    _check_eval(linear, bn, what)
    if linear.out_features != bn.num_features and bn.num_features != 1:
        raise ValueError(f"{what}: to fuse, linear.out_features == bn.num_features or "
                         f"bn.num_features == 1; got {linear.out_features} and "
                         f"{bn.num_features}")  # fmt: skip
    fused = copy.deepcopy(linear)
    fused.weight, fused.bias = fuse_linear_bn_weights(
        fused.weight, fused.bias, bn.running_mean, bn.running_var, bn.eps, bn.weight, bn.bias
    )
    return fused
