"""Ready-made parametrizations, as PyTorch's `nn.utils.parametrizations`: weight_norm,
spectral_norm and orthogonal, each registered with `parametrize.register_parametrization`
(so the state_dict keys are PyTorch's, e.g. "parametrizations.weight.original0")."""

from __future__ import annotations

import numpy as np

from ... import linalg, rng
from ...creation import eye, zeros
from ...functions import cat
from ...grad_mode import no_grad
from ...tensor import Tensor
from .. import functional as F
from ..module import Module
from .parametrize import register_parametrization

__all__ = ["weight_norm", "spectral_norm", "orthogonal"]


def norm_except_dim(v: Tensor, dim: int) -> Tensor:
    """The 2-norm of v over every dimension but `dim`, kept as size-1 dimensions (shape 1
    except at dim); dim=-1 is the norm of the whole tensor (0-d), as PyTorch's."""
    if dim == -1:
        return v.norm()
    axes = tuple(a for a in range(v.ndim) if a != dim % v.ndim)
    return (v * v).sum(axis=axes, keepdims=True).sqrt()


def _weight_norm(v: Tensor, g: Tensor, dim: int) -> Tensor:
    """w = g v / ||v||, the norm taken over every dimension but `dim` (Salimans & Kingma
    2016, eq. 2)."""
    return v * (g / norm_except_dim(v, dim))


def _is_conv_transpose(module: Module) -> bool:
    from ..conv_transpose import ConvTranspose1d, ConvTranspose2d
    from ..three_d import ConvTranspose3d

    return isinstance(module, (ConvTranspose1d, ConvTranspose2d, ConvTranspose3d))


def _tensor_of(module: Module, name: str, what: str) -> Tensor:
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"{what}: module {type(module).__name__} has no parameter or buffer "
                         f"with name {name!r}")  # fmt: skip
    return weight


# ---------------------------------------------------------------------------------------------
# weight_norm
# ---------------------------------------------------------------------------------------------


class _WeightNorm(Module):
    """weight = original1 * original0 / ||original1|| (g = original0, v = original1)."""

    def __init__(self, dim: int | None = 0) -> None:
        super().__init__()
        self.dim = -1 if dim is None else dim

    def forward(self, weight_g: Tensor, weight_v: Tensor) -> Tensor:
        return _weight_norm(weight_v, weight_g, self.dim)

    def right_inverse(self, weight: Tensor) -> tuple[Tensor, Tensor]:
        return norm_except_dim(weight, self.dim), weight


def weight_norm(module: Module, name: str = "weight", dim: int | None = 0) -> Module:
    """Reparametrize `module.<name>` as w = g v / ||v|| (Salimans & Kingma 2016): g =
    `parametrizations.<name>.original0` (the norms, shape 1 but along `dim`), v = `original1`
    (the direction). The norm is over every dimension but `dim`; dim=None, as -1, takes the
    norm of the whole tensor, as PyTorch's. Returns `module`."""
    _tensor_of(module, name, "weight_norm")
    return register_parametrization(module, name, _WeightNorm(dim), unsafe=True)


# ---------------------------------------------------------------------------------------------
# spectral_norm
# ---------------------------------------------------------------------------------------------


def weight_to_matrix(weight: Tensor, dim: int) -> Tensor:
    """The weight as a matrix whose rows run along `dim` (dim moved first, the rest flat)."""
    if dim != 0:
        weight = weight.permute(dim, *(d for d in range(weight.ndim) if d != dim))
    return weight.reshape(weight.shape[0], -1)


def _check_spectral(weight: Tensor, n_power_iterations: int, dim: int, what: str) -> int:
    if n_power_iterations <= 0:
        raise ValueError(f"{what}: expected n_power_iterations to be positive, but got "
                         f"n_power_iterations={n_power_iterations}")  # fmt: skip
    if not -weight.ndim <= dim < max(weight.ndim, 1):
        raise IndexError(f"{what}: dim must be in [{-weight.ndim}, {weight.ndim - 1}] for a "
                         f"weight of shape {weight.shape}, got {dim}")  # fmt: skip
    return dim % max(weight.ndim, 1)


class _SpectralNorm(Module):
    """weight / sigma, sigma the largest singular value of the weight as a matrix, estimated
    by power iteration on the buffers `_u`, `_v` (updated in training only)."""

    def __init__(self, weight: Tensor, n_power_iterations: int = 1, dim: int = 0,
                 eps: float = 1e-12) -> None:  # fmt: skip
        super().__init__()
        self.dim = _check_spectral(weight, n_power_iterations, dim, "spectral_norm")
        self.eps, self.n_power_iterations = eps, n_power_iterations
        if weight.ndim > 1:
            with no_grad():
                w = weight_to_matrix(weight, self.dim)
                h, k = w.shape
                draw = rng.generator()  # td.manual_seed's
                u = draw.standard_normal(h).astype(weight.dtype)
                v = draw.standard_normal(k).astype(weight.dtype)
                self.register_buffer("_u", F.normalize(Tensor(u), dim=0, eps=eps))
                self.register_buffer("_v", F.normalize(Tensor(v), dim=0, eps=eps))
                self._power_method(w, 15)

    def _power_method(self, weight_mat: Tensor, n_power_iterations: int) -> None:
        """u <- W v / ||W v||, v <- W^T u / ||W^T u||, in place (no graph)."""
        with no_grad():
            w = weight_mat.detach()
            for _ in range(n_power_iterations):
                self._u.copy_(F.normalize(w.mv(self._v), dim=0, eps=self.eps))
                self._v.copy_(F.normalize(w.T.mv(self._u), dim=0, eps=self.eps))

    def forward(self, weight: Tensor) -> Tensor:
        if weight.ndim == 1:
            return F.normalize(weight, dim=0, eps=self.eps)
        weight_mat = weight_to_matrix(weight, self.dim)
        if self.training:
            self._power_method(weight_mat, self.n_power_iterations)
        u, v = self._u.clone(), self._v.clone()
        sigma = u.dot(weight_mat.mv(v))
        return weight / sigma

    def right_inverse(self, value: Tensor) -> Tensor:
        return value


def spectral_norm(module: Module, name: str = "weight", n_power_iterations: int = 1,
                  eps: float = 1e-12, dim: int | None = None) -> Module:  # fmt: skip
    """Reparametrize `module.<name>` as W / sigma(W) (Miyato et al. 2018, eq. 8), sigma the
    largest singular value of W seen as a matrix with rows along `dim` (default 0; 1 for
    ConvTranspose), estimated by `n_power_iterations` steps of power iteration per forward
    in training (buffers `parametrizations.<name>.0._u`, `._v`; 15 steps at registration).
    A 1-D weight is divided by its 2-norm. Returns `module`."""
    weight = _tensor_of(module, name, "spectral_norm")
    if dim is None:
        dim = 1 if _is_conv_transpose(module) else 0
    return register_parametrization(
        module, name, _SpectralNorm(weight, n_power_iterations, dim, eps)
    )


# ---------------------------------------------------------------------------------------------
# orthogonal
# ---------------------------------------------------------------------------------------------


def _householder_product(a: Tensor, tau: Tensor) -> Tensor:
    """The first k columns of H_1 ... H_k, H_i = I - tau_i v_i v_i^T, v_i = column i of the
    strictly lower part of `a` (n, k) with a 1 at row i (LAPACK's orgqr), composed."""
    n, k = a.shape[-2], a.shape[-1]
    q = eye(n, dtype=a.dtype).expand(*a.shape[:-2], n, n)
    unit = np.eye(n, k, dtype=a.dtype)
    for i in range(k):
        v = a[..., :, i] + Tensor._make(unit[:, i], None)
        q = q - (q @ v.unsqueeze(-1)) * (tau[..., i : i + 1].unsqueeze(-1) * v.unsqueeze(-2))
    return q[..., :k]


def _make_orthogonal(a: np.ndarray) -> np.ndarray:
    """The Q of A = QR with diag(R) >= 0 (the closest such Q to A, unique if A has full rank)."""
    q, r = np.linalg.qr(a)
    return q * np.sign(np.diagonal(r, axis1=-2, axis2=-1))[..., None, :]


class _Orthogonal(Module):
    """An orthogonal matrix (columns orthonormal, for tall ones) from an unconstrained one: the
    matrix exponential or Cayley transform of the skew-symmetric A = X - X^T (X the lower
    triangle), or a product of Householder reflections; times the buffer `base`."""

    def __init__(self, weight: Tensor, orthogonal_map: str, use_trivialization: bool) -> None:
        super().__init__()
        self.shape, self.orthogonal_map = weight.shape, orthogonal_map
        if use_trivialization:
            self.register_buffer("base", None)

    def forward(self, x: Tensor) -> Tensor:
        n, k = x.shape[-2], x.shape[-1]
        transposed = n < k
        if transposed:
            x, n, k = x.mT, k, n
        if self.orthogonal_map in ("matrix_exp", "cayley"):
            x = x.tril()
            if n != k:  # embed the tall matrix in a square one
                x = cat([x, zeros(*x.shape[:-2], n, n - k, dtype=x.dtype)], -1)
            a = x - x.mT
            if self.orthogonal_map == "matrix_exp":
                q = a.matrix_exp()
            else:  # (I + A/2)(I - A/2)^-1, written as a solve
                ident = eye(n, dtype=a.dtype)
                q = linalg.solve(ident - 0.5 * a, ident + 0.5 * a)
            q = q[..., :k] if n != k else q
        else:
            a = x.tril(-1)
            tau = 2.0 / (1.0 + (a * a).sum(-2))
            signs = np.trunc(np.diagonal(x.data, axis1=-2, axis2=-1)).astype(x.dtype)
            q = _householder_product(a, tau) * Tensor._make(signs[..., None, :], None)
        if self.__dict__.get("base") is not None:
            q = self.base @ q
        return q.mT if transposed else q

    def right_inverse(self, q: Tensor) -> Tensor:
        if q.shape != self.shape:
            raise ValueError(f"orthogonal: expected a matrix or batch of matrices of shape "
                             f"{self.shape}, got {q.shape}")  # fmt: skip
        if "base" not in self._buffers:
            raise NotImplementedError("orthogonal: assigning to the parametrization without "
                                      "use_trivialization is not implemented")  # fmt: skip
        n, k = q.shape[-2], q.shape[-1]
        arr = q.data.swapaxes(-1, -2) if n < k else q.data
        n, k = arr.shape[-2], arr.shape[-1]
        eps = 10.0 * n * np.finfo(arr.dtype).eps
        if n == k and np.allclose(arr.swapaxes(-1, -2) @ arr, np.eye(k), atol=eps, rtol=1e-5):
            base = arr.copy()
        else:  # complete Q to a square matrix by random columns, then orthonormalize
            extra = rng.generator().standard_normal((*arr.shape[:-1], n - k))
            base = _make_orthogonal(np.concatenate([arr, extra.astype(arr.dtype)], -1))
        self.base = Tensor(base.astype(q.dtype))
        neg_id = -np.eye(*q.shape[-2:], dtype=q.dtype)  # maps to base[..., :k] under every map
        return Tensor(np.broadcast_to(neg_id, q.shape).copy())


def orthogonal(module: Module, name: str = "weight", orthogonal_map: str | None = None, *,
               use_trivialization: bool = True) -> Module:  # fmt: skip
    """Reparametrize the matrix (or batch) `module.<name>` to stay orthogonal (orthonormal
    columns, or rows if it is wide), Q = base @ map(X): `orthogonal_map` is "matrix_exp"
    (exp(A)), "cayley" ((I + A/2)(I - A/2)^-1), both with A = X - X^T skew-symmetric, or
    "householder" (default for non-square matrices). At registration `base` takes the
    current weight made orthogonal (its QR's Q) and X = -I, so the weight is kept if it was
    orthogonal already. Only `use_trivialization=True` is implemented. Returns `module`."""
    what = "orthogonal"
    weight = _tensor_of(module, name, what)
    if weight.ndim < 2:
        raise ValueError(f"{what}: expected a matrix or batch of matrices, got a tensor of "
                         f"{weight.ndim} dimensions")  # fmt: skip
    if orthogonal_map is None:
        square = weight.shape[-2] == weight.shape[-1]
        orthogonal_map = "matrix_exp" if square else "householder"
    if orthogonal_map not in ("matrix_exp", "cayley", "householder"):
        raise ValueError(f'{what}: orthogonal_map has to be one of "matrix_exp", "cayley", '
                         f'"householder", got {orthogonal_map!r}')  # fmt: skip
    if not use_trivialization:
        raise NotImplementedError(f"{what}: use_trivialization=False is not implemented")
    orth = _Orthogonal(weight, orthogonal_map, use_trivialization)
    return register_parametrization(module, name, orth, unsafe=True)
