"""`tinygrad-ds train`: the options, the run's configuration, and starting or resuming a run.

The run folder (``--out``, default ``runs/<dataset>-<model>``) gets checkpoint.npz (see
`cli.trainer`) and the files of `cli.report`. ``--resume`` takes every setting from the
checkpoint; only ``--epochs`` (the total to reach) may change. The weights start from
``--seed``, so a run is reproducible, and a resumed one ends as if never stopped.

Nothing the user saved is lost: a new run goes into a folder without the files `train` writes
(RUN_FILES); without ``--out`` that is the default folder or, if it holds a run, the first free
one of ``runs/<dataset>-<model>-2``, ``-3``, ... A folder that holds a run (its checkpoint's
"format" is `trainer.FORMAT`) is continued with ``--resume`` or replaced with ``--overwrite``;
files named like run files without such a checkpoint are never touched. Every option is
checked before the folder is made.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from ..nn import Module
from ..rng import manual_seed
from ..serialization import load
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
    check_options,
    initialise,
)
from .trainer import CHECKPOINT, FORMAT, Trainer

__all__ = ["TrainConfig", "add_parser", "run"]

RESUMABLE = ("epochs", "out", "resume", "quiet")  # options a resumed run may change
RUN_FILES = (CHECKPOINT, "metrics.json", "metrics.csv", "loss.png", "accuracy.png",
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
        check_options(cfg.model, cfg.hidden, cfg.activation)
        if cfg.model != "lstm":
            cfg.activation = cfg.activation or ("tanh" if cfg.model == "rnn" else "relu")
        cfg.optimizer = cfg.optimizer or "adam"
        cfg.lr = cfg.lr or DEFAULT_LR[cfg.optimizer]
        cfg.batch_size = cfg.batch_size or 32
        cfg.init = cfg.init or "default"
        cfg.dropout = cfg.dropout or 0.0
        if cfg.model in DEFAULT_HIDDEN:
            cfg.hidden = tuple(cfg.hidden or DEFAULT_HIDDEN[cfg.model])
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
    p.add_argument(
        "--activation",
        choices=tuple(ACTIVATIONS),
        help="hidden activation: default relu (rnn: tanh or relu, default tanh; lstm: none)",
    )
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
        metavar="WD",
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
        metavar="N",
        help="epochs in total (default 10); with --resume, up to this many",
    )
    p.add_argument("--init", choices=INITS, help="weight initialisation (default: the layers')")
    p.add_argument(
        "--dropout",
        type=probability,
        metavar="P",
        help="dropout after each hidden layer (mlp, cnn; default 0)",
    )
    p.add_argument("--seed", type=nonnegative_int, metavar="N", help="default 0")
    p.add_argument(
        "--out",
        metavar="DIR",
        help="run folder (default runs/<dataset>-<model>, or -2, -3, ... when that holds a run)",
    )
    again = p.add_mutually_exclusive_group()
    again.add_argument(
        "--resume",
        action="store_true",
        help="continue the run in --out (its settings) up to --epochs epochs",
    )
    again.add_argument(
        "--overwrite",
        action="store_true",
        help="replace the run in --out with a new one (without it a folder holding a run is an "
        "error); other files there are kept, and files named like a run's without a "
        "tinygrad-ds checkpoint are never replaced",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bars or per-epoch lines")
    p.set_defaults(run=run)
    return p


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


def _holds_run(out: Path) -> bool:
    """Whether out/checkpoint.npz is a tinygrad-ds run's checkpoint: its "format" entry is
    `trainer.FORMAT` (an unreadable or foreign file is not)."""
    path = out / CHECKPOINT
    if not path.is_file():
        return False
    try:
        state = load(path, as_tensor=False)
    except (ValueError, OSError):
        return False
    return isinstance(state, dict) and state.get("format") == FORMAT


def _check_folder(out: Path, overwrite: bool) -> bool:
    """Refuse a new run in `out` (`UsageError`) if that would replace files: a previous run
    without --overwrite, and files named like run files without a run checkpoint always.
    Returns whether a previous run is to be replaced. Changes nothing on disk."""
    found = [name for name in RUN_FILES if os.path.lexists(out / name)]
    if not found:
        return False
    if not _holds_run(out):
        raise UsageError(
            f"output folder {out} holds {', '.join(found)} but no tinygrad-ds run checkpoint: "
            "train never replaces such files, even with --overwrite; choose another --out"
        )
    if not overwrite:
        raise UsageError(
            f"output folder {out} holds a previous run: pass --resume to continue it or "
            "--overwrite to replace it (or choose another --out)"
        )
    return True


def _free_folder(default: Path) -> Path:
    """The default run folder, or when it holds anything `train` writes, the first of
    default-2, default-3, ... that does not: a new run without --out never replaces one."""
    out, n = default, 1
    while any(os.path.lexists(out / name) for name in RUN_FILES):
        n += 1
        out = default.with_name(f"{default.name}-{n}")
    if out != default:
        print(f"new run in {out} ({default} holds a previous run; --resume continues that one)")
    return out


def _prepare_folder(out: Path, replace: bool) -> None:
    """Make `out` (checking that it can be written); with `replace` remove the previous run's
    files (only those `train` writes; the checkpoint last, so the folder stays a run until
    the end)."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=out):
            pass
        if replace:
            print(f"--overwrite: replacing the previous run in {out}")
            for name in [n for n in RUN_FILES if n != CHECKPOINT] + [CHECKPOINT]:
                if os.path.lexists(out / name):
                    (out / name).unlink()
    except OSError as exc:
        raise UsageError(f"cannot write to output folder {out}: {exc.strerror or exc}") from None


def run(args: argparse.Namespace) -> int:
    """Run `train` with parsed options; returns the exit status (130 after Ctrl-C). Every
    option is checked before the run folder is made or changed."""
    dataset = args.dataset or TrainConfig.dataset
    model_kind = args.model or TrainConfig.model
    default_out = Path("runs") / f"{dataset.split(':')[0]}-{model_kind}"
    out = Path(args.out) if args.out else default_out
    if not (args.out or args.resume or args.overwrite):
        out = _free_folder(default_out)
    cfg, state = _config(args, out)
    replace = state is None and _check_folder(out, args.overwrite)
    data = load_dataset(cfg.dataset, cfg.seed)
    if cfg.model == "perceptron":
        from .perceptron import check_perceptron, train_perceptron

        check_perceptron(cfg, data)
        _prepare_folder(out, replace)
        return train_perceptron(cfg, data, out, state, quiet=args.quiet)
    trainer = Trainer(cfg, data, _setup(cfg, data), out, state, quiet=args.quiet)
    _prepare_folder(out, replace)
    return trainer.fit()


def _setup(cfg: TrainConfig, data: Data) -> Module:
    """The model, its weights drawn from cfg.seed."""
    manual_seed(cfg.seed)
    model = build_model(cfg.model, data, cfg.hidden, cfg.activation, cfg.dropout)
    initialise(model, cfg.init, cfg.activation)
    return model
