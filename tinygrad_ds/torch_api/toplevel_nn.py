"""PyTorch's top-level copies of nn.functional (`torch.conv2d`, `torch.layer_norm`,
`torch.dropout`, `torch.kl_div`, ...), with the argument order of PyTorch's top-level names
where it differs from F's: `dropout(input, p, train)` with p and train required,
`batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps)`,
`embedding(weight, indices)`, and losses whose `reduction` is PyTorch's enum 0 / 1 / 2
("none" / "mean" / "sum"; the names are taken too), 0 by default: PyTorch's top-level losses
reduce nothing unless asked (`torch.kl_div(x, y)` is elementwise), unlike F's "mean". Each
converts its input and calls the F function of the same name (nn/functional.py).
"""

from __future__ import annotations

from typing import Any

from ..functions import _t
from ..nn import functional as F
from ..tensor import Tensor

__all__ = [
    "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
    "avg_pool1d", "max_pool1d", "max_pool2d", "max_pool3d", "max_pool1d_with_indices",
    "adaptive_avg_pool1d", "adaptive_max_pool1d", "dropout", "alpha_dropout",
    "feature_alpha_dropout", "dropout_", "alpha_dropout_", "feature_alpha_dropout_",
    "layer_norm", "group_norm", "rms_norm", "batch_norm", "instance_norm", "embedding",
    "pixel_shuffle", "pixel_unshuffle", "channel_shuffle", "native_channel_shuffle", "bilinear",
    "cosine_similarity", "pairwise_distance", "pdist", "prelu", "selu", "celu", "threshold",
    "hardshrink", "rrelu", "relu_", "selu_", "celu_", "threshold_", "rrelu_",
    "binary_cross_entropy_with_logits", "kl_div", "ctc_loss", "cosine_embedding_loss",
    "hinge_embedding_loss", "margin_ranking_loss", "poisson_nll_loss", "triplet_margin_loss",
]  # fmt: skip

_REDUCTIONS = {0: "none", 1: "mean", 2: "sum"}


def _reduction(reduction: Any, what: str) -> str:
    """PyTorch's top-level reduction enum (0 none, 1 mean, 2 sum) or its name, as a name."""
    if reduction in _REDUCTIONS.values() and isinstance(reduction, str):
        return reduction
    if isinstance(reduction, int) and not isinstance(reduction, bool) and reduction in _REDUCTIONS:
        return _REDUCTIONS[reduction]
    raise ValueError(f"{what}: reduction must be 0 (none), 1 (mean) or 2 (sum), or one of those "
                     f"names, got {reduction!r}")  # fmt: skip


# -- convolution and pooling (F's arguments) -------------------------------------------------


def conv1d(input: Any, weight: Any, bias: Any = None, stride: Any = 1, padding: Any = 0,
           dilation: Any = 1, groups: int = 1) -> Tensor:  # fmt: skip
    """1-D cross-correlation (`F.conv1d`)."""
    return F.conv1d(_t(input, "conv1d"), weight, bias, stride, padding, dilation, groups)


def conv2d(input: Any, weight: Any, bias: Any = None, stride: Any = 1, padding: Any = 0,
           dilation: Any = 1, groups: int = 1) -> Tensor:  # fmt: skip
    """2-D cross-correlation (`F.conv2d`)."""
    return F.conv2d(_t(input, "conv2d"), weight, bias, stride, padding, dilation, groups)


def conv3d(input: Any, weight: Any, bias: Any = None, stride: Any = 1, padding: Any = 0,
           dilation: Any = 1, groups: int = 1) -> Tensor:  # fmt: skip
    """3-D cross-correlation (`F.conv3d`)."""
    return F.conv3d(_t(input, "conv3d"), weight, bias, stride, padding, dilation, groups)


def conv_transpose1d(input: Any, weight: Any, bias: Any = None, stride: Any = 1,
                     padding: Any = 0, output_padding: Any = 0, groups: int = 1,
                     dilation: Any = 1) -> Tensor:  # fmt: skip
    """The transpose (gradient) of conv1d (`F.conv_transpose1d`)."""
    x = _t(input, "conv_transpose1d")
    return F.conv_transpose1d(x, weight, bias, stride, padding, output_padding, groups, dilation)


def conv_transpose2d(input: Any, weight: Any, bias: Any = None, stride: Any = 1,
                     padding: Any = 0, output_padding: Any = 0, groups: int = 1,
                     dilation: Any = 1) -> Tensor:  # fmt: skip
    """The transpose (gradient) of conv2d (`F.conv_transpose2d`)."""
    x = _t(input, "conv_transpose2d")
    return F.conv_transpose2d(x, weight, bias, stride, padding, output_padding, groups, dilation)


def conv_transpose3d(input: Any, weight: Any, bias: Any = None, stride: Any = 1,
                     padding: Any = 0, output_padding: Any = 0, groups: int = 1,
                     dilation: Any = 1) -> Tensor:  # fmt: skip
    """The transpose (gradient) of conv3d (`F.conv_transpose3d`)."""
    x = _t(input, "conv_transpose3d")
    return F.conv_transpose3d(x, weight, bias, stride, padding, output_padding, groups, dilation)


def avg_pool1d(input: Any, kernel_size: Any, stride: Any = None, padding: Any = 0,
               ceil_mode: bool = False, count_include_pad: bool = True) -> Tensor:  # fmt: skip
    """1-D average pooling (`F.avg_pool1d`)."""
    x = _t(input, "avg_pool1d")
    return F.avg_pool1d(x, kernel_size, stride, padding, ceil_mode, count_include_pad)


def max_pool1d(input: Any, kernel_size: Any, stride: Any = None, padding: Any = 0,
               dilation: Any = 1, ceil_mode: bool = False) -> Tensor:  # fmt: skip
    """1-D max pooling (`F.max_pool1d`; PyTorch's top-level name returns no indices)."""
    return F.max_pool1d(_t(input, "max_pool1d"), kernel_size, stride, padding, dilation, ceil_mode)


def max_pool2d(input: Any, kernel_size: Any, stride: Any = None, padding: Any = 0,
               dilation: Any = 1, ceil_mode: bool = False) -> Tensor:  # fmt: skip
    """2-D max pooling (`F.max_pool2d`, without indices)."""
    return F.max_pool2d(_t(input, "max_pool2d"), kernel_size, stride, padding, dilation, ceil_mode)


def max_pool3d(input: Any, kernel_size: Any, stride: Any = None, padding: Any = 0,
               dilation: Any = 1, ceil_mode: bool = False) -> Tensor:  # fmt: skip
    """3-D max pooling (`F.max_pool3d`, without indices)."""
    return F.max_pool3d(_t(input, "max_pool3d"), kernel_size, stride, padding, dilation, ceil_mode)


def max_pool1d_with_indices(input: Any, kernel_size: Any, stride: Any = None, padding: Any = 0,
                            dilation: Any = 1, ceil_mode: bool = False
                            ) -> tuple[Tensor, Tensor]:  # fmt: skip
    """1-D max pooling and the int64 positions of the maxima (`F.max_pool1d_with_indices`)."""
    x = _t(input, "max_pool1d_with_indices")
    return F.max_pool1d_with_indices(x, kernel_size, stride, padding, dilation, ceil_mode)


def adaptive_avg_pool1d(input: Any, output_size: Any) -> Tensor:
    """1-D average pooling to `output_size` (`F.adaptive_avg_pool1d`)."""
    return F.adaptive_avg_pool1d(_t(input, "adaptive_avg_pool1d"), output_size)


def adaptive_max_pool1d(input: Any, output_size: Any) -> tuple[Tensor, Tensor]:
    """1-D max pooling to `output_size`: (values, indices), as PyTorch's top-level name."""
    return F.adaptive_max_pool1d(_t(input, "adaptive_max_pool1d"), output_size, True)


# -- dropout (p and train required, as PyTorch's top-level names) ---------------------------


def dropout(input: Any, p: float, train: bool) -> Tensor:
    """Zero each element with probability p and scale the rest by 1/(1 - p) when train
    (`F.dropout`)."""
    return F.dropout(_t(input, "dropout"), p, train)


def alpha_dropout(input: Any, p: float, train: bool) -> Tensor:
    """Dropout keeping SELU's mean and variance (`F.alpha_dropout`)."""
    return F.alpha_dropout(_t(input, "alpha_dropout"), p, train)


def feature_alpha_dropout(input: Any, p: float, train: bool) -> Tensor:
    """Alpha dropout of whole channels (`F.feature_alpha_dropout`)."""
    return F.feature_alpha_dropout(_t(input, "feature_alpha_dropout"), p, train)


def dropout_(input: Tensor, p: float, train: bool) -> Tensor:
    """`dropout`, in place."""
    return input.copy_(dropout(input, p, train)) if train else input


def alpha_dropout_(input: Tensor, p: float, train: bool) -> Tensor:
    """`alpha_dropout`, in place."""
    return input.copy_(alpha_dropout(input, p, train)) if train else input


def feature_alpha_dropout_(input: Tensor, p: float, train: bool) -> Tensor:
    """`feature_alpha_dropout`, in place."""
    return input.copy_(feature_alpha_dropout(input, p, train)) if train else input


# -- normalization and embedding -------------------------------------------------------------


def layer_norm(input: Any, normalized_shape: Any, weight: Any = None, bias: Any = None,
               eps: float = 1e-5, cudnn_enable: bool = True) -> Tensor:  # fmt: skip
    """Normalize over the last dims (`F.layer_norm`; cudnn_enable, PyTorch's, is ignored)."""
    return F.layer_norm(_t(input, "layer_norm"), normalized_shape, weight, bias, eps)


def group_norm(input: Any, num_groups: int, weight: Any = None, bias: Any = None,
               eps: float = 1e-5, cudnn_enabled: bool = True) -> Tensor:  # fmt: skip
    """Normalize over groups of channels (`F.group_norm`; cudnn_enabled is ignored)."""
    return F.group_norm(_t(input, "group_norm"), num_groups, weight, bias, eps)


def rms_norm(input: Any, normalized_shape: Any, weight: Any = None,
             eps: float | None = None) -> Tensor:  # fmt: skip
    """x / sqrt(mean(x^2) + eps) over the last dims, times weight (`F.rms_norm`)."""
    return F.rms_norm(_t(input, "rms_norm"), normalized_shape, weight, eps)


def batch_norm(input: Any, weight: Any, bias: Any, running_mean: Any, running_var: Any,
               training: bool, momentum: float, eps: float,
               cudnn_enabled: bool = True) -> Tensor:  # fmt: skip
    """`F.batch_norm`, with PyTorch's top-level argument order (weight and bias first;
    cudnn_enabled is ignored)."""
    x = _t(input, "batch_norm")
    return F.batch_norm(x, running_mean, running_var, weight, bias, training, momentum, eps)


def instance_norm(input: Any, weight: Any, bias: Any, running_mean: Any, running_var: Any,
                  use_input_stats: bool, momentum: float, eps: float,
                  cudnn_enabled: bool = True) -> Tensor:  # fmt: skip
    """`F.instance_norm`, with PyTorch's top-level argument order (weight and bias first;
    cudnn_enabled is ignored)."""
    x = _t(input, "instance_norm")
    return F.instance_norm(x, running_mean, running_var, weight, bias, use_input_stats,
                           momentum, eps)  # fmt: skip


def embedding(weight: Any, indices: Any, padding_idx: int = -1) -> Tensor:
    """The rows of `weight` at `indices`: PyTorch's top-level order (weight first) and
    padding_idx (-1 for none; that row then gets no gradient, as `F.embedding`'s)."""
    return F.embedding(indices, _t(weight, "embedding"), None if padding_idx == -1 else padding_idx)


# -- rearranging, similarity, activations ----------------------------------------------------


def pixel_shuffle(input: Any, upscale_factor: int) -> Tensor:
    """(C r^2, H, W) -> (C, H r, W r) (`F.pixel_shuffle`)."""
    return F.pixel_shuffle(_t(input, "pixel_shuffle"), upscale_factor)


def pixel_unshuffle(input: Any, downscale_factor: int) -> Tensor:
    """The inverse of pixel_shuffle (`F.pixel_unshuffle`)."""
    return F.pixel_unshuffle(_t(input, "pixel_unshuffle"), downscale_factor)


def channel_shuffle(input: Any, groups: int) -> Tensor:
    """Channels (g, C/g) transposed to (C/g, g) (`F.channel_shuffle`)."""
    return F.channel_shuffle(_t(input, "channel_shuffle"), groups)


def native_channel_shuffle(input: Any, groups: int) -> Tensor:
    """`channel_shuffle` (PyTorch's second name for it)."""
    return F.channel_shuffle(_t(input, "native_channel_shuffle"), groups)


def bilinear(input1: Any, input2: Any, weight: Any, bias: Any = None) -> Tensor:
    """y_k = x1^T W_k x2 + b_k (`F.bilinear`)."""
    return F.bilinear(_t(input1, "bilinear"), _t(input2, "bilinear"), weight, bias)


def cosine_similarity(x1: Any, x2: Any, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """x1 . x2 / max(|x1| |x2|, eps) along dim (`F.cosine_similarity`)."""
    w = "cosine_similarity"
    return F.cosine_similarity(_t(x1, w), _t(x2, w), dim, eps)


def pairwise_distance(x1: Any, x2: Any, p: float = 2.0, eps: float = 1e-6,
                      keepdim: bool = False) -> Tensor:  # fmt: skip
    """||x1 - x2 + eps||_p along the last dim (`F.pairwise_distance`)."""
    w = "pairwise_distance"
    return F.pairwise_distance(_t(x1, w), _t(x2, w), p, eps, keepdim)


def pdist(input: Any, p: float = 2.0) -> Tensor:
    """The p-norm distances between the rows of a 2-D input, upper triangle (`F.pdist`)."""
    return F.pdist(_t(input, "pdist"), p)


def prelu(input: Any, weight: Any) -> Tensor:
    """max(0, x) + weight * min(0, x), weight per channel (`F.prelu`)."""
    return F.prelu(_t(input, "prelu"), weight)


def selu(input: Any) -> Tensor:
    """scale * elu(x, alpha) with SELU's constants (`F.selu`)."""
    return F.selu(_t(input, "selu"))


def celu(input: Any, alpha: float = 1.0) -> Tensor:
    """max(0, x) + min(0, alpha (exp(x / alpha) - 1)) (`F.celu`)."""
    return F.celu(_t(input, "celu"), alpha)


def threshold(input: Any, threshold: float, value: float) -> Tensor:
    """x where x > threshold, else value (`F.threshold`)."""
    return F.threshold(_t(input, "threshold"), threshold, value)


def hardshrink(input: Any, lambd: float = 0.5) -> Tensor:
    """x where |x| > lambd, else 0 (`F.hardshrink`)."""
    return F.hardshrink(_t(input, "hardshrink"), lambd)


def rrelu(input: Any, lower: float = 1 / 8, upper: float = 1 / 3, training: bool = False
          ) -> Tensor:  # fmt: skip
    """Leaky ReLU with a random slope in [lower, upper] when training (`F.rrelu`)."""
    return F.rrelu(_t(input, "rrelu"), lower, upper, training)


def relu_(input: Tensor) -> Tensor:
    """`relu`, in place (`F.relu_`)."""
    return F.relu_(input)


def selu_(input: Tensor) -> Tensor:
    """`selu`, in place (`F.selu_`)."""
    return F.selu_(input)


def celu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    """`celu`, in place (`F.celu_`)."""
    return F.celu_(input, alpha)


def threshold_(input: Tensor, threshold: float, value: float) -> Tensor:
    """`threshold`, in place (`F.threshold_`)."""
    return F.threshold_(input, threshold, value)


def rrelu_(input: Tensor, lower: float = 1 / 8, upper: float = 1 / 3, training: bool = False
           ) -> Tensor:  # fmt: skip
    """`rrelu`, in place (`F.rrelu_`)."""
    return F.rrelu_(input, lower, upper, training)


# -- losses (reduction: PyTorch's enum 0 none, 1 mean, 2 sum, or its name; 0 by default) -----


def binary_cross_entropy_with_logits(input: Any, target: Any, weight: Any = None,
                                     pos_weight: Any = None, reduction: Any = 0
                                     ) -> Tensor:  # fmt: skip
    """`F.binary_cross_entropy_with_logits` (pos_weight before reduction, as here)."""
    w = "binary_cross_entropy_with_logits"
    return F.binary_cross_entropy_with_logits(input, target, weight, _reduction(reduction, w),
                                              pos_weight)  # fmt: skip


def kl_div(input: Any, target: Any, reduction: Any = 0, *, log_target: bool = False) -> Tensor:
    """`F.kl_div` (input holds log-probabilities)."""
    return F.kl_div(input, target, _reduction(reduction, "kl_div"), log_target)


def ctc_loss(log_probs: Any, targets: Any, input_lengths: Any, target_lengths: Any,
             blank: int = 0, reduction: Any = 0,
             zero_infinity: bool = False) -> Tensor:  # fmt: skip
    """The connectionist temporal classification loss (`F.ctc_loss`)."""
    return F.ctc_loss(_t(log_probs, "ctc_loss"), targets, input_lengths, target_lengths, blank,
                      _reduction(reduction, "ctc_loss"), zero_infinity)  # fmt: skip


def cosine_embedding_loss(input1: Any, input2: Any, target: Any, margin: float = 0.0,
                          reduction: Any = 0) -> Tensor:  # fmt: skip
    """`F.cosine_embedding_loss`."""
    r = _reduction(reduction, "cosine_embedding_loss")
    return F.cosine_embedding_loss(input1, input2, target, margin, r)


def hinge_embedding_loss(input: Any, target: Any, margin: float = 1.0, reduction: Any = 0
                         ) -> Tensor:  # fmt: skip
    """`F.hinge_embedding_loss`."""
    r = _reduction(reduction, "hinge_embedding_loss")
    return F.hinge_embedding_loss(input, target, margin, r)


def margin_ranking_loss(input1: Any, input2: Any, target: Any, margin: float = 0.0,
                        reduction: Any = 0) -> Tensor:  # fmt: skip
    """`F.margin_ranking_loss`."""
    r = _reduction(reduction, "margin_ranking_loss")
    return F.margin_ranking_loss(input1, input2, target, margin, r)


def poisson_nll_loss(input: Any, target: Any, log_input: bool, full: bool, eps: float,
                     reduction: Any) -> Tensor:  # fmt: skip
    """`F.poisson_nll_loss` (every argument required, as PyTorch's top-level name)."""
    r = _reduction(reduction, "poisson_nll_loss")
    return F.poisson_nll_loss(input, target, log_input, full, eps, r)


def triplet_margin_loss(anchor: Any, positive: Any, negative: Any, margin: float = 1.0,
                        p: float = 2.0, eps: float = 1e-6, swap: bool = False,
                        reduction: Any = 0) -> Tensor:  # fmt: skip
    """`F.triplet_margin_loss`."""
    r = _reduction(reduction, "triplet_margin_loss")
    return F.triplet_margin_loss(anchor, positive, negative, margin, p, eps, swap, r)
