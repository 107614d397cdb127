"""viz edge cases: layers with an L2 penalty or a hand-written model (module=), the formula and
derivative read from every op's docstring, bad arguments, and the docs pictures kept current."""

from __future__ import annotations

import importlib
import os
import pkgutil
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from test_viz import clusters_of

import tinygrad_ds as td
from tinygrad_ds import manual, nn, viz
from tinygrad_ds.function import Function
from tinygrad_ds.nn import functional as F
from tinygrad_ds.viz.graph import op_formula

ROOT = Path(__file__).resolve().parent.parent


# -- explain: which operation is z[l] ------------------------------------------------------


def course_deltas(Ws, bs, X, Y, hidden, output):
    """delta[L] = (a[L] - y) / N for J = mean loss (+ lam R, which adds nothing to a delta),
    then delta[l] = (delta[l+1] W[l+1]) * g'(z[l]): manual's forward, output_delta, g_prime."""
    zs, acts = manual.forward(Ws, bs, X, hidden, output)
    delta = manual.output_delta(zs[-1], Y, output) / X.shape[0]
    deltas = [delta]
    for l in range(len(Ws) - 1, 0, -1):
        delta = (delta @ Ws[l]) * manual.g_prime(hidden, zs[l - 1], acts[l])
        deltas.append(delta)
    return deltas  # delta[L], ..., delta[1]


def softmax_model():
    """The report's case: Linear(3, 4), Tanh, Linear(4, 3), cross-entropy on 5 examples."""
    td.set_default_dtype(td.float64)
    td.manual_seed(0)
    X = np.random.default_rng(0).normal(size=(5, 3))
    y = np.array([0, 1, 2, 0, 1])
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 3))
    return model, X, y


@pytest.mark.parametrize("lam", [0.0, 0.1])
@pytest.mark.parametrize("with_module", [False, True])
def test_explain_layer_deltas_with_an_l2_penalty_match_manual(lam, with_module):
    model, X, y = softmax_model()
    J = F.cross_entropy(model(td.Tensor(X)), td.Tensor(y)) + lam * nn.utils.l2_penalty(model)
    trace = viz.explain(J, module=model if with_module else None)
    Ws = [model[0].weight.data, model[2].weight.data]
    bs = [model[0].bias.data, model[2].bias.data]
    d2, d1 = course_deltas(Ws, bs, X, y, "tanh", "softmax")
    assert [n for n, _ in trace.deltas()] == [2, 1]
    for (_, norm), expected in zip(trace.deltas(), (d2, d1)):
        assert norm == pytest.approx(np.linalg.norm(expected), rel=1e-12)
    assert [(la.z.name(), la.z.out_shape) for la in trace.layers] == [
        ("Linear", (5, 4)),
        ("Linear", (5, 3)),
    ]
    dW, db = manual.backprop(Ws, bs, X, y, "tanh", "softmax", lam=lam)  # backward really ran
    np.testing.assert_allclose(model[0].weight.grad.data, dW[0], rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(model[2].bias.grad.data, db[1], rtol=1e-10, atol=1e-14)
    text = str(trace).split("Layer deltas")[1]
    where = " in 2: Linear" if with_module else ""
    assert "delta[2] = dL/dz[2]  at Linear (step " in text and f"){where}, shape (5, 3)" in text


class HandWritten(nn.Module):
    """The usual student code: the parameters held by the model itself."""

    def __init__(self) -> None:
        super().__init__()
        self.W1 = nn.Parameter(td.Tensor.randn(4, 3))
        self.b1 = nn.Parameter(td.Tensor.randn(4))
        self.W2 = nn.Parameter(td.Tensor.randn(1, 4))
        self.b2 = nn.Parameter(td.Tensor.randn(1))

    def forward(self, x: td.Tensor) -> td.Tensor:
        a1 = (x @ self.W1.T + self.b1).tanh()
        return a1 @ self.W2.T + self.b2


@pytest.mark.parametrize("lam", [0.0, 0.1])
def test_explain_module_splits_a_hand_written_network_into_its_layers(lam):
    td.set_default_dtype(td.float64)
    net = HandWritten()
    X = np.random.default_rng(1).normal(size=(6, 3))
    y = np.array([0.0, 1, 1, 0, 1, 0])

    def J():
        logits = net(td.Tensor(X))
        loss = F.binary_cross_entropy_with_logits(logits, td.Tensor(y[:, None]))
        return loss + lam * nn.utils.l2_penalty(net)

    Ws, bs = [net.W1.data, net.W2.data], [net.b1.data, net.b2.data]
    d2, d1 = course_deltas(Ws, bs, X, y[:, None], "tanh", "sigmoid")
    plain = viz.explain(J())
    trace = viz.explain(J(), module=net)
    assert trace.deltas() == plain.deltas()
    assert [n for n, _ in trace.deltas()] == [2, 1]
    for (_, norm), expected in zip(trace.deltas(), (d2, d1)):
        assert norm == pytest.approx(np.linalg.norm(expected), rel=1e-12)
    assert [la.path for la in trace.layers] == ["", ""]
    text = str(trace)
    for label in ("to W2, dL/dW[2]", "to b2, dL/db[2]", "dL/da[1]", "to W1, dL/dW[1]"):
        assert label in text, label
    assert "to b1, dL/db[1]" in text and "dL/dW1" not in text
    assert "delta[2] = dL/dz[2]  at Add (step" in text and "in HandWritten, shape (6, 1)" in text
    assert "delta[1] = dL/dz[1]  at Add (step" in text and "in HandWritten, shape (6, 4)" in text


def test_explain_module_keeps_a_linear_applied_twice_as_two_layers():
    td.set_default_dtype(td.float64)
    lin = nn.Linear(3, 3)
    model = nn.Sequential(lin, nn.Tanh(), lin)
    x = td.Tensor(np.random.default_rng(2).normal(size=(4, 3)))
    z1 = lin(x)
    z1.retain_grad()
    z2 = lin(z1.tanh())
    z2.retain_grad()
    trace = viz.explain((z2 * z2).sum(), module=model)
    assert [la.z for la in trace.layers] == [z1.grad_fn, z2.grad_fn]
    assert trace.deltas() == [
        (2, pytest.approx(np.linalg.norm(z2.grad.data))),
        (1, pytest.approx(np.linalg.norm(z1.grad.data))),
    ]


def penalised(model: nn.Module, out: td.Tensor) -> td.Tensor:
    """sum(out^2) plus 0.1 times every parameter's squared sum (biases too), as W * W and W^2."""
    loss = (out * out).sum()
    for k, p in enumerate(model.parameters()):
        loss = loss + 0.1 * ((p * p).sum() if k % 2 else (p**2).sum())
    return loss


@pytest.mark.parametrize("kind", ["conv", "embedding", "batchnorm"])
def test_explain_module_layer_output_is_not_a_penalty_on_its_parameters(kind):
    """z[l] of a layer the MatMul pattern cannot see is the module's output: its delta is the
    gradient retained on that output, not on a penalty's W * W or W ** 2."""
    td.set_default_dtype(td.float64)
    rng = np.random.default_rng(3)
    if kind == "conv":
        layer, x = nn.Conv2d(1, 2, 3), td.Tensor(rng.normal(size=(2, 1, 5, 5)))
    elif kind == "embedding":
        layer, x = nn.Embedding(6, 3), td.Tensor(np.array([0, 4, 1]))
    else:
        layer, x = nn.BatchNorm1d(3), td.Tensor(rng.normal(size=(5, 3)))
    head = nn.Linear(layer(x).reshape(x.shape[0], -1).shape[1], 2)
    model = nn.Sequential(layer, head)
    h = layer(x)
    h.retain_grad()
    loss = penalised(model, head(h.reshape(x.shape[0], -1)))
    trace = viz.explain(loss, module=model)
    first = trace.layers[0]
    assert first.path == "0" and first.z is h.grad_fn
    assert trace.deltas()[-1] == (1, pytest.approx(np.linalg.norm(h.grad.data)))


def test_explain_module_finds_the_layers_the_pattern_finds_in_an_lstm_and_outside_modules():
    """module= is never worse than without: an LSTM's matmuls (its weights used at every time
    step) and a weight outside the module are the same layers either way."""
    td.set_default_dtype(td.float64)
    lstm = nn.LSTM(2, 3)
    W = td.Tensor(np.random.default_rng(5).normal(size=(2, 3)), requires_grad=True)
    x = td.Tensor(np.random.default_rng(4).normal(size=(4, 1, 2)))

    def loss():
        _, (h, _) = lstm(x)
        return ((h.reshape(1, 3) @ W.T) ** 2).sum()

    plain, with_module = viz.explain(loss()), viz.explain(loss(), module=lstm)
    assert len(plain.layers) == 2 * 4 + 1  # W_ih and W_hh at 4 steps, and W
    assert with_module.deltas() == plain.deltas()
    assert [la.path for la in with_module.layers] == [""] * 8 + [None]
    assert "at MatMul (step 3), shape (1, 2)" in str(with_module)  # W, in no module
    assert "in LSTM, shape (1, 12)" in str(with_module)


def test_module_clusters_see_through_views_of_parameters():
    """A batch norm scales by weight.reshape(1, C) and shifts by bias.reshape(1, C): its Mul and
    Add consume its parameters through a view, so they are drawn in its cluster."""
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Tanh(), nn.Linear(4, 1))
    loss = model(td.Tensor(np.random.default_rng(6).normal(size=(5, 3)))).sum()
    dot = viz.to_dot(loss, module=model)
    ops = dict(re.findall(r'(op\d+) \[.*?label="(\w+)"', dot))
    cl = clusters_of(dot)
    assert sorted(ops[n] for n in cl["1: BatchNorm1d"] if n in ops) == [
        "Add", "Mul", "Reshape", "Reshape",
    ]  # fmt: skip
    for layer in ("0: Linear", "3: Linear"):
        assert sorted(ops[n] for n in cl[layer] if n in ops) == ["Add", "MatMul"]
    outside = [ops[n] for n in cl["Sequential"] if n in ops]  # Tanh, and the normalisation
    assert "Tanh" in outside and "MatMul" not in outside  # (which reads no parameter)


# -- op_formula: every op's docstring -------------------------------------------------------


def every_op() -> list[type]:
    for info in pkgutil.walk_packages(td.__path__, "tinygrad_ds."):
        if not info.name.endswith("__main__"):
            importlib.import_module(info.name)
    found, stack = set(), [Function]
    while stack:
        for sub in stack.pop().__subclasses__():
            stack.append(sub)
            if sub.__module__.startswith("tinygrad_ds."):
                found.add(sub)
    return sorted(found, key=lambda c: (c.__module__, c.__name__))


OPS = every_op()
FORMULA = re.compile(r"^\w+(\[[\w,]*\])? = \S")  # z = ..., y[n,f,i,j] = ..., l_i = ...
DERIVATIVE = re.compile(r"^d\w*'?/d\w+'?( = |: )\S")  # dz/dx = ..., dL/dA' = ..., dz/dx: ...


def balanced(text: str) -> bool:
    depth = {")": 0, "]": 0, "}": 0}
    for ch in text:
        if ch in "([{":
            depth[{"(": ")", "[": "]", "{": "}"}[ch]] += 1
        elif ch in depth:
            depth[ch] -= 1
            if depth[ch] < 0:
                return False
    return not any(depth.values()) and text.count("`") % 2 == 0


def test_every_function_subclass_is_found():
    names = {c.__name__ for c in OPS}
    assert len(OPS) >= 40
    assert {"Add", "MatMul", "Conv2d", "BinaryCrossEntropyWithLogits", "WindowScatter"} <= names


@pytest.mark.parametrize("cls", OPS, ids=[c.__name__ for c in OPS])
def test_every_op_docstring_gives_a_formula_and_a_derivative(cls):
    forward, derivative = op_formula(cls)
    assert FORMULA.match(forward), forward
    assert DERIVATIVE.match(derivative), derivative
    for part in (forward, derivative):
        assert balanced(part), part  # nothing cut off inside brackets
        assert not re.search(r"\.\s+[A-Z(]", part), part  # one sentence: no commentary after
        assert not re.search(r"([,;:]|\b(and|or|the|of|with))$", part), part
    assert not re.search(r"(?<![\w/])d\w*'?/d\w+'?\s*[=:]", forward), forward


@pytest.mark.parametrize(
    "name, forward, derivative",
    [
        (
            "BinaryCrossEntropyWithLogits",
            "l = (1 - y) x + r softplus(-x), elementwise, with r = 1 + (pos_weight - 1) y and "
            "softplus(-x) = max(-x, 0) + log(1 + e^-|x|) (never overflows)",
            "dl/dx = (1 - y) - r sigmoid(-x) (sigmoid(x) - y without pos_weight); "
            "dl/dy = -x + (pos_weight - 1) softplus(-x)",
        ),
        ("Div", "z = x / y", "dz/dx = 1 / y, dz/dy = -x / y^2 = -z / y"),
        ("Sub", "z = x - y", "dz/dx = 1, dz/dy = -1"),
        ("Sigmoid", "z = 1 / (1 + e^-x), computed without overflow", "dz/dx = z (1 - z)"),
        ("Permute", "z = x with its axes reordered by `dims`", "dz/dx: the gradient permuted back"),
        (
            "MaxPool2d",
            "y[n,c,i,j] = max over the window of x_pad (padding is -inf)",
            "dL/dx = WindowScatter(g, argmax)",
        ),
        (
            "SoftmaxCrossEntropy",
            "l_i = -log softmax(z_i)_(y_i) for logits z of shape (N, C) and class indices y",
            "dl_i/dz_i = softmax(z_i) - onehot(y_i)",
        ),
    ],
)
def test_op_formula_reads_the_docstrings(name, forward, derivative):
    (cls,) = [c for c in OPS if c.__name__ == name]
    assert op_formula(cls) == (forward, derivative)


def test_op_formula_convention():
    class Semicolons:
        """z = f(x; y) + g[a; b];  dz/dx = f'(x; y); dz/dy = 0. Commentary (here)."""

    class Long:
        """l = a very long formula, wrapped
        over two lines; this is what it means.

        dl/dx = l (1 - l)  (its note);
        dl/dy = 0. More commentary.
        """

    class Prose:
        """Some op in words, with no formula."""

    class Bare:
        pass

    assert op_formula(Semicolons) == ("z = f(x; y) + g[a; b]", "dz/dx = f'(x; y); dz/dy = 0")
    assert op_formula(Long) == (
        "l = a very long formula, wrapped over two lines",
        "dl/dx = l (1 - l) (its note); dl/dy = 0",
    )
    assert op_formula(Prose) == ("Some op in words, with no formula", "")
    assert op_formula(Bare) == ("Bare", "")


def test_tooltip_and_explain_show_the_logits_loss_derivative():
    x = td.Tensor([[0.5], [-1.0]], requires_grad=True)
    loss = F.binary_cross_entropy_with_logits(x, td.Tensor([[1.0], [0.0]]))
    dot = viz.to_dot(loss)
    tip = re.search(r'label="BinaryCrossEntropyWithLogits", tooltip="([^"]*)"', dot).group(1)
    assert tip.startswith("l = (1 - y) x + r softplus(-x), elementwise,")
    assert ";  dl/dx = (1 - y) - r sigmoid(-x) (sigmoid(x) - y without pos_weight);" in tip
    assert "this is the binary" not in tip
    text = str(viz.explain(loss))
    assert "local derivative: dl/dx = (1 - y) - r sigmoid(-x)" in text


# -- bad arguments ------------------------------------------------------------------------


def small_loss() -> td.Tensor:
    x = td.Tensor([1.0, 2.0], requires_grad=True)
    return (x * x).sum()


BAD_TO_DOT = [
    ((3.0,), {}, TypeError, "to_dot: root must be a Tensor or a sequence of Tensors, got 3.0 "
     "(float)"),
    (("loss",), {}, TypeError, "to_dot: root must be a Tensor or a sequence of Tensors, got "
     "'loss' (str)"),
    ((None,), {}, TypeError, "to_dot: root must be a Tensor or a sequence of Tensors, got None "
     "(NoneType)"),
    ("list", {}, TypeError, "to_dot: root[1] must be a Tensor, got 1.0 (float)"),
    ("t", {"max_nodes": "5"}, TypeError, "to_dot: max_nodes must be an integer >= 1 or None, "
     "got '5' (str)"),
    ("t", {"max_nodes": 2.5}, TypeError, "to_dot: max_nodes must be an integer >= 1 or None, "
     "got 2.5 (float)"),
    ("t", {"max_nodes": 0}, ValueError, "to_dot: max_nodes must be at least 1 (or None), got 0"),
    ("t", {"max_values": -1}, ValueError, "to_dot: max_values must be at least 0, got -1"),
    ("t", {"max_values": None}, TypeError, "to_dot: max_values must be an integer >= 0, got "
     "None (NoneType)"),
    ("t", {"trace": 5}, TypeError, "to_dot: trace must be what viz.explain returns (a "
     "BackwardTrace) or None, got 5 (int)"),
    ("t", {"rankdir": "XY"}, ValueError, "to_dot: rankdir must be one of ('LR', 'TB', 'RL', "
     "'BT'), got 'XY' (str)"),
]  # fmt: skip


@pytest.mark.parametrize("root, options, error, message", BAD_TO_DOT)
def test_to_dot_bad_arguments_name_the_function_and_the_value(root, options, error, message):
    t = small_loss()
    args = {"t": (t,), "list": ([t, 1.0],)}.get(root, root)
    with pytest.raises(error) as e:
        viz.to_dot(*args, **options)
    assert str(e.value) == message


def test_render_and_draw_name_themselves_in_errors(tmp_path):
    t = small_loss()
    folder = tmp_path / "some_dir"
    folder.mkdir()
    with pytest.raises(IsADirectoryError) as e:
        viz.render_graph(t, folder)
    assert str(e.value) == (
        f"render_graph: path {str(folder)!r} is a folder; give a file name, such as "
        f"{str(folder / 'graph.svg')!r}"
    )
    (tmp_path / "a-file").write_text("x")
    with pytest.raises(NotADirectoryError) as e:
        viz.render_graph(t, tmp_path / "a-file" / "g.svg")
    assert str(e.value) == (
        f"render_graph: cannot write {str(tmp_path / 'a-file' / 'g.svg')!r}: "
        f"{str(tmp_path / 'a-file')!r} is a file, not a folder"
    )
    cases = [
        (lambda: viz.render_graph(3.0, tmp_path / "g.dot"), TypeError,
         "render_graph: root must be a Tensor or a sequence of Tensors, got 3.0 (float)"),
        (lambda: viz.render_graph(t, tmp_path / "g.dot", max_nodes="5"), TypeError,
         "render_graph: max_nodes must be an integer >= 1 or None, got '5' (str)"),
        (lambda: viz.render_graph(t, tmp_path / "g.dot", colour="red"), TypeError,
         "render_graph: unknown option 'colour'; the options are rankdir, show_data, "
         "show_grad, max_values, max_nodes, module, legend, trace"),
        (lambda: viz.render_graph(t, 5), TypeError,
         "render_graph: path must be a file name (str or Path), got 5 (int)"),
        (lambda: viz.render_graph(t, tmp_path / "g", format=5), TypeError,
         "render_graph: format must be a str or None, got 5 (int)"),
        (lambda: viz.draw_graph(t, trace=5), TypeError,
         "draw_graph: trace must be what viz.explain returns (a BackwardTrace) or None, got 5 "
         "(int)"),
        (lambda: t.draw(max_values=-2), ValueError,
         "draw_graph: max_values must be at least 0, got -2"),
    ]  # fmt: skip
    for call, error, message in cases:
        with pytest.raises(error) as e:
            call()
        assert str(e.value) == message
    assert not list(tmp_path.glob("g*"))  # nothing was written


def test_good_arguments_still_work(tmp_path):
    t = small_loss()
    two = [t, small_loss()]
    assert viz.to_dot(t, max_nodes=np.int64(3)) == viz.to_dot(t, max_nodes=3)
    assert viz.to_dot(tuple(two)) == viz.to_dot(two)
    assert "data [" not in viz.to_dot(t, max_values=0)
    path = viz.render_graph(t, tmp_path / "new" / "folder" / "g.dot")
    assert path.read_text() == viz.to_dot(t)


# -- the docs pictures --------------------------------------------------------------------


def svg_content(path: Path) -> list[tuple[str, str, str]]:
    """(title, tooltip, texts) of every node, edge and cluster: what a picture shows, without
    the coordinates a renderer version may move."""
    ns = {"svg": "http://www.w3.org/2000/svg", "xlink": "http://www.w3.org/1999/xlink"}
    rows = []
    for g in ET.parse(path).getroot().iter("{http://www.w3.org/2000/svg}g"):
        title = g.find("svg:title", ns)
        if title is None:
            continue
        tips = [a.get(f"{{{ns['xlink']}}}title", "") for a in g.iter(f"{{{ns['svg']}}}a")]
        texts = " | ".join("".join(t.itertext()) for t in g.iter(f"{{{ns['svg']}}}text"))
        rows.append((title.text or "", " ".join(tips), texts))
    return sorted(rows)


def test_docs_pictures_are_what_the_example_draws_now(tmp_path):
    try:
        viz.find_renderer("svg", program="dot")
    except viz.RendererNotFoundError as e:
        pytest.skip(f"Graphviz's dot is not installed: {e}")
    subprocess.run(
        [sys.executable, str(ROOT / "examples" / "graph_tour.py"), "--out", str(tmp_path),
         "--quiet"],
        check=True, timeout=120, capture_output=True,
        env={**os.environ, "PYTHONPATH": str(ROOT), "TINYGRAD_DS_DOT": "dot"},
    )  # fmt: skip
    for name in ("graph_scalar.svg", "graph_mlp.svg", "graph_clustered.svg"):
        fresh, committed = svg_content(tmp_path / name), svg_content(ROOT / "docs" / name)
        assert committed == fresh, f"docs/{name} is stale: run python examples/graph_tour.py"


def test_explain_notes_a_gradient_summed_over_broadcast_axes():
    """An edge whose gradient the engine summed down (unbroadcast) says from which shape."""
    x = td.Tensor(np.ones((5, 3)), requires_grad=True)
    b = td.Tensor(np.ones(3), requires_grad=True)
    text = str(viz.explain(((x + b) ** 2).sum()))
    assert "(summed from (5, 3))" in text
    np.testing.assert_allclose(b.grad.data, np.full(3, 20.0))
