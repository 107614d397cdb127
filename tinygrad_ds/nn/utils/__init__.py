"""nn.utils, as PyTorch's: training utilities (clip_grad.py: the L2 penalty, gradient
clipping, the parameters as one vector), batches of variable-length sequences (rnn.py)."""

from . import parametrizations, parametrize, rnn
from .clip_grad import (
    clip_grad_norm,
    clip_grad_norm_,
    clip_grad_value_,
    clip_grads_with_norm_,
    get_total_norm,
    l2_penalty,
    parameters_to_vector,
    vector_to_parameters,
)
from .rnn import PackedSequence
from .spectral_norm import remove_spectral_norm, spectral_norm
from .weight_norm import remove_weight_norm, weight_norm

__all__ = [
    "l2_penalty", "clip_grad_norm_", "clip_grad_norm", "clip_grad_value_", "get_total_norm",
    "clip_grads_with_norm_", "parameters_to_vector", "vector_to_parameters", "rnn",
    "PackedSequence", "parametrize", "parametrizations", "weight_norm", "remove_weight_norm",
    "spectral_norm", "remove_spectral_norm",
]  # fmt: skip
