"""`tinygrad_ds.nn`: modules, layers, losses and initialisers on the Tensor, as in PyTorch.

Module, Parameter                     module.py (its hooks: module_hooks.py)
Sequential, ModuleList, ModuleDict,   containers.py
ParameterList, ParameterDict
Linear, Embedding, Dropout, ...       layers.py
GELU, SiLU, Softplus, PReLU, ...      activation.py
Conv1d/2d, MaxPool1d/2d/3d,           conv.py (primitives in ops/conv.py)
AvgPool1d/2d/3d
ConvTranspose1d/2d, PixelShuffle,     conv_transpose.py
MaxUnpool1d/2d
RNN, LSTM, GRU (bidirectional, LSTM   rnn.py (steps and RNNCell, LSTMCell, GRUCell:
proj_size)                            rnn_cells.py)
BCELoss, CrossEntropyLoss, ...        losses.py (primitives in ops/loss.py)
CTCLoss                               ctc.py
EmbeddingBag                          embedding_bag.py
RReLU, ChannelShuffle,                functional_extra.py
FeatureAlphaDropout
AdaptiveLogSoftmaxWithLoss            adaptive.py
HuberLoss, KLDivLoss, margin losses   losses_more.py
BatchNorm1d, BatchNorm2d, LayerNorm,  normalization.py
GroupNorm
InstanceNorm1d/2d, RMSNorm,           normalization_more.py
LocalResponseNorm
PairwiseDistance, CosineSimilarity,   distance.py
Bilinear, Softmax2d
padding modules, Upsample             sampling.py
AdaptiveAvg/MaxPool1d/2d, Unfold, Fold  pooling.py
Dropout1d, Dropout2d, AlphaDropout    dropout.py
Conv3d, ConvTranspose3d, BatchNorm3d,  three_d.py
InstanceNorm3d, Dropout3d, *Pad3d,
MaxUnpool3d
LPPool1d/2d/3d,                       three_d_pool.py
AdaptiveAvg/MaxPool3d
MultiheadAttention, Transformer-      attention.py
EncoderLayer, TransformerEncoder
TransformerDecoderLayer, Transformer- transformer.py
Decoder, Transformer
LazyLinear, LazyConv1d/2d, LazyConv-   lazy.py (shapes from the first input;
Transpose1d/2d, LazyBatchNorm1d/2d,   UninitializedParameter, UninitializedBuffer)
LazyInstanceNorm1d/2d
nn.functional (F), nn.init, nn.utils  functional.py, init.py, utils/ (a package: clip_grad,
                                      rnn, parametrize, parametrizations, fusion, stateless)
"""

from . import functional, init, utils
from .activation import (
    CELU,
    ELU,
    GELU,
    GLU,
    SELU,
    Hardshrink,
    Hardsigmoid,
    Hardswish,
    Hardtanh,
    LogSigmoid,
    Mish,
    PReLU,
    ReLU6,
    SiLU,
    Softmin,
    Softplus,
    Softshrink,
    Softsign,
    Tanhshrink,
    Threshold,
)
from .adaptive import AdaptiveLogSoftmaxWithLoss
from .attention import (
    MultiheadAttention,
    NonDynamicallyQuantizableLinear,
    TransformerEncoder,
    TransformerEncoderLayer,
)
from .containers import ModuleDict, ModuleList, ParameterDict, ParameterList, Sequential
from .conv import (
    AvgPool1d,
    AvgPool2d,
    AvgPool3d,
    Conv1d,
    Conv2d,
    MaxPool1d,
    MaxPool2d,
    MaxPool3d,
)
from .conv_transpose import (
    ConvTranspose1d,
    ConvTranspose2d,
    MaxUnpool1d,
    MaxUnpool2d,
    PixelShuffle,
    PixelUnshuffle,
)
from .ctc import CTCLoss
from .distance import Bilinear, CosineSimilarity, PairwiseDistance, Softmax2d
from .dropout import AlphaDropout, Dropout1d, Dropout2d
from .embedding_bag import EmbeddingBag
from .functional_extra import ChannelShuffle, FeatureAlphaDropout, RReLU
from .layers import (
    Dropout,
    Embedding,
    Flatten,
    Identity,
    LeakyReLU,
    Linear,
    LogSoftmax,
    ReLU,
    Sigmoid,
    Softmax,
    Tanh,
    Unflatten,
)
from .lazy import (
    LazyBatchNorm1d,
    LazyBatchNorm2d,
    LazyConv1d,
    LazyConv2d,
    LazyConvTranspose1d,
    LazyConvTranspose2d,
    LazyInstanceNorm1d,
    LazyInstanceNorm2d,
    LazyLinear,
    LazyModuleMixin,
    UninitializedBuffer,
    UninitializedParameter,
)
from .losses import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, L1Loss, MSELoss, NLLLoss
from .losses_more import (
    CosineEmbeddingLoss,
    GaussianNLLLoss,
    HingeEmbeddingLoss,
    HuberLoss,
    KLDivLoss,
    MarginRankingLoss,
    MultiLabelMarginLoss,
    MultiLabelSoftMarginLoss,
    MultiMarginLoss,
    PoissonNLLLoss,
    SmoothL1Loss,
    SoftMarginLoss,
    TripletMarginLoss,
    TripletMarginWithDistanceLoss,
)
from .module import IncompatibleKeys, Module, Parameter
from .normalization import BatchNorm1d, BatchNorm2d, GroupNorm, LayerNorm
from .normalization_more import InstanceNorm1d, InstanceNorm2d, LocalResponseNorm, RMSNorm
from .pooling import (
    AdaptiveAvgPool1d,
    AdaptiveAvgPool2d,
    AdaptiveMaxPool1d,
    AdaptiveMaxPool2d,
    Fold,
    Unfold,
)
from .rnn import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNCell
from .sampling import (
    CircularPad1d,
    CircularPad2d,
    ConstantPad1d,
    ConstantPad2d,
    ReflectionPad1d,
    ReflectionPad2d,
    ReplicationPad1d,
    ReplicationPad2d,
    Upsample,
    UpsamplingBilinear2d,
    UpsamplingNearest2d,
    ZeroPad1d,
    ZeroPad2d,
)
from .transformer import Transformer, TransformerDecoder, TransformerDecoderLayer

__all__ = [
    "Module", "Parameter", "IncompatibleKeys", "Sequential", "ModuleList", "Linear",
    "Embedding", "Identity", "Flatten", "Dropout", "ReLU", "LeakyReLU", "Sigmoid", "Tanh",
    "Softmax", "LogSoftmax", "BCELoss", "BCEWithLogitsLoss", "CrossEntropyLoss", "NLLLoss",
    "MSELoss", "L1Loss", "BatchNorm1d", "LayerNorm", "functional", "init", "utils",
    "Conv1d", "Conv2d", "MaxPool1d", "MaxPool2d", "AvgPool1d", "AvgPool2d",
    "RNNCell", "RNN", "LSTMCell", "LSTM", "GRUCell", "GRU",
    "GELU", "SiLU", "Mish", "Softplus", "ELU", "SELU", "CELU", "Hardtanh", "ReLU6",
    "Hardsigmoid", "Hardswish", "LogSigmoid", "Softsign", "Tanhshrink", "Softshrink",
    "Hardshrink", "Threshold", "GLU", "PReLU", "Softmin",
    "Unflatten", "ModuleDict", "ParameterList", "ParameterDict", "BatchNorm2d", "GroupNorm",
    "SmoothL1Loss", "HuberLoss", "KLDivLoss", "PoissonNLLLoss", "GaussianNLLLoss",
    "MarginRankingLoss", "HingeEmbeddingLoss", "SoftMarginLoss", "CosineEmbeddingLoss",
    "TripletMarginLoss", "TripletMarginWithDistanceLoss", "MultiLabelSoftMarginLoss",
    "MultiMarginLoss", "MultiLabelMarginLoss",
]  # fmt: skip

__all__ += [
    "ZeroPad1d", "ZeroPad2d", "ConstantPad1d", "ConstantPad2d", "ReflectionPad1d",
    "ReflectionPad2d", "ReplicationPad1d", "ReplicationPad2d", "CircularPad1d", "CircularPad2d",
    "Upsample", "UpsamplingNearest2d", "UpsamplingBilinear2d", "AdaptiveAvgPool1d",
    "AdaptiveAvgPool2d", "AdaptiveMaxPool1d", "AdaptiveMaxPool2d", "Dropout1d", "Dropout2d",
    "AlphaDropout", "Unfold", "Fold",
]  # fmt: skip

__all__ += [
    "MultiheadAttention", "NonDynamicallyQuantizableLinear", "TransformerEncoderLayer",
    "TransformerEncoder",
]  # fmt: skip

__all__ += [
    "InstanceNorm1d", "InstanceNorm2d", "RMSNorm", "LocalResponseNorm", "PairwiseDistance",
    "CosineSimilarity", "Bilinear", "Softmax2d",
    "ConvTranspose1d", "ConvTranspose2d", "PixelShuffle", "PixelUnshuffle", "MaxUnpool1d",
    "MaxUnpool2d",
]  # fmt: skip

__all__ += ["TransformerDecoderLayer", "TransformerDecoder", "Transformer"]

__all__ += [
    "CTCLoss", "EmbeddingBag", "RReLU", "ChannelShuffle", "FeatureAlphaDropout",
    "AdaptiveLogSoftmaxWithLoss",
]  # fmt: skip

__all__ += [
    "UninitializedParameter", "UninitializedBuffer", "LazyModuleMixin", "LazyLinear",
    "LazyConv1d", "LazyConv2d", "LazyConvTranspose1d", "LazyConvTranspose2d", "LazyBatchNorm1d",
    "LazyBatchNorm2d", "LazyInstanceNorm1d", "LazyInstanceNorm2d",
]  # fmt: skip

from .three_d import (  # noqa: E402
    BatchNorm3d,
    CircularPad3d,
    ConstantPad3d,
    Conv3d,
    ConvTranspose3d,
    Dropout3d,
    InstanceNorm3d,
    MaxUnpool3d,
    ReflectionPad3d,
    ReplicationPad3d,
    ZeroPad3d,
)
from .three_d_pool import (  # noqa: E402
    AdaptiveAvgPool3d,
    AdaptiveMaxPool3d,
    LPPool1d,
    LPPool2d,
    LPPool3d,
)

__all__ += [
    "Conv3d", "ConvTranspose3d", "BatchNorm3d", "InstanceNorm3d", "Dropout3d", "ConstantPad3d",
    "ZeroPad3d", "ReflectionPad3d", "ReplicationPad3d", "CircularPad3d", "MaxUnpool3d",
    "MaxPool3d", "AvgPool3d", "LPPool1d", "LPPool2d", "LPPool3d", "AdaptiveAvgPool3d",
    "AdaptiveMaxPool3d",
]  # fmt: skip
