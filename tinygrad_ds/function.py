"""The `Function` base class: one node of the computation graph.

An operation is a subclass with its forward and backward side by side, in PyTorch's
vocabulary:

    forward(ctx, *inputs, **options) -> ndarray      # inputs are Tensors; compute on `.data`
    backward(ctx, grad) -> Tensor | tuple[Tensor | None, ...]   # one gradient per input
    backward_array(ctx, grad) -> ndarray | tuple[ndarray | None, ...]   # optional, see below

`backward` is the definition, written with Tensor operations, so that when the engine runs it
with `create_graph=True` the backward pass is itself recorded and gradients of gradients come
free. A first-order pass (the training loop's) records nothing and runs `backward_array`
instead: the same derivative on plain ndarrays, with no Tensor made per gradient. Its default
wraps the arrays and calls `backward`; the hot operations spell it out in NumPy (where the
formula reads the same on arrays, as `g, g` for Add, it is `backward` itself). Either may hand
g itself on, but never write into it (another edge may hold the same array) nor into what it
saved.

`forward` may read `ctx.needs_input_grad` (settled before it runs, as in PyTorch) to save only
what backward will use. Op authors write the textbook derivative for the *broadcast* shapes:
the engine undoes broadcasting on every edge (`autograd._fit`), so no op has to.
"""

from __future__ import annotations

import itertools
import weakref
from typing import Any, NamedTuple

import numpy as np

from . import grad_mode

__all__ = ["Function"]

_sequence = itertools.count()
RELEASED = object()  # what a node's saved tensors become after backward without retain_graph


class Function:
    """A recorded operation, which is also its own backward context (`ctx`).

    Attributes set by `apply`:
      parents            per input: its `grad_fn` (non-leaf), the Tensor itself (leaf that
                         requires grad), or None (needs no gradient)
      needs_input_grad   per input: whether a gradient must flow to it
      constants          per input: the Tensor if it needs no gradient (kept for drawing), else None
      out_shape, out_dtype   what the node produced (the node keeps no reference to the
                         output Tensor: that would cost a weak reference per operation, about a
                         twentieth of a small one's time; `viz` finds the live outputs itself)
      seq                creation order: a node is always created after the nodes it consumes
    """

    __slots__ = (
        "parents",
        "needs_input_grad",
        "constants",
        "out_shape",
        "out_dtype",
        "_saved",
        "_saved_out",
        "_saved_versions",
        "seq",
        "__dict__",
    )

    # _saved: the inputs kept by save_for_backward, or RELEASED (None if nothing was kept)
    # _saved_out: True (asked for), then (array, version cell, version), or RELEASED (or None)
    # Defaults read through the class until an instance sets its own (fewer stores per op):
    _view_of: Any = None  # (input, index) when the output is a view of that input's memory
    _retained: Any = None  # a weak reference to the output, after retain_grad()
    _hooks: Any = None  # the output's `register_hook` functions (a list)
    # True for an op of one input whose output, and so its gradient, has the input's shape and
    # dtype (tanh, exp, relu, ...): `autograd._walk` hands the gradient on without fitting it.
    grad_fits_input: bool = False

    # -- recording -------------------------------------------------------------------------

    @classmethod
    def apply(cls, *inputs: Tensor, **options: Any) -> Tensor:
        """Run `forward` on `inputs` and, in grad mode, record the node behind the result.

        Which inputs need a gradient is settled first, so that `forward` can read
        `ctx.needs_input_grad` (as in PyTorch) and save only what backward will use.
        """
        ctx = _new_node(cls)
        ctx._saved = ctx._saved_out = None
        if not grad_mode.enabled:
            recording = False
        elif len(inputs) == 2:  # the common cases spelled out: tuples, not list appends
            a, b = inputs
            ra, rb = a._requires_grad, b._requires_grad
            recording = ra or rb
            if ra and rb:  # (shared tuples for the commonest case)
                ctx.parents = (a.grad_fn or a, b.grad_fn or b)
                ctx.needs_input_grad, ctx.constants = _BOTH, _NONE_TWICE
            elif recording:
                ctx.parents = ((a.grad_fn or a) if ra else None,
                               (b.grad_fn or b) if rb else None)  # fmt: skip
                ctx.needs_input_grad = (ra, rb)
                ctx.constants = (None if ra else a, None if rb else b)
        elif len(inputs) == 1:
            recording = inputs[0]._requires_grad
            if recording:
                ctx.parents = (inputs[0].grad_fn or inputs[0],)
                ctx.needs_input_grad, ctx.constants = _ONE, _NONE
        elif len(inputs) == 3:  # (a layer's x, W and b)
            a, b, c = inputs
            ra, rb, rc = a._requires_grad, b._requires_grad, c._requires_grad
            recording = ra or rb or rc
            if recording:
                ctx.parents = ((a.grad_fn or a) if ra else None, (b.grad_fn or b) if rb else None,
                               (c.grad_fn or c) if rc else None)  # fmt: skip
                ctx.needs_input_grad = (ra, rb, rc)
                ctx.constants = (None if ra else a, None if rb else b, None if rc else c)
        else:
            needs = tuple([t._requires_grad for t in inputs])
            recording = True in needs
            if recording:
                ctx.parents = tuple([(t.grad_fn or t) if t._requires_grad else None
                                     for t in inputs])  # fmt: skip
                ctx.needs_input_grad = needs
                ctx.constants = tuple([None if t._requires_grad else t for t in inputs])
        if not recording:
            ctx.needs_input_grad = (False,) * len(inputs)
        forward = cls.forward
        try:  # (no empty dict of options built for the common call)
            out_data = forward(ctx, *inputs, **options) if options else forward(ctx, *inputs)
        except ValueError as e:
            raise _broadcast_error(cls, inputs, e) from None
        return ctx._finish(out_data, recording, options)

    @classmethod
    def apply_fast(cls, x: Tensor, y: Tensor | None = None, z: Tensor | None = None) -> Tensor:
        """`apply(x)`, `apply(x, y)` or `apply(x, y, z)` for the hot operations (+, *, tanh,
        relu, a layer's x W^T + b, ...): up to three inputs, no options, and an output in new
        memory. The same as `apply`, without the argument tuple and options dict that its
        signature builds on every call, and with `_finish`'s recording spelled out (together
        about a tenth of a small operation)."""
        rx = x._requires_grad
        ry = y is not None and y._requires_grad
        if not ((rx or ry or (z is not None and z._requires_grad)) and grad_mode.enabled):
            inputs = (x,) if y is None else (x, y) if z is None else (x, y, z)
            return cls.apply(*inputs)
        ctx = _new_node(cls)
        ctx._saved = ctx._saved_out = None
        if y is None:
            ctx.parents = (x.grad_fn or x,)
            ctx.needs_input_grad, ctx.constants = _ONE, _NONE
            out_data = cls.forward(ctx, x)
        elif z is None:
            if rx and ry:  # (shared tuples for the commonest case)
                ctx.parents = (x.grad_fn or x, y.grad_fn or y)
                ctx.needs_input_grad, ctx.constants = _BOTH, _NONE_TWICE
            else:
                ctx.parents = ((x.grad_fn or x) if rx else None, (y.grad_fn or y) if ry else None)
                ctx.needs_input_grad = (rx, ry)
                ctx.constants = (None if rx else x, None if ry else y)
            try:
                out_data = cls.forward(ctx, x, y)
            except ValueError as e:
                raise _broadcast_error(cls, (x, y), e) from None
        else:
            rz = z._requires_grad
            ctx.parents = ((x.grad_fn or x) if rx else None, (y.grad_fn or y) if ry else None,
                           (z.grad_fn or z) if rz else None)  # fmt: skip
            ctx.needs_input_grad = (rx, ry, rz)
            ctx.constants = (None if rx else x, None if ry else y, None if rz else z)
            out_data = cls.forward(ctx, x, y, z)
        if type(out_data) is not _ndarray:  # NumPy returns scalars from 0-d operations
            out_data = np.asarray(out_data)
        out = _new_tensor(Tensor)
        out.data = out_data
        out.grad = out.name = out._hooks = out._base = None
        out._version = [0]
        ctx.out_shape, ctx.out_dtype = out_data.shape, out_data.dtype
        ctx.seq = _next_seq()
        if grad_mode.anomaly_mode is not None:  # td.autograd.detect_anomaly: where it was made
            grad_mode.anomaly_mode.record(ctx)
        if ctx._saved_out is True:
            ctx._saved_out = (out_data, out._version, 0)
        out._requires_grad = True
        out.grad_fn = ctx
        return out

    def _finish(self, out_data: Any, recording: bool, options: dict) -> Tensor:
        """The output Tensor over `forward`'s result, its memory's own or (`output_is_view_of`)
        an input's; when `recording`, this node stands behind it."""
        if type(out_data) is not _ndarray:  # NumPy returns scalars from 0-d operations
            out_data = np.asarray(out_data)
        out = _new_tensor(Tensor)
        out.data = out_data
        out.grad = out.name = out._hooks = None
        view = self._view_of
        if view is None:
            out._version = [0]
            out._base = None
        else:  # the output's memory is the input's (see `ViewOf`)
            self._view_of = None  # kept by the output, not the node: no base -> node -> base cycle
            out._version = view[0]._version
            out._base = ViewOf(view[0], view[1], type(self), options)
            if grad_mode.enabled:
                _register_view(view[0], out)
        if not recording:
            out._requires_grad = False
            out.grad_fn = None
            return out
        self.out_shape = out_data.shape
        self.out_dtype = out_data.dtype
        self.seq = _next_seq()
        if grad_mode.anomaly_mode is not None:  # td.autograd.detect_anomaly: where it was made
            grad_mode.anomaly_mode.record(self)
        if self._saved_out is True:
            self._saved_out = (out_data, out._version, out._version[0])
        out._requires_grad = True
        out.grad_fn = self
        return out

    @staticmethod
    def forward(ctx: Function, *inputs: Any, **options: Any) -> np.ndarray:
        raise NotImplementedError

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> Any:
        raise NotImplementedError

    @staticmethod
    def backward_array(ctx: Function, grad: np.ndarray) -> Any:
        """`backward` on plain arrays, for a first-order pass: by default the arrays are
        wrapped as Tensors and `backward`'s Tensors unwrapped."""
        grads = ctx.backward(ctx, _constant(grad))
        if type(grads) is not tuple:
            return None if grads is None else grads.data
        return tuple([None if gi is None else gi.data for gi in grads])

    # -- saving for backward ---------------------------------------------------------------

    def save_for_backward(self, *tensors: Tensor | None) -> None:
        """Keep `tensors` (inputs; None allowed) for backward, remembering their versions.
        (Outside grad mode `apply` drops the node, and what it saved with it.)"""
        self._saved = tensors
        if len(tensors) == 2:  # (the common case spelled out: a tuple, no loop)
            a, b = tensors
            self._saved_versions = (None if a is None else a._version[0],
                                    None if b is None else b._version[0])  # fmt: skip
        else:
            self._saved_versions = tuple([None if t is None else t._version[0] for t in tensors])

    def save_output(self) -> None:
        """Ask `apply` to keep this node's own output for backward (see `saved_output`)."""
        self._saved_out = True

    def output_is_view_of(self, x: Tensor, index: Any = None) -> None:
        """Declare the output a NumPy view of `x`'s memory (they share one version counter);
        `index` when it is `x[index]`, so that in-place changes can be routed through `x`."""
        self._view_of = (x, index)

    @property
    def saved_tensors(self) -> tuple[Tensor | None, ...]:
        """The saved inputs; a clear error if the graph was released or they were modified."""
        saved = self._saved
        if saved is RELEASED or self._saved_out is RELEASED:
            self._check_released()
        if saved is None:
            return ()
        if len(saved) == 2:  # (the common case spelled out, as in save_for_backward)
            a, b = saved
            va, vb = self._saved_versions
            if (a is None or a._version[0] == va) and (b is None or b._version[0] == vb):
                return saved
        for t, version in zip(saved, self._saved_versions):
            if t is not None and t._version[0] != version:
                self._raise_modified(t, version)
        return saved

    def _raise_modified(self, t: Tensor, version: int) -> None:
        i = next(k for k, other in enumerate(self._saved) if other is t)
        raise RuntimeError(
            f"{self.name()}: one of the tensors needed for its gradient (saved input {i}, "
            f"shape {t.shape}) has been modified by an in-place operation: it is at "
            f"version {t._version[0]}, the backward pass expected version {version}"
        )

    def saved_output(self) -> Tensor:
        """This node's output as a Tensor (whose grad_fn is this node), checked for changes."""
        return Tensor._make(self.saved_output_array(), self)

    def saved_output_array(self) -> np.ndarray:
        """This node's output array, checked for changes (for `backward_array`)."""
        saved = self._saved_out
        if saved is RELEASED or self._saved is RELEASED:
            self._check_released()
        data, cell, version = saved
        if cell[0] != version:
            raise RuntimeError(
                f"{self.name()}: its output (shape {data.shape}), needed for its gradient, has "
                f"been modified by an in-place operation (version {cell[0]}, expected {version})"
            )
        return data

    def _check_released(self) -> None:
        if self._saved is RELEASED or self._saved_out is RELEASED:
            raise RuntimeError(
                f"{self.name()}: trying to backward through the graph a second time (or to use "
                "saved tensors after they were freed). Pass retain_graph=True to the first "
                "backward() or grad() call if you need to backward through it again."
            )

    # -- description -----------------------------------------------------------------------

    @classmethod
    def name(cls) -> str:
        return cls.__name__

    def __repr__(self) -> str:
        return f"<{self.name()} node>"


class ViewOf(NamedTuple):
    """What a view knows of the tensor whose memory it shares (`Tensor._base`): the base, the
    index when it is base[index] (else None), and the op and options that made it, so that
    after an in-place change recorded on the base it is made again from the base's new node
    (`inplace`). `op` is None for `detach()`, which stays out of the graph."""

    base: Tensor
    index: Any
    op: type | None
    options: dict


def _broadcast_error(cls: type[Function], inputs: tuple, error: ValueError) -> Exception:
    """NumPy's broadcasting ValueError, reworded to name the operation and the shapes (any
    other error is handed back as it was)."""
    if "broadcast" not in str(error):
        return error
    shapes = " and ".join(str(t.shape) for t in inputs)
    return ValueError(f"{cls.name()}: shapes {shapes} do not broadcast together")


def _register_view(base: Tensor, view: Tensor) -> None:
    """Let `base` find `view` (a weak reference) when an in-place change is recorded on it.
    Dead references are dropped whenever the list doubles, so it stays as long as the live
    views (a data set sliced every step does not grow it)."""
    views = getattr(base, "_views", None)
    if views is None:
        views = base._views = []
    views.append(weakref.ref(view))
    if len(views) >= 16 and len(views) & (len(views) - 1) == 0:  # 16, 32, 64, ...
        views[:] = [ref for ref in views if ref() is not None]


from .tensor import Tensor  # noqa: E402  (tensor.py imports the ops, which import this module)
from .tensor import constant as _constant  # noqa: E402

_new_tensor = _new_node = object.__new__
_ndarray, _next_seq = np.ndarray, _sequence.__next__
_ONE, _NONE, _BOTH, _NONE_TWICE = (True,), (None,), (True, True), (None, None)
