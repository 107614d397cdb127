"""`tinygrad-ds check`: autograd against the course's hand-derived backprop and against finite
differences, on a small random network.

The network is nn.Sequential(Linear, g, ..., Linear[, output]) with layer sizes ``--sizes``
(n_0, ..., n_L), one hidden g, and an output that decides the loss: sigmoid (binary
cross-entropy), softmax or log-softmax (cross-entropy), or logits (cross-entropy; binary
cross-entropy with logits when n_L = 1). J = mean loss + lam sum_l ||W[l]||^2.
`manual.cross_check` prints the per-layer table; `td.gradcheck` then checks dJ/dW[l], dJ/db[l]
by central differences in float64. The exit status is 1 if anything disagrees.
"""

from __future__ import annotations

import argparse
from typing import Any

import numpy as np

from .. import nn
from ..gradcheck import GradcheckError, gradcheck
from ..manual import cross_check
from ..nn import functional as F
from ..rng import manual_seed
from ..tensor import Tensor
from .args import UsageError, int_list, nonnegative_float, nonnegative_int, positive_float
from .args import positive_int as _positive_int

__all__ = ["add_parser", "run", "build_network", "make_targets", "gradcheck_network"]

HIDDEN = {"sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "relu": nn.ReLU}
OUTPUTS = {"sigmoid": nn.Sigmoid, "softmax": nn.Softmax, "log-softmax": nn.LogSoftmax,
           "logits": None}  # fmt: skip


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the `check` subcommand and its options."""
    p = subparsers.add_parser(
        "check",
        help="autograd vs hand-derived backprop vs finite differences; exit 1 on disagreement",
        description=__doc__.split("\n\n")[1].replace("\n", " "),
    )
    p.add_argument(
        "--sizes",
        type=int_list,
        default=(4, 5, 3),
        metavar="N0,N1,...,NL",
        help="layer sizes from the input to the output (default 4,5,3)",
    )
    p.add_argument(
        "--activation", choices=tuple(HIDDEN), default="tanh", help="hidden g (default tanh)"
    )
    p.add_argument(
        "--output",
        choices=tuple(OUTPUTS),
        default="softmax",
        help="output layer, which decides the loss (default softmax)",
    )
    p.add_argument(
        "--lam", type=nonnegative_float, default=0.01, help="L2 weight lambda in J (default 0.01)"
    )
    p.add_argument("--examples", type=_positive_int, default=8, metavar="N", help="default 8")
    p.add_argument("--seed", type=nonnegative_int, default=0, metavar="N", help="default 0")
    p.add_argument("--tol", type=positive_float, default=1e-8,
                   help="largest difference cross_check accepts (default 1e-8)")  # fmt: skip
    p.set_defaults(run=run)
    return p


def build_network(sizes: tuple[int, ...], activation: str, output: str) -> nn.Sequential:
    """nn.Sequential(Linear(n_0, n_1), g, ..., Linear(n_(L-1), n_L)[, output]) in float64."""
    if len(sizes) < 2:
        raise UsageError(f"--sizes needs at least two sizes (n_0 and n_L), got {sizes}")
    if output in ("softmax", "log-softmax") and sizes[-1] < 2:
        raise UsageError(f"--output {output} needs n_L >= 2 classes, got n_L = {sizes[-1]}")
    layers: list[nn.Module] = []
    for i, (n_in, n_out) in enumerate(zip(sizes, sizes[1:])):
        layers.append(nn.Linear(n_in, n_out, dtype=np.float64))
        if i < len(sizes) - 2:
            layers.append(HIDDEN[activation]())
    if OUTPUTS[output] is not None:
        layers.append(OUTPUTS[output]())
    return nn.Sequential(*layers)


def make_targets(output: str, n: int, n_out: int, rng: np.random.Generator) -> np.ndarray:
    """Random targets: 0/1 labels (N, n_L) for a sigmoid output ((N,) when n_L = 1 or for one
    logit), else classes (N,) in 0..n_L-1."""
    if output == "sigmoid":
        y = rng.integers(0, 2, size=(n, n_out))
        return y[:, 0] if n_out == 1 else y
    if output == "logits" and n_out == 1:
        return rng.integers(0, 2, size=n)
    return rng.integers(0, n_out, size=n)


def _loss(a: Tensor, y: np.ndarray, output: str) -> Tensor:
    if output == "sigmoid":
        return F.binary_cross_entropy(a.sigmoid(), Tensor(y.reshape(a.shape).astype(np.float64)))
    if a.shape[1] == 1:
        return F.binary_cross_entropy_with_logits(a, Tensor(y.reshape(-1, 1).astype(np.float64)))
    return F.cross_entropy(a, Tensor(y))


def gradcheck_network(model: nn.Sequential, X: np.ndarray, y: np.ndarray, activation: str,
                      output: str, lam: float) -> int:  # fmt: skip
    """`td.gradcheck` of J over every weight and bias of `model` (written out independently of
    the model's modules); returns the number of parameters checked or raises GradcheckError."""
    linears = [m for m in model if isinstance(m, nn.Linear)]
    g = {"sigmoid": Tensor.sigmoid, "tanh": Tensor.tanh, "relu": Tensor.relu}[activation]

    def J(*params: Tensor) -> Tensor:
        a = Tensor(X)
        for i in range(len(linears)):
            a = F.linear(a, params[2 * i], params[2 * i + 1])
            if i < len(linears) - 1:
                a = g(a)
        penalty = sum((params[2 * i] ** 2).sum() for i in range(len(linears)))
        return _loss(a, y, output) + lam * penalty

    params = []
    for m in linears:
        params += [
            Tensor(m.weight.data, requires_grad=True),
            Tensor(m.bias.data, requires_grad=True),
        ]
    gradcheck(J, params)
    return sum(p.data.size for p in params)


def run(args: argparse.Namespace) -> int:
    """Run `check` with parsed options; 0 if everything agrees, else 1."""
    manual_seed(args.seed)
    model = build_network(tuple(args.sizes), args.activation, args.output)
    rng = np.random.default_rng(args.seed)
    X = rng.standard_normal((args.examples, args.sizes[0]))
    y = make_targets(args.output, args.examples, args.sizes[-1], rng)
    print(f"network: {'-'.join(map(str, args.sizes))}, hidden {args.activation}, output "
          f"{args.output}, lambda {args.lam:g}, N = {args.examples}, seed {args.seed}")  # fmt: skip
    report = cross_check(model, X, y, lam=args.lam, tol=args.tol)
    print(report)
    try:
        n = gradcheck_network(model, X, y, args.activation, args.output, args.lam)
        print(f"gradcheck: autograd against central differences on all {n} parameters of J: ok")
        grad_ok = True
    except GradcheckError as exc:
        print(f"gradcheck: MISMATCH: {exc}")
        grad_ok = False
    ok = report.ok and grad_ok
    print("ok: autograd, the per-example loop, the vectorised backprop and finite differences "
          "agree" if ok else "FAILED: the gradients disagree (see above)")  # fmt: skip
    return 0 if ok else 1
