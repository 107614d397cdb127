"""The nodes a custom `td.autograd.Function` records (see custom_function.py): `FunctionCtx`,
the node and ctx of one call, and `_Piece`, one of several outputs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from .. import grad_mode
from ..function import RELEASED, _next_seq
from ..function import Function as _Node
from ..tensor import Tensor

__all__ = ["FunctionCtx"]

_new_node = object.__new__
_WHOLE = -1  # an output's slot when it is the node's whole output


class _SavedOutput(NamedTuple):
    """An output kept by `save_for_backward`: its array and version counter, not the Tensor."""

    index: int
    data: np.ndarray
    version: list
    expected: int


class FunctionCtx(_Node):
    """z = forward(ctx, *args);  dL/dargs = backward(ctx, *dL/dz).

    The node of one call of a custom Function, which is also the `ctx` its forward and
    backward get, as PyTorch's `FunctionCtx`: each Function has a subclass, `<Name>Backward`.
    The engine calls `backward` (create_graph) or `backward_array` on it with the gradient of
    its output; they hand the Function's backward one gradient per output and check what it
    returns: one gradient per argument of forward, each shaped as that argument (or
    broadcasting to it).
    """

    _forward_cls: Any = None  # the Function whose node this is
    materialize_grads = True  # set_materialize_grads
    _recording = False
    _marked: tuple = ()  # (mark_non_differentiable's, mark_dirty's) until forward has run
    _outputs: tuple = ()  # per output of forward: None (not a Tensor) or (shape, dtype, slot)
    _input_shapes: tuple = ()  # per argument of forward: its shape, None if not a Tensor

    @classmethod
    def _start(cls, args: tuple) -> FunctionCtx:
        """A node for a call on `args`: its parents and needs_input_grad, before forward."""
        ctx = _new_node(cls)
        ctx._saved = ctx._saved_out = None
        ctx._marked = ((), ())
        needs = tuple([isinstance(a, Tensor) and a._requires_grad for a in args])
        ctx._recording = grad_mode.enabled and True in needs
        if ctx._recording:
            ctx.needs_input_grad = needs
            ctx.parents = tuple([(a.grad_fn or a) if n else None for a, n in zip(args, needs)])
            ctx.constants = tuple([a if isinstance(a, Tensor) and not n else None
                                   for a, n in zip(args, needs)])  # fmt: skip
        else:
            ctx.needs_input_grad = (False,) * len(args)
        ctx._input_shapes = tuple([a.shape if isinstance(a, Tensor) else None for a in args])
        return ctx

    # -- what forward (or setup_context) calls -----------------------------------------------

    def save_for_backward(self, *tensors: Tensor | None) -> None:
        """Keep `tensors` (inputs, outputs or others; None allowed) for backward."""
        for i, t in enumerate(tensors):
            if t is not None and not isinstance(t, Tensor):
                raise TypeError(
                    f"save_for_backward can only save tensors (or None), but argument {i} is "
                    f"of type {type(t).__name__}"
                )
        super().save_for_backward(*tensors)

    def mark_non_differentiable(self, *outputs: Tensor) -> None:
        """Declare `outputs` constants: they do not require grad (their gradient for backward
        is zeros, or None without materialize_grads)."""
        self._marked = (self._marked[0] + _tensors("mark_non_differentiable", outputs),
                        self._marked[1])  # fmt: skip

    def mark_dirty(self, *inputs: Tensor) -> None:
        """Declare `inputs` changed in place by forward, which returns them: each output is
        then that input itself, its history continued by this node."""
        self._marked = (self._marked[0], self._marked[1] + _tensors("mark_dirty", inputs))

    def set_materialize_grads(self, value: bool) -> None:
        """Whether backward gets zeros (True, the default) or None for an output that received
        no gradient."""
        self.materialize_grads = bool(value)

    @property
    def saved_tensors(self) -> tuple[Tensor | None, ...]:
        """What save_for_backward kept, checked for in-place changes since; a saved output
        comes back connected to this node (so that backward can be differentiated again)."""
        saved = self._saved
        if saved is RELEASED or self._saved_out is RELEASED:
            self._check_released()
        if saved is None:
            return ()
        out = []
        for t, version in zip(saved, self._saved_versions):
            if type(t) is _SavedOutput:
                if t.version[0] != t.expected:
                    raise RuntimeError(
                        f"{self.name()}: one of the tensors needed for its gradient (output "
                        f"{t.index}, shape {t.data.shape}) has been modified by an in-place "
                        f"operation: it is at version {t.version[0]}, the backward pass "
                        f"expected version {t.expected}"
                    )
                t = self._output_tensor(t.index, t.data)
            elif t is not None and t._version[0] != version:
                self._raise_modified(t, version)
            out.append(t)
        return tuple(out)

    def _output_tensor(self, index: int, data: np.ndarray) -> Tensor:
        """Output `index` again: in grad mode (create_graph) behind this node, else a constant."""
        if not grad_mode.enabled:
            return Tensor._make(data, None)
        slot = self._outputs[index][2]
        return Tensor._make(data, self if slot == _WHOLE else _Piece.record(self, *slot, data))

    # -- after forward: the outputs ----------------------------------------------------------

    def _finish_outputs(self, output: Any, args: tuple) -> Any:
        """`output` (forward's result) with its arrays as Tensors and, when recording, this
        node behind its differentiable Tensors (float ones, not marked non-differentiable)."""
        single = not isinstance(output, (tuple, list))
        items = [output] if single else list(output)
        constant, dirty = self._marked
        self._marked = ((), ())
        for t in dirty:
            if not any(t is item for item in items):
                raise RuntimeError(
                    "Some elements marked as dirty during the forward method were not returned "
                    "as output. The inputs that are modified inplace must all be outputs of the "
                    "Function."
                )
        diff = []  # the positions of the outputs this node stands behind
        for i, item in enumerate(items):
            if isinstance(item, (np.ndarray, np.generic)):  # the engine's ops' style: an array
                item = items[i] = Tensor._make(np.asarray(item), None)
            if not isinstance(item, Tensor):
                continue
            if any(item is t for t in dirty):
                if self._recording:
                    _check_dirty(item)
            elif _not_fresh(item, args, items[:i]):
                alias = items[i] = Tensor._make(item.data, None)  # a new Tensor, same memory
                alias._version = item._version
            if (self._recording and item.data.dtype.kind in "fc"
                    and not any(item is t for t in constant)):  # fmt: skip
                diff.append(i)
        if diff:
            self._record(items, diff)
        if single:
            return items[0]
        return type(output)(*items) if hasattr(output, "_fields") else type(output)(items)

    def _record(self, items: list, diff: list[int]) -> None:
        """Make this node the one behind `items[i]` for each i in `diff`."""
        self.seq = _next_seq()  # (before the pieces' nodes, which consume it)
        if grad_mode.anomaly_mode is not None:  # td.autograd.detect_anomaly: where it was made
            grad_mode.anomaly_mode.record(self)
        slots: dict[int, Any] = {}
        if len(diff) == 1:
            t = items[diff[0]]
            self.out_shape, self.out_dtype = t.data.shape, t.data.dtype
            slots[diff[0]] = _WHOLE
            if self._saved_out is True:  # (save_output, the engine's ops' way)
                self._saved_out = (t.data, t._version, t._version[0])
        else:
            sizes = [items[i].data.size for i in diff]
            total = sum(sizes)
            self.out_shape = (total + len(diff),)  # the pieces, then one counting slot each
            self.out_dtype = np.result_type(*[items[i].data.dtype for i in diff])
            start = 0
            for k, (i, size) in enumerate(zip(diff, sizes)):
                slots[i] = (start, start + size, total + k)
                start += size
        self._outputs = tuple([None if not isinstance(t, Tensor) else
                               (t.data.shape, t.data.dtype, slots.get(i))
                               for i, t in enumerate(items)])  # fmt: skip
        for i in diff:
            t = items[i]
            slot = slots[i]
            t.grad_fn = self if slot == _WHOLE else _Piece.record(self, *slot, t.data)
            t._requires_grad = True
        saved = self._saved
        if saved:  # a saved output is kept as its array (see the module's docstring)
            kept = []
            for s in saved:
                i = next((i for i in diff if items[i] is s), None)
                kept.append(s if i is None else _SavedOutput(i, s.data, s._version, s._version[0]))
            self._saved = tuple(kept)

    # -- backward ----------------------------------------------------------------------------

    @staticmethod
    def backward(ctx: FunctionCtx, grad: Tensor) -> tuple:
        """The Function's backward on Tensors (recorded under create_graph)."""
        grads = ctx._forward_cls._backward_fn()(ctx, *ctx._grad_outputs(grad, True))
        return ctx._check_grads(grads, True)

    @staticmethod
    def backward_array(ctx: FunctionCtx, grad: np.ndarray) -> tuple:
        """The Function's backward_array (by default its backward on wrapped arrays)."""
        grads = ctx._forward_cls.backward_array(ctx, *ctx._grad_outputs(grad, False))
        return ctx._check_grads(grads, False)

    def _grad_outputs(self, g: Any, tensors: bool) -> list:
        """The gradient of this node's output cut into one per output of forward."""
        out: list[Any] = []
        for meta in self._outputs:
            if meta is None:  # not a Tensor
                out.append(None)
                continue
            shape, dtype, slot = meta
            if slot == _WHOLE:
                out.append(g)
                continue
            if slot is not None:
                start, stop, count = slot
                if (g.data if tensors else g)[count] > 0:  # it received a gradient
                    piece = g[start:stop].reshape(shape)
                    if piece.dtype != dtype:
                        piece = piece.to(dtype) if tensors else piece.astype(dtype)
                    out.append(piece)
                    continue
            if not self.materialize_grads:
                out.append(None)
            else:
                zeros = np.zeros(shape, dtype)
                out.append(Tensor._make(zeros, None) if tensors else zeros)
        return out

    def _check_grads(self, grads: Any, tensors: bool) -> tuple:
        """Backward's result as one gradient per parent, checked as PyTorch checks it."""
        name = self.name()
        grads = tuple(grads) if isinstance(grads, (tuple, list)) else (grads,)
        n = len(self.parents)
        if len(grads) > n and all(g is None for g in grads[n:]):  # extra Nones are allowed
            grads = grads[:n]
        if len(grads) != n:
            raise RuntimeError(
                f"function {name} returned an incorrect number of gradients (expected {n}, "
                f"got {len(grads)})"
            )
        out = []
        for i, (g, parent, shape) in enumerate(zip(grads, self.parents, self._input_shapes)):
            if g is None:
                out.append(None)
                continue
            if shape is None:
                raise RuntimeError(
                    f"function {name} returned a gradient different than None at position "
                    f"{i + 1}, but the corresponding forward input was not a Tensor"
                )
            if tensors and not isinstance(g, Tensor):
                raise TypeError(
                    f"function {name} returned a {type(g).__name__} as gradient {i}: expected "
                    "a Tensor or None"
                )
            if not tensors:
                g = g.data if isinstance(g, Tensor) else np.asarray(g)
            if parent is not None and g.shape != shape and not _expands(shape, g.shape):
                raise RuntimeError(
                    f"Function {name} returned an invalid gradient at index {i} - got "
                    f"{list(g.shape)} but expected shape compatible with {list(shape)}"
                )
            out.append(g if parent is not None else None)
        return tuple(out)


def _tensors(what: str, values: tuple) -> tuple:
    for v in values:
        if not isinstance(v, Tensor):
            raise TypeError(f"{what}: expected Tensors, got a {type(v).__name__}")
    return values


def _not_fresh(t: Tensor, args: tuple, before: list) -> bool:
    """Whether forward's output `t` is not a Tensor of its own that apply can hand out as it is
    (an argument, a view, a Tensor from outside, or returned twice): then a new one is."""
    if t.grad_fn is not None or t._requires_grad or t._base is not None:
        return True
    return any(t is a for a in args) or any(t is b for b in before)


def _expands(shape: tuple, to: tuple) -> bool:
    """Whether `shape` broadcasts to `to` (a gradient that the engine sums down)."""
    try:
        return np.broadcast_shapes(shape, to) == tuple(to)
    except ValueError:
        return False


def _check_dirty(t: Tensor) -> None:
    """The rules for an input changed in place by forward (mark_dirty)."""
    if t.grad_fn is None and t._requires_grad:
        raise RuntimeError(
            "a leaf Variable that requires grad has been used in an in-place operation."
        )
    views = getattr(t, "_views", None) or ()
    if t._base is not None or any(ref() is not None for ref in views):
        raise NotImplementedError(
            f"mark_dirty: an input (shape {t.shape}) that is a view or has views, changed in "
            "place by a custom Function, is not supported; change a copy (x.clone()) instead"
        )


class _NameOfItsFunction:
    """`name()` of a `_Piece`: its Function's node's name (PyTorch shows that as every output's
    grad_fn); on the class (`viz` labels ops by class), "Output"."""

    def __get__(self, node: Any, cls: Any = None) -> Callable[[], str]:
        return (lambda: "Output") if node is None else node.parents[0].name


class _Piece(_Node):
    """y = z[start:stop].reshape(shape);  dy/dz = 1 on z[start:stop], 0 elsewhere.

    One of several differentiable outputs of a custom Function, a piece of its node's flat
    output z. Its gradient goes back into that piece, and a 1 into the piece's counting slot
    past the pieces (custom_function.py's docstring says why)."""

    @classmethod
    def record(cls, main: FunctionCtx, start: int, stop: int, count: int, data: Any) -> _Piece:
        """A node behind the output `data`, the piece [start:stop] of `main`'s output."""
        node = _new_node(cls)
        node.parents, node.needs_input_grad, node.constants = (main,), (True,), (None,)
        node._saved = node._saved_out = None
        node.out_shape, node.out_dtype = data.shape, data.dtype
        node.start, node.stop, node.count = start, stop, count
        node.seq = _next_seq()
        if grad_mode.anomaly_mode is not None:
            grad_mode.anomaly_mode.record(node)
        return node

    name = _NameOfItsFunction()  # type: ignore[assignment]

    @staticmethod
    def backward(ctx: _Piece, g: Tensor) -> Tensor:
        from ..functions import cat

        size, dtype = ctx.parents[0].out_shape[0], ctx.parents[0].out_dtype
        zeros = lambda n: Tensor._make(np.zeros(n, dtype), None)  # noqa: E731
        one = Tensor._make(np.ones(1, dtype), None)
        flat = g.reshape(-1).to(dtype)
        pieces = [zeros(ctx.start), flat, zeros(ctx.count - ctx.stop), one]
        return cat([*pieces, zeros(size - ctx.count - 1)])

    @staticmethod
    def backward_array(ctx: _Piece, g: np.ndarray) -> np.ndarray:
        main = ctx.parents[0]
        out = np.zeros(main.out_shape, main.out_dtype)
        out[ctx.start : ctx.stop] = g.reshape(-1)
        out[ctx.count] = 1
        return out
