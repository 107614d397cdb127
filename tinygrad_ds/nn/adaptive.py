"""nn.AdaptiveLogSoftmaxWithLoss: the adaptive softmax of Grave et al. 2017 ("Efficient
softmax approximation for GPUs"), for many classes sorted by frequency.

The head classifies into the `cutoffs[0]` frequent classes plus one entry per tail cluster;
cluster i (classes cutoffs[i] to cutoffs[i+1] - 1) has its own small classifier, a projection
to in_features // div_value^(i+1) features then a linear map to its classes. The
log-probability of a tail class is the head's log-probability of its cluster plus the
cluster's own log-softmax. Composed of Linear, log_softmax and gather.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from ..device import check_device
from ..functions import cat
from ..tensor import Tensor
from ..tensor import constant as _const
from .containers import ModuleList, Sequential
from .layers import Linear
from .module import Module, check_int, check_real

__all__ = ["AdaptiveLogSoftmaxWithLoss", "ASMoutput"]


class ASMoutput(NamedTuple):
    """AdaptiveLogSoftmaxWithLoss's result: each example's target log-probability, and the
    mean of their negatives."""

    output: Tensor
    loss: Tensor


class AdaptiveLogSoftmaxWithLoss(Module):
    """Adaptive softmax over n_classes: a head for the classes below cutoffs[0] and one
    cluster per further cutoff (see the module docstring). forward(input, target) gives
    ASMoutput(output, loss) with output[i] = log p(target_i | input_i) and loss the mean of
    -output; `log_prob(input)` gives every class's log-probability, `predict(input)` the most
    likely class."""

    def __init__(
        self,
        in_features: int,
        n_classes: int,
        cutoffs: Any,
        div_value: float = 4.0,
        head_bias: bool = False,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        check_device(device, "AdaptiveLogSoftmaxWithLoss")
        who = "AdaptiveLogSoftmaxWithLoss"
        in_features = check_int(in_features, who, "in_features")
        n_classes = check_int(n_classes, who, "n_classes")
        cutoffs = list(cutoffs)
        if (
            not cutoffs
            or any(isinstance(c, bool) or not isinstance(c, (int, np.integer)) for c in cutoffs)
            or cutoffs != sorted(set(cutoffs))
            or cutoffs[0] <= 0
            or cutoffs[-1] > n_classes - 1
        ):
            raise ValueError(
                f"{who}: cutoffs must be a non-empty sequence of unique, increasing ints, each "
                f"between 1 and n_classes - 1 = {n_classes - 1}, got {cutoffs}"
            )
        self.in_features, self.n_classes = in_features, n_classes
        self.cutoffs = [int(c) for c in cutoffs] + [n_classes]
        self.div_value = check_real(div_value, who, "div_value")
        self.head_bias = bool(head_bias)
        self.shortlist_size = self.cutoffs[0]
        self.n_clusters = len(self.cutoffs) - 1
        self.head_size = self.shortlist_size + self.n_clusters
        self.head = Linear(
            in_features, self.head_size, bias=self.head_bias, device=device, dtype=dtype
        )
        tails = []
        for i in range(self.n_clusters):
            hidden = int(in_features // (self.div_value ** (i + 1)))
            size = self.cutoffs[i + 1] - self.cutoffs[i]
            where = {"device": device, "dtype": dtype}
            tails.append(Sequential(Linear(in_features, hidden, bias=False, **where),
                                    Linear(hidden, size, bias=False, **where)))  # fmt: skip
        self.tail = ModuleList(tails)

    def reset_parameters(self) -> None:
        self.head.reset_parameters()
        for cluster in self.tail:
            for layer in cluster:
                layer.reset_parameters()

    def _input(self, input: Any, who: str) -> tuple[Tensor, bool]:
        x = input if isinstance(input, Tensor) else Tensor(input)
        if x.ndim not in (1, 2) or x.shape[-1] != self.in_features:
            raise ValueError(
                f"AdaptiveLogSoftmaxWithLoss.{who}: input must be (N, {self.in_features}) or "
                f"({self.in_features},), got shape {x.shape}"
            )
        return (x, True) if x.ndim == 2 else (x.unsqueeze(0), False)

    def forward(self, input: Any, target: Any) -> ASMoutput:
        x, batched = self._input(input, "forward")
        t = np.asarray(target.data if isinstance(target, Tensor) else target)
        if t.dtype.kind not in "iu":
            raise TypeError(
                f"AdaptiveLogSoftmaxWithLoss: target must hold integers, got dtype {t.dtype}"
            )
        if t.shape != x.shape[:1] and not (not batched and t.shape == ()):
            raise ValueError(
                f"AdaptiveLogSoftmaxWithLoss: target of shape {t.shape} does not match input "
                f"of shape {tuple(input.shape) if batched else x.shape[1:]}"
            )
        t = t.reshape(-1).astype(np.int64)
        if t.size and (t.min() < 0 or t.max() >= self.n_classes):
            raise ValueError(
                f"AdaptiveLogSoftmaxWithLoss: target values must be in [0, "
                f"{self.n_classes - 1}], got values in [{t.min()}, {t.max()}]"
            )
        n = x.shape[0]
        head_column = np.where(t < self.shortlist_size, t, 0)
        output = Tensor.zeros(n, dtype=x.dtype)
        for i in range(self.n_clusters):
            low, high = self.cutoffs[i], self.cutoffs[i + 1]
            rows = np.flatnonzero((t >= low) & (t < high))
            if rows.size == 0:
                continue
            head_column[rows] = self.shortlist_size + i
            logprob = self.tail[i](x[_const(rows)]).log_softmax(1)
            local = logprob.gather(1, (t[rows] - low)[:, None]).reshape(-1)
            output = output.index_add(0, rows, local)
        head = self.head(x).log_softmax(1)
        output = output + head.gather(1, head_column[:, None]).reshape(-1)
        loss = (-output).mean()
        return ASMoutput(output if batched else output.reshape(()), loss)

    def log_prob(self, input: Any) -> Tensor:
        """log p(c | input) for every class c: (N, n_classes), or (n_classes,) for one input."""
        x, batched = self._input(input, "log_prob")
        head = self.head(x).log_softmax(1)
        pieces = [head[:, : self.shortlist_size]]
        for i, cluster in enumerate(self.tail):
            column = head[:, self.shortlist_size + i : self.shortlist_size + i + 1]
            pieces.append(cluster(x).log_softmax(1) + column)
        out = cat(pieces, 1)
        return out if batched else out.reshape(-1)

    def predict(self, input: Any) -> Tensor:
        """The most likely class of each input (int64): argmax of `log_prob`."""
        return self.log_prob(input).argmax(-1)
