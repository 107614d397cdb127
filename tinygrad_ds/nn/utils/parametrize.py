"""Parametrizations, as PyTorch's `nn.utils.parametrize`: a module's tensor computed from
other tensors each time it is read.

`register_parametrization(layer, "weight", P)` moves the weight to
`layer.parametrizations.weight.original` and makes `layer.weight` a property that returns
P(original) (then the next parametrization's output, and so on); assigning `layer.weight = W`
stores P.right_inverse(W) in the original. The property lives on a subclass made for the
module alone (`Parametrized<Class>`), as PyTorch does, so other instances are untouched.
The state_dict keys are PyTorch's ("parametrizations.weight.original"; "original0",
"original1", ... when right_inverse returns several tensors).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np

from ...grad_mode import no_grad
from ...tensor import Tensor
from ..containers import ModuleDict, ModuleList
from ..module import Module, Parameter

__all__ = [
    "register_parametrization", "remove_parametrizations", "is_parametrized", "cached",
    "type_before_parametrizations", "ParametrizationList",
]  # fmt: skip

_cache_enabled = 0
_cache: dict[tuple[int, str], Tensor] = {}


@contextmanager
def cached() -> Iterator[None]:
    """Within this context each parametrized tensor is computed once, on its first read, and
    the same Tensor is returned after (useful when a weight is read at every step of an
    RNN); the cache is cleared on leaving."""
    global _cache_enabled
    _cache_enabled += 1
    try:
        yield
    finally:
        _cache_enabled -= 1
        if not _cache_enabled:
            _cache.clear()


def _register(module: Module, name: str, value: Tensor) -> None:
    """Register `value` as a parameter if it is a Parameter, else as a buffer."""
    if isinstance(value, Parameter):
        module.register_parameter(name, value)
    else:
        module.register_buffer(name, value)


def _set_in_place(original: Tensor, new: Tensor) -> None:
    """original's memory replaced by new's values (the same Tensor object, so optimisers
    holding it keep working), as PyTorch's `set_`."""
    with no_grad():
        original.data = np.array(new.data, dtype=new.data.dtype)
        original._version[0] += 1


class ParametrizationList(ModuleList):
    """The parametrizations of one tensor, in order, and the unconstrained tensor(s) they
    map: `original` (or `original0`, `original1`, ... if the first parametrization's
    right_inverse returns a tuple). Calling it gives the parametrized tensor."""

    def __init__(self, modules: Sequence[Module], original: Tensor, unsafe: bool = False) -> None:
        super().__init__(modules)
        self.unsafe = unsafe
        shape, dtype = original.shape, original.dtype
        with no_grad():
            new = original
            for module in reversed(list(self)):
                if hasattr(module, "right_inverse"):
                    try:
                        new = module.right_inverse(new)
                    except NotImplementedError:  # then the original is kept, as PyTorch
                        pass
        if not isinstance(new, (Tensor, tuple, list)):
            raise ValueError(
                "register_parametrization: 'right_inverse' must return a Tensor or a sequence "
                f"of tensors (list, tuple...), got {type(new).__name__}"
            )
        self.is_tensor = isinstance(new, Tensor)
        self.ntensors = 1 if self.is_tensor else len(new)
        if self.is_tensor:
            if not unsafe and (new.dtype != dtype or new.shape != shape):
                raise ValueError(
                    "register_parametrization: when `right_inverse` outputs one tensor, it may "
                    f"not change the dtype or shape; original {dtype} {shape}, right_inverse "
                    f"gives {new.dtype} {new.shape}"
                )
            _set_in_place(original, new)
            _register(self, "original", original)
        else:
            for i, t in enumerate(new):
                if not isinstance(t, Tensor):
                    raise ValueError(f"register_parametrization: 'right_inverse' must return a "
                                     f"sequence of tensors; item {i} is a "
                                     f"{type(t).__name__}")  # fmt: skip
                if isinstance(original, Parameter):
                    t = Parameter(t.detach().clone(), original.requires_grad)
                _register(self, f"original{i}", t)
        if not unsafe:
            z = self()
            if not isinstance(z, Tensor):
                raise ValueError(f"register_parametrization: a parametrization must return a "
                                 f"Tensor, got {type(z).__name__}")  # fmt: skip
            if z.dtype != dtype or z.shape != shape:
                raise ValueError(
                    "register_parametrization: registering a parametrization may not change "
                    "the shape or dtype of the tensor, unless `unsafe` flag is enabled; "
                    f"unparametrized {dtype} {shape}, parametrized {z.dtype} {z.shape}"
                )

    def right_inverse(self, value: Tensor) -> None:
        """Store the right inverse of `value` through the parametrizations, last to first, in
        the original tensor(s), in place."""
        value = value if isinstance(value, Tensor) else Tensor(value)
        with no_grad():
            for module in reversed(list(self)):
                if not hasattr(module, "right_inverse"):
                    raise RuntimeError(f"parametrization {type(module).__name__} does not "
                                       "implement right_inverse")  # fmt: skip
                value = module.right_inverse(value)
            if self.is_tensor:
                if not isinstance(value, Tensor):
                    raise ValueError(f"right_inverse: expected a Tensor, got "
                                     f"{type(value).__name__}")  # fmt: skip
                _set_in_place(self.original, value)
            else:
                if len(value) != self.ntensors:
                    raise ValueError(f"right_inverse: expected {self.ntensors} tensors, got "
                                     f"{len(value)}")  # fmt: skip
                for i, t in enumerate(value):
                    _set_in_place(getattr(self, f"original{i}"), t)

    def forward(self) -> Tensor:  # type: ignore[override]
        modules = list(self)
        if self.is_tensor:
            x = modules[0](self.original)
        else:
            x = modules[0](*(getattr(self, f"original{i}") for i in range(self.ntensors)))
        for module in modules[1:]:
            x = module(x)
        return x


def _property(name: str) -> property:
    def get(self: Module) -> Tensor:
        plist = self.parametrizations[name]
        if not _cache_enabled:
            return plist()
        key = (id(self), name)
        if key not in _cache:
            _cache[key] = plist()
        return _cache[key]

    def set_(self: Module, value: Tensor) -> None:
        self.parametrizations[name].right_inverse(value)

    return property(get, set_, doc=f"the parametrized {name!r}")


def _setattr(self: Module, name: str, value: Any) -> None:
    """Assigning a parametrized tensor goes to its property's setter (right_inverse)."""
    if is_parametrized(self, name):
        object.__setattr__(self, name, value)
    else:
        Module.__setattr__(self, name, value)


def _deepcopy(self: Module, memo: dict) -> Module:
    """A copy with a class of its own (the properties live on the class, and removing a
    parametrization from one copy must not remove it from the other)."""
    cls = type(self)
    skip = ("__dict__", "__weakref__")
    attrs = {k: v for k, v in cls.__dict__.items() if k not in skip}
    new = object.__new__(type(cls.__name__, cls.__bases__, attrs))
    memo[id(self)] = new
    for key, value in self.__dict__.items():
        object.__setattr__(new, key, copy.deepcopy(value, memo))
    return new


def is_parametrized(module: Module, tensor_name: str | None = None) -> bool:
    """Whether `module` has a parametrization (on `tensor_name`, if given)."""
    plists = module.__dict__.get("_modules", {}).get("parametrizations")
    if not isinstance(plists, ModuleDict):
        return False
    return len(plists) > 0 if tensor_name is None else tensor_name in plists


def type_before_parametrizations(module: Module) -> type:
    """The module's class before the first parametrization was registered."""
    cls = type(module)
    return cls.__dict__.get("_class_before_parametrizations", cls)


def register_parametrization(
    module: Module, tensor_name: str, parametrization: Module, *, unsafe: bool = False
) -> Module:
    """Make `module.<tensor_name>` the output of `parametrization` (a Module) applied to
    `module.parametrizations[tensor_name].original` (or appended to the parametrizations
    already there); see the module docstring. With `unsafe=True` the parametrization may
    change the shape or dtype. Returns `module`."""
    what = "register_parametrization"
    if not isinstance(module, Module) or not isinstance(parametrization, Module):
        raise TypeError(
            f"{what}: module and parametrization must be nn.Modules, got "
            f"{type(module).__name__} and {type(parametrization).__name__}"
        )
    if is_parametrized(module, tensor_name):
        plist = module.parametrizations[tensor_name]
        if not unsafe:
            y = getattr(module, tensor_name)
            x = parametrization(y)
            if not isinstance(x, Tensor) or x.dtype != y.dtype or x.shape != y.shape:
                got = f"{x.dtype} {x.shape}" if isinstance(x, Tensor) else type(x).__name__
                raise ValueError(
                    f"{what}: registering a parametrization may not change the shape or dtype "
                    f"of the tensor, unless `unsafe` flag is enabled; unparametrized {y.dtype} "
                    f"{y.shape}, parametrized {got}"
                )
        plist.append(parametrization)
        return module
    if tensor_name not in module._parameters and tensor_name not in module._buffers:
        raise ValueError(f"{what}: module {type(module).__name__} has no parameter or buffer "
                         f"with name {tensor_name!r}")  # fmt: skip
    original = getattr(module, tensor_name)
    if original is None:
        raise ValueError(f"{what}: {type(module).__name__}.{tensor_name} is None")
    plist = ParametrizationList([parametrization], original, unsafe=unsafe)
    delattr(module, tensor_name)
    if not is_parametrized(module):
        cls = type(module)
        attrs = {
            "_class_before_parametrizations": cls,
            "__setattr__": _setattr,
            "__deepcopy__": _deepcopy,
        }
        module.__class__ = type(f"Parametrized{cls.__name__}", (cls,), attrs)
        module.parametrizations = ModuleDict()
    setattr(type(module), tensor_name, _property(tensor_name))
    module.parametrizations[tensor_name] = plist
    return module


def remove_parametrizations(
    module: Module, tensor_name: str, leave_parametrized: bool = True
) -> Module:
    """Undo `register_parametrization` on `tensor_name`: it becomes a plain parameter (or
    buffer) again, holding the current parametrized value (`leave_parametrized=True`) or the
    original. With one original the same Parameter object is kept. Returns `module`."""
    what = "remove_parametrizations"
    if not is_parametrized(module, tensor_name):
        raise ValueError(f"{what}: module {type(module).__name__} does not have a "
                         f"parametrization on {tensor_name}")  # fmt: skip
    plist = module.parametrizations[tensor_name]
    if plist.is_tensor:
        original = plist.original
        if leave_parametrized:
            with no_grad():
                t = getattr(module, tensor_name)
            _set_in_place(original, t)
    else:
        if not leave_parametrized:
            raise ValueError(f"{what}: cannot leave unparametrized (`leave_parametrized=False`)"
                             " a tensor that is parametrized in terms of a sequence of "
                             "tensors")  # fmt: skip
        with no_grad():
            t = getattr(module, tensor_name)
        first = plist.original0
        original = Parameter(t.detach(), first.requires_grad) if isinstance(
            first, Parameter) else t.detach()  # fmt: skip
    delattr(type(module), tensor_name)
    del module.parametrizations[tensor_name]
    _register(module, tensor_name, original)
    if not is_parametrized(module):
        delattr(module, "parametrizations")
        module.__class__ = type_before_parametrizations(module)
    return module
