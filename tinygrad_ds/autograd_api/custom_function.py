"""`td.autograd.Function`: a differentiable function of the user's own, in PyTorch's protocol.

    class Scale(td.autograd.Function):
        @staticmethod
        def forward(ctx, x, k):          # any arguments; Tensor operations (nothing recorded)
            ctx.k = k
            ctx.save_for_backward(x)
            return x * k                 # a Tensor or an ndarray, or a tuple of outputs
        @staticmethod
        def backward(ctx, g):            # one gradient per output
            return g * ctx.k, None       # one per argument of forward (None: no gradient)

    y = Scale.apply(x, 2.0)

`apply` runs `forward` with grad mode off, then puts one node behind the outputs: an instance
of `ScaleBackward` (a subclass of `FunctionCtx` made per Function, named as in PyTorch), which
is also the `ctx` that forward and backward get. Its parents are the arguments (None for the
non-tensors), so the engine sends backward's results on as any op's, undoing broadcasting.
One differentiable output is the node's own output. Several are packed (see `_Piece`): the
node's output is then one flat vector and each output a piece of it, so the gradient reaching
the node is every dL/d(output) at once; it is cut back into one gradient per output for
`backward`. Past the pieces the vector has one slot per output that counts the gradients the
output received, which tells an output that got none (None for `backward`, or zeros with
`set_materialize_grads(True)`, the default) from one whose gradient is zero.

A tensor saved with `save_for_backward` that is one of the outputs is kept as its array (a node
that kept its output Tensor would be a reference cycle) and handed back connected to the node,
so that a backward written with Tensor operations can be differentiated again (create_graph).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

import numpy as np

from .. import grad_mode
from ..function import Function as _Node
from ..function import _next_seq
from ..tensor import Tensor
from .custom_nodes import FunctionCtx

__all__ = ["Function", "FunctionCtx", "once_differentiable"]


class _FunctionMeta(type):
    """`td.Function` was the engine's op class: every graph node (an instance of
    `tinygrad_ds.function.Function`) still counts as an instance of it, so that
    `isinstance(t.grad_fn, td.Function)` tells a node from a leaf as before."""

    def __instancecheck__(cls, obj: Any) -> bool:
        return (cls is Function and isinstance(obj, _Node)) or super().__instancecheck__(obj)

    def __subclasscheck__(cls, sub: Any) -> bool:
        if cls is Function and isinstance(sub, type) and issubclass(sub, _Node):
            return True
        return super().__subclasscheck__(sub)


class Function(metaclass=_FunctionMeta):
    """A differentiable function given by its forward and backward, as `torch.autograd.Function`.

    Subclass it with static methods `forward(ctx, *args)` (or `forward(*args)` with
    `setup_context(ctx, inputs, output)`, PyTorch 2's style) and `backward(ctx, *grads)`, and
    call `apply(*args)`. `backward` is written with Tensor operations, so that it can be
    differentiated again (`create_graph=True`); an optional `backward_array(ctx, *grads)` does
    the same on ndarrays for a first-order pass (tinygrad_ds's own, as the built-in ops have).
    """

    _backward_cls: type[FunctionCtx]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        name = cls.__name__ + "Backward"
        namespace = {"_forward_cls": cls, "__module__": cls.__module__, "__doc__": cls.__doc__,
                     "__qualname__": cls.__qualname__ + "Backward"}  # fmt: skip
        cls._backward_cls = type(name, (FunctionCtx,), namespace)

    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Any:
        """`forward(ctx, *args, **kwargs)` run with grad mode off; when a Tensor argument
        requires grad (in grad mode) one node is recorded behind the outputs. Returns what
        forward returned, its arrays as Tensors."""
        setup = cls.setup_context is not Function.setup_context
        if setup:  # (setup_context gets every argument, the defaults too, as in PyTorch)
            bound = inspect.signature(cls.forward).bind(*args, **kwargs)
            bound.apply_defaults()
            args, kwargs = bound.args, bound.kwargs
        ctx = cls._backward_cls._start(args)
        with grad_mode.no_grad():
            if setup:
                output = cls.forward(*args, **kwargs)
                cls.setup_context(ctx, args, output)
            else:
                output = cls.forward(ctx, *args, **kwargs)
        return ctx._finish_outputs(output, args)

    @classmethod
    def apply_fast(cls, x: Tensor, y: Tensor | None = None, z: Tensor | None = None) -> Any:
        """`apply(x)`, `apply(x, y)` or `apply(x, y, z)` (the engine's ops' fast path, kept as
        a name for the Functions written before this class; no faster here)."""
        return cls.apply(*[t for t in (x, y, z) if t is not None])

    @staticmethod
    def forward(*args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(
            "You must implement the forward function for custom autograd.Function."
        )

    @staticmethod
    def setup_context(ctx: FunctionCtx, inputs: tuple, output: Any) -> None:
        raise NotImplementedError("setup_context is not implemented.")

    @staticmethod
    def backward(ctx: FunctionCtx, *grad_outputs: Any) -> Any:
        raise NotImplementedError(
            "You must implement either the backward or vjp method for your custom "
            "autograd.Function to use it with backward mode AD."
        )

    vjp = backward  # PyTorch's other name for it: define one of the two

    @classmethod
    def _backward_fn(cls) -> Callable:
        """`backward`, or `vjp` if that is the one defined."""
        backward, vjp = cls.backward, cls.vjp
        if backward is not Function.backward and vjp is not Function.vjp:
            raise RuntimeError(
                "Implementing both 'backward' and 'vjp' for a custom Function is not allowed. "
                "You should only implement one of them."
            )
        return vjp if vjp is not Function.vjp else backward

    @staticmethod
    def jvp(ctx: FunctionCtx, *grad_inputs: Any) -> Any:
        raise NotImplementedError(
            "You must implement the jvp function for custom autograd.Function to use it with "
            "forward mode AD."
        )

    @staticmethod
    def backward_array(ctx: FunctionCtx, *grad_outputs: np.ndarray | None) -> Any:
        """`backward` on ndarrays, for a first-order pass; by default the arrays are wrapped
        as Tensors and backward's Tensors unwrapped."""
        given = [None if g is None else Tensor._make(g, None) for g in grad_outputs]
        grads = ctx._forward_cls._backward_fn()(ctx, *given)
        many = isinstance(grads, (tuple, list))
        out = [_unwrap(ctx, i, gi) for i, gi in enumerate(grads if many else (grads,))]
        return tuple(out) if many else out[0]


def _unwrap(ctx: FunctionCtx, i: int, g: Any) -> Any:
    if g is None or isinstance(g, Tensor):
        return None if g is None else g.data
    raise TypeError(
        f"function {ctx.name()} returned a {type(g).__name__} as gradient {i}: expected a "
        "Tensor or None"
    )


class _OnceDifferentiableError(_Node):
    """z = g;  dz/dg: an error, as the backward that made g was marked @once_differentiable."""

    @staticmethod
    def backward(ctx: _Node, g: Any) -> Any:
        raise RuntimeError(
            "trying to differentiate twice a function that was marked with @once_differentiable"
        )

    backward_array = backward


def once_differentiable(fn: Callable) -> Callable:
    """Decorate a custom Function's `backward`: it runs with grad mode off, so that it may use
    any operation; under create_graph its results carry a node whose backward raises (it
    cannot be differentiated again), as in PyTorch."""

    @functools.wraps(fn)
    def wrapper(ctx: FunctionCtx, *grads: Any) -> Any:
        with grad_mode.no_grad():
            outputs = fn(ctx, *grads)
        if not grad_mode.enabled or not any(isinstance(g, Tensor) and g.requires_grad
                                            for g in grads):  # fmt: skip
            return outputs
        single = not isinstance(outputs, tuple)
        out = tuple([_erring(g) for g in ((outputs,) if single else outputs)])
        return out[0] if single else out

    return wrapper


def _erring(g: Any) -> Any:
    """`g` behind an `_OnceDifferentiableError` node (anything but a Tensor as it is)."""
    if not isinstance(g, Tensor):
        return g
    node = object.__new__(_OnceDifferentiableError)
    node.parents = node.needs_input_grad = node.constants = ()
    node._saved = node._saved_out = None
    node.out_shape, node.out_dtype = g.data.shape, g.data.dtype
    node.seq = _next_seq()
    return Tensor._make(g.data, node)
