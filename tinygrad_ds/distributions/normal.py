"""The normal family: `Normal(loc, scale)` and `LogNormal(loc, scale)` (exp of a Normal)."""

from __future__ import annotations

import math
from typing import Any

from ..ops.special import erf, erfinv
from ..tensor import Tensor
from . import constraints
from .distribution import Distribution, broadcast_all

__all__ = ["Normal", "LogNormal"]

_LOG_SQRT_2PI = 0.5 * math.log(2 * math.pi)


class Normal(Distribution):
    """N(loc, scale^2): density exp(-(x - loc)^2 / (2 scale^2)) / (scale sqrt(2 pi)).
    rsample = loc + scale * eps with eps ~ N(0, 1)."""

    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.real
    has_rsample = True

    def __init__(self, loc: Any, scale: Any, validate_args: bool | None = None) -> None:
        self.loc, self.scale = broadcast_all(loc, scale)
        super().__init__(self.loc.shape, validate_args=validate_args)

    @property
    def mean(self) -> Tensor:
        return self.loc

    @property
    def mode(self) -> Tensor:
        return self.loc

    @property
    def stddev(self) -> Tensor:
        return self.scale

    @property
    def variance(self) -> Tensor:
        return self.scale * self.scale

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        eps = self._noise(lambda g, s: g.standard_normal(s), shape, self.loc.dtype)
        return self.loc + eps * self.scale

    def log_prob(self, value: Any) -> Tensor:
        value = self._value(value, "log_prob")
        z = (value - self.loc) / self.scale
        return -0.5 * z * z - self.scale.log() - _LOG_SQRT_2PI

    def cdf(self, value: Any) -> Tensor:
        value = self._value(value, "cdf")
        return 0.5 * (1 + erf((value - self.loc) / (self.scale * math.sqrt(2))))

    def icdf(self, value: Any) -> Tensor:
        """loc + scale sqrt(2) erfinv(2 p - 1)."""
        p = value if isinstance(value, Tensor) else Tensor(value)
        return self.loc + self.scale * erfinv(2 * p - 1) * math.sqrt(2)

    def entropy(self) -> Tensor:
        """1/2 + log(sqrt(2 pi) scale)."""
        return 0.5 + _LOG_SQRT_2PI + self.scale.log()


class LogNormal(Distribution):
    """exp(Y) with Y ~ Normal(loc, scale): density N(log x; loc, scale) / x on x > 0.
    `base_dist` is that Normal."""

    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.positive
    has_rsample = True

    def __init__(self, loc: Any, scale: Any, validate_args: bool | None = None) -> None:
        self.loc, self.scale = broadcast_all(loc, scale)
        self.base_dist = Normal(self.loc, self.scale, validate_args=validate_args)
        super().__init__(self.loc.shape, validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> LogNormal:
        new = super().expand(batch_shape)
        new.base_dist = Normal(new.loc, new.scale, validate_args=False)
        return new

    @property
    def mean(self) -> Tensor:
        """exp(loc + scale^2 / 2)."""
        return (self.loc + self.scale * self.scale / 2).exp()

    @property
    def mode(self) -> Tensor:
        """exp(loc - scale^2)."""
        return (self.loc - self.scale * self.scale).exp()

    @property
    def variance(self) -> Tensor:
        """(exp(scale^2) - 1) exp(2 loc + scale^2)."""
        s2 = self.scale * self.scale
        return s2.expm1() * (2 * self.loc + s2).exp()

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        return self.base_dist.rsample(sample_shape).exp()

    def log_prob(self, value: Any) -> Tensor:
        value = self._value(value, "log_prob")
        y = value.log()
        return self.base_dist.log_prob(y) - y

    def cdf(self, value: Any) -> Tensor:
        return self.base_dist.cdf(self._value(value, "cdf").log())

    def icdf(self, value: Any) -> Tensor:
        return self.base_dist.icdf(value).exp()

    def entropy(self) -> Tensor:
        """The Normal's entropy + loc."""
        return self.base_dist.entropy() + self.loc
