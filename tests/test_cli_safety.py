"""The command line never loses what the user saved, and checks everything before touching disk:
`train` refuses a folder holding a run (unless --overwrite) and never replaces look-alike files;
a rejected run leaves no folder; `graph` checks options as `train` does and writes the format
its --out names; the README and docstrings state the options and sizes that the code has."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

import tinygrad_ds as td
from tinygrad_ds import viz
from tinygrad_ds.cli import build_parser, datasets, main
from tinygrad_ds.cli.datasets import load_dataset

ROOT = Path(__file__).resolve().parent.parent
FAST = ["--dataset", "xor", "--model", "logistic", "--epochs", "1", "--quiet"]


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` (relative name -> bytes)."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}  # fmt: skip


def one_line_error(code: int, err: str) -> str:
    assert code == 2, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    return err.split("error: ", 1)[1]


# -- train: what is in the output folder ---------------------------------------------------


def foreign_checkpoint(folder: Path, kind: str) -> None:
    if kind == "numpy":  # the user's own arrays
        np.savez(folder / "checkpoint.npz", w=np.arange(3.0))
    elif kind == "state":  # a tinygrad_ds state file, but not a run's
        td.save({"model": {"w": np.ones(2)}, "config": {"model": "mlp"}}, folder / "checkpoint.npz")
    elif kind == "garbage":
        (folder / "checkpoint.npz").write_bytes(b"not a zip file")


@pytest.mark.parametrize("checkpoint", ["none", "numpy", "state", "garbage"])
@pytest.mark.parametrize("overwrite", [False, True], ids=["plain", "overwrite"])
def test_files_named_like_run_files_without_a_run_are_never_touched(
    tmp_path, capsys, checkpoint, overwrite
):
    folder = tmp_path / "myproj"
    folder.mkdir()
    (folder / "graph.svg").write_text("thesis")
    (folder / "metrics.csv").write_text("data")
    (folder / "notes.txt").write_text("mine")
    foreign_checkpoint(folder, checkpoint)
    before = snapshot(folder)
    flags = ["--overwrite"] if overwrite else []
    code, stdout, err = run(capsys, "train", *FAST, *flags, "--out", str(folder))
    message = one_line_error(code, err)
    assert str(folder) in message and "graph.svg" in message and "metrics.csv" in message
    assert "notes.txt" not in message and "--overwrite" in message
    assert "replacing" not in stdout
    assert snapshot(folder) == before


def test_a_new_run_refuses_a_folder_holding_a_run(tmp_path, capsys):
    folder = tmp_path / "run"
    assert run(capsys, "train", *FAST, "--out", str(folder))[0] == 0
    before = snapshot(folder)
    assert "checkpoint.npz" in before and "graph.svg" in before
    for extra in ([], ["--seed", "3", "--epochs", "2"]):
        code, stdout, err = run(capsys, "train", *FAST, *extra, "--out", str(folder))
        message = one_line_error(code, err)
        assert str(folder) in message and "--resume" in message and "--overwrite" in message
        assert stdout == "" and snapshot(folder) == before


def test_a_new_run_without_out_goes_to_the_next_free_default_folder(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert run(capsys, "train", *FAST)[0] == 0
    first = tmp_path / "runs" / "xor-logistic"
    before = snapshot(first)
    code, stdout, err = run(capsys, "train", *FAST, "--seed", "3")
    assert code == 0, err
    second = Path("runs") / "xor-logistic-2"
    assert f"new run in {second}" in stdout and "--resume" in stdout
    assert snapshot(first) == before  # the first run is untouched
    state = td.load(tmp_path / second / "checkpoint.npz", as_tensor=False)
    assert state["config"]["seed"] == 3
    assert run(capsys, "train", *FAST, "--resume", "--epochs", "2")[0] == 0  # resumes the first
    assert td.load(first / "checkpoint.npz", as_tensor=False)["history"][-1]["epoch"] == 2


def test_overwrite_replaces_the_run_and_keeps_other_files(tmp_path, capsys):
    perceptron = ["--model", "perceptron", "--dataset", "xor", "--epochs", "1", "--quiet"]
    assert run(capsys, "train", *perceptron, "--out", str(tmp_path))[0] == 0
    assert (tmp_path / "graph.txt").exists()  # a perceptron run's, not a network's
    (tmp_path / "notes.txt").write_text("mine")
    code, stdout, err = run(capsys, "train", *FAST, "--epochs", "2", "--seed", "1", "--overwrite",
                            "--out", str(tmp_path))  # fmt: skip
    assert code == 0, err
    assert f"replacing the previous run in {tmp_path}" in stdout
    assert (tmp_path / "notes.txt").read_text() == "mine"
    assert not (tmp_path / "graph.txt").exists() and (tmp_path / "graph.svg").exists()
    state = td.load(tmp_path / "checkpoint.npz", as_tensor=False)
    assert state["config"]["model"] == "logistic" and state["config"]["seed"] == 1
    assert [row["epoch"] for row in state["history"]] == [1, 2]


def test_overwrite_into_a_new_folder_is_a_plain_run(tmp_path, capsys):
    code, stdout, err = run(capsys, "train", *FAST, "--overwrite", "--out", str(tmp_path / "new"))
    assert code == 0, err
    assert "replacing" not in stdout and (tmp_path / "new" / "checkpoint.npz").exists()


def test_resume_and_overwrite_exclude_each_other(tmp_path, capsys):
    assert run(capsys, "train", *FAST, "--out", str(tmp_path))[0] == 0
    before = snapshot(tmp_path)
    code, _, err = run(capsys, "train", "--resume", "--overwrite", "--out", str(tmp_path))
    assert "--overwrite" in one_line_error(code, err) and "not allowed with" in err
    assert snapshot(tmp_path) == before


def test_train_help_documents_overwrite(capsys):
    assert main(["train", "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "--overwrite" in text and "never replaced" in text


# -- train: a rejected run leaves nothing behind ---------------------------------------------

REJECTED = [
    (["--dataset", "digits", "--model", "perceptron"], "needs two classes"),
    (["--dataset", "xor", "--model", "perceptron", "--batch-size", "8"], "--batch-size must be"),
]


@pytest.mark.parametrize("argv,message", REJECTED, ids=[" ".join(a) for a, _ in REJECTED])
def test_a_rejected_run_creates_no_folder(tmp_path, capsys, monkeypatch, argv, message):
    code, _, err = run(capsys, "train", *argv, "--out", str(tmp_path / "tr" / "percd"))
    assert message in one_line_error(code, err)
    assert not (tmp_path / "tr").exists()
    monkeypatch.chdir(tmp_path)  # the default folder, runs/<dataset>-<model>
    code, _, err = run(capsys, "train", *argv)
    assert message in one_line_error(code, err)
    assert list(tmp_path.iterdir()) == []


# -- graph -------------------------------------------------------------------------------------

SHARED = [
    ["--model", "logistic", "--hidden", "5"],
    ["--model", "lstm", "--activation", "relu"],
    ["--model", "rnn", "--activation", "sigmoid"],
]


@pytest.mark.parametrize("argv", SHARED, ids=[" ".join(a) for a in SHARED])
def test_graph_refuses_what_train_refuses(tmp_path, capsys, argv):
    from_train = one_line_error(*run(capsys, "train", "--dataset", "digits", *argv,
                                     "--out", str(tmp_path / "run"))[::2])  # fmt: skip
    from_graph = one_line_error(*run(capsys, "graph", "--dataset", "digits", *argv,
                                     "--out", str(tmp_path / "g.svg"))[::2])  # fmt: skip
    assert from_graph == from_train and "--" in from_graph
    assert list(tmp_path.iterdir()) == []


def test_graph_reports_the_examples_it_used(tmp_path, capsys):
    n = len(load_dataset("xor").y_train)
    code, stdout, err = run(capsys, "graph", "--batch", "1000", "--out", str(tmp_path / "g.dot"))
    assert code == 0, err
    assert f"mlp on {n} xor examples" in stdout and "1000" not in stdout


@pytest.mark.parametrize("fmt,out", [("png", "g.svg"), ("svg", "g.png"), ("dot", "g.pdf"),
                                     ("jpeg", "g.dot"), ("jpg", "g.PNG")])  # fmt: skip
def test_graph_format_contradicting_the_suffix_is_an_error(tmp_path, capsys, fmt, out):
    (tmp_path / out).write_text("the user's file")
    code, _, err = run(capsys, "graph", "--format", fmt, "--out", str(tmp_path / out))
    message = one_line_error(code, err)
    assert f"--format {fmt}" in message and "contradicts" in message and out in message
    assert (tmp_path / out).read_text() == "the user's file"


def test_graph_writes_jpg_and_formats_that_agree(tmp_path, capsys):
    try:
        viz.find_renderer("jpeg")
    except viz.RendererNotFoundError:
        pytest.skip("no renderer for jpeg here")
    for argv in (["--out", "a.jpg"], ["--format", "jpeg", "--out", "b.jpg"],
                 ["--format", "jpg", "--out", "c.JPEG"]):  # fmt: skip
        argv[-1] = str(tmp_path / argv[-1])
        code, _, err = run(capsys, "graph", *argv)
        assert code == 0, err
        assert Path(argv[-1]).read_bytes()[:3] == b"\xff\xd8\xff"  # a JPEG
    code, _, err = run(capsys, "graph", "--format", "dot", "--out", str(tmp_path / "g.gv"))
    assert code == 0, err  # a suffix that names no format: --format decides
    assert (tmp_path / "g.gv").read_text().startswith("digraph")


# -- the words match the code ----------------------------------------------------------------


@pytest.mark.parametrize("command", ["train", "check", "graph"])
def test_readme_lists_every_option(command):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## The command line", 1)[1].split("\n## ", 1)[0]
    bullet = section.split(f"- `tinygrad-ds {command}", 1)[1].split("\n- ", 1)[0]
    sub = build_parser()._subparsers._group_actions[0].choices[command]
    options = [o for a in sub._actions for o in a.option_strings if o.startswith("--")]
    missing = [o for o in options if o != "--help" and not re.search(rf"`{o}\b|\[{o}\b", bullet)]
    assert missing == [], f"README's {command} omits {missing}"


def test_datasets_docstring_gives_the_digits_split():
    d = load_dataset("digits")
    assert f"({len(d.y_train):,} train / {len(d.y_test):,} test)" in datasets.__doc__
