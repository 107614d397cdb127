"""The reverse-mode engine: `backward` and `grad` over the recorded graph.

The walk is iterative (no recursion, so a 100,000-op chain is fine). Every node carries the
sequence number of its creation, and a consumer is always created after what it consumes; so
processing the nodes that received a gradient latest-first (a heap keyed by sequence number, as
PyTorch's engine does) visits each node only once all of its consumers have sent their part.
A node just reached that is newer than every node waiting is the one the heap would give next,
so it is run next without going through the heap (a chain never touches it).
For each node: call the op's backward, undo broadcasting on each edge (`_fit`, the one place
this happens) and add the result into the gradient table (keyed by node), or, for a leaf,
into its `.grad` at the end. From a gradient's third part on, parts are added into the
sum the walk made itself (never into an array an op handed out, which another edge may hold).

A first-order pass carries the gradients as plain ndarrays and calls each op's
`backward_array`; only what the caller sees (`.grad`, `grad()`'s results) is wrapped as
Tensors. With `create_graph=True` they are Tensors and each op's `backward` runs recorded.

Each node's saved tensors are released right after its backward runs, unless
`retain_graph=True`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from heapq import heappop, heappush
from typing import TYPE_CHECKING, Any

import numpy as np

from . import grad_mode
from .function import RELEASED
from .ops.movement import SumTo, sum_to
from .tensor import Tensor
from .tensor import constant as _const

if TYPE_CHECKING:  # (td.autograd.Function is the user's class, found in autograd_api/)
    from .function import Function

__all__ = ["backward", "grad", "unbroadcast", "graph_nodes"]

Trace = Callable[["Function", np.ndarray, tuple], None]
"""Called after each node's backward with (node, upstream gradient, gradients it sent), the
gradients as arrays (None where nothing was sent)."""


def graph_nodes(roots: Sequence[Function]) -> dict[Function, int]:
    """Every node reachable from `roots`, in a deterministic depth-first order, each mapped to
    the number of edges that lead into it from other reachable nodes (its consumers)."""
    deps: dict[Function, int] = {}
    stack = []
    for node in roots:
        if node not in deps:
            deps[node] = 0
            stack.append(node)
    while stack:
        node = stack.pop()
        for parent in node.parents:
            if parent is not None and not isinstance(parent, Tensor):
                if parent in deps:
                    deps[parent] += 1
                else:
                    deps[parent] = 1
                    stack.append(parent)
    return deps


def unbroadcast(grad: Tensor, shape: tuple[int, ...]) -> Tensor:
    """Sum `grad` down to `shape`: the adjoint of NumPy broadcasting.

    If y = broadcast_to(x, grad.shape) then dL/dx = sum of dL/dy over the broadcast axes.
    A SumTo node when the graph is being recorded (create_graph), else the plain sum.
    """
    if grad.data.shape == shape:
        return grad
    if grad_mode.enabled:
        return SumTo.apply(grad, shape=shape)
    return _const(sum_to(grad.data, shape))


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
    table: dict[Any, Any] = {}  # node or leaf -> its gradient so far (arrays, or Tensors)
    heap: list[tuple[int, Function]] = []  # nodes with a gradient, latest-created first
    used_bases: set[int] = set()  # memory already stored in some .grad during this pass
    as_tensor = _identity if create_graph else _wrap  # what the caller gets to see

    for t, g in zip(roots, root_grads):
        g = g if create_graph else g.data
        target = t.grad_fn if t.grad_fn is not None else t
        old = table.get(target)
        if old is None:
            table[target] = g
            if t.grad_fn is not None:
                heappush(heap, (-t.grad_fn.seq, t.grad_fn))
        else:
            table[target] = old + g

    recording_before = grad_mode.enabled  # (set directly: no context object per backward)
    grad_mode.enabled = create_graph
    try:
        _walk(table, heap, retain_graph, create_graph, capture, trace, used_bases, as_tensor)
    finally:
        grad_mode.enabled = recording_before

    # What is left in the table are the leaves, each with its complete gradient.
    # (A leaf's hooks run where its gradient is delivered: not for a leaf `grad()` skips.)
    post = Tensor._post_accumulate_hooks  # register_post_accumulate_grad_hook's, by id
    for leaf, g in table.items():
        if capture is not None and id(leaf) not in capture:
            continue
        if leaf._hooks is not None:
            g = _hooked(leaf._hooks, g, create_graph)
        if capture is not None:
            capture[id(leaf)] = as_tensor(g)
            continue
        if create_graph or leaf.grad is not None:
            _accumulate(leaf, as_tensor(g), create_graph, used_bases)
        else:  # the first gradient of a first-order pass (`_accumulate`'s commonest case)
            leaf.grad = _const(_own_grad(g if type(g) is np.ndarray else np.asarray(g), used_bases))
        if post and id(leaf) in post:
            for hook in list(post[id(leaf)]):
                hook(leaf)


def _walk(
    table: dict[Any, Any],
    heap: list[tuple[int, Function]],
    retain_graph: bool,
    create_graph: bool,
    capture: dict[int, Any] | None,
    trace: Trace | None,
    used_bases: set[int],
    as_tensor: Callable[[Any], Tensor],
) -> None:
    """Run each node's backward, newest first, sending its gradients on (see the module's
    docstring); the leaves' gradients are left in `table`."""
    sums: set[Any] = set()  # the keys whose table entry is a sum this walk made (its own memory)
    table_get, anomaly = table.get, grad_mode.anomaly_mode
    node = heappop(heap)[1] if heap else None
    while node is not None:
        g = table.pop(node)
        if node._hooks is not None:
            g = _hooked(node._hooks, g, create_graph)
        if capture is not None and id(node) in capture:
            capture[id(node)] = as_tensor(g)
        if node._retained is not None and capture is None:
            kept = node._retained()
            if kept is not None:
                _accumulate(kept, as_tensor(g), create_graph, used_bases)
        grads = node.backward(node, g) if create_graph else node.backward_array(node, g)
        if type(grads) is not tuple:
            grads = (grads,)
        if trace is not None:
            trace(node, _array(g), tuple(_array(gi) for gi in grads))
        if anomaly is not None:  # td.autograd.detect_anomaly: NaN check
            anomaly.check(node, grads)
        if not retain_graph and (node._saved is not None or node._saved_out is not None):
            node._saved = node._saved_out = RELEASED  # free what backward needed
        if node.grad_fits_input:  # one input, its gradient already of its shape and dtype
            parent = node.parents[0]
            if not isinstance(parent, Tensor) and parent not in table:  # first reached here
                table[parent] = grads[0]
                if not heap or parent.seq > -heap[0][0]:  # (as below, for one new node)
                    node = parent
                else:
                    heappush(heap, (-parent.seq, parent))
                    node = heappop(heap)[1]
                continue
        newest = None  # of the nodes first reached here: it may be the next to run
        for parent, gi in zip(node.parents, grads):
            if parent is None or gi is None:
                continue
            leaf = isinstance(parent, Tensor)
            if leaf:
                shape, dtype = parent.data.shape, parent.data.dtype
            else:
                shape, dtype = parent.out_shape, parent.out_dtype
            # (an array, or under create_graph a Tensor: both have .shape and .dtype)
            if gi.shape != shape or (gi.dtype is not dtype and gi.dtype != dtype):
                gi = _fit(gi, shape, dtype)
            old = table_get(parent)
            if old is None:
                table[parent] = gi
                if leaf:
                    continue
                if newest is None:
                    newest = parent
                else:  # the older of the two waits in the heap
                    if parent.seq > newest.seq:
                        parent, newest = newest, parent
                    heappush(heap, (-parent.seq, parent))
            elif parent in sums:  # a third or later part: added into the walk's own sum
                old += gi
            elif create_graph:
                table[parent] = old + gi
            else:  # a second part: a new array, which later parts can be added into
                table[parent] = np.asarray(old + gi)  # (0-d arrays sum to NumPy scalars)
                sums.add(parent)
        # The next node is the newest with a gradient: in a chain, the one just reached,
        # which then skips the heap (what heappop would give, without the push and pop).
        if newest is not None and (not heap or newest.seq > -heap[0][0]):
            node = newest
        else:
            if newest is not None:
                heappush(heap, (-newest.seq, newest))
            node = heappop(heap)[1] if heap else None


def _hooked(hooks: list[Callable], g: Any, create_graph: bool) -> Any:
    """The gradient `g` (an array, or a Tensor under create_graph) passed through each of a
    tensor's `register_hook` functions in turn: a hook returns a new gradient or None."""
    for hook in list(hooks):  # (a hook may remove itself)
        given = g if create_graph else _wrap(g)
        new = hook(given)
        if new is None:
            continue
        name = getattr(hook, "__name__", type(hook).__name__)
        if not isinstance(new, Tensor):
            raise TypeError(
                f"register_hook: the hook {name!r} must return a Tensor or None, got "
                f"{type(new).__name__}"
            )
        if new.shape != given.shape or new.dtype != given.dtype:
            raise RuntimeError(
                f"register_hook: the hook {name!r} changed the gradient from shape "
                f"{given.shape} and dtype {given.dtype} to shape {new.shape} and dtype "
                f"{new.dtype}; it must return a gradient like the one it was given"
            )
        g = new if create_graph else new.data
    return g


def _identity(g: Tensor) -> Tensor:
    return g


def _wrap(g: Any) -> Tensor:
    """A first-order gradient as a Tensor whose data is an ndarray (0-d products give NumPy
    scalars)."""
    return _const(g if type(g) is np.ndarray else np.asarray(g))


def _array(g: Any) -> np.ndarray | None:
    """A gradient (array, NumPy scalar or Tensor) as an ndarray, for `trace`."""
    return None if g is None else np.asarray(g.data if isinstance(g, Tensor) else g)


def _fit(g: Any, shape: tuple[int, ...], dtype: np.dtype) -> Any:
    """The gradient `g` (an array, or a Tensor under create_graph) summed down to its input's
    shape (`unbroadcast`) and cast to its dtype (a float32 input used with a float64 one gets a
    float32 gradient)."""
    if not isinstance(g, Tensor):
        g = sum_to(g, shape) if g.shape != shape else g
        return g if g.dtype == dtype else g.astype(dtype)
    g = unbroadcast(g, shape)
    return g if g.data.dtype == dtype else g.astype(dtype)


def _base_id(a: np.ndarray) -> int:
    """The id of the array that owns `a`'s memory."""
    base = a.base
    while base is not None and type(base) is np.ndarray:
        a, base = base, base.base
    return id(a)


def _own_grad(data: np.ndarray, used_bases: set[int]) -> np.ndarray:
    """`data`, or a copy of it if its memory is already behind another `.grad` of this pass
    (an Add hands the same array to both inputs) or it is a read-only broadcast view; so that
    a `.grad` can be edited in place (gradient clipping, say) without changing another."""
    key = id(data) if data.base is None else _base_id(data)
    if key in used_bases or not data.flags.writeable:
        data = data.copy()
        key = id(data)
    used_bases.add(key)
    return data


def _accumulate(leaf: Tensor, g: Tensor, create_graph: bool, used_bases: set[int]) -> None:
    """leaf.grad += g, as PyTorch accumulates (a new array: never written in place; the
    first gradient's array is kept as `_own_grad` allows)."""
    if leaf.grad is None:
        leaf.grad = g if create_graph else _const(_own_grad(g.data, used_bases))
    else:
        old = leaf.grad
        if type(old) is not Tensor or old.data.shape != g.data.shape:
            _check_existing_grad(leaf, old, g)
        if create_graph:
            leaf.grad = old + g
        else:
            leaf.grad = Tensor._make(old.data + g.data, None)


def _check_existing_grad(leaf: Tensor, old: Any, g: Tensor) -> None:
    """Raise if the `.grad` already there cannot take the new gradient `g` (PyTorch refuses a
    `.grad` of another shape rather than broadcasting into it)."""
    if not isinstance(old, Tensor):
        raise TypeError(
            f"backward: the existing .grad of a tensor of shape {leaf.shape} is a "
            f"{type(old).__name__}, not a Tensor; set it to None or a Tensor of that shape"
        )
    if old.data.shape != g.data.shape:
        raise ValueError(
            f"backward: the existing .grad of a tensor of shape {leaf.shape} has shape "
            f"{old.shape}; cannot accumulate a gradient of shape {g.shape} into it"
        )


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
    retain = create_graph if retain_graph is None else retain_graph
    if type(tensors) is Tensor and grad_tensors is None:  # loss.backward(): one root, no lists
        root_grad = _root_grad(tensors, None, "backward")
        _run((tensors,), (root_grad,), retain, create_graph, None, trace)
        return
    roots = _tensor_list(tensors, "backward", "tensors")
    grad_tensors = _one_per_root(grad_tensors, len(roots), "backward")
    root_grads = [_root_grad(t, g, "backward") for t, g in zip(roots, grad_tensors)]
    _run(roots, root_grads, retain, create_graph, trace=trace)


def _tensor_list(tensors: Any, what: str, name: str) -> list[Tensor]:
    """`tensors` (one Tensor or a sequence of them) as a list; TypeError naming `what`."""
    if isinstance(tensors, Tensor):
        return [tensors]
    if not isinstance(tensors, Iterable) or isinstance(tensors, (str, bytes, np.ndarray, dict)):
        raise TypeError(
            f"{what}: {name} must be a Tensor or a sequence of Tensors, got "
            f"{type(tensors).__name__}"
        )
    tensors = list(tensors)
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"{what}: {name}[{i}] is a {type(t).__name__}, not a Tensor")
    return tensors


def _one_per_root(grads: Any, n: int, what: str) -> list[Any]:
    """The gradients given for n roots as a list of n (None: each root must be a scalar)."""
    if grads is None:
        return [None] * n
    if isinstance(grads, Tensor) or n == 1:
        grads = [grads]
    grads = list(grads)
    if len(grads) != n:
        raise ValueError(f"{what}: {n} tensors but {len(grads)} gradients were given")
    return grads


def _root_grad(t: Tensor, g: Any, what: str) -> Tensor:
    """The gradient to start from at the root `t`: ones for a scalar, else `g` checked (a copy,
    so that a leaf's .grad never aliases the caller's array)."""
    if not t.requires_grad:
        raise RuntimeError(
            f"{what}: the output (shape {t.shape}) does not require grad and has no grad_fn "
            "(was it made under no_grad(), or from tensors that do not require grad?)"
        )
    if g is None:
        if t.data.size != 1:
            raise RuntimeError(
                f"{what}: grad can be implicitly created only for scalar outputs, but the output "
                f"has shape {t.shape}; pass a gradient of that shape (a vector-Jacobian product)"
            )
        return _const(np.array(1, t.data.dtype).reshape(t.data.shape))  # (np.ones is Python)
    try:
        data = np.asarray(g.data if isinstance(g, Tensor) else g)
    except (TypeError, ValueError) as exc:  # ragged nested lists, say
        raise TypeError(f"{what}: the gradient {g!r:.60} is not an array of numbers") from exc
    if data.dtype.kind not in "biuf":
        raise TypeError(
            f"{what}: the gradient {g!r:.60} is not numeric (dtype {data.dtype}); pass a "
            f"Tensor or array of the output's shape {t.shape}"
        )
    data = np.array(data, dtype=t.dtype)
    if data.shape != t.shape:
        raise RuntimeError(
            f"{what}: gradient has shape {data.shape}, but the output has shape {t.shape}"
        )
    return Tensor._make(data, None)


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
    outs = _tensor_list(outputs, "grad", "outputs")
    ins = _tensor_list(inputs, "grad", "inputs")
    grad_outputs = _one_per_root(grad_outputs, len(outs), "grad")
    for i, t in enumerate(ins):
        if not t.requires_grad:
            raise RuntimeError(f"grad: input {i} (shape {t.shape}) does not require grad")
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


# -- the rest of PyTorch's torch.autograd namespace (autograd_api/) -------------------------


def __getattr__(name: str) -> Any:
    """td.autograd.functional, gradcheck, gradgradcheck, detect_anomaly, set_detect_anomaly,
    ...: found in autograd_api/ on first use (it imports this module, so not at the top)."""
    from . import autograd_api

    if name in autograd_api.__all__:
        return getattr(autograd_api, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
