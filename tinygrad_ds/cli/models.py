"""The models, initialisations, optimisers and losses the command line can train.

Every network takes rows of features (N, D) and ends in logits: one logit with binary
cross-entropy for two classes (the course's sigmoid output), K logits with softmax
cross-entropy for K > 2 classes.

    logistic    one Linear layer: logistic (or softmax) regression
    mlp         Linear, g, Linear, g, ..., Linear; --hidden gives the widths
    cnn         images only: (Conv2d 3x3, g, MaxPool2d 2) per --hidden channel count, Linear
    rnn, lstm   images only, read as sequences of pixel rows: nn.RNN (tanh or relu) or nn.LSTM,
                then a Linear layer on the last step's state
    perceptron  two classes only: the course's perceptrons from `tinygrad_ds.manual`
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from .. import nn, optim
from ..nn import functional as F
from ..tensor import Tensor
from .args import UsageError
from .datasets import Data

__all__ = [
    "MODELS", "ACTIVATIONS", "INITS", "OPTIMIZERS", "DEFAULT_HIDDEN", "DEFAULT_LR",
    "Reshape", "SequenceClassifier", "check_options", "build_model", "initialise",
    "make_optimizer", "n_outputs", "loss_fn", "predict", "count_parameters", "epochs_text",
]  # fmt: skip

MODELS = ("logistic", "mlp", "cnn", "rnn", "lstm", "perceptron")
ACTIVATIONS = {"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid, "leaky-relu": nn.LeakyReLU,
               "gelu": nn.GELU, "silu": nn.SiLU, "elu": nn.ELU}  # fmt: skip
INITS = ("default", "zeros", "normal", "xavier", "kaiming")
OPTIMIZERS = ("sgd", "momentum", "nesterov", "rmsprop", "adagrad", "adadelta", "adam", "adamw",
              "nadam", "radam", "adamax")  # fmt: skip
DEFAULT_HIDDEN = {"mlp": (64,), "cnn": (8, 16), "rnn": (32,), "lstm": (32,)}
DEFAULT_LR = {
    "sgd": 0.1, "momentum": 0.05, "nesterov": 0.05, "rmsprop": 1e-3, "adagrad": 0.05,
    "adam": 1e-2, "adamw": 1e-2, "nadam": 1e-2, "radam": 1e-2, "adamax": 2e-2, "adadelta": 1.0,
    "perceptron": 1.0,
}  # fmt: skip


class Reshape(nn.Module):
    """Reshape each example: (N, D) -> (N, *shape)."""

    def __init__(self, *shape: int) -> None:
        super().__init__()
        self.shape = tuple(shape)

    def forward(self, x: Tensor) -> Tensor:
        """(N, D) -> (N, *shape)."""
        return x.reshape(x.shape[0], *self.shape)

    def extra_repr(self) -> str:
        """The target shape, for the module's repr."""
        return ", ".join(map(str, self.shape))


class SequenceClassifier(nn.Module):
    """A recurrent layer read to its last step, then a Linear head: rows (N, T * F) are seen
    as T steps of F features (an image's pixel rows), h_T = rnn(x)[:, -1], logits = W h_T + b."""

    def __init__(self, steps: int, features: int, hidden: int, n_out: int, lstm: bool,
                 nonlinearity: str = "tanh") -> None:  # fmt: skip
        super().__init__()
        self.steps, self.features = int(steps), int(features)
        if lstm:
            self.rnn = nn.LSTM(features, hidden, batch_first=True)
        else:
            self.rnn = nn.RNN(features, hidden, nonlinearity=nonlinearity, batch_first=True)
        self.head = nn.Linear(hidden, n_out)

    def forward(self, x: Tensor) -> Tensor:
        """Logits (N, n_out) from the state after the last step."""
        out, _ = self.rnn(x.reshape(x.shape[0], self.steps, self.features))
        return self.head(out[:, -1])


def n_outputs(n_classes: int) -> int:
    """1 logit for two classes (binary cross-entropy), else one logit per class."""
    return 1 if n_classes == 2 else n_classes


def _require(kind: str, *names: str) -> None:
    missing = [n for n in names if not hasattr(nn, n)]
    if missing:
        raise UsageError(
            f"model {kind!r} is not available: this tinygrad_ds has no nn.{', nn.'.join(missing)}"
        )


def check_options(kind: str, hidden: tuple[int, ...] | None, activation: str | None) -> None:
    """Refuse (`UsageError`) --hidden and --activation where network `kind` has no use for them:
    --activation for lstm (its gates are fixed), any but tanh or relu for rnn, --hidden without
    a hidden layer (logistic). None means "not given". `train` and `graph` both call this."""
    if kind == "lstm" and activation is not None:
        raise UsageError("model lstm: --activation does not apply (its gates are fixed)")
    if kind == "rnn" and activation not in (None, "tanh", "relu"):
        raise UsageError(f"model rnn: --activation must be tanh or relu, not {activation}")
    if kind not in DEFAULT_HIDDEN and hidden is not None:
        raise UsageError(f"model {kind}: --hidden does not apply (it has no hidden layer)")


def build_model(
    kind: str,
    data: Data,
    hidden: tuple[int, ...] | None = None,
    activation: str | None = "relu",
    dropout: float = 0.0,
    n_out: int | None = None,
) -> nn.Module:
    """The network `kind` for `data` (see the module docstring); `hidden` defaults to
    DEFAULT_HIDDEN[kind], `n_out` to `n_outputs(data.n_classes)`. A model that does not fit
    the data raises `UsageError`."""
    n_out, d = n_out or n_outputs(data.n_classes), data.n_features
    g = ACTIVATIONS[activation or "relu"]
    if kind == "logistic":
        return nn.Sequential(nn.Linear(d, n_out))
    hidden = tuple(hidden or DEFAULT_HIDDEN.get(kind, ()))
    if kind == "mlp":
        layers: list[nn.Module] = []
        for width in hidden:
            layers += [nn.Linear(d, width), g()] + ([nn.Dropout(dropout)] if dropout else [])
            d = width
        return nn.Sequential(*layers, nn.Linear(d, n_out))
    if kind in ("cnn", "rnn", "lstm") and data.image_shape is None:
        raise UsageError(
            f"model {kind!r} needs image data (digits or mnist:PATH); {data.name} is a table of "
            f"{d} features: use mlp or logistic"
        )
    if kind == "cnn":
        _require(kind, "Conv2d", "MaxPool2d")
        channels, height, width = data.image_shape
        layers = [Reshape(channels, height, width)]
        for c in hidden:
            layers += [nn.Conv2d(channels, c, 3, padding=1), g()]
            if min(height, width) >= 2:
                layers.append(nn.MaxPool2d(2))
                height, width = height // 2, width // 2
            channels = c
        layers += [nn.Flatten()] + ([nn.Dropout(dropout)] if dropout else [])
        return nn.Sequential(*layers, nn.Linear(channels * height * width, n_out))
    if kind in ("rnn", "lstm"):
        _require(kind, "LSTM" if kind == "lstm" else "RNN")
        if len(hidden) != 1:
            raise UsageError(f"model {kind!r} takes one hidden size (--hidden 32), got {hidden}")
        channels, height, width = data.image_shape
        g_rnn = activation if activation in ("tanh", "relu") else "tanh"
        return SequenceClassifier(height, channels * width, hidden[0], n_out, kind == "lstm", g_rnn)
    raise UsageError(f"unknown model {kind!r} (choose from {', '.join(MODELS)})")


def initialise(model: nn.Module, init: str, activation: str | None = "relu") -> None:
    """Re-initialise the weights (tensors of 2 or more dims) by `init`; biases become 0.

    default: keep each layer's own (PyTorch's) initialisation; zeros: every parameter 0 (the
    symmetry the course warns about); normal: N(0, 0.1^2); xavier: Glorot uniform with the
    activation's gain; kaiming: He normal (fan_in, relu gain).
    """
    if init == "default":
        return
    gain = nn.init.calculate_gain((activation or "tanh").replace("-", "_"))
    for _, p in model.named_parameters():
        if init == "zeros" or p.ndim < 2:
            nn.init.zeros_(p)
        elif init == "normal":
            nn.init.normal_(p, 0.0, 0.1)
        elif init == "xavier":
            nn.init.xavier_uniform_(p, gain=gain)
        elif init == "kaiming":
            nn.init.kaiming_normal_(p, nonlinearity="relu")
        else:
            raise UsageError(f"unknown --init {init!r} (choose from {', '.join(INITS)})")


def make_optimizer(
    name: str, params: Iterable[Any], lr: float, weight_decay: float | None = None
) -> optim.Optimizer:
    """The optimiser `name`: sgd, momentum (SGD, 0.9), nesterov (SGD, 0.9, Nesterov), rmsprop,
    adagrad, adadelta, adam, adamw, nadam, radam, adamax. `weight_decay` None keeps the
    optimiser's default (0; 0.01 for AdamW)."""
    wd = {} if weight_decay is None else {"weight_decay": weight_decay}
    params = list(params)
    if name == "sgd":
        return optim.SGD(params, lr=lr, **wd)
    if name in ("momentum", "nesterov"):
        return optim.SGD(params, lr=lr, momentum=0.9, nesterov=name == "nesterov", **wd)
    classes = {"rmsprop": optim.RMSprop, "adagrad": optim.Adagrad, "adadelta": optim.Adadelta,
               "adam": optim.Adam, "adamw": optim.AdamW, "nadam": optim.NAdam,
               "radam": optim.RAdam, "adamax": optim.Adamax}  # fmt: skip
    if name not in classes:
        raise UsageError(f"unknown optimizer {name!r} (choose from {', '.join(OPTIMIZERS)})")
    return classes[name](params, lr=lr, **wd)


def loss_fn(logits: Tensor, y: Tensor) -> Tensor:
    """Mean binary cross-entropy with logits for one output column, else cross-entropy."""
    if logits.shape[1] == 1:
        target = Tensor(y.data.reshape(-1, 1).astype(logits.dtype))
        return F.binary_cross_entropy_with_logits(logits, target)
    return F.cross_entropy(logits, y)


def predict(logits: np.ndarray) -> np.ndarray:
    """Predicted classes from logits: logit > 0 for one column, else the argmax."""
    if logits.shape[1] == 1:
        return (logits[:, 0] > 0).astype(np.int64)
    return logits.argmax(axis=1)


def epochs_text(n: int) -> str:
    """'1 epoch', '10 epochs'."""
    return f"{n} epoch" if n == 1 else f"{n} epochs"


def count_parameters(model: nn.Module) -> int:
    """The number of trained numbers in `model`."""
    return sum(math.prod(p.shape) for p in model.parameters())
