"""Calling a module with other parameters and buffers, as PyTorch's
`nn.utils.stateless.functional_call` (and `torch.func.functional_call`): the module's
tensors are swapped for the given ones during one call and put back after, so the output
is a function of the given tensors (gradients flow to them, not to the module's)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ...tensor import Tensor
from ..module import Module
from .parametrize import is_parametrized

__all__ = ["functional_call"]


def _tied_names(module: Module) -> dict[str, list[str]]:
    """Each parameter's or buffer's name to every name under which the same tensor is found."""
    by_id: dict[int, list[str]] = {}
    for prefix, m in module.named_modules(remove_duplicate=False):
        dot = f"{prefix}." if prefix else ""
        for registry in (m._parameters, m._buffers):
            for name, t in registry.items():
                if t is not None:
                    by_id.setdefault(id(t), []).append(dot + name)
    return {name: names for names in by_id.values() for name in names}


def _swap(module: Module, key: str, value: Any, what: str) -> tuple:
    """Put `value` at dotted `key`; returns what `_restore` needs to undo it."""
    path, _, name = key.rpartition(".")
    try:
        owner = module.get_submodule(path)
    except AttributeError as e:
        raise AttributeError(f"{what}: no submodule for key {key!r}: {e}") from None
    if is_parametrized(owner, name):  # the value replaces the parametrized tensor
        cls = type(owner)
        old = cls.__dict__[name]
        setattr(cls, name, property(lambda self: value))
        return ("property", owner, name, old)
    for kind in ("_parameters", "_buffers"):
        registry = getattr(owner, kind)
        if name in registry:
            old = registry[name]
            registry[name] = value
            object.__setattr__(owner, name, value)
            return (kind, owner, name, old)
    had = name in owner.__dict__
    old = owner.__dict__.get(name)
    object.__setattr__(owner, name, value)
    return ("attribute", owner, name, old if had else _MISSING)


_MISSING = object()


def _restore(record: tuple) -> None:
    kind, owner, name, old = record
    if kind == "property":
        setattr(type(owner), name, old)
    elif kind == "attribute":
        if old is _MISSING:
            object.__delattr__(owner, name)
        else:
            object.__setattr__(owner, name, old)
    else:
        getattr(owner, kind)[name] = old
        object.__setattr__(owner, name, old)


def functional_call(
    module: Module,
    parameter_and_buffer_dicts: Mapping[str, Any] | Sequence[Mapping[str, Any]],
    args: Any = None,
    kwargs: dict[str, Any] | None = None,
    *,
    tie_weights: bool = True,
    strict: bool = False,
) -> Any:
    """`module(*args, **kwargs)` with the parameters and buffers named (dotted, as in
    `state_dict`) in the dict(s) replaced by the given tensors for this call only. With
    `tie_weights` a tensor registered under several names is replaced under all of them;
    with `strict` the dict must name every parameter and buffer, no more."""
    what = "functional_call"
    if not isinstance(module, Module):
        raise TypeError(f"{what}: expected a Module, got {type(module).__name__}")
    dicts = [parameter_and_buffer_dicts] if isinstance(parameter_and_buffer_dicts, Mapping) \
        else list(parameter_and_buffer_dicts)  # fmt: skip
    values: dict[str, Any] = {}
    for d in dicts:
        for key, value in d.items():
            if key in values:
                raise ValueError(f"{what}: {key!r} appeared in multiple dictionaries")
            values[key] = value if isinstance(value, Tensor) else Tensor(value)
    own = [n for n, _ in module.named_parameters()] + [n for n, _ in module.named_buffers()]
    if strict:
        missing = [k for k in own if k not in values]
        unexpected = [k for k in values if k not in _tied_names(module)]
        if missing or unexpected:
            raise RuntimeError(f"{what}: error(s) in reparametrizing for "
                               f"{type(module).__name__}: unexpected key(s) {unexpected}, "
                               f"missing key(s) {missing}")  # fmt: skip
    if tie_weights:
        tied = _tied_names(module)
        for key in list(values):
            given = [n for n in tied.get(key, [key]) if n in values]
            if any(values[n] is not values[key] for n in given):
                raise ValueError(f"{what}: got multiple values for keys {given}, which are "
                                 "tied; consider using tie_weights=False")  # fmt: skip
            for name in tied.get(key, []):
                values.setdefault(name, values[key])
    args = () if args is None else args if isinstance(args, tuple) else (args,)
    records = []
    try:
        for key, value in values.items():
            records.append(_swap(module, key, value, what))
        return module(*args, **(kwargs or {}))
    finally:
        for record in reversed(records):
            _restore(record)
