"""One random generator for the whole package, so that `manual_seed(n)` makes runs repeatable."""

from __future__ import annotations

import numpy as np

__all__ = ["manual_seed", "generator"]

_generator = np.random.default_rng()


def manual_seed(seed: int) -> np.random.Generator:
    """Seed every source of randomness in tinygrad_ds (factories, init, dropout, shuffling)."""
    global _generator
    _generator = np.random.default_rng(int(seed))
    return _generator


def generator() -> np.random.Generator:
    """The package's current random generator."""
    return _generator
