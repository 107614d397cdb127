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
from ..tensor import HookHandle, Tensor
from ..torch_api.names import to_dtype

__all__ = ["Module", "Parameter", "IncompatibleKeys"]


# ---------------------------------------------------------------------------------------------
# argument checks shared by the nn files: errors name the function and the argument
# ---------------------------------------------------------------------------------------------

_INTS = (int, np.integer)
_REALS = (int, float, np.integer, np.floating)


def check_int(value: Any, what: str, name: str) -> int:
    """`value` as an int; a TypeError naming `what` and `name` if it is not an int (bools
    are not)."""
    if isinstance(value, bool) or not isinstance(value, _INTS):
        raise TypeError(f"{what}: {name} must be an int, got {value!r}")
    return int(value)


def check_real(value: Any, what: str, name: str) -> float:
    """`value` as a float; a TypeError naming `what` and `name` if it is not a real number."""
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


class Module:
    """Base class of every layer and model: subclass it, assign layers and Parameters in
    `__init__` (after `super().__init__()`), and write `forward`. Calling the module runs
    `forward`."""

    training: bool
    # `register_forward_pre_hook` / `register_forward_hook` functions: none until one is added
    # (class defaults, so that a module whose __init__ skips Module's is still callable)
    _forward_pre_hooks: list | tuple = ()
    _forward_hooks: list | tuple = ()

    def __init__(self) -> None:
        object.__setattr__(self, "training", True)
        object.__setattr__(self, "_parameters", {})
        object.__setattr__(self, "_buffers", {})
        object.__setattr__(self, "_non_persistent", {})
        object.__setattr__(self, "_modules", {})

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__}: forward() is not implemented")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self._forward_pre_hooks or self._forward_hooks:
            return self._call_with_hooks(args, kwargs)
        return self.forward(*args, **kwargs)

    def _call_with_hooks(self, args: tuple, kwargs: dict) -> Any:
        """`forward` between the hooks, as PyTorch runs them: each pre-hook may return new
        positional arguments (one value or a tuple), each forward hook a new output."""
        for hook in list(self._forward_pre_hooks):  # (a hook may remove itself)
            new_args = hook(self, args)
            if new_args is not None:
                args = new_args if isinstance(new_args, tuple) else (new_args,)
        out = self.forward(*args, **kwargs)
        for hook in list(self._forward_hooks):
            new_out = hook(self, args, out)
            if new_out is not None:
                out = new_out
        return out

    def register_forward_pre_hook(self, hook: Callable[..., Any]) -> HookHandle:
        """Call `hook(module, args)` before each `forward`; it may return new positional
        arguments (None keeps them). `handle.remove()` takes it off."""
        return self._add_hook("_forward_pre_hooks", hook, "register_forward_pre_hook")

    def register_forward_hook(self, hook: Callable[..., Any]) -> HookHandle:
        """Call `hook(module, args, output)` after each `forward`; it may return a new output
        (None keeps it). To see a layer's activations, record `output`; to see the gradient
        that reaches them in backward (the layer's delta), `output.register_hook(...)` there.
        `handle.remove()` takes it off."""
        return self._add_hook("_forward_hooks", hook, "register_forward_hook")

    def _add_hook(self, attribute: str, hook: Callable[..., Any], what: str) -> HookHandle:
        if attribute not in self.__dict__:
            object.__setattr__(self, attribute, [])
        return HookHandle.add(self.__dict__[attribute], hook, what)

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
        if not isinstance(target, str):
            raise TypeError(f"get_parameter: target must be a str, got {target!r}")
        module_path, _, name = target.rpartition(".")
        module = self.get_submodule(module_path)
        if not hasattr(module, name):
            raise AttributeError(f"{type(module).__name__} has no attribute `{name}`")
        param = getattr(module, name)
        if not isinstance(param, Parameter):
            raise AttributeError(f"`{name}` is not an nn.Parameter")
        return param

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

    def to(self, *args: Any, dtype: Any = None, device: Any = None) -> Module:
        """PyTorch's `to`, with the arguments `Tensor.to` takes: `to(dtype)`, `to("cpu")`,
        `to("cpu", dtype)`, `to(tensor)` (its dtype), or the keywords `dtype=` and `device=`.

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

    def cpu(self) -> Module:
        """Self: every parameter and buffer lives in CPU memory already."""
        return self

    def double(self) -> Module:
        return self.to(np.float64)

    def float(self) -> Module:  # noqa: A003 (PyTorch's name)
        return self.to(np.float32)

    # -- state -----------------------------------------------------------------------------

    def state_dict(self, prefix: str = "", keep_vars: bool = False) -> dict[str, Tensor]:
        """Dotted names to parameters and persistent buffers, as detached Tensors that share
        memory with the module (copy them to keep a snapshot while training goes on)."""
        out: dict[str, Tensor] = {}
        for module_name, module in self.named_modules(prefix, remove_duplicate=False):
            dot = f"{module_name}." if module_name else ""
            for name, p in module._parameters.items():
                if p is not None:
                    out[dot + name] = p if keep_vars else p.detach()
            for name, b in module._buffers.items():
                if b is not None and name not in module._non_persistent:
                    out[dot + name] = b if keep_vars else b.detach()
        return out

    def load_state_dict(self, state_dict: Any, strict: bool = True) -> IncompatibleKeys:
        """Copy values (Tensors or arrays) into the parameters and buffers, in place.

        Everything is checked before anything is written: a value whose shape differs, or
        (with `strict=True`) a missing or unexpected key, raises an error naming the keys and
        leaves the module unchanged. Values are cast to each tensor's dtype.
        """
        if not isinstance(state_dict, Mapping):
            raise TypeError(
                f"load_state_dict: expected a dict-like state_dict (names to tensors or arrays), "
                f"got {type(state_dict).__name__}"
            )
        given = dict(state_dict)
        for name, module in self.named_modules():  # lazy layers take the checkpoint's shapes
            if hasattr(module, "_materialize_from"):
                module._materialize_from(given, f"{name}." if name else "")
        own = self.state_dict(keep_vars=True)
        missing = [k for k in own if k not in given]
        unexpected = [k for k in given if k not in own]
        problems = []
        if strict and unexpected:
            problems.append("unexpected key(s) " + ", ".join(map(repr, unexpected)))
        if strict and missing:
            problems.append("missing key(s) " + ", ".join(map(repr, missing)))
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
        if problems:
            raise RuntimeError(
                f"load_state_dict: error(s) loading into {type(self).__name__} (nothing was "
                "changed):\n  " + "\n  ".join(problems)
            )
        with no_grad():
            for key, array in values.items():
                own[key].copy_(Tensor._make(array.astype(own[key].dtype, copy=False), None))
        return IncompatibleKeys(missing, unexpected)

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
