"""A tour of computation-graph pictures: a scalar expression, a two-layer MLP's loss with its
gradients, and a bigger model whose layers are drawn as clusters.

    python examples/graph_tour.py                    # docs/graph_{scalar,mlp,clustered}.svg
    python examples/graph_tour.py --out /tmp --format png

Each picture is the graph the Tensor recorded: boxes are tensors (shape, dtype, and for small
ones "data | grad"), ellipses are operations; parameters are blue, inputs grey, the loss amber.
Rendering needs a `dot` program (Graphviz, or `graphviz-pure` from pip); see the README.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

import tinygrad_ds as td
from tinygrad_ds import nn, viz
from tinygrad_ds.datasets import load_digits

DOCS = Path(__file__).resolve().parent.parent / "docs"


def scalar_expression() -> tuple[td.Tensor, viz.BackwardTrace]:
    """micrograd's first example, L = (a b + c) f, with every gradient shown."""
    values = {"a": 2.0, "b": -3.0, "c": 10.0, "f": -2.0}
    a, b, c, f = (td.Tensor(v, requires_grad=True) for v in values.values())
    for t, name in zip((a, b, c, f), values):
        t.name = name
    e = a * b
    d = e + c
    loss = d * f
    e.name, d.name, loss.name = "e", "d", "L"
    return loss, viz.explain(loss)  # backward, recording the gradient of every node


def mlp_loss() -> tuple[td.Tensor, nn.Module, viz.BackwardTrace]:
    """The course's two-layer network on XOR: z[1] = W[1] x + b[1], a[1] = tanh(z[1]),
    y_hat = sigmoid(W[2] a[1] + b[2]), L = binary cross-entropy."""
    td.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1), nn.Sigmoid())
    x = td.Tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    x.name = "x"
    y = td.Tensor([[0.0], [1.0], [1.0], [0.0]])
    y.name = "y"
    loss = nn.BCELoss()(model(x), y)
    loss.name = "loss"
    return loss, model, viz.explain(loss, module=model)


def clustered_model() -> tuple[td.Tensor, nn.Module]:
    """A 4-layer classifier on a batch of the bundled 8x8 digits, with cross-entropy."""
    td.manual_seed(0)
    X, y, _, _ = load_digits()
    model = nn.Sequential(
        nn.Linear(64, 32), nn.ReLU(),
        nn.Linear(32, 32), nn.ReLU(),
        nn.Linear(32, 16), nn.ReLU(),
        nn.Linear(16, 10),
    )  # fmt: skip
    x = td.Tensor(X[:32])
    x.name = "digits"
    loss = nn.CrossEntropyLoss()(model(x), td.Tensor(y[:32]))
    loss.name = "loss"
    loss.backward()
    return loss, model


def main(out: Path = DOCS, fmt: str = "svg", quiet: bool = False) -> list[Path]:
    loss, trace = scalar_expression()
    paths = [viz.render_graph(loss, out / f"graph_scalar.{fmt}", trace=trace, legend=True)]
    if not quiet:
        print(trace, end="\n\n")

    loss, model, trace = mlp_loss()
    paths.append(
        viz.render_graph(
            loss, out / f"graph_mlp.{fmt}", module=model, trace=trace, rankdir="TB", max_values=6
        )
    )
    if not quiet:
        print(trace, end="\n\n")

    loss, model = clustered_model()
    paths.append(
        viz.render_graph(
            loss, out / f"graph_clustered.{fmt}", module=model, rankdir="TB", max_values=0
        )
    )
    for p in paths:
        print(f"wrote {p}")
    return paths


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DOCS, help="folder for the pictures")
    parser.add_argument("--format", default="svg", choices=("svg", "png", "jpeg", "pdf", "dot"))
    parser.add_argument("--quiet", action="store_true", help="print only the files written")
    args = parser.parse_args()
    np.set_printoptions(precision=4)
    main(args.out, args.format, args.quiet)
