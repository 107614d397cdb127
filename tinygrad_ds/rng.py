"""One random generator for the whole package, so that `manual_seed(n)` makes runs repeatable."""

from __future__ import annotations

import numpy as np

__all__ = ["manual_seed", "generator"]

_generator = np.random.default_rng()


def manual_seed(seed: int) -> np.random.Generator:
    """Seed every source of randomness in tinygrad_ds (factories, init, dropout, shuffling).

    Any int is a seed, as in PyTorch: a negative one is taken modulo 2**64 (so -1 seeds as
    2**64 - 1), the same generator every time."""
    global _generator
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, (bool, np.bool_)):
        raise TypeError(
            f"manual_seed: the seed must be an int, got {seed!r} ({type(seed).__name__})"
        )
    _generator = np.random.default_rng(int(seed) % 2**64)
    return _generator


def generator() -> np.random.Generator:
    """The package's current random generator."""
    return _generator
