"""`explain(loss)`: run the backward pass and narrate it, operation by operation.

Each step shows the operation, the local derivative it applies (the one-line formula from the op
class's docstring), its output's shape, the norm of the upstream gradient arriving (the delta)
and the norm of each gradient leaving towards an input.

Layers, in the course's notation z[l] = W[l] a[l-1] + b[l], a[l] = g(z[l]), delta[l] = dL/dz[l]:
the gradient arriving at the operation that makes layer l's pre-activation z[l] is labelled
delta[l], and the gradients leaving to W[l], b[l] and a[l-1] are labelled dL/dW[l], dL/db[l] and
dL/da[l-1]. Layers are found without running anything extra:

- without `module=`, by pattern: a Linear node (`nn.functional.linear`'s z = x W^T + b) whose
  W is a leaf that requires grad; an Add of such a leaf (b) to a MatMul that reads one (W,
  directly or through a transpose), or such a MatMul alone when no bias Add follows it;
- with `module=`, the pattern's layers among each module's own weights, so a Linear is a layer
  at its Linear node or bias Add (not at an L2 penalty's W * W, which also reads W), and a
  module holding W1, b1, W2, b2 (a hand-written MLP) is two, as without `module=`; a module
  holding parameters where the pattern finds none (a convolution, a batch norm) is one layer,
  whose z[l] is the operation whose output leaves the module carrying the data that entered
  it. A layer's operations are those `viz.modules` assigns to its module upstream of z[l] (or
  the pattern's). A weight no module holds makes its pattern layers as without `module=`.

Layers are numbered 1..L from the input, in forward order.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..autograd import backward, graph_nodes
from ..function import Function
from ..tensor import Tensor
from .graph import live_outputs, op_formula
from .modules import VIEWS, ModuleIndex, assign_modules, index_module, op_inputs, topological

__all__ = ["explain", "BackwardTrace", "Step", "Sent", "Layer"]


@dataclass
class Sent:
    """A gradient leaving an operation towards input `index` (after broadcasting is undone)."""

    index: int
    target: Function | Tensor
    shape: tuple[int, ...]
    norm: float
    summed_from: tuple[int, ...] | None  # the broadcast shape it was summed down from
    value: float | None = None  # the gradient itself when it has one element


@dataclass
class Step:
    """One operation's backward: the upstream gradient it received and what it sent on."""

    number: int
    node: Function
    upstream: np.ndarray
    upstream_norm: float
    sent: list[Sent]
    name: str | None = None  # the output Tensor's `name`, if it had one and was alive
    data: np.ndarray | None = None  # the output's values, if the Tensor was alive

    @property
    def op(self) -> str:
        return self.node.name()


@dataclass
class Layer:
    """Layer `number` (1 nearest the input): the node making z[l], and its module path."""

    number: int
    z: Function
    path: str | None = None
    params: dict[int, str] = field(default_factory=dict)  # id(parameter) -> "W" or "b" ...
    nodes: tuple[Function, ...] = ()


class BackwardTrace:
    """The record of one backward pass; `str()` narrates it (see the module docstring)."""

    def __init__(self, loss: Tensor, module: Any = None) -> None:
        self.loss = loss
        self.module = module
        self.steps: list[Step] = []
        self.layers: list[Layer] = []
        self._index: ModuleIndex | None = index_module(module) if module is not None else None
        self._step_of: dict[Function, Step] = {}
        self._labels: dict[int, str] = {}
        self._outputs: dict[int, Tensor] = {}  # id(node) -> its output, if alive (`explain`)

    # -- recording (the autograd trace hook) ----------------------------------------------

    def record(self, node: Function, g: np.ndarray, grads: tuple) -> None:
        sent = []
        for i, ((producer, leaf), gi) in enumerate(zip(op_inputs(node), grads)):
            if gi is None or node.parents[i] is None:
                continue
            target = producer if producer is not None else leaf
            shape = producer.out_shape if producer is not None else leaf.shape
            a = np.asarray(gi)
            summed = None
            if a.shape != shape:
                summed, a = a.shape, _sum_to(a, shape)
            value = float(a.reshape(-1)[0]) if a.size == 1 else None
            sent.append(Sent(i, target, shape, _norm(a), summed, value))
        out = self.loss if node is self.loss.grad_fn else self._outputs.get(id(node))
        name, data = (out.name, out.data) if out is not None else (None, None)
        step = Step(len(self.steps) + 1, node, g, _norm(g), sent, name, data)
        self.steps.append(step)
        self._step_of[node] = step

    # -- queries --------------------------------------------------------------------------

    def grad_of(self, node: Function) -> np.ndarray | None:
        """The gradient that arrived at `node`'s output (None if it did not run)."""
        step = self._step_of.get(node)
        return None if step is None else step.upstream

    def output_of(self, node: Function) -> tuple[str | None, np.ndarray | None]:
        """(name, values) of `node`'s output as they were during backward, where known."""
        step = self._step_of.get(node)
        return (None, None) if step is None else (step.name, step.data)

    def deltas(self) -> list[tuple[int, float]]:
        """(l, |delta[l]|) for each layer, from the output layer L down to layer 1."""
        return [(la.number, self._step_of[la.z].upstream_norm) for la in reversed(self.layers)]

    def to_dot(self, **options: Any) -> str:
        """DOT of the loss's graph, every intermediate tensor showing its gradient."""
        from .dot import to_dot

        options.setdefault("module", self.module)
        return to_dot(self.loss, trace=self, **options)

    def draw(self, **options: Any) -> Any:
        """`draw_graph` of the loss with this trace's gradients (a graphviz.Digraph)."""
        from .render import draw_graph

        options.setdefault("module", self.module)
        return draw_graph(self.loss, trace=self, **options)

    def __len__(self) -> int:
        return len(self.steps)

    def __iter__(self) -> Iterator[Step]:
        return iter(self.steps)

    # -- narration ------------------------------------------------------------------------

    def __str__(self) -> str:
        loss = self.loss
        how = "module=" if self._index is not None else "Linear, MatMul (+ bias Add) patterns"
        lines = [
            f"Backward pass of {loss.name or 'the loss'} (shape {_shape(loss.shape)}, "
            f"{loss.dtype}): {len(self.steps)} operations, in the order the engine ran them.",
            "|g| is the norm of the gradient arriving at an operation's output (its upstream",
            "gradient, the delta); '->' lines are the gradients it sends to its inputs; a",
            "one-element gradient is shown by its value (g = ...) instead.",
        ]
        if self.layers:
            lines.append(
                f"Layers ({how}): delta[l] = dL/dz[l] arrives at z[l] = W[l] a[l-1] + b[l]."
            )
        width = max((len(s.op) for s in self.steps), default=0)
        for s in self.steps:
            forward, derivative = op_formula(type(s.node))
            lines.append("")
            lines.append(f"{s.number:3d}. {s.op:<{width}}  {forward}")
            if derivative:
                lines.append(f"     local derivative: {derivative}")
            label = self._labels.get(id(s.node))
            arriving = _size(s.upstream, s.upstream_norm, "g")
            out = f"{_shape(s.node.out_shape)} {s.node.out_dtype}"
            if s.name:
                out = f"{s.name}, {out}"
            lines.append(f"     output {out}; upstream {label + ': ' if label else ''}{arriving}")
            for e in s.sent:
                lines.append("     " + self._sent_line(e))
        if self.layers:
            lines.append("")
            lines.append("Layer deltas (course notation; layer 1 is nearest the input):")
            for la in reversed(self.layers):
                step = self._step_of[la.z]
                where = "" if la.path is None else f" in {self._index.labels.get(la.path, la.path)}"
                lines.append(
                    f"  delta[{la.number}] = dL/dz[{la.number}]  at {la.z.name()} (step "
                    f"{step.number}){where}, shape {_shape(la.z.out_shape)}, "
                    f"|delta[{la.number}]| = {_num(step.upstream_norm)}"
                )
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<BackwardTrace: {len(self.steps)} steps, {len(self.layers)} layers>"

    def _sent_line(self, e: Sent) -> str:
        t = e.target
        if isinstance(t, Function):
            step = self._step_of.get(t)
            to = (f"{step.name} = " if step and step.name else "") + t.name()
            to += f" (step {step.number})" if step else ""
        else:
            name = t.name or (self._index.names.get(id(t)) if self._index else None)
            to = name or ("a parameter" if t.requires_grad else "a leaf")
        label = self._labels.get(id(t))
        text = f"-> input {e.index}: {_shape(e.shape)} to {to}"
        if label:
            text += f", {label}"
        text += f"  {_size(e.value, e.norm, 'grad')}"
        if e.summed_from is not None:
            text += f"  (summed from {_shape(e.summed_from)})"
        return text

    # -- layers ---------------------------------------------------------------------------

    def _find_layers(self, deps: dict[Function, int]) -> None:
        """Number the layers and name the gradients at their edges (module docstring)."""
        if self._index is not None:
            found = _module_layers(deps, self._index)
        else:
            found = _pattern_layers(deps)
        ran = {s.node: s.number for s in self.steps}
        found = [la for la in found if la.z in ran]
        found.sort(key=lambda la: -ran[la.z])  # the last to get its gradient is layer 1
        for number, la in enumerate(found, start=1):
            la.number = number
        self.layers = found
        for la in self.layers:
            n = la.number
            self._labels[id(la.z)] = f"delta[{n}] = dL/dz[{n}]"
            for pid, sym in la.params.items():
                self._labels[pid] = f"dL/d{sym}[{n}]"
            inside = set(map(id, la.nodes))
            for node in la.nodes:
                (_, leaf), *_ = op_inputs(node)
                if node.name() == "Permute" and leaf is not None and id(leaf) in la.params:
                    self._labels[id(node)] = f"dL/d{la.params[id(leaf)]}[{n}]^T"
                for producer, leaf in op_inputs(node):
                    if producer is not None and id(producer) not in inside:
                        self._labels.setdefault(id(producer), f"dL/da[{n - 1}]")
                    elif n == 1 and leaf is not None and leaf.requires_grad:
                        if id(leaf) not in la.params:
                            self._labels.setdefault(id(leaf), "dL/dx")


def explain(
    loss: Tensor, *, module: Any = None, gradient: Any = None, retain_graph: bool = False
) -> BackwardTrace:
    """Run `loss.backward(gradient, retain_graph)` (filling `.grad`) and return its trace;
    `print(explain(loss))` narrates the pass. `module=` names parameters and finds layers."""
    if not isinstance(loss, Tensor):
        raise TypeError(f"explain: expected a Tensor, got {type(loss).__name__}")
    trace = BackwardTrace(loss, module)
    deps = graph_nodes([loss.grad_fn]) if loss.grad_fn is not None else {}
    trace._outputs = live_outputs(deps)  # the intermediate tensors still alive, by node
    backward(loss, gradient, retain_graph=retain_graph, trace=trace.record)
    trace._outputs = {}  # (the steps keep what they showed; the tensors may go)
    trace._find_layers(deps)
    return trace


def _pattern_layers(deps: dict[Function, int]) -> list[Layer]:
    layers, used = [], set()
    for node in deps:
        if node.name() == "Linear":  # z = x W^T + b in one node: W and b are its inputs 1, 2
            _, (_, w), (_, b) = op_inputs(node)
            if w is not None and w.requires_grad:
                params = {id(w): "W"}
                if b is not None and b.requires_grad:
                    params[id(b)] = "b"
                layers.append(Layer(0, node, None, params, (node,)))
            continue
        if node.name() != "Add":
            continue
        (p0, l0), (p1, l1) = op_inputs(node)
        for mm, bias in ((p0, l1), (p1, l0)):
            weight = _weight_of(mm) if mm is not None and bias is not None else None
            if weight is not None and bias.requires_grad:
                w, via = weight
                nodes = (node, mm) + ((via,) if via is not None else ())
                layers.append(Layer(0, node, None, {id(w): "W", id(bias): "b"}, nodes))
                used.add(mm)
                break
    for node in deps:
        weight = _weight_of(node)
        if weight is not None and node not in used:
            w, via = weight
            nodes = (node,) + ((via,) if via is not None else ())
            layers.append(Layer(0, node, None, {id(w): "W"}, nodes))
    return layers


def _weight_of(node: Function) -> tuple[Tensor, Function | None] | None:
    """(W, the transpose it went through or None) when `node` is a MatMul reading a parameter."""
    if node.name() != "MatMul":
        return None
    for producer, leaf in reversed(op_inputs(node)):  # W is usually the right operand
        if leaf is not None and leaf.requires_grad:
            return leaf, None
        if producer is not None and producer.name() in VIEWS:
            (_, inner), *_ = op_inputs(producer)
            if inner is not None and inner.requires_grad:
                return inner, producer
    return None


def _module_layers(deps: dict[Function, int], index: ModuleIndex) -> list[Layer]:
    order = topological(deps)
    paths = assign_modules(order, index)
    held: dict[str, dict[int, str]] = {}  # module path -> {id(parameter): symbol} it holds
    for pid, name in index.names.items():
        owner, _, leaf_name = name.rpartition(".")
        held.setdefault(owner, {})[pid] = {"weight": "W", "bias": "b"}.get(leaf_name, leaf_name)
    by_weight: dict[int, list[Layer]] = {}  # id(W) -> the pattern layers reading it
    for la in _pattern_layers(deps):
        w = next(pid for pid, sym in la.params.items() if sym == "W")
        by_weight.setdefault(w, []).append(la)
    consumers: dict[Function, list[Function]] = {}
    for fn in order:
        for parent in fn.parents:
            if isinstance(parent, Function):
                consumers.setdefault(parent, []).append(fn)
    layers = []
    for owner, params in held.items():
        nodes = [n for n in order if _within(paths.get(n), owner)]
        if not nodes:
            continue
        pattern = [la for w, las in by_weight.items() if w in params for la in las]
        if pattern:  # a Linear; W1, b1, W2, b2 held by one module; a Linear applied twice
            layers.extend(Layer(0, la.z, owner, la.params, la.nodes) for la in pattern)
        else:  # a convolution, a batch norm, an embedding
            z = _module_output(nodes, consumers, paths, index)
            layers.append(Layer(0, z, owner, params, _upstream(z, nodes)))
    layers.extend(la for w, las in by_weight.items() if w not in index.names for la in las)
    return layers


def _within(path: str | None, owner: str) -> bool:
    """Whether an operation of module `path` belongs to module `owner` (or one inside it)."""
    if path is None:
        return False
    return owner == "" or path == owner or path.startswith(owner + ".")


def _module_output(
    nodes: list[Function],
    consumers: dict[Function, list[Function]],
    paths: dict[Function, str],
    index: ModuleIndex,
) -> Function:
    """The module's output: of its operations whose output leaves it (or is the root), the
    first from the loss that the data entering it flows through (not one reading parameters
    and constants only, as a penalty's W * W) or, failing that, that feeds another module's
    operations (an embedding's lookup); failing both, the first."""
    inside = set(nodes)
    fed: dict[Function, bool] = {}
    for node in reversed(nodes):  # producers first
        fed[node] = any(
            (producer is not None and (producer not in inside or fed[producer]))
            or (leaf is not None and id(leaf) not in index.names and leaf.data.size > 1)
            for producer, leaf in op_inputs(node)
        )
    exits = [n for n in nodes if n not in consumers or any(c not in inside for c in consumers[n])]
    return max(exits, key=lambda n: (fed[n], any(c in paths for c in consumers.get(n, ()))))


def _upstream(z: Function, nodes: list[Function]) -> tuple[Function, ...]:
    """The operations of `nodes` that z depends on (z included), in walk order."""
    inside = set(nodes)
    seen, stack = {z}, [z]
    while stack:
        for parent in stack.pop().parents:
            if isinstance(parent, Function) and parent in inside and parent not in seen:
                seen.add(parent)
                stack.append(parent)
    return tuple(n for n in nodes if n in seen)


def _sum_to(a: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    lead = a.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and a.shape[lead + i] != 1
    )
    return a.sum(axis=axes, keepdims=True).reshape(shape) if axes else a.reshape(shape)


def _size(a: Any, norm: float, what: str) -> str:
    """'g = -2' for a one-element gradient (a float or array), else '|g| = 0.1234'."""
    if isinstance(a, float):
        return f"{what} = {_num(a)}"
    if isinstance(a, np.ndarray) and a.size == 1:
        return f"{what} = {_num(float(a.reshape(-1)[0]))}"
    return f"|{what}| = {_num(norm)}"


def _norm(a: np.ndarray) -> float:
    return float(np.sqrt(np.sum(np.square(a, dtype=np.float64))))


def _shape(shape: tuple[int, ...]) -> str:
    return str(tuple(shape))


def _num(v: float) -> str:
    return f"{v:.4g}"
