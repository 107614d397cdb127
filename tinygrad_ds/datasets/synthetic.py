"""Seeded two-dimensional toy data sets for classification: moons, spirals, XOR and blobs.

Each returns ``(X, y)`` with ``X`` float32 of shape ``(n_samples, 2)`` and ``y`` int64, classes
as balanced as ``n_samples`` allows (sizes differ by at most one), rows shuffled, all drawn
from ``np.random.default_rng(seed)`` so the same seed gives the same data.
"""

from __future__ import annotations

import numbers

import numpy as np

__all__ = ["make_moons", "make_spirals", "make_xor", "make_blobs"]


def _check_count(name: str, arg: str, value: int, minimum: int) -> int:
    """Return ``value`` as an int, or raise ValueError naming the function if below ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"{name}: {arg} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def _check_scale(name: str, arg: str, value: float) -> float:
    """Return ``value`` as a float, or raise ValueError naming the function if negative."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not value >= 0:
        raise ValueError(f"{name}: {arg} must be a number >= 0, got {value!r}")
    return float(value)


def _balanced_labels(n_samples: int, n_classes: int) -> np.ndarray:
    """Labels ``0, 1, ..., n_classes - 1, 0, 1, ...``: class sizes differ by at most one."""
    return np.arange(n_samples, dtype=np.int64) % n_classes


def _finish(
    X: np.ndarray, y: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Shuffle rows of ``(X, y)`` together and cast to float32 / int64."""
    order = rng.permutation(len(y))
    return X[order].astype(np.float32), y[order].astype(np.int64)


def make_moons(
    n_samples: int = 200, noise: float = 0.1, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles plus Gaussian noise of std ``noise``.

    Class 0: ``(cos t, sin t)``; class 1: ``(1 - cos t, 0.5 - sin t)``, ``t`` evenly in [0, pi].
    """
    n = _check_count("make_moons", "n_samples", n_samples, 2)
    noise = _check_scale("make_moons", "noise", noise)
    rng = np.random.default_rng(seed)
    y = _balanced_labels(n, 2)
    X = np.empty((n, 2))
    for label in (0, 1):
        rows = np.flatnonzero(y == label)
        t = np.linspace(0.0, np.pi, len(rows))
        if label == 0:
            X[rows] = np.stack([np.cos(t), np.sin(t)], axis=1)
        else:
            X[rows] = np.stack([1.0 - np.cos(t), 0.5 - np.sin(t)], axis=1)
    X += noise * rng.standard_normal(X.shape)
    return _finish(X, y, rng)


def make_spirals(
    n_samples: int = 300, n_classes: int = 3, noise: float = 0.2, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """``n_classes`` interleaved spiral arms (the CS231n toy problem).

    Arm ``k`` has radius ``r`` evenly in [0.05, 1] and angle
    ``theta = 2 pi k / n_classes + 4 r + noise * N(0, 1)``; the point is
    ``(r sin theta, r cos theta)``. ``noise`` is in radians.
    """
    n_classes = _check_count("make_spirals", "n_classes", n_classes, 2)
    n = _check_count("make_spirals", "n_samples", n_samples, n_classes)
    noise = _check_scale("make_spirals", "noise", noise)
    rng = np.random.default_rng(seed)
    y = _balanced_labels(n, n_classes)
    X = np.empty((n, 2))
    for label in range(n_classes):
        rows = np.flatnonzero(y == label)
        r = np.linspace(0.05, 1.0, len(rows))
        theta = 2 * np.pi * label / n_classes + 4.0 * r + noise * rng.standard_normal(len(rows))
        X[rows] = np.stack([r * np.sin(theta), r * np.cos(theta)], axis=1)
    return _finish(X, y, rng)


def make_xor(
    n_samples: int = 200, noise: float = 0.1, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Four Gaussian clusters of std ``noise`` around ``(+-1, +-1)``; label = xor of the signs.

    Class 0 sits around (1, 1) and (-1, -1), class 1 around (1, -1) and (-1, 1); for small
    ``noise``, ``y == (X[:, 0] > 0) ^ (X[:, 1] > 0)``.
    """
    n = _check_count("make_xor", "n_samples", n_samples, 2)
    noise = _check_scale("make_xor", "noise", noise)
    rng = np.random.default_rng(seed)
    y = _balanced_labels(n, 2)
    first = np.where((np.arange(n) // 2) % 2 == 0, 1.0, -1.0)  # alternate clusters per class
    second = np.where(y == 0, first, -first)
    X = np.stack([first, second], axis=1) + noise * rng.standard_normal((n, 2))
    return _finish(X, y, rng)


def make_blobs(
    n_samples: int = 200, centers: int | np.ndarray = 3, std: float = 1.0, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Isotropic Gaussian blobs of std ``std``, one class per center.

    ``centers`` is a count (centers drawn uniformly in [-10, 10]^2 from the seed) or an array
    of shape ``(k, 2)`` giving them.
    """
    rng = np.random.default_rng(seed)
    if isinstance(centers, numbers.Integral) and not isinstance(centers, bool):
        k = _check_count("make_blobs", "centers", centers, 1)
        means = rng.uniform(-10.0, 10.0, size=(k, 2))
    else:
        means = np.asarray(centers, dtype=np.float64)
        if means.ndim != 2 or means.shape[1] != 2 or len(means) < 1:
            raise ValueError(
                f"make_blobs: centers must be a count or an array of shape (k, 2), "
                f"got shape {means.shape}"
            )
    n = _check_count("make_blobs", "n_samples", n_samples, len(means))
    std = _check_scale("make_blobs", "std", std)
    y = _balanced_labels(n, len(means))
    X = means[y] + std * rng.standard_normal((n, 2))
    return _finish(X, y, rng)
