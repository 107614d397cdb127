"""`kl_divergence(p, q)` = E_p[log p(X) - log q(X)], by closed forms registered per pair of
types with `@register_kl(TypeP, TypeQ)`. The most specific registered pair (along both
types' MROs) is used, as in PyTorch."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from ..functions import where
from ..nn.functional import softplus
from ..tensor import Tensor, constant
from .continuous import Exponential, Laplace, Uniform
from .discrete import Bernoulli, Categorical, OneHotCategorical, Poisson
from .distribution import Distribution
from .gamma import Beta, Dirichlet, Gamma
from .multivariate import Independent, MultivariateNormal, _sum_rightmost
from .normal import LogNormal, Normal

__all__ = ["kl_divergence", "register_kl"]

_KL_REGISTRY: dict[tuple[type, type], Callable[[Any, Any], Tensor]] = {}


def register_kl(type_p: type, type_q: type) -> Callable[[Callable], Callable]:
    """A decorator: `@register_kl(Normal, Normal) def kl(p, q): ...` adds a closed form."""
    for t in (type_p, type_q):
        if not (isinstance(t, type) and issubclass(t, Distribution)):
            raise TypeError(f"register_kl: expected a subclass of Distribution, got {t!r}")

    def decorator(fn: Callable) -> Callable:
        _KL_REGISTRY[type_p, type_q] = fn
        return fn

    return decorator


def _dispatch(type_p: type, type_q: type) -> Callable | None:
    """The registered pair nearest to (type_p, type_q) along their MROs."""
    best, best_rank = None, None
    for i, p in enumerate(type_p.__mro__):
        for j, q in enumerate(type_q.__mro__):
            fn = _KL_REGISTRY.get((p, q))
            if fn is not None and (best_rank is None or (i + j, i) < best_rank):
                best, best_rank = fn, (i + j, i)
    return best


def kl_divergence(p: Distribution, q: Distribution) -> Tensor:
    """KL(p || q), of shape batch_shape (the two batch shapes broadcast)."""
    fn = _dispatch(type(p), type(q))
    if fn is None:
        raise NotImplementedError(
            f"kl_divergence: no KL(p || q) is implemented for p = {type(p).__name__}, "
            f"q = {type(q).__name__}"
        )
    return fn(p, q)


def _inf_where(mask: np.ndarray, x: Tensor) -> Tensor:
    if not np.any(mask):
        return x
    return where(constant(np.broadcast_to(mask, x.shape)), math.inf, x)


def _zero_where(mask: np.ndarray, x: Tensor) -> Tensor:
    if not np.any(mask):
        return x
    return where(constant(np.broadcast_to(mask, x.shape)), 0.0, x)


@register_kl(Normal, Normal)
def _kl_normal_normal(p: Normal, q: Normal) -> Tensor:
    var_ratio = (p.scale / q.scale) ** 2
    t1 = ((p.loc - q.loc) / q.scale) ** 2
    return 0.5 * (var_ratio + t1 - 1 - var_ratio.log())


@register_kl(LogNormal, LogNormal)
def _kl_lognormal_lognormal(p: LogNormal, q: LogNormal) -> Tensor:
    return _kl_normal_normal(p.base_dist, q.base_dist)


@register_kl(Bernoulli, Bernoulli)
def _kl_bernoulli_bernoulli(p: Bernoulli, q: Bernoulli) -> Tensor:
    shape = np.broadcast_shapes(p.batch_shape, q.batch_shape)
    pp, qp = np.broadcast_to(p.probs.data, shape), np.broadcast_to(q.probs.data, shape)
    t1 = p.probs * (softplus(-q.logits) - softplus(-p.logits))
    t1 = _zero_where(pp == 0, _inf_where(qp == 0, t1))
    t2 = (1 - p.probs) * (softplus(q.logits) - softplus(p.logits))
    t2 = _zero_where(pp == 1, _inf_where(qp == 1, t2))
    return t1 + t2


@register_kl(Categorical, Categorical)
def _kl_categorical_categorical(p: Categorical, q: Categorical) -> Tensor:
    t = p.probs * (p.logits - q.logits)
    t = _zero_where(p.probs.data == 0, _inf_where(q.probs.data == 0, t))
    return t.sum(-1)


@register_kl(OneHotCategorical, OneHotCategorical)
def _kl_onehot_onehot(p: OneHotCategorical, q: OneHotCategorical) -> Tensor:
    return _kl_categorical_categorical(p._categorical, q._categorical)


@register_kl(Uniform, Uniform)
def _kl_uniform_uniform(p: Uniform, q: Uniform) -> Tensor:
    result = ((q.high - q.low) / (p.high - p.low)).log()
    return _inf_where((q.low.data > p.low.data) | (q.high.data < p.high.data), result)


@register_kl(Exponential, Exponential)
def _kl_exponential_exponential(p: Exponential, q: Exponential) -> Tensor:
    rate_ratio = q.rate / p.rate
    return rate_ratio - rate_ratio.log() - 1


@register_kl(Laplace, Laplace)
def _kl_laplace_laplace(p: Laplace, q: Laplace) -> Tensor:
    scale_ratio = p.scale / q.scale
    loc_abs_diff = (p.loc - q.loc).abs()
    t3 = scale_ratio * (-loc_abs_diff / p.scale).exp()
    return -scale_ratio.log() + loc_abs_diff / q.scale + t3 - 1


@register_kl(Poisson, Poisson)
def _kl_poisson_poisson(p: Poisson, q: Poisson) -> Tensor:
    return p.rate * (p.rate.log() - q.rate.log()) - (p.rate - q.rate)


@register_kl(Beta, Beta)
def _kl_beta_beta(p: Beta, q: Beta) -> Tensor:
    p1, p0, q1, q0 = p.concentration1, p.concentration0, q.concentration1, q.concentration0
    sum_p, sum_q = p1 + p0, q1 + q0
    t1 = q1.lgamma() + q0.lgamma() + sum_p.lgamma()
    t2 = p1.lgamma() + p0.lgamma() + sum_q.lgamma()
    t3 = (p1 - q1) * p1.digamma() + (p0 - q0) * p0.digamma()
    return t1 - t2 + t3 + (sum_q - sum_p) * sum_p.digamma()


@register_kl(Gamma, Gamma)
def _kl_gamma_gamma(p: Gamma, q: Gamma) -> Tensor:
    t1 = q.concentration * (p.rate / q.rate).log()
    t2 = q.concentration.lgamma() - p.concentration.lgamma()
    t3 = (p.concentration - q.concentration) * p.concentration.digamma()
    t4 = (q.rate - p.rate) * (p.concentration / p.rate)
    return t1 + t2 + t3 + t4


@register_kl(Dirichlet, Dirichlet)
def _kl_dirichlet_dirichlet(p: Dirichlet, q: Dirichlet) -> Tensor:
    a, b = p.concentration, q.concentration
    a0 = a.sum(-1, keepdim=True)
    t1 = a0.squeeze(-1).lgamma() - b.sum(-1).lgamma()
    t2 = (b.lgamma() - a.lgamma()).sum(-1)
    t3 = ((a - b) * (a.digamma() - a0.digamma())).sum(-1)
    return t1 + t2 + t3


@register_kl(MultivariateNormal, MultivariateNormal)
def _kl_mvn_mvn(p: MultivariateNormal, q: MultivariateNormal) -> Tensor:
    """log det Lq - log det Lp + (|Lq^-1 Lp|_F^2 + |Lq^-1 (mq - mp)|^2 - n) / 2."""
    if p.event_shape != q.event_shape:
        raise ValueError(
            f"kl_divergence: MultivariateNormals of different event shapes {p.event_shape} "
            f"and {q.event_shape}"
        )
    n = p.event_shape[0]
    shape = np.broadcast_shapes(p.batch_shape, q.batch_shape)
    Lp = p._unbroadcasted_scale_tril.expand(*shape, n, n)
    Lq = q._unbroadcasted_scale_tril.expand(*shape, n, n)
    term2 = _solve_sq(Lq, Lp).sum((-2, -1))
    diff = (q.loc - p.loc).expand(*shape, n).unsqueeze(-1)
    term3 = _solve_sq(Lq, diff).sum((-2, -1))
    half_term1 = q._half_log_det() - p._half_log_det()
    return half_term1 + 0.5 * (term2 + term3 - n)


def _solve_sq(L: Tensor, B: Tensor) -> Tensor:
    from ..linalg import solve_triangular

    X = solve_triangular(L, B, upper=False)
    return X * X


@register_kl(Independent, Independent)
def _kl_independent_independent(p: Independent, q: Independent) -> Tensor:
    if p.reinterpreted_batch_ndims != q.reinterpreted_batch_ndims:
        raise NotImplementedError(
            "kl_divergence: Independents with different reinterpreted_batch_ndims "
            f"({p.reinterpreted_batch_ndims} and {q.reinterpreted_batch_ndims})"
        )
    return _sum_rightmost(kl_divergence(p.base_dist, q.base_dist), p.reinterpreted_batch_ndims)
