"""The reverse-mode engine: `backward` and `grad` over the recorded graph.

The walk is iterative (no recursion, so a 100,000-op chain is fine) and runs in two passes:

1. count, for every node reachable from the roots, how many edges lead into it;
2. process nodes whose gradient is complete (all consumers done), starting at the roots:
   call the op's `backward`, undo broadcasting on each edge (`unbroadcast`, the one place
   this happens), and add the result into the gradient table (keyed by node) or into a
   leaf's `.grad`.

Each node's saved tensors are released right after its backward runs, unless
`retain_graph=True`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from . import grad_mode
from .function import Function

if TYPE_CHECKING:
    from .tensor import Tensor

__all__ = ["backward", "grad", "unbroadcast", "graph_nodes"]

Trace = Callable[["Function", "Tensor", tuple], None]
"""Called after each node's backward with (node, upstream gradient, gradients it sent)."""


def graph_nodes(roots: Sequence[Function]) -> dict[Function, int]:
    """Every node reachable from `roots`, in a deterministic depth-first order, each mapped to
    the number of edges that lead into it from other reachable nodes (its consumers)."""
    from .tensor import Tensor

    deps: dict[Function, int] = {}
    stack = []
    for node in roots:
        if node not in deps:
            deps[node] = 0
            stack.append(node)
    while stack:
        node = stack.pop()
        for parent in node.parents:
            if parent is not None and type(parent) is not Tensor:
                if parent in deps:
                    deps[parent] += 1
                else:
                    deps[parent] = 1
                    stack.append(parent)
    return deps


def unbroadcast(grad: Tensor, shape: tuple[int, ...]) -> Tensor:
    """Sum `grad` down to `shape`: the adjoint of NumPy broadcasting.

    If y = broadcast_to(x, grad.shape) then dL/dx = sum of dL/dy over the broadcast axes.
    """
    if grad.shape == shape:
        return grad
    from .ops.movement import SumTo

    return SumTo.apply(grad, shape=shape)


def _as_grad_tensor(value: Any, like: Tensor, what: str) -> Tensor:
    from .tensor import Tensor

    if isinstance(value, Tensor):
        value = value.data
    g = Tensor._make(np.array(value, dtype=like.dtype), None)
    if g.shape != like.shape:
        raise RuntimeError(
            f"{what}: gradient has shape {g.shape}, but the output has shape {like.shape}"
        )
    return g


def _run(
    roots: Sequence[Tensor],
    root_grads: Sequence[Tensor],
    retain_graph: bool,
    create_graph: bool,
    capture: dict[int, Any] | None = None,
    trace: Trace | None = None,
) -> None:
    """Backpropagate `root_grads` from `roots`.

    With `capture` (a dict keyed by the id of a node or leaf), gradients reaching those keys are
    stored there instead of in `.grad` (this is `grad()`); without it, leaves accumulate `.grad`.
    """
    from .tensor import Tensor

    # Pass 1: dependency counts of every node reachable from the roots.
    deps = graph_nodes([t.grad_fn for t in roots if t.grad_fn is not None])

    # Pass 2: process nodes whose gradient is complete.
    table: dict[Function, Tensor] = {}
    ready: list[Function] = []
    given: set[int] = set()  # arrays already stored in some leaf's .grad during this pass

    def send(target: Function | Tensor, g: Tensor) -> None:
        if capture is not None and id(target) in capture:
            old = capture[id(target)]
            capture[id(target)] = g if old is None else old + g
            if type(target) is Tensor:
                return
        if type(target) is Tensor:  # a leaf that requires grad
            if capture is None:
                _accumulate(target, g, create_graph, given)
            return
        if target in table:
            table[target] = table[target] + g
        else:
            table[target] = g
        deps[target] -= 1
        if deps[target] == 0:
            ready.append(target)

    for t, g in zip(roots, root_grads):
        if t.grad_fn is None:
            if t.requires_grad:
                send(t, g)
            continue
        deps[t.grad_fn] += 1
        send(t.grad_fn, g)

    with grad_mode.set_grad_enabled(create_graph):
        while ready:
            node = ready.pop()
            g = table.pop(node)
            if node._retained is not None:
                kept = node._retained()
                if kept is not None and capture is None:
                    _accumulate(kept, g, create_graph, given)
            grads = node.backward(node, g)
            if type(grads) is not tuple:
                grads = (grads,)
            if trace is not None:
                trace(node, g, grads)
            if not retain_graph:
                node.release()
            for parent, gi in zip(node.parents, grads):
                if parent is None or gi is None:
                    continue
                if type(parent) is Tensor:
                    shape, dtype = parent.data.shape, parent.data.dtype
                else:
                    shape, dtype = parent.out_shape, parent.out_dtype
                if gi.data.shape != shape:
                    gi = unbroadcast(gi, shape)
                if gi.data.dtype != dtype:
                    gi = gi.astype(dtype)
                send(parent, gi)


def _accumulate(leaf: Tensor, g: Tensor, create_graph: bool, given: set[int]) -> None:
    """leaf.grad += g, as PyTorch accumulates; a stored gradient never shares memory with
    another's (an Add passes the same array to both inputs), so in-place edits stay local."""
    from .tensor import Tensor

    if not create_graph:
        data = g.data
        if not data.flags.owndata or id(data) in given:
            data = data.copy()
        given.add(id(data))
        g = Tensor._make(data, None)
    if leaf.grad is None:
        leaf.grad = g
    else:
        leaf.grad = leaf.grad + g if create_graph else Tensor._make(leaf.grad.data + g.data, None)


def backward(
    tensors: Tensor | Sequence[Tensor],
    grad_tensors: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    trace: Trace | None = None,
) -> None:
    """Accumulate d(tensors)/d(leaf) into every leaf's `.grad` (a vector-Jacobian product).

    `trace`, if given, is called after each node's backward (see `Trace`); `viz.explain` uses it.
    """
    from .tensor import Tensor

    roots = [tensors] if isinstance(tensors, Tensor) else list(tensors)
    if grad_tensors is None or isinstance(grad_tensors, Tensor) or len(roots) == 1:
        grad_tensors = [grad_tensors]
    retain = create_graph if retain_graph is None else retain_graph
    root_grads = []
    for t, g in zip(roots, grad_tensors):
        if not t.requires_grad:
            raise RuntimeError(
                "backward: the tensor does not require grad and has no grad_fn (was it made "
                "under no_grad(), or from tensors that do not require grad?)"
            )
        root_grads.append(_root_grad(t, g, "backward"))
    _run(roots, root_grads, retain, create_graph, trace=trace)


def _root_grad(t: Tensor, g: Any, what: str) -> Tensor:
    from .tensor import Tensor

    if g is None:
        if t.data.size != 1:
            raise RuntimeError(
                f"{what}: grad can be implicitly created only for scalar outputs, but the output "
                f"has shape {t.shape}; pass a gradient of that shape (a vector-Jacobian product)"
            )
        return Tensor._make(np.ones_like(t.data), None)
    return _as_grad_tensor(g, t, what)


def grad(
    outputs: Tensor | Sequence[Tensor],
    inputs: Tensor | Sequence[Tensor],
    grad_outputs: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    allow_unused: bool = False,
) -> tuple[Tensor | None, ...]:
    """Return d(outputs)/d(inputs) as a tuple of Tensors, leaving every `.grad` untouched.

    An input that the outputs do not depend on is an error unless `allow_unused=True`, in which
    case its gradient is None.
    """
    from .tensor import Tensor

    outs = [outputs] if isinstance(outputs, Tensor) else list(outputs)
    ins = [inputs] if isinstance(inputs, Tensor) else list(inputs)
    if grad_outputs is None or isinstance(grad_outputs, Tensor) or len(outs) == 1:
        grad_outputs = [grad_outputs] * len(outs) if grad_outputs is None else [grad_outputs]
    for i, t in enumerate(ins):
        if not t.requires_grad:
            raise RuntimeError(f"grad: input {i} (shape {t.shape}) does not require grad")
    for t in outs:
        if not t.requires_grad:
            raise RuntimeError(f"grad: an output (shape {t.shape}) does not require grad")
    keys = [id(t.grad_fn) if t.grad_fn is not None else id(t) for t in ins]
    capture: dict[int, Any] = dict.fromkeys(keys)
    retain = create_graph if retain_graph is None else retain_graph
    root_grads = [_root_grad(t, g, "grad") for t, g in zip(outs, grad_outputs)]
    _run(outs, root_grads, retain, create_graph, capture)
    result: list[Tensor | None] = []
    for i, (t, key) in enumerate(zip(ins, keys)):
        g = capture[key]
        if g is None and not allow_unused:
            raise RuntimeError(
                f"grad: input {i} (shape {t.shape}) was not used to compute the outputs; "
                "pass allow_unused=True to get None for it"
            )
        if g is not None and not create_graph:
            g = Tensor._make(g.data, None)
        result.append(g)
    return tuple(result)
