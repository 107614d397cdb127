"""The bridge: the autograd engine's gradients of an nn model against the course's derivation.

This is the one file of ``manual`` that imports the engine. ``cross_check`` copies the weights of
an ``nn.Sequential`` of ``Linear`` layers and activations to float64, computes the gradient of

    J(W, b) = (1/N) sum_i L(y_hat(i), y(i)) + lambda R(W, b),   R = sum_l ||W[l]||^2 (no biases)

once by autograd (``J = loss + lam * nn.utils.l2_penalty``) and twice by hand
(``manual.backprop``: the per-example loop, then the vectorised version), with
z[l] = W[l] a[l-1] + b[l], a[l] = g(z[l]) and delta[l] = dL/dz[l], and reports the differences
per parameter. The user's model is only read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import nn
from ..autograd import grad
from ..grad_mode import enable_grad
from ..nn import functional as F
from ..tensor import Tensor
from ._checks import check_lam, check_targets
from .backprop import backprop
from .network import cost

__all__ = ["CrossCheckReport", "CrossCheckRow", "cross_check"]

_HIDDEN = {nn.Sigmoid: "sigmoid", nn.Tanh: "tanh", nn.ReLU: "relu"}
_OUTPUT = {nn.Sigmoid: "sigmoid", nn.Softmax: "softmax", nn.LogSoftmax: "log_softmax"}
_LOSS = {  # how the model's last module is scored, and the course's output g for layer L
    "sigmoid": ("binary_cross_entropy", "sigmoid"),
    "logit1": ("binary_cross_entropy_with_logits", "sigmoid"),
    "logits": ("cross_entropy", "softmax"),
    "softmax": ("nll_loss(log(p))", "softmax"),
    "log_softmax": ("nll_loss", "softmax"),
}


@dataclass(frozen=True)
class CrossCheckRow:
    """One parameter's figures: max |a - b| and max |a - b| / max(|a|, |b|) over its entries."""

    layer: int  # l in the course's numbering, 1..L
    name: str  # the model's dotted name, e.g. "0.weight"
    grad: str  # "dW[l]" or "db[l]"
    shape: tuple[int, ...]
    autograd_loop_abs: float
    autograd_loop_rel: float
    loop_vectorised_abs: float
    loop_vectorised_rel: float


@dataclass(frozen=True)
class CrossCheckReport:
    """What ``cross_check`` found; ``str(report)`` is a fixed-width table, one line per row."""

    rows: list[CrossCheckRow]
    max_abs_diff: float  # the largest absolute difference over every row and both comparisons
    loss: float  # J by autograd
    loss_manual: float  # J by ``manual.cost``
    tol: float
    hidden: str | None  # None for a single layer
    output: str  # the course's g at layer L: "sigmoid" or "softmax"
    loss_name: str  # how the engine scored the model's output
    n_examples: int
    lam: float

    @property
    def ok(self) -> bool:
        """True when every gradient difference and |J_autograd - J_manual| are <= tol."""
        return bool(self.max_abs_diff <= self.tol and abs(self.loss - self.loss_manual) <= self.tol)

    def __str__(self) -> str:
        L = max((r.layer for r in self.rows), default=0)
        lines = [
            f"cross_check: {L}-layer network, hidden {self.hidden or '-'}, output {self.output} "
            f"(engine loss: {self.loss_name}), N = {self.n_examples}, lambda = {self.lam:g}",
            f"J = {self.loss:.12g} (autograd), {self.loss_manual:.12g} (manual), "
            f"|diff| = {abs(self.loss - self.loss_manual):.2e}",
            f"{'':38}{'autograd vs loop':>22}{'loop vs vectorised':>22}",
            f"{'l':>3}  {'grad':<7}{'parameter':<14}{'shape':<12}"
            + f"{'max abs':>11}{'max rel':>11}" * 2,
        ]
        for r in self.rows:
            shape = "(" + ", ".join(map(str, r.shape)) + ("," if len(r.shape) == 1 else "") + ")"
            lines.append(
                f"{r.layer:>3}  {r.grad:<7}{r.name:<14}{shape:<12}"
                f"{r.autograd_loop_abs:>11.2e}{r.autograd_loop_rel:>11.2e}"
                f"{r.loop_vectorised_abs:>11.2e}{r.loop_vectorised_rel:>11.2e}"
            )
        verdict = "ok" if self.ok else "MISMATCH"
        lines.append(f"max abs diff = {self.max_abs_diff:.2e} (tol {self.tol:g}): {verdict}")
        return "\n".join(lines)


def cross_check(
    model: nn.Sequential, X: Any, y: Any, lam: float = 0.0, *, tol: float = 1e-8
) -> CrossCheckReport:
    """Compare autograd's dJ/dW[l], dJ/db[l] for ``model`` with ``manual.backprop``'s, in float64.

    ``model``: an ``nn.Sequential`` Linear, g, Linear, g, ..., Linear[, output], with one hidden g
    (Sigmoid, Tanh or ReLU) throughout. Its end decides the loss L: a Sigmoid gives a sigmoid
    output with binary cross-entropy; Softmax or LogSoftmax a softmax output with cross-entropy; a
    bare Linear with n_L > 1 is read as logits (cross-entropy), with n_L = 1 as one logit
    (binary cross-entropy with logits). Identity and eval-mode Dropout are skipped. With n_L > 1
    sigmoid units, L(i) sums the binary cross-entropy over the units (as ``manual.cost`` does).
    ``X``: (N, n_0); ``y``: 0/1 labels (N,) or (N, n_L) for a sigmoid output, integer classes (N,)
    for softmax (arrays or Tensors). Anything else raises a ValueError naming the layer or shape.
    """
    tol = float(tol)
    linears, hidden, kind = _parse(model)
    loss_name, output = _LOSS[kind]
    lam = check_lam("cross_check", lam)
    Ws = [np.array(m.weight.data, dtype=np.float64) for _, m in linears]  # copies: read only
    bs = [np.array(m.bias.data, dtype=np.float64) for _, m in linears]
    X = _inputs(X, linears[0])
    y = np.asarray(y.data if isinstance(y, Tensor) else y)
    T = check_targets("cross_check", y, X.shape[0], Ws[-1].shape[0], output)
    Y = T.argmax(axis=1) if output == "softmax" else T  # classes, or (N, n_L) 0/1 labels

    J, auto = _autograd(model, linears, Ws, bs, X, Y, lam, kind)
    g = hidden or "sigmoid"  # a single layer has no hidden g; any name will do
    loop = backprop(Ws, bs, X, Y, g, output, lam=lam, loop=True)
    vect = backprop(Ws, bs, X, Y, g, output, lam=lam, loop=False)
    rows = []
    for i, (prefix, _) in enumerate(linears):
        for j, (param, sym) in enumerate((("weight", "dW"), ("bias", "db"))):
            a, b, c = auto[j][i], loop[j][i], vect[j][i]
            name, label = f"{prefix}.{param}", f"{sym}[{i + 1}]"
            rows.append(CrossCheckRow(i + 1, name, label, a.shape, *_diff(a, b), *_diff(b, c)))
    figures = [[r.autograd_loop_abs, r.loop_vectorised_abs] for r in rows]
    return CrossCheckReport(
        rows=rows,
        max_abs_diff=float(np.max(figures)),
        loss=J,
        loss_manual=cost(Ws, bs, X, Y, g, output, lam),
        tol=tol,
        hidden=hidden,
        output=output,
        loss_name=loss_name,
        n_examples=X.shape[0],
        lam=lam,
    )


# ---------------------------------------------------------------- the two sides
def _autograd(model, linears, Ws, bs, X, Y, lam, kind):
    """J = mean loss + lam R by the engine on float64 leaf copies; returns (J, (dW, db))."""
    W_t = [Tensor(w, requires_grad=True) for w in Ws]
    b_t = [Tensor(v, requires_grad=True) for v in bs]
    layer = {id(m): i for i, (_, m) in enumerate(linears)}
    with enable_grad():
        a = Tensor(X)
        for _, m in _flat(model):
            if id(m) in layer:  # z[l] = W[l] a[l-1] + b[l]
                a = F.linear(a, W_t[layer[id(m)]], b_t[layer[id(m)]])
            elif type(m) in _HIDDEN or type(m) in _OUTPUT:  # a[l] = g(z[l]): the user's module
                a = m(a)
        if kind == "sigmoid":  # L(i) sums over the n_L output units, so J = sum / N
            loss = F.binary_cross_entropy(a, Y, reduction="sum") / X.shape[0]
        elif kind == "logit1":
            loss = F.binary_cross_entropy_with_logits(a, Y, reduction="sum") / X.shape[0]
        elif kind == "logits":
            loss = F.cross_entropy(a, Y)
        else:
            loss = F.nll_loss(a.log() if kind == "softmax" else a, Y)
        named = [(f"{p}.weight", w) for (p, _), w in zip(linears, W_t)]
        J = loss + lam * nn.utils.l2_penalty(named)
        grads = grad(J, W_t + b_t)
    n = len(linears)
    return float(J.item()), ([g.data for g in grads[:n]], [g.data for g in grads[n:]])


def _diff(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """(max |a - b|, max |a - b| / max(|a|, |b|)); entries equal to 0 on both sides count 0."""
    d = np.abs(a - b)
    scale = np.maximum(np.maximum(np.abs(a), np.abs(b)), np.finfo(np.float64).tiny)
    return float(np.max(d, initial=0.0)), float(np.max(d / scale, initial=0.0))


# ---------------------------------------------------------------- reading the model
def _flat(model: nn.Module, prefix: str = "") -> list[tuple[str, nn.Module]]:
    """(dotted name, module) for each leaf module in order; nested Sequentials are opened."""
    out = []
    for name, m in model.named_children():
        full = f"{prefix}{name}"
        out.extend(_flat(m, full + ".") if isinstance(m, nn.Sequential) else [(full, m)])
    return out


def _parse(model: Any) -> tuple[list[tuple[str, nn.Linear]], str | None, str]:
    """Return (Linear layers with their names, the hidden g's name or None, the output kind)."""
    if not isinstance(model, nn.Sequential):
        raise ValueError(
            f"cross_check: expected an nn.Sequential of Linear layers and activations; "
            f"got {type(model).__name__}"
        )
    steps = []  # ("linear", name, module) or (activation name, name, module)
    for name, m in _flat(model):
        kind = type(m).__name__
        if isinstance(m, nn.Linear):
            if m.bias is None:
                raise ValueError(f"cross_check: layer '{name}' (Linear) has no bias; need b[l]")
            steps.append(("linear", name, m))
        elif type(m) in _HIDDEN or type(m) in _OUTPUT:
            if isinstance(m, nn.Softmax) and m.dim not in (-1, 1):
                raise ValueError(f"cross_check: layer '{name}' ({kind}) must use dim=-1 or 1")
            steps.append((_HIDDEN.get(type(m)) or _OUTPUT[type(m)], name, m))
        elif isinstance(m, nn.Identity) or (isinstance(m, nn.Dropout) and not m.training):
            continue
        elif isinstance(m, nn.Dropout):
            raise ValueError(
                f"cross_check: layer '{name}' (Dropout) is in train mode and would drop units "
                "at random; call model.eval() first"
            )
        else:
            raise ValueError(
                f"cross_check: layer '{name}' ({kind}) is not supported; the manual derivation "
                "covers Linear layers with Sigmoid, Tanh or ReLU between them"
            )
    last = max((i for i, s in enumerate(steps) if s[0] == "linear"), default=None)
    if last is None:
        raise ValueError("cross_check: the model has no Linear layer")
    if steps[0][0] != "linear":
        raise ValueError(f"cross_check: layer '{steps[0][1]}' comes before the first Linear")
    hidden: dict[str, str] = {}  # g name -> first layer using it
    for prev, step in zip(steps[: last + 1], steps[1 : last + 1]):
        if step[0] == "linear" and prev[0] == "linear":
            raise ValueError(
                f"cross_check: layers '{prev[1]}' and '{step[1]}' are Linears with no "
                "activation between them; put Sigmoid, Tanh or ReLU there"
            )
        if step[0] != "linear" and prev[0] != "linear":
            raise ValueError(f"cross_check: two activations in a row at layer '{step[1]}'")
        if step[0] != "linear" and step[0] not in _HIDDEN.values():
            raise ValueError(
                f"cross_check: layer '{step[1]}' ({type(step[2]).__name__}) is a hidden "
                "activation; hidden layers take Sigmoid, Tanh or ReLU"
            )
        if step[0] != "linear":
            hidden.setdefault(step[0], step[1])
    if len(hidden) > 1:
        found = ", ".join(f"{g} at '{n}'" for g, n in hidden.items())
        raise ValueError(f"cross_check: mixed hidden activations ({found}); use one g throughout")
    linears = [(s[1], s[2]) for s in steps if s[0] == "linear"]
    for (n0, m0), (n1, m1) in zip(linears, linears[1:]):
        if m1.weight.shape[1] != m0.weight.shape[0]:
            raise ValueError(
                f"cross_check: layer '{n1}' has weight of shape {m1.weight.shape} but layer "
                f"'{n0}' gives {m0.weight.shape[0]} units"
            )
    return linears, next(iter(hidden), None), _output_kind(steps[last + 1 :], linears[-1])


def _output_kind(tail: list, final: tuple[str, nn.Linear]) -> str:
    """How the model ends: 'sigmoid', 'softmax', 'log_softmax', 'logits' or 'logit1'."""
    if not tail:
        return "logit1" if final[1].weight.shape[0] == 1 else "logits"
    if len(tail) > 1:
        raise ValueError(f"cross_check: layer '{tail[1][1]}' follows the output activation")
    g, name, m = tail[0]
    if g in ("relu", "tanh"):
        raise ValueError(
            f"cross_check: the model ends in {type(m).__name__} (layer '{name}'); the output "
            "must be Sigmoid, Softmax, LogSoftmax or the last Linear's logits"
        )
    return g


def _inputs(X: Any, first: tuple[str, nn.Linear]) -> np.ndarray:
    """X as a float64 (N, n_0) array matching the first Linear's columns."""
    X = np.asarray(X.data if isinstance(X, Tensor) else X, dtype=np.float64)
    name, m = first
    if X.ndim != 2 or X.shape[0] == 0:
        raise ValueError(f"cross_check: X must be 2-D (N, n_0) with N >= 1; got shape {X.shape}")
    if X.shape[1] != m.weight.shape[1]:
        raise ValueError(
            f"cross_check: X has shape {X.shape} ({X.shape[1]} features) but layer '{name}' "
            f"(Linear) has weight of shape {m.weight.shape}, expecting {m.weight.shape[1]}"
        )
    if not np.all(np.isfinite(X)):
        raise ValueError("cross_check: X contains non-finite values")
    return X
