"""In-place operations (`add_`, `t[idx] = v`, `+=`, ...) and how they stay correct under autograd.

Without a graph to record (under `no_grad`, or when nothing involved requires grad) the new
value is written into the tensor's memory, so NumPy views see it. Otherwise the change is
recorded as PyTorch does: the new value is computed out of place from an *alias* that keeps
the old node, and the tensor is re-pointed at the new node. Either way the tensor's version
counter moves, so a tensor that was saved for backward and then changed is a clear error at
backward, never a wrong gradient.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

import numpy as np

from . import grad_mode
from .function import _register_view
from .ops import elementwise as E
from .ops import movement as M
from .tensor import Tensor, broadcasts_to

__all__ = ["change", "record", "binary", "clamp", "fill", "copy", "setitem"]


def change(
    t: Tensor,
    what: str,
    out_of_place: Callable[[Tensor], Tensor],
    in_memory: Callable[[np.ndarray], Any],
    other: Tensor | None = None,
) -> Tensor:
    """Change `t` in place: `in_memory(t.data)` writes (or returns) the new value when nothing
    is recorded; `out_of_place(alias)` computes it as a recorded operation otherwise."""
    if grad_mode.enabled and (t.requires_grad or (other is not None and other.requires_grad)):
        return record(t, what, out_of_place)
    if grad_mode.enabled:
        _check_not_a_no_grad_view(t, what)
    _check_writeable(t, what)
    value = in_memory(t.data)
    if value is not None:
        if not np.can_cast(np.asarray(value).dtype, t.dtype, "same_kind"):
            raise TypeError(f"{what}: a value of dtype {np.asarray(value).dtype} can't be "
                            f"stored in a {t.dtype} tensor")  # fmt: skip
        t.data[...] = value
    t._version[0] += 1
    return t


def _check_not_a_no_grad_view(t: Tensor, what: str) -> None:
    """PyTorch's rule: a view taken under no_grad() of a tensor that requires grad is not
    changed in place with grad mode on (the change would reach the base unrecorded)."""
    view = t._base
    if view is not None and view.op is not None and view.base.requires_grad and not t.requires_grad:
        raise RuntimeError(
            f"{what}: this tensor (shape {t.shape}) is a view, taken under no_grad(), of a "
            "tensor that requires grad; changed in place with grad mode on, the change would "
            "reach that tensor unrecorded. Change it under no_grad() too, or take the view "
            "with grad mode on"
        )


def _check_writeable(t: Tensor, what: str) -> None:
    if not t.data.flags.writeable:
        raise ValueError(
            f"{what}: this tensor (shape {t.shape}) is a read-only view, a broadcast made by "
            "expand whose elements share memory; change a copy (clone()) instead"
        )


def record(t: Tensor, what: str, out_of_place: Callable[[Tensor], Tensor]) -> Tensor:
    """The recorded form of an in-place change, as PyTorch's: the new value is computed by
    `out_of_place(old)` from a copy of t's old value and node (which the graph keeps), then
    written into t's own memory, so that every view of t sees it; t takes the new node, and
    its version counter (shared with its views) moves on, so that whatever saved t's old
    value is a clear error at backward. Recorded views of t are then made again from t."""
    _check_not_a_no_grad_view(t, what)
    if t.data.dtype.kind != "f":
        raise TypeError(
            f"{what}: the result needs a gradient, which a {t.dtype} tensor can't hold "
            "(only floating tensors take part in autograd); convert it first, e.g. t.float()"
        )
    if t.requires_grad and t.grad_fn is None:
        raise RuntimeError(
            f"{what}: a leaf tensor that requires grad is being changed in place; "
            "do it under tinygrad_ds.no_grad() (as optimisers do) or on a copy"
        )
    if t._base is not None:
        return _through_base(t, what, out_of_place)
    _check_writeable(t, what)
    new = out_of_place(_snapshot(t)).astype(t.dtype)
    t.data[...] = new.data
    _take_node(t, new)
    t._version[0] += 1
    _remake_views(t)
    return t


def _snapshot(t: Tensor) -> Tensor:
    """t's value now (a copy, which the coming write leaves alone) and node."""
    old = Tensor._make(t.data.copy(), t.grad_fn)
    old._requires_grad = t._requires_grad
    return old


def _take_node(t: Tensor, new: Tensor) -> None:
    """Make `t` the output of `new`'s node (t keeps its own memory, which holds new's value);
    a `retain_grad()` moves with it, to the gradient of t's new value."""
    old = t.grad_fn
    t.grad_fn, t._requires_grad = new.grad_fn, new._requires_grad
    if old is not None and old._retained is not None:
        old._retained = None
        t.retain_grad()


def _remake_views(base: Tensor) -> None:
    """After an in-place change of `base`, give each of its live recorded views the node of
    the same view taken of the new base (their memory is base's, so their values are already
    new); and so on for views of those views."""
    refs = getattr(base, "_views", None)
    if not refs:
        return
    base._views = None
    views = [v for v in (ref() for ref in refs) if v is not None and v._base.base is base]
    for v in views:
        _take_node(v, v._base.op.apply(base, **v._base.options))
        _remake_views(v)
    base._views = [weakref.ref(v) for v in views]


def _through_base(t: Tensor, what: str, out_of_place: Callable[[Tensor], Tensor]) -> Tensor:
    """A recorded change of the view `base[index]`, as PyTorch does it: `base[index] = new`,
    itself a recorded in-place change of the base, which writes into the memory t shares and
    makes t (with every other view of the base) again from the new base.
    Views made otherwise (reshape, permute, expand, detach) are refused with a clear error."""
    view = t
    while view._base is not None:  # up to the memory's owner: every step must be an index
        if view._base.index is None:
            raise RuntimeError(
                f"{what}: this tensor (shape {t.shape}) is a view of another one (shape "
                f"{view._base.base.shape}) made by reshape, permute, expand or detach; an "
                "in-place change recorded for autograd would not reach it. Change the base "
                "instead (base[index] = ...) or use an out-of-place operation"
            )
        view = view._base.base
    base, index = t._base.base, t._base.index
    base[index] = out_of_place(_snapshot(t))
    if not any(ref() is t for ref in getattr(base, "_views", None) or ()):  # not remade
        _take_node(t, base[index])
        _register_view(base, t)
    return t


def binary(t: Tensor, what: str, other: Any, op: Callable, ufunc: np.ufunc) -> Tensor:
    """t <- op(t, other), e.g. `add_`: in memory by `ufunc(t, other, out=t)` (the optimisers'
    path, kept short), or recorded by `change`."""
    if grad_mode.enabled and (t.requires_grad or getattr(other, "requires_grad", False)):
        o = t._operand(other, what)
        return record(t, what, lambda a: op(a, o))
    if grad_mode.enabled and t._base is not None:
        _check_not_a_no_grad_view(t, what)
    if isinstance(other, Tensor):
        value = other.data
    elif isinstance(other, np.generic):
        value = other.item()  # a NumPy scalar acts as a Python number (as in _operand)
    else:
        value = other  # an array, a number or a list: NumPy's rules
    try:
        ufunc(t.data, value, out=t.data, casting="same_kind")
    except (TypeError, ValueError) as e:
        _check_writeable(t, what)
        t._operand(other, what)  # None, a string...: the operand error, naming `what`
        kind = TypeError if isinstance(e, TypeError) else ValueError
        v = np.asarray(value)
        msg = f"{what}: cannot update a tensor of shape {t.shape} and dtype {t.dtype} "
        raise kind(f"{msg}with one of shape {v.shape} and dtype {v.dtype}: {e}") from None
    t._version[0] += 1
    return t


def clamp(t: Tensor, low: Any, high: Any) -> Tensor:
    """t <- clip(t, low, high); the bounds may be Tensors (a bound that requires grad gets
    its gradient, so the change is recorded)."""
    if low is None and high is None:
        raise ValueError("clamp_: give at least one of min and max")
    bounds = [b for b in (low, high) if isinstance(b, Tensor)]
    for b in bounds:
        if not broadcasts_to(b.shape, t.shape):
            raise ValueError(f"clamp_: a bound of shape {b.shape} does not broadcast to the "
                             f"tensor's shape {t.shape}")  # fmt: skip
    graded = next((b for b in bounds if b.requires_grad), None)
    low_v, high_v = (b.data if isinstance(b, Tensor) else b for b in (low, high))
    return change(t, "clamp_", lambda a: a.clip(low, high),
                  lambda d: np.clip(d, low_v, high_v, out=d), graded)  # fmt: skip


def _replaced(old: Tensor, new: Tensor) -> Tensor:
    """`new` broadcast to old's shape, recorded so that old's gradient is zero."""
    return E.Where.apply(Tensor._make(np.zeros(old.shape, dtype=bool), None), old, new)


def fill(t: Tensor, value: Tensor) -> Tensor:
    """t <- value everywhere."""
    return change(t, "fill_", lambda a: _replaced(a, value), lambda d: value.data, value)


def copy(t: Tensor, src: Tensor) -> Tensor:
    """t <- src (broadcast to t's shape)."""
    try:
        np.broadcast_to(src.data, t.shape)
    except ValueError:
        raise ValueError(f"copy_: source of shape {src.shape} does not broadcast to "
                         f"{t.shape}") from None  # fmt: skip
    return change(t, "copy_", lambda a: _replaced(a, src), lambda d: src.data, src)


def setitem(t: Tensor, index: Any, value: Tensor) -> None:
    """t[index] <- value (recorded as IndexPut when autograd needs it)."""
    try:
        np.broadcast_to(value.data, np.empty(t.shape, dtype=bool)[index].shape)
    except (ValueError, IndexError) as e:
        msg = f"setitem: cannot assign a value of shape {value.shape} to index {index!r} "
        raise (IndexError if isinstance(e, IndexError) else ValueError)(
            f"{msg}of a tensor of shape {t.shape}: {e}"
        ) from None

    def write(d: np.ndarray) -> None:
        d[index] = value.data

    change(t, "setitem", lambda a: M.IndexPut.apply(a, value, index=index), write, value)
