"""nn.utils, as PyTorch's, one file per family:

clip_grad.py          the L2 penalty, gradient clipping, the parameters as one vector
rnn.py                batches of variable-length sequences (PackedSequence, pad/pack)
parametrize.py        tensors computed from other tensors (register_parametrization)
parametrizations.py   weight_norm, spectral_norm, orthogonal as parametrizations
weight_norm.py, spectral_norm.py   the old hook-based weight_norm and spectral_norm
fusion.py             folding eval-mode batch norm into conv / linear layers
stateless.py          functional_call: a module run with other parameters and buffers
init.py               skip_init
prune.py              pruning: masks on parameters (l1_unstructured, ln_structured, ...)
"""

from . import fusion, parametrizations, parametrize, prune, rnn, stateless
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
from .fusion import (
    fuse_conv_bn_eval,
    fuse_conv_bn_weights,
    fuse_linear_bn_eval,
    fuse_linear_bn_weights,
)
from .init import skip_init
from .rnn import PackedSequence
from .spectral_norm import remove_spectral_norm, spectral_norm
from .weight_norm import remove_weight_norm, weight_norm

__all__ = [
    "l2_penalty", "clip_grad_norm_", "clip_grad_norm", "clip_grad_value_", "get_total_norm",
    "clip_grads_with_norm_", "parameters_to_vector", "vector_to_parameters", "rnn",
    "PackedSequence", "parametrize", "parametrizations", "weight_norm", "remove_weight_norm",
    "spectral_norm", "remove_spectral_norm", "fusion", "stateless", "fuse_conv_bn_eval",
    "fuse_conv_bn_weights", "fuse_linear_bn_eval", "fuse_linear_bn_weights", "skip_init",
    "prune",
]  # fmt: skip
