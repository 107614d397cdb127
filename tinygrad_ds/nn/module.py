"""`Module` and `Parameter`: models as trees of layers whose weights are found by name.

A Module registers what is assigned to its attributes, in assignment order, into three ordered
dicts: `Parameter`s (`_parameters`), sub-`Module`s (`_modules`) and buffers (`_buffers`, tensors
that are state but not trained, such as running statistics, registered with `register_buffer`).
Names are dotted as PyTorch gives them ("0.weight", "encoder.bias").
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any, NamedTuple

import numpy as np

from ..grad_mode import no_grad
from ..tensor import Tensor
from ..torch_api.names import to_dtype
from .module_hooks import ModuleHooks

__all__ = ["Module", "Parameter", "IncompatibleKeys"]

_EXTRA_STATE = "_extra_state"  # the state_dict key suffix of get_extra_state's value


# ---------------------------------------------------------------------------------------------
# argument checks shared by the nn files: errors name the function and the argument
# ---------------------------------------------------------------------------------------------

_INTS = (int, np.integer)
_REALS = (int, float, np.integer, np.floating)


def check_int(value: Any, what: str, name: str) -> int:
    """`value` as an int; a TypeError naming `what` and `name` if it is not an int (bools
    are not)."""
    if type(value) is int:  # (the common case, without the isinstance checks)
        return value
    if isinstance(value, bool) or not isinstance(value, _INTS):
        raise TypeError(f"{what}: {name} must be an int, got {value!r}")
    return int(value)


def check_real(value: Any, what: str, name: str) -> float:
    """`value` as a float; a TypeError naming `what` and `name` if it is not a real number."""
    if type(value) is float:  # (the common case, without the isinstance checks)
        return value
    if isinstance(value, bool) or not isinstance(value, _REALS):
        raise TypeError(f"{what}: {name} must be a number, got {value!r}")
    return float(value)


# ---------------------------------------------------------------------------------------------
# Parameter
# ---------------------------------------------------------------------------------------------


class Parameter(Tensor):
    """A Tensor that is a module's weight: it requires grad and modules register it.

    `Parameter(data)` shares memory with `data` (an array or Tensor) as PyTorch's does; without
    data it is an empty float tensor. Optimisers change it in place under `no_grad()`.
    """

    __slots__ = ()

    def __init__(self, data: Any = None, requires_grad: bool = True) -> None:
        from ..dtypes import get_default_dtype

        if data is None:
            data = np.empty((0,), dtype=get_default_dtype())
        super().__init__(data.data if isinstance(data, Tensor) else data)
        if requires_grad:
            self.requires_grad_(True)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()


# ---------------------------------------------------------------------------------------------
# Module
# ---------------------------------------------------------------------------------------------


class IncompatibleKeys(NamedTuple):
    """What `load_state_dict(strict=False)` skipped."""

    missing_keys: list[str]
    unexpected_keys: list[str]


class Module(ModuleHooks):
    """Base class of every layer and model: subclass it, assign layers and Parameters in
    `__init__` (after `super().__init__()`), and write `forward`. Calling the module runs
    `forward` (between its hooks, if any: module_hooks.py)."""

    training: bool

    def __init__(self) -> None:
        object.__setattr__(self, "training", True)
        object.__setattr__(self, "_parameters", {})
        object.__setattr__(self, "_buffers", {})
        object.__setattr__(self, "_non_persistent", {})
        object.__setattr__(self, "_modules", {})

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__}: forward() is not implemented")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self._has_hooks:
            return self._call_with_hooks(args, kwargs)
        return self.forward(*args, **kwargs)

    # -- registration ----------------------------------------------------------------------

    def _registries(self, name: str) -> tuple[dict, dict, dict]:
        try:
            return self._parameters, self._buffers, self._modules
        except AttributeError:
            raise AttributeError(
                f"cannot assign {name!r} before Module.__init__() is called "
                f"(call super().__init__() first in {type(self).__name__}.__init__)"
            ) from None

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, Parameter):
            params, buffers, modules = self._registries(name)
            buffers.pop(name, None)
            modules.pop(name, None)
            params[name] = value
        elif isinstance(value, Module):
            params, buffers, modules = self._registries(name)
            params.pop(name, None)
            buffers.pop(name, None)
            modules[name] = value
        elif name in self.__dict__.get("_parameters", ()):
            if value is not None:
                raise TypeError(
                    f"cannot assign {type(value).__name__} as parameter {name!r} of "
                    f"{type(self).__name__} (wrap it in nn.Parameter, or assign None)"
                )
            self._parameters[name] = None
        elif name in self.__dict__.get("_buffers", ()):
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(
                    f"cannot assign {type(value).__name__} as buffer {name!r} of "
                    f"{type(self).__name__} (a Tensor or None is expected)"
                )
            self._buffers[name] = value
        elif name in self.__dict__.get("_modules", ()):
            if value is not None:
                raise TypeError(
                    f"cannot assign {type(value).__name__} as child module {name!r} of "
                    f"{type(self).__name__} (a Module or None is expected)"
                )
            self._modules[name] = None
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        for registry in (self._parameters, self._buffers, self._modules):
            registry.pop(name, None)
        self._non_persistent.pop(name, None)
        object.__delattr__(self, name)

    def register_parameter(self, name: str, param: Tensor | None) -> None:
        """Register `param` (a Parameter, or None for an absent one such as `bias=False`)."""
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"register_parameter: {name!r} must be a Parameter or None")
        self._check_name(name, "register_parameter")
        self._parameters[name] = param
        object.__setattr__(self, name, param)

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """Register a tensor that is state but not trained (running statistics); it is saved
        in `state_dict()` unless `persistent=False`, and converted by `to(dtype)`."""
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"register_buffer: {name!r} must be a Tensor or None")
        self._check_name(name, "register_buffer")
        self._parameters.pop(name, None)
        self._modules.pop(name, None)
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent.pop(name, None)
        else:
            self._non_persistent[name] = True
        object.__setattr__(self, name, tensor)

    def add_module(self, name: str, module: Module | None) -> None:
        """Register `module` as the child `name` (as assigning `self.name = module` does)."""
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"add_module: {name!r} must be a Module or None")
        self._check_name(name, "add_module")
        self._parameters.pop(name, None)
        self._buffers.pop(name, None)
        self._modules[name] = module
        object.__setattr__(self, name, module)

    register_module = add_module

    def _check_name(self, name: str, what: str) -> None:
        self._registries(name)
        if not isinstance(name, str) or not name or "." in name:
            raise KeyError(f"{what}: name must be a non-empty string without '.', got {name!r}")

    # -- walking the tree ------------------------------------------------------------------

    def named_modules(
        self, prefix: str = "", remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Module]]:
        """This module and every descendant, depth first, with dotted names (a module reached
        twice is given once unless `remove_duplicate=False`)."""
        seen: dict[int, bool] = {}
        stack: list[tuple[str, Module]] = [(prefix, self)]
        while stack:
            name, module = stack.pop()
            if remove_duplicate and id(module) in seen:
                continue
            seen[id(module)] = True
            yield name, module
            children = [(f"{name}.{n}" if name else n, m) for n, m in module._modules.items() if m]
            stack.extend(reversed(children))

    def modules(self) -> Iterator[Module]:
        for _, m in self.named_modules():
            yield m

    def named_children(self) -> Iterator[tuple[str, Module]]:
        for name, m in self._modules.items():
            if m is not None:
                yield name, m

    def children(self) -> Iterator[Module]:
        for _, m in self.named_children():
            yield m

    def get_submodule(self, target: str) -> Module:
        """The submodule at dotted path `target` ("" is self), e.g. "encoder.0"; an
        AttributeError names the first part that is missing or not a Module."""
        if not isinstance(target, str):
            raise TypeError(f"get_submodule: target must be a str, got {target!r}")
        module: Any = self
        for item in target.split(".") if target else []:
            if not hasattr(module, item):
                raise AttributeError(f"{type(module).__name__} has no attribute `{item}`")
            module = getattr(module, item)
            if not isinstance(module, Module):
                raise AttributeError(f"`{item}` is not an nn.Module")
        return module

    def get_parameter(self, target: str) -> Parameter:
        """The Parameter at dotted path `target`, e.g. "encoder.0.weight" (as in
        `named_parameters()`); an AttributeError names what is missing or not a Parameter."""
        module, name = self._owner_of(target, "get_parameter")
        param = getattr(module, name)
        if not isinstance(param, Parameter):
            raise AttributeError(f"`{name}` is not an nn.Parameter")
        return param

    def get_buffer(self, target: str) -> Tensor:
        """The buffer at dotted path `target`, e.g. "bn.running_mean" (as in
        `named_buffers()`); an AttributeError names what is missing or not a buffer."""
        module, name = self._owner_of(target, "get_buffer")
        if name not in module._buffers:
            raise AttributeError(f"`{name}` is not a buffer")
        return module._buffers[name]

    def _owner_of(self, target: str, what: str) -> tuple[Module, str]:
        """(the submodule that holds dotted path `target`, the last name), that name checked to
        exist there: get_parameter's and get_buffer's common walk."""
        if not isinstance(target, str):
            raise TypeError(f"{what}: target must be a str, got {target!r}")
        module_path, _, name = target.rpartition(".")
        module = self.get_submodule(module_path)
        if not hasattr(module, name):
            raise AttributeError(f"{type(module).__name__} has no attribute `{name}`")
        return module, name

    def set_submodule(self, target: str, module: Module, strict: bool = False) -> None:
        """Put `module` at dotted path `target` ("encoder.0"), replacing the submodule there
        or (unless `strict`) adding it to an existing parent; an attribute there that is not
        a Module is an AttributeError, as in PyTorch."""
        if target == "":
            raise ValueError("set_submodule: cannot set the submodule without a target name")
        if not isinstance(module, Module):
            raise ValueError(f"set_submodule: module must be an nn.Module, got {type(module)}")
        parent_path, _, name = target.rpartition(".")
        parent = self.get_submodule(parent_path)
        if strict and not hasattr(parent, name):
            raise AttributeError(f"{type(parent).__name__} has no attribute `{name}`")
        if hasattr(parent, name) and not isinstance(getattr(parent, name), Module):
            raise AttributeError(f"`{name}` is not an nn.Module")
        setattr(parent, name, module)

    def _named_members(
        self, members: Callable[[Module], dict], prefix: str, recurse: bool
    ) -> Iterator[tuple]:
        seen: dict[int, bool] = {}
        modules = self.named_modules(prefix) if recurse else [(prefix, self)]
        for module_name, module in modules:
            for name, t in members(module).items():
                if t is None or id(t) in seen:
                    continue
                seen[id(t)] = True
                yield (f"{module_name}.{name}" if module_name else name), t

    def named_parameters(self, prefix: str = "", recurse: bool = True) -> Iterator[tuple]:
        """(dotted name, Parameter) pairs, each parameter once even if shared."""
        return self._named_members(lambda m: m._parameters, prefix, recurse)

    def parameters(self, recurse: bool = True) -> Iterator[Tensor]:
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(self, prefix: str = "", recurse: bool = True) -> Iterator[tuple]:
        return self._named_members(lambda m: m._buffers, prefix, recurse)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    def apply(self, fn: Callable[[Module], Any]) -> Module:
        """Call `fn` on every submodule (children first) and on self, as PyTorch does."""
        for m in self.children():
            m.apply(fn)
        fn(self)
        return self

    # -- modes and gradients ---------------------------------------------------------------

    def train(self, mode: bool = True) -> Module:
        """Training mode (Dropout drops, BatchNorm uses batch statistics) for the whole tree."""
        for m in self.modules():
            object.__setattr__(m, "training", bool(mode))
        return self

    def eval(self) -> Module:  # noqa: A003 (PyTorch's name)
        return self.train(False)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Clear every parameter's `.grad` (None by default, as PyTorch; or zeros)."""
        for p in self.parameters():
            if set_to_none or p.grad is None:
                p.grad = None
            else:
                p.grad = Tensor._make(np.zeros_like(p.data), None)

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    # -- dtype and device ------------------------------------------------------------------

    def to(self, *args: Any, dtype: Any = None, device: Any = None,
           non_blocking: bool = False) -> Module:  # fmt: skip
        """PyTorch's `to`, with the arguments `Tensor.to` takes: `to(dtype)`, `to("cpu")`,
        `to("cpu", dtype)`, `to(tensor)` (its dtype), or the keywords `dtype=` and `device=`
        (`non_blocking` changes nothing: there is no transfer).

        Floating parameters and buffers (and their grads) are converted to a floating `dtype`
        in place, so that optimisers holding the parameters keep working. Everything lives on
        the CPU: "cpu" is a no-op, any other device an error."""
        dtype = to_dtype(args, dtype, device, "Module.to")  # read as Tensor.to reads them
        if dtype is None:
            return self
        if dtype.kind != "f":
            raise TypeError(f"Module.to: expected a floating dtype, got {dtype}")
        for t in list(self.parameters()) + list(self.buffers()):
            if t.data.dtype.kind == "f" and t.data.dtype != dtype:
                t.data = t.data.astype(dtype)
                t._version[0] += 1
                if t.grad is not None:
                    t.grad = Tensor._make(t.grad.data.astype(dtype), None)
        return self

    def half(self) -> Module:
        """Floating parameters and buffers to float16 (NumPy computes in it, slowly)."""
        return self.to(np.float16)

    def type(self, dst_type: Any) -> Module:  # noqa: A003 (PyTorch's name)
        """Every floating parameter and buffer to `dst_type` (a floating dtype or its name,
        e.g. td.float64 or "float64"); PyTorch's also casts integer tensors, which Module.to
        here leaves alone."""
        try:
            dtype = np.dtype(to_dtype((dst_type,), None, None, "Module.type"))
        except (TypeError, ValueError) as e:
            raise TypeError(f"Module.type: cannot read {dst_type!r} as a dtype ({e})") from None
        return self.to(dtype)

    def to_empty(self, *, device: Any = None, recurse: bool = True) -> Module:
        """Self: PyTorch moves the storage to `device` uninitialised; everything here lives in
        CPU memory already (a device other than "cpu" is an error)."""
        to_dtype((), None, device, "Module.to_empty")
        return self

    def share_memory(self) -> Module:
        """Self: tensors here are NumPy arrays in this process (no multiprocessing sharing)."""
        return self

    def cpu(self) -> Module:
        """Self: every parameter and buffer lives in CPU memory already."""
        return self

    def cuda(self, device: Any = None) -> Module:
        """An error: tinygrad_ds runs on the CPU only (`td.cuda.is_available()` is False)."""
        to_dtype((), None, "cuda" if device is None else device, "Module.cuda")
        raise ValueError(f"Module.cuda: expected a cuda device, got {device!r}")

    def double(self) -> Module:
        return self.to(np.float64)

    def float(self) -> Module:  # noqa: A003 (PyTorch's name)
        return self.to(np.float32)

    # -- state -----------------------------------------------------------------------------

    def state_dict(self, prefix: str = "", keep_vars: bool = False) -> dict[str, Any]:
        """Dotted names to parameters and persistent buffers, as detached Tensors that share
        memory with the module (copy them to keep a snapshot while training goes on), and
        `<prefix>_extra_state` for each module that defines `get_extra_state`.

        Each module's state-dict pre-hooks run before it is read and its post-hooks after it
        and its children are (as PyTorch's `state_dict` recursion)."""
        out: dict[str, Any] = {}
        self._save_tree(out, prefix + "." if prefix else "", keep_vars)
        return out

    def _save_tree(self, out: dict, prefix: str, keep_vars: bool) -> None:
        for hook in list(self._state_dict_pre_hooks):
            hook(self, prefix, keep_vars)
        for name, p in self._parameters.items():
            if p is not None:
                out[prefix + name] = p if keep_vars else p.detach()
        for name, b in self._buffers.items():
            if b is not None and name not in self._non_persistent:
                out[prefix + name] = b if keep_vars else b.detach()
        if _has_own(self, "get_extra_state"):
            out[prefix + _EXTRA_STATE] = self.get_extra_state()
        for name, m in self._modules.items():
            if m is not None:
                m._save_tree(out, prefix + name + ".", keep_vars)
        for hook in list(self._state_dict_hooks):
            if hook(self, out, prefix, {"version": 1}) is not None:
                raise RuntimeError(
                    "state_dict: a state_dict post-hook must return None (change the "
                    "state_dict in place)"
                )

    def get_extra_state(self) -> Any:
        """Extra state (any picklable object) to save as `<prefix>_extra_state` in
        `state_dict()`: define it, with `set_extra_state`, in a module that has some."""
        raise RuntimeError(
            f"{type(self).__name__}.get_extra_state: not defined (define get_extra_state and "
            "set_extra_state in a module that has extra state)"
        )

    def set_extra_state(self, state: Any) -> None:
        """Restore what `get_extra_state` returned, from `load_state_dict`."""
        raise RuntimeError(
            f"{type(self).__name__}.set_extra_state: not defined (define get_extra_state and "
            "set_extra_state in a module that has extra state)"
        )

    def load_state_dict(self, state_dict: Any, strict: bool = True) -> IncompatibleKeys:
        """Copy values (Tensors or arrays) into the parameters and buffers, in place, and
        pass each `<prefix>_extra_state` to that module's `set_extra_state`.

        Everything is checked before anything is written: a value whose shape differs, or
        (with `strict=True`) a missing or unexpected key, raises an error naming the keys and
        leaves the module unchanged. Values are cast to each tensor's dtype. Load pre-hooks
        run first (parents before children) on a copy of `state_dict`; post-hooks run after
        loading (children first) and may edit the missing and unexpected keys, so a module
        with post-hooks is loaded before the `strict` check, as in PyTorch. (PyTorch runs a
        module's post-hooks before the next sibling's pre-hooks; here every pre-hook runs
        first, since the whole state_dict is checked before anything is written.)
        """
        if not isinstance(state_dict, Mapping):
            raise TypeError(
                f"load_state_dict: expected a dict-like state_dict (names to tensors or arrays), "
                f"got {type(state_dict).__name__}"
            )
        given = dict(state_dict)
        tree = [(f"{n}." if n else "", m) for n, m in self.named_modules(remove_duplicate=False)]
        missing: list[str] = []
        unexpected: list[str] = []
        problems: list[str] = []  # error_msgs, as the load pre-hooks see them
        for prefix, module in tree:
            for hook in list(module._load_state_dict_pre_hooks):
                hook(module, given, prefix, {"version": 1}, strict, missing, unexpected, problems)
            if hasattr(module, "_materialize_from"):  # lazy layers take the checkpoint's shapes
                module._materialize_from(given, prefix)
        own = self._own_tensors()
        extra = {p + _EXTRA_STATE: m for p, m in tree if _has_own(m, "set_extra_state")}
        missing += [k for k in (*own, *extra) if k not in given and k not in missing]
        unexpected += [k for k in given if k not in own and k not in extra]
        values: dict[str, np.ndarray] = {}
        for key, target in own.items():
            if key not in given:
                continue
            value = given[key]
            array = np.asarray(value.data if isinstance(value, Tensor) else value)
            if array.dtype.kind not in "biuf":
                problems.append(f"{key!r} holds a value of dtype {array.dtype}, not numbers")
            elif array.shape != target.shape:
                problems.append(
                    f"size mismatch for {key!r}: the checkpoint has shape {array.shape}, "
                    f"the model has shape {target.shape}"
                )
            else:
                values[key] = array
        post_hooks = any(m._load_state_dict_post_hooks for _, m in tree)
        if problems or (strict and not post_hooks and (missing or unexpected)):
            _raise_load_errors(self, problems, strict, missing, unexpected, "nothing was changed")
        with no_grad():
            for key, array in values.items():
                own[key].copy_(Tensor._make(array.astype(own[key].dtype, copy=False), None))
        for key, module in extra.items():
            if key in given:
                module.set_extra_state(given[key])
        keys = IncompatibleKeys(missing, unexpected)
        if post_hooks:
            for module in self._post_order():
                for hook in list(module._load_state_dict_post_hooks):
                    if hook(module, keys) is not None:
                        raise RuntimeError(
                            "load_state_dict: a load_state_dict post-hook must return None "
                            "(change incompatible_keys in place)"
                        )
            if strict and (missing or unexpected):
                _raise_load_errors(self, [], strict, missing, unexpected, "the rest was loaded")
        return keys

    def _own_tensors(self) -> dict[str, Tensor]:
        """Dotted names to the parameters and persistent buffers (no hooks, no extra state)."""
        out: dict[str, Tensor] = {}
        for module_name, module in self.named_modules(remove_duplicate=False):
            dot = f"{module_name}." if module_name else ""
            for name, p in module._parameters.items():
                if p is not None:
                    out[dot + name] = p
            for name, b in module._buffers.items():
                if b is not None and name not in module._non_persistent:
                    out[dot + name] = b
        return out

    def _post_order(self) -> Iterator[Module]:
        """Every module of the tree, each after its children (as PyTorch's load recursion)."""
        for m in self._modules.values():
            if m is not None:
                yield from m._post_order()
        yield self

    # -- description -----------------------------------------------------------------------

    def extra_repr(self) -> str:
        """The options shown in this module's line of the repr, e.g. "in_features=2, ..."."""
        return ""

    def __repr__(self) -> str:
        lines = []
        for name, m in self._modules.items():
            child = repr(m).replace("\n", "\n  ")
            lines.append(f"({name}): {child}")
        head = f"{type(self).__name__}({self.extra_repr()}"
        if not lines:
            return head + ")"
        return head + "\n  " + "\n  ".join(lines) + "\n)"


def _has_own(module: Module, method: str) -> bool:
    """Whether `module`'s class defines `method` itself rather than inheriting Module's."""
    return getattr(type(module), method) is not getattr(Module, method)


def _raise_load_errors(
    module: Module, problems: list, strict: bool, missing: list, unexpected: list, what: str
) -> None:
    keys = []
    if strict and unexpected:
        keys.append("unexpected key(s) " + ", ".join(map(repr, unexpected)))
    if strict and missing:
        keys.append("missing key(s) " + ", ".join(map(repr, missing)))
    problems = keys + list(problems)
    raise RuntimeError(
        f"load_state_dict: error(s) loading into {type(module).__name__} ({what}):\n  "
        + "\n  ".join(problems)
    )
