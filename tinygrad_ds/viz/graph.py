"""The drawable graph behind a Tensor: tensor nodes, operation nodes, edges and clusters.

Built from the engine's own walk (`autograd.graph_nodes`), so node ids follow the walk order
(`op0`, `t0` for the first operation and its output, `leaf0` for the first leaf met) and the same
graph always gives the same drawing. Every operation is drawn with one tensor node for its output
(from `out_shape` / `out_dtype` when the output Tensor itself was freed), and every leaf it reads
(a parameter or other tensor that requires grad, or a constant) is drawn once.
"""

from __future__ import annotations

import gc
import inspect
import re
import reprlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np

from ..autograd import graph_nodes
from ..function import Function
from ..tensor import Tensor
from .modules import ModuleIndex, assign_modules, index_module, op_inputs, owner_path, topological

__all__ = [
    "TensorNode", "OpNode", "Edge", "Graph", "build_graph", "op_formula", "as_roots", "describe",
]  # fmt: skip

_DERIV = r"(?<![\w/])d\w*'?/d\w+'?"  # dz/dx, dL/dx, dl_i/dz_ic, d/dg, dL/dA'
_SEPARATOR = re.compile(rf";\s+(?={_DERIV})")  # "z = x * y;  dz/dx = y"
_DERIVATIVE = re.compile(rf"{_DERIV}\s*[=:]")  # "dz/dx = ..." or "dz/dx: ..." anywhere
_FORWARD_END = re.compile(rf";\s|\.\s+(?=[A-Z(])|,?\s*{_DERIV}\s*[=:]")
_SENTENCE_END = re.compile(r"\.\s+(?=[A-Z(])")  # ". The ..." or ". (A primitive ...)"

ELIDED = "elided"
"""The id of the marker node that stands for everything beyond `max_nodes`."""


@dataclass(slots=True)
class TensorNode:
    """A tensor: kind is "root", "param" (a leaf that requires grad), "input" (a constant leaf)
    or "tensor" (an operation's output)."""

    id: str
    kind: str
    shape: tuple[int, ...]
    dtype: np.dtype
    name: str | None
    data: np.ndarray | None  # None once the Tensor was freed
    grad: np.ndarray | None
    cluster: str | None = None


@dataclass(slots=True)
class OpNode:
    """An operation (a recorded `Function`)."""

    id: str
    fn: Function
    cluster: str | None = None


@dataclass(slots=True)
class Edge:
    """Data flow src -> dst; `grad_shape` is the shape of the gradient flowing back along it."""

    src: str
    dst: str
    grad_shape: tuple[int, ...] | None = None


@dataclass
class Graph:
    """Nodes in walk order (each with its module path or None), edges, and the modules."""

    nodes: list[TensorNode | OpNode] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    total: int = 0  # nodes in the whole graph; more than len(nodes) when max_nodes elided some
    modules: dict[str, str] = field(default_factory=dict)  # every module path -> its label

    @property
    def elided(self) -> int:
        return self.total - len(self.nodes)


def as_roots(root: Any, caller: str = "build_graph") -> list[Tensor]:
    """One Tensor or a sequence of Tensors, as a list; else a TypeError naming `caller`."""
    if isinstance(root, Tensor):
        return [root]
    if not isinstance(root, Sequence) or isinstance(root, (str, bytes)):
        raise TypeError(
            f"{caller}: root must be a Tensor or a sequence of Tensors, got {describe(root)}"
        )
    for k, r in enumerate(root):
        if not isinstance(r, Tensor):
            raise TypeError(f"{caller}: root[{k}] must be a Tensor, got {describe(r)}")
    return list(root)


def describe(value: Any) -> str:
    """A short description of a bad argument for an error message: "'5' (str)"."""
    return f"{reprlib.repr(value)} ({type(value).__name__})"


def build_graph(
    root: Tensor | Sequence[Tensor],
    module: Any = None,
    max_nodes: int | None = None,
    trace: Any = None,
) -> Graph:
    """The graph behind `root`, cut after `max_nodes` nodes (tensors plus operations).

    `module` names parameters and clusters operations (see `modules`); `trace` (from
    `viz.explain`) supplies the gradients of intermediate tensors.
    """
    roots = as_roots(root)
    index = index_module(module) if module is not None else None
    deps = graph_nodes([r.grad_fn for r in roots if r.grad_fn is not None])
    root_fns = {id(r.grad_fn): r for r in roots if r.grad_fn is not None}
    outputs = {**live_outputs(deps), **root_fns}
    op_paths = assign_modules(topological(deps), index) if index is not None else {}
    g = Graph(modules=dict(index.labels) if index is not None else {})
    leaves: dict[int, str] = {}  # id(leaf) -> node id (the leaves stay alive in the graph)
    drawn: dict[Function, int] = {}
    drawing = True
    for r in roots:
        if r.grad_fn is None and id(r) not in leaves:
            leaves[id(r)] = node_id = f"leaf{len(leaves)}"
            g.nodes.append(_leaf_node(node_id, r, index, "root"))
    g.total = len(g.nodes)
    for k, fn in enumerate(deps):
        inputs = op_inputs(fn)
        new = {id(t): t for _, t in inputs if t is not None and id(t) not in leaves}
        cost = 2 + len(new)
        g.total += cost
        if drawing and max_nodes is not None and len(g.nodes) + cost > max_nodes:
            drawing = False
        if not drawing:
            leaves.update(dict.fromkeys(new, ELIDED))
            continue
        drawn[fn] = k
        path = op_paths.get(fn)
        g.nodes.append(_output_node(k, fn, outputs, root_fns, trace, path))
        g.nodes.append(OpNode(f"op{k}", fn, path))
        g.edges.append(Edge(f"op{k}", f"t{k}"))
        for leaf in new.values():
            leaves[id(leaf)] = node_id = f"leaf{len(leaves)}"
            kind = "param" if leaf.requires_grad else "input"
            g.nodes.append(_leaf_node(node_id, leaf, index, kind))
    for fn, k in drawn.items():
        for (producer, leaf), parent in zip(op_inputs(fn), fn.parents):
            if producer is not None:
                j = drawn.get(producer)
                src = ELIDED if j is None else f"t{j}"
                shape = producer.out_shape
            elif leaf is None:  # a non-tensor argument of a custom Function: not drawn
                continue
            else:
                src = leaves[id(leaf)]
                shape = leaf.shape
            g.edges.append(Edge(src, f"op{k}", shape if parent is not None else None))
    return g


def _leaf_node(node_id: str, t: Tensor, index: ModuleIndex | None, kind: str) -> TensorNode:
    name = t.name
    cluster = None
    if index is not None:
        name = name or index.names.get(id(t))
        owner = owner_path(index, t)
        cluster = owner if owner in index.labels else None
    grad = t.grad.data if t.grad is not None else None
    return TensorNode(node_id, kind, t.shape, t.dtype, name, t.data, grad, cluster)


def live_outputs(nodes: Iterable[Function]) -> dict[int, Tensor]:
    """{id(node): the Tensor it produced} for the nodes whose output is still alive.

    A node keeps no reference to its output (see `Function`), so the live Tensors are found
    among the objects the garbage collector tracks: one pass over them, made only when a graph
    is drawn or explained (about 10 ms per 100,000 objects in the process). Other Tensors may
    share a node (the alias a recorded backward makes of a saved output, the copy an in-place
    change keeps of the old value): a named one, or one with a `.grad`, is the user's."""
    wanted = {id(node) for node in nodes}
    found: dict[int, Tensor] = {}
    if not wanted:
        return found
    for obj in gc.get_objects():
        # (type(), not isinstance: a proxy object's __class__ may run code, or raise)
        if issubclass(type(obj), Tensor) and obj.grad_fn is not None:
            key = id(obj.grad_fn)
            if key in wanted:
                old = found.get(key)
                if old is None or (old.name is None and old.grad is None):
                    found[key] = obj
    return found


def _output_node(
    k: int,
    fn: Function,
    outputs: dict[int, Tensor],
    root_fns: dict[int, Tensor],
    trace: Any,
    path: str | None,
) -> TensorNode:
    out = outputs.get(id(fn))
    data = grad = name = None
    if out is not None:
        data, name = out.data, out.name
        grad = out.grad.data if out.grad is not None else None
    if trace is not None:
        grad = trace.grad_of(fn) if grad is None else grad
        if out is None:
            name, data = trace.output_of(fn)
    kind = "root" if id(fn) in root_fns else "tensor"
    return TensorNode(f"t{k}", kind, fn.out_shape, fn.out_dtype, name, data, grad, path)


@cache
def op_formula(cls: type) -> tuple[str, str]:
    """(forward formula, local derivative) from an op class's docstring.

    The convention: the docstring opens with the forward formula, a semicolon and the
    derivative used, which starts with d<out>/d<in>:  "z = x * y;  dz/dx = y, dz/dy = x."
    A formula too long for that fills the first paragraph alone (or its first clause, up to a
    "; "), and the derivative is the next "d../d.. =": a second paragraph opening with it.
    Each part ends at its first sentence end outside brackets (". " before a capital or "("):
    what follows is commentary. Every op's docstring is checked in tests/test_viz_edge_cases.py.
    """
    doc = cls.__dict__.get("__doc__") or cls.__name__
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", inspect.cleandoc(doc))]
    first = paragraphs[0]
    sep = _top_level(_SEPARATOR, first)
    if sep is not None:
        return _clean(first[: sep.start()]), _clean(_sentence(first[sep.end() :]))
    end = _top_level(_FORWARD_END, first)
    cut = len(first) if end is None else end.start()
    derivative = ""
    for text in (first[cut:], *paragraphs[1:]):
        found = _top_level(_DERIVATIVE, text)
        if found is not None:
            derivative = _sentence(text[found.start() :])
            break
    return _clean(first[:cut]), _clean(derivative)


def _top_level(pattern: re.Pattern[str], text: str) -> re.Match[str] | None:
    """The first match of `pattern` in `text` that starts outside (), [] and {}."""
    depth, depths = 0, []
    for ch in text:
        depths.append(depth)
        depth = depth + 1 if ch in "([{" else max(depth - 1, 0) if ch in ")]}" else depth
    return next((m for m in pattern.finditer(text) if depths[m.start()] == 0), None)


def _sentence(text: str) -> str:
    end = _top_level(_SENTENCE_END, text)
    return text if end is None else text[: end.start()]


def _clean(text: str) -> str:
    return text.strip().rstrip(".,;:").strip()
