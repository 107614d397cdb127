"""The old weight normalization, as PyTorch's `nn.utils.weight_norm` (deprecated there in
favour of `parametrizations.weight_norm`): parameters `weight_g`, `weight_v`, and a forward
pre-hook that recomputes the plain attribute `weight` = g v / ||v|| before each forward."""

from __future__ import annotations

import warnings

from ...tensor import HookHandle, Tensor
from ..module import Module, Parameter
from .parametrizations import _weight_norm, norm_except_dim

__all__ = ["weight_norm", "remove_weight_norm"]


class WeightNorm:
    """The forward pre-hook of `weight_norm` on one parameter."""

    def __init__(self, name: str, dim: int) -> None:
        self.name, self.dim = name, dim
        self.handle: HookHandle | None = None

    def compute_weight(self, module: Module) -> Tensor:
        g, v = getattr(module, self.name + "_g"), getattr(module, self.name + "_v")
        return _weight_norm(v, g, self.dim)

    def __call__(self, module: Module, inputs: tuple) -> None:
        setattr(module, self.name, self.compute_weight(module))


def _hooks(module: Module, kind: type, name: str) -> list:
    return [h for h in module._forward_pre_hooks if isinstance(h, kind) and h.name == name]


def weight_norm(module: Module, name: str = "weight", dim: int | None = 0) -> Module:
    """Split `module.<name>` into `<name>_g` (its norms over every dimension but `dim`; the
    whole tensor for dim=None) and `<name>_v` (the direction), and recompute
    w = g v / ||v|| before every forward (Salimans & Kingma 2016). Returns `module`."""
    what = "weight_norm"
    warnings.warn(
        "nn.utils.weight_norm is deprecated in favor of nn.utils.parametrizations.weight_norm",
        FutureWarning,
        stacklevel=2,
    )
    if _hooks(module, WeightNorm, name):
        raise RuntimeError(f"{what}: cannot register two weight_norm hooks on the same "
                           f"parameter {name}")  # fmt: skip
    weight = module._parameters.get(name)
    if weight is None:
        raise ValueError(f"{what}: module {type(module).__name__} has no parameter {name!r}")
    fn = WeightNorm(name, -1 if dim is None else dim)
    delattr(module, name)
    module.register_parameter(name + "_g", Parameter(norm_except_dim(weight, fn.dim).detach()))
    module.register_parameter(name + "_v", Parameter(weight.detach()))
    setattr(module, name, fn.compute_weight(module))
    fn.handle = module.register_forward_pre_hook(fn)
    return module


def remove_weight_norm(module: Module, name: str = "weight") -> Module:
    """Undo `weight_norm`: `<name>` becomes one Parameter again, holding g v / ||v||."""
    hooks = _hooks(module, WeightNorm, name)
    if not hooks:
        raise ValueError(f"remove_weight_norm: weight_norm of {name!r} not found in "
                         f"{type(module).__name__}")  # fmt: skip
    fn = hooks[0]
    weight = fn.compute_weight(module).detach()
    delattr(module, name)
    delattr(module, name + "_g")
    delattr(module, name + "_v")
    module.register_parameter(name, Parameter(weight))
    fn.handle.remove()
    return module
