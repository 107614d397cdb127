"""The `Optimizer` base: parameter groups, per-parameter state, zero_grad, state_dict.

A subclass supplies its defaults and `_update(p, grad, state, group)`, which changes one
parameter in place; `step()` calls it, under `no_grad()`, for every parameter with a gradient.
"""

from __future__ import annotations

import functools
import math
import numbers
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from .. import grad_mode
from ..grad_mode import enable_grad
from ..tensor import HookHandle, Tensor

__all__ = ["Optimizer", "register_optimizer_step_pre_hook", "register_optimizer_step_post_hook"]

_OPTION_NAMES = {"lr": "learning rate", "eps": "epsilon value"}


def _number(value: Any) -> Any:
    """`value` as a Python int or float if it is a real number (a NumPy scalar or a 0-d float
    Tensor counts, read as its value); None otherwise (bools, strings, None, arrays...)."""
    if isinstance(value, Tensor):
        if value.ndim == 0 and value.dtype.kind == "f":
            return float(value.data)
        return None
    if isinstance(value, bool) or not isinstance(value, (numbers.Real, np.floating, np.integer)):
        return None
    return value.item() if isinstance(value, np.generic) else value


def _params_hint(params: Any) -> str:
    return "; did you mean model.parameters()?" if hasattr(params, "named_parameters") else ""


def _is_collection(params: Any) -> bool:
    """An iterable that can hold parameters or groups (not a string, a dict or a Module)."""
    return (
        isinstance(params, Iterable)
        and not isinstance(params, (str, bytes, dict))
        and not hasattr(params, "named_parameters")
    )


class Optimizer:
    """Base class of the optimisers, as PyTorch's.

    `params` is an iterable of Tensors, or of dicts (parameter groups) each with "params" and
    any options that override the optimiser's defaults, e.g.
    `SGD([{"params": body}, {"params": head, "lr": 0.1}], lr=0.01)`.

    Numeric options are checked when a group is added: each must be a finite real number in
    its range (a NumPy scalar is stored as the Python number, and a 0-d float Tensor, which
    PyTorch accepts as a learning rate, is read once as its value).
    """

    def __init__(self, params: Iterable[Any], defaults: dict[str, Any]) -> None:
        self.defaults = dict(defaults)
        # parameter -> its state; a missing one reads as a new empty dict, as PyTorch's
        # defaultdict, so that a subclass's own `step` can write `self.state[p]["buf"] = ...`
        self.state: dict[Tensor, dict[str, Any]] = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []
        if isinstance(params, Tensor):
            raise TypeError(
                f"{self._name}: params must be an iterable of Tensors or dicts, not one Tensor"
            )
        if not _is_collection(params):
            raise TypeError(
                f"{self._name}: params must be an iterable of Tensors or dicts, got "
                f"{type(params).__name__}{_params_hint(params)}"
            )
        groups = list(params)
        if not groups:
            raise ValueError(f"{self._name}: got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    @property
    def _name(self) -> str:
        return type(self).__name__

    def __repr__(self) -> str:
        lines = [f"{self._name} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {k}: {v}" for k, v in group.items() if k != "params"]
        return "\n".join(lines) + "\n)"

    def add_param_group(self, group: dict[str, Any]) -> None:
        """Add a group of parameters with its own options (the rest from the defaults)."""
        if not isinstance(group, dict):
            raise TypeError(f"{self._name}: a parameter group is a dict, got {type(group)}")
        if "params" not in group:
            raise KeyError(
                f"{self._name}: a parameter group needs the key 'params', got keys {list(group)}"
            )
        params = group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif not _is_collection(params):
            raise TypeError(
                f"{self._name}: a group's 'params' must be a Tensor or an iterable of Tensors, "
                f"got {type(params).__name__}{_params_hint(params)}"
            )
        params = list(params)
        elsewhere = {id(p) for g in self.param_groups for p in g["params"]}
        here: set[int] = set()
        for p in params:
            if not isinstance(p, Tensor):
                raise TypeError(
                    f"{self._name}: can only optimise Tensors, got {type(p).__name__}"
                    f"{_params_hint(p)}"
                )
            if not p.is_leaf:
                raise ValueError(f"{self._name}: can't optimise a non-leaf Tensor")
            if id(p) in here:
                raise ValueError(f"{self._name}: a parameter group holds the same parameter twice")
            if id(p) in elsewhere:
                raise ValueError(f"{self._name}: a parameter appears in more than one group")
            here.add(id(p))
        full = {"params": params}
        for key, value in self.defaults.items():
            full[key] = group.get(key, value)
        full.update((k, v) for k, v in group.items() if k not in full)
        self._check_group(full)
        self.param_groups.append(full)

    def _check_group(self, group: dict[str, Any]) -> None:
        """Reject invalid options (a subclass adds its own checks)."""
        self._check_option(group, "lr")
        if "weight_decay" in group:
            self._check_option(group, "weight_decay")
        self._check_implementation(group)

    def _check_implementation(self, group: dict[str, Any]) -> None:
        """PyTorch's choices of kernel: `foreach` and `fused` (None or a bool) and `capturable`
        change nothing here, where each update has one implementation, so any valid value is
        taken; `differentiable=True`, a step that autograd records (for meta-learning), is
        refused: the update runs under no_grad."""
        for key, allowed in (
            ("foreach", (None, True, False)),
            ("fused", (None, True, False)),
            ("capturable", (True, False)),
            ("differentiable", (True, False)),
        ):
            if key in group and not any(group[key] is a for a in allowed):
                kinds = "None or a bool" if None in allowed else "a bool"
                raise TypeError(f"{self._name}: {key} must be {kinds}, got {group[key]!r}")
        if group.get("foreach") and group.get("fused"):
            raise RuntimeError(f"{self._name}: `fused` and `foreach` cannot be `True` together.")
        if group.get("differentiable"):
            raise ValueError(
                f"{self._name}: differentiable=True (a step that autograd records) is not "
                "supported: the update runs under no_grad"
            )

    def _check_option(
        self, group: dict[str, Any], key: str, high: float | None = None, what: str = ""
    ) -> None:
        """`group[key]` must be a finite real number >= 0 (and < `high` if given); it is
        stored back as a Python number. TypeError for a non-number, ValueError otherwise."""
        value = group[key]
        name = what or _OPTION_NAMES.get(key, key)
        rng = f">= 0 and < {high}" if high is not None else ">= 0"
        number = _number(value)
        if number is None:
            raise TypeError(
                f"{self._name}: invalid {name}: {value!r} (expected a finite real number {rng})"
            )
        if not math.isfinite(number) or number < 0 or (high is not None and number >= high):
            raise ValueError(
                f"{self._name}: invalid {name}: {value!r} (expected a finite real number {rng})"
            )
        group[key] = number

    # -- hooks ----------------------------------------------------------------------------
    # Each kind is a list, absent (an empty class tuple) until a hook is added. `step` reads one
    # flag, `_step_hooks_on`, set by the first step hook of this optimiser or of any (global).

    _step_hooks_on: bool = False
    _optimizer_step_pre_hooks: list | tuple = ()
    _optimizer_step_post_hooks: list | tuple = ()
    _optimizer_state_dict_pre_hooks: list | tuple = ()
    _optimizer_state_dict_post_hooks: list | tuple = ()
    _optimizer_load_state_dict_pre_hooks: list | tuple = ()
    _optimizer_load_state_dict_post_hooks: list | tuple = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """A subclass's own `step` is wrapped to run the step hooks, as PyTorch does."""
        super().__init_subclass__(**kwargs)
        if "step" in cls.__dict__:
            cls.step = _with_step_hooks(cls.__dict__["step"])

    def _add_hook(self, attribute: str, hook: Any, what: str, prepend: bool = False) -> HookHandle:
        if attribute not in self.__dict__:
            setattr(self, attribute, [])
        hooks = self.__dict__[attribute]
        HookHandle.check(hook, what)
        hooks.insert(0 if prepend else len(hooks), hook)
        return HookHandle(hooks, hook)

    def register_step_pre_hook(self, hook: Callable[..., Any]) -> HookHandle:
        """Call `hook(optimizer, args, kwargs)` before each `step` (`args` starts with the
        optimiser, as `step`'s self); it may return `(new_args, new_kwargs)` for step to use,
        or None. `handle.remove()` takes it off."""
        self._step_hooks_on = True
        return self._add_hook("_optimizer_step_pre_hooks", hook, "register_step_pre_hook")

    def register_step_post_hook(self, hook: Callable[..., Any]) -> HookHandle:
        """Call `hook(optimizer, args, kwargs)` after each `step` (returns None)."""
        self._step_hooks_on = True
        return self._add_hook("_optimizer_step_post_hooks", hook, "register_step_post_hook")

    def register_state_dict_pre_hook(
        self, hook: Callable[..., Any], prepend: bool = False
    ) -> HookHandle:
        """Call `hook(optimizer)` before `state_dict()` (first if `prepend`)."""
        return self._add_hook(
            "_optimizer_state_dict_pre_hooks", hook, "register_state_dict_pre_hook", prepend
        )

    def register_state_dict_post_hook(
        self, hook: Callable[..., Any], prepend: bool = False
    ) -> HookHandle:
        """Call `hook(optimizer, state_dict)` at the end of `state_dict()`; a dict it returns
        is returned in its place (None keeps it)."""
        return self._add_hook(
            "_optimizer_state_dict_post_hooks", hook, "register_state_dict_post_hook", prepend
        )

    def register_load_state_dict_pre_hook(
        self, hook: Callable[..., Any], prepend: bool = False
    ) -> HookHandle:
        """Call `hook(optimizer, state_dict)` before `load_state_dict` reads `state_dict` (a
        shallow copy of the one given); a dict it returns is loaded instead (None keeps it)."""
        return self._add_hook(
            "_optimizer_load_state_dict_pre_hooks",
            hook,
            "register_load_state_dict_pre_hook",
            prepend,
        )

    def register_load_state_dict_post_hook(
        self, hook: Callable[..., Any], prepend: bool = False
    ) -> HookHandle:
        """Call `hook(optimizer)` after `load_state_dict` has loaded."""
        return self._add_hook(
            "_optimizer_load_state_dict_post_hooks",
            hook,
            "register_load_state_dict_post_hook",
            prepend,
        )

    # -- stepping ---------------------------------------------------------------------------

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Clear the gradients: set them to None (PyTorch's default) or to zeros."""
        for group in self.param_groups:
            for p in group["params"]:
                if set_to_none or p.grad is None:
                    p.grad = None
                else:
                    p.grad = Tensor._make(np.zeros_like(p.data), None)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient, in place. `closure`, if given,
        recomputes the loss (with gradients) first, and its result is returned."""
        if closure is not None and not callable(closure):
            raise TypeError(f"{self._name}.step: closure must be callable, got {closure!r:.60}")
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        recording = grad_mode.enabled  # no_grad() without a context object per step
        grad_mode.enabled = False
        try:
            for group in self.param_groups:
                self._step_group(group)
        finally:
            grad_mode.enabled = recording
        return loss

    def _step_group(self, group: dict[str, Any]) -> None:
        """Update the parameters of one group that have a gradient (under no_grad)."""
        for p in group["params"]:
            g = p.grad
            if g is None:
                continue
            if type(g) is not Tensor or g.data.shape != p.data.shape:
                self._bad_grad(p, g)
            state = self.state.get(p)
            if not state:  # (none yet, or an empty one made by reading self.state[p])
                state = self.state[p] = self._init_state(p, group)
            self._update(p, g.data, state, group)

    def _bad_grad(self, p: Tensor, g: Any) -> None:
        """Raise the error for a `.grad` that is not a Tensor of its parameter's shape."""
        if not isinstance(g, Tensor):
            raise TypeError(
                f"{self._name}.step: the .grad of a parameter of shape {p.shape} is a "
                f"{type(g).__name__}, not a Tensor"
            )
        if g.data.shape != p.data.shape:
            raise ValueError(
                f"{self._name}.step: a parameter of shape {p.shape} has a .grad of shape "
                f"{g.shape}; a gradient must have its parameter's shape"
            )

    # State entries kept as Python floats (besides the int "step"), e.g. NAdam's mu_product.
    _float_state: tuple[str, ...] = ()

    def _init_state(self, p: Tensor, group: dict[str, Any]) -> dict[str, Any]:
        return {}

    def _update(self, p: Tensor, grad: np.ndarray, state: dict, group: dict) -> None:
        raise NotImplementedError

    # -- state ------------------------------------------------------------------------------

    def _all_params(self) -> list[Tensor]:
        return [p for group in self.param_groups for p in group["params"]]

    def state_dict(self) -> dict[str, Any]:
        """{"state": {index: {name: value}}, "param_groups": [{options, "params": [index]}]},
        parameters numbered in group order as PyTorch does. The state's Tensors share memory
        with the optimiser; `td.save` the dict to checkpoint it. State-dict hooks run around
        it (`register_state_dict_pre_hook`, `register_state_dict_post_hook`)."""
        for hook in list(self._optimizer_state_dict_pre_hooks):
            hook(self)
        out = self._state_dict()
        for hook in list(self._optimizer_state_dict_post_hooks):
            result = hook(self, out)
            if result is not None:
                out = result
        return out

    def _state_dict(self) -> dict[str, Any]:
        index = {id(p): i for i, p in enumerate(self._all_params())}
        state = {
            index[id(p)]: {k: (v.detach() if isinstance(v, Tensor) else v) for k, v in s.items()}
            for p, s in self.state.items()
            if s  # (an empty entry is one that was only read: PyTorch's defaultdict too)
        }
        groups, start = [], 0
        for group in self.param_groups:
            options = dict(group)
            options["params"] = list(range(start, start + len(group["params"])))
            start += len(group["params"])
            groups.append(options)
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore options and state saved by `state_dict` (Tensors or arrays, e.g. from
        `td.load`) onto this optimiser's parameters, so that training resumes exactly.
        Everything is checked first: on an error nothing changes. Load pre-hooks may replace
        the dict first; post-hooks run after loading."""
        if self._optimizer_load_state_dict_pre_hooks:
            state_dict = dict(state_dict) if isinstance(state_dict, dict) else state_dict
            for hook in list(self._optimizer_load_state_dict_pre_hooks):
                result = hook(self, state_dict)
                if result is not None:
                    state_dict = result
        self._load_state_dict(state_dict)
        for hook in list(self._optimizer_load_state_dict_post_hooks):
            hook(self)

    def _load_state_dict(self, state_dict: dict[str, Any]) -> None:
        groups = state_dict.get("param_groups") if isinstance(state_dict, dict) else None
        saved_state = state_dict.get("state", {}) if isinstance(state_dict, dict) else None
        if not isinstance(groups, (list, tuple)) or not isinstance(saved_state, dict):
            raise ValueError(f"{self._name}.load_state_dict: expected 'state' and 'param_groups'")
        if len(groups) != len(self.param_groups):
            raise ValueError(
                f"{self._name}.load_state_dict: the saved state has {len(groups)} parameter "
                f"group(s), this optimiser has {len(self.param_groups)}"
            )
        for i, (saved, own) in enumerate(zip(groups, self.param_groups)):
            if len(saved["params"]) != len(own["params"]):
                raise ValueError(
                    f"{self._name}.load_state_dict: group {i} has {len(saved['params'])} "
                    f"parameter(s) in the saved state, {len(own['params'])} here"
                )
        params = self._all_params()
        by_saved_id, group_of = {}, {}
        merged_groups = []
        for saved, own in zip(groups, self.param_groups):
            merged = dict(own)
            for k, v in saved.items():
                if k != "params":
                    merged[k] = tuple(v) if isinstance(own.get(k), tuple) else _scalar(v)
            self._check_group(merged)  # the saved options must be valid here too
            merged_groups.append(merged)
            by_saved_id.update(zip((int(i) for i in saved["params"]), own["params"]))
            group_of.update((id(p), merged) for p in own["params"])
        new_state: dict[Tensor, dict[str, Any]] = {}
        custom = self._custom_state()
        for key, values in saved_state.items():
            p = by_saved_id.get(int(key))
            if p is None:
                raise ValueError(f"{self._name}.load_state_dict: state for unknown param {key}")
            if isinstance(values, dict) and not values:  # only read, never filled (PyTorch's)
                continue
            expected = sorted(self._init_state(p, group_of[id(p)]))
            if not isinstance(values, dict) or (sorted(values) != expected and not custom):
                found = sorted(values) if isinstance(values, dict) else type(values).__name__
                raise ValueError(
                    f"{self._name}.load_state_dict: the saved state of parameter {key} has "
                    f"entries {found}, but {self._name} keeps {expected} (was it saved by "
                    "another optimiser, or with other options?)"
                )
            new_state[p] = {name: self._restore(p, name, v) for name, v in values.items()}
        # Everything checked: apply.
        for merged, own in zip(merged_groups, self.param_groups):
            own.update((k, v) for k, v in merged.items() if k != "params")
        self.state = defaultdict(dict, ((p, new_state[p]) for p in params if p in new_state))

    def _custom_state(self) -> bool:
        """Whether this is a subclass with its own `step` and state (PyTorch's way of writing
        an optimiser), whose state entries are its own business: no fixed names or shapes."""
        return type(self)._init_state is Optimizer._init_state

    def _restore(self, p: Tensor, name: str, value: Any) -> Any:
        """A saved state entry as this optimiser keeps it: arrays copied into Tensors (of the
        parameter's dtype when floating and of its shape), counts as ints."""
        if value is None or isinstance(value, (bool, int, float)):
            return value
        custom = self._custom_state()  # its entries come back as they were saved
        if custom and not isinstance(value, (Tensor, np.ndarray)):
            return value
        array = np.asarray(value.data if isinstance(value, Tensor) else value)
        if not custom:
            if name == "step":
                return int(array)
            if name in self._float_state:
                return float(array)
            if array.shape != p.shape:
                raise ValueError(
                    f"{self._name}.load_state_dict: state {name!r} has shape {array.shape}, "
                    f"its parameter has shape {p.shape}"
                )
        floating = array.dtype.kind == "f" and not (custom and name == "step")
        dtype = p.dtype if floating else array.dtype  # (a custom tensor "step" keeps its own)
        return Tensor._make(np.array(array, dtype=dtype, copy=True), None)


def _scalar(value: Any) -> Any:
    """Saved options come back from `td.load` as Python scalars or 0-d arrays; unwrap those."""
    if isinstance(value, Tensor):
        value = value.data
    if isinstance(value, np.ndarray) and value.ndim == 0:
        return value.item()
    return value


# ---------------------------------------------------------------------------------------------
# step hooks: every optimiser's, and this optimiser's
# ---------------------------------------------------------------------------------------------

_global_step_pre_hooks: list = []
_global_step_post_hooks: list = []


def register_optimizer_step_pre_hook(hook: Callable[..., Any]) -> HookHandle:
    """Call `hook(optimizer, args, kwargs)` before the `step` of every optimiser (before its
    own pre-hooks); it may return `(new_args, new_kwargs)`, or None."""
    Optimizer._step_hooks_on = True
    return HookHandle.add(_global_step_pre_hooks, hook, "register_optimizer_step_pre_hook")


def register_optimizer_step_post_hook(hook: Callable[..., Any]) -> HookHandle:
    """Call `hook(optimizer, args, kwargs)` after the `step` of every optimiser (after its own
    post-hooks)."""
    Optimizer._step_hooks_on = True
    return HookHandle.add(_global_step_post_hooks, hook, "register_optimizer_step_post_hook")


def _with_step_hooks(step: Callable[..., Any]) -> Callable[..., Any]:
    """`step` behind one check: with step hooks registered, run it between them."""

    @functools.wraps(step)
    def hooked_step(self: Optimizer, *args: Any, **kwargs: Any) -> Any:
        if not self._step_hooks_on or self.__dict__.get("_in_hooked_step"):
            return step(self, *args, **kwargs)
        return _run_step_hooks(self, step, args, kwargs)

    return hooked_step


def _run_step_hooks(opt: Optimizer, step: Callable[..., Any], args: tuple, kwargs: dict) -> Any:
    """PyTorch's order: global pre-hooks, own pre-hooks, step, own post-hooks, global ones.
    As in PyTorch, the hooks' `args` start with the optimiser itself (`step`'s self).
    (A subclass's step calling super().step() runs the hooks once.)"""
    args = (opt, *args)
    for hook in [*_global_step_pre_hooks, *opt._optimizer_step_pre_hooks]:
        result = hook(opt, args, kwargs)
        if result is None:
            continue
        if not (isinstance(result, tuple) and len(result) == 2):
            raise RuntimeError(
                f"{type(opt).__name__}.step: a step pre-hook must return None or a tuple of "
                f"(new_args, new_kwargs), but got {result!r:.80}"
            )
        args, kwargs = result
    opt._in_hooked_step = True
    try:
        out = step(*args, **kwargs)
    finally:
        del opt._in_hooked_step
    for hook in [*opt._optimizer_step_post_hooks, *_global_step_post_hooks]:
        hook(opt, args, kwargs)
    return out


Optimizer.step = _with_step_hooks(Optimizer.step)  # type: ignore[method-assign]
