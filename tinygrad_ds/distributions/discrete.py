"""Discrete families: `Bernoulli`, `Categorical`, `OneHotCategorical` (each by `probs` or
`logits`, the other derived), `Poisson(rate)` and `Binomial(total_count, probs/logits)`.
Samples are constants (no rsample): floats for Bernoulli, Poisson, Binomial and one-hot
vectors, int64 category indices for Categorical, as in PyTorch."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..nn.functional import softplus
from ..tensor import Tensor, constant
from . import constraints
from .distribution import Distribution, _tensor, broadcast_all

__all__ = ["Bernoulli", "Categorical", "OneHotCategorical", "Poisson", "Binomial"]


def _one_of(name: str, probs: Any, logits: Any) -> None:
    if (probs is None) == (logits is None):
        raise ValueError(f"{name}: either `probs` or `logits` must be specified, but not both.")


def _binary_logits(probs: Tensor) -> Tensor:
    """log(p / (1 - p)) of p clamped to [eps, 1 - eps] (PyTorch's probs_to_logits)."""
    eps = float(np.finfo(probs.dtype).eps)
    p = probs.clamp(eps, 1 - eps)
    return p.log() - (-p).log1p()


def _log_probs(probs: Tensor) -> Tensor:
    eps = float(np.finfo(probs.dtype).eps)
    return probs.clamp(eps, 1 - eps).log()


class Bernoulli(Distribution):
    """P(1) = probs = sigmoid(logits), P(0) = 1 - probs."""

    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.boolean
    has_enumerate_support = True

    def __init__(self, probs: Any = None, logits: Any = None,
                 validate_args: bool | None = None) -> None:  # fmt: skip
        _one_of("Bernoulli", probs, logits)
        if probs is not None:
            (self.probs,) = broadcast_all(probs)
        else:
            (self.logits,) = broadcast_all(logits)
        param = self.probs if probs is not None else self.logits
        super().__init__(param.shape, validate_args=validate_args)
        if probs is not None:
            self.logits = _binary_logits(self.probs)
        else:
            self.probs = self.logits.sigmoid()

    @property
    def mean(self) -> Tensor:
        return self.probs

    @property
    def mode(self) -> Tensor:
        """1 where probs > 1/2, 0 below, NaN at 1/2 (as PyTorch)."""
        p = self.probs.data
        return constant(np.where(p == 0.5, np.nan, p > 0.5).astype(p.dtype))

    @property
    def variance(self) -> Tensor:
        return self.probs * (1 - self.probs)

    def sample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        u = self._noise(lambda g, s: g.random(s), shape, self.probs.dtype)
        return constant((u.data < self.probs.data).astype(self.probs.dtype))

    def log_prob(self, value: Any) -> Tensor:
        """value logits - softplus(logits), the negative binary cross-entropy with logits."""
        value = self._value(value, "log_prob")
        return value * self.logits - softplus(self.logits)

    def entropy(self) -> Tensor:
        return softplus(self.logits) - self.probs * self.logits

    def enumerate_support(self, expand: bool = True) -> Tensor:
        values = np.arange(2, dtype=self.probs.dtype).reshape((2,) + (1,) * len(self.batch_shape))
        if expand:
            values = np.broadcast_to(values, (2,) + self.batch_shape)
        return constant(values)


class Categorical(Distribution):
    """P(i) = probs[..., i] over the last dim (probs normalised to sum 1, or
    softmax(logits)). Samples are int64 indices; batch_shape is probs.shape[:-1]."""

    arg_constraints = {"probs": constraints.simplex, "logits": constraints.real_vector}
    has_enumerate_support = True

    def __init__(self, probs: Any = None, logits: Any = None,
                 validate_args: bool | None = None) -> None:  # fmt: skip
        name = type(self).__name__
        _one_of(name, probs, logits)
        given = _tensor(probs if probs is not None else logits)
        if given.ndim < 1:
            which = "probs" if probs is not None else "logits"
            raise ValueError(f"{name}: `{which}` parameter must be at least one-dimensional.")
        if probs is not None:
            self.probs = given / given.sum(-1, keepdim=True)
        else:
            self.logits = given - given.logsumexp(-1, keepdim=True)
        self._num_events = given.shape[-1]
        super().__init__(given.shape[:-1], validate_args=validate_args)
        if probs is not None:
            self.logits = _log_probs(self.probs)
        else:
            self.probs = self.logits.softmax(-1)

    def _param_event_ndims(self) -> dict[str, int]:
        return {"probs": 1, "logits": 1}

    @property
    def param_shape(self) -> tuple[int, ...]:
        return self.probs.shape

    @property
    def support(self) -> constraints.Constraint:
        return constraints.integer_interval(0, self._num_events - 1)

    @property
    def mean(self) -> Tensor:
        """NaN (categories are labels, not numbers), as PyTorch."""
        return constant(np.full(self.batch_shape, np.nan, self.probs.dtype))

    @property
    def variance(self) -> Tensor:
        return self.mean

    @property
    def mode(self) -> Tensor:
        return constant(self.probs.data.argmax(-1).astype(np.int64))

    def sample(self, sample_shape: Any = ()) -> Tensor:
        """The index i whose cumulative probability first exceeds a uniform draw."""
        shape = self._extended_shape(sample_shape)
        u = self._noise(lambda g, s: g.random(s), shape, np.float64).data
        cdf = np.cumsum(self.probs.data.astype(np.float64), -1)
        index = (cdf < u[..., None] * cdf[..., -1:]).sum(-1)
        return constant(np.minimum(index, self._num_events - 1).astype(np.int64))

    def log_prob(self, value: Any) -> Tensor:
        value = self._value(value, "log_prob")
        shape = np.broadcast_shapes(value.shape, self.batch_shape)
        index = np.broadcast_to(value.data.astype(np.int64), shape)[..., None]
        logits = self.logits.expand(*shape, self._num_events)
        return logits.gather(-1, constant(np.ascontiguousarray(index))).squeeze(-1)

    def entropy(self) -> Tensor:
        """-sum p log p (log p clamped to the dtype's smallest float, so 0 log 0 = 0)."""
        logits = self.logits.clamp(min=float(np.finfo(self.logits.dtype).min))
        return -(logits * self.probs).sum(-1)

    def enumerate_support(self, expand: bool = True) -> Tensor:
        n = len(self.batch_shape)
        values = np.arange(self._num_events).reshape((-1,) + (1,) * n)
        if expand:
            values = np.broadcast_to(values, (self._num_events,) + self.batch_shape)
        return constant(values)


class OneHotCategorical(Distribution):
    """A Categorical whose draws are one-hot vectors over the last dim (event_shape (K,))."""

    arg_constraints = {"probs": constraints.simplex, "logits": constraints.real_vector}
    support = constraints.one_hot
    has_enumerate_support = True

    def __init__(self, probs: Any = None, logits: Any = None,
                 validate_args: bool | None = None) -> None:  # fmt: skip
        self._categorical = Categorical(probs, logits, validate_args=validate_args)
        self.probs, self.logits = self._categorical.probs, self._categorical.logits
        cat = self._categorical
        super().__init__(cat.batch_shape, cat.param_shape[-1:], validate_args=False)
        self._validate_args = cat._validate_args

    def _param_event_ndims(self) -> dict[str, int]:
        return {"probs": 1, "logits": 1}

    def expand(self, batch_shape: Any, _instance: Any = None) -> OneHotCategorical:
        new = super().expand(batch_shape)
        new._categorical = self._categorical.expand(batch_shape)
        return new

    @property
    def param_shape(self) -> tuple[int, ...]:
        return self.probs.shape

    @property
    def mean(self) -> Tensor:
        return self.probs

    @property
    def mode(self) -> Tensor:
        k = self.event_shape[0]
        return constant(np.eye(k, dtype=self.probs.dtype)[self._categorical.mode.data])

    @property
    def variance(self) -> Tensor:
        return self.probs * (1 - self.probs)

    def sample(self, sample_shape: Any = ()) -> Tensor:
        index = self._categorical.sample(sample_shape).data
        return constant(np.eye(self.event_shape[0], dtype=self.probs.dtype)[index])

    def log_prob(self, value: Any) -> Tensor:
        value = self._value(value, "log_prob")
        return self._categorical.log_prob(constant(value.data.argmax(-1)))

    def entropy(self) -> Tensor:
        return self._categorical.entropy()

    def enumerate_support(self, expand: bool = True) -> Tensor:
        k = self.event_shape[0]
        values = np.eye(k, dtype=self.probs.dtype).reshape(
            (k,) + (1,) * len(self.batch_shape) + (k,)
        )
        if expand:
            values = np.broadcast_to(values, (k,) + self.batch_shape + (k,))
        return constant(values)


class Poisson(Distribution):
    """P(k) = rate^k e^(-rate) / k!  for k = 0, 1, 2, ..."""

    arg_constraints = {"rate": constraints.nonnegative}
    support = constraints.nonnegative_integer

    def __init__(self, rate: Any, validate_args: bool | None = None) -> None:
        (self.rate,) = broadcast_all(rate)
        super().__init__(self.rate.shape, validate_args=validate_args)

    @property
    def mean(self) -> Tensor:
        return self.rate

    @property
    def mode(self) -> Tensor:
        return self.rate.floor()

    @property
    def variance(self) -> Tensor:
        return self.rate

    def sample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        draw = self._noise(lambda g, s: g.poisson(self.rate.data, s), shape, self.rate.dtype)
        return draw

    def log_prob(self, value: Any) -> Tensor:
        """k log(rate) - rate - log(k!)  (0 log 0 = 0)."""
        value = self._value(value, "log_prob")
        return value.xlogy(self.rate) - self.rate - (value + 1).lgamma()


class Binomial(Distribution):
    """P(k) = C(n, k) p^k (1 - p)^(n - k) for k = 0..n, n = total_count (a number or a
    tensor broadcast with probs/logits)."""

    arg_constraints = {
        "total_count": constraints.nonnegative_integer,
        "probs": constraints.unit_interval,
        "logits": constraints.real,
    }
    has_enumerate_support = True

    def __init__(self, total_count: Any = 1, probs: Any = None, logits: Any = None,
                 validate_args: bool | None = None) -> None:  # fmt: skip
        _one_of("Binomial", probs, logits)
        if probs is not None:
            self.total_count, self.probs = broadcast_all(total_count, probs)
        else:
            self.total_count, self.logits = broadcast_all(total_count, logits)
        super().__init__(self.total_count.shape, validate_args=validate_args)
        if probs is not None:
            self.logits = _binary_logits(self.probs)
        else:
            self.probs = self.logits.sigmoid()

    @property
    def support(self) -> constraints.Constraint:
        return constraints.integer_interval(0, self.total_count.data)

    @property
    def mean(self) -> Tensor:
        return self.total_count * self.probs

    @property
    def mode(self) -> Tensor:
        """floor((n + 1) p), at most n."""
        n = self.total_count.data
        return constant(np.minimum(np.floor((n + 1) * self.probs.data), n))

    @property
    def variance(self) -> Tensor:
        return self.total_count * self.probs * (1 - self.probs)

    def sample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        n = self.total_count.data.astype(np.int64)
        p = self.probs.data
        return self._noise(lambda g, s: g.binomial(n, p, s), shape, self.probs.dtype)

    def log_prob(self, value: Any) -> Tensor:
        """log C(n, k) + k logits - n softplus(logits)."""
        k = self._value(value, "log_prob")
        n = self.total_count
        log_choose = (n + 1).lgamma() - (k + 1).lgamma() - (n - k + 1).lgamma()
        return log_choose + k * self.logits - n * softplus(self.logits)

    def entropy(self) -> Tensor:
        """-sum_k P(k) log P(k) over k = 0..n (n the same across the batch)."""
        n = self.total_count.data
        if n.size and not np.all(n == n.flat[0]):
            raise NotImplementedError("Binomial.entropy: inhomogeneous total_count not supported")
        n_max = int(n.flat[0]) if n.size else 0
        k = np.arange(n_max + 1, dtype=self.probs.dtype).reshape((-1,) + (1,) * n.ndim)
        log_p = self.log_prob(constant(k))
        return -(log_p.exp() * log_p).sum(0)

    def enumerate_support(self, expand: bool = True) -> Tensor:
        n = self.total_count.data
        if n.size and not np.all(n == n.flat[0]):
            raise NotImplementedError(
                "Binomial.enumerate_support: inhomogeneous total_count not supported"
            )
        values = np.arange(1 + int(n.flat[0]), dtype=self.probs.dtype)
        values = values.reshape((-1,) + (1,) * len(self.batch_shape))
        if expand:
            values = np.broadcast_to(values, values.shape[:1] + self.batch_shape)
        return constant(values)
