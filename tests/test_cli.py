"""The command line end to end, mostly in-process through `main(argv)`: train's run folder,
resume (bit for bit, also after Ctrl-C mid-epoch), one-line errors with exit status 2, check,
graph in every format, bench; plus `python -m tinygrad_ds` and the console script."""

from __future__ import annotations

import csv
import gzip
import json
import os
import shutil
import signal
import subprocess
import sys
import sysconfig
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

import tinygrad_ds as td
from tinygrad_ds import viz
from tinygrad_ds.cli import main
from tinygrad_ds.optim import Optimizer

ROOT = Path(__file__).resolve().parent.parent
PNG = b"\x89PNG\r\n\x1a\n"
SMALL = ["--hidden", "16", "--quiet"]  # a small MLP on digits: an epoch takes ~0.05 s


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def weights(folder: Path) -> dict[str, np.ndarray]:
    return td.load(folder / "checkpoint.npz", as_tensor=False)["model"]


def assert_same_weights(a: Path, b: Path) -> None:
    wa, wb = weights(a), weights(b)
    assert list(wa) == list(wb)
    for name in wa:
        assert np.array_equal(wa[name], wb[name]), name


# -- train ------------------------------------------------------------------------------------


def test_train_one_epoch_writes_every_file(tmp_path, capsys):
    out = tmp_path / "run"
    code, stdout, err = run(capsys, "train", "--epochs", "1", "--out", str(out), *SMALL)
    assert code == 0, err
    assert "train accuracy" in stdout and "test accuracy" in stdout and "s per epoch" in stdout
    assert "autograd and hand-derived backprop agree" in stdout
    names = sorted(p.name for p in out.iterdir())
    assert names == ["accuracy.png", "checkpoint.npz", "cross_check.txt", "graph.svg",
                     "loss.png", "metrics.csv", "metrics.json"]  # fmt: skip
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["config"]["dataset"] == "digits" and metrics["config"]["hidden"] == [16]
    (row,) = metrics["epochs"]
    assert row["epoch"] == 1 and 0.5 < row["test_acc"] <= 1 and row["seconds"] > 0
    assert metrics["summary"]["test_acc"] == row["test_acc"]
    with open(out / "metrics.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 1 and float(rows[0]["test_acc"]) == row["test_acc"]
    for png in ("loss.png", "accuracy.png"):
        assert (out / png).read_bytes()[:8] == PNG
    svg = ET.parse(out / "graph.svg").getroot()
    assert svg.tag.endswith("svg") and "Linear" in (out / "graph.svg").read_text()
    assert "(tol 1e-08): ok" in (out / "cross_check.txt").read_text()
    state = td.load(out / "checkpoint.npz")
    assert state["progress"]["epoch"] == 1 and set(state) >= {"model", "optimizer", "config"}
    assert state["model"]["0.weight"].shape == (16, 64)
    with np.load(out / "checkpoint.npz", allow_pickle=False) as npz:  # plain NumPy reads it
        assert npz["model.0.weight"].shape == (16, 64)


def test_without_a_renderer_the_graph_is_dot_text(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv(viz.ENV_VAR, str(tmp_path / "no-such-dot"))
    code, stdout, _ = run(capsys, "train", "--epochs", "1", "--out", str(tmp_path), *SMALL)
    assert code == 0 and "no graph renderer found" in stdout
    assert (tmp_path / "graph.dot").read_text().startswith("digraph")
    assert not (tmp_path / "graph.svg").exists()
    code, _, err = run(capsys, "graph", "--out", str(tmp_path / "g.svg"))
    assert code == 1 and len(err.strip().splitlines()) == 1 and "renderer" in err


def test_progress_bars_in_a_terminal(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    code = main(["train", "--epochs", "2", "--hidden", "8", "--out", str(tmp_path)])
    _, err = capsys.readouterr()
    assert code == 0
    assert "epoch 1/2" in err and "epoch 2/2" in err and "100%" in err and "test acc" in err


def test_resume_continues_and_reproduces_an_uninterrupted_run(tmp_path, capsys):
    args = ["train", "--dropout", "0.2", *SMALL]
    assert run(capsys, *args, "--epochs", "3", "--out", str(tmp_path / "whole"))[0] == 0
    assert run(capsys, *args, "--epochs", "1", "--out", str(tmp_path / "part"))[0] == 0
    code, stdout, _ = run(capsys, "train", "--resume", "--epochs", "3", "--quiet",
                          "--out", str(tmp_path / "part"))  # fmt: skip
    assert code == 0 and "resuming" in stdout
    history = json.loads((tmp_path / "part" / "metrics.json").read_text())["epochs"]
    assert [row["epoch"] for row in history] == [1, 2, 3]
    assert_same_weights(tmp_path / "whole", tmp_path / "part")


def stop_at_step(monkeypatch, k: int, how: str) -> None:
    """Make the k-th optimiser step deliver Ctrl-C: a real SIGINT, or a KeyboardInterrupt
    raised on the spot (as a second Ctrl-C does)."""
    original, calls = Optimizer.step, [0]

    def step(self, closure=None):
        result = original(self, closure)
        calls[0] += 1
        if calls[0] == k:
            if how == "signal":
                signal.raise_signal(signal.SIGINT)
            else:
                raise KeyboardInterrupt
        return result

    monkeypatch.setattr(Optimizer, "step", step)


@pytest.mark.parametrize("how", ["signal", "raise"])
def test_ctrl_c_saves_a_checkpoint_and_resume_is_exact(tmp_path, capsys, monkeypatch, how):
    args = ["train", "--dropout", "0.2", "--epochs", "2", *SMALL]
    assert run(capsys, *args, "--out", str(tmp_path / "whole"))[0] == 0
    stop_at_step(monkeypatch, 60, how)  # 45 batches an epoch: in the middle of the second
    code, _, err = run(capsys, *args, "--out", str(tmp_path / "cut"))
    monkeypatch.undo()
    assert code == 130 and "--resume" in err
    progress = td.load(tmp_path / "cut" / "checkpoint.npz")["progress"]
    if how == "signal":  # stopped between two batches: saved exactly there
        assert (progress["epoch"], progress["batch"]) == (1, 15)
    else:  # interrupted anywhere: the checkpoint of the last finished epoch is kept
        assert (progress["epoch"], progress["batch"]) == (1, 0)
    assert json.loads((tmp_path / "cut" / "metrics.json").read_text())["summary"]["epochs"] == 1
    code, _, _ = run(capsys, "train", "--resume", "--quiet", "--out", str(tmp_path / "cut"))
    assert code == 0
    assert_same_weights(tmp_path / "whole", tmp_path / "cut")


def test_perceptron_and_other_models(tmp_path, capsys):
    argv = ["--model", "perceptron", "--dataset", "breast-cancer", "--epochs", "3", "--quiet"]
    code, stdout, err = run(capsys, "train", *argv, "--out", str(tmp_path))
    assert code == 0, err
    assert "online (Perceptron)" in stdout and "test accuracy" in stdout
    assert "does not apply" in (tmp_path / "cross_check.txt").read_text()
    assert (tmp_path / "graph.txt").exists() and (tmp_path / "loss.png").read_bytes()[:8] == PNG
    code, stdout, _ = run(capsys, "train", "--model", "logistic", "--dataset", "moons",
                          "--epochs", "1", "--optimizer", "nesterov", "--batch-size", "full",
                          "--init", "zeros", "--quiet", "--overwrite",
                          "--out", str(tmp_path))  # fmt: skip
    assert code == 0 and "replacing the previous run" in stdout
    assert not (tmp_path / "graph.txt").exists()
    assert "agree" in stdout


@pytest.mark.parametrize(
    "option",
    [("--optimizer", name) for name in ("adadelta", "nadam", "radam", "adamax")]
    + [("--activation", name) for name in ("gelu", "silu", "elu")],
    ids=lambda option: " ".join(option),
)
def test_newer_optimizers_and_activations_train(tmp_path, capsys, option):
    """Each learns the digits: the loss falls over three epochs and the held-out accuracy is
    well above chance (10 classes)."""
    code, stdout, err = run(capsys, "train", *option, "--epochs", "3", *SMALL,
                            "--out", str(tmp_path))  # fmt: skip
    assert code == 0, err
    with open(tmp_path / "metrics.csv") as f:
        rows = list(csv.DictReader(f))
    losses = [float(r["train_loss"]) for r in rows]
    assert len(rows) == 3 and losses[2] < losses[0]
    assert float(rows[-1]["test_acc"]) > 0.8
    assert option[1] in stdout  # the model line names the choice


def write_idx(folder: Path, prefix: str, n: int, rng: np.random.Generator) -> None:
    """A tiny MNIST look-alike in IDX format: n images of 6x6 bytes, labels 0..2, gzipped."""
    images = rng.integers(0, 256, size=(n, 6, 6), dtype=np.uint8)
    labels = (np.arange(n) % 3).astype(np.uint8)
    images[labels == 1, :3] = 255  # something to learn
    head = b"\x00\x00\x08\x03" + np.array([n, 6, 6], dtype=">u4").tobytes()
    (folder / f"{prefix}-images-idx3-ubyte.gz").write_bytes(gzip.compress(head + images.tobytes()))
    head = b"\x00\x00\x08\x01" + np.array([n], dtype=">u4").tobytes()
    (folder / f"{prefix}-labels-idx1-ubyte").write_bytes(head + labels.tobytes())


@pytest.mark.parametrize("model", ["mlp", "cnn"])
def test_train_on_mnist_idx_files(tmp_path, capsys, model):
    rng = np.random.default_rng(0)
    write_idx(tmp_path, "train", 60, rng)
    write_idx(tmp_path, "t10k", 30, rng)
    code, stdout, err = run(capsys, "train", "--dataset", f"mnist:{tmp_path}", "--model", model,
                            "--epochs", "1", "--quiet", "--out", str(tmp_path / "run"))  # fmt: skip
    assert code == 0, err
    assert "mnist: 60 train / 30 test examples, 36 features (6x6 images), 3 classes" in stdout


def test_cnn_on_digits(tmp_path, capsys):
    code, stdout, err = run(capsys, "train", "--model", "cnn", "--hidden", "4", "--epochs", "1",
                            "--quiet", "--out", str(tmp_path))  # fmt: skip
    assert code == 0, err
    assert "does not apply" in (tmp_path / "cross_check.txt").read_text()
    assert "Conv" in (tmp_path / "graph.svg").read_text()


@pytest.mark.parametrize("model", ["rnn", "lstm"])
def test_recurrent_models_on_digits(tmp_path, capsys, model):
    code, stdout, err = run(capsys, "train", "--model", model, "--hidden", "8", "--epochs", "1",
                            "--batch-size", "128", "--quiet", "--out", str(tmp_path))  # fmt: skip
    if not hasattr(td.nn, "LSTM" if model == "lstm" else "RNN"):
        assert code == 2 and "not available" in err
        return
    assert code == 0, err
    assert (tmp_path / "graph.svg").exists()


# -- bad arguments ----------------------------------------------------------------------------

BAD = [
    (["train", "--dataset", "cifar"], "unknown dataset 'cifar'"),
    (["train", "--lr", "-0.1"], "--lr: expected a positive number"),
    (["train", "--hidden", "64,x"], "--hidden"),
    (["train", "--hidden", "0"], "--hidden"),
    (["train", "--batch-size", "none"], "--batch-size"),
    (["train", "--epochs", "0"], "--epochs"),
    (["train", "--dataset", "mnist:{tmp}/nothing-here"], "does not exist"),
    (["train", "--dataset", "mnist:{tmp}"], "no train-images-idx3-ubyte"),
    (["train", "--out", "{tmp}/a-file/run"], "cannot write to output folder"),
    (["train", "--model", "cnn", "--dataset", "xor"], "needs image data"),
    (["train", "--model", "perceptron"], "needs two classes"),
    (["train", "--model", "perceptron", "--dataset", "xor", "--optimizer", "adam"], "apply"),
    (["train", "--resume", "--out", "{tmp}"], "no checkpoint.npz"),
    (["train", "--optimizer", "lbfgs"], "invalid choice"),
    (["train", "--model", "lstm", "--activation", "relu"], "does not apply"),
    (["train", "--model", "logistic", "--hidden", "8"], "does not apply"),
    (["train", "--resume", "--overwrite"], "not allowed with"),
    (["check", "--sizes", "4"], "at least two sizes"),
    (["check", "--lam", "-1"], "--lam"),
    (["graph", "--out", "{tmp}/g.gif"], "unknown format 'gif'"),
    (["graph", "--loss", "bce", "--dataset", "spirals"], "needs two classes"),
    (["graph", "--model", "logistic", "--hidden", "5", "--out", "{tmp}/g.svg"], "does not apply"),
    (["graph", "--model", "lstm", "--activation", "relu", "--out", "{tmp}/g.svg"], "apply"),
    (["graph", "--format", "png", "--out", "{tmp}/g.svg"], "contradicts --out"),
    (["bench", "--only", "nothing"], "no benchmark nothing"),
    (["fly"], "invalid choice"),
]


@pytest.mark.parametrize("argv,message", BAD, ids=[" ".join(a) for a, _ in BAD])
def test_bad_arguments_are_one_line_errors(tmp_path, capsys, argv, message):
    (tmp_path / "a-file").write_text("not a folder")
    code, stdout, err = run(capsys, *(a.replace("{tmp}", str(tmp_path)) for a in argv))
    assert code == 2
    assert len(err.strip().splitlines()) == 1, err
    assert err.startswith("tinygrad-ds") and "error:" in err and message in err
    assert "Traceback" not in err


def test_resume_refuses_other_settings(tmp_path, capsys):
    assert run(capsys, "train", "--epochs", "1", "--out", str(tmp_path), *SMALL)[0] == 0
    code, _, err = run(capsys, "train", "--resume", "--model", "logistic", "--out", str(tmp_path))
    assert code == 2 and "--model mlp" in err and len(err.strip().splitlines()) == 1


# -- check, graph, bench ----------------------------------------------------------------------


def test_check_passes_on_a_correct_network(capsys):
    code, out, _ = run(capsys, "check")
    assert code == 0
    assert "dW[1]" in out and "db[2]" in out and "gradcheck" in out and "ok:" in out
    argv = ["--sizes", "3,4,4,1", "--activation", "relu", "--output", "sigmoid", "--lam", "0"]
    code, out, _ = run(capsys, "check", *argv, "--examples", "5", "--seed", "3")
    assert code == 0 and "3-layer network" in out


def test_check_exits_nonzero_when_they_disagree(capsys):
    code, out, _ = run(capsys, "check", "--tol", "1e-40")  # rounding alone exceeds this tol
    assert code == 1 and "MISMATCH" in out


def renderer_can(fmt: str) -> bool:
    try:
        viz.find_renderer(fmt)
        return True
    except viz.RendererNotFoundError:
        return False


@pytest.mark.parametrize("fmt", ["svg", "png", "dot", "pdf"])
def test_graph_writes_each_format(tmp_path, capsys, fmt):
    if fmt != "dot" and not renderer_can(fmt):
        pytest.skip(f"no renderer for {fmt} here")
    path = tmp_path / f"graph.{fmt}"
    code, out, err = run(capsys, "graph", "--out", str(path), "--explain")
    assert code == 0, err
    assert "wrote" in out and "delta" in out  # --explain narrates the backward pass
    data = path.read_bytes()
    if fmt == "svg":
        assert ET.fromstring(data).tag.endswith("svg")
    elif fmt == "png":
        assert data[:8] == PNG
    elif fmt == "pdf":
        assert data[:5] == b"%PDF-"
    else:
        assert data.startswith(b"digraph") and b"BinaryCrossEntropyWithLogits" in data


def test_graph_models_and_losses(tmp_path, capsys):
    for extra in (["--loss", "bce"], ["--loss", "mse", "--dataset", "spirals"],
                  ["--model", "logistic", "--dataset", "digits", "--format", "dot"]):  # fmt: skip
        code, _, err = run(capsys, "graph", "--out", str(tmp_path / "g.dot"), *extra)
        assert code == 0, err


def test_bench_runs_the_scripts(tmp_path, capsys):
    script = tmp_path / "bench_tiny.py"
    script.write_text(
        "import argparse\np = argparse.ArgumentParser()\np.add_argument('--repeats', type=int)\n"
        "print('benchmark  median  ratio', p.parse_args().repeats)\n"
    )
    code, out, _ = run(capsys, "bench", "--dir", str(tmp_path), "--quick")
    assert code == 0 and "benchmark  median  ratio 3" in out and "bench_tiny.py: ok" in out
    script.write_text("raise SystemExit(3)\n")
    code, out, err = run(capsys, "bench", "--dir", str(tmp_path))
    assert code == 1 and "FAILED (exit 3)" in out and "1 failed" in err


def test_bench_runs_a_real_benchmark(capsys):
    code, out, _ = run(capsys, "bench", "--only", "viz", "--repeats", "1")
    assert code == 0 and "to_dot" in out and "ms" in out


# -- as programs ------------------------------------------------------------------------------


def test_python_dash_m_and_the_console_script():
    proc = subprocess.run([sys.executable, "-m", "tinygrad_ds", "--help"], capture_output=True,
                          text=True, cwd=ROOT)  # fmt: skip
    assert proc.returncode == 0
    assert all(c in proc.stdout for c in ("train", "check", "graph", "bench"))
    script = shutil.which("tinygrad-ds", path=sysconfig.get_path("scripts") + os.pathsep
                          + os.environ.get("PATH", ""))  # fmt: skip
    if script is None:
        pytest.skip("the tinygrad-ds console script is not installed")
    proc = subprocess.run([script, "train", "--lr", "-1"], capture_output=True, text=True)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "--lr" in proc.stderr
