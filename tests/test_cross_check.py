"""manual.cross_check: autograd vs the hand-derived loop vs the vectorised backprop, in float64."""

import ast
import importlib
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import tinygrad_ds as td
from tinygrad_ds import manual, nn
from tinygrad_ds.nn import functional as F

ROOT = Path(__file__).resolve().parents[1]
ACT = {"sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "relu": nn.ReLU}


# ---------------------------------------------------------------- helpers
def make_model(sizes, hidden, output, seed=0, n=7, dtype=None):
    """An nn.Sequential Linear, g, ..., Linear[, Sigmoid], a batch X and labels y.

    output 'sigmoid' ends in nn.Sigmoid (0/1 labels, one column per output unit); 'softmax' ends
    in the last Linear's logits (integer classes). For relu the weights are redrawn until no
    hidden pre-activation z[l] is within 1e-3 of the kink at 0.
    """
    layers = []
    for l, (k, m) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
        layers.append(nn.Linear(k, m, dtype=dtype))
        if l < len(sizes) - 1:
            layers.append(ACT[hidden]())
    if output == "sigmoid":
        layers.append(nn.Sigmoid())
    model = nn.Sequential(*layers)
    linear_names = [str(i) for i, m in enumerate(layers) if isinstance(m, nn.Linear)]
    for attempt in range(100):
        rng = np.random.default_rng(1000 * seed + attempt)
        state = {}
        for name, k, m in zip(linear_names, sizes[:-1], sizes[1:]):
            state[f"{name}.weight"] = rng.normal(size=(m, k))
            state[f"{name}.bias"] = rng.normal(size=m)
        X = rng.normal(size=(n, sizes[0]))
        model.load_state_dict(state)
        W, b = weights_of(model)
        zs, _ = manual.forward(W, b, X, hidden, output)
        if hidden != "relu" or all(np.min(np.abs(z)) > 1e-3 for z in zs[:-1]):
            break
    else:
        raise RuntimeError(f"make_model: no draw keeps relu inputs away from 0 for {sizes}")
    if output == "softmax":
        y = rng.integers(0, sizes[-1], size=n)
    else:
        y = rng.integers(0, 2, size=(n,) if sizes[-1] == 1 else (n, sizes[-1]))
    return model, X, y


def weights_of(model):
    """float64 copies of W[l], b[l] of every Linear, in order."""
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    return (
        [np.array(m.weight.data, dtype=np.float64) for m in linears],
        [np.array(m.bias.data, dtype=np.float64) for m in linears],
    )


# ---------------------------------------------------------------- the agreement table
ARCHS = [
    (3, 1), (4, 3),  # depth 1
    (3, 4, 1), (2, 7, 3),  # depth 2
    (4, 3, 5, 1), (3, 8, 2, 4),  # depth 3
    (2, 5, 4, 3, 1), (3, 2, 6, 3, 4),  # depth 4
]  # fmt: skip
CASES = [
    (sizes, hidden, output, lam)
    for sizes in ARCHS
    for hidden in ("sigmoid", "tanh", "relu")
    for output in ("sigmoid", "softmax")
    for lam in (0.0, 0.05)
    if not (output == "softmax" and sizes[-1] == 1)
    if not (len(sizes) == 2 and hidden != "sigmoid")  # one layer has no hidden g
]
IDS = ["-".join(map(str, c[0])) + f"-{c[1]}-{c[2]}-lam{c[3]}" for c in CASES]


def test_the_table_covers_what_the_issue_asks():
    depths = {len(c[0]) - 1 for c in CASES}
    assert depths == {1, 2, 3, 4}
    for depth in (2, 3, 4):
        for hidden in ("sigmoid", "tanh", "relu"):
            for output in ("sigmoid", "softmax"):
                for lam in (0.0, 0.05):
                    key = (depth, hidden, output, lam)
                    assert any((len(c[0]) - 1, *c[1:]) == key for c in CASES), key


@pytest.mark.parametrize("sizes,hidden,output,lam", CASES, ids=IDS)
def test_cross_check_agrees_to_1e_10(sizes, hidden, output, lam):
    model, X, y = make_model(sizes, hidden, output, seed=len(sizes))  # a float32 model
    report = manual.cross_check(model, X, y, lam=lam)
    assert report.ok
    assert report.max_abs_diff < 1e-10
    assert len(report.rows) == 2 * (len(sizes) - 1)
    for r in report.rows:
        assert r.autograd_loop_abs < 1e-10 and r.loop_vectorised_abs < 1e-10, r
    assert report.output == output
    assert report.hidden == (hidden if len(sizes) > 2 else None)
    W, b = weights_of(model)
    J = manual.cost(W, b, X, y, hidden, output, lam)
    assert report.loss == pytest.approx(J, abs=1e-10)
    assert report.loss_manual == pytest.approx(J, abs=1e-12)


@pytest.mark.parametrize("sizes,hidden,output,lam", CASES, ids=IDS)
def test_nn_autograd_gradients_match_manual_backprop_directly(sizes, hidden, output, lam):
    """Without cross_check: a float64 nn model's .grad after backward vs manual.backprop."""
    model, X, y = make_model(sizes, hidden, output, seed=len(sizes), dtype=np.float64)
    out = model(td.Tensor(X))
    if output == "sigmoid":
        # the course's L(i) sums over the output units: J = sum / N, not the elementwise mean
        loss = F.binary_cross_entropy(out, y.reshape(out.shape), reduction="sum") / len(X)
    else:
        loss = F.cross_entropy(out, y)
    J = loss + lam * nn.utils.l2_penalty(model)
    J.backward()
    W, b = weights_of(model)
    loop = manual.backprop(W, b, X, y, hidden, output, lam=lam, loop=True)
    vect = manual.backprop(W, b, X, y, hidden, output, lam=lam, loop=False)
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    for i, m in enumerate(linears):
        pairs = ((m.weight, loop[0][i], vect[0][i]), (m.bias, loop[1][i], vect[1][i]))
        for p, g_loop, g_vect in pairs:
            assert p.grad.dtype == np.float64
            np.testing.assert_allclose(p.grad.data, g_loop, rtol=0, atol=1e-10)
            np.testing.assert_allclose(g_loop, g_vect, rtol=0, atol=1e-10)
    assert J.item() == pytest.approx(manual.cost(W, b, X, y, hidden, output, lam), abs=1e-10)


# ---------------------------------------------------------------- other model ends
@pytest.mark.parametrize(
    "tail,n_out,output,loss_name",
    [
        ([], 1, "sigmoid", "binary_cross_entropy_with_logits"),
        ([], 3, "softmax", "cross_entropy"),
        ([nn.Softmax], 3, "softmax", "nll_loss(log(p))"),
        ([nn.LogSoftmax], 3, "softmax", "nll_loss"),
        ([nn.Sigmoid], 3, "sigmoid", "binary_cross_entropy"),
    ],
)
def test_each_supported_output_end(tail, n_out, output, loss_name):
    rng = np.random.default_rng(5)
    model = nn.Sequential(nn.Linear(4, 5), nn.Tanh(), nn.Linear(5, n_out), *[t() for t in tail])
    X = rng.normal(size=(9, 4))
    if output == "softmax":
        y = rng.integers(0, n_out, size=9)
    else:
        y = rng.integers(0, 2, size=(9, n_out))
    report = manual.cross_check(model, X, y, lam=0.1)
    assert report.ok and report.max_abs_diff < 1e-10
    assert (report.output, report.loss_name) == (output, loss_name)


def test_nested_sequential_identity_eval_dropout_and_tensor_inputs():
    inner = nn.Sequential(nn.Linear(3, 4), nn.Sigmoid())
    model = nn.Sequential(inner, nn.Dropout(0.5), nn.Identity(), nn.Linear(4, 1), nn.Sigmoid())
    model.eval()
    rng = np.random.default_rng(2)
    X, y = rng.normal(size=(6, 3)), rng.integers(0, 2, size=(6, 1)).astype(np.float32)
    report = manual.cross_check(model, td.Tensor(X), td.Tensor(y))
    assert report.ok
    assert [r.name for r in report.rows] == ["0.0.weight", "0.0.bias", "3.weight", "3.bias"]


def test_works_under_no_grad():
    model, X, y = make_model((3, 4, 2), "tanh", "softmax")
    with td.no_grad():
        assert manual.cross_check(model, X, y).ok


# ---------------------------------------------------------------- the report
def test_report_str_is_a_table_with_every_row():
    model, X, y = make_model((3, 5, 4, 2), "tanh", "softmax")
    report = manual.cross_check(model, X, y, lam=0.1)
    text = str(report)
    lines = text.splitlines()
    assert "autograd vs loop" in text and "loop vs vectorised" in text
    for r in report.rows:
        (line,) = [s for s in lines if f" {r.name} " in s]
        assert r.grad in line
        assert str(r.shape).replace(" ", "") in line.replace(" ", "")
        assert line.split()[0] == str(r.layer)
        assert f"{r.autograd_loop_abs:.2e}" in line
    assert [r.grad for r in report.rows] == ["dW[1]", "db[1]", "dW[2]", "db[2]", "dW[3]", "db[3]"]
    assert [r.shape for r in report.rows] == [(5, 3), (5,), (4, 5), (4,), (2, 4), (2,)]
    row_lines = [s for s in lines if s.split()[0] in ("1", "2", "3")]
    assert len({len(s) for s in row_lines}) == 1  # fixed width
    assert lines[-1].endswith(": ok")
    assert "lambda = 0.1" in lines[0]


# ---------------------------------------------------------------- wrong gradients are caught
def test_a_scaled_manual_gradient_is_detected(monkeypatch):
    cc = importlib.import_module("tinygrad_ds.manual.cross_check")
    real = cc.backprop

    def scaled(*args, **kwargs):
        dW, db = real(*args, **kwargs)
        return [1.01 * d for d in dW], db

    model, X, y = make_model((3, 4, 2), "sigmoid", "sigmoid")
    monkeypatch.setattr(cc, "backprop", scaled)
    report = manual.cross_check(model, X, y)
    assert not report.ok
    assert report.max_abs_diff > 1e-6
    assert str(report).splitlines()[-1].endswith("MISMATCH")
    assert all(r.loop_vectorised_abs < 1e-12 for r in report.rows)  # both scaled alike


def test_a_wrong_derivative_in_the_derivation_is_detected(monkeypatch):
    """A classic slip, tanh'(z) = 1 - a instead of 1 - a^2: loop and vectorised still agree with
    each other, and only autograd shows that the layers below L are wrong."""
    bp = importlib.import_module("tinygrad_ds.manual.backprop")
    real = bp.g_prime
    monkeypatch.setattr(bp, "g_prime", lambda g, z, a: 1 - a if g == "tanh" else real(g, z, a))
    model, X, y = make_model((3, 4, 5, 2), "tanh", "softmax")
    report = manual.cross_check(model, X, y)
    assert not report.ok
    by_layer = {r.grad: r for r in report.rows}
    assert by_layer["dW[3]"].autograd_loop_abs < 1e-12  # delta[L] = a[L] - y is right
    assert by_layer["dW[2]"].autograd_loop_abs > 1e-4
    assert by_layer["dW[1]"].autograd_loop_abs > 1e-4
    assert all(r.loop_vectorised_abs < 1e-12 for r in report.rows)


def test_a_loop_that_disagrees_with_the_vectorised_version_is_detected(monkeypatch):
    bp = importlib.import_module("tinygrad_ds.manual.backprop")
    real = bp._backprop_loop

    def off_by_one_example(Ws, bs, X, T, *rest):  # the loop forgets the last example
        dW, db = real(Ws, bs, X[:-1], T[:-1], *rest)
        n = X.shape[0]
        return [d * (n - 1) / n for d in dW], [d * (n - 1) / n for d in db]

    monkeypatch.setattr(bp, "_backprop_loop", off_by_one_example)
    model, X, y = make_model((3, 4, 1), "sigmoid", "sigmoid")
    report = manual.cross_check(model, X, y)
    assert not report.ok
    assert max(r.loop_vectorised_abs for r in report.rows) > 1e-6


# ---------------------------------------------------------------- unsupported models
class Square(nn.Module):
    def forward(self, x):
        return x * x


def _conv_model():
    return nn.Sequential(nn.Conv1d(1, 2, 3), nn.Linear(2, 1))


GOOD_X, GOOD_Y = np.ones((5, 3)), np.array([0, 1, 1, 0, 1])
BAD_MODELS = [
    ("not sequential", lambda: nn.Linear(3, 1), r"expected an nn\.Sequential.*Linear"),
    ("empty", lambda: nn.Sequential(), r"no Linear layer"),
    (
        "custom layer",
        lambda: nn.Sequential(nn.Linear(3, 4), Square(), nn.Linear(4, 1)),
        r"layer '1' \(Square\) is not supported",
    ),
    (
        "leaky relu",
        lambda: nn.Sequential(nn.Linear(3, 4), nn.LeakyReLU(), nn.Linear(4, 1)),
        r"layer '1' \(LeakyReLU\) is not supported",
    ),
    (
        "dropout train",
        lambda: nn.Sequential(nn.Linear(3, 4), nn.Sigmoid(), nn.Dropout(0.2), nn.Linear(4, 1)),
        r"layer '2' \(Dropout\) is in train mode",
    ),
    (
        "no activation",
        lambda: nn.Sequential(nn.Linear(3, 4), nn.Linear(4, 1)),
        r"layers '0' and '1' are Linears with no activation",
    ),
    (
        "mixed",
        lambda: nn.Sequential(
            nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 4), nn.ReLU(), nn.Linear(4, 1)
        ),
        r"mixed hidden activations \(tanh at '1', relu at '3'\)",
    ),
    (
        "relu output",
        lambda: nn.Sequential(nn.Linear(3, 4), nn.Sigmoid(), nn.Linear(4, 1), nn.ReLU()),
        r"ends in ReLU \(layer '3'\)",
    ),
    (
        "hidden softmax",
        lambda: nn.Sequential(nn.Linear(3, 4), nn.Softmax(), nn.Linear(4, 1)),
        r"layer '1' \(Softmax\) is a hidden activation",
    ),
    (
        "activation first",
        lambda: nn.Sequential(nn.Tanh(), nn.Linear(3, 1)),
        r"layer '0' comes before the first Linear",
    ),
    (
        "two activations",
        lambda: nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Tanh(), nn.Linear(4, 1)),
        r"two activations in a row at layer '2'",
    ),
    (
        "after output",
        lambda: nn.Sequential(nn.Linear(3, 1), nn.Sigmoid(), nn.Sigmoid()),
        r"layer '2' follows the output activation",
    ),
    (
        "no bias",
        lambda: nn.Sequential(nn.Linear(3, 1, bias=False), nn.Sigmoid()),
        r"layer '0' \(Linear\) has no bias",
    ),
    (
        "softmax dim",
        lambda: nn.Sequential(nn.Linear(3, 2), nn.Softmax(dim=0)),
        r"layer '1' \(Softmax\) must use dim=-1 or 1",
    ),
]


BAD_MODEL_PARAMS = [pytest.param(*case, id=case[0]) for case in BAD_MODELS] + [
    pytest.param(
        "conv",
        _conv_model,
        r"layer '0' \(Conv1d\) is not supported",
        id="conv",
    )
]


@pytest.mark.parametrize("name,build,message", BAD_MODEL_PARAMS)
def test_unsupported_models_raise_value_errors(name, build, message):
    with pytest.raises(ValueError, match="^cross_check: .*" + message):
        manual.cross_check(build(), GOOD_X, GOOD_Y)


BAD_DATA = [
    ("X columns", np.ones((5, 2)), GOOD_Y, 0.0, r"X has shape \(5, 2\).*layer '0' \(Linear\)"),
    ("X 1-D", np.ones(3), GOOD_Y, 0.0, r"X must be 2-D.*\(3,\)"),
    ("X nan", np.full((5, 3), np.nan), GOOD_Y, 0.0, r"X contains non-finite"),
    ("y rows", GOOD_X, np.array([0, 1]), 0.0, r"Y has shape \(2,\) but X has 5 rows"),
    ("y range", GOOD_X, np.array([0, 1, 2, 0, 1]), 0.0, r"labels must lie in \[0, 1\].*\[2\.0\]"),
    ("y shape", GOOD_X, np.ones((5, 2)), 0.0, r"needs Y of shape \(5, 1\) or \(5,\)"),
    ("lam", GOOD_X, GOOD_Y, -0.5, r"lam must be a finite number >= 0"),
]


@pytest.mark.parametrize("name,X,y,lam,message", BAD_DATA, ids=[c[0] for c in BAD_DATA])
def test_bad_data_raises_value_errors(name, X, y, lam, message):
    model = nn.Sequential(nn.Linear(3, 4), nn.Sigmoid(), nn.Linear(4, 1), nn.Sigmoid())
    with pytest.raises(ValueError, match="^cross_check: .*" + message):
        manual.cross_check(model, X, y, lam=lam)


def test_softmax_class_out_of_range():
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 3))
    with pytest.raises(ValueError, match=r"^cross_check: softmax labels.*\[0, 2\].*\[3\]"):
        manual.cross_check(model, GOOD_X, np.array([0, 1, 3, 2, 1]))


# ---------------------------------------------------------------- the user's model is only read
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_the_model_is_unchanged(dtype):
    model, X, y = make_model((3, 4, 3, 2), "relu", "softmax", dtype=dtype)
    params = list(model.parameters())
    before = {k: (v.data.copy(), v.dtype) for k, v in model.state_dict().items()}
    model.train()
    report = manual.cross_check(model, X, y, lam=0.2)
    assert report.ok
    assert all(a is b for a, b in zip(model.parameters(), params, strict=True))
    for k, v in model.state_dict().items():
        assert v.dtype == before[k][1] == dtype
        np.testing.assert_array_equal(v.data, before[k][0])
    assert all(p.grad is None and p.requires_grad for p in model.parameters())
    assert model.training


# ---------------------------------------------------------------- independence of the derivation
def test_only_cross_check_imports_the_engine():
    """Every other file of tinygrad_ds/manual imports NumPy and its siblings, nothing else."""
    for path in sorted((ROOT / "tinygrad_ds" / "manual").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                outside = node.level > 1 or (node.level == 0 and "tinygrad_ds" in node.module)
            elif isinstance(node, ast.Import):
                outside = any("tinygrad_ds" in a.name for a in node.names)
            else:
                continue
            assert not outside or path.name == "cross_check.py", (path.name, ast.dump(node))


# ---------------------------------------------------------------- the example
def test_backprop_by_hand_example_runs():
    out = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "backprop_by_hand.py")],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    found = re.search(r"^max abs difference, hand vs autograd: (\S+)$", out, re.MULTILINE)
    assert found, out
    assert float(found.group(1)) < 1e-10
    line = r"^max abs difference, unsimplified vs simplified delta\[L\]: (\S+)$"
    simplify = re.search(line, out, re.MULTILINE)
    assert simplify and float(simplify.group(1)) < 1e-12
    for l in (1, 2, 3):
        assert f"delta[{l}]" in out and f"dW[{l}]" in out and f"z[{l}]" in out
    assert out.count(": ok") == 1
