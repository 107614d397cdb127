"""Graph drawing (DOT text, clusters, the max_nodes cap), rendering through both renderers, the
error without one, and the narrated backward pass (`viz.explain`)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import graphviz
import numpy as np
import pytest

import tinygrad_ds as td
from tinygrad_ds import nn, viz
from tinygrad_ds.autograd import graph_nodes
from tinygrad_ds.viz import render as R
from tinygrad_ds.viz.graph import live_outputs

ROOT = Path(__file__).resolve().parent.parent
NODE = re.compile(r"^\s*(\w+) \[", re.M)
EDGE = re.compile(r"^\s*(\w+) -> (\w+)", re.M)


def nodes_of(dot: str) -> list[str]:
    return [n for n in NODE.findall(dot) if n not in ("graph", "node", "edge")]


def clusters_of(dot: str) -> dict[str, list[str]]:
    """Cluster label -> the node ids directly inside it ("" for the top level)."""
    out: dict[str, list[str]] = {"": []}
    stack = [""]
    for line in dot.splitlines()[1:]:
        s = line.strip()
        if s.startswith("subgraph cluster_"):
            stack.append("?")
        elif s.startswith("label=") and stack[-1] == "?":
            stack[-1] = s.split('"')[1]
            out[stack[-1]] = []
        elif s == "}":
            stack.pop()
        elif NODE.match(line) and not s.startswith(("graph ", "node ", "edge ")):
            out[stack[-1]].append(s.split(" ")[0])
    return out


def mlp(seed: int = 0) -> tuple[nn.Module, td.Tensor, td.Tensor]:
    td.manual_seed(seed)
    model = nn.Sequential(nn.Linear(3, 4), nn.Sigmoid(), nn.Linear(4, 1), nn.Sigmoid())
    rng = np.random.default_rng(seed)
    x = td.Tensor(rng.normal(size=(5, 3)).astype(np.float32))
    y = td.Tensor(np.array([[0], [1], [1], [0], [1]], dtype=np.float32))
    return model, x, y


def bce(p: td.Tensor, y: td.Tensor) -> td.Tensor:
    """The course's L = -[(1 - y) log(1 - y_hat) + y log y_hat], averaged, from Tensor ops."""
    return -(y * p.log() + (1 - y) * (1 - p).log()).mean()


def expression() -> td.Tensor:
    x = td.Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    w = td.Tensor([[0.5, -1.0, 2.0], [1.5, 0.25, -0.5]], requires_grad=True)
    w.name = "w"
    return ((x @ w).tanh() * 2.0 + 1.0).sum()


# -- DOT structure --------------------------------------------------------------------------


def count_leaves(fns: list) -> int:
    return len({id(t) for f in fns for t in f.parents + f.constants if isinstance(t, td.Tensor)})


def test_node_and_edge_counts_equal_tensors_and_operations():
    loss = expression()
    fns = list(graph_nodes([loss.grad_fn]))
    leaves = count_leaves(fns)
    dot = viz.to_dot(loss)
    nodes, edges = nodes_of(dot), EDGE.findall(dot)
    assert len(nodes) == 2 * len(fns) + leaves  # ops + their outputs + leaves
    assert len([n for n in nodes if n.startswith("op")]) == len(fns)
    assert len(edges) == len(fns) + sum(len(f.parents) for f in fns)
    assert len(set(nodes)) == len(nodes)
    assert {a for e in edges for a in e} <= set(nodes)


def test_labels_hold_shapes_names_and_gradients():
    loss = expression()
    before = viz.to_dot(loss)
    assert "(2, 3) float32" in before and "<b>w</b>" in before and ">grad " not in before
    assert 'label="MatMul"' in before and 'label="Tanh"' in before
    loss.backward()
    after = viz.to_dot(loss)
    assert 'sides="L">grad<br/>[' in after  # the leaves' .grad, micrograd-style beside data
    assert 'label="grad (2, 3)"' in after  # the gradient shape on the edge into MatMul
    hidden = viz.to_dot(loss, show_grad=False)
    assert ">grad " not in hidden and 'label="grad' not in hidden and ">data " in hidden
    assert ">data " not in viz.to_dot(loss, show_data=False)
    assert "data [" not in viz.to_dot(loss, max_values=2)


def test_kinds_are_styled_and_legend():
    loss = expression()
    dot = viz.to_dot(loss, legend=True)
    assert dot.count('fillcolor="#fde68a"') == 2  # the root, and its legend entry
    assert "legend_param" in dot and "cluster_legend" in dot
    assert "legend" not in viz.to_dot(loss)
    assert "rankdir=TB" in viz.to_dot(loss, rankdir="TB")
    with pytest.raises(ValueError, match="rankdir"):
        viz.to_dot(loss, rankdir="XY")


def test_freed_intermediates_are_drawn_from_their_shapes():
    x = td.Tensor.randn(2, 3, requires_grad=True)
    loss = (x @ td.Tensor.randn(3, 4)).tanh().sum()
    loss.backward()  # frees what backward saved
    alive = live_outputs(graph_nodes([loss.grad_fn]))
    assert list(alive.values()) == [loss]  # the intermediates were freed
    dot = viz.to_dot(loss)
    assert "(2, 4) float32" in dot and len(nodes_of(dot)) == 2 * 3 + 2


def test_deterministic_byte_identical():
    a = viz.to_dot(expression())
    b = viz.to_dot(expression())
    assert a == b
    model, x, y = mlp()
    loss = bce(model(x), y)
    assert viz.to_dot(loss, module=model) == viz.to_dot(loss, module=model)
    assert "0x" not in a  # no memory addresses


def test_max_nodes_elides_with_a_note():
    x = td.Tensor([1.0, 2.0], requires_grad=True)
    y = x
    for _ in range(3000):
        y = y * 1.001
    dot = viz.to_dot(y, max_nodes=50)
    nodes = nodes_of(dot)
    assert len(nodes) <= 51 and "elided" in nodes
    total = 2 * 3000 + count_leaves(list(graph_nodes([y.grad_fn])))  # ops, outputs, leaves
    assert f"showing {len(nodes) - 1} of {total} nodes" in dot
    assert f"... {total - len(nodes) + 1} more nodes" in dot
    assert re.search(r"elided -> op\d+", dot)
    assert "elided" not in viz.to_dot(y, max_nodes=None)
    with pytest.raises(ValueError, match="max_nodes"):
        viz.to_dot(y, max_nodes=0)


def test_module_names_parameters_and_clusters_operations():
    model, x, y = mlp()
    loss = bce(model(x), y)
    dot = viz.to_dot(loss, module=model)
    for name in ("0.weight", "0.bias", "2.weight", "2.bias"):
        assert f"<b>{name}</b>" in dot
    cl = clusters_of(dot)
    assert list(cl)[1:] == ["Sequential", "0: Linear", "2: Linear"]
    ops = dict(re.findall(r'(op\d+) \[.*?label="(\w+)"', dot))
    for layer in ("0: Linear", "2: Linear"):
        inside = sorted(ops[n] for n in cl[layer] if n in ops)
        assert inside == ["Linear"]  # z = x W^T + b: one node, W and b its inputs
        assert sum(n.startswith("leaf") for n in cl[layer]) == 2  # weight and bias
    assert [ops[n] for n in cl["Sequential"] if n in ops] == ["Sigmoid"]  # between the layers
    assert "Log" in [ops[n] for n in cl[""] if n in ops]  # the loss is outside the model
    with pytest.raises(TypeError, match="named_parameters"):
        viz.to_dot(loss, module=object())


def test_draw_graph_is_a_digraph_with_the_same_source():
    loss = expression()
    g = viz.draw_graph(loss, rankdir="TB")
    assert isinstance(g, graphviz.Digraph)
    assert g.source == viz.to_dot(loss, rankdir="TB")
    assert isinstance(loss.draw(), graphviz.Digraph)
    assert loss.draw(max_nodes=3).source == viz.to_dot(loss, max_nodes=3)


# -- rendering ------------------------------------------------------------------------------

RENDERERS = ("dot", "graphviz-pure")


def renderer_or_skip(program: str | None, fmt: str = "svg") -> viz.Renderer:
    try:
        return viz.find_renderer(fmt, program=program)
    except viz.RendererNotFoundError as e:
        pytest.skip(f"renderer not installed: {e}")


def svg_texts(data: bytes) -> list[str]:
    root = ET.fromstring(data)
    return ["".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")]


@pytest.mark.parametrize("program", RENDERERS)
def test_render_svg_and_png(program, tmp_path):
    r = renderer_or_skip(program)
    assert r.kind == program
    model, x, y = mlp()
    loss = bce(model(x), y)
    loss.backward(retain_graph=True)
    svg = viz.render_graph(loss, tmp_path / "g.svg", program=program, module=model)
    texts = svg_texts(svg.read_bytes())
    for label in ("0.weight", "2.bias", "Linear", "Sigmoid", "(5, 4) float32", "0: Linear"):
        assert label in texts, label
    png = viz.render_graph(loss, tmp_path / "g.png", program=program).read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 5000


def test_pdf_needs_dot(tmp_path):
    loss = expression()
    try:
        viz.find_renderer("pdf", program="dot")
    except viz.RendererNotFoundError:
        pass
    else:
        pdf = viz.render_graph(loss, tmp_path / "g.pdf", program="dot").read_bytes()
        assert pdf[:5] == b"%PDF-"
    renderer_or_skip("graphviz-pure")
    with pytest.raises(viz.RendererNotFoundError, match="cannot write 'pdf'"):
        viz.render_graph(loss, tmp_path / "g.pdf", program="graphviz-pure")


def test_default_renderer_through_graphviz_api(tmp_path):
    """The renderer TINYGRAD_DS_DOT picks (CI forces each one), through graphviz's own API."""
    renderer_or_skip(None)
    g = expression().draw()
    svg = g.pipe(format="svg")
    assert "MatMul" in svg_texts(svg)
    assert g._repr_mimebundle_()["image/svg+xml"].startswith("<?xml")
    out = g.render(tmp_path / "graph", format="png")
    assert Path(out).read_bytes()[:4] == b"\x89PNG"
    out = g.render(outfile=tmp_path / "graph2.svg")
    assert Path(out).suffix == ".svg" and ET.parse(out).getroot().tag.endswith("svg")


def test_dot_format_needs_no_renderer(tmp_path):
    loss = expression()
    path = viz.render_graph(loss, tmp_path / "g.dot")
    assert path.read_text() == viz.to_dot(loss)
    with pytest.raises(ValueError, match="format"):
        viz.render_graph(loss, tmp_path / "g.gif")


def hide_renderers(monkeypatch, tmp_path, scripts: Path | None = None) -> None:
    empty = tmp_path / "empty"
    empty.mkdir(exist_ok=True)
    folder = scripts or empty
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.delenv(viz.ENV_VAR, raising=False)
    monkeypatch.setattr(R.sysconfig, "get_path", lambda name, *a, **k: str(folder))
    monkeypatch.setattr(R.sys, "executable", str(folder / "python"))


def test_error_when_no_renderer_is_found(monkeypatch, tmp_path):
    hide_renderers(monkeypatch, tmp_path)
    loss = expression()
    with pytest.raises(viz.RendererNotFoundError) as e:
        viz.render_graph(loss, tmp_path / "g.svg")
    for hint in ("pip install graphviz-pure", "apt-get install graphviz", viz.ENV_VAR):
        assert hint in str(e.value)
    with pytest.raises(viz.RendererNotFoundError):
        loss.draw().pipe(format="svg")
    assert viz.to_dot(loss).startswith("digraph")  # still works


def test_renderer_found_in_the_interpreters_scripts_folder(monkeypatch, tmp_path):
    """An unactivated virtual environment: its bin holds graphviz-pure but is not on PATH."""
    real = renderer_or_skip("graphviz-pure")
    scripts = tmp_path / "venv-bin"
    scripts.mkdir()
    (scripts / "graphviz-pure").symlink_to(real.path)
    hide_renderers(monkeypatch, tmp_path, scripts)
    r = viz.find_renderer()
    assert r.kind == "graphviz-pure" and Path(r.path).parent == scripts
    assert "MatMul" in svg_texts(viz.pipe(viz.to_dot(expression()), "svg"))
    with pytest.raises(viz.RendererNotFoundError, match="needs Graphviz's dot"):
        viz.find_renderer("pdf")


def test_environment_variable_chooses(monkeypatch, tmp_path):
    monkeypatch.setenv(viz.ENV_VAR, str(tmp_path / "no-such-dot"))
    with pytest.raises(viz.RendererNotFoundError, match=viz.ENV_VAR):
        viz.find_renderer()
    real = renderer_or_skip("graphviz-pure")
    monkeypatch.setenv(viz.ENV_VAR, real.path)
    assert viz.find_renderer() == real
    monkeypatch.setenv(viz.ENV_VAR, "graphviz-pure")
    assert viz.find_renderer().kind == "graphviz-pure"


# -- explain ----------------------------------------------------------------------------------


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-z))


def course_deltas(model: nn.Module, x: td.Tensor, y: td.Tensor) -> tuple[np.ndarray, ...]:
    """delta[2] = (a[2] - y) / N and delta[1] = (delta[2] W[2]) * a[1] (1 - a[1]), by hand."""
    W1, b1, W2, b2 = (p.data.astype(np.float64) for p in model.parameters())
    a1 = sigmoid(x.data @ W1.T + b1)
    a2 = sigmoid(a1 @ W2.T + b2)
    d2 = (a2 - y.data) / len(y.data)
    return d2, (d2 @ W2) * a1 * (1 - a1)


@pytest.mark.parametrize("with_module", [False, True])
def test_explain_two_layer_network_prints_each_delta_in_order(with_module):
    model, x, y = mlp()
    loss = bce(model(x), y)
    trace = viz.explain(loss, module=model if with_module else None)
    text = str(trace)
    assert all(p.grad is not None for p in model.parameters())  # as loss.backward()
    d2, d1 = course_deltas(model, x, y)
    assert [n for n, _ in trace.deltas()] == [2, 1]
    for (_, norm), expected in zip(trace.deltas(), (d2, d1)):
        assert norm == pytest.approx(np.linalg.norm(expected), rel=1e-4)
    i2 = text.index("upstream delta[2] = dL/dz[2]")
    i1 = text.index("upstream delta[1] = dL/dz[1]")
    assert i2 < i1
    for label in ("dL/dW[2]", "dL/db[2]", "dL/da[1]", "dL/dW[1]", "dL/db[1]"):
        assert label in text, label
    assert text.index("dL/dW[2]") < text.index("dL/dW[1]")
    assert "local derivative: dz/dx = z (1 - z)" in text  # Sigmoid's docstring
    assert "local derivative: dz/dx = W, dz/dW = x, dz/db = 1" in text  # Linear's docstring
    assert "|delta[1]| = " in text.split("Layer deltas")[1]


def test_explain_steps_follow_the_engine_and_draw_intermediate_grads():
    a = td.Tensor(2.0, requires_grad=True)
    b = td.Tensor(-3.0, requires_grad=True)
    c = a * b
    c.name = "c"
    loss = c + a
    trace = viz.explain(loss)
    assert [s.op for s in trace] == ["Add", "Mul"] and len(trace) == 2
    assert a.grad.item() == pytest.approx(-2.0) and b.grad.item() == pytest.approx(2.0)
    text = str(trace)
    assert "to c = Mul (step 2)" in text and "grad = 1" in text
    dot = trace.to_dot()
    assert "data -6.0000</td><td" in dot and "grad 1.0000" in dot  # c, from the trace
    assert isinstance(trace.draw(), graphviz.Digraph)
    with pytest.raises(TypeError):
        viz.explain(np.zeros(3))


# -- the example ----------------------------------------------------------------------------


def test_graph_tour_example_writes_svgs(tmp_path):
    renderer_or_skip(None)
    script = ROOT / "examples" / "graph_tour.py"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    subprocess.run(
        [sys.executable, str(script), "--out", str(tmp_path)],
        check=True, timeout=60, env=env, capture_output=True,
    )  # fmt: skip
    for name in ("graph_scalar.svg", "graph_mlp.svg", "graph_clustered.svg"):
        root = ET.parse(tmp_path / name).getroot()
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
