"""Probability distributions, as `torch.distributions`: `Normal`, `Uniform`, `Bernoulli`,
`Categorical`, ... each with `sample`/`rsample`, `log_prob`, `entropy`, moments, and
`kl_divergence` between pairs. Every draw follows `td.manual_seed`.

>>> import tinygrad_ds as td
>>> d = td.distributions.Normal(td.tensor([0.0, 1.0]), 2.0)
>>> d.batch_shape, d.log_prob(td.tensor([0.0, 1.0])).shape
((2,), (2,))
"""

from . import constraints
from .continuous import Exponential, Laplace, Uniform
from .discrete import Bernoulli, Binomial, Categorical, OneHotCategorical, Poisson
from .distribution import Distribution
from .gamma import Beta, Dirichlet, Gamma
from .kl import kl_divergence, register_kl
from .multivariate import Independent, MultivariateNormal
from .normal import LogNormal, Normal

__all__ = [
    "Distribution", "Normal", "LogNormal", "Uniform", "Exponential", "Laplace", "Bernoulli",
    "Categorical", "OneHotCategorical", "Poisson", "Binomial", "Gamma", "Beta", "Dirichlet",
    "MultivariateNormal", "Independent", "kl_divergence", "register_kl", "constraints",
]  # fmt: skip
