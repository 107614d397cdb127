"""Containers: `Sequential` (a chain of layers), `ModuleList` (a list of registered layers),
`ModuleDict` (a dict of them), `ParameterList` and `ParameterDict` (of registered Parameters).

The lists' children are named "0", "1", ... so parameters get PyTorch's names ("0.weight"); the
dicts' are named by their keys.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from ..tensor import Tensor
from .module import Module, Parameter

__all__ = ["Sequential", "ModuleList", "ModuleDict", "ParameterList", "ParameterDict"]


def _check(module: Any, what: str) -> Module:
    if not isinstance(module, Module):
        raise TypeError(f"{what}: {type(module).__name__} is not a Module")
    return module


class _Chain(Module):
    """What Sequential and ModuleList share: children in order, indexed by position."""

    def _index(self, i: int) -> str:
        n = len(self)
        if not -n <= i < n:
            raise IndexError(f"{type(self).__name__}: index {i} is out of range for length {n}")
        return str(i % n)

    def __setitem__(self, i: int, module: Module) -> None:
        name = list(self._modules)[int(self._index(i))]
        self.add_module(name, _check(module, type(self).__name__))

    def __delitem__(self, i: int | slice) -> None:
        kept = list(self._modules.values())
        del kept[i]
        self._renumber(kept)

    def _renumber(self, modules: list[Module]) -> None:
        """Children become "0", "1", ... again (as PyTorch does after a deletion)."""
        for name in list(self._modules):
            delattr(self, name)
        for j, m in enumerate(modules):
            self.add_module(str(j), m)

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def append(self, module: Module) -> _Chain:
        self.add_module(str(len(self)), _check(module, f"{type(self).__name__}.append"))
        return self

    def extend(self, modules: Iterable[Module]) -> _Chain:
        for m in modules:
            self.append(m)
        return self

    def insert(self, index: int, module: Module) -> None:
        kept = list(self._modules.values())
        kept.insert(index, _check(module, f"{type(self).__name__}.insert"))
        self._renumber(kept)


class ModuleList(_Chain):
    """A list of modules whose parameters the parent module sees (a Python list hides them)."""

    def __init__(self, modules: Iterable[Module] | None = None) -> None:
        super().__init__()
        if modules is not None:
            self.extend(modules)

    def __getitem__(self, i: int | slice) -> Any:
        if isinstance(i, slice):
            return ModuleList(list(self._modules.values())[i])
        return self._modules[self._index(i)]

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("ModuleList has no forward(); iterate over it in yours")


class Sequential(_Chain):
    """Chain layers: Sequential(a, b, c)(x) = c(b(a(x))).

    Also `Sequential(dict(name=layer, ...))` to name the children yourself.
    """

    def __init__(self, *modules: Any) -> None:
        super().__init__()
        if len(modules) == 1 and isinstance(modules[0], dict):
            for name, m in modules[0].items():
                self.add_module(name, _check(m, "Sequential"))
        else:
            self.extend(modules)

    def __getitem__(self, i: int | slice) -> Any:
        if isinstance(i, slice):
            return Sequential(dict(list(self._modules.items())[i]))
        return list(self._modules.values())[int(self._index(i))]

    def forward(self, x: Any) -> Any:
        for m in self._modules.values():
            x = m(x)
        return x


# ---------------------------------------------------------------------------------------------
# ModuleDict, ParameterList, ParameterDict: children and parameters by key
# ---------------------------------------------------------------------------------------------


class ModuleDict(Module):
    """A dict of modules whose parameters the parent sees, named "key.weight", ... (a plain
    dict hides them). Keys are strings without "." that are no attribute of the class."""

    def __init__(self, modules: Any = None) -> None:
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __setitem__(self, key: str, module: Module) -> None:
        if isinstance(key, str) and key not in self._modules and hasattr(self, key):
            raise KeyError(f"ModuleDict: key {key!r} is an attribute of ModuleDict")
        self.add_module(key, _check(module, "ModuleDict"))

    def __getitem__(self, key: str) -> Module:
        if key not in self._modules:
            raise KeyError(f"ModuleDict: no module {key!r} (keys: {list(self._modules)})")
        return self._modules[key]

    def __delitem__(self, key: str) -> None:
        self[key]  # (the KeyError naming the keys)
        delattr(self, key)

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[str]:
        return iter(self._modules)

    def __contains__(self, key: object) -> bool:
        return key in self._modules

    def keys(self) -> Iterable[str]:
        return self._modules.keys()

    def values(self) -> Iterable[Module]:
        return self._modules.values()

    def items(self) -> Iterable[tuple[str, Module]]:
        return self._modules.items()

    def update(self, modules: Any) -> None:
        """Add (or replace) the modules of a mapping, or of an iterable of (key, module) pairs."""
        pairs = modules.items() if isinstance(modules, Mapping) else modules
        for pair in pairs:
            if not isinstance(pair, (tuple, list)) or len(pair) != 2:
                raise TypeError(f"ModuleDict.update: expected (key, module) pairs, got {pair!r}")
            self[pair[0]] = pair[1]

    def pop(self, key: str) -> Module:
        module = self[key]
        del self[key]
        return module

    def clear(self) -> None:
        for key in list(self._modules):
            del self[key]

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("ModuleDict has no forward(); call its modules in yours")


def _as_parameter(value: Any, what: str) -> Parameter:
    """A Parameter as is; another Tensor (or array) made one, sharing its memory, as PyTorch."""
    if isinstance(value, Parameter):
        return value
    if isinstance(value, Tensor):
        return Parameter(value, requires_grad=value.dtype.kind == "f")
    raise TypeError(f"{what}: expected a Parameter or Tensor, got {type(value).__name__}")


def _parameters_repr(module: Module) -> str:
    """PyTorch's lines "(key): Parameter containing: [float32 of size 2x3]"."""
    lines = [
        f"({k}): Parameter containing: [{p.dtype} of size {'x'.join(map(str, p.shape))}]"
        for k, p in module._parameters.items()
    ]
    head = type(module).__name__ + "("
    return head + ")" if not lines else head + "\n    " + "\n    ".join(lines) + "\n)"


class ParameterList(Module):
    """A list of Parameters registered as "0", "1", ... (a Tensor is made a Parameter)."""

    def __init__(self, values: Iterable[Any] | None = None) -> None:
        super().__init__()
        if values is not None:
            self.extend(values)

    def _key(self, i: int) -> str:
        n = len(self)
        if not isinstance(i, int) or not -n <= i < n:
            raise IndexError(f"ParameterList: index {i!r} is out of range for length {n}")
        return str(i % n)

    def __getitem__(self, i: int | slice) -> Any:
        if isinstance(i, slice):
            return ParameterList(list(self._parameters.values())[i])
        return self._parameters[self._key(i)]

    def __setitem__(self, i: int, value: Any) -> None:
        self.register_parameter(self._key(i), _as_parameter(value, "ParameterList"))

    def __len__(self) -> int:
        return len(self._parameters)

    def __iter__(self) -> Iterator[Parameter]:
        return iter(self._parameters.values())

    def append(self, value: Any) -> ParameterList:
        self.register_parameter(str(len(self)), _as_parameter(value, "ParameterList.append"))
        return self

    def extend(self, values: Iterable[Any]) -> ParameterList:
        if isinstance(values, Tensor):
            raise TypeError("ParameterList.extend: expected an iterable of tensors, got a Tensor")
        for v in values:
            self.append(v)
        return self

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("ParameterList has no forward(); use its parameters in yours")

    def __repr__(self) -> str:
        return _parameters_repr(self)


class ParameterDict(Module):
    """A dict of Parameters registered under their keys (a Tensor is made a Parameter). As in
    PyTorch, a plain dict's items are added in sorted key order, other mappings' in theirs."""

    def __init__(self, parameters: Any = None) -> None:
        super().__init__()
        if parameters is not None:
            self.update(parameters)

    def __getitem__(self, key: str) -> Parameter:
        if key not in self._parameters:
            raise KeyError(f"ParameterDict: no parameter {key!r} (keys: {list(self._parameters)})")
        return self._parameters[key]

    def __setitem__(self, key: str, value: Any) -> None:
        if isinstance(key, str) and key not in self._parameters and hasattr(self, key):
            raise KeyError(f"ParameterDict: key {key!r} is an attribute of ParameterDict")
        self.register_parameter(key, _as_parameter(value, "ParameterDict"))

    def __delitem__(self, key: str) -> None:
        self[key]  # (the KeyError naming the keys)
        delattr(self, key)

    def __len__(self) -> int:
        return len(self._parameters)

    def __iter__(self) -> Iterator[str]:
        return iter(self._parameters)

    def __contains__(self, key: object) -> bool:
        return key in self._parameters

    def keys(self) -> Iterable[str]:
        return self._parameters.keys()

    def values(self) -> Iterable[Parameter]:
        return self._parameters.values()

    def items(self) -> Iterable[tuple[str, Parameter]]:
        return self._parameters.items()

    def update(self, parameters: Any) -> None:
        """Add (or replace) the parameters of a mapping or of (key, value) pairs."""
        if type(parameters) is dict:
            pairs: Any = sorted(parameters.items())
        else:
            pairs = parameters.items() if isinstance(parameters, Mapping) else parameters
        for pair in pairs:
            if not isinstance(pair, (tuple, list)) or len(pair) != 2:
                raise TypeError(f"ParameterDict.update: expected (key, value) pairs, got {pair!r}")
            self[pair[0]] = pair[1]

    def pop(self, key: str) -> Parameter:
        p = self[key]
        del self[key]
        return p

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("ParameterDict has no forward(); use its parameters in yours")

    def __repr__(self) -> str:
        return _parameters_repr(self)
