"""Light constraints, as `torch.distributions.constraints`: each one names a set and checks,
elementwise on a NumPy array, whether values lie in it (the validation of parameters and of
`log_prob`'s values). `event_dim` is how many rightmost dims make one element of the set."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = [
    "Constraint", "real", "positive", "nonnegative", "unit_interval", "boolean", "simplex",
    "nonnegative_integer", "integer_interval", "interval", "half_open_interval",
    "greater_than", "greater_than_eq", "real_vector", "one_hot", "positive_definite",
    "lower_cholesky", "dependent",
]  # fmt: skip


class Constraint:
    """The set of reals (the base): `check(array)` gives a bool array over the batch."""

    event_dim = 0

    def check(self, value: np.ndarray) -> np.ndarray:
        return value == value  # not NaN

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v}" for k, v in vars(self).items())
        return f"{type(self).__name__.lstrip('_')}({args})"


class _Real(Constraint):
    pass


class _Dependent(Constraint):
    """A constraint that depends on the parameters (not checked by itself)."""


class _GreaterThan(Constraint):
    def __init__(self, lower_bound: Any) -> None:
        self.lower_bound = lower_bound

    def check(self, value: np.ndarray) -> np.ndarray:
        return value > self.lower_bound


class _GreaterThanEq(_GreaterThan):
    def check(self, value: np.ndarray) -> np.ndarray:
        return value >= self.lower_bound


class _Interval(Constraint):
    def __init__(self, lower_bound: Any, upper_bound: Any) -> None:
        self.lower_bound, self.upper_bound = lower_bound, upper_bound

    def check(self, value: np.ndarray) -> np.ndarray:
        return (value >= self.lower_bound) & (value <= self.upper_bound)


class _HalfOpenInterval(_Interval):
    def check(self, value: np.ndarray) -> np.ndarray:
        return (value >= self.lower_bound) & (value < self.upper_bound)


class _IntegerInterval(_Interval):
    def check(self, value: np.ndarray) -> np.ndarray:
        return super().check(value) & (value % 1 == 0)


class _IntegerGreaterThanEq(_GreaterThanEq):
    def check(self, value: np.ndarray) -> np.ndarray:
        return super().check(value) & (value % 1 == 0)


class _Boolean(Constraint):
    def check(self, value: np.ndarray) -> np.ndarray:
        return (value == 0) | (value == 1)


class _RealVector(Constraint):
    event_dim = 1

    def check(self, value: np.ndarray) -> np.ndarray:
        return (value == value).all(-1)


class _Simplex(Constraint):
    event_dim = 1

    def check(self, value: np.ndarray) -> np.ndarray:
        return (value >= 0).all(-1) & (np.abs(value.sum(-1) - 1) < 1e-6)


class _OneHot(Constraint):
    event_dim = 1

    def check(self, value: np.ndarray) -> np.ndarray:
        return ((value == 0) | (value == 1)).all(-1) & (value.sum(-1) == 1)


class _PositiveDefinite(Constraint):
    event_dim = 2

    def check(self, value: np.ndarray) -> np.ndarray:
        symmetric = np.isclose(value, np.swapaxes(value, -1, -2), atol=1e-6).all((-2, -1))
        sym = (value + np.swapaxes(value, -1, -2)) / 2
        return symmetric & (np.linalg.eigvalsh(sym)[..., 0] > 0)


class _LowerCholesky(Constraint):
    event_dim = 2

    def check(self, value: np.ndarray) -> np.ndarray:
        lower = (np.tril(value) == value).all((-2, -1))
        return lower & (np.diagonal(value, axis1=-2, axis2=-1) > 0).all(-1)


real = _Real()
dependent = _Dependent()
positive = _GreaterThan(0.0)
nonnegative = _GreaterThanEq(0.0)
unit_interval = _Interval(0.0, 1.0)
boolean = _Boolean()
nonnegative_integer = _IntegerGreaterThanEq(0)
real_vector = _RealVector()
simplex = _Simplex()
one_hot = _OneHot()
positive_definite = _PositiveDefinite()
lower_cholesky = _LowerCholesky()
greater_than, greater_than_eq = _GreaterThan, _GreaterThanEq
interval, half_open_interval, integer_interval = _Interval, _HalfOpenInterval, _IntegerInterval
