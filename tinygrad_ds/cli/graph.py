"""`tinygrad-ds graph`: draw the computation graph of a model and loss on a few examples.

The model is built as `train` builds it (--model, --hidden, --activation) for --dataset, run
on the first --batch training examples, and scored by --loss; `viz.explain` runs the backward
pass so the picture shows every gradient's shape (and, for small tensors, the values).
--explain also prints that backward pass step by step.

Options a model has no use for are refused as `train` refuses them (`models.check_options`),
and so is a --format that contradicts --out's suffix.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import numpy as np

from .. import nn, viz
from ..nn import functional as F
from ..rng import manual_seed
from ..tensor import Tensor
from .args import UsageError, int_list, nonnegative_int, positive_int
from .datasets import Data, dataset_spec, load_dataset
from .models import ACTIVATIONS, build_model, check_options

__all__ = ["add_parser", "run", "FORMATS", "LOSSES", "graph_loss", "output_format"]

FORMATS = ("svg", "png", "pdf", "dot", "jpeg", "jpg")  # jpg is jpeg
LOSSES = ("cross-entropy", "bce", "mse")


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the `graph` subcommand and its options."""
    p = subparsers.add_parser(
        "graph",
        help="draw a model's computation graph (SVG, PNG, PDF or DOT)",
        description=__doc__.split("\n\n")[1].replace("\n", " "),
    )
    p.add_argument(
        "--model",
        choices=("logistic", "mlp", "cnn", "rnn", "lstm"),
        default="mlp",
        help="default mlp",
    )
    p.add_argument(
        "--dataset",
        type=dataset_spec,
        default="xor",
        metavar="NAME",
        help="where the examples come from (default xor; as for train)",
    )
    p.add_argument(
        "--hidden",
        type=int_list,
        default=None,
        metavar="N,N,...",
        help="hidden sizes (default 3 for mlp; as train otherwise)",
    )
    p.add_argument(
        "--activation",
        choices=tuple(ACTIVATIONS),
        default=None,
        help="default tanh (rnn: tanh or relu; lstm: none, its gates are fixed)",
    )
    p.add_argument(
        "--loss",
        choices=LOSSES,
        default="cross-entropy",
        help="cross-entropy on logits (one logit and binary cross-entropy for two "
        "classes; default), bce (a Sigmoid output, two classes) or mse (one-hot)",
    )
    p.add_argument(
        "--batch", type=positive_int, default=4, metavar="N", help="examples (default 4)"
    )
    p.add_argument(
        "--format",
        choices=FORMATS,
        default=None,
        help="default: from --out's suffix, else svg; a suffix naming another format is an error",
    )
    p.add_argument("--out", metavar="PATH", help="default runs/graph.<format>")
    p.add_argument(
        "--rankdir",
        choices=("LR", "TB"),
        default="LR",
        help="LR (inputs left; default) or TB (inputs on top)",
    )
    p.add_argument("--seed", type=nonnegative_int, default=0, metavar="N", help="default 0")
    p.add_argument("--explain", action="store_true", help="also print the backward pass")
    p.set_defaults(run=run)
    return p


def graph_loss(model: nn.Module, data: Data, k: int, loss: str) -> tuple[Tensor, Tensor]:
    """(loss, predictions) of `model` on the first `k` training examples under `loss`."""
    x, y = Tensor(data.X_train[:k]), data.y_train[:k]
    x.name = "x"
    out = model(x)
    out.name = "y_hat" if loss == "bce" else "logits"
    if loss == "bce":
        target = Tensor(y.reshape(-1, 1).astype(out.dtype))
        value = F.binary_cross_entropy(out, target)
    elif loss == "mse":
        value = F.mse_loss(out, Tensor(np.eye(out.shape[1], dtype=out.dtype)[y]))
    elif out.shape[1] == 1:
        value = F.binary_cross_entropy_with_logits(out, Tensor(y.reshape(-1, 1).astype(out.dtype)))
    else:
        value = F.cross_entropy(out, Tensor(y))
    value.name = "loss"
    return value, out


def output_format(fmt: str | None, out: str | None) -> str:
    """The format to write: `fmt` (--format) or --out's suffix, else svg. A suffix that is not
    a format, without --format, or one naming a format other than --format (jpg and jpeg are
    one), raises `UsageError`."""
    suffix = Path(out).suffix.lstrip(".").lower() if out else ""
    if fmt is None:
        if suffix and suffix not in FORMATS:
            raise UsageError(
                f"--out {out}: unknown format {suffix!r} (choose from {', '.join(FORMATS)})"
            )
        return suffix or "svg"
    same = {"jpg": "jpeg"}
    if suffix in FORMATS and same.get(suffix, suffix) != same.get(fmt, fmt):
        raise UsageError(
            f"--format {fmt} contradicts --out {out} (a .{suffix} file): drop --format or "
            f"give --out a .{fmt} name"
        )
    return fmt


def run(args: argparse.Namespace) -> int:
    """Run `graph` with parsed options; returns the exit status."""
    fmt = output_format(args.format, args.out)
    check_options(args.model, args.hidden, args.activation)
    out = Path(args.out) if args.out else Path("runs") / f"graph.{fmt}"
    data = load_dataset(args.dataset, args.seed)
    if args.loss == "bce" and data.n_classes != 2:
        raise UsageError(f"--loss bce needs two classes; {data.name} has {data.n_classes}")
    hidden = args.hidden or ((3,) if args.model == "mlp" else None)
    n_out = {"bce": 1, "mse": data.n_classes}.get(args.loss)
    activation = None if args.model == "lstm" else args.activation or "tanh"
    manual_seed(args.seed)
    model = build_model(args.model, data, hidden, activation, n_out=n_out)
    if args.loss == "bce":  # the course's sigmoid output y_hat, scored by binary cross-entropy
        layers = list(model.children()) if isinstance(model, nn.Sequential) else [model]
        model = nn.Sequential(*layers, nn.Sigmoid())
    k = min(args.batch, len(data.y_train))
    loss, _ = graph_loss(model, data, k, args.loss)
    trace = viz.explain(loss, module=model)
    if args.explain:
        print(trace)
    try:
        path = viz.render_graph(loss, out, format=fmt, module=model, trace=trace,
                                rankdir=args.rankdir, legend=True)  # fmt: skip
    except viz.RendererNotFoundError as exc:
        print(f"tinygrad-ds graph: error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        raise UsageError(f"cannot write {out}: {exc.strerror or exc}") from None
    print(f"wrote {path}: {args.model} on {k} {data.name} examples, {args.loss} loss")
    return 0
