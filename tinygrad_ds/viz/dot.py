"""DOT text for the graph behind a Tensor: a pure function of the graph, no `dot` program needed.

Tensors are boxes (name, shape and dtype; for small tensors the values and gradients side by
side, micrograd's "data | grad"); operations are ellipses whose tooltip holds the op's formula
and derivative. Parameters are blue, inputs and constants grey and dashed, the root (the loss)
amber; the edge into an operation is labelled with the shape of the gradient flowing back along
it once gradients exist (after backward, or from an `explain` trace).
"""

from __future__ import annotations

import html
import inspect
import math
import numbers
from collections.abc import Sequence
from functools import cache
from typing import Any

import numpy as np

from ..tensor import Tensor
from .explain import BackwardTrace
from .graph import ELIDED, Graph, OpNode, TensorNode, as_roots, build_graph, describe, op_formula

__all__ = ["to_dot", "dot_text", "OPTIONS", "GRAPH_NAME"]

GRAPH_NAME = "tinygrad_ds"

STYLES = {
    "root": 'shape=box, style="filled,bold", fillcolor="#fde68a", color="#b45309", penwidth=2',
    "param": 'shape=box, style="filled", fillcolor="#bfdbfe", color="#1d4ed8"',
    "input": 'shape=box, style="filled,dashed", fillcolor="#f3f4f6", color="#6b7280"',
    "tensor": 'shape=box, style="rounded", color="#374151"',
    "op": 'shape=ellipse, style="filled", fillcolor="#ede9fe", color="#6d28d9"',
}
LEGEND = (
    ("root", "root (the loss)"),
    ("param", "parameter: a leaf that requires grad"),
    ("input", "input or constant"),
    ("tensor", "intermediate tensor"),
    ("op", "operation"),
)
RANKDIRS = ("LR", "TB", "RL", "BT")


def to_dot(
    root: Tensor | Sequence[Tensor],
    *,
    rankdir: str = "LR",
    show_data: bool = True,
    show_grad: bool = True,
    max_values: int = 16,
    max_nodes: int | None = 2000,
    module: Any = None,
    legend: bool = False,
    trace: Any = None,
) -> str:
    """The DOT text of the graph that computed `root` (a Tensor or a sequence of Tensors).

    rankdir     'LR' (inputs left, loss right) or 'TB' (also 'RL', 'BT')
    show_data   values of tensors with at most `max_values` elements (while they are alive)
    show_grad   their gradients (leaves' `.grad`, retained grads, or `trace`'s), and the gradient
                shapes on the edges once any gradient exists
    max_nodes   draw at most this many tensor and operation nodes; the rest become one
                "... N more nodes" marker and a note (None: no limit)
    module      a module (`named_parameters()`, `named_modules()`): parameters get their dotted
                names and each submodule's operations a labelled cluster (rule in `viz.modules`)
    legend      add a legend of the node kinds
    trace       a `viz.explain` trace, which also knows the gradients of intermediate tensors

    The same graph gives byte-identical text: node ids follow the engine's walk order.
    """
    return _to_dot(
        "to_dot", root, rankdir, show_data, show_grad, max_values, max_nodes, module, legend, trace
    )


OPTIONS = {
    name: p.default
    for name, p in inspect.signature(to_dot).parameters.items()
    if p.kind is p.KEYWORD_ONLY
}
"""`to_dot`'s options and their defaults."""


def dot_text(caller: str, root: Tensor | Sequence[Tensor], options: dict[str, Any]) -> str:
    """`to_dot(root, **options)` for `caller` (`draw_graph`, `render_graph`): errors name it."""
    for name in options:
        if name not in OPTIONS:
            raise TypeError(
                f"{caller}: unknown option {name!r}; the options are {', '.join(OPTIONS)}"
            )
    return _to_dot(caller, root, **{**OPTIONS, **options})


def _to_dot(
    caller: str,
    root: Tensor | Sequence[Tensor],
    rankdir: str,
    show_data: bool,
    show_grad: bool,
    max_values: int,
    max_nodes: int | None,
    module: Any,
    legend: bool,
    trace: Any,
) -> str:
    root = as_roots(root, caller)
    if not isinstance(rankdir, str) or rankdir not in RANKDIRS:
        raise ValueError(f"{caller}: rankdir must be one of {RANKDIRS}, got {describe(rankdir)}")
    if max_nodes is not None and not _is_int(max_nodes):
        raise TypeError(
            f"{caller}: max_nodes must be an integer >= 1 or None, got {describe(max_nodes)}"
        )
    if max_nodes is not None and max_nodes < 1:
        raise ValueError(f"{caller}: max_nodes must be at least 1 (or None), got {max_nodes}")
    if not _is_int(max_values):
        raise TypeError(f"{caller}: max_values must be an integer >= 0, got {describe(max_values)}")
    if max_values < 0:
        raise ValueError(f"{caller}: max_values must be at least 0, got {max_values}")
    if trace is not None and not isinstance(trace, BackwardTrace):
        raise TypeError(
            f"{caller}: trace must be what viz.explain returns (a BackwardTrace) or None, got "
            + describe(trace)
        )
    g = build_graph(root, module=module, max_nodes=max_nodes, trace=trace)
    grads_known = show_grad and any(type(n) is TensorNode and n.grad is not None for n in g.nodes)
    out = [f"digraph {GRAPH_NAME} {{\n"]
    graph_attrs = f'rankdir={rankdir}, fontname="Helvetica", fontsize=11, nodesep=0.25'
    if g.elided:
        note = f"showing {len(g.nodes)} of {g.total} nodes (max_nodes={max_nodes})"
        graph_attrs += f', label="{note}", labelloc=b'
    out.append(f"\tgraph [{graph_attrs}]\n")
    out.append('\tnode [fontname="Helvetica", fontsize=10, margin="0.08,0.04"]\n')
    out.append('\tedge [fontname="Helvetica", fontsize=9, color="#4b5563", arrowsize=0.7]\n')
    buckets: dict[str | None, list[str]] = {None: []}
    for node in g.nodes:
        line = (
            _op_line(node)
            if type(node) is OpNode
            else _tensor_line(node, show_data, show_grad, max_values)
        )
        buckets.setdefault(node.cluster, []).append(line)
    out.extend(buckets.pop(None))
    _emit_clusters(out, g, buckets)
    if g.elided:
        label = f"... {g.elided} more nodes (max_nodes={max_nodes})"
        out.append(f'\t{ELIDED} [shape=note, style=filled, fillcolor="#fff7ed", label="{label}"]\n')
    for e in g.edges:
        if grads_known and e.grad_shape is not None:
            out.append(f'\t{e.src} -> {e.dst} [label="grad {_shape(e.grad_shape)}"]\n')
        else:
            out.append(f"\t{e.src} -> {e.dst}\n")
    if legend:
        out.append(_legend())
    out.append("}\n")
    return "".join(out)


def _is_int(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _tensor_line(node: TensorNode, show_data: bool, show_grad: bool, max_values: int) -> str:
    rows = []
    if node.name:
        rows.append(f'<tr><td colspan="2"><b>{html.escape(node.name)}</b></td></tr>')
    rows.append(f'<tr><td colspan="2">{_shape(node.shape)} {_dtype_name(node.dtype)}</td></tr>')
    cells = []
    small = math.prod(node.shape) <= max_values
    if show_data and small and node.data is not None:
        cells.append(_values("data", node.data))
    if show_grad and small and node.grad is not None:
        cells.append(_values("grad", node.grad))
    if len(cells) == 2:
        rows.append(f'<tr><td>{cells[0]}</td><td border="1" sides="L">{cells[1]}</td></tr>')
    elif cells:
        rows.append(f'<tr><td colspan="2">{cells[0]}</td></tr>')
    table = '<table border="0" cellborder="0" cellspacing="0" cellpadding="2">'
    return f"\t{node.id} [{STYLES[node.kind]}, label=<{table}{''.join(rows)}</table>>]\n"


def _op_line(node: OpNode) -> str:
    cls = type(node.fn)
    forward, derivative = op_formula(cls)
    tip = _quote(f"{forward};  {derivative}" if derivative else forward)
    return f'\t{node.id} [{STYLES["op"]}, label="{_quote(cls.name())}", tooltip="{tip}"]\n'


def _emit_clusters(out: list[str], g: Graph, buckets: dict[str | None, list[str]]) -> None:
    """Nested `subgraph cluster_mK` blocks, K the module's position in named_modules(); a
    module is drawn when it or a module inside it holds nodes."""
    position = {p: k for k, p in enumerate(g.modules)}
    parent_of: dict[str, str | None] = {}
    for path in buckets:
        while path is not None and path not in parent_of:
            parent_of[path] = parent = _parent(path, position)
            path = parent
    children: dict[str | None, list[str]] = {}
    for path in sorted(parent_of, key=position.__getitem__):
        children.setdefault(parent_of[path], []).append(path)
    stack = [(p, 1, False) for p in reversed(children.get(None, []))]
    while stack:
        path, depth, closing = stack.pop()
        pad = "\t" * depth
        if closing:
            out.append(f"{pad}}}\n")
            continue
        fill = "#f8fafc" if depth % 2 else "#ffffff"
        out.append(f"{pad}subgraph cluster_m{position[path]} {{\n")
        out.append(f'{pad}\tlabel="{_quote(g.modules[path])}"; style="rounded,filled"; ')
        out.append(f'fillcolor="{fill}"; color="#9ca3af"; fontsize=10\n')
        out.extend(pad + line for line in buckets.get(path, []))
        stack.append((path, depth, True))
        stack.extend((c, depth + 1, False) for c in reversed(children.get(path, [])))


def _parent(path: str, modules: dict[str, int]) -> str | None:
    """The nearest enclosing module of `path` that `modules` holds, or None."""
    while path:
        path = path.rpartition(".")[0]
        if path in modules:
            return path
    return None


def _legend() -> str:
    lines = ['\tsubgraph cluster_legend {\n\t\tlabel="legend"; style=rounded; color="#9ca3af"\n']
    for kind, text in LEGEND:
        lines.append(f'\t\tlegend_{kind} [{STYLES[kind]}, label="{text}"]\n')
    chain = " -> ".join(f"legend_{kind}" for kind, _ in LEGEND)
    lines.append(f"\t\t{chain} [style=invis]\n")  # one row (or column, with TB)
    lines.append("\t}\n")
    return "".join(lines)


def _shape(shape: tuple[int, ...]) -> str:
    return str(tuple(shape))


@cache
def _dtype_name(dtype: np.dtype) -> str:
    return str(dtype)


def _quote(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def _values(word: str, a: np.ndarray) -> str:
    """micrograd-style "data 2.0000"; arrays one row per line (escaped for an HTML label)."""
    if a.ndim == 0:
        return f"{word} {_num(a.item())}"
    rows = a.reshape(-1, a.shape[-1]) if a.ndim > 1 else a.reshape(1, -1)
    lines = ["[" + ", ".join(_num(v) for v in row) + "]" for row in rows.tolist()]
    return word + (" " if len(lines) == 1 else "<br/>") + "<br/>".join(lines)


def _num(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.4f}" if v == 0 or 1e-3 <= abs(v) < 1e4 else f"{v:.3e}"
    return str(v)
