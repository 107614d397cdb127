"""Which module owns which parameter, and which operations belong to which module.

Nothing is run to find out (no hooks): the graph and `module.named_parameters()` are enough.

The rule. A parameter belongs to the module that holds it directly (`0.weight` to module `0`)
and so to every module around it. An operation belongs to a module M when it lies on a path
between two operations that consume M's parameters (or is one of them): it is downstream of one
and upstream of another. Consuming a parameter means reading it, or a reshape, transpose or
cast of it (`W.T`, a batch norm's `weight.reshape(1, C)`). Each operation goes to the innermost
such module. So a `Linear`'s node (or its matmul and bias add, for N-D input) falls in its
cluster, while a parameter-free
activation between two layers falls in the enclosing model's cluster, and the loss, downstream
of every parameter, in none.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..function import Function
from ..tensor import Tensor

__all__ = [
    "ModuleIndex", "index_module", "owner_path", "topological", "op_inputs", "assign_modules",
    "VIEWS",
]  # fmt: skip

VIEWS = ("Permute", "Reshape", "Cast")
"""Operations that give a parameter another shape or dtype and leave it "the parameter"."""


@dataclass(frozen=True)
class ModuleIndex:
    """Names and owners of a module's parameters, keyed by the id of the parameter Tensor."""

    names: dict[int, str]  # id(parameter) -> dotted name, e.g. "0.weight"
    masks: dict[int, int]  # id(parameter) -> bit mask of the modules it belongs to
    paths: tuple[str, ...]  # module paths in named_modules() order; bit k is paths[k]
    labels: dict[str, str]  # module path -> cluster label, e.g. "0: Linear"
    keep: tuple[Tensor, ...]  # the parameters, kept alive so that their ids stay theirs


def index_module(module: Any) -> ModuleIndex:
    """Read a PyTorch-like module through `named_parameters()` and `named_modules()`."""
    if not (callable(getattr(module, "named_parameters", None))
            and callable(getattr(module, "named_modules", None))):  # fmt: skip
        raise TypeError(
            "module=: expected a module with named_parameters() and named_modules() (such as a "
            f"tinygrad_ds.nn.Module), got {type(module).__name__}"
        )
    labels: dict[str, str] = {}
    for path, sub in module.named_modules():
        if path not in labels:
            kind = type(sub).__name__
            labels[path] = f"{path}: {kind}" if path else kind
    paths = tuple(labels)
    bit = {p: 1 << k for k, p in enumerate(paths)}
    names: dict[int, str] = {}
    masks: dict[int, int] = {}
    keep = []
    for name, param in module.named_parameters():
        if id(param) in names:
            continue  # a shared parameter keeps its first name, as PyTorch lists it once
        owner = name.rpartition(".")[0]
        mask = bit.get(owner, 0) | bit.get("", 0)
        while owner:  # the owner and every module around it
            owner = owner.rpartition(".")[0]
            mask |= bit.get(owner, 0)
        names[id(param)] = name
        masks[id(param)] = mask
        keep.append(param)
    return ModuleIndex(names, masks, paths, labels, tuple(keep))


def op_inputs(fn: Function) -> list[tuple[Function | None, Tensor | None]]:
    """Per input of `fn`: (producing node, None) or (None, leaf Tensor) or (None, None)."""
    out: list[tuple[Function | None, Tensor | None]] = []
    for parent, const in zip(fn.parents, fn.constants):
        if isinstance(parent, Function):
            out.append((parent, None))
        else:
            out.append((None, parent if parent is not None else const))
    return out


def topological(deps: dict[Function, int]) -> list[Function]:
    """The nodes of `graph_nodes` in an order where every consumer comes before its inputs."""
    remaining = dict(deps)
    ready = [fn for fn, n in deps.items() if n == 0]
    ready.reverse()  # pop the first root first
    order = []
    while ready:
        fn = ready.pop()
        order.append(fn)
        for parent in fn.parents:
            if isinstance(parent, Function):
                remaining[parent] -= 1
                if remaining[parent] == 0:
                    ready.append(parent)
    return order


def assign_modules(order: Sequence[Function], index: ModuleIndex) -> dict[Function, str]:
    """The innermost module path of each operation under the module rule (see the docstring).

    `order` is `topological` order. Bit masks keep it linear in the graph's size: `up` holds the
    modules whose parameters flow into an op, `down` those whose parameter-consuming ops it feeds.
    """
    seed: dict[Function, int] = {}
    views: dict[Function, int] = {}  # a reshape, transpose or cast of parameters -> their mask
    for fn in reversed(order):  # producers first
        mask = 0
        for producer, leaf in op_inputs(fn):
            if leaf is not None:
                mask |= index.masks.get(id(leaf), 0)
            elif producer is not None:
                mask |= views.get(producer, 0)
        seed[fn] = mask
        if mask and fn.name() in VIEWS and len(fn.parents) == 1:
            views[fn] = mask
    down = dict(seed)
    for fn in order:  # consumers first: push each op's mask into its inputs
        d = down[fn]
        if d:
            for parent in fn.parents:
                if isinstance(parent, Function):
                    down[parent] |= d
    up: dict[Function, int] = {}
    for fn in reversed(order):  # producers first
        u = seed[fn]
        for parent in fn.parents:
            if isinstance(parent, Function):
                u |= up[parent]
        up[fn] = u
    innermost: dict[int, str] = {}
    result: dict[Function, str] = {}
    for fn in order:
        mask = up[fn] & down[fn]
        if mask:
            if mask not in innermost:
                innermost[mask] = _deepest(mask, index.paths)
            result[fn] = innermost[mask]
    return result


def owner_path(index: ModuleIndex, param: Tensor) -> str | None:
    """The path of the module holding `param` directly, or None if it is not a parameter."""
    name = index.names.get(id(param))
    return None if name is None else name.rpartition(".")[0]


def _deepest(mask: int, paths: tuple[str, ...]) -> str:
    """The deepest module among the set bits of `mask` (the first in module order on a tie)."""
    best, best_key = "", None
    while mask:
        low = mask & -mask
        k = low.bit_length() - 1
        key = (_depth(paths[k]), -k)
        if best_key is None or key > best_key:
            best, best_key = paths[k], key
        mask ^= low
    return best


def _depth(path: str) -> int:
    return 0 if path == "" else path.count(".") + 1
