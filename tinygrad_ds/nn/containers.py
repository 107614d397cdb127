"""Containers: `Sequential` (a chain of layers) and `ModuleList` (a list of registered layers).

Their children are named "0", "1", ... so parameters get PyTorch's names ("0.weight").
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from .module import Module

__all__ = ["Sequential", "ModuleList"]


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
