"""`train --model perceptron`: the course's perceptrons (`tinygrad_ds.manual`) on two classes.

--batch-size 1 is Rosenblatt's online rule (`manual.Perceptron`, labels 0/1), --batch-size full
the batch rule (`manual.BatchPerceptron`, labels -1/+1); --lr is alpha. Both start from
theta = 0 and have no warm start, so epoch e's weights are those of a fit of e epochs: each
epoch is a refit (cheap for these data sets), which makes the run, and a resumed one,
deterministic. There is no differentiable loss: the "loss" column is the fraction of examples
misclassified during the epoch (online) or at its start (batch).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from ..manual import BatchPerceptron, Perceptron
from ..serialization import save
from . import report
from .args import UsageError
from .datasets import Data
from .models import epochs_text
from .trainer import CHECKPOINT, FORMAT, StopFlag

__all__ = ["check_perceptron", "train_perceptron", "fit_epochs"]

NOT_APPLICABLE = (
    "the perceptron is trained by the course's own update rule in plain NumPy "
    "(tinygrad_ds.manual), not by autograd, so there is no computation graph and no gradient "
    "to compare"
)


def fit_epochs(X: np.ndarray, y: np.ndarray, epochs: int, online: bool, lr: float) -> Any:
    """A perceptron fitted for `epochs` epochs (online: labels 0/1; batch: mapped to -1/+1)."""
    if online:
        return Perceptron(lr=lr, max_epochs=epochs).fit(X, y)
    return BatchPerceptron(lr=lr, max_epochs=epochs, epsilon=0.0).fit(X, 2 * y - 1)


def _accuracy(model: Any, X: np.ndarray, y: np.ndarray, online: bool) -> float:
    predicted = model.predict(X)
    return float(np.mean(predicted == (y if online else 2 * y - 1)))


def check_perceptron(cfg: Any, data: Data) -> None:
    """Refuse (`UsageError`) data with other than two classes and a batch size but 1 or full."""
    if data.n_classes != 2:
        raise UsageError(
            f"model perceptron needs two classes; {data.name} has {data.n_classes} (use mlp or "
            "logistic, or a binary data set: breast-cancer, moons, xor)"
        )
    if cfg.batch_size not in (1, "full"):
        raise UsageError(
            "model perceptron: --batch-size must be 1 (Rosenblatt's online rule) or full (the "
            f"batch rule), got {cfg.batch_size}"
        )


def train_perceptron(cfg: Any, data: Data, out: Path, state: dict | None, quiet: bool) -> int:
    """Train the perceptron of `cfg` on `data` into run folder `out` (which must exist);
    returns the exit status."""
    check_perceptron(cfg, data)
    online = cfg.batch_size == 1
    history = [dict(row) for row in state["history"]] if state else []
    rule = "online (Perceptron)" if online else "batch (BatchPerceptron)"
    print(data.describe())
    print(
        f"model: perceptron, {rule} rule, alpha {cfg.lr:g}, {epochs_text(cfg.epochs)}", flush=True
    )
    n = len(data.y_train)
    theta = np.asarray(state["model"]["theta"]) if state else np.zeros(data.n_features + 1)

    def checkpoint() -> None:
        save({"format": FORMAT, "config": cfg.to_dict(), "progress": {"epoch": len(history)},
              "history": history, "model": {"theta": theta}, "optimizer": {}},
             out / CHECKPOINT)  # fmt: skip

    if not history:
        checkpoint()
    stopped = False
    with StopFlag() as stop:
        epochs = range(len(history) + 1, cfg.epochs + 1)
        for e in tqdm(
            epochs,
            desc="perceptron",
            unit="epoch",
            disable=quiet or not sys.stderr.isatty(),
            file=sys.stderr,
        ):
            start = time.perf_counter()
            model = fit_epochs(data.X_train, data.y_train, e, online, cfg.lr)
            seconds = (time.perf_counter() - start) / e
            errors = model.history_[-1]["errors"] if len(model.history_) == e else 0
            theta = model.theta_
            history.append({
                "epoch": e, "train_loss": errors / n,
                "train_acc": _accuracy(model, data.X_train, data.y_train, online),
                "test_loss": None, "test_acc": _accuracy(model, data.X_test, data.y_test, online),
                "seconds": seconds,
            })  # fmt: skip
            checkpoint()
            if stop.requested:
                stopped = True
                break
    last = history[-1] if history else {}
    summary = {
        "epochs": len(history),
        "train_acc": last.get("train_acc"),
        "test_acc": last.get("test_acc"),
        "seconds_per_epoch": float(np.mean([r["seconds"] for r in history])) if history else None,
        "parameters": int(theta.size),
    }
    report.write_metrics(out, cfg.to_dict(), history, summary)
    if history:
        report.plot_curves(out, history, f"perceptron on {data.name}")
    if stopped:
        print(
            f"\ninterrupted after epoch {len(history)}: {out / CHECKPOINT} holds the run; "
            f"continue with: tinygrad-ds train --out {out} --resume",
            file=sys.stderr,
        )
        return 130
    (out / "graph.txt").write_text(f"No graph: {NOT_APPLICABLE}.\n", encoding="utf-8")
    report.write_cross_check(out, None, None, None, why_not=NOT_APPLICABLE)
    if history:
        print(f"train accuracy {summary['train_acc']:.3f}, test accuracy "
              f"{summary['test_acc']:.3f} after {epochs_text(len(history))} "
              f"({summary['seconds_per_epoch'] * 1e3:.1f} ms per epoch)")  # fmt: skip
    files = sorted(p.name for p in out.iterdir() if not p.name.startswith("."))
    print(f"run folder {out}: {' '.join(files)}")
    return 0
