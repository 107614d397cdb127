"""Gradient checkpointing: `td.utils.checkpoint.checkpoint` and `checkpoint_sequential`.

`checkpoint(function, *args)` trades compute for memory. The forward pass runs `function`
under `no_grad`, so none of its intermediates is saved: the graph gets ONE node (a
`Checkpoint` Function) that keeps only the inputs. Its backward *recomputes* `function` with
grad enabled, from the same inputs and with the random generator put back to its state at
the forward (so dropout draws the same mask), then backpropagates the upstream gradient
through that short-lived graph with `td.grad` and hands the input gradients on. Under
`create_graph` the recomputation is recorded, so second derivatives work too.

Which tensors get gradients: the tensor arguments, and the parameters of the Modules the
function is, or refers to by a closure or global name (a Module's method counts). Anything
else that requires grad and is reached only in the recomputation raises a clear error in
backward (pass it as an argument). As in PyTorch, `function` runs twice: side effects such as
BatchNorm's running statistics happen twice.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .. import function as _function
from .. import grad_mode
from ..autograd import grad
from ..function import Function
from ..grad_mode import enable_grad, no_grad
from ..nn.module import Module
from ..tensor import Tensor
from .rng_state import get_rng_state, set_rng_state

__all__ = ["checkpoint", "checkpoint_sequential"]


class Checkpoint(Function):
    """z = function(*inputs) (no intermediate saved);  dz/dx = that of function, recomputed.

    Not composed from other ops because its point is to record nothing inside `function`:
    the backward reruns it (see the module's docstring). Several outputs are carried as one
    flat array, which `checkpoint` cuts back into the output tensors (differentiable views).
    """

    @staticmethod
    def forward(ctx: Function, *tensors: Tensor, run: _Run) -> np.ndarray:
        ctx.run = run
        ctx.save_for_backward(*tensors)
        with no_grad():
            outs = run.call(tensors[: run.n_args])
        return _pack([o.data for o in outs])

    @staticmethod
    def backward(ctx: Function, g: Tensor) -> tuple[Tensor | None, ...]:
        run: _Run = ctx.run
        tensors = ctx.saved_tensors
        create = grad_mode.enabled  # a create_graph pass: record the recomputation
        needs = ctx.needs_input_grad
        args = []
        for t, need in zip(tensors[: run.n_args], needs):
            args.append(t.clone() if create and need else t.detach().requires_grad_(need))
        targets = args + list(tensors[run.n_args :])
        now = get_rng_state() if run.rng_state is not None else None
        if run.rng_state is not None:
            set_rng_state(run.rng_state)
        try:
            with enable_grad():
                start = _next_seq()
                outs = run.call(tuple(args))
                _check_reached(outs, targets, start)
                y = _pack_tensor(outs)
        finally:
            if now is not None:
                set_rng_state(now)
        wanted = [i for i, need in enumerate(needs) if need]
        result: list[Tensor | None] = [None] * len(tensors)
        if not y.requires_grad or not wanted:
            return tuple(result)
        if create:
            gs = grad((y * g).sum(), [targets[i] for i in wanted], create_graph=True,
                      allow_unused=True)  # fmt: skip
        else:
            gs = grad(y, [targets[i] for i in wanted], g, allow_unused=True)
        for i, gi in zip(wanted, gs):
            result[i] = gi
        return tuple(result)


class _Run:
    """What the Checkpoint node needs to run `function` again: the function, its arguments
    with tensors taken out (they are the node's inputs), the RNG state, the output layout."""

    def __init__(self, function: Callable[..., Any], args: tuple, kwargs: dict) -> None:
        self.function, self.kwargs = function, kwargs
        self.slots = [isinstance(a, Tensor) for a in args]
        self.others = [None if s else a for a, s in zip(args, self.slots)]
        self.n_args = sum(self.slots)
        self.rng_state: Tensor | None = None
        self.single = True
        self.shapes: list[tuple[tuple[int, ...], np.dtype]] = []

    def call(self, tensors: Sequence[Tensor]) -> list[Tensor]:
        """function(*args) with `tensors` in the tensor slots; its outputs as a list."""
        it = iter(tensors)
        args = [next(it) if s else a for a, s in zip(self.others, self.slots)]
        out = self.function(*args, **self.kwargs)
        self.single = isinstance(out, Tensor)
        outs = [out] if self.single else out
        if not isinstance(outs, (tuple, list)) or not all(isinstance(o, Tensor) for o in outs):
            raise TypeError(
                f"checkpoint: function must return a Tensor or a tuple of Tensors, got "
                f"{type(out).__name__}"
            )
        self.shapes = [(o.shape, o.dtype) for o in outs]
        return list(outs)


def _pack(arrays: list[np.ndarray]) -> np.ndarray:
    return arrays[0] if len(arrays) == 1 else np.concatenate([a.reshape(-1) for a in arrays])


def _pack_tensor(outs: list[Tensor]) -> Tensor:
    if len(outs) == 1:
        return outs[0]
    from ..functions import cat

    return cat([o.reshape(-1) for o in outs])


def _next_seq() -> int:
    """A sequence number below every node recorded from here on (the numbers only order the
    nodes, so taking one out of the count is harmless)."""
    return next(_function._sequence)


def _check_reached(outs: list[Tensor], targets: list[Tensor], start: int) -> None:
    """Raise if the recomputed graph reaches a tensor that requires grad but is not one of
    the node's inputs: its gradient would be lost (or the walk would run into the outer
    graph)."""
    known = {id(t) for t in targets}
    known_nodes = {id(t.grad_fn) for t in targets if t.grad_fn is not None}
    seen: set[int] = set()
    stack = [o.grad_fn for o in outs if o.grad_fn is not None and id(o.grad_fn) not in known_nodes]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        for parent in node.parents:
            if parent is None:
                continue
            if isinstance(parent, Tensor):
                if id(parent) in known:
                    continue
                shape = parent.shape
            elif id(parent) in known_nodes:
                continue
            elif parent.seq >= start:
                stack.append(parent)
                continue
            else:
                shape = parent.out_shape
            raise RuntimeError(
                f"checkpoint: function uses a tensor of shape {shape} that requires grad but "
                "is neither an argument nor a parameter of a Module it refers to; pass it as "
                "an argument so that it gets its gradient"
            )


def _parameters_of(function: Callable[..., Any]) -> list[Tensor]:
    """Tensors requiring grad that `function` reaches without arguments: the parameters of
    the Module it is, whose method it is, or that it names (closure cells, globals)."""
    found: list[Any] = [function, getattr(function, "__self__", None)]
    code = getattr(function, "__code__", None)
    for cell in getattr(function, "__closure__", None) or ():
        try:
            found.append(cell.cell_contents)
        except ValueError:  # an empty cell
            pass
    if code is not None:
        names = getattr(function, "__globals__", {})
        found += [names[n] for n in code.co_names if n in names]
    for obj in list(found):  # a list or tuple of them (as checkpoint_sequential's chunks)
        if isinstance(obj, (list, tuple)):
            found += list(obj)
    params: dict[int, Tensor] = {}
    for obj in found:
        if isinstance(obj, Module):
            for p in obj.parameters():
                if p.requires_grad:
                    params[id(p)] = p
        elif isinstance(obj, Tensor) and obj.requires_grad and obj.grad_fn is None:
            params[id(obj)] = obj
    return list(params.values())


def checkpoint(
    function: Callable[..., Any],
    *args: Any,
    use_reentrant: bool = False,
    preserve_rng_state: bool = True,
    **kwargs: Any,
) -> Any:
    """function(*args, **kwargs) without keeping its intermediates: the backward pass
    recomputes them (see the module's docstring). Gradients are those of the plain call;
    with `preserve_rng_state` (default) random ops such as dropout draw the same values in the
    recomputation. `use_reentrant` is accepted for PyTorch's signature; both settings run the
    same (non-reentrant) way here."""
    if not callable(function):
        raise TypeError(f"checkpoint: function must be callable, got {function!r:.60}")
    for option in ("context_fn", "determinism_check", "debug"):  # PyTorch's, not function's
        if option in kwargs:
            raise TypeError(f"checkpoint: PyTorch's option {option!r} is not supported here")
    run = _Run(function, args, kwargs)
    if preserve_rng_state:
        run.rng_state = get_rng_state()
    tensors = [a for a in args if isinstance(a, Tensor)]
    params = [p for p in _parameters_of(function) if all(p is not t for t in tensors)]
    flat = Checkpoint.apply(*tensors, *params, run=run)
    if run.single:
        return flat
    outs, at = [], 0
    for shape, dtype in run.shapes:
        size = int(np.prod(shape))
        piece = flat[at : at + size].reshape(shape)
        outs.append(piece if piece.dtype == dtype else piece.astype(dtype))
        at += size
    return tuple(outs)


def checkpoint_sequential(
    functions: Any,
    segments: int,
    input: Tensor,  # noqa: A002 (PyTorch's name)
    use_reentrant: bool = False,
    **kwargs: Any,
) -> Tensor:
    """Run `functions` (a Sequential or a list of Modules / functions of one tensor) in
    order on `input`, in `segments` chunks: each chunk but the last is checkpointed, so only
    the chunks' boundary tensors are kept for backward (as PyTorch's)."""
    if isinstance(functions, Module):
        functions = list(functions.children())
    functions = list(functions)
    if not isinstance(segments, int) or isinstance(segments, bool) or segments < 1:
        raise ValueError(f"checkpoint_sequential: segments must be an int >= 1, got {segments!r}")
    if segments > len(functions):
        raise ValueError(
            f"checkpoint_sequential: {segments} segments for only {len(functions)} functions"
        )
    size = len(functions) // segments
    bounds = [i * size for i in range(segments)] + [len(functions)]

    def run_chunk(chunk: list[Callable[..., Any]]) -> Callable[[Tensor], Tensor]:
        def forward(x: Tensor) -> Tensor:
            for f in chunk:
                x = f(x)
            return x

        return forward  # (`chunk` is in its closure: checkpoint finds the parameters there)

    x = input
    for k in range(segments - 1):
        x = checkpoint(run_chunk(functions[bounds[k] : bounds[k + 1]]), x, **kwargs)
    return run_chunk(functions[bounds[-2] :])(x)
