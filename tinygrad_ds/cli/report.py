"""What `train` writes into its run folder besides the checkpoint.

metrics.json, metrics.csv   one row per epoch (see COLUMNS), the configuration, a summary
loss.png, accuracy.png      the curves, drawn by matplotlib without pyplot (Agg canvas)
graph.svg                   one training step's computation graph (graph.dot if no renderer)
cross_check.txt             autograd against the course's hand-derived backprop
"""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path
from typing import Any

import numpy as np

from .. import viz
from ..manual import cross_check
from ..nn import Module
from ..tensor import Tensor
from .models import loss_fn

__all__ = ["COLUMNS", "write_metrics", "plot_curves", "write_graph", "write_cross_check"]

COLUMNS = {
    "epoch": "epochs completed",
    "train_loss": "mean training loss over the epoch's batches (as they were trained)",
    "train_acc": "accuracy on the whole training split at the end of the epoch",
    "test_loss": "mean loss on the test split at the end of the epoch",
    "test_acc": "accuracy on the test split at the end of the epoch",
    "seconds": "training time of the epoch (evaluation excluded)",
}


def _write_text(path: Path, text: str) -> None:
    """Write `text` to `path` through a temporary file and a rename (never half a file)."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def write_metrics(out: Path, config: dict, history: list[dict], summary: dict) -> list[Path]:
    """metrics.json ({"config", "columns", "epochs", "summary"}) and metrics.csv (a header of
    COLUMNS, one row per epoch; an empty cell where a value does not exist)."""
    doc = {"config": config, "columns": COLUMNS, "epochs": history, "summary": summary}
    _write_text(out / "metrics.json", json.dumps(doc, indent=2) + "\n")
    tmp = out / ".metrics.csv.tmp"
    with open(tmp, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(COLUMNS)
        for row in history:
            writer.writerow(["" if row.get(k) is None else row[k] for k in COLUMNS])
    os.replace(tmp, out / "metrics.csv")
    return [out / "metrics.json", out / "metrics.csv"]


def plot_curves(out: Path, history: list[dict], title: str) -> list[Path]:
    """loss.png and accuracy.png: train and test curves against the epoch."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    epochs = [row["epoch"] for row in history]
    paths = []
    for name, label in (("loss", "loss"), ("acc", "accuracy")):
        fig = Figure(figsize=(5.5, 3.6), dpi=100)
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        for split, style in (("train", "-o"), ("test", "-s")):
            values = [np.nan if row.get(f"{split}_{name}") is None else row[f"{split}_{name}"]
                      for row in history]  # fmt: skip
            if not all(np.isnan(values)):
                ax.plot(epochs, values, style, markersize=3, label=split)
        ax.set_xlabel("epoch")
        ax.set_ylabel(label)
        ax.set_title(f"{title}: {label}", fontsize=10)
        ax.grid(alpha=0.3)
        ax.legend()
        fig.tight_layout()
        path = out / f"{'accuracy' if name == 'acc' else 'loss'}.png"
        fig.savefig(path)
        paths.append(path)
    return paths


def write_graph(out: Path, model: Module, xb: np.ndarray, yb: np.ndarray) -> tuple[Path, str]:
    """Draw one training step (forward, loss, backward) on the batch (xb, yb) to graph.svg,
    with the model's layers as clusters and every gradient's shape on the edges. Leaves no
    gradient behind. Without a renderer it writes graph.dot instead. Returns (path, note): the
    note says what to do when only the DOT text could be written, else it is empty."""
    x, y = Tensor(xb), Tensor(yb)
    x.name, y.name = "x", "y"
    loss = loss_fn(model(x), y)
    loss.name = "loss"
    trace = viz.explain(loss, module=model)
    options = {"module": model, "trace": trace, "max_values": 8}
    note = ""
    try:
        path = viz.render_graph(loss, out / "graph.svg", **options)
    except viz.RendererNotFoundError:
        path = viz.render_graph(loss, out / "graph.dot", format="dot", **options)
        note = (
            "no graph renderer found (Graphviz's dot or graphviz-pure), so the graph is DOT "
            "text: render it with `dot -Tsvg graph.dot -o graph.svg`"
        )
    finally:
        model.zero_grad()
    return path, note


def write_cross_check(
    out: Path,
    model: Module | None,
    X: np.ndarray | None,
    y: np.ndarray | None,
    why_not: str | None = None,
) -> tuple[Path, Any]:
    """cross_check.txt: `manual.cross_check(model, X, y)` (in eval mode) as its table, or why it
    does not apply (`why_not`, or the reason cross_check gives). Returns (path, report or None)."""
    path = out / "cross_check.txt"
    report = None
    if why_not is None and model is not None:
        was_training = model.training
        model.eval()
        try:
            report = cross_check(model, X, y, lam=0.0)
        except ValueError as exc:
            why_not = str(exc)
        finally:
            model.train(was_training)
    if report is None:
        text = f"The course cross-check does not apply to this model:\n{why_not}\n"
    else:
        text = (
            f"{report}\n\nAutograd's gradients of J (lambda = 0: weight decay, if any, is the\n"
            f"optimiser's) against manual.backprop's hand-derived deltas, on {len(y)} training\n"
            "examples, with the trained weights.\n"
        )
    _write_text(path, text)
    return path, report
