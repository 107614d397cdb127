"""The `Distribution` base, as `torch.distributions.Distribution`.

A distribution holds parameters that broadcast together into its `batch_shape`; one draw is
of `event_shape`. `sample(sample_shape)` has shape `sample_shape + batch_shape + event_shape`
and is a constant; `rsample` (where `has_rsample`) is differentiable with respect to the
parameters (the reparameterisation trick: a parameter-free noise pushed through a
differentiable map). Every draw comes from the package generator, so `td.manual_seed` makes
it repeatable.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..dtypes import get_default_dtype
from ..grad_mode import no_grad
from ..rng import generator
from ..tensor import Tensor, _shape_args, constant
from . import constraints

__all__ = ["Distribution", "broadcast_all"]

Shape = tuple[int, ...]


def _tensor(x: Any, dtype: Any = None) -> Tensor:
    """x as a float Tensor (a Tensor is kept, with its graph; numbers take `dtype`)."""
    if isinstance(x, Tensor):
        return x if x.dtype.kind == "f" else x.astype(get_default_dtype())
    array = np.asarray(x)
    if array.dtype.kind != "f" or not isinstance(x, np.ndarray):
        array = array.astype(dtype or get_default_dtype())
    return Tensor(array)


def broadcast_all(*values: Any) -> list[Tensor]:
    """Tensors of one shape and float dtype from tensors and numbers, as PyTorch's
    `broadcast_all`: numbers take the dtype of the tensors among the values."""
    dtype = next((v.dtype for v in values if isinstance(v, Tensor) and v.dtype.kind == "f"), None)
    tensors = [_tensor(v, dtype) for v in values]
    shape = np.broadcast_shapes(*(t.shape for t in tensors))
    return [t if t.shape == shape else t.expand(*shape) for t in tensors]


class Distribution:
    """The base of every distribution: shapes, validation, and the methods to override.

    `arg_constraints` maps each parameter's name to its constraint and `support` is the set of
    values; with `validate_args` (PyTorch's default: True) both are checked, with errors that
    name the distribution and the argument at fault."""

    has_rsample = False
    has_enumerate_support = False
    arg_constraints: dict[str, constraints.Constraint] = {}
    support: constraints.Constraint = constraints.real
    _validate_args_default = True

    @staticmethod
    def set_default_validate_args(value: bool) -> None:
        """Turn argument validation on or off for distributions made from now on."""
        if value not in (True, False):
            raise ValueError(f"set_default_validate_args: expected a bool, got {value!r}")
        Distribution._validate_args_default = bool(value)

    def __init__(self, batch_shape: Any = (), event_shape: Any = (),
                 validate_args: bool | None = None) -> None:  # fmt: skip
        self._batch_shape = tuple(batch_shape)
        self._event_shape = tuple(event_shape)
        if validate_args is None:
            validate_args = Distribution._validate_args_default
        self._validate_args = bool(validate_args)
        if self._validate_args:
            self._check_parameters()

    def _check_parameters(self) -> None:
        for name, constraint in self.arg_constraints.items():
            if constraint is constraints.dependent or name not in self.__dict__:
                continue
            value = getattr(self, name)
            if not isinstance(value, Tensor):
                continue
            ok = constraint.check(value.data)
            if not np.all(ok):
                raise ValueError(
                    f"Expected parameter {name} (Tensor of shape {value.shape}) of distribution "
                    f"{self!r} to satisfy the constraint {constraint!r}, but found invalid "
                    f"values:\n{value.data}"
                )

    # -- shapes ---------------------------------------------------------------------------

    @property
    def batch_shape(self) -> Shape:
        """The shape over which parameters are batched (independent, not identical)."""
        return self._batch_shape

    @property
    def event_shape(self) -> Shape:
        """The shape of one draw."""
        return self._event_shape

    def _extended_shape(self, sample_shape: Any = ()) -> Shape:
        return _shape_args((sample_shape,), "sample") + self._batch_shape + self._event_shape

    def expand(self, batch_shape: Any, _instance: Any = None) -> Distribution:
        """The same distribution with its parameters broadcast (no copy) to `batch_shape`."""
        batch_shape = _shape_args((batch_shape,), f"{type(self).__name__}.expand")
        try:
            np.broadcast_shapes(self._batch_shape, batch_shape)
        except ValueError:
            raise ValueError(
                f"{type(self).__name__}.expand: batch_shape {self._batch_shape} cannot be "
                f"expanded to {batch_shape}"
            ) from None
        new = object.__new__(type(self))
        new.__dict__.update(self.__dict__)
        for name, event_ndim in self._param_event_ndims().items():
            value = self.__dict__[name]
            tail = value.shape[value.ndim - event_ndim :] if event_ndim else ()
            new.__dict__[name] = value.expand(*batch_shape, *tail)
        new._batch_shape = batch_shape
        return new

    def _param_event_ndims(self) -> dict[str, int]:
        """The tensors that hold this distribution's parameters, with their event dims."""
        return {k: 0 for k in self.arg_constraints if isinstance(self.__dict__.get(k), Tensor)}

    # -- sampling -------------------------------------------------------------------------

    def sample(self, sample_shape: Any = ()) -> Tensor:
        """A draw of shape sample_shape + batch_shape + event_shape, with no gradient."""
        if self.has_rsample:
            with no_grad():
                return self.rsample(sample_shape).detach()
        raise NotImplementedError(f"{type(self).__name__}.sample is not implemented")

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        """A reparameterised draw, differentiable with respect to the parameters."""
        raise NotImplementedError(
            f"{type(self).__name__} has no rsample (has_rsample is False): use sample()"
        )

    def sample_n(self, n: int) -> Tensor:
        """n draws stacked on a new first dim (PyTorch's deprecated name)."""
        return self.sample((n,))

    def _noise(self, draw: Any, shape: Shape, dtype: Any) -> Tensor:
        """A constant array of noise drawn by `draw(generator, shape)`, in `dtype`."""
        return constant(np.asarray(draw(generator(), shape), dtype=dtype))

    # -- values ---------------------------------------------------------------------------

    def _value(self, value: Any, what: str) -> Tensor:
        """`value` as a tensor, checked against the shapes and (with validation) the support."""
        if not isinstance(value, Tensor):
            array = np.asarray(value)
            if array.dtype.kind == "f" and not isinstance(value, np.ndarray):
                array = array.astype(self._dtype())
            value = Tensor(array)
        if not self._validate_args:
            return value
        name = type(self).__name__
        event = self._event_shape
        if event and value.shape[value.ndim - len(event) :] != event:
            raise ValueError(
                f"{name}.{what}: the right-most size of value must match event_shape: "
                f"{value.shape} vs {event}"
            )
        try:
            np.broadcast_shapes(value.shape, self._batch_shape + event)
        except ValueError:
            raise ValueError(
                f"{name}.{what}: value of shape {value.shape} is not broadcastable with "
                f"batch_shape+event_shape: {self._batch_shape} + {event}"
            ) from None
        support = self.support
        if support is not constraints.dependent and not np.all(support.check(value.data)):
            raise ValueError(
                f"Expected value argument (Tensor of shape {value.shape}) to be within the "
                f"support ({support!r}) of the distribution {self!r}, but found invalid "
                f"values:\n{value.data}"
            )
        return value

    def _dtype(self) -> Any:
        """The float dtype of the parameters."""
        params = [self.__dict__.get(k) for k in self.arg_constraints]
        return next((p.dtype for p in params if isinstance(p, Tensor)), get_default_dtype())

    def log_prob(self, value: Any) -> Tensor:
        """log p(value), of shape broadcast(value's batch dims, batch_shape)."""
        raise NotImplementedError(f"{type(self).__name__}.log_prob is not implemented")

    def cdf(self, value: Any) -> Tensor:
        """P(X <= value)."""
        raise NotImplementedError(f"{type(self).__name__}.cdf is not implemented")

    def icdf(self, value: Any) -> Tensor:
        """The inverse of cdf: the quantile at probability `value`."""
        raise NotImplementedError(f"{type(self).__name__}.icdf is not implemented")

    def entropy(self) -> Tensor:
        """-E[log p(X)], of shape batch_shape."""
        raise NotImplementedError(f"{type(self).__name__}.entropy is not implemented")

    def perplexity(self) -> Tensor:
        """exp(entropy)."""
        return self.entropy().exp()

    @property
    def mean(self) -> Tensor:
        """E[X], of shape batch_shape + event_shape."""
        raise NotImplementedError(f"{type(self).__name__}.mean is not implemented")

    @property
    def mode(self) -> Tensor:
        """The most likely value (NaN where there is no single one)."""
        raise NotImplementedError(f"{type(self).__name__}.mode is not implemented")

    @property
    def variance(self) -> Tensor:
        """Var[X] = E[(X - E[X])^2], elementwise."""
        raise NotImplementedError(f"{type(self).__name__}.variance is not implemented")

    @property
    def stddev(self) -> Tensor:
        """The square root of the variance."""
        return self.variance.sqrt()

    def __repr__(self) -> str:
        params = ", ".join(
            f"{k}: {self.__dict__[k].shape if self.__dict__[k].ndim else self.__dict__[k].item()}"
            for k in self.arg_constraints
            if isinstance(self.__dict__.get(k), Tensor)
        )
        return f"{type(self).__name__}({params})"
