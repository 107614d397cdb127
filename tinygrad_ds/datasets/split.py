"""Stratified, seeded train/test splitting shared by the bundled data sets."""

from __future__ import annotations

import numpy as np

__all__ = ["stratified_split"]


def check_fraction(name: str, test_fraction: float) -> float:
    """Return ``test_fraction`` as a float, or raise ValueError naming ``name`` if not in (0, 1)."""
    if isinstance(test_fraction, bool) or not isinstance(test_fraction, (int, float, np.number)):
        raise ValueError(f"{name}: test_fraction must be a number in (0, 1), got {test_fraction!r}")
    fraction = float(test_fraction)
    if not 0.0 < fraction < 1.0:
        raise ValueError(f"{name}: test_fraction must be in (0, 1), got {test_fraction!r}")
    return fraction


def stratified_split(
    y: np.ndarray, test_fraction: float = 0.2, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Indices ``(train_idx, test_idx)`` splitting ``y`` so every class keeps its proportion.

    Class ``c`` with ``n_c`` samples sends ``round(n_c * test_fraction)`` of them (at least one
    and at most ``n_c - 1`` when ``n_c >= 2``) to the test set, chosen by
    ``np.random.default_rng(seed)``; both index arrays are then shuffled, so the result is the
    same for the same ``seed`` and differs for another.
    """
    fraction = check_fraction("stratified_split", test_fraction)
    y = np.asarray(y)
    if y.ndim != 1:
        raise ValueError(f"stratified_split: y must be 1-D, got shape {y.shape}")
    rng = np.random.default_rng(seed)
    train_parts, test_parts = [], []
    for label in np.unique(y):
        members = rng.permutation(np.flatnonzero(y == label))
        n_test = int(round(len(members) * fraction))
        if len(members) >= 2:
            n_test = min(max(n_test, 1), len(members) - 1)
        test_parts.append(members[:n_test])
        train_parts.append(members[n_test:])
    train_idx = rng.permutation(np.concatenate(train_parts)) if train_parts else np.arange(0)
    test_idx = rng.permutation(np.concatenate(test_parts)) if test_parts else np.arange(0)
    return train_idx.astype(np.int64), test_idx.astype(np.int64)
