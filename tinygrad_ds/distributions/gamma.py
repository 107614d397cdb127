"""The gamma family: `Gamma(concentration, rate)`, `Beta(concentration1, concentration0)` and
`Dirichlet(concentration)`. Draws are differentiable (rsample) through `StandardGamma`,
a Gamma(alpha, 1) draw with its implicit-reparameterisation derivative; a Beta draw is
G1 / (G1 + G0) and a Dirichlet draw G / sum(G) of independent Gamma draws."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..functions import stack, where
from ..tensor import Tensor, constant
from . import constraints
from ._standard_gamma import GammaIncP, StandardGamma
from .distribution import Distribution, _tensor, broadcast_all

__all__ = ["Gamma", "Beta", "Dirichlet"]


def _standard_gamma(concentration: Tensor, shape: tuple[int, ...]) -> Tensor:
    return StandardGamma.apply(concentration.expand(*shape))


class Gamma(Distribution):
    """rate^a x^(a-1) e^(-rate x) / Gamma(a) on x > 0, a = concentration."""

    arg_constraints = {"concentration": constraints.positive, "rate": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True

    def __init__(self, concentration: Any, rate: Any, validate_args: bool | None = None) -> None:
        self.concentration, self.rate = broadcast_all(concentration, rate)
        super().__init__(self.rate.shape, validate_args=validate_args)

    @property
    def mean(self) -> Tensor:
        return self.concentration / self.rate

    @property
    def mode(self) -> Tensor:
        return ((self.concentration - 1) / self.rate).clamp(min=0)

    @property
    def variance(self) -> Tensor:
        return self.concentration / (self.rate * self.rate)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        x = _standard_gamma(self.concentration, shape) / self.rate
        return x.clamp(min=float(np.finfo(x.dtype).tiny))

    def log_prob(self, value: Any) -> Tensor:
        """a log(rate) + (a - 1) log(x) - rate x - lgamma(a)."""
        value = self._value(value, "log_prob")
        a, rate = self.concentration, self.rate
        return a.xlogy(rate) + (a - 1).xlogy(value) - rate * value - a.lgamma()

    def cdf(self, value: Any) -> Tensor:
        """P(a, rate x), the regularised lower incomplete gamma (a series: `GammaIncP`)."""
        value = self._value(value, "cdf")
        return GammaIncP.apply(self.concentration, self.rate * value)

    def entropy(self) -> Tensor:
        """a - log(rate) + lgamma(a) + (1 - a) digamma(a)."""
        a = self.concentration
        return a - self.rate.log() + a.lgamma() + (1 - a) * a.digamma()


def _dirichlet_mode(concentration: Tensor) -> Tensor:
    """(a - 1)+ / sum (a - 1)+, and the one-hot of the largest where every a < 1 (PyTorch)."""
    m1 = (concentration - 1).clamp(min=0)
    with np.errstate(invalid="ignore"):  # 0 / 0 where every a <= 1: NaN, then replaced
        mode = m1 / m1.sum(-1, keepdim=True)
    mask = (concentration.data < 1).all(-1, keepdims=True)
    if not mask.any():
        return mode
    k = concentration.shape[-1]
    corner = np.eye(k, dtype=mode.dtype)[np.argmax(mode.data, -1)]
    return where(constant(mask), constant(corner), mode)


class Dirichlet(Distribution):
    """Gamma(sum a) / prod Gamma(a_i) prod x_i^(a_i - 1) on the simplex (the last dim)."""

    arg_constraints = {"concentration": constraints.positive}
    support = constraints.simplex
    has_rsample = True

    def __init__(self, concentration: Any, validate_args: bool | None = None) -> None:
        self.concentration = _tensor(concentration)
        if self.concentration.ndim < 1:
            raise ValueError(
                "Dirichlet: `concentration` parameter must be at least one-dimensional."
            )
        c = self.concentration.shape
        super().__init__(c[:-1], c[-1:], validate_args=validate_args)

    def _param_event_ndims(self) -> dict[str, int]:
        return {"concentration": 1}

    @property
    def mean(self) -> Tensor:
        return self.concentration / self.concentration.sum(-1, keepdim=True)

    @property
    def mode(self) -> Tensor:
        return _dirichlet_mode(self.concentration)

    @property
    def variance(self) -> Tensor:
        a = self.concentration
        a0 = a.sum(-1, keepdim=True)
        return a * (a0 - a) / (a0 * a0 * (a0 + 1))

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        g = _standard_gamma(self.concentration, self._extended_shape(sample_shape))
        x = g / g.sum(-1, keepdim=True)
        return x.clamp(float(np.finfo(x.dtype).tiny), 1 - float(np.finfo(x.dtype).eps))

    def log_prob(self, value: Any) -> Tensor:
        value = self._value(value, "log_prob")
        a = self.concentration
        return (a - 1).xlogy(value).sum(-1) + a.sum(-1).lgamma() - a.lgamma().sum(-1)

    def entropy(self) -> Tensor:
        a = self.concentration
        k, a0 = a.shape[-1], a.sum(-1)
        return (
            a.lgamma().sum(-1) - a0.lgamma() - (k - a0) * a0.digamma()
            - ((a - 1) * a.digamma()).sum(-1)
        )  # fmt: skip


class Beta(Distribution):
    """x^(a-1) (1 - x)^(b-1) / B(a, b) on [0, 1], a = concentration1, b = concentration0."""

    arg_constraints = {
        "concentration1": constraints.positive,
        "concentration0": constraints.positive,
    }
    support = constraints.unit_interval
    has_rsample = True

    def __init__(self, concentration1: Any, concentration0: Any,
                 validate_args: bool | None = None) -> None:  # fmt: skip
        self.concentration1, self.concentration0 = broadcast_all(concentration1, concentration0)
        super().__init__(self.concentration1.shape, validate_args=validate_args)

    @property
    def mean(self) -> Tensor:
        return self.concentration1 / (self.concentration1 + self.concentration0)

    @property
    def mode(self) -> Tensor:
        return _dirichlet_mode(stack([self.concentration1, self.concentration0], -1))[..., 0]

    @property
    def variance(self) -> Tensor:
        a, b = self.concentration1, self.concentration0
        total = a + b
        return a * b / (total * total * (total + 1))

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        g1 = _standard_gamma(self.concentration1, shape)
        g0 = _standard_gamma(self.concentration0, shape)
        x = g1 / (g1 + g0)
        return x.clamp(float(np.finfo(x.dtype).tiny), 1 - float(np.finfo(x.dtype).eps))

    def log_prob(self, value: Any) -> Tensor:
        value = self._value(value, "log_prob")
        a, b = self.concentration1, self.concentration0
        log_beta = a.lgamma() + b.lgamma() - (a + b).lgamma()
        return (a - 1).xlogy(value) + (b - 1).xlogy(1 - value) - log_beta

    def entropy(self) -> Tensor:
        """log B(a, b) - (a-1) psi(a) - (b-1) psi(b) + (a+b-2) psi(a+b)."""
        a, b = self.concentration1, self.concentration0
        log_beta = a.lgamma() + b.lgamma() - (a + b).lgamma()
        return (
            log_beta - (a - 1) * a.digamma() - (b - 1) * b.digamma()
            + (a + b - 2) * (a + b).digamma()
        )  # fmt: skip
