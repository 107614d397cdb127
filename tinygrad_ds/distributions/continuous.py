"""Continuous families on an interval or a half-line: `Uniform(low, high)`,
`Exponential(rate)` and `Laplace(loc, scale)`, each with rsample, cdf and icdf."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..tensor import Tensor
from . import constraints
from .distribution import Distribution, broadcast_all

__all__ = ["Uniform", "Exponential", "Laplace"]


def _as(value: Any, like: Tensor) -> Tensor:
    return value if isinstance(value, Tensor) else Tensor(np.asarray(value, dtype=like.dtype))


class Uniform(Distribution):
    """Uniform on [low, high): density 1 / (high - low). rsample = low + (high - low) u."""

    arg_constraints = {"low": constraints.dependent, "high": constraints.dependent}
    has_rsample = True

    def __init__(self, low: Any, high: Any, validate_args: bool | None = None) -> None:
        self.low, self.high = broadcast_all(low, high)
        super().__init__(self.low.shape, validate_args=validate_args)
        if self._validate_args and not np.all(self.low.data < self.high.data):
            raise ValueError(
                f"Expected parameter low (Tensor of shape {self.low.shape}) of distribution "
                f"{self!r} to satisfy the constraint LessThan(upper_bound=high), but found "
                f"invalid values:\n{self.low.data}"
            )

    @property
    def support(self) -> constraints.Constraint:
        return constraints.half_open_interval(self.low.data, self.high.data)

    @property
    def mean(self) -> Tensor:
        return (self.low + self.high) / 2

    @property
    def mode(self) -> Tensor:
        """NaN: every point of the interval is a mode (as PyTorch)."""
        return self.low * math.nan

    @property
    def variance(self) -> Tensor:
        return (self.high - self.low) ** 2 / 12

    @property
    def stddev(self) -> Tensor:
        return (self.high - self.low) / math.sqrt(12)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        u = self._noise(
            lambda g, s: g.random(s), self._extended_shape(sample_shape), self.low.dtype
        )
        return self.low + u * (self.high - self.low)

    def log_prob(self, value: Any) -> Tensor:
        """-log(high - low) inside [low, high), -inf outside."""
        value = self._value(value, "log_prob")
        inside = (self.low.data <= value.data) & (value.data < self.high.data)
        outside = Tensor(np.where(inside, 0.0, -np.inf).astype(self.low.dtype))
        return outside - (self.high - self.low).log()

    def cdf(self, value: Any) -> Tensor:
        value = self._value(value, "cdf")
        return ((value - self.low) / (self.high - self.low)).clamp(0, 1)

    def icdf(self, value: Any) -> Tensor:
        return _as(value, self.low) * (self.high - self.low) + self.low

    def entropy(self) -> Tensor:
        return (self.high - self.low).log()


class Exponential(Distribution):
    """rate e^(-rate x) on x >= 0. rsample = -log(u) / rate (an Exp(1) draw over rate)."""

    arg_constraints = {"rate": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True

    def __init__(self, rate: Any, validate_args: bool | None = None) -> None:
        (self.rate,) = broadcast_all(rate)
        super().__init__(self.rate.shape, validate_args=validate_args)

    @property
    def mean(self) -> Tensor:
        return self.rate.reciprocal()

    @property
    def mode(self) -> Tensor:
        return self.rate * 0

    @property
    def stddev(self) -> Tensor:
        return self.rate.reciprocal()

    @property
    def variance(self) -> Tensor:
        return self.rate**-2

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        e = self._noise(lambda g, s: g.standard_exponential(s), shape, self.rate.dtype)
        return e / self.rate

    def log_prob(self, value: Any) -> Tensor:
        value = self._value(value, "log_prob")
        return self.rate.log() - self.rate * value

    def cdf(self, value: Any) -> Tensor:
        value = self._value(value, "cdf")
        return 1 - (-self.rate * value).exp()

    def icdf(self, value: Any) -> Tensor:
        return -(-_as(value, self.rate)).log1p() / self.rate

    def entropy(self) -> Tensor:
        return 1.0 - self.rate.log()


class Laplace(Distribution):
    """exp(-|x - loc| / scale) / (2 scale). rsample by the inverse cdf of a uniform draw."""

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
        return math.sqrt(2) * self.scale

    @property
    def variance(self) -> Tensor:
        return 2 * self.scale * self.scale

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        """loc - scale sign(u) log(1 - |u|), u uniform on (-1, 1)."""
        tiny = np.finfo(self.loc.dtype).eps
        shape = self._extended_shape(sample_shape)
        draw = self._noise(lambda g, s: g.uniform(tiny - 1, 1, s), shape, self.loc.dtype)
        return self.loc - self.scale * draw.sign() * (-draw.abs()).log1p()

    def log_prob(self, value: Any) -> Tensor:
        value = self._value(value, "log_prob")
        return -(2 * self.scale).log() - (value - self.loc).abs() / self.scale

    def cdf(self, value: Any) -> Tensor:
        """1/2 - 1/2 sign(x - loc) expm1(-|x - loc| / scale)."""
        d = self._value(value, "cdf") - self.loc
        return 0.5 - 0.5 * d.sign() * (-d.abs() / self.scale).expm1()

    def icdf(self, value: Any) -> Tensor:
        term = _as(value, self.loc) - 0.5
        return self.loc - self.scale * term.sign() * (-2 * term.abs()).log1p()

    def entropy(self) -> Tensor:
        return 1 + (2 * self.scale).log()
