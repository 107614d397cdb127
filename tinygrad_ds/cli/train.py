"""`tinygrad-ds train`: train a model on a data set, with a progress bar and a run folder.

The run folder (``--out``, default ``runs/<dataset>-<model>``) gets checkpoint.npz (weights,
optimiser state, progress and the configuration, written atomically by `td.save` at the start,
after every epoch and on Ctrl-C) and the files of `cli.report`.

Reproducibility: the weights start from ``--seed``; epoch e's shuffling comes from
(seed, e) (`DataLoader(seed=...)`) and its dropout masks from a generator seeded by (seed, e).
A run stopped by Ctrl-C between two batches saves the generator's state and its place in the
epoch, so ``--resume`` ends with the same weights, bit for bit, as a run never stopped.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

import numpy as np

from .. import rng
from ..data import DataLoader, TensorDataset
from ..grad_mode import no_grad
from ..nn import Module
from ..rng import manual_seed
from ..serialization import load, save
from ..tensor import Tensor
from . import report
from .args import (
    UsageError,
    batch_size,
    int_list,
    nonnegative_float,
    nonnegative_int,
    positive_float,
    positive_int,
    probability,
)
from .datasets import Data, dataset_spec, load_dataset
from .models import (
    ACTIVATIONS,
    DEFAULT_HIDDEN,
    DEFAULT_LR,
    INITS,
    MODELS,
    OPTIMIZERS,
    build_model,
    count_parameters,
    initialise,
    loss_fn,
    make_optimizer,
    predict,
)

__all__ = ["TrainConfig", "add_parser", "run", "epoch_seed", "evaluate", "StopFlag"]

CHECKPOINT = "checkpoint.npz"
FORMAT = "tinygrad-ds-run"
RESUMABLE = ("epochs", "out", "resume", "quiet")  # options a resumed run may change
RUN_FILES = ("checkpoint.npz", "metrics.json", "metrics.csv", "loss.png", "accuracy.png",
             "graph.svg", "graph.dot", "graph.txt", "cross_check.txt")  # fmt: skip
PERCEPTRON_IGNORES = ("hidden", "activation", "optimizer", "weight_decay", "init", "dropout")


@dataclass
class TrainConfig:
    """Everything that decides a run's result; None means "the default for this model"."""

    dataset: str = "digits"
    model: str = "mlp"
    hidden: tuple[int, ...] | None = None
    activation: str | None = None
    optimizer: str | None = None
    lr: float | None = None
    weight_decay: float | None = None
    batch_size: int | str | None = None
    epochs: int = 10
    init: str | None = None
    seed: int = 0
    dropout: float | None = None

    def resolved(self) -> TrainConfig:
        """A copy with the defaults filled in: relu, adam (its lr), batch 32, the layers' own
        init, no dropout; the perceptron takes lr 1 and batch 1 and none of the others."""
        cfg = TrainConfig(**asdict(self))
        if cfg.model == "perceptron":
            given = [n for n in PERCEPTRON_IGNORES if getattr(cfg, n) is not None]
            if given:
                flags = ", ".join("--" + n.replace("_", "-") for n in given)
                raise UsageError(
                    f"model perceptron: {flags} does not apply (the perceptron is the course's "
                    "own update rule: it takes --lr, --batch-size 1 or full, --epochs)"
                )
            cfg.lr = cfg.lr or DEFAULT_LR["perceptron"]
            cfg.batch_size = cfg.batch_size or 1
            return cfg
        cfg.activation = cfg.activation or "relu"
        cfg.optimizer = cfg.optimizer or "adam"
        cfg.lr = cfg.lr or DEFAULT_LR[cfg.optimizer]
        cfg.batch_size = cfg.batch_size or 32
        cfg.init = cfg.init or "default"
        cfg.dropout = cfg.dropout or 0.0
        if cfg.model in DEFAULT_HIDDEN:
            cfg.hidden = tuple(cfg.hidden or DEFAULT_HIDDEN[cfg.model])
        elif cfg.hidden is not None:
            raise UsageError(f"model {cfg.model}: --hidden does not apply (it has no hidden layer)")
        return cfg

    def to_dict(self) -> dict[str, Any]:
        """As saved in the checkpoint and metrics.json (tuples as lists)."""
        d = asdict(self)
        d["hidden"] = None if self.hidden is None else list(self.hidden)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> TrainConfig:
        """The inverse of `to_dict` (unknown keys are ignored)."""
        names = {f.name for f in fields(cls)}
        cfg = cls(**{k: v for k, v in d.items() if k in names})
        cfg.hidden = None if cfg.hidden is None else tuple(int(h) for h in cfg.hidden)
        return cfg


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the `train` subcommand and its options."""
    p = subparsers.add_parser(
        "train",
        help="train a model; progress bar, summary and a run folder",
        description="Train a model on a data set. Defaults: the bundled digits, an MLP with one "
        "hidden layer of 64, Adam, 10 epochs. The run folder gets metrics (JSON, CSV), curves "
        "(PNG), one training step's graph (SVG), the course cross-check and a checkpoint.",
    )
    p.add_argument(
        "--dataset",
        type=dataset_spec,
        metavar="NAME",
        help="digits (default), breast-cancer, moons, spirals, xor, or mnist:PATH "
        "(a folder of MNIST IDX files)",
    )
    p.add_argument(
        "--model",
        choices=MODELS,
        help="mlp (default), logistic, cnn/rnn/lstm (images: digits, mnist), "
        "perceptron (two classes)",
    )
    p.add_argument(
        "--hidden",
        type=int_list,
        metavar="N,N,...",
        help="hidden widths (mlp, default 64), channels (cnn, default 8,16) or the "
        "state size (rnn, lstm, default 32)",
    )
    p.add_argument("--activation", choices=tuple(ACTIVATIONS), help="default relu")
    p.add_argument("--optimizer", choices=OPTIMIZERS, help="default adam")
    p.add_argument(
        "--lr",
        type=positive_float,
        help="learning rate (default by optimizer: "
        + ", ".join(f"{k} {v:g}" for k, v in DEFAULT_LR.items())
        + ")",
    )
    p.add_argument(
        "--weight-decay",
        type=nonnegative_float,
        help="the optimizer's weight decay (default 0; 0.01 for adamw)",
    )
    p.add_argument(
        "--batch-size",
        type=batch_size,
        metavar="N|full",
        help="examples per step (default 32); 1 is stochastic, 'full' is batch gradient descent",
    )
    p.add_argument(
        "--epochs",
        type=positive_int,
        help="epochs in total (default 10); with --resume, up to this many",
    )
    p.add_argument("--init", choices=INITS, help="weight initialisation (default: the layers')")
    p.add_argument(
        "--dropout", type=probability, help="dropout after each hidden layer (mlp, cnn; default 0)"
    )
    p.add_argument("--seed", type=nonnegative_int, help="default 0")
    p.add_argument("--out", metavar="DIR", help="run folder (default runs/<dataset>-<model>)")
    p.add_argument(
        "--resume",
        action="store_true",
        help="continue the run in --out (its settings) up to --epochs epochs",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bars")  # fmt: skip
    p.set_defaults(run=run)
    return p


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


def _config(args: argparse.Namespace, out: Path) -> tuple[TrainConfig, dict | None]:
    """The run's configuration (from the options, or the checkpoint with --resume) and the
    checkpoint to resume from."""
    given = {f.name: getattr(args, f.name) for f in fields(TrainConfig)
             if getattr(args, f.name, None) is not None}  # fmt: skip
    if not args.resume:
        return TrainConfig(**given).resolved(), None
    path = out / CHECKPOINT
    if not path.is_file():
        raise UsageError(f"--resume: no {CHECKPOINT} in {out} (train without --resume first)")
    try:
        state = load(path, as_tensor=False)
        saved = TrainConfig.from_dict(state["config"])
    except (ValueError, KeyError, TypeError) as exc:
        raise UsageError(f"--resume: {path} is not a tinygrad-ds run checkpoint ({exc})") from None
    for name, value in given.items():
        if name not in RESUMABLE and getattr(saved, name) != value:
            flag = "--" + name.replace("_", "-")
            raise UsageError(
                f"--resume: the run in {out} has {flag} {getattr(saved, name)}, not {value}; "
                f"drop {flag} or start a new run in another --out"
            )
    if args.epochs is not None:
        saved.epochs = args.epochs
    return saved, state


def _prepare_folder(out: Path, new_run: bool) -> None:
    """Make `out` (checking that it can be written); for a new run remove the files a previous
    run left there (only those `train` writes)."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=out):
            pass
        old = [out / name for name in RUN_FILES if (out / name).exists()] if new_run else []
        if old:
            print(f"new run in {out}: replacing the previous run's files")
        for path in old:
            path.unlink()
    except OSError as exc:
        raise UsageError(f"cannot write to output folder {out}: {exc.strerror or exc}") from None


def run(args: argparse.Namespace) -> int:
    """Run `train` with parsed options; returns the exit status (130 after Ctrl-C)."""
    dataset = args.dataset or TrainConfig.dataset
    model_kind = args.model or TrainConfig.model
    default_out = Path("runs") / f"{dataset.split(':')[0]}-{model_kind}"
    out = Path(args.out) if args.out else default_out
    cfg, state = _config(args, out)
    data = load_dataset(cfg.dataset, cfg.seed)
    if cfg.model == "perceptron":
        from .perceptron import train_perceptron

        _prepare_folder(out, state is None)
        return train_perceptron(cfg, data, out, state, quiet=args.quiet)
    model = _setup(cfg, data)
    _prepare_folder(out, state is None)
    return Trainer(cfg, data, model, out, state, quiet=args.quiet).fit()


def _setup(cfg: TrainConfig, data: Data) -> Module:
    """The model, its weights drawn from cfg.seed."""
    manual_seed(cfg.seed)
    model = build_model(cfg.model, data, cfg.hidden, cfg.activation, cfg.dropout)
    initialise(model, cfg.init, cfg.activation)
    return model


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
        if resumed:
            print(f"resuming {self.out} at epoch {self.progress['epoch'] + 1}, batch "
                  f"{self.progress['batch'] + 1} of {len(self.loader)}", flush=True)  # fmt: skip
        else:
            self.checkpoint()
        if not (self.out / "graph.svg").exists() and not (self.out / "graph.dot").exists():
            k = min(len(self.data.y_train), self.loader.batch_size, 8)
            _, note = report.write_graph(self.out, self.model, self.data.X_train[:k],
                                         self.data.y_train[:k])  # fmt: skip
            if not note.startswith("graph of"):
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
        for xb, yb in batches:
            opt.zero_grad()
            logits = model(xb)
            loss = loss_fn(logits, yb)
            loss.backward()
            opt.step()
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
        act = f" ({c.activation})" if c.model != "logistic" else ""
        batch = "full batch" if c.batch_size == "full" else f"batch {c.batch_size}"
        extra = f", dropout {c.dropout:g}" if c.dropout else ""
        wd = f", weight decay {c.weight_decay:g}" if c.weight_decay is not None else ""
        return (f"{c.model}{shape}{act}{extra}, {count_parameters(self.model):,} parameters; "
                f"{c.optimizer} lr {c.lr:g}{wd}, {batch}, {c.epochs} epochs, init {c.init}, "
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
                  f"{s['epochs']} epochs; {s['seconds_per_epoch']:.2f} s per epoch "
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
