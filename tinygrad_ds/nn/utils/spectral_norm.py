"""The old spectral normalization, as PyTorch's `nn.utils.spectral_norm`: parameter
`weight_orig`, buffers `weight_u`, `weight_v`, and a forward pre-hook that sets the plain
attribute `weight` = weight_orig / sigma before each forward (power iteration in training)."""

from __future__ import annotations

from ... import rng
from ...grad_mode import no_grad
from ...tensor import HookHandle, Tensor
from .. import functional as F
from ..module import Module, Parameter
from .parametrizations import _check_spectral, _is_conv_transpose, weight_to_matrix
from .weight_norm import _hooks

__all__ = ["spectral_norm", "remove_spectral_norm"]


class SpectralNorm:
    """The forward pre-hook of `spectral_norm` on one parameter."""

    def __init__(self, name: str, n_power_iterations: int, dim: int, eps: float) -> None:
        self.name, self.n_power_iterations, self.dim, self.eps = name, n_power_iterations, dim, eps
        self.handle: HookHandle | None = None

    def compute_weight(self, module: Module, do_power_iteration: bool) -> Tensor:
        """weight_orig / sigma, sigma = u^T W v (Miyato et al. 2018); with
        `do_power_iteration`, first v <- W^T u / ||W^T u||, u <- W v / ||W v|| in place."""
        weight = getattr(module, self.name + "_orig")
        u, v = getattr(module, self.name + "_u"), getattr(module, self.name + "_v")
        weight_mat = weight_to_matrix(weight, self.dim)
        if do_power_iteration:
            with no_grad():
                w = weight_mat.detach()
                for _ in range(self.n_power_iterations):
                    v.copy_(F.normalize(w.T.mv(u), dim=0, eps=self.eps))
                    u.copy_(F.normalize(w.mv(v), dim=0, eps=self.eps))
        sigma = u.clone().dot(weight_mat.mv(v.clone()))
        return weight / sigma

    def __call__(self, module: Module, inputs: tuple) -> None:
        setattr(module, self.name, self.compute_weight(module, module.training))


def spectral_norm(module: Module, name: str = "weight", n_power_iterations: int = 1,
                  eps: float = 1e-12, dim: int | None = None) -> Module:  # fmt: skip
    """Divide `module.<name>` by its largest singular value sigma (Miyato et al. 2018),
    estimated by power iteration on the buffers `<name>_u`, `<name>_v` before every forward
    in training; the trained parameter is `<name>_orig`. `dim` (default 0; 1 for
    ConvTranspose) is the weight's output dimension. Returns `module`."""
    what = "spectral_norm"
    if _hooks(module, SpectralNorm, name):
        raise RuntimeError(f"{what}: cannot register two spectral_norm hooks on the same "
                           f"parameter {name}")  # fmt: skip
    weight = module._parameters.get(name)
    if weight is None:
        raise ValueError(f"{what}: module {type(module).__name__} has no parameter {name!r}")
    if dim is None:
        dim = 1 if _is_conv_transpose(module) else 0
    dim = _check_spectral(weight, n_power_iterations, dim, what)
    fn = SpectralNorm(name, n_power_iterations, dim, eps)
    with no_grad():
        h, k = weight_to_matrix(weight, dim).shape
        draw = rng.generator()  # td.manual_seed's
        u = F.normalize(Tensor(draw.standard_normal(h).astype(weight.dtype)), dim=0, eps=eps)
        v = F.normalize(Tensor(draw.standard_normal(k).astype(weight.dtype)), dim=0, eps=eps)
    delattr(module, name)
    module.register_parameter(name + "_orig", weight)
    setattr(module, name, weight.detach())
    module.register_buffer(name + "_u", u)
    module.register_buffer(name + "_v", v)
    fn.handle = module.register_forward_pre_hook(fn)
    return module


def remove_spectral_norm(module: Module, name: str = "weight") -> Module:
    """Undo `spectral_norm`: `<name>` becomes one Parameter again, holding weight_orig / sigma
    (no further power iteration)."""
    hooks = _hooks(module, SpectralNorm, name)
    if not hooks:
        raise ValueError(f"remove_spectral_norm: spectral_norm of {name!r} not found in "
                         f"{type(module).__name__}")  # fmt: skip
    fn = hooks[0]
    with no_grad():
        weight = fn.compute_weight(module, do_power_iteration=False)
    delattr(module, name)
    for suffix in ("_orig", "_u", "_v"):
        delattr(module, name + suffix)
    module.register_parameter(name, Parameter(weight.detach()))
    fn.handle.remove()
    return module
