"""`MultivariateNormal(loc, covariance_matrix | precision_matrix | scale_tril)`, through the
Cholesky factor L of the covariance, and `Independent(base, reinterpreted_batch_ndims)`,
which turns batch dims of a distribution into event dims."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..linalg import cholesky, inv, solve_triangular
from ..tensor import Tensor
from . import constraints
from .distribution import Distribution, _tensor

__all__ = ["MultivariateNormal", "Independent"]

_MATRICES = ("covariance_matrix", "precision_matrix", "scale_tril")


class MultivariateNormal(Distribution):
    """N(loc, Sigma) over the last dim: density exp(-|L^-1 (x - loc)|^2 / 2) /
    ((2 pi)^(n/2) det L) with Sigma = L L^T. rsample = loc + L eps, eps ~ N(0, I)."""

    arg_constraints = {
        "loc": constraints.real_vector,
        "covariance_matrix": constraints.positive_definite,
        "precision_matrix": constraints.positive_definite,
        "scale_tril": constraints.lower_cholesky,
    }
    support = constraints.real_vector
    has_rsample = True

    def __init__(self, loc: Any, covariance_matrix: Any = None, precision_matrix: Any = None,
                 scale_tril: Any = None, validate_args: bool | None = None) -> None:  # fmt: skip
        given = [(k, m) for k, m in zip(_MATRICES, (covariance_matrix, precision_matrix,
                                                    scale_tril)) if m is not None]  # fmt: skip
        if len(given) != 1:
            raise ValueError(
                "MultivariateNormal: exactly one of covariance_matrix or precision_matrix or "
                "scale_tril may be specified."
            )
        loc = _tensor(loc)
        if loc.ndim < 1:
            raise ValueError("MultivariateNormal: loc must be at least one-dimensional.")
        name, matrix = given[0][0], _tensor(given[0][1], loc.dtype)
        n = loc.shape[-1]
        if matrix.ndim < 2 or matrix.shape[-2:] != (n, n):
            raise ValueError(
                f"MultivariateNormal: {name} must be at least two-dimensional of shape "
                f"(..., {n}, {n}) to match loc of shape {loc.shape}, got {matrix.shape}"
            )
        batch = np.broadcast_shapes(matrix.shape[:-2], loc.shape[:-1])
        self.loc = loc.expand(*batch, n)
        self._given = (name, matrix)
        super().__init__(batch, (n,), validate_args=validate_args)
        if name == "scale_tril":
            L = matrix
        elif name == "covariance_matrix":
            L = cholesky(matrix)
        else:
            L = cholesky(inv(matrix))
        self._unbroadcasted_scale_tril = L
        self.scale_tril = L.expand(*batch, n, n)

    def _check_parameters(self) -> None:
        name, matrix = self._given
        for key, value in (("loc", self.loc), (name, matrix)):
            constraint = self.arg_constraints[key]
            if not np.all(constraint.check(value.data)):
                raise ValueError(
                    f"Expected parameter {key} (Tensor of shape {value.shape}) of distribution "
                    f"{self!r} to satisfy the constraint {constraint!r}, but found invalid "
                    f"values:\n{value.data}"
                )

    def _param_event_ndims(self) -> dict[str, int]:
        return {"loc": 1, "scale_tril": 2}

    def __repr__(self) -> str:
        name, matrix = self._given
        return f"MultivariateNormal(loc: {self.loc.shape}, {name}: {matrix.shape})"

    @property
    def covariance_matrix(self) -> Tensor:
        """L L^T."""
        return self.scale_tril @ self.scale_tril.mT

    @property
    def precision_matrix(self) -> Tensor:
        """(L L^T)^-1 = L^-T L^-1."""
        n = self.event_shape[0]
        L_inv = solve_triangular(self.scale_tril, Tensor(np.eye(n, dtype=self.loc.dtype)),
                                 upper=False)  # fmt: skip
        return L_inv.mT @ L_inv

    @property
    def mean(self) -> Tensor:
        return self.loc

    @property
    def mode(self) -> Tensor:
        return self.loc

    @property
    def variance(self) -> Tensor:
        """The covariance's diagonal: the row sums of L squared."""
        return (self.scale_tril * self.scale_tril).sum(-1)

    def _half_log_det(self) -> Tensor:
        return self._unbroadcasted_scale_tril.diagonal(0, -2, -1).log().sum(-1)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        eps = self._noise(lambda g, s: g.standard_normal(s), shape, self.loc.dtype)
        return self.loc + (self._unbroadcasted_scale_tril @ eps.unsqueeze(-1)).squeeze(-1)

    def log_prob(self, value: Any) -> Tensor:
        """-(n log(2 pi) + |L^-1 (x - loc)|^2) / 2 - sum log diag L."""
        diff = self._value(value, "log_prob") - self.loc
        n = self.event_shape[0]
        L = self._unbroadcasted_scale_tril.expand(*diff.shape, n)
        z = solve_triangular(L, diff.unsqueeze(-1), upper=False).squeeze(-1)
        maha = (z * z).sum(-1)
        return -0.5 * (n * math.log(2 * math.pi) + maha) - self._half_log_det()

    def entropy(self) -> Tensor:
        """n (1 + log(2 pi)) / 2 + sum log diag L."""
        n = self.event_shape[0]
        h = 0.5 * n * (1.0 + math.log(2 * math.pi)) + self._half_log_det()
        return h.expand(*self.batch_shape) if self.batch_shape else h


def _sum_rightmost(x: Tensor, n: int) -> Tensor:
    return x.sum(tuple(range(-n, 0))) if n else x


class Independent(Distribution):
    """`base` with its rightmost `reinterpreted_batch_ndims` batch dims read as event dims:
    log_prob and entropy sum over them (a diagonal Normal as one multivariate event)."""

    arg_constraints: dict[str, constraints.Constraint] = {}

    def __init__(self, base_distribution: Distribution, reinterpreted_batch_ndims: int,
                 validate_args: bool | None = None) -> None:  # fmt: skip
        if not isinstance(base_distribution, Distribution):
            raise TypeError(
                f"Independent: base_distribution must be a Distribution, got "
                f"{type(base_distribution).__name__}"
            )
        n = reinterpreted_batch_ndims
        batch = base_distribution.batch_shape
        if type(n) is not int or not 0 <= n <= len(batch):
            raise ValueError(
                f"Independent: expected 0 <= reinterpreted_batch_ndims <= "
                f"len(base_distribution.batch_shape), actual {n} vs {len(batch)}"
            )
        self.base_dist = base_distribution
        self.reinterpreted_batch_ndims = n
        split = len(batch) - n
        event = batch[split:] + base_distribution.event_shape
        super().__init__(batch[:split], event, validate_args=validate_args)

    @property
    def has_rsample(self) -> bool:  # type: ignore[override]
        return self.base_dist.has_rsample

    @property
    def support(self) -> constraints.Constraint:  # type: ignore[override]
        return self.base_dist.support

    def expand(self, batch_shape: Any, _instance: Any = None) -> Independent:
        batch_shape = tuple(batch_shape)
        n = self.reinterpreted_batch_ndims
        base = self.base_dist.expand(batch_shape + self.event_shape[:n])
        return Independent(base, n, validate_args=False)

    def __repr__(self) -> str:
        return f"Independent({self.base_dist!r}, {self.reinterpreted_batch_ndims})"

    @property
    def mean(self) -> Tensor:
        return self.base_dist.mean

    @property
    def mode(self) -> Tensor:
        return self.base_dist.mode

    @property
    def variance(self) -> Tensor:
        return self.base_dist.variance

    def sample(self, sample_shape: Any = ()) -> Tensor:
        return self.base_dist.sample(sample_shape)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        return self.base_dist.rsample(sample_shape)

    def log_prob(self, value: Any) -> Tensor:
        return _sum_rightmost(self.base_dist.log_prob(value), self.reinterpreted_batch_ndims)

    def entropy(self) -> Tensor:
        return _sum_rightmost(self.base_dist.entropy(), self.reinterpreted_batch_ndims)
