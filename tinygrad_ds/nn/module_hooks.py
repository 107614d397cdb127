"""The hooks of a `Module` (a mixin of it): forward pre-hooks and hooks (with the options
prepend, with_kwargs and always_call), full backward hooks and pre-hooks (through
`BackwardHook`'s packing nodes), and the state_dict and load hooks, with PyTorch's signatures.
Each `register_*` returns a handle whose `remove()` takes the hook off. A module without hooks
pays one attribute check per call (`_has_hooks`, in `Module.__call__`).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

from .. import grad_mode
from ..tensor import HookHandle
from .backward_hooks import BackwardHook

__all__ = ["ModuleHooks"]


class _Flagged:
    """A forward (pre-)hook registered with `with_kwargs` or `always_call` (a plain hook is
    kept as the function itself)."""

    __slots__ = ("fn", "with_kwargs", "always_call")

    def __init__(self, fn: Callable[..., Any], with_kwargs: bool, always_call: bool = False):
        self.fn, self.with_kwargs, self.always_call = fn, with_kwargs, always_call

    def __call__(self, *args: Any) -> Any:
        return self.fn(*args)


class ModuleHooks:
    """Hook registration and the hooked call, for `Module`."""

    # Hook functions by kind: none until one is added (class defaults, so that a module whose
    # __init__ skips Module's is still callable). `_has_hooks` is set by the first hook added
    # to a module, so that a call without hooks checks one attribute.
    _has_hooks: bool = False
    _forward_pre_hooks: list | tuple = ()
    _forward_hooks: list | tuple = ()
    _backward_hooks: list | tuple = ()
    _backward_pre_hooks: list | tuple = ()
    _is_full_backward_hook: bool | None = None
    _state_dict_pre_hooks: list | tuple = ()
    _state_dict_hooks: list | tuple = ()
    _load_state_dict_pre_hooks: list | tuple = ()
    _load_state_dict_post_hooks: list | tuple = ()

    def _call_with_hooks(self, args: tuple, kwargs: dict) -> Any:
        """`forward` between the hooks, as PyTorch runs them: each pre-hook may return new
        positional arguments (one value or a tuple; with_kwargs: a pair (args, kwargs)), each
        forward hook a new output; with backward hooks, inputs and outputs pass through
        `BackwardHook`'s packing nodes. If anything raises, the forward hooks registered with
        always_call that have not run yet run (their own errors become warnings), and the
        error is raised again."""
        out, ran = None, set()
        try:
            for hook in list(self._forward_pre_hooks):  # (a hook may remove itself)
                if type(hook) is _Flagged and hook.with_kwargs:
                    new = hook.fn(self, args, kwargs)
                    if new is not None:
                        if not isinstance(new, tuple) or len(new) != 2:
                            raise RuntimeError(
                                f"{type(self).__name__}: forward pre-hook must return None or "
                                f"a tuple of (new_args, new_kwargs), but got {new}."
                            )
                        args, kwargs = new
                    continue
                new_args = hook(self, args)
                if new_args is not None:
                    args = new_args if isinstance(new_args, tuple) else (new_args,)
            bw_hook = None
            if (self._backward_hooks or self._backward_pre_hooks) and grad_mode.enabled:
                bw_hook = BackwardHook(self, self._backward_hooks, self._backward_pre_hooks)
                args = bw_hook.setup_input_hook(args)
            out = self.forward(*args, **kwargs)
            for hook in list(self._forward_hooks):
                if type(hook) is _Flagged:
                    ran.add(id(hook))
                new_out = self._run_forward_hook(hook, args, kwargs, out)
                if new_out is not None:
                    out = new_out
            if bw_hook is not None:
                out = bw_hook.setup_output_hook(out)
            return out
        except Exception:
            for hook in list(self._forward_hooks):
                if type(hook) is not _Flagged or not hook.always_call or id(hook) in ran:
                    continue
                try:
                    new_out = self._run_forward_hook(hook, args, kwargs, out)
                    if new_out is not None:
                        out = new_out
                except Exception as e:
                    warnings.warn(
                        "module forward hook with ``always_call=True`` raised an exception that "
                        f"was silenced as another error was raised in forward: {e}",
                        stacklevel=3,
                    )
            raise

    def _run_forward_hook(self, hook: Any, args: tuple, kwargs: dict, out: Any) -> Any:
        if type(hook) is _Flagged:
            return (
                hook.fn(self, args, kwargs, out) if hook.with_kwargs else hook.fn(self, args, out)
            )
        return hook(self, args, out)

    def register_forward_pre_hook(
        self, hook: Callable[..., Any], *, prepend: bool = False, with_kwargs: bool = False
    ) -> HookHandle:
        """Call `hook(module, args)` before each `forward`; it may return new positional
        arguments (None keeps them). With `with_kwargs`, `hook(module, args, kwargs)`, which may
        return a pair (new_args, new_kwargs). With `prepend` it runs before the pre-hooks
        already registered. `handle.remove()` takes it off."""
        if with_kwargs:
            HookHandle.check(hook, "register_forward_pre_hook")
            hook = _Flagged(hook, with_kwargs=True)
        return self._add_hook("_forward_pre_hooks", hook, "register_forward_pre_hook", prepend)

    def register_forward_hook(
        self,
        hook: Callable[..., Any],
        *,
        prepend: bool = False,
        with_kwargs: bool = False,
        always_call: bool = False,
    ) -> HookHandle:
        """Call `hook(module, args, output)` after each `forward`; it may return a new output
        (None keeps it). To see a layer's activations, record `output`; to see the gradient
        that reaches them in backward (the layer's delta), `output.register_hook(...)` there.
        With `with_kwargs`, `hook(module, args, kwargs, output)`; with `prepend` it runs before
        the forward hooks already registered; with `always_call` it runs even when forward (or
        a hook) raised, seeing output=None then, before the error propagates.
        `handle.remove()` takes it off."""
        if with_kwargs or always_call:
            HookHandle.check(hook, "register_forward_hook")
            hook = _Flagged(hook, with_kwargs=with_kwargs, always_call=always_call)
        return self._add_hook("_forward_hooks", hook, "register_forward_hook", prepend)

    def register_full_backward_hook(
        self, hook: Callable[..., Any], prepend: bool = False
    ) -> HookHandle:
        """Call `hook(module, grad_input, grad_output)` once per backward through each call of
        the module: grad_input holds dL/d(each positional input) (None for an input that is
        not a Tensor requiring grad), grad_output dL/d(each output). It may return a new
        grad_input (a tuple of the same length), used in its place, or None. With `prepend`
        it runs before the hooks already registered.

        Unlike PyTorch, an output or input that the loss does not reach gets zeros, not None,
        and a None that a hook returns for an input gives it a zero gradient, not none."""
        if self._is_full_backward_hook is False:
            raise RuntimeError(
                "Cannot use both regular backward hooks and full backward hooks on a "
                "single Module. Please use only one of them."
            )
        object.__setattr__(self, "_is_full_backward_hook", True)
        return self._add_hook("_backward_hooks", hook, "register_full_backward_hook", prepend)

    def register_full_backward_pre_hook(
        self, hook: Callable[..., Any], prepend: bool = False
    ) -> HookHandle:
        """Call `hook(module, grad_output)` when the gradients of the module's outputs are
        known, before those of its inputs are computed; it may return a new grad_output (a
        tuple of the same length), used in its place, or None. With `prepend` it runs before
        the hooks already registered."""
        return self._add_hook(
            "_backward_pre_hooks", hook, "register_full_backward_pre_hook", prepend
        )

    def register_backward_hook(self, hook: Callable[..., Any]) -> HookHandle:
        """Deprecated (a FutureWarning): `register_full_backward_hook`, which it behaves as
        here (PyTorch's old hook saw only the last operation of the forward, which equals the
        full hook for a module of one operation with one input and one output)."""
        warnings.warn(
            "register_backward_hook is deprecated; use register_full_backward_hook "
            "(this one behaves as it here)",
            FutureWarning,
            stacklevel=2,
        )
        if self._is_full_backward_hook is True:
            raise RuntimeError(
                "Cannot use both regular backward hooks and full backward hooks on a "
                "single Module. Please use only one of them."
            )
        object.__setattr__(self, "_is_full_backward_hook", False)
        return self._add_hook("_backward_hooks", hook, "register_backward_hook")

    def register_state_dict_pre_hook(self, hook: Callable[..., Any]) -> HookHandle:
        """Call `hook(module, prefix, keep_vars)` before `state_dict()` reads this module."""
        return self._add_hook("_state_dict_pre_hooks", hook, "register_state_dict_pre_hook")

    def register_state_dict_post_hook(self, hook: Callable[..., Any]) -> HookHandle:
        """Call `hook(module, state_dict, prefix, local_metadata)` after `state_dict()` has
        added this module's entries (and its children's); it may change `state_dict` in place
        and must return None."""
        return self._add_hook("_state_dict_hooks", hook, "register_state_dict_post_hook")

    def register_load_state_dict_pre_hook(self, hook: Callable[..., Any]) -> HookHandle:
        """Call `hook(module, state_dict, prefix, local_metadata, strict, missing_keys,
        unexpected_keys, error_msgs)` before `load_state_dict` reads this module's entries
        (parents before children); it may change `state_dict` (a copy of the one given) and
        append to the three lists (an entry in error_msgs makes loading fail)."""
        return self._add_hook(
            "_load_state_dict_pre_hooks", hook, "register_load_state_dict_pre_hook"
        )

    def register_load_state_dict_post_hook(self, hook: Callable[..., Any]) -> HookHandle:
        """Call `hook(module, incompatible_keys)` after `load_state_dict` has loaded this
        module (children before parents); it may change `incompatible_keys.missing_keys` and
        `.unexpected_keys` in place, which the `strict` check then sees. Returns None."""
        return self._add_hook(
            "_load_state_dict_post_hooks", hook, "register_load_state_dict_post_hook"
        )

    def _add_hook(
        self, attribute: str, hook: Callable[..., Any], what: str, prepend: bool = False
    ) -> HookHandle:
        if attribute not in self.__dict__:
            object.__setattr__(self, attribute, [])
        object.__setattr__(self, "_has_hooks", True)
        hooks = self.__dict__[attribute]
        HookHandle.check(hook, what)
        hooks.insert(0 if prepend else len(hooks), hook)
        return HookHandle(hooks, hook)
