"""The training loop of `tinygrad-ds train` for the networks, and its checkpoints.

checkpoint.npz (`td.save`, atomic) holds the configuration, the progress (epochs done, the
place inside an epoch, the running sums, the dropout generator's state), the history of
metrics, the model's state_dict and the optimiser's. It is written at the start, after every
epoch and on Ctrl-C, so a stopped run loses nothing.

Reproducibility: epoch e's shuffling comes from (seed, e) (`DataLoader(seed=...)`) and its
dropout masks from the package generator seeded by `epoch_seed(seed, e)`; a run stopped between
two batches also saves that generator's state. So a resumed run ends with the same weights,
bit for bit, as one never stopped.
"""

from __future__ import annotations

import json
import signal
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import rng
from ..data import DataLoader, TensorDataset
from ..grad_mode import no_grad
from ..nn import Module
from ..rng import manual_seed
from ..serialization import save
from ..tensor import Tensor
from . import report
from .datasets import Data
from .models import count_parameters, epochs_text, loss_fn, make_optimizer, predict

if TYPE_CHECKING:
    from .train import TrainConfig

__all__ = ["CHECKPOINT", "FORMAT", "Trainer", "StopFlag", "epoch_seed", "evaluate"]

CHECKPOINT = "checkpoint.npz"
FORMAT = "tinygrad-ds-run"


def epoch_seed(seed: int, epoch: int) -> int:
    """The seed of the package generator (dropout) for 0-based epoch `epoch` of a run."""
    return int(np.random.SeedSequence([seed, epoch, 0x7D]).generate_state(1)[0])


@no_grad()
def evaluate(model: Module, X: np.ndarray, y: np.ndarray, chunk: int = 2048) -> tuple[float, float]:
    """(mean loss, accuracy) of `model` on (X, y) in eval mode, in chunks of `chunk` rows."""
    was_training = model.training
    model.eval()
    loss_sum, correct = 0.0, 0
    for start in range(0, len(y), chunk):
        xb, yb = Tensor(X[start : start + chunk]), Tensor(y[start : start + chunk])
        logits = model(xb)
        loss_sum += loss_fn(logits, yb).item() * len(yb.data)
        correct += int((predict(logits.data) == yb.data).sum())
    model.train(was_training)
    return loss_sum / len(y), correct / len(y)


class StopFlag:
    """While active (a context manager, main thread only), the first Ctrl-C sets `requested`
    so that training stops between two batches; a second Ctrl-C interrupts at once."""

    def __init__(self) -> None:
        self.requested = False
        self._previous: Any = None

    def _handle(self, signum: int, frame: Any) -> None:
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True

    def __enter__(self) -> StopFlag:
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)


class Trainer:
    """One run of `train` for the networks (everything but the perceptron)."""

    def __init__(self, cfg: TrainConfig, data: Data, model: Module, out: Path,
                 state: dict | None, quiet: bool = False) -> None:  # fmt: skip
        self.cfg, self.data, self.model, self.out, self.quiet = cfg, data, model, out, quiet
        self.bars = not quiet and sys.stderr.isatty()  # tqdm bars in a terminal
        self.opt = make_optimizer(cfg.optimizer, model.parameters(), cfg.lr, cfg.weight_decay)
        n = len(data.y_train)
        size = n if cfg.batch_size == "full" else min(int(cfg.batch_size), n)
        dataset = TensorDataset(data.X_train, data.y_train)
        self.loader = DataLoader(dataset, batch_size=size, shuffle=True, seed=cfg.seed)
        self.progress = {"epoch": 0, "batch": 0, "loss_sum": 0.0, "correct": 0, "seen": 0,
                         "seconds": 0.0, "rng": ""}  # fmt: skip
        self.history: list[dict] = []
        if state is not None:
            self.model.load_state_dict(state["model"])
            self.opt.load_state_dict(state["optimizer"])
            self.progress.update(state["progress"])
            self.history = [dict(row) for row in state["history"]]
        self.saved = dict(self.progress)

    # -- checkpoint ------------------------------------------------------------------------
    def checkpoint(self) -> None:
        """Write checkpoint.npz atomically (`td.save`)."""
        save({
            "format": FORMAT, "config": self.cfg.to_dict(), "progress": dict(self.progress),
            "history": self.history, "model": self.model.state_dict(),
            "optimizer": self.opt.state_dict(),
        }, self.out / CHECKPOINT)  # fmt: skip
        self.saved = dict(self.progress)

    # -- the loop --------------------------------------------------------------------------
    def fit(self) -> int:
        """Train up to cfg.epochs epochs; write the run folder; return the exit status."""
        cfg = self.cfg
        print(self.data.describe())
        print(f"model: {self.describe_model()}", flush=True)
        resumed = self.progress["epoch"] or self.progress["batch"]
        if self.progress["epoch"] >= cfg.epochs:
            print(f"{self.out} already holds {epochs_text(self.progress['epoch'])}: nothing to "
                  "train (give --epochs N for more)", flush=True)  # fmt: skip
        elif resumed:
            print(f"resuming {self.out} at epoch {self.progress['epoch'] + 1}, batch "
                  f"{self.progress['batch'] + 1} of {len(self.loader)}", flush=True)  # fmt: skip
        else:
            self.checkpoint()
        if not (self.out / "graph.svg").exists() and not (self.out / "graph.dot").exists():
            k = min(len(self.data.y_train), self.loader.batch_size, 8)
            _, note = report.write_graph(self.out, self.model, self.data.X_train[:k],
                                         self.data.y_train[:k])  # fmt: skip
            if note:
                print(note)
        try:
            with StopFlag() as stop:
                for epoch in range(self.progress["epoch"], cfg.epochs):
                    if not self.run_epoch(epoch, stop):
                        return self.interrupted(exact=True)
        except KeyboardInterrupt:
            return self.interrupted(exact=False)
        self.finish()
        return 0

    def run_epoch(self, epoch: int, stop: StopFlag) -> bool:
        """Train epoch `epoch` (0-based) from where progress says; False if stopped by Ctrl-C."""
        p, model, opt = self.progress, self.model, self.opt
        if p["batch"] == 0:
            manual_seed(epoch_seed(self.cfg.seed, epoch))
            p.update(loss_sum=0.0, correct=0, seen=0, seconds=0.0)
        else:
            rng.generator().bit_generator.state = json.loads(p["rng"])
        self.loader.epoch = epoch
        batches = iter(self.loader)
        for _ in range(p["batch"]):
            next(batches)
        from tqdm import tqdm

        bar = tqdm(total=len(self.loader), initial=p["batch"], unit="batch", leave=True,
                   desc=f"epoch {epoch + 1}/{self.cfg.epochs}", disable=not self.bars,
                   dynamic_ncols=True, file=sys.stderr)  # fmt: skip
        start = time.perf_counter()
        model.train()
        opt.zero_grad()  # no gradient from elsewhere reaches the first step
        for xb, yb in batches:
            logits = model(xb)
            loss = loss_fn(logits, yb)
            loss.backward()
            opt.step()
            opt.zero_grad()  # now, not before the next step: the memory is free for its forward
            n = len(yb.data)
            p["loss_sum"] += loss.item() * n
            p["correct"] += int((predict(logits.data) == yb.data).sum())
            p["seen"] += n
            p["batch"] += 1
            bar.update(1)
            bar.set_postfix_str(f"loss {p['loss_sum'] / p['seen']:.4f}, "
                                f"acc {p['correct'] / p['seen']:.3f}", refresh=False)  # fmt: skip
            if stop.requested:
                p["seconds"] += time.perf_counter() - start
                p["rng"] = json.dumps(rng.generator().bit_generator.state)
                bar.close()
                return False
        p["seconds"] += time.perf_counter() - start
        train_loss, train_acc = evaluate(model, self.data.X_train, self.data.y_train)
        test_loss, test_acc = evaluate(model, self.data.X_test, self.data.y_test)
        self.history.append({
            "epoch": epoch + 1, "train_loss": p["loss_sum"] / max(p["seen"], 1),
            "train_acc": train_acc, "test_loss": test_loss, "test_acc": test_acc,
            "seconds": p["seconds"],
        })  # fmt: skip
        line = (f"loss {self.history[-1]['train_loss']:.4f}, train acc {train_acc:.3f}, "
                f"test acc {test_acc:.3f}")  # fmt: skip
        bar.set_postfix_str(line)
        bar.close()
        if not self.quiet and not self.bars:  # a log, not a terminal: one line per epoch
            print(f"epoch {epoch + 1}/{self.cfg.epochs}: {line} ({p['seconds']:.2f} s)", flush=True)
        p.update(epoch=epoch + 1, batch=0, rng="")
        self.checkpoint()
        return True

    # -- endings ---------------------------------------------------------------------------
    def describe_model(self) -> str:
        """One line: the model, its size, and how it is trained."""
        c = self.cfg
        shape = f" {','.join(map(str, c.hidden))}" if c.hidden else ""
        act = f" ({c.activation})" if c.activation and c.model != "logistic" else ""
        batch = "full batch" if c.batch_size == "full" else f"batch {c.batch_size}"
        extra = f", dropout {c.dropout:g}" if c.dropout else ""
        wd = f", weight decay {c.weight_decay:g}" if c.weight_decay is not None else ""
        return (f"{c.model}{shape}{act}{extra}, {count_parameters(self.model):,} parameters; "
                f"{c.optimizer} lr {c.lr:g}{wd}, {batch}, {epochs_text(c.epochs)}, init {c.init}, "
                f"seed {c.seed}")  # fmt: skip

    def summary(self) -> dict[str, Any]:
        """The last epoch's accuracies and the mean time per epoch."""
        last = self.history[-1] if self.history else {}
        seconds = [row["seconds"] for row in self.history]
        return {
            "epochs": len(self.history), "train_acc": last.get("train_acc"),
            "test_acc": last.get("test_acc"), "seconds_per_epoch":
            float(np.mean(seconds)) if seconds else None, "seconds": float(np.sum(seconds)),
            "parameters": count_parameters(self.model),
        }  # fmt: skip

    def write_files(self) -> list[Path]:
        """metrics.json/.csv and the curves, for the epochs completed so far."""
        title = f"{self.cfg.model} on {self.data.name}"
        paths = report.write_metrics(self.out, self.cfg.to_dict(), self.history, self.summary())
        if self.history:
            paths += report.plot_curves(self.out, self.history, title)
        return paths

    def finish(self) -> None:
        """After the last epoch: the files, the cross-check and the summary."""
        self.write_files()
        k = min(64, len(self.data.y_train))
        why = None
        if self.cfg.model in ("cnn", "rnn", "lstm"):
            why = (f"the manual derivation covers fully connected networks (Linear layers with "
                   f"Sigmoid, Tanh or ReLU); a {self.cfg.model} has other layers")  # fmt: skip
        _, check = report.write_cross_check(self.out, self.model, self.data.X_train[:k],
                                            self.data.y_train[:k], why)  # fmt: skip
        s = self.summary()
        if s["epochs"]:
            print(f"train accuracy {s['train_acc']:.3f}, test accuracy {s['test_acc']:.3f} after "
                  f"{epochs_text(s['epochs'])}; {s['seconds_per_epoch']:.2f} s per epoch "
                  f"({s['seconds']:.1f} s training)")  # fmt: skip
        if check is None:
            print("cross-check: does not apply to this model (cross_check.txt says why)")
        else:
            verdict = "agree" if check.ok else "DISAGREE"
            print(f"cross-check on {k} examples: autograd and hand-derived backprop {verdict} "
                  f"(max abs diff {check.max_abs_diff:.1e})")  # fmt: skip
        files = sorted(p.name for p in self.out.iterdir() if not p.name.startswith("."))
        print(f"run folder {self.out}: {' '.join(files)}")

    def interrupted(self, exact: bool) -> int:
        """After Ctrl-C: save (exact: the place between two batches), say how to go on."""
        if exact:
            self.checkpoint()
        self.write_files()
        where = self.saved
        place = f"epoch {where['epoch'] + 1}, batch {where['batch']}" if where["batch"] else (
            f"the end of epoch {where['epoch']}")  # fmt: skip
        print(f"\ninterrupted: {self.out / CHECKPOINT} holds the run at {place}; continue with: "
              f"tinygrad-ds train --out {self.out} --resume", file=sys.stderr)  # fmt: skip
        return 130
